"""Logins: failed attempts throttled per account and per address (successes never count,
a spoofed X-Forwarded-For changes nothing), the limit kept in Redis when configured, the
password rules, outdated hashes upgraded, and login log lines that cannot be forged."""

import io
import logging

import pytest
import redis
from argon2 import PasswordHasher
from sqlalchemy import select

from tracker import create_app
from tracker.extensions import db, limiter
from tracker.logs import LOG_FORMAT, SafeRequestFilter, escape_controls
from tracker.models import User
from tracker.services.passwords import password_problem, verify_password

from .conftest import PASSWORD


@pytest.fixture
def limits(app, monkeypatch):
    """Small limits, so that a test reaches them in a few requests."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per 15 minutes")
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "5 per 15 minutes")


@pytest.fixture
def another_app():
    """Build more app instances (another worker, a proxied setup); their database pools are
    closed at the end so that no connection is left to the garbage collector."""
    made = []

    def build(settings: dict):
        made.append(create_app(settings))
        return made[-1]

    yield build
    for extra in made:
        with extra.app_context():
            db.engine.dispose()


def attempt(client, username, password="wrong password here", **headers):
    return client.post("/login", data={"username": username, "password": password}, headers=headers)


def test_an_account_is_locked_after_its_failures_even_for_the_right_password(
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


def test_with_redis_storage_the_count_outlives_the_worker(app, database_url, another_app):
    """Two workers share the count: what one refused, a new one refuses too."""
    server = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        server.flushdb()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (the test needs it)")
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "LOGIN_LIMIT_PER_ACCOUNT": "2 per 15 minutes",
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "x" * 40,
    }
    try:
        worker_one = another_app(settings).test_client()
        assert attempt(worker_one, "lan.nguyen").status_code == 401
        assert attempt(worker_one, "lan.nguyen").status_code == 401
        assert server.dbsize() > 0  # the counts live in Redis
        worker_two = another_app(settings).test_client()
        assert attempt(worker_two, "lan.nguyen").status_code == 429
    finally:
        server.flushdb()
        limiter.init_app(app)  # back to the suite's in-memory storage


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


def test_an_outdated_hash_is_upgraded_at_login(client, make, org):
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
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert "[req-42]" in lines[0] and "login failed for 'mallory\\r\\n2026-01-01" in lines[0]
    assert "[req-43]" in lines[1] and lines[1].endswith("note: first\\nforged second line")


def test_escape_controls():
    assert escape_controls("a\r\nb\x1bc\x7f") == "a\\r\\nb\\x1bc\\x7f"
