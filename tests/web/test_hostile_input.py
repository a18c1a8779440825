"""Hostile input, the probe's findings kept closed: codes and names are one line of
printable text whatever path writes them, and one bad row never stops the reminders."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select, text
from werkzeug.datastructures import FileStorage

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


REVERSED = "Đã hoàn thành\u202e%001"  # shows as "Đã hoàn thành100%"


def test_what_people_write_cannot_reorder_or_hide_itself(client, make, org):
    """A note, a comment or a notice with a character that reverses the text's direction, or
    a control character, is refused under its field and saves nothing: on the page, in a PDF
    and in a spreadsheet it would read as something else than it is. Line breaks, tabs and
    what pasted text carries (joiners, soft hyphens, direction marks) are kept as written."""
    from tracker.models import Comment, StatusUpdate, UrgingNotice

    leader = make.user("unit_leader", org["department"])
    supervisor = make.user("supervisor", org["ministry"])
    task = make.task(org["department"], code="NV 40", deadline=date(2026, 1, 5))
    db.session.commit()
    headers = token_for(client, leader)
    entries = db.session.scalar(select(func.count(StatusUpdate.id)))
    for note in (REVERSED, "Đã xong\x1b[31m", "Đã xong\u2066 ẩn"):
        refused = client.patch(
            f"/api/v1/tasks/{task.id}",
            json={"version": task.version, "progress": 40, "note": note},
            headers=headers,
        )
        assert refused.status_code == 422, note
        assert "note" in refused.json["errors"]
    login(client, leader)
    comment = client.post(
        f"/tasks/{task.id}/comments",
        data={"kind": "comment", "body": REVERSED},
        headers={"Accept-Language": "vi"},
        follow_redirects=True,
    )
    assert comment.status_code == 422
    assert "không được chứa ký tự điều khiển hay ký tự đảo chiều văn bản" in comment.text
    # The character cannot be seen: the text comes back without it, and sent again as
    # shown, it is posted.
    assert "Các ký tự đó đã được bỏ khỏi nội dung ở trên" in comment.text
    shown = re.search(r'<textarea[^>]*name="body"[^>]*>\r?\n?([^<]*)</textarea>', comment.text)
    assert html.unescape(shown.group(1)) == "Đã hoàn thành%001"
    again = client.post(
        f"/tasks/{task.id}/comments",
        data={"kind": "comment", "body": html.unescape(shown.group(1))},
    )
    assert again.status_code == 302
    assert db.session.scalar(select(Comment.body)) == "Đã hoàn thành%001"
    db.session.execute(delete(Comment))
    db.session.commit()
    login(client, supervisor)
    notice = client.post(f"/tasks/{task.id}/urging", data={"text": REVERSED})
    assert notice.status_code == 422
    db.session.rollback()
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == entries
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    assert db.session.scalar(select(func.count(UrgingNotice.id))) == 0
    assert db.session.get(Task, task.id).percent_done == 0

    written = "Đã khảo sát xong.\n\tBước 2: đối chiếu 👩\u200d💻 số\u00adliệu\u200e"
    kept = client.patch(
        f"/api/v1/tasks/{task.id}",
        json={"version": task.version, "progress": 40, "note": written},
        headers=headers,
    )
    assert kept.status_code == 200, kept.json
    db.session.rollback()
    latest = db.session.scalars(select(StatusUpdate).order_by(StatusUpdate.id.desc())).first()
    assert latest.note == written


def test_a_file_name_that_reverses_itself_is_refused_by_every_path(make, org):
    """The rule is the models': an upload, an import or a command cannot skip it."""
    from tracker.models import Comment
    from tracker.work.evidence import add_file, files_kept_only_on_success

    leader = make.user("unit_leader", org["department"])
    task = make.task(org["department"], code="NV 41")
    upload = FileStorage(io.BytesIO(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"), "Báo cáo\u202excod.pdf")
    with pytest.raises(InvalidInput, match="File"), files_kept_only_on_success() as written:
        add_file(task, leader, upload, written)
    assert written == [] or not any(path.exists() for path in written)
    db.session.rollback()
    with pytest.raises(InvalidInput, match="Text"):
        Comment(task_id=task.id, author_id=leader.id, body="Ý kiến\x07")


def test_a_name_refused_for_an_unseen_character_comes_back_without_it(client, make, org):
    """A unit's name pasted with a zero-width space and a line break: refused under the
    field (a name is one line of printable text), shown back with the space gone and the
    line break a space; sent again as shown, it is saved."""
    login(client, make.user("admin", org["ministry"]))
    form = {"code": "VNCCK", "parent_id": str(org["ministry"].id)}
    page = client.post("/admin/units/new", data=form | {"name": "Viện Nghiên cứu\u200b\r\nCơ khí"})
    assert page.status_code == 422
    shown = re.search(r'<input[^>]*name="name"[^>]*value="([^"]*)"', page.text)
    assert html.unescape(shown.group(1)) == "Viện Nghiên cứu Cơ khí"
    assert "They are taken out of the text above" in page.text
    saved = client.post("/admin/units/new", data=form | {"name": html.unescape(shown.group(1))})
    assert saved.status_code == 302
    assert db.session.scalar(select(Unit.name).where(Unit.code == "VNCCK")) == (
        "Viện Nghiên cứu Cơ khí"
    )


def test_posts_whose_redirects_are_not_followed_do_not_grow_the_session(client, make, org):
    """A script posting the progress form again and again without following the redirects
    left every "saved" message in the session cookie: it grew with each post (a third of
    each request went on reading and writing it) and would pass the 4 KB a browser keeps.
    The session keeps the last five messages not yet shown, and the next page shows them."""
    leader = make.user("unit_leader", org["department"])
    task = make.task(org["department"], code="NV 50")
    login(client, leader)
    version = task.version
    for percent in range(1, 61):
        sent = client.post(
            f"/tasks/{task.id}/progress",
            data={"status": "in_progress", "percent_done": str(percent), "version": version},
        )
        assert sent.status_code == 302
        version += 1
    cookie = client.get_cookie("session")
    assert len(cookie.value) < 1500
    page = client.get(f"/tasks/{task.id}").text
    assert page.count(f"Progress on {task.code} saved.") == 5
    db.session.rollback()
    assert db.session.get(Task, task.id).percent_done == 60
