"""Urging notices: numbered per year, only on overdue tasks, by a supervisor over the unit;
listed on the task, in its history, on the board and in the CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tracker.domain.errors import Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import UrgingNotice
from tracker.work import urging

from ..api.test_api import assert_problem, token_for
from ..conftest import login


@pytest.fixture
def scene(make, org, today):
    supervisor = make.user("supervisor", org["department"])
    overdue = make.task(org["institute"], deadline=today - timedelta(days=3), code="CL-02")
    on_time = make.task(org["institute"], deadline=today + timedelta(days=3), code="CL-03")
    return supervisor, overdue, on_time


def test_notices_are_numbered_per_year(scene, today):
    supervisor, overdue, _ = scene
    db.session.add(UrgingNotice(task_id=overdue.id, year=today.year, sequence=41, text="old"))
    db.session.add(UrgingNotice(task_id=overdue.id, year=today.year - 1, sequence=99, text="x"))
    db.session.commit()
    notice = urging.issue_notice(supervisor, overdue, "Report the decree by Friday.")
    assert notice.number == f"{today.year}/0042"
    again = urging.issue_notice(supervisor, overdue, "Second notice.")
    assert again.number == f"{today.year}/0043"
    assert any(str(u.system_note) == f"Urging notice {today.year}/0042:" for u in overdue.updates)


def test_only_overdue_tasks_and_only_supervisors(make, org, scene):
    supervisor, overdue, on_time = scene
    with pytest.raises(Forbidden):
        urging.issue_notice(supervisor, on_time, "Too early")
    for outsider in (
        make.user("unit_leader", org["institute"]),
        make.user("auditor", org["ministry"]),
        make.user("supervisor", org["other"]),
    ):
        with pytest.raises(Forbidden):
            urging.issue_notice(outsider, overdue, "x")
    with pytest.raises(InvalidInput, match="Write the notice"):
        urging.issue_notice(supervisor, overdue, "  ")
    assert db.session.scalar(select(func.count(UrgingNotice.id))) == 0


def test_notice_through_the_screens_and_in_reports(client, make, org, scene, today):
    supervisor, overdue, _ = scene
    login(client, supervisor)
    assert "Issue an urging notice" in client.get(f"/tasks/{overdue.id}").text
    response = client.post(f"/tasks/{overdue.id}/urging", data={"text": "Finish the scheme."})
    assert response.status_code == 302
    number = f"{today.year}/0001"
    page = client.get(f"/tasks/{overdue.id}").text
    assert f"No. {number}" in page and "Finish the scheme." in page
    board = client.get("/board").text
    assert f"last {number}" in board
    login(client, make.user("auditor", org["ministry"]))
    rows = list(csv.reader(io.StringIO(client.get("/reports/tasks.csv").data.decode("utf-8-sig"))))
    column = rows[0].index("urging_notices")
    assert {row[1]: row[column] for row in rows[1:]} == {"CL-02": number, "CL-03": ""}


def test_notice_through_the_api(client, scene, today):
    supervisor, overdue, on_time = scene
    headers = token_for(client, supervisor)
    response = client.post(
        f"/api/v1/tasks/{overdue.id}/urging", headers=headers, json={"text": "Deliver now."}
    )
    assert response.status_code == 201 and response.json["number"] == f"{today.year}/0001"
    assert_problem(
        client.post(f"/api/v1/tasks/{on_time.id}/urging", headers=headers, json={"text": "x"}), 403
    )
    listing = client.get(f"/api/v1/tasks/{overdue.id}/urging", headers=headers).json
    assert [n["text"] for n in listing["items"]] == ["Deliver now."]
    assert (listing["total"], listing["page"]) == (1, 1)
    past_the_end = client.get(f"/api/v1/tasks/{overdue.id}/urging?page=2", headers=headers)
    assert (past_the_end.json["items"], past_the_end.json["total"]) == ([], 1)
