"""People are told: an urging notice, a send-back, an extension decision, an answer to a
difficulty, an assignment, a task given to a unit and an administrator's deadline change
each notify the people
concerned (never the one who acted), in the same transaction as the change; the bell counts
what is unread, opening one marks it read; `notifications send` mails each once, in the
recipient's language, and a mail server that is down loses nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import Notification, StatusUpdate
from tracker.models.notification import MAIL_PENDING, MAIL_SENT, MAIL_SKIPPED
from tracker.work import comments, notifications, tasks, urging
from tracker.work import deadline_extensions as extensions

from ..conftest import login
from ..histories import values_of
from ..reporting.test_query_counts import counted_statements
from ..served import free_port
from .test_reminders import point_mail_at, smtp_server

DAY = timedelta(days=1)


@pytest.fixture
def scene(make, org, today):
    department = org["department"]
    people = {
        "owner": make.user(
            "officer",
            department,
            username="chuyen.vien",
            name="Nguyễn Thị Hương",
            email="huong@vu.gov.vn",
            language="vi",
        ),
        "leader": make.user(
            "unit_leader",
            department,
            username="lanh.dao",
            name="Trần Văn Đức",
            email="duc@vu.gov.vn",
            language="en",
        ),
        "supervisor": make.user("supervisor", org["ministry"], name="Lê Minh Ưng"),
        "admin": make.user("admin", org["ministry"]),
    }
    task = make.task(
        department,
        code="NV 01/QĐ",
        deadline=today - 3 * DAY,
        owner=people["owner"],
        status=lifecycle.IN_PROGRESS,
    )
    db.session.execute(db.delete(Notification))  # the factory's assignment, told already
    db.session.commit()
    return {**people, "task": task}


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message) -> str:
    return message.get_payload(decode=True).decode("utf-8")


def told(kind: str) -> dict[str, str]:
    """Who was told of `kind`: username → what it says in English."""
    rows = db.session.scalars(select(Notification).where(Notification.kind == kind)).all()
    return {n.recipient.username: str(notifications.text_of(n)) for n in rows}


def test_an_urging_notice_tells_the_owner_and_the_unit_leaders(scene):
    urging.issue_notice(scene["supervisor"], scene["task"], "Nộp báo cáo trước thứ Sáu.")
    said = told("urging.issued")
    assert set(said) == {"chuyen.vien", "lanh.dao"}  # not the supervisor who issued it
    assert said["lanh.dao"] == (
        f"Urging notice {scene['task'].urging_notices[0].number} on task NV 01/QĐ: "
        "Nộp báo cáo trước thứ Sáu."
    )


def test_send_back_extension_answer_assignment_and_deadline_change(scene, make, org, today):
    task, owner, leader, supervisor, admin = (
        scene[k] for k in ("task", "owner", "leader", "supervisor", "admin")
    )
    tasks.report_progress(
        leader, task, task.version, lifecycle.SUBMITTED, 100, "Xong.", "https://vu.gov.vn/bc"
    )
    tasks.report_progress(
        supervisor, task, task.version, lifecycle.IN_PROGRESS, 100, "Thiếu phụ lục số liệu."
    )
    sent_back = "Task NV 01/QĐ was sent back: Thiếu phụ lục số liệu."
    assert told("task.sent_back") == {"chuyen.vien": sent_back, "lanh.dao": sent_back}

    request = extensions.request_extension(leader, task, today + 30 * DAY, "Chờ số liệu.")
    extensions.decide_extension(supervisor, request, False, "Không đủ căn cứ.")
    rejected = told("extension.rejected")
    assert set(rejected) == {"lanh.dao", "chuyen.vien"}
    assert rejected["lanh.dao"] == (
        f"Extension of task NV 01/QĐ to {today + 30 * DAY:%d/%m/%Y} rejected: Không đủ căn cứ."
    )

    obstacle = comments.post_comment(owner, task, "Thiếu kinh phí.", "obstacle")
    comments.answer_obstacle(supervisor, obstacle, "Đã đề nghị bổ sung.")
    assert told("obstacle.answered") == {
        "chuyen.vien": "Your difficulty on task NV 01/QĐ was answered: Đã đề nghị bổ sung."
    }

    db.session.refresh(task)
    moved = today + 60 * DAY
    values = values_of(task, deadline=moved)
    tasks.edit_task(admin, task, task.version, values)
    db.session.commit()
    assert set(told("deadline.changed")) == {"chuyen.vien", "lanh.dao"}

    newcomer = make.user("officer", org["department"], username="can.bo.moi")
    make.task(org["department"], code="NV 02", owner=newcomer, deadline=moved)
    assert told("task.assigned") == {
        "can.bo.moi": f"Task NV 02 was assigned to you (deadline {moved:%d/%m/%Y})."
    }


def test_a_task_given_to_a_unit_tells_its_leaders_who_give_it_to_someone(scene, make, org, today):
    """Created without an owner (most are), a task tells the lead unit's leaders; created
    with a leader as its owner, that leader is told once, that it is theirs; moved to
    another lead unit, it tells that unit's leaders and not the old ones."""
    admin, department, institute = scene["admin"], org["department"], org["institute"]
    make.user("unit_leader", department, username="pho.vu.truong", name="Đỗ Thị Ơn")
    make.user("unit_leader", department, username="nghi.huu", active=False)
    make.user("unit_leader", institute, username="vien.truong", name="Phạm Ưng")
    deadline = today + 30 * DAY

    def create(code: str, owner=None):
        values = tasks.TaskValues(
            code=code,
            title="Số hóa hồ sơ lưu trữ",
            directive=scene["task"].directive,
            lead_unit=department,
            deadline=deadline,
            owner=owner,
        )
        return tasks.create_task(admin, values)

    task = create("NV 05/Đ")
    given = f"Task NV 05/Đ was given to your unit DEP (deadline {deadline:%d/%m/%Y})."
    assert told("task.given_to_unit") == {"lanh.dao": given, "pho.vu.truong": given}
    assert told("task.assigned") == {}

    db.session.execute(db.delete(Notification))
    create("NV 06/Đ", owner=scene["leader"])
    assert set(told("task.assigned")) == {"lanh.dao"}
    assert set(told("task.given_to_unit")) == {"pho.vu.truong"}

    db.session.execute(db.delete(Notification))
    tasks.edit_task(admin, task, task.version, values_of(task, lead_unit=institute))
    db.session.commit()
    assert told("task.given_to_unit") == {
        "vien.truong": f"Task NV 05/Đ was given to your unit INS (deadline {deadline:%d/%m/%Y})."
    }
    # An edit that keeps the lead unit tells no one that the unit has it.
    db.session.execute(db.delete(Notification))
    tasks.edit_task(admin, task, task.version, values_of(task, title="Số hóa toàn bộ hồ sơ"))
    db.session.commit()
    assert told("task.given_to_unit") == {}


