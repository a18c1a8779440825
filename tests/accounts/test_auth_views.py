"""Logging in and out: password check, safe `next`, sessions that end, CSRF on forms."""

import pytest
from sqlalchemy import select

from tracker.accounts import users
from tracker.extensions import db
from tracker.models import AuditEvent

from ..conftest import PASSWORD, login


def test_login_with_the_right_password_lands_on_the_role_page(client, make, org):
    make.user("unit_leader", org["institute"], username="leader")
    response = client.post("/login", data={"username": "leader", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/my-unit"
    assert "My unit" in client.get("/my-unit").text
    assert (
        db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()[-1]
        == "auth.login"
    )


def test_wrong_password_is_refused_with_a_message(client, make, org):
    make.user("unit_leader", org["institute"], username="leader")
    response = client.post("/login", data={"username": "leader", "password": "wrong password!"})
    assert response.status_code == 401
    assert "wrong password" in response.text
    assert client.get("/my-unit").status_code == 302


def test_inactive_user_cannot_log_in(client, make, org):
    make.user("unit_leader", org["institute"], username="gone", active=False)
    assert client.post("/login", data={"username": "gone", "password": PASSWORD}).status_code == 401


def test_pages_need_a_login(client):
    response = client.get("/board")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "////evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "%2F%2Fevil.example",
        "/%2F/evil.example",
        "%5C%5Cevil.example",
        "https%3A%2F%2Fevil.example",
    ],
)
def test_next_never_leaves_the_site(client, make, org, target):
    make.user("supervisor", org["ministry"], username="sup")
    response = client.post(
        "/login", query_string={"next": target}, data={"username": "sup", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_is_followed_to_a_local_path(client, make, org):
    make.user("supervisor", org["ministry"], username="sup")
    response = client.post(
        "/login",
        query_string={"next": "/tasks?status=overdue"},
        data={"username": "sup", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/tasks?status=overdue"


def test_logout_is_a_post_and_ends_the_session(client, make, org):
    user = make.user("supervisor", org["ministry"])
    login(client, user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/board").status_code == 302


def test_deactivation_ends_an_open_session_on_the_next_request(client, make, org):
    admin = make.user("admin", org["ministry"])
    user = make.user("supervisor", org["ministry"])
    login(client, user)
    assert client.get("/board").status_code == 200
    users.update_user(
        admin, user, name=user.name, email=None, role=user.role, unit=user.unit, active=False
    )
    assert client.get("/board").status_code == 302


def test_role_change_ends_an_open_session(client, make, org):
    admin = make.user("admin", org["ministry"])
    user = make.user("supervisor", org["ministry"])
    login(client, user)
    users.update_user(
        admin, user, name=user.name, email=None, role="officer", unit=user.unit, active=True
    )
    assert client.get("/board").status_code == 302


def test_forms_refuse_a_post_without_csrf_token(app, client, make, org, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make.user("unit_leader", org["institute"], username="leader")
    task = make.task(org["institute"])
    login(client, user)
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={"status": "in_progress", "percent_done": "50", "version": "1"},
    )
    assert response.status_code == 400
    assert "Form expired" in response.text
    db.session.rollback()  # see what other connections committed
    assert task.status == "not_started"
    # the form the page serves carries the token
    assert 'name="csrf_token"' in client.get(f"/tasks/{task.id}").text
    client.post("/logout", data={"csrf_token": "wrong"})
    fresh = app.test_client()
    response = fresh.post("/login", data={"username": "leader", "password": PASSWORD})
    assert response.status_code == 400
    assert fresh.get("/my-unit").status_code == 302  # not logged in


def test_passwords_are_hashed_with_argon2(make, org):
    user = make.user("officer", org["institute"])
    assert user.password_hash.startswith("$argon2id$")
