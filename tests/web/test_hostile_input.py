"""Hostile input, the probe's findings kept closed: codes and names are one line of
printable text whatever path writes them, and one bad row never stops the reminders."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from tracker.domain.errors import InvalidInput
from tracker.extensions import db
from tracker.models import Task, Unit
from tracker.work.reminders import send_reminders

from ..api.test_api import token_for
from ..conftest import login
from ..work.test_reminders import inbox, people  # noqa: F401  the SMTP server and its people

HEADER_INJECTION = "NL-1\r\nBcc: attacker@evil.example"


@pytest.mark.parametrize(
    "code", [HEADER_INJECTION, "NV\x0001", "NV\u202e10", "NV\u2028 01", "x" * 61]
)
def test_the_api_refuses_a_task_code_that_is_not_one_printable_line(client, make, org, code):
    directive = make.directive("2795/QĐ-BCT")
    supervisor = make.user("supervisor", org["ministry"])
    response = client.post(
        "/api/v1/tasks",
        json={
            "directive": directive.code,
            "code": code,
            "title": "Nhiệm vụ",
            "lead_unit": "DEP",
            "deadline": "2027-06-30",
        },
        headers=token_for(client, supervisor),
    )
    assert response.status_code in (400, 422)  # NUL is refused before the body is read
    if response.status_code == 422:
        assert "code" in response.json["errors"]
    assert db.session.scalar(select(func.count(Task.id))) == 0


def test_every_path_meets_the_same_rule(make, org, client):
    """The rule sits on the models: the import and the command line cannot skip it."""
    with pytest.raises(InvalidInput):
        make.unit("BỘ\nCT")
    db.session.rollback()
    with pytest.raises(InvalidInput):
        make.task(org["department"], code=HEADER_INJECTION)
    db.session.rollback()
    admin = make.user("admin", org["ministry"])
    directive = make.directive("01-KH/BCĐTW")
    csv_file = (
        "directive,task_code,title,lead_unit,deadline\n"
        f'{directive.code},"NL-1\nBcc: attacker@evil.example",Nhiệm vụ,DEP,2027-06-30\n'
    )
    login(client, admin)
    response = client.post(
        "/admin/import",
        data={"file": (io.BytesIO(csv_file.encode()), "nhap.csv"), "apply": "1"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Problems: nothing was written" in response.text
    assert db.session.scalar(select(func.count(Task.id))) == 0
    assert db.session.scalar(select(func.count(Unit.id))) == 4  # the org fixture's


def test_one_bad_row_never_stops_the_reminders(app, inbox, make, org, people, today):  # noqa: F811
    """A task code with a line break, written before the rule existed (straight into the
    table), fails alone; the other tasks are reminded."""
    bad = make.task(org["institute"], deadline=today + 7 * timedelta(days=1), code="CŨ-01")
    make.task(org["institute"], deadline=today + 7 * timedelta(days=1), code="MỚI-02")
    db.session.execute(
        text("UPDATE task SET code = :code WHERE id = :id"),
        {"code": HEADER_INJECTION, "id": bad.id},
    )
    db.session.commit()
    report = send_reminders(today)
    assert len(report.failed) == 1 and "NL-1" in report.failed[0]
    assert report.sent == 1
    assert all("evil" not in str(m) for _, m in inbox.messages)


def test_days_out_of_the_trackers_years_are_refused_everywhere(client, make, org):
    """9999-12-31 as a deadline once broke the timeline and calendar feeds for everyone;
    now no path takes a day outside 1990–2100."""
    supervisor = make.user("supervisor", org["ministry"])
    leader = make.user("unit_leader", org["department"])
    task = make.task(org["department"], code="NV 09")
    headers = token_for(client, supervisor)
    created = client.post(
        "/api/v1/tasks",
        json={
            "directive": task.directive.code,
            "code": "NV 10",
            "title": "Nhiệm vụ",
            "lead_unit": "DEP",
            "deadline": "9999-12-31",
        },
        headers=headers,
    )
    assert created.status_code == 422 and "deadline" in created.json["errors"]
    assert client.get("/api/v1/tasks?as_of=9999-12-31", headers=headers).status_code == 422
    login(client, leader)
    asked = client.post(
        f"/tasks/{task.id}/extensions", data={"deadline": "31/12/9999", "reason": "Chờ."}
    )
    assert asked.status_code == 422
    assert client.get("/tasks?as_of=01/01/0001").status_code == 422
    assert client.get(f"/directives/{task.directive_id}/timeline").status_code == 200


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/tasks?page=" + "9" * 30, 200),
        ("/board?page=" + "9" * 30, 200),
        ("/audit?page=" + "9" * 30, 200),
        ("/api/v1/tasks?page=" + "9" * 30, 422),
        ("/api/v1/tasks?page=２", 422),
        ("/audit?object_id=²", 422),
        ("/audit?object_id=" + "1" * 30, 422),
        ("/api/v1/tasks/１２", 404),
        ("/tasks/١٢", 404),
    ],
)
def test_numbers_in_paths_and_queries_are_ascii_digits_within_range(
    client, make, org, path, expected
):
    admin = make.user("admin", org["ministry"])
    make.task(org["department"], code="NV 12")
    login(client, admin)
    headers = token_for(client, admin) if path.startswith("/api/") else {}
    assert client.get(path, headers=headers).status_code == expected


def test_small_truths_of_the_probe(client, make, org):
    """The task CSV names its charset once, and a user's own choice is audited as a user."""
    from tracker.models import AuditEvent

    auditor = make.user("auditor", org["ministry"])
    login(client, auditor)
    assert client.get("/reports/tasks.csv").headers["Content-Type"] == "text/csv; charset=utf-8"
    assert client.get("/audit.csv").headers["Content-Type"] == "text/csv; charset=utf-8"
    client.post("/reminders", data={"daily_digest": "y", "email_notifications": "y"})
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.object_type) == ("user.mail_choices", "user")


