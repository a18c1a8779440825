"""Test fixtures: one app and one migrated database per session (SQLite by default,
PostgreSQL when TEST_DATABASE_URL is set), emptied after every test; factory fixtures build
the records a test needs."""

from __future__ import annotations

import itertools
import os
import secrets
import tempfile
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from argon2 import PasswordHasher, profiles
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from tracker import create_app
from tracker.accounts import login_sessions, passwords
from tracker.accounts.passwords import hash_password
from tracker.domain import lifecycle
from tracker.domain.audit_chain import GENESIS
from tracker.extensions import db
from tracker.infra import clock
from tracker.infra.i18n import compile_catalogues
from tracker.models import Directive, StatusUpdate, Task, Unit, User
from tracker.org.directives import DirectiveValues, add_directive
from tracker.org.units import add_unit
from tracker.work.tasks import TaskValues, add_task

# Shared scenario fixtures (a dated 2025 history of six tasks) and the browser tests' support.
pytest_plugins = ["tests.histories", "tests.browser"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "correct horse battery staple"
# What the app writes outside the database during tests goes here, never into instance/.
# When factory-made tasks were first recorded: before any report date a test asks about.
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
SCRATCH_DIR = tempfile.mkdtemp(prefix="tracker-tests-")
ANCHOR_FILE = os.path.join(SCRATCH_DIR, "audit-anchors.jsonl")
# Argon2's default profile costs about 0.2 s a hash or a verification on CI's machines, and
# the tests sign in hundreds of times: the test process hashes with the library's profile
# made for tests. A hash carries its parameters, so a server a test starts verifies these
# as cheaply (and, as in production, rehashes one with the real profile at its first sign-in).
# tests/accounts/test_login_security.py checks the real profile.
passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
_PASSWORD_HASH = hash_password(PASSWORD)


# The instant the whole run starts at (ISO 8601 with an offset), so that CI can run the suite
# on chosen days: a new year in Vietnam while UTC is still in the old one, 29 February, the
# first day of a quarter. The clock ticks on from there. Unset: the real clock.
TEST_NOW = os.environ.get("TRACKER_TEST_NOW")
_session_travel = None


def pytest_configure(config):
    global _session_travel
    if TEST_NOW:
        _session_travel = time_machine.travel(datetime.fromisoformat(TEST_NOW), tick=True)
        _session_travel.start()


def pytest_unconfigure(config):
    if _session_travel is not None:
        _session_travel.stop()


def pytest_collection_modifyitems(config, items):
    """A test marked `postgres` is about PostgreSQL alone (a trigger, TRUNCATE): it runs
    when the suite runs on PostgreSQL, as CI's second pass does."""
    if TEST_DATABASE_URL:
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: CI runs it with TEST_DATABASE_URL")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


def pytest_report_header(config):
    return f"clock: {TEST_NOW or 'real'} (TRACKER_TEST_NOW)"


@pytest.fixture(autouse=True)
def _clock(request):
    """`@pytest.mark.now("2026-06-15T10:00+07:00")`: the test, its fixtures included, runs
    with the clock at that instant (ticking on); without the mark, the run's clock."""
    marker = request.node.get_closest_marker("now")
    if marker is None:
        yield
        return
    with time_machine.travel(datetime.fromisoformat(marker.args[0]), tick=True):
        yield


def reset_database(url: str) -> None:
    """An empty database at `url` (PostgreSQL: drop and recreate the public schema)."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """The Vietnamese and English catalogues compiled, as `make` does before the tests."""
    compile_catalogues()


def _worker_database(url: str, worker: str) -> str:
    """The PostgreSQL database of one pytest-xdist worker ("test_gw1" beside "test"), made
    when missing: each worker empties its own database after every test."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A test database needs no durability: commits do not wait for the disk.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory) -> str:
    """SQLite in the run's temporary folder, or TEST_DATABASE_URL (a database of its own for
    each worker when the suite runs in parallel: make test runs pytest -n auto)."""
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if TEST_DATABASE_URL:
        return _worker_database(TEST_DATABASE_URL, worker) if worker else TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _test_app(database_url: str):
    return create_app(
        {
            "TESTING": True,
            "DEMO_ACCOUNTS_FILE": os.path.join(SCRATCH_DIR, "demo_accounts.txt"),
            "UPLOAD_DIR": os.path.join(SCRATCH_DIR, "uploads"),
            "EXPORT_DIR": os.path.join(SCRATCH_DIR, "exports"),
            # Background jobs run inside the request that starts them (tests/jobs/ run them
            # on a real Celery worker and in the web process's thread).
            "JOBS_EAGER": True,
            # The second factor is asked of nobody but in its own tests
            # (tests/accounts/test_second_factor.py), which sign in as those roles with it.
            "MFA_REQUIRED_ROLES": (),
            "AUDIT_SIGNING_KEY": os.path.join(SCRATCH_DIR, "audit-signing-key.pem"),
            "AUDIT_ANCHOR_FILE": ANCHOR_FILE,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "WTF_CSRF_ENABLED": False,
        }
    )


@pytest.fixture(scope="session")
def app(database_url):
    """The app that serves the test client's requests."""
    reset_database(database_url)
    app = _test_app(database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def data_app(app, database_url):
    """A second app on the same database, whose context the test code itself runs in.

    A request pushes its own app context only when the active one belongs to another app;
    with this one active, every request gets a fresh context, `g` and session, as in
    production, instead of sharing the test's."""
    data_app = _test_app(database_url)
    yield data_app
    with data_app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _app_context(_clock, app, data_app):
    """Every test runs inside an app context and leaves the database empty."""
    with data_app.app_context():
        yield
        db.session.remove()
        for each in (app, data_app):  # failed-login counts belong to the test that made them
            each.extensions["login_guard"].reset()
        if os.path.exists(ANCHOR_FILE):  # the anchors of a chain that is about to be emptied
            os.remove(ANCHOR_FILE)
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # DELETE, not TRUNCATE: a test leaves a few rows, and DELETE of those takes a
                # tenth of TRUNCATE's time (which makes new files for every table and index).
                # The trail refuses it by trigger; the tests' superuser sets that aside.
                connection.exec_driver_sql("SET session_replication_role = replica")
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))
                connection.execute(  # ids start at 1 again, as after RESTART IDENTITY
                    text("SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S'")
                )
                connection.exec_driver_sql("SET session_replication_role = origin")
            else:
                # The unit tree refers to itself and SQLite checks RESTRICT row by row; the
                # pragma only takes effect outside a transaction.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))
                connection.commit()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
        # As the migration leaves it: the audit chain's head exists from the start.
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :genesis)"),
                {"genesis": GENESIS},
            )


