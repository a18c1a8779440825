"""/healthz and /readyz for load balancers: no login; /healthz touches nothing, /readyz names
each check (database, migrations at head, writable folders) and answers 503 with the failing
ones, never a setting's value; both through gunicorn too."""

from __future__ import annotations

import pytest
import requests
from flask_migrate import upgrade

from ..served import gunicorn

UNREACHABLE = "postgresql+psycopg://nobody:secret-word@127.0.0.1:1/tracker_nowhere"


@pytest.fixture
def other_app(another_app, tmp_path):
    """An app of its own: another database and other folders unless told."""

    def build(**settings):
        return another_app(
            {
                "SECRET_KEY": "h" * 40,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.db'}",
                "UPLOAD_DIR": str(tmp_path / "tải lên"),
                "AUDIT_ANCHOR_FILE": str(tmp_path / "anchors" / "neo.jsonl"),
                **settings,
            }
        )

    return build


def test_ready_when_everything_is_in_place(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {
        "status": "ready",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "uploads": "ok",
            "exports": "ok",
            "audit_anchors": "ok",
            "job_broker": "none (jobs run in the web process)",
        },
    }


def test_the_job_broker_is_checked_when_there_is_one(other_app):
    away = other_app(JOBS_BROKER_URL="redis://:secret-word@127.0.0.1:9/1").test_client()
    answer = away.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["job_broker"] == "not reachable at JOBS_BROKER_URL"
    assert "secret-word" not in answer.text
    there = other_app(JOBS_BROKER_URL="redis://127.0.0.1:6379/15").test_client()
    assert there.get("/readyz").json["checks"]["job_broker"] == "ok"


def test_an_unreachable_database_is_not_ready_but_the_process_is_healthy(other_app):
    app = other_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["database"] == "unreachable"
    assert "secret-word" not in answer.text and "127.0.0.1" not in answer.text


def test_a_schema_behind_the_migrations_is_not_ready(other_app):
    app = other_app()
    with app.app_context():
        upgrade(revision="0023")
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["migrations"] == "not at head: run flask db upgrade"
    with app.app_context():
        upgrade()
    assert app.test_client().get("/readyz").status_code == 200


def test_a_folder_that_cannot_be_written_is_not_ready(other_app, tmp_path):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("x")
    app = other_app(UPLOAD_DIR=str(blocker / "uploads"))
    with app.app_context():
        upgrade()
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["uploads"] == "folder not writable"
    assert answer.json["checks"]["database"] == "ok"
    assert str(blocker) not in answer.text


@pytest.mark.slow
def test_through_gunicorn(database_url, tmp_path):
    with gunicorn(database_url, tmp_path / "instance") as base:
        assert requests.get(base + "/healthz", timeout=10).json() == {"status": "ok"}
        ready = requests.get(base + "/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.headers["Content-Type"] == "application/json"