def test_the_person_a_task_is_taken_from_is_told_and_the_history_says_it(scene, make, org):
    """Given to someone else (by the unit's leader, or an admin's edit) or taken back, a
    task tells the person who had it, and its history names who has it now."""
    task, leader, admin = (scene[k] for k in ("task", "leader", "admin"))
    department = org["department"]
    tu = make.user("officer", department, username="ng.tu", name="Ngô Văn Tư", language="vi")
    tasks.give_to(leader, task, task.version, tu)
    assert told("task.taken_from_you") == {
        "chuyen.vien": "Task NV 01/QĐ is no longer given to you."
    }
    assert set(told("task.assigned")) == {"ng.tu"}

    db.session.execute(db.delete(Notification))
    tasks.give_to(leader, task, task.version, None)
    assert told("task.taken_from_you") == {"ng.tu": "Task NV 01/QĐ is no longer given to you."}
    assert told("task.assigned") == {}

    db.session.execute(db.delete(Notification))
    tasks.edit_task(admin, task, task.version, values_of(task, owner=scene["owner"]))
    db.session.commit()
    tasks.edit_task(admin, task, task.version, values_of(task, owner=tu))
    db.session.commit()
    assert told("task.taken_from_you") == {
        "chuyen.vien": "Task NV 01/QĐ is no longer given to you."
    }
    history = db.session.scalars(
        select(StatusUpdate).where(StatusUpdate.task_id == task.id).order_by(StatusUpdate.id)
    ).all()
    assert [str(entry.system_note) for entry in history[-4:]] == [
        "Given to Ngô Văn Tư.",
        "Taken back from Ngô Văn Tư: given to no one.",
        "Given to Nguyễn Thị Hương.",
        "Given to Ngô Văn Tư.",
    ]


def test_the_bell_counts_and_opening_marks_read(client, scene, make, org):
    urging.issue_notice(scene["supervisor"], scene["task"], "Khẩn trương hoàn thành.")
    login(client, scene["owner"])  # reads Vietnamese
    page = client.get("/my-unit").text
    assert 'class="count" aria-label="1 chưa đọc">1</span>' in page
    listing = client.get("/notifications").text
    assert "Văn bản đôn đốc số" in listing and "về nhiệm vụ NV 01/QĐ" in listing
    mine = db.session.scalar(
        select(Notification).where(Notification.recipient_id == scene["owner"].id)
    )
    opened = client.post(f"/notifications/{mine.id}/open")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/tasks/{scene['task'].id}")
    assert 'class="count"' not in client.get("/my-unit").text

    login(client, scene["leader"])  # another person's notification is not theirs to open
    assert client.post(f"/notifications/{mine.id}/open").status_code == 404
    assert client.post("/notifications/read").status_code == 302
    assert 'class="count"' not in client.get("/notifications").text


