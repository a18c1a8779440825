"""Reminders by e-mail through a real local SMTP server (aiosmtpd): the right people, at
the right step, exactly once, and a missed day loses nothing."""

import email
from contextlib import contextmanager
from datetime import date, timedelta
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import ReminderSent
from tracker.work.reminders import due_steps, send_reminders

from ..conftest import login
from ..served import free_port

DAY = timedelta(days=1)


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  aiosmtpd's name
        message = email.message_from_bytes(envelope.content)
        self.messages.append((tuple(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        return [m for rcpts, m in self.messages if address in rcpts]

    def subjects(self, address):
        return sorted(m["Subject"] for m in self.to(address))


def point_mail_at(monkeypatch, apps, port: int, timeout: float = 30) -> None:
    """Both the app serving requests and the one the test code runs in send mail there."""
    for flask_app in apps:
        monkeypatch.setitem(flask_app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(flask_app.config, "MAIL_PORT", port)
        monkeypatch.setitem(flask_app.config, "MAIL_TIMEOUT", timeout)


@contextmanager
def smtp_server(monkeypatch, apps):
    """A real SMTP server on a free port for the block, the apps' mail pointed at it."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        point_mail_at(monkeypatch, apps, port)
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def inbox(app, data_app, monkeypatch):
    with smtp_server(monkeypatch, (app, data_app)) as handler:
        yield handler


@pytest.fixture
def people(make, org):
    return {
        "leader": make.user("unit_leader", org["institute"], email="leader@ins.gov.vn"),
        "owner": make.user("officer", org["institute"], email="owner@ins.gov.vn"),
        "supervisor": make.user("supervisor", org["ministry"], email="sup@min.gov.vn"),
        "outsider": make.user("supervisor", org["other"], email="sup@oth.gov.vn"),
    }


def test_steps():
    deadline = date(2026, 3, 31)
    assert due_steps(deadline, deadline - 8 * DAY, [7, 1], 14) == []
    assert due_steps(deadline, deadline - 7 * DAY, [7, 1], 14) == [("before-7", False)]
    # a missed run: both before-steps have come; only the nearest is mailed
    assert due_steps(deadline, deadline - DAY, [7, 1], 14) == [
        ("before-7", True),
        ("before-1", False),
    ]
    assert due_steps(deadline, deadline, [7, 1], 14) == [("before-7", True), ("before-1", False)]
    assert due_steps(deadline, deadline + DAY, [7, 1], 14) == [("overdue", False)]
    assert due_steps(deadline, deadline + 14 * DAY, [7, 1], 14) == [
        ("overdue", False),
        ("escalation-14", False),
    ]


def test_reminders_reach_the_right_people_exactly_once(app, inbox, make, org, people, today):
    task = make.task(
        org["institute"], deadline=today + 7 * DAY, owner=people["owner"], code="CL-04"
    )
    report = send_reminders(today)
    assert report.sent == 2 and not report.failed
    assert inbox.subjects("leader@ins.gov.vn") == [
        f"[Directive Tracker] CL-04 is due in 7 days ({task.deadline:%d/%m/%Y})"
    ]
    assert len(inbox.to("owner@ins.gov.vn")) == 1
    assert inbox.to("sup@min.gov.vn") == []
    body = inbox.to("owner@ins.gov.vn")[0].get_payload()
    assert f"/tasks/{task.id}" in body
    # running again the same day sends nothing
    again = send_reminders(today)
    assert again.sent == 0 and again.skipped == 2
    assert len(inbox.messages) == 2


def test_a_missed_day_loses_nothing_and_escalation_reaches_supervisors(
    inbox, make, org, people, today
):
    make.task(org["institute"], deadline=today - 20 * DAY, owner=people["owner"], code="CL-02")
    # the cron job did not run for three weeks: the overdue notice and the escalation go now
    report = send_reminders(today)
    assert report.sent == 3
    assert inbox.subjects("sup@min.gov.vn") == [
        "[Directive Tracker] Escalation: CL-02 is 20 days overdue"
    ]
    assert inbox.subjects("leader@ins.gov.vn") == [
        f"[Directive Tracker] CL-02 is overdue (deadline {today - 20 * DAY:%d/%m/%Y})"
    ]
    assert inbox.to("sup@oth.gov.vn") == []
    assert send_reminders(today + DAY).sent == 0


def test_only_open_tasks_and_extensions_rearm(inbox, make, org, people, today):
    make.task(
        org["institute"], deadline=today + DAY, status=lifecycle.COMPLETED, completed_on=today - DAY
    )
    make.task(org["institute"], deadline=today + DAY, status=lifecycle.CANCELLED)
    task = make.task(org["institute"], deadline=today + DAY, code="CL-10")
    assert send_reminders(today).sent == 1  # only CL-10, to the leader
    task.deadline = today + 7 * DAY  # extended: the reminders start again
    db.session.commit()
    assert send_reminders(today).sent == 1
    steps = db.session.scalars(select(ReminderSent.step).order_by(ReminderSent.id)).all()
    assert steps == ["before-7", "before-1", "before-7"]  # the first before-7 was superseded


def test_a_refused_message_is_retried_on_the_next_run(
    app, data_app, monkeypatch, make, org, people, today
):
    make.task(org["institute"], deadline=today - DAY, code="CL-11")
    point_mail_at(monkeypatch, (app, data_app), free_port(), timeout=2)  # nobody listens
    report = send_reminders(today)
    assert report.sent == 0 and len(report.failed) == 1
    assert db.session.scalar(select(func.count(ReminderSent.id))) == 0
    # the server is back: the same reminder goes out now
    with smtp_server(monkeypatch, (app, data_app)) as handler:
        assert send_reminders(today).sent == 1
        assert len(handler.to("leader@ins.gov.vn")) == 1


def test_cli_and_the_reminders_page(app, client, inbox, make, org, people, today):
    make.task(org["institute"], deadline=today + DAY, owner=people["owner"], code="CL-12")
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    second = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert "0 sent" in second.output and "already sent" in second.output
    login(client, people["owner"])
    page = client.get("/reminders").text
    assert "CL-12" in page and "owner@ins.gov.vn" in page
    login(client, people["outsider"])
    assert "CL-12" not in client.get("/reminders").text
    bad = app.test_cli_runner().invoke(args=["reminders", "send", "--date", "31/03"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_daily_digest_for_those_who_ask_once_a_day(app, client, inbox, make, org, people, today):
    make.task(org["institute"], deadline=today - 2 * DAY, code="CL-20")
    make.task(org["institute"], deadline=today + 3 * DAY, code="CL-21")
    make.task(org["institute"], deadline=today + 40 * DAY, code="CL-22")
    login(client, people["leader"])
    assert client.post("/reminders", data={"daily_digest": "y"}).status_code == 302
    result = app.test_cli_runner().invoke(args=["reminders", "digest"])
    assert result.exit_code == 0 and "1 sent" in result.output, result.output
    [message] = inbox.to("leader@ins.gov.vn")
    body = message.get_payload()
    assert "CL-20" in body and "2 days overdue" in body and "CL-21" in body
    assert "CL-22" not in body
    assert inbox.to("owner@ins.gov.vn") == []  # did not ask for it
    again = app.test_cli_runner().invoke(args=["reminders", "digest"])
    assert "0 sent, 1 already sent" in again.output
    # unticked: the browser sends the other fields but not the box
    assert client.post("/reminders", data={"csrf_token": "-"}).status_code == 302
    db.session.rollback()
    assert people["leader"].daily_digest is False


def test_each_person_is_written_to_in_their_language(app, inbox, make, org, people, today):
    people["owner"].language = "vi"
    db.session.commit()
    task = make.task(
        org["institute"], deadline=today + 7 * DAY, owner=people["owner"], code="CL-05"
    )
    send_reminders(today)
    subjects = [str(make_header(decode_header(s))) for s in inbox.subjects("owner@ins.gov.vn")]
    assert subjects == [f"[Theo dõi chỉ đạo] CL-05 đến hạn sau 7 ngày ({task.deadline:%d/%m/%Y})"]
    body = inbox.to("owner@ins.gov.vn")[0].get_payload(decode=True).decode("utf-8")
    assert "Trạng thái: Chưa thực hiện, đã làm 0%" in body
    assert inbox.subjects("leader@ins.gov.vn") == [
        f"[Directive Tracker] CL-05 is due in 7 days ({task.deadline:%d/%m/%Y})"
    ]
