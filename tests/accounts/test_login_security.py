"""Logins: failed attempts throttled per account and per address (successes never count,
a spoofed X-Forwarded-For changes nothing), an attacker unable to lock the owner's own
browser out, the counts shared by two gunicorn servers through Redis and by both login
endpoints, the password rules, outdated hashes upgraded, and login log lines that cannot
be forged."""

import io
import logging
import re

import pytest
import redis
import requests
from argon2 import PasswordHasher
from sqlalchemy import select

from tracker.accounts import passwords
from tracker.accounts.passwords import password_problem, verify_password
from tracker.extensions import db
from tracker.logs import LOG_FORMAT, SafeRequestFilter, escape_controls
from tracker.models import User
from tracker.web.login_limits import DEVICE_COOKIE, account_name

from ..conftest import PASSWORD
from ..served import gunicorn


@pytest.fixture
def limits(app, monkeypatch):
    """Small limits, so that a test reaches them in a few requests."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per 15 minutes")
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "5 per 15 minutes")


def attempt(client, username, password="wrong password here", address="192.0.2.10", **headers):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def test_an_unknown_client_is_refused_after_its_failures_even_for_the_right_password(
    client, make, org, limits
):
    user = make.user("officer", org["department"], username="lan.nguyen")
    for _ in range(3):
        assert attempt(client, "lan.nguyen").status_code == 401
    refused = attempt(client, "lan.nguyen", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    # Another account from the same address still logs in.
    make.user("officer", org["department"], username="minh.tran")
    assert attempt(client, "minh.tran", PASSWORD).status_code == 302
    assert user.username == "lan.nguyen"


def test_successful_logins_are_not_throttled(client, make, org, limits):
    make.user("officer", org["department"], username="lan.nguyen")
    for _ in range(8):
        assert attempt(client, "lan.nguyen", PASSWORD).status_code == 302
        with client.session_transaction() as session:
            session.clear()


def test_an_address_is_throttled_across_accounts(client, limits):
    for number in range(5):
        assert attempt(client, f"guess{number}").status_code == 401
    assert attempt(client, "guess-other").status_code == 429


def test_a_spoofed_forwarded_for_does_not_reset_the_count(client, limits):
    for number in range(5):
        spoofed = {"X-Forwarded-For": f"203.0.113.{number}"}
        assert attempt(client, f"guess{number}", **spoofed).status_code == 401
    assert attempt(client, "guess9", **{"X-Forwarded-For": "198.51.100.7"}).status_code == 429


def test_a_trusted_proxy_names_the_client(database_url, make, org, another_app):
    proxied = another_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TRUSTED_PROXIES": 1,
            "LOGIN_LIMIT_PER_ADDRESS": "2 per 15 minutes",
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "x" * 40,
        }
    )
    client = proxied.test_client()
    first = {"X-Forwarded-For": "203.0.113.1"}
    second = {"X-Forwarded-For": "203.0.113.2"}
    assert attempt(client, "a", **first).status_code == 401
    assert attempt(client, "b", **first).status_code == 401
    assert attempt(client, "c", **first).status_code == 429
    assert attempt(client, "d", **second).status_code == 401  # another client behind the proxy


def test_the_api_token_endpoint_is_throttled_too(client, make, org, limits):
    make.user("officer", org["department"], username="lan.nguyen")
    body = {"username": "lan.nguyen", "password": "not the password"}
    for _ in range(3):
        assert client.post("/api/v1/tokens", json=body).status_code == 401
    refused = client.post("/api/v1/tokens", json={**body, "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.headers["Content-Type"].startswith("application/problem+json")


def device_of(client) -> str | None:
    cookie = client.get_cookie(DEVICE_COOKIE)
    return cookie.value if cookie else None


def test_an_attacker_cannot_lock_the_owners_own_browser_out(app, client, make, org, limits):
    """The owner's browser logged in before; an attacker spread over many addresses uses up
    the account's count: unknown clients are refused, the owner's browser is not."""
    make.user("officer", org["department"], username="Lan.Nguyễn")
    assert attempt(client, "Lan.Nguyễn", PASSWORD).status_code == 302
    assert device_of(client)
    with client.session_transaction() as session:
        session.clear()  # logged out; the device cookie stays
    attacker = app.test_client()
    for number in range(3):
        assert attempt(attacker, "lan.nguyễn", address=f"203.0.113.{number}").status_code == 401
    # The account's count is full for every other client, wherever it comes from...
    refused = attempt(attacker, " LAN.NGUYỄN ", PASSWORD, address="198.51.100.99")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    # ...but the owner's browser, from the same office address as an attacker, logs in.
    assert attempt(client, "Lan.Nguyễn", PASSWORD, address="203.0.113.0").status_code == 302


def test_a_known_device_has_a_count_of_its_own(client, make, org, limits):
    make.user("officer", org["department"], username="lan.nguyen")
    assert attempt(client, "lan.nguyen", PASSWORD).status_code == 302
    with client.session_transaction() as session:
        session.clear()
    for _ in range(3):
        assert attempt(client, "lan.nguyen").status_code == 401
    assert attempt(client, "lan.nguyen", PASSWORD).status_code == 429


def test_a_device_cookie_is_earned_only_by_the_right_password(app, client, make, org, limits):
    """Neither a forged cookie, nor one of another account, nor posting the victim's name
    while logged in as oneself gives a device of the victim's account."""
    make.user("officer", org["department"], username="lan.nguyen")
    make.user("officer", org["department"], username="mallory")
    assert attempt(client, "mallory", PASSWORD).status_code == 302
    mallorys_device = device_of(client)
    assert attempt(client, "lan.nguyen").status_code == 302  # logged in: not a login at all
    assert device_of(client) == mallorys_device
    with client.session_transaction() as session:
        session.clear()
    for _ in range(3):
        assert attempt(client, "lan.nguyen").status_code == 401
    assert attempt(client, "lan.nguyen", PASSWORD).status_code == 429
    forger = app.test_client()
    forger.set_cookie(DEVICE_COOKIE, mallorys_device.replace("mallory", "lan.nguyen"))
    assert attempt(forger, "lan.nguyen", PASSWORD, address="198.51.100.1").status_code == 429