def test_the_bell_is_counted_with_the_session_on_a_page_and_again_after_a_form(client, scene):
    """A page reads the bell's count in the statement that reads the session (no statement
    of its own); a form shown again after a POST counts again, as the database holds it."""
    for note in ("Khẩn trương hoàn thành.", "Báo cáo trước thứ Sáu."):
        urging.issue_notice(scene["supervisor"], scene["task"], note)
    login(client, scene["owner"])
    with counted_statements() as statements:
        page = client.get("/my-unit").text
    assert 'aria-label="2 chưa đọc">2</span>' in page
    bell_counts = [
        s
        for s in statements
        if s.lstrip().upper().startswith("SELECT COUNT") and "notification" in s
    ]
    assert bell_counts == [], statements
    task = scene["task"]
    refused = client.post(  # a percent out of range: the form again, with its bell
        f"/tasks/{task.id}/progress",
        data={"status": task.status, "percent_done": "150", "version": task.version},
    )
    assert refused.status_code == 422
    assert 'aria-label="2 chưa đọc">2</span>' in refused.text


def test_mail_waits_for_a_server_that_is_down_and_goes_once(app, data_app, monkeypatch, scene):
    scene["supervisor"].email_notifications = True
    urging.issue_notice(scene["supervisor"], scene["task"], "Khẩn trương hoàn thành.")
    pending = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.mail_state == MAIL_PENDING)
    )
    assert pending == 2

    point_mail_at(monkeypatch, (app, data_app), free_port(), timeout=2)  # nobody listens
    run = notifications.send_pending()
    assert run.sent == 0 and len(run.failed) == 1
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.mail_state == MAIL_PENDING)
        )
        == 2
    )

    with smtp_server(monkeypatch, (app, data_app)) as inbox:
        assert notifications.send_pending().sent == 2
        assert notifications.send_pending().sent == 0  # once
    (to_owner,) = inbox.to("huong@vu.gov.vn")
    assert subject(to_owner).startswith("[Theo dõi thực hiện chỉ đạo] Văn bản đôn đốc số")
    assert "Kính gửi Nguyễn Thị Hương" in body(to_owner)
    (to_leader,) = inbox.to("duc@vu.gov.vn")
    assert subject(to_leader).startswith("[Directive Tracker] Urging notice")
    assert f"/tasks/{scene['task'].id}" in body(to_leader)
    db.session.expire_all()
    states = db.session.scalars(select(Notification.mail_state)).all()
    assert states == [MAIL_SENT, MAIL_SENT]


def test_no_mail_for_those_who_turned_it_off(client, scene):
    login(client, scene["owner"])
    client.post("/reminders", data={"daily_digest": "", "email_notifications": ""})
    db.session.expire_all()
    assert scene["owner"].email_notifications is False
    urging.issue_notice(scene["supervisor"], scene["task"], "Khẩn trương.")
    states = dict(
        db.session.execute(select(Notification.recipient_id, Notification.mail_state)).all()
    )
    assert states[scene["owner"].id] == MAIL_SKIPPED  # still on the bell, not mailed
    assert states[scene["leader"].id] == MAIL_PENDING


def test_a_supervisor_verifies_or_sends_back_with_buttons(client, scene):
    task, leader, supervisor = scene["task"], scene["leader"], scene["supervisor"]
    tasks.report_progress(
        leader, task, task.version, lifecycle.SUBMITTED, 100, "Xong.", "https://vu.gov.vn/bc"
    )
    login(client, supervisor)
    page = client.get(f"/tasks/{task.id}").text
    assert 'name="verdict" value="verify"' in page and 'name="verdict" value="send_back"' in page
    version = str(task.version)
    refused = client.post(
        f"/tasks/{task.id}/verification", data={"verdict": "send_back", "version": version}
    )
    assert refused.status_code == 422  # a send-back needs a note; nothing changed
    db.session.refresh(task)
    assert task.status == lifecycle.SUBMITTED
    sent = client.post(
        f"/tasks/{task.id}/verification",
        data={"verdict": "send_back", "version": version, "note": "Thiếu phụ lục."},
    )
    assert sent.status_code == 302
    db.session.refresh(task)
    assert task.status == lifecycle.IN_PROGRESS
    assert "chuyen.vien" in told("task.sent_back")

    tasks.report_progress(leader, task, task.version, lifecycle.SUBMITTED, 100, "Đã bổ sung.")
    verified = client.post(
        f"/tasks/{task.id}/verification", data={"verdict": "verify", "version": str(task.version)}
    )
    assert verified.status_code == 302
    db.session.refresh(task)
    assert task.status == lifecycle.COMPLETED
    login(client, leader)  # a unit leader has no such buttons
    assert 'name="verdict"' not in client.get(f"/tasks/{task.id}").text
    assert (
        client.post(f"/tasks/{task.id}/verification", data={"verdict": "verify"}).status_code == 403
    )


def test_an_imports_mail_links_to_the_units_tasks(app, data_app, monkeypatch, scene):
    """The mail of what an import gave a unit leads where opening it on the bell does."""
    tasks.tell_lead_units_of_import(scene["admin"], [scene["task"]])
    db.session.commit()
    with smtp_server(monkeypatch, (app, data_app)) as inbox:
        assert notifications.send_pending().sent == 1
    (to_leader,) = inbox.to("duc@vu.gov.vn")
    assert " ".join(subject(to_leader).split()) == (
        "[Directive Tracker] An import gave your unit DEP new tasks of"
        f" {scene['task'].directive.code}: 1."
    )
    assert re.search(r"^https?://\S+/my-unit\?unassigned=1\r?$", body(to_leader), re.M)
