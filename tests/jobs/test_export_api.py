"""POST /api/v1/exports: a report file asked for by a program, followed at its Location
until done, downloaded with the same token; wrong reports, formats and filters are 422
problems that make nothing; another person's export is as if missing."""

import csv
import hashlib
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Job, ReportExport

from ..api.test_api import token_for
from .test_report_jobs import DIRECTIVE, scene  # noqa: F401  the scene fixture


def test_a_program_asks_follows_and_downloads(client, scene):  # noqa: F811
    headers = token_for(client, scene["auditor"])
    asked = client.post(
        "/api/v1/exports",
        json={"report": "tasks", "format": "xlsx", "filters": {"directive": DIRECTIVE}},
        headers=headers,
    )
    assert asked.status_code == 202
    location = asked.headers["Location"]
    assert location.startswith("/api/v1/exports/")
    state = client.get(location, headers=headers).json
    assert state["status"] == "done" and state["progress"] == 1
    assert state["filters"]["directive"] == DIRECTIVE
    file = client.get(state["file"], headers=headers)
    assert file.status_code == 200
    assert hashlib.sha256(file.data).hexdigest() == state["sha256"]
    codes = [
        row[1]
        for row in load_workbook(io.BytesIO(file.data))["Tasks"].iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert sorted(codes) == ["NV 01", "NV 02", "NV 03"]
    # The same question again: the same file, no new job.
    again = client.post(
        "/api/v1/exports",
        json={"report": "tasks", "format": "xlsx", "filters": {"directive": DIRECTIVE}},
        headers=headers,
    )
    assert again.headers["Location"] == location
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_the_csv_of_the_task_list_lists_the_tasks(client, scene):  # noqa: F811
    headers = token_for(client, scene["supervisor"])
    asked = client.post(
        "/api/v1/exports",
        json={"report": "tasks", "format": "csv", "filters": {"directive": DIRECTIVE}},
        headers=headers,
    )
    file = client.get(
        client.get(asked.headers["Location"], headers=headers).json["file"], headers=headers
    )
    rows = list(csv.reader(io.StringIO(file.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["directive", "task_code"]
    assert sorted(row[1] for row in rows[1:]) == ["NV 01", "NV 02", "NV 03"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"report": "everything", "format": "xlsx"}, "report"),
        ({"report": "tasks", "format": "docx"}, "format"),
        ({"report": "tasks", "format": "pdf", "filters": {"colour": "đỏ"}}, "filters.colour"),
        ({"report": "tasks", "format": "pdf", "filters": {"as_of": 2026}}, "filters.as_of"),
        ({"report": "tasks", "format": "pdf", "filters": {"as_of": "31/02/2026"}}, "as_of"),
        ({"report": "period", "format": "pdf", "filters": {"period": "2026-Q5"}}, "period"),
        ({"report": "league", "format": "csv", "filters": {"sort": "xếp hạng"}}, "sort"),
        ({"report": "tasks", "format": "pdf", "extra": 1}, "extra"),
    ],
    ids=["report", "format", "unknown-filter", "number", "day", "period", "sort", "extra"],
)
def test_a_wrong_question_is_a_422_that_makes_nothing(client, scene, body, field):  # noqa: F811
    headers = token_for(client, scene["auditor"])
    answer = client.post("/api/v1/exports", json=body, headers=headers)
    assert answer.status_code == 422
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert field in answer.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_exports_are_for_reporters_and_each_sees_their_own(client, scene, make):  # noqa: F811
    officer = make.user("officer", scene["unit"], name="Võ Thị Ơn")
    refused = client.post(
        "/api/v1/exports",
        json={"report": "tasks", "format": "pdf"},
        headers=token_for(client, officer),
    )
    assert refused.status_code == 403
    location = client.post(
        "/api/v1/exports",
        json={"report": "board", "format": "pdf"},
        headers=token_for(client, scene["auditor"]),
    ).headers["Location"]
    other = token_for(client, scene["supervisor"])
    assert client.get(location, headers=other).status_code == 404
    assert client.get(location + "/file", headers=other).status_code == 404
    assert client.get(location, headers=token_for(client, scene["admin"])).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ReportExport)) == 1
