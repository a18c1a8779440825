"""An upgrade with data: a database at the previous release's schema (PREVIOUS_RELEASE)
holding the Vietnamese demo, a day's progress and an anchored audit chain is brought to the
head with `flask db upgrade`; every row is still there, the trail verifies against its
anchors, and what the new schema adds works on the old data (a report file made by a job)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from tracker.extensions import db
from tracker.models import AuditEvent, StatusUpdate, Task, User
from tracker.work.tasks import report_progress

from .conftest import login
from .test_backups import app_on, command

pytestmark = pytest.mark.slow
# The schema of the last release (the commit before the background jobs): raise it at each
# release, so that every release is upgraded from the one before it.
PREVIOUS_RELEASE = "0024"


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Task, StatusUpdate, User, AuditEvent)
    }


def test_the_previous_release_upgrades_with_its_data(another_app, app, new_database, tmp_path):
    old = app_on(another_app, app, new_database(), tmp_path)
    assert command(old, "db", "upgrade", PREVIOUS_RELEASE).exit_code == 0
    with old.app_context():
        assert not inspect(db.engine).has_table("job")  # the release before the jobs
    assert command(old, "demo", "load").exit_code == 0
    with old.app_context():
        task = db.session.scalar(select(Task).where(Task.status == "in_progress").limit(1))
        leader = db.session.scalar(
            select(User).where(User.role == "unit_leader", User.unit_id == task.lead_unit_id)
        )
        report_progress(leader, task, task.version, "in_progress", 70, "Đã hoàn thành đợt 1")
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

    client = old.test_client()
    with old.app_context():
        login(client, db.session.get(User, auditor.id))
    asked = client.get("/reports/tasks.xlsx", follow_redirects=True)
    assert asked.status_code == 200 and asked.data[:2] == b"PK"