def test_bodies_that_once_answered_500(client, make, org, today):
    """JSON nested 100,000 deep (no login needed), a parent id past any column, a unit
    named twice among coordinating units, NaN as an indicator's value: each a clear 4xx."""
    from decimal import Decimal

    from tracker.models import Target
    from tracker.org import directives

    deep = "[" * 100_000 + "]" * 100_000
    answer = client.post("/api/v1/tokens", data=deep, content_type="application/json")
    assert answer.status_code in (400, 422)
    supervisor = make.user("supervisor", org["ministry"])
    directive = make.directive("57-NQ/TW")
    headers = token_for(client, supervisor)
    body = {
        "directive": directive.code,
        "code": "NV 20",
        "title": "Nhiệm vụ",
        "lead_unit": "DEP",
        "deadline": "2027-06-30",
    }
    assert (
        client.post("/api/v1/tasks", json={**body, "parent": 10**30}, headers=headers).status_code
        == 422
    )
    twice = client.post(
        "/api/v1/tasks", json={**body, "coordinating_units": ["INS", "INS"]}, headers=headers
    )
    assert twice.status_code == 422 and "coordinating_units" in twice.json["errors"]
    target = Target(directive=directive, code="MT1", title="Chỉ tiêu")
    db.session.add(target)
    db.session.commit()
    with pytest.raises(InvalidInput):
        directives.record_target_value(supervisor, target, today, Decimal("NaN"), "")


def test_a_manifest_is_read_by_its_maker_admins_and_auditors_only(client, make, org):
    """Who exported what, with which filters, is not every supervisor's business."""
    from tracker.models import ReportExport

    maker = make.user("supervisor", org["ministry"])
    other = make.user("supervisor", org["other"])
    auditor = make.user("auditor", org["ministry"])
    login(client, maker)
    download = client.get("/reports/tasks.xlsx", follow_redirects=True)
    assert download.status_code == 200 and download.data  # the manifest follows the last byte
    export = db.session.scalar(select(ReportExport))
    own = download.headers["Link"].split(">")[0].lstrip("<")
    assert client.get(own).status_code == 200
    assert client.get(f"/exports/{export.id}/manifest.json").status_code == 200
    login(client, other)
    assert client.get(f"/exports/{export.id}/manifest.json").status_code == 403
    assert client.get(own).status_code == 404
    login(client, auditor)
    assert client.get(f"/exports/{export.id}/manifest.json").status_code == 200


def test_a_link_evidence_is_shown_not_redirected_to(client, make, org):
    from tracker.work.evidence import add_link

    leader = make.user("unit_leader", org["department"])
    task = make.task(org["department"], code="NV 30")
    link = add_link(task, leader, "https://lua-dao.example/dang-nhap")
    db.session.commit()
    login(client, leader)
    page = client.get(f"/evidence/{link.id}")
    assert page.status_code == 200 and "Location" not in page.headers
    assert (
        'href="https://lua-dao.example/dang-nhap" rel="noopener noreferrer nofollow"' in page.text
    )