@pytest.fixture
def another_app():
    """Build more app instances (another worker, a proxied setup, another database); their
    database pools are closed at the end so that no connection is left to the garbage
    collector."""
    made = []

    def build(settings: dict):
        made.append(create_app({"MFA_REQUIRED_ROLES": (), **settings}))
        return made[-1]

    yield build
    for extra in made:
        with extra.app_context():
            for engine in db.engines.values():  # the primary and any reporting replica
                engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def today():
    return clock.today()


class Factory:
    """Builds records with sensible defaults; every method commits."""

    def __init__(self):
        self._seq = itertools.count(1)

    def n(self) -> int:
        return next(self._seq)

    def unit(self, code: str | None = None, parent: Unit | None = None, name: str = "") -> Unit:
        code = code or f"U{self.n()}"
        unit = add_unit(code, name or f"Unit {code}", parent)
        db.session.commit()
        return unit

    def user(self, role: str, unit: Unit, username: str | None = None, **kw) -> User:
        user = User(
            username=username or f"{role}{self.n()}",
            name=kw.pop("name", f"{role.title()} Person"),
            email=kw.pop("email", None),
            password_hash=_PASSWORD_HASH,
            role=role,
            unit=unit,
            active=kw.pop("active", True),
            language=kw.pop("language", ""),
            session_token=secrets.token_hex(16),
        )
        db.session.add(user)
        db.session.commit()
        return user

    def directive(self, code: str | None = None, **kw) -> Directive:
        values = {
            "code": code or f"{self.n()}-NQ/TW",
            "kind": "resolution",
            "title": "A resolution",
        }
        values.update(kw)
        directive = add_directive(DirectiveValues(**values))
        db.session.commit()
        return directive

    def task(
        self,
        lead_unit: Unit,
        directive: Directive | None = None,
        deadline: date | None = None,
        status: str = lifecycle.NOT_STARTED,
        completed_on: date | None = None,
        **kw,
    ) -> Task:
        directive = directive or self.directive()
        deadline = deadline or clock.today() + timedelta(days=30)
        task = add_task(
            TaskValues(
                code=kw.pop("code", f"T{self.n()}"),
                title=kw.pop("title", "Issue the guiding decree"),
                directive=directive,
                lead_unit=lead_unit,
                deadline=deadline,
                start_date=kw.pop("start_date", None),
                owner=kw.pop("owner", None),
                coordinating_units=kw.pop("coordinating_units", []),
                is_key=kw.pop("is_key", False),
                original_deadline=kw.pop("original_deadline", None),
                parent=kw.pop("parent", None),
                weight=kw.pop("weight", 1),
                confidentiality=kw.pop("confidentiality", "normal"),
                target=kw.pop("target", None),
            ),
            None,
        )
        task.status = status
        if status == lifecycle.COMPLETED:
            # Completion is dated the day it is verified: never after today.
            task.completed_on = completed_on or min(deadline, clock.today())
            task.percent_done = 100
        for key, value in kw.items():
            setattr(task, key, value)
        # The history says the task has been in this state all along, so a report on a past
        # day judges it as it is — a completed task open until the day it was completed, as
        # the application records it; tests of history write their own entries.
        creation = task.updates[-1]
        creation.created_at = LONG_AGO
        if status == lifecycle.COMPLETED:
            creation.new_status, creation.new_percent = lifecycle.IN_PROGRESS, 0
            completed_at = datetime.combine(task.completed_on, time(0), clock.tracker_zone())
            task.updates.append(
                StatusUpdate(
                    old_status=lifecycle.IN_PROGRESS,
                    new_status=lifecycle.COMPLETED,
                    old_percent=0,
                    new_percent=100,
                    note="",
                    created_at=completed_at.astimezone(UTC),
                )
            )
        else:
            creation.new_status, creation.new_percent = task.status, task.percent_done
        db.session.commit()
        return task


@pytest.fixture
def make():
    return Factory()


@pytest.fixture
def org(make):
    """A small tree: ministry → department → institute, plus another ministry."""
    ministry = make.unit("MIN")
    department = make.unit("DEP", ministry)
    institute = make.unit("INS", department)
    other = make.unit("OTH")
    return {"ministry": ministry, "department": department, "institute": institute, "other": other}


def login(client, user: User) -> None:
    """Log `user` in on `client` without the cost of a password check."""
    login_sessions.start(user)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def login_as(client):
    def _login(user: User):
        login(client, user)
        return client

    return _login


@pytest.fixture
def new_database(database_url, tmp_path):
    """Empty databases of the suite's kind, made on demand and dropped after."""
    made: list[str] = []

    def make_one() -> str:
        number = len(made) + 1
        if not database_url.startswith("postgresql"):
            url = f"sqlite:///{tmp_path / f'restored-{number}.db'}"
        else:
            base = make_url(database_url)
            name = f"{base.database}_restore_{number}"
            admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            url = base.set(database=name).render_as_string(hide_password=False)
        made.append(url)
        return url

    yield make_one
    for url in made:
        if url.startswith("postgresql"):
            base = make_url(url)
            admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
            admin.dispose()
