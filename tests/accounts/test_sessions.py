"""Session cookies: flags, a new session at login, logout that makes a copied cookie
useless, and a password change that ends the user's other sessions and API tokens."""

import pytest

from tracker.accounts import users
from tracker.extensions import db

from ..conftest import PASSWORD, login


def log_in(client, username, remember=False):
    data = {"username": username, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def cookie_headers(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


@pytest.fixture
def person(make, org):
    return make.user("officer", org["department"], username="lan.nguyen")


def test_cookies_are_httponly_samesite_lax_and_secure_when_configured(
    client, app, person, monkeypatch
):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    monkeypatch.setitem(app.config, "REMEMBER_COOKIE_SECURE", True)
    response = log_in(client, "lan.nguyen", remember=True)
    assert response.status_code == 302
    cookies = cookie_headers(response)
    for name in ("session", "remember_token"):
        header = cookies[name]
        assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" in header, header


def test_secure_can_be_turned_off_for_local_http(client, app, person, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", False)
    header = cookie_headers(log_in(client, "lan.nguyen"))["session"]
    assert "Secure" not in header and "HttpOnly" in header


def test_login_starts_a_new_session(client, person):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    log_in(client, "lan.nguyen")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{person.id}:")


def test_a_copied_cookie_is_useless_after_logout(app, client, person):
    log_in(client, "lan.nguyen", remember=True)
    copied = {cookie.key: cookie.value for cookie in client._cookies.values()}
    assert client.get("/dashboard").status_code == 200
    client.post("/logout")
    replay = app.test_client()
    for key, value in copied.items():
        replay.set_cookie(key, value)
    response = replay.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_password_change_ends_other_sessions_and_tokens(app, client, person):
    log_in(client, "lan.nguyen")
    token = client.post(
        "/api/v1/tokens", json={"username": "lan.nguyen", "password": PASSWORD}
    ).json["token"]
    other = app.test_client()
    log_in(other, "lan.nguyen")
    assert other.get("/dashboard").status_code == 200
    users.set_password(person, person, "a brand new passphrase 2026")
    db.session.commit()
    assert other.get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 302
    api = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401


def test_a_session_ends_after_half_an_hour_idle_or_twelve_hours_in_all(
    client, make, org, time_machine
):
    from datetime import UTC, datetime, timedelta

    from tracker.infra import clock

    leader = make.user("unit_leader", org["department"])
    start = datetime.now(UTC)
    time_machine.move_to(start, tick=False)
    login(client, leader)
    assert client.get("/my-unit").status_code == 200
    time_machine.move_to(start + timedelta(minutes=29))
    assert client.get("/my-unit").status_code == 200  # still there, and seen again
    time_machine.move_to(start + timedelta(minutes=29 + 31))
    assert client.get("/my-unit").status_code == 302  # idle for 31 minutes: signed out

    login(client, leader)
    began = clock.now()
    for quarter in range(1, 12 * 4 + 1):  # active every 15 minutes for twelve hours
        time_machine.move_to(began + timedelta(minutes=15 * quarter))
        expected = 200 if 15 * quarter <= 12 * 60 else 302
        assert client.get("/my-unit").status_code == expected
    time_machine.move_to(began + timedelta(hours=12, minutes=15))
    assert client.get("/my-unit").status_code == 302  # twelve hours in all