@pytest.mark.parametrize(
    "typed, counted",
    [
        (" Lan.Nguyễn ", "lan.nguyễn"),
        ("ＬＡＮ.nguyễn", "lan.nguyễn"),
        ("lan  nguyễn", "lan nguyễn"),
    ],
)
def test_variants_of_a_name_count_as_one_account(typed, counted):
    assert account_name(typed) == counted


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short pass", "at least 12 characters"),
        ("x" * 129, "at most 128 characters"),
        ("qwerty123456", "most common passwords"),
        ("password1234!", "most common passwords"),
        ("Dragon2024!!", "most common passwords"),
        ("abcabcabcabc", "repeats the same few characters"),
        ("123456789012", "only digits and symbols"),
        ("2026-12-02 !!", "only digits and symbols"),
        ("lan.nguyen-2026", "must not contain the username"),
    ],
)
def test_bad_passwords_are_refused_with_the_reason(password, problem):
    assert problem in password_problem(password, "lan.nguyen")


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "mật khẩu rất dài của tôi", "          a b", "Zx9!kq2#Lm7@"],
)
def test_long_passwords_of_any_kind_are_accepted(password):
    assert password_problem(password, "lan.nguyen") is None


def test_a_weak_password_is_refused_by_the_cli_and_changes_nothing(app, make, org):
    user = make.user("officer", org["department"], username="lan.nguyen")
    before = user.password_hash
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", "lan.nguyen"], input="password1234\npassword1234\n"
    )
    assert result.exit_code != 0
    assert "most common passwords" in result.output
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


def test_an_outdated_hash_is_upgraded_at_login(client, make, org, monkeypatch):
    # The application's own profile (the library's default), not the tests' cheap one.
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher())
    user = make.user("officer", org["department"], username="lan.nguyen")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    db.session.commit()
    assert attempt(client, "lan.nguyen", PASSWORD).status_code == 302
    db.session.expire_all()
    upgraded = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert upgraded != weak and verify_password(upgraded, PASSWORD)
    assert "m=65536" in upgraded


def test_login_log_lines_cannot_be_forged(app, client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(SafeRequestFilter())
    app.logger.addHandler(handler)
    try:
        attempt(client, "mallory\r\n2026-01-01 INFO login of admin", **{"X-Request-ID": "req-42"})
        with app.test_request_context(headers={"X-Request-ID": "req-43"}):
            app.preprocess_request()
            app.logger.warning("note: %s", "first\nforged second line")
    finally:
        app.logger.removeHandler(handler)
    # (each request also ends with its own `request` line: logs.py)
    lines = [line for line in stream.getvalue().splitlines() if "tracker: request " not in line]
    assert len(lines) == 2
    assert "[req-42]" in lines[0] and "login failed for 'mallory\\r\\n2026-01-01" in lines[0]
    assert "[req-43]" in lines[1] and lines[1].endswith("note: first\\nforged second line")


def test_escape_controls():
    assert escape_controls("a\r\nb\x1bc\x7f") == "a\\r\\nb\\x1bc\\x7f"


@pytest.mark.slow
def test_two_servers_and_both_endpoints_share_the_counts_in_redis(
    database_url, make, org, tmp_path
):
    """Two gunicorn servers with two workers each, the counts in Redis: failures on the API
    of one and the login form of the other add up, and the limit holds for both."""
    make.user("officer", org["department"], username="lan.nguyen")
    db.session.commit()
    store = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        store.flushdb()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (the test needs it)")
    settings = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "LOGIN_LIMIT_PER_ACCOUNT": "4 per 15 minutes",
    }
    wrong = {"username": "lan.nguyen", "password": "not the password"}
    try:
        with (
            gunicorn(database_url, tmp_path / "one", workers=2, **settings) as first,
            gunicorn(database_url, tmp_path / "two", workers=2, **settings) as second,
        ):
            form = requests.Session()
            for _ in range(2):
                assert requests.post(first + "/api/v1/tokens", json=wrong).status_code == 401
                token = re.search(
                    r'name="csrf_token" type="hidden" value="([^"]+)"',
                    form.get(second + "/login").text,
                ).group(1)
                sent = form.post(second + "/login", data={**wrong, "csrf_token": token})
                assert sent.status_code == 401
            assert store.dbsize() > 0  # the counts live in Redis
            right = {**wrong, "password": PASSWORD}
            for server in (first, second):
                refused = requests.post(server + "/api/v1/tokens", json=right)
                assert refused.status_code == 429
                assert int(refused.headers["Retry-After"]) > 0
    finally:
        store.flushdb()
