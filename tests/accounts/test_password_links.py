"""Forgotten passwords and invitations: a single-use link mailed (through a real SMTP
server) in the person's language, kept only as its SHA-256, working once and for a limited
time; setting the password ends every session, API token and calendar feed; the forgotten-
password page answers the same whether or not the account exists, and is throttled."""

import hashlib
import re
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.infra import clock
from tracker.models import AccountLink, AuditEvent, User
from tracker.work import calendar

from ..api.test_api import PASSWORD, token_for
from ..conftest import login
from ..work.test_reminders import smtp_server

NEW_PASSWORD = "Mật khẩu mới của chị Hương 2026"


@pytest.fixture
def inbox(app, data_app, monkeypatch):
    with smtp_server(monkeypatch, (app, data_app)) as handler:
        yield handler


@pytest.fixture
def huong(make, org):
    return make.user(
        "unit_leader",
        org["department"],
        username="đặng.thị.hương",
        name="Đặng Thị Hương",
        email="huong.dt@mof.gov.vn",
        language="vi",
    )


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body_of(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset())


def link_in(message) -> str:
    return re.search(r"https?://\S+/password/reset/(\S+)", body_of(message)).group(1)


def ask(client, identifier: str):
    return client.post("/password/forgot", data={"identifier": identifier})


def answer_text(response) -> str:
    """What the person reads on the page (the main section, without the page's chrome)."""
    return re.search(r"<main.*?</main>", response.text, re.S).group(0)


def test_the_answer_is_the_same_for_an_account_and_for_nobody(client, huong, inbox):
    known = ask(client, "ĐẶNG.THỊ.HƯƠNG")
    unknown = ask(client, "nguyễn.văn.không.có")
    by_mail = ask(client, "Huong.DT@mof.gov.vn")
    assert known.status_code == unknown.status_code == by_mail.status_code == 200
    assert answer_text(known) == answer_text(unknown) == answer_text(by_mail)
    # Two mails (by username, by address), none for nobody; in her language.
    mails = inbox.to("huong.dt@mof.gov.vn")
    assert len(inbox.messages) == 2 and len(mails) == 2
    assert subject_of(mails[0]) == "Đặt mật khẩu mới cho hệ thống Theo dõi thực hiện chỉ đạo"
    assert "đặng.thị.hương" in body_of(mails[0]) and "30 phút" in body_of(mails[0])


def test_only_the_links_digest_is_kept_and_a_newer_link_ends_the_older(client, huong, inbox):
    ask(client, "đặng.thị.hương")
    ask(client, "đặng.thị.hương")
    first, second = (link_in(message) for message in inbox.to("huong.dt@mof.gov.vn"))
    links = db.session.scalars(select(AccountLink).order_by(AccountLink.id)).all()
    assert [link.token_hash for link in links] == [
        hashlib.sha256(token.encode()).hexdigest() for token in (first, second)
    ]
    assert links[0].used_at is not None and links[1].used_at is None
    assert client.get(f"/password/reset/{first}").status_code == 404
    assert client.get(f"/password/reset/{second}").status_code == 200


