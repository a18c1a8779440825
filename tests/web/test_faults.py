"""Faults in the middle of a request: a failure in the audit insert rolls back the whole
change (history entry, task, evidence file), and an unreachable database is an explicit 503
that saved nothing."""

import io
import os

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tracker import audit
from tracker.extensions import db
from tracker.models import Evidence, StatusUpdate, Task

from ..conftest import PASSWORD, SCRATCH_DIR, login
from ..work.test_evidence import PDF
from .test_route_walk import fingerprint


def stored_files() -> set[str]:
    folder = os.path.join(SCRATCH_DIR, "uploads")
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


@pytest.fixture
def leader(client, make, org):
    user = make.user("unit_leader", org["department"])
    login(client, user)
    return user


def test_a_failing_audit_insert_rolls_back_the_whole_write(
    app, data_app, client, leader, make, org, monkeypatch
):
    task = make.task(org["department"], code="T1")
    before, files = fingerprint(), stored_files()

    def broken(*args, **kwargs):
        raise RuntimeError("the audit insert failed")

    monkeypatch.setattr(audit, "record", broken)
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={
            "status": "in_progress",
            "percent_done": "40",
            "note": "Half done",
            "version": str(task.version),
            "evidence_file": (io.BytesIO(PDF), "minutes.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    for secret in ("Traceback", "RuntimeError", "the audit insert failed", "tracker/"):
        assert secret not in response.text  # the error page reveals nothing
    assert fingerprint() == before
    db.session.expire_all()
    assert db.session.get(Task, task.id).percent_done == 0
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert stored_files() == files  # the uploaded file was removed again


@pytest.mark.parametrize("api", [False, True])
def test_an_unreachable_database_is_a_503_that_saved_nothing(
    client, leader, make, org, monkeypatch, api
):
    task = make.task(org["department"], code="T1")
    before = fingerprint()

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    if api:
        token = client.post(
            "/api/v1/tokens", json={"username": leader.username, "password": PASSWORD}
        ).json["token"]
        before = fingerprint()
        monkeypatch.setattr(audit, "record", unreachable)
        response = client.patch(
            f"/api/v1/tasks/{task.id}",
            json={"version": task.version, "status": "in_progress", "progress": 5},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.headers["Content-Type"].startswith("application/problem+json")
    else:
        monkeypatch.setattr(audit, "record", unreachable)
        response = client.post(
            f"/tasks/{task.id}/progress",
            data={"status": "in_progress", "percent_done": "5", "version": str(task.version)},
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Nothing was saved; try again." in response.get_data(as_text=True)
    assert fingerprint() == before
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == 1  # the creation entry


def test_a_connection_lost_after_the_answer_does_not_turn_it_into_a_500(
    client, leader, monkeypatch
):
    """The session's final rollback fails (the database restarted just then): the answer
    already made stands, and the dead connection is dropped instead of reused."""
    from sqlalchemy.orm import Session

    original_close = Session.close
    failures = []

    def close_once_failing(self):
        if not failures:
            failures.append(True)
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection"))
        return original_close(self)

    monkeypatch.setattr(Session, "close", close_once_failing)
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert failures == [True]


@pytest.mark.postgres  # the COMMIT that ends a reading transaction is PostgreSQL's
def test_a_connection_lost_at_the_commit_ending_a_read_does_not_turn_it_into_a_500(
    client, leader, monkeypatch
):
    """The database is restarted as the request that only read ends: its COMMIT (which keeps
    the prepared statements) fails; the answer already made stands (the soak saw a 500)."""
    import inspect

    import psycopg

    failures = []
    original_commit = psycopg.Connection.commit

    def commit_failing(self):
        if not any(frame.function == "_end_reads_with_commit" for frame in inspect.stack()):
            return original_commit(self)  # the request's own commits go through
        failures.append(True)
        raise psycopg.errors.AdminShutdown("terminating connection due to administrator command")

    monkeypatch.setattr(psycopg.Connection, "commit", commit_failing)
    response = client.get("/dashboard")
    monkeypatch.undo()
    assert response.status_code == 200
    assert failures
    assert client.get("/dashboard").status_code == 200  # the next request gets a connection


@pytest.mark.postgres  # a database server that closes a pooled connection
def test_a_pooled_connection_the_database_closed_is_replaced(
    app, another_app, make, org, monkeypatch
):
    """The database ends a connection while it sits in the pool (a restart, an idle
    timeout). Idle for a while, it is checked and replaced before the request uses it: the
    page answers. Used a moment ago, it is not checked (no ping on every request): the
    request that meets it gets the explicit 503, and the next one a fresh connection."""
    from sqlalchemy import event, text

    from tracker.infra import pool_checks

    served = another_app({**app.config})
    backends: list[int] = []
    with served.app_context():
        event.listen(
            db.engine,
            "checkout",
            lambda dbapi_connection, *_: backends.append(dbapi_connection.info.backend_pid),
        )
    user = make.user("unit_leader", org["department"], name="Đặng Thị Ưng")
    client = served.test_client()
    login(client, user)

    def close_the_pooled_connection() -> int:
        closed = backends[-1]
        db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": closed})
        db.session.commit()
        return closed

    assert client.get("/dashboard").status_code == 200
    closed = close_the_pooled_connection()
    monkeypatch.setattr(pool_checks, "IDLE_SECONDS", 0.0)  # as if it had sat idle
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Đặng Thị Ưng" in page.get_data(as_text=True)
    assert backends[-1] != closed

    monkeypatch.setattr(pool_checks, "IDLE_SECONDS", 3600.0)  # used a moment ago
    close_the_pooled_connection()
    lost = client.get("/dashboard")
    assert lost.status_code == 503
    assert lost.headers["Retry-After"] == "5"
    assert client.get("/dashboard").status_code == 200
