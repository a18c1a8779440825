"""`demo generate`: the synthetic dataset is deterministic, has every timeliness class, and
its history agrees with its tasks (so reports as of past days work on it)."""

import hashlib

import pytest
from sqlalchemy import delete, func, select

from tracker.extensions import db
from tracker.models import (
    Directive,
    StatusUpdate,
    Target,
    Task,
    Unit,
    User,
    tally,
    task_coordinating_units,
)
from tracker.models.task import mark_superseded
from tracker.reporting import task_queries
from tracker.reporting.task_queries import TaskFilters
from tracker.seed import bulk_load, synthetic


def digest() -> str:
    rows = db.session.execute(
        select(Task.code, Task.title, Task.deadline, Task.status, Task.percent_done, Unit.code)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .order_by(Task.id)
    ).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def remove_synthetic_rows() -> None:
    for statement in (
        delete(StatusUpdate),
        delete(task_coordinating_units),
        delete(Task),
        delete(Target),
        delete(Directive),
        delete(User),
    ):
        db.session.execute(statement)
    for unit in db.session.scalars(select(Unit).order_by(Unit.path.desc())):
        db.session.delete(unit)
        db.session.flush()
    db.session.commit()


def test_the_same_seed_gives_the_same_data(app, monkeypatch):
    counts = synthetic.generate(400, seed=3)
    assert counts["tasks"] == 400
    first = digest()
    refused = app.test_cli_runner().invoke(args=["demo", "generate", "--tasks", "5", "--seed", "3"])
    assert refused.exit_code != 0 and "already in this database" in refused.output
    remove_synthetic_rows()
    synthetic.generate(400, seed=3)
    assert digest() == first
    remove_synthetic_rows()
    # Every table written in many batches, as 3 million tasks fill them (targets before
    # their directives were once written, breaking the reference).
    monkeypatch.setattr(synthetic, "BATCH", 7)
    synthetic.generate(400, seed=3)
    assert digest() == first
    monkeypatch.undo()
    remove_synthetic_rows()
    synthetic.generate(400, seed=4)
    assert digest() != first


def test_every_class_occurs_and_the_history_agrees_with_the_tasks(make, org):
    auditor = make.user("auditor", org["ministry"])
    counts = synthetic.generate(1000, seed=11)
    assert counts["units"] >= 20 and counts["users"] == counts["units"] * 10
    assert 8 <= counts["history entries"] / counts["tasks"] <= 12
    today = task_queries.total_counts(auditor, TaskFilters(report_date=synthetic.clock.today()))
    assert (
        min(today.completed_on_time, today.completed_late, today.within_deadline, today.overdue) > 0
    )
    last = (
        select(StatusUpdate.task_id, func.max(StatusUpdate.id).label("last"))
        .group_by(StatusUpdate.task_id)
        .subquery()
    )
    disagreeing = db.session.scalar(
        select(func.count())
        .select_from(Task)
        .join(last, last.c.task_id == Task.id)
        .join(StatusUpdate, StatusUpdate.id == last.c.last)
        .where(
            (StatusUpdate.new_status != Task.status)
            | (StatusUpdate.new_percent != Task.percent_done)
            | (StatusUpdate.deadline != Task.deadline)
        )
    )
    assert disagreeing == 0
    assert tally.drift(synthetic.clock.today()) == {}  # the bulk load's counts are kept too
    # ...and each entry's superseded_at is what the ORM's flush would have written.
    written = dict(db.session.execute(select(StatusUpdate.id, StatusUpdate.superseded_at)).all())
    mark_superseded(db.session.connection())
    assert dict(db.session.execute(select(StatusUpdate.id, StatusUpdate.superseded_at)).all()) == (
        written
    )
    assert sum(moment is None for moment in written.values()) == counts["tasks"]
    past = TaskFilters(
        report_date=synthetic.clock.today().replace(day=1)
        - __import__("datetime").timedelta(days=120)
    )
    then = task_queries.total_counts(auditor, past)
    assert 0 < then.total < today.total  # fewer tasks existed then


@pytest.mark.postgres
def test_the_bulk_load_leaves_every_key_and_index_as_it_found_them():
    """On PostgreSQL the load drops the task tables' foreign keys and secondary indexes and
    makes them again afterwards: the same definitions, and the keys hold."""
    before = bulk_load.schema_of(synthetic.BULK_TABLES)
    assert len(before[0]) >= 8 and len(before[1]) >= 8  # what there is to drop and make again
    synthetic.generate(300, seed=7)
    assert bulk_load.schema_of(synthetic.BULK_TABLES) == before
    orphan = (
        select(func.count())
        .select_from(StatusUpdate)
        .where(StatusUpdate.task_id.not_in(select(Task.id)))
    )
    assert db.session.scalar(orphan) == 0