def test_the_link_sets_the_password_once_and_ends_every_way_in(
    app, client, huong, inbox, make, org
):
    browser = app.test_client()
    login(browser, huong)
    assert browser.get("/my-unit").status_code == 200
    api = token_for(app.test_client(), huong)
    feed = calendar.create_feed(huong, "unit")
    assert app.test_client().get(f"/calendar/{feed}.ics").status_code == 200

    ask(client, "đặng.thị.hương")
    token = link_in(inbox.to("huong.dt@mof.gov.vn")[0])
    page = client.get(f"/password/reset/{token}", headers={"Accept-Language": "vi"})
    assert page.status_code == 200 and "Chọn mật khẩu mới" in page.text
    short = client.post(f"/password/reset/{token}", data={"password": "ngắn", "confirm": "ngắn"})
    assert short.status_code == 422
    differ = client.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"}
    )
    assert differ.status_code == 422
    done = client.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done.location.endswith("/login")

    assert browser.get("/my-unit").status_code == 302  # the old session is over
    assert client.get("/api/v1/tasks", headers=api).status_code == 401
    assert app.test_client().get(f"/calendar/{feed}.ics").status_code == 404
    again = client.get(f"/password/reset/{token}")
    assert again.status_code == 404 and "no longer works" in again.text
    signed_in = app.test_client().post(
        "/login", data={"username": "đặng.thị.hương", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    old = app.test_client().post(
        "/login", data={"username": "đặng.thị.hương", "password": PASSWORD}
    )
    assert old.status_code == 401
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "user.password_reset_requested" in actions and "user.password_reset" in actions


def test_a_link_expires_after_thirty_minutes(client, huong, inbox, time_machine):
    start = clock.now()
    time_machine.move_to(start, tick=False)
    ask(client, "đặng.thị.hương")
    token = link_in(inbox.to("huong.dt@mof.gov.vn")[0])
    time_machine.move_to(start + timedelta(minutes=29))
    assert client.get(f"/password/reset/{token}").status_code == 200
    time_machine.move_to(start + timedelta(minutes=31))
    assert client.get(f"/password/reset/{token}").status_code == 404
    refused = client.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert refused.status_code == 404
    assert db.session.get(User, huong.id).password_hash == huong.password_hash


def test_requests_are_throttled_per_account_and_per_address(app, client, huong, inbox, monkeypatch):
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_ADDRESS", "7 per 15 minutes")
    for _ in range(3):
        assert ask(client, "đặng.thị.hương").status_code == 200
    refused = ask(client, "Đặng.Thị.Hương")  # the same account in other letters
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert len(inbox.messages) == 3
    for _ in range(3):  # nobody's account is counted the same way: no tell
        ask(client, "không.ai.cả")
    assert ask(client, "không.ai.cả").status_code == 429
    # Six requests counted from this address (the refused ones are not).
    assert ask(client, "một.người.khác").status_code == 200
    assert ask(client, "người.thứ.hai").status_code == 429  # the address's eighth


def test_a_deactivated_account_or_one_without_mail_gets_nothing(client, make, org, inbox):
    make.user("officer", org["department"], username="trần.văn.đức", email="duc@mof.gov.vn")
    gone = make.user("officer", org["department"], username="lê.văn.cũ", email="cu@mof.gov.vn")
    gone.active = False
    db.session.commit()
    make.user("officer", org["department"], username="không.thư", email=None)
    for name in ("lê.văn.cũ", "không.thư"):
        assert ask(client, name).status_code == 200
    assert inbox.messages == []
    assert db.session.scalar(select(func.count(AccountLink.id))) == 0
    assert ask(client, "").status_code == 422  # nothing typed: said on the form


def test_an_admin_invites_a_new_user_who_chooses_their_password(
    app, client, make, org, inbox, time_machine
):
    admin = make.user("admin", org["ministry"])
    login(client, admin)
    start = clock.now()
    time_machine.move_to(start, tick=False)
    form = {
        "username": "pham.minh.duc",
        "name": "Phạm Minh Đức",
        "email": "duc.pm@mof.gov.vn",
        "role": "officer",
        "unit_id": org["department"].id,
        "active": "y",
        "invite": "y",
    }
    without_mail = client.post("/admin/users/new", data={**form, "email": ""})
    assert without_mail.status_code == 422 and "e-mail" in without_mail.text
    assert db.session.scalar(select(User).where(User.username == "pham.minh.duc")) is None
    assert client.post("/admin/users/new", data=form).status_code == 302
    invited = db.session.scalar(select(User).where(User.username == "pham.minh.duc"))
    (message,) = inbox.to("duc.pm@mof.gov.vn")
    assert subject_of(message) == "Your account on the Directive Tracker"  # admin's default
    token = link_in(message)
    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 200 and "Choose your password" in page.text
    assert "pham.minh.duc" in page.text

    time_machine.move_to(start + timedelta(days=8))
    assert client.get(f"/password/reset/{token}").status_code == 404  # after INVITATION_DAYS
    login(client, admin)
    assert client.post(f"/admin/users/{invited.id}/invite").status_code == 302
    fresh = link_in(inbox.to("duc.pm@mof.gov.vn")[-1])
    outside = app.test_client()
    chosen = outside.post(
        f"/password/reset/{fresh}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert chosen.status_code == 302
    assert (
        outside.post(
            "/login", data={"username": "pham.minh.duc", "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == invited.id)
    ).all()
    assert actions.count("user.invited") == 2 and "user.invitation_accepted" in actions


def test_a_supervisor_cannot_send_invitations(client, make, org, inbox):
    supervisor = make.user("supervisor", org["ministry"])
    officer = make.user("officer", org["department"], email="officer@mof.gov.vn")
    login(client, supervisor)
    assert client.post(f"/admin/users/{officer.id}/invite").status_code == 403
    assert inbox.messages == [] and db.session.scalar(select(func.count(AccountLink.id))) == 0


def test_the_command_line_invites_too(app, data_app, make, org, inbox):
    runner = data_app.test_cli_runner()
    unit = org["department"]
    result = runner.invoke(
        args=[
            "users",
            "create",
            "võ.thị.sáu",
            "--role",
            "officer",
            "--unit",
            unit.code,
            "--email",
            "sau.vt@mof.gov.vn",
            "--invite",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Invitation mailed to sau.vt@mof.gov.vn" in result.output
    again = runner.invoke(args=["users", "invite", "võ.thị.sáu"])
    assert again.exit_code == 0, again.output
    first, second = (link_in(message) for message in inbox.to("sau.vt@mof.gov.vn"))
    client = app.test_client()
    assert client.get(f"/password/reset/{first}").status_code == 404
    assert client.get(f"/password/reset/{second}").status_code == 200
    nobody = runner.invoke(args=["users", "invite", "không.có.ai"])
    assert nobody.exit_code == 1 and "no user" in nobody.output
