"""Task services: one unit of work per call, history and audit in the same transaction,
optimistic locking, lifecycle and policy enforced."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from tracker.domain import lifecycle
from tracker.domain.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from tracker.extensions import db
from tracker.models import AuditEvent, StatusUpdate, Task
from tracker.work import tasks
from tracker.work.tasks import TaskValues

LINK = "https://vanban.example.gov.vn/decree-13.pdf"


def counts():
    return (
        db.session.scalar(select(func.count(StatusUpdate.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    )


@pytest.fixture
def setup(make, org):
    leader = make.user("unit_leader", org["institute"])
    supervisor = make.user("supervisor", org["department"])
    task = make.task(org["institute"])
    return leader, supervisor, task


def test_progress_report_writes_history_and_audit_and_bumps_version(setup):
    leader, _, task = setup
    before = counts()
    tasks.report_progress(leader, task, 1, lifecycle.IN_PROGRESS, 40, "Drafting started.")
    assert counts() == (before[0] + 1, before[1] + 1)
    db.session.rollback()  # see what other connections committed
    task = db.session.get(Task, task.id)
    assert (task.status, task.percent_done, task.version) == (lifecycle.IN_PROGRESS, 40, 2)
    update_row = task.updates[0]
    assert (update_row.old_status, update_row.new_status) == ("not_started", "in_progress")
    assert (update_row.old_percent, update_row.new_percent, update_row.note) == (
        0,
        40,
        "Drafting started.",
    )
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "task.status_changed"
    assert event.actor_username == leader.username
    assert event.before["status"] == "not_started" and event.after["status"] == "in_progress"


def test_stale_version_is_refused_and_nothing_is_written(setup):
    leader, _, task = setup
    tasks.report_progress(leader, task, 1, lifecycle.IN_PROGRESS, 10, "")
    before = counts()
    with pytest.raises(Conflict, match="changed by someone else"):
        tasks.report_progress(leader, task, 1, lifecycle.IN_PROGRESS, 90, "old form")
    db.session.rollback()
    assert counts() == before
    assert db.session.get(Task, task.id).percent_done == 10


def test_a_writer_that_loses_the_race_writes_nothing(setup):
    leader, _, task = setup
    # Someone else commits version 2 after we loaded version 1 (the check passes in memory).
    with db.engine.begin() as other:
        other.execute(update(Task).where(Task.id == task.id).values(version=2, percent_done=55))
    before = counts()
    with pytest.raises(Conflict):
        tasks.report_progress(leader, task, 1, lifecycle.IN_PROGRESS, 20, "mine")
    assert counts() == before
    db.session.rollback()  # see what other connections committed
    assert db.session.get(Task, task.id).percent_done == 55


def test_the_history_read_before_a_report_shows_it_after(setup):
    """The task's progress is written by a statement of its own and its new entry does not
    join the task's list of entries as it is made: a list read earlier in the same unit of
    work is read again, newest first, with the report in it."""
    leader, _, task = setup
    earlier = [entry.id for entry in task.updates]
    tasks.report_progress(leader, task, 1, lifecycle.IN_PROGRESS, 35, "Đã khảo sát hiện trạng")
    assert [entry.id for entry in task.updates][1:] == earlier
    newest = task.updates[0]
    assert (newest.note, newest.new_percent, newest.task) == ("Đã khảo sát hiện trạng", 35, task)
    assert (task.status, task.percent_done, task.version) == (lifecycle.IN_PROGRESS, 35, 2)


def test_progress_written_in_a_savepoint_rolled_back_is_undone_on_the_task_too(setup):
    """An import tries each row in a savepoint: a row refused after its progress was written
    leaves the task as stored, in the database and as the session shows it."""
    leader, _, task = setup
    savepoint = db.session.begin_nested()
    tasks.apply_progress(leader, task, 1, lifecycle.IN_PROGRESS, 70, "Dòng bị từ chối")
    savepoint.rollback()
    assert (task.status, task.percent_done, task.version) == (lifecycle.NOT_STARTED, 0, 1)
    tasks.report_progress(leader, task, 1, lifecycle.IN_PROGRESS, 15, "Dòng tiếp theo")
    db.session.rollback()  # see what was committed
    stored = db.session.get(Task, task.id)
    assert (stored.status, stored.percent_done, stored.version) == (lifecycle.IN_PROGRESS, 15, 2)


def test_illegal_transition_is_refused(setup):
    leader, _, task = setup
    before = counts()
    with pytest.raises(InvalidTransition, match="verification"):
        tasks.report_progress(leader, task, 1, lifecycle.COMPLETED, 100, "")
    db.session.rollback()
    assert counts() == before


def test_other_unit_leader_is_forbidden(make, org, setup):
    _, _, task = setup
    stranger = make.user("unit_leader", org["other"])
    with pytest.raises(Forbidden):
        tasks.report_progress(stranger, task, 1, lifecycle.IN_PROGRESS, 10, "")


def test_unit_leader_cannot_complete_own_task(setup):
    leader, _, task = setup
    tasks.report_progress(leader, task, 1, lifecycle.SUBMITTED, 100, "Decree sent.", LINK)
    with pytest.raises(Forbidden, match="may not move"):
        tasks.report_progress(leader, task, task.version, lifecycle.COMPLETED, 100, "")


def test_verification_completes_on_the_submission_day(setup, today):
    leader, supervisor, task = setup
    tasks.report_progress(leader, task, 1, lifecycle.SUBMITTED, 100, "Output sent.", LINK)
    # the submission happened three days ago
    submission = db.session.scalars(
        select(StatusUpdate).where(StatusUpdate.new_status == lifecycle.SUBMITTED)
    ).one()
    submission.created_at = datetime.now(UTC) - timedelta(days=3)
    db.session.commit()
    tasks.report_progress(supervisor, task, task.version, lifecycle.COMPLETED, 100, "Accepted.")
    assert task.status == lifecycle.COMPLETED
    assert task.completed_on == today - timedelta(days=3)
    assert task.percent_done == 100


def test_sending_back_needs_a_reason(setup):
    leader, supervisor, task = setup
    tasks.report_progress(leader, task, 1, lifecycle.SUBMITTED, 100, "Output sent.", LINK)
    with pytest.raises(InvalidInput, match="why"):
        tasks.report_progress(supervisor, task, task.version, lifecycle.IN_PROGRESS, 80, "")
    db.session.rollback()
    tasks.report_progress(
        supervisor, task, task.version, lifecycle.IN_PROGRESS, 80, "Annex missing"
    )
    assert task.status == lifecycle.IN_PROGRESS


def test_nothing_to_save_is_refused(setup):
    leader, _, task = setup
    with pytest.raises(InvalidInput, match="Nothing to save"):
        tasks.report_progress(leader, task, 1, lifecycle.NOT_STARTED, 0, "  ")


def test_submission_needs_a_result_note_and_evidence(setup):
    leader, _, task = setup
    before = counts()
    with pytest.raises(InvalidInput, match="result note"):
        tasks.report_progress(leader, task, 1, lifecycle.SUBMITTED, 100, "", LINK)
    db.session.rollback()
    with pytest.raises(InvalidInput, match="Attach evidence"):
        tasks.report_progress(leader, task, 1, lifecycle.SUBMITTED, 100, "Done.")
    db.session.rollback()
    assert counts() == before
    update_row = tasks.report_progress(leader, task, 1, lifecycle.SUBMITTED, 100, "Done.", LINK)
    assert [e.url for e in update_row.evidence] == [LINK]
    assert [e.url for e in task.evidence] == [LINK]


def test_evidence_must_be_a_web_link(setup):
    leader, _, task = setup
    with pytest.raises(InvalidInput, match="https://"):
        tasks.report_progress(
            leader, task, 1, lifecycle.IN_PROGRESS, 10, "", "javascript://%0aalert(1)"
        )


def test_supervisor_creates_tasks_only_in_subtree(make, org, today):
    supervisor = make.user("supervisor", org["department"])
    directive = make.directive()
    created = tasks.create_task(
        supervisor,
        TaskValues(
            code="A-1",
            title="Inside",
            directive=directive,
            lead_unit=org["institute"],
            deadline=today,
        ),
    )
    assert created.original_deadline == today
    assert created.updates[0].new_status == lifecycle.NOT_STARTED
    with pytest.raises(Forbidden):
        tasks.create_task(
            supervisor,
            TaskValues(
                code="A-2",
                title="Outside",
                directive=directive,
                lead_unit=org["other"],
                deadline=today,
            ),
        )


def test_task_code_is_unique_within_a_directive(make, org, today):
    admin = make.user("admin", org["ministry"])
    directive = make.directive()
    make.task(org["institute"], directive, code="X-1")
    with pytest.raises(InvalidInput, match="already has a task “X-1”"):
        tasks.create_task(
            admin,
            TaskValues(
                code="X-1",
                title="Twice",
                directive=directive,
                lead_unit=org["institute"],
                deadline=today,
            ),
        )
    # the same code in another directive is fine
    tasks.create_task(
        admin,
        TaskValues(
            code="X-1",
            title="Elsewhere",
            directive=make.directive(),
            lead_unit=org["institute"],
            deadline=today,
        ),
    )


def test_admin_deadline_change_is_logged_as_such(make, org, today):
    admin = make.user("admin", org["ministry"])
    task = make.task(org["institute"], deadline=today)
    values = TaskValues(
        code=task.code,
        title=task.title,
        directive=task.directive,
        lead_unit=task.lead_unit,
        deadline=today + timedelta(days=10),
    )
    tasks.edit_task(admin, task, task.version, values)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "task.deadline_changed_by_admin"
    assert event.before["deadline"] == today.isoformat()
    assert task.original_deadline == today  # the original deadline is kept
    supervisor = make.user("supervisor", org["ministry"])
    with pytest.raises(Forbidden):
        tasks.edit_task(supervisor, task, task.version, values)
