"""Command line: `users create`, `users set-password`, `demo load`; configuration checks."""

import pytest
from sqlalchemy import func, select

from tracker import create_app
from tracker.accounts.users import authenticate
from tracker.config import ConfigError
from tracker.extensions import db
from tracker.models import AuditEvent, Task, Unit, User


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_users_create_reads_the_password_from_stdin(runner, make):
    make.unit("BCT")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "ha.le",
            "--role",
            "officer",
            "--unit",
            "BCT",
            "--email",
            "ha@example.gov.vn",
            "--name",
            "Lê Thu Hà",
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created officer ha.le in BCT" in result.output
    user = authenticate("ha.le", "a long enough passphrase")
    assert user is not None and user.name == "Lê Thu Hà" and user.email == "ha@example.gov.vn"
    assert (
        db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()[-1]
        == "user.create"
    )


def test_users_create_prompts_for_the_password(runner, make):
    make.unit("BCT")
    result = runner.invoke(
        args=["users", "create", "prompted", "--role", "auditor", "--unit", "BCT"],
        input="another long passphrase\nanother long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert authenticate("prompted", "another long passphrase") is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "king", "--unit", "BCT"], "unknown role 'king'"),
        (["--role", "officer", "--unit", "NOPE"], "unknown unit 'NOPE'"),
    ],
)
def test_users_create_refuses_unknown_role_or_unit(runner, make, args, message):
    make.unit("BCT")
    result = runner.invoke(
        args=["users", "create", "someone", *args, "--password-stdin"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_users_create_refuses_a_short_password_and_a_taken_name(runner, make):
    unit = make.unit("BCT")
    result = runner.invoke(
        args=["users", "create", "short", "--role", "officer", "--unit", "BCT", "--password-stdin"],
        input="too short\n",
    )
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    make.user("officer", unit, username="taken")
    result = runner.invoke(
        args=["users", "create", "taken", "--role", "officer", "--unit", "BCT", "--password-stdin"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code != 0 and "already taken" in result.output


def test_set_password(runner, make):
    user = make.user("officer", make.unit("BCT"), username="ha")
    old_token = user.session_token
    result = runner.invoke(
        args=["users", "set-password", "ha", "--password-stdin"], input="a brand new passphrase\n"
    )
    assert result.exit_code == 0, result.output
    db.session.rollback()  # see what other connections committed
    assert authenticate("ha", "a brand new passphrase") is not None
    assert db.session.get(User, user.id).session_token != old_token


def test_demo_load_is_idempotent_and_prints_passwords(runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    for username in ("admin", "supervisor", "leader", "officer", "auditor"):
        assert username in first.output
    counts = (
        db.session.scalar(select(func.count(Task.id))),
        db.session.scalar(select(func.count(Unit.id))),
        db.session.scalar(select(func.count(User.id))),
    )
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert "already loaded" in second.output
    assert counts == (
        db.session.scalar(select(func.count(Task.id))),
        db.session.scalar(select(func.count(Unit.id))),
        db.session.scalar(select(func.count(User.id))),
    )
    # a printed password works
    line = next(line for line in first.output.splitlines() if line.strip().startswith("leader"))
    assert authenticate("leader", line.split()[-1]) is not None


def test_demo_load_if_empty_leaves_a_used_database_alone(runner, make):
    make.unit("REAL")
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert db.session.scalar(select(func.count(Unit.id))) == 1


def test_demo_load_refuses_in_production(database_url, monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x9" * 32)
    production = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    # a command runs in the active app context: make it the production app's
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["demo", "load"])
        db.engine.dispose()
    assert result.exit_code != 0
    assert "disabled when TRACKER_ENV=production" in result.output
    assert db.session.scalar(select(func.count(Unit.id))) == 0


@pytest.mark.parametrize("key", [None, "short", "changeme"])
def test_production_refuses_a_weak_secret_key(monkeypatch, key):
    monkeypatch.setenv("TRACKER_ENV", "production")
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="strong SECRET_KEY"):
        create_app()


def test_unknown_timezone_is_refused(monkeypatch):
    monkeypatch.setenv("TRACKER_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="not a known IANA time zone"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_units_create_and_list(runner):
    assert runner.invoke(args=["units", "create", "BCDTW", "Steering Committee"]).exit_code == 0
    result = runner.invoke(args=["units", "create", "BCT", "Ministry", "--parent", "BCDTW"])
    assert result.exit_code == 0 and "under BCDTW" in result.output
    refused = runner.invoke(args=["units", "create", "X", "Orphan", "--parent", "NOPE"])
    assert refused.exit_code != 0 and "unknown parent unit 'NOPE'" in refused.output
    duplicate = runner.invoke(args=["units", "create", "BCT", "Again"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    listing = runner.invoke(args=["units", "list"]).output
    assert listing.splitlines() == ["BCDTW  Steering Committee", "  BCT  Ministry"]
