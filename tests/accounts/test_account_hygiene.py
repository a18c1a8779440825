"""Account hygiene: the users list shows each account's last sign-in, lists the accounts
unused for INACTIVE_AFTER_DAYS and deactivates them in one audited action."""

from datetime import timedelta

import time_machine
from sqlalchemy import select

from tracker.extensions import db
from tracker.infra import clock
from tracker.models import AuditEvent, User

from ..conftest import PASSWORD, login

DAY = timedelta(days=1)


def sign_in(client, username: str):
    page = client.get("/login")
    assert page.status_code == 200
    return client.post("/login", data={"username": username, "password": PASSWORD})


def test_a_sign_in_is_noted_on_the_account(client, make, org):
    user = make.user("unit_leader", org["department"], username="trưởng phòng Đỗ")
    assert user.last_login_at is None
    assert sign_in(client, "trưởng phòng Đỗ").status_code == 302
    db.session.refresh(user)
    assert clock.now() - clock.aware(user.last_login_at) < timedelta(minutes=1)
    token = client.post(
        "/api/v1/tokens", json={"username": "trưởng phòng Đỗ", "password": PASSWORD}
    )
    assert token.status_code == 201
    # The username is found whatever the case of its Vietnamese letters, on SQLite too.
    assert sign_in(client.application.test_client(), "TRƯỞNG PHÒNG ĐỖ").status_code == 302


def test_unused_accounts_are_listed_and_deactivated_in_one_audited_action(client, make, org):
    now = clock.now()
    admin = make.user("admin", org["ministry"], username="quản trị Bùi")
    with time_machine.travel(now - 200 * DAY, tick=False):
        old_never = make.user("officer", org["department"], username="chuyên viên Ưng")
        old_used = make.user("officer", org["department"], username="chuyên viên Đạt")
        recent = make.user("officer", org["department"], username="chuyên viên Hương")
        retired = make.user("officer", org["department"], username="chuyên viên Cũ")
    retired.active = False
    old_used.last_login_at = now - 120 * DAY
    recent.last_login_at = now - 10 * DAY
    admin.created_at = now - 300 * DAY  # the admin has never signed in with a password either
    new_never = make.user("officer", org["department"], username="chuyên viên Mới")
    db.session.commit()

    login(client, admin)
    everyone = client.get("/admin/users")
    assert "chuyên viên Mới" in everyone.text and "never" in everyone.text
    # shown as the moment in TRACKER_TIMEZONE (here a day later than in UTC at some hours)
    assert f"{clock.local_time(recent.last_login_at):%d/%m/%Y %H:%M}" in everyone.text
    dormant = client.get("/admin/users?dormant=1")
    assert dormant.status_code == 200
    for listed in ("chuyên viên Ưng", "chuyên viên Đạt", "quản trị Bùi"):
        assert listed in dormant.text
    for not_listed in ("chuyên viên Hương", "chuyên viên Cũ", "chuyên viên Mới"):
        assert not_listed not in dormant.text
    assert "3 active accounts have not signed in for 90 days" in dormant.text

    done = client.post("/admin/users/deactivate-dormant", follow_redirects=True)
    assert "2 unused accounts were deactivated." in done.text
    db.session.expire_all()
    assert not old_never.active and not old_used.active
    assert admin.active and recent.active and new_never.active  # not one's own account
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.deactivated_dormant")
    ).all()
    assert sorted(e.object_id for e in events) == sorted([old_never.id, old_used.id])
    assert all(e.actor_id == admin.id and e.before["active"] is True for e in events)
    assert sign_in(client.application.test_client(), "chuyên viên Đạt").status_code == 401


def test_only_an_administrator_deactivates_and_a_refusal_changes_nothing(client, make, org):
    supervisor = make.user("supervisor", org["ministry"], username="lãnh đạo Vụ")
    with time_machine.travel(clock.now() - 200 * DAY, tick=False):
        dormant = make.user("officer", org["department"], username="chuyên viên Lâm")
    login(client, supervisor)
    assert client.get("/admin/users?dormant=1").status_code == 403
    assert client.post("/admin/users/deactivate-dormant").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, dormant.id).active
