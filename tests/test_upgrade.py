"""An upgrade with data: a database made by the previous release's own code (its tree taken
from git at PREVIOUS_RELEASE_COMMIT) holding the Vietnamese demo and a day's progress, with
an anchored audit chain, is brought to the head with `flask db upgrade`; every row is still
there, the trail verifies against its anchors, the kept counts the upgrade fills agree with
the tasks, and what the new schema adds works on the old data (a report file made by a
job)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from tracker.extensions import db
from tracker.models import AuditEvent, StatusUpdate, Task, User

from .conftest import login
from .test_backups import app_on, command

pytestmark = pytest.mark.slow
# The last release: its schema head and its commit. Raise both at each release, so that
# every release is upgraded from the one before it.
PREVIOUS_RELEASE = "0025"
PREVIOUS_RELEASE_COMMIT = "d52c8c2833d6c3516b4788e55deeb4a39537995c"
REPOSITORY = Path(__file__).resolve().parent.parent
A_DAYS_PROGRESS = """
from sqlalchemy import select
from app import app
from tracker.extensions import db
from tracker.models import Task, User
from tracker.work.tasks import report_progress
with app.app_context():
    task = db.session.scalar(select(Task).where(Task.status == "in_progress").limit(1))
    leader = db.session.scalar(
        select(User).where(User.role == "unit_leader", User.unit_id == task.lead_unit_id)
    )
    report_progress(leader, task, task.version, "in_progress", 70, "Đã hoàn thành đợt 1")
"""


def previous_release(folder: Path) -> Path:
    """The previous release's tree, from this repository's history."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", PREVIOUS_RELEASE_COMMIT],
        cwd=REPOSITORY,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def run_previous(tree: Path, environment: dict, *args: str) -> None:
    """A command of the previous release's code (its `tracker` package comes first)."""
    done = subprocess.run(
        [sys.executable, *args], cwd=tree, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Task, StatusUpdate, User, AuditEvent)
    }


def test_the_previous_release_upgrades_with_its_data(another_app, app, new_database, tmp_path):
    url = new_database()
    old = app_on(another_app, app, url, tmp_path)
    tree = previous_release(tmp_path / "bản trước")
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "TRACKER_INSTANCE_DIR": str(tmp_path / "instance"),
        "UPLOAD_DIR": old.config["UPLOAD_DIR"],
        "AUDIT_ANCHOR_FILE": old.config["AUDIT_ANCHOR_FILE"],
        "AUDIT_SIGNING_KEY": old.config["AUDIT_SIGNING_KEY"],
    }
    run_previous(tree, environment, "-m", "flask", "--app", "app", "db", "upgrade")
    run_previous(tree, environment, "-m", "flask", "--app", "app", "demo", "load")
    run_previous(tree, environment, "-c", A_DAYS_PROGRESS)
    with old.app_context():
        assert not inspect(db.engine).has_table("task_tally")  # the release before the counts
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(StatusUpdate)
                .where(StatusUpdate.note == "Đã hoàn thành đợt 1")
            )
            == 1
        )
        before = counts()
    assert command(old, "audit", "anchor").exit_code == 0

    upgraded = command(old, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    with old.app_context():
        assert counts() == before
        auditor = db.session.scalar(select(User).where(User.role == "auditor").limit(1))
    verified = command(old, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert " 0 signed anchors" not in verified.output
    kept = command(old, "counts", "check")
    assert kept.exit_code == 0, kept.output

    client = old.test_client()
    with old.app_context():
        login(client, db.session.get(User, auditor.id))
    asked = client.get("/reports/tasks.xlsx", follow_redirects=True)
    assert asked.status_code == 200 and asked.data[:2] == b"PK"
