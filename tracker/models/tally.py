"""Timeliness counts kept up to date with the tasks, so that today's reports read a few
thousand summary rows instead of counting hundreds of thousands of tasks.

For each lead unit and each directive (kinds BY_UNIT and BY_DIRECTIVE), split by the key
flag, the *summary row* (day = SUMMARY_DAY) holds the tasks completed on time, completed
late and not completed; the *deadline rows* hold the not-completed tasks per deadline day.
What depends on today is summed at read time from the deadline rows: the not-completed tasks
due before today are overdue, the rest within deadline, those due in the next days are due
soon. Cancelled tasks are in no class (domain.timeliness); the summary row counts them apart,
so that a list's number of tasks is read here too.

The counts change in the same flush as the task (the listeners below), so they commit or roll
back with it. Tasks are never deleted (they are cancelled), and nothing writes them other
than through the ORM except a task's progress (models.progress: its own UPDATE, which moves
the counts by the same rule, `moved`) and the synthetic data's bulk load, which recounts. A
task's counted state before the flush is read from the ORM's attribute history; the version
check on every task update guarantees it is the state stored, so two writers cannot both
subtract the same old state. `fold()` moves the deadline rows of days long past into the
summary rows (a smaller sum to read; no report from today on changes) and `recount()`
rebuilds everything from the tasks.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Index,
    Integer,
    String,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from ..domain import timeliness as tl
from ..extensions import Model, db
from .task import Task

BY_UNIT = "u"
BY_DIRECTIVE = "d"
# The day of the summary row: before every deadline, so "rows dated before today" takes in
# the summary row and the overdue deadline rows in one index range.
SUMMARY_DAY = date(1900, 1, 1)
COUNTS = (
    "completed_on_time",
    "completed_late",
    "not_completed",
    "due",
    "due_day_total",
    "cancelled",
)
# What a task's place in the counts depends on (the listeners compare these).
COUNTED_ATTRIBUTES = (
    "lead_unit_id",
    "directive_id",
    "is_key",
    "status",
    "deadline",
    "completed_on",
)


class TaskTally(Model):
    __tablename__ = "task_tally"
    # The index carries the counts (PostgreSQL), so that reads are index-only scans.
    __table_args__ = (
        Index(
            "ix_task_tally_kind_day",
            "kind",
            "day",
            postgresql_include=["group_id", "is_key", *COUNTS],
        ),
    )

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)  # BY_UNIT or BY_DIRECTIVE
    group_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    is_key: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    completed_on_time: Mapped[int] = mapped_column(Integer, default=0)
    completed_late: Mapped[int] = mapped_column(Integer, default=0)
    not_completed: Mapped[int] = mapped_column(Integer, default=0)
    # Not-completed tasks whose deadline is `day`; on a summary row, those of folded days.
    # A deadline row may go below zero when its day was folded and a task then left it.
    due: Mapped[int] = mapped_column(Integer, default=0)
    # On a summary row: the sum, over the folded tasks, of their deadline's days after
    # SUMMARY_DAY, so that the days they are overdue on any later day stay exact. Else 0.
    due_day_total: Mapped[int] = mapped_column(BigInteger, default=0)
    # On a summary row: the cancelled tasks, which no timeliness class counts (only a list's
    # number of tasks does). Else 0.
    cancelled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


TallyKey = tuple[str, int, bool, date]
CountedState = tuple[Any, ...]


def contributions(state: CountedState | None) -> list[tuple[TallyKey, str]]:
    """The (row, column) pairs one task adds 1 to, given its COUNTED_ATTRIBUTES."""
    if state is None:
        return []
    unit_id, directive_id, is_key, status, deadline, completed_on = state
    # At the end of time a task is completed on time, completed late, or not completed
    # ("overdue"): the classes that do not depend on the day of the report.
    klass = tl.classify(status, deadline, completed_on, date.max)
    key = bool(is_key)
    pairs: list[tuple[TallyKey, str]] = []
    for kind, group_id in ((BY_UNIT, unit_id), (BY_DIRECTIVE, directive_id)):
        summary = (kind, group_id, key, SUMMARY_DAY)
        if klass is None:  # cancelled
            pairs.append((summary, "cancelled"))
        elif klass is tl.Timeliness.COMPLETED_ON_TIME:
            pairs.append((summary, "completed_on_time"))
        elif klass is tl.Timeliness.COMPLETED_LATE:
            pairs.append((summary, "completed_late"))
        else:
            pairs += [(summary, "not_completed"), ((kind, group_id, key, deadline), "due")]
    return pairs


def moved(old: CountedState | None, new: CountedState | None) -> Counter[tuple[TallyKey, str]]:
    """What one task's change from `old` to `new` counted state (None: no task) does to the
    kept rows: (row, column) → amount. A flush adds it up over its tasks; progress.py's
    UPDATE of a task's progress applies it for that task."""
    changes: Counter[tuple[TallyKey, str]] = Counter()
    if old != new:
        changes.subtract(contributions(old))
        changes.update(contributions(new))
    return changes


def counted_state(task: Task) -> CountedState:
    return tuple(getattr(task, name) for name in COUNTED_ATTRIBUTES)


def _flushed_state(task: Task) -> CountedState:
    """The task's counted state as last written to the database (before this flush)."""
    attributes = inspect(task).attrs
    values = []
    for name in COUNTED_ATTRIBUTES:
        history = attributes[name].history
        if history.deleted:
            values.append(history.deleted[0])
        elif history.unchanged:
            values.append(history.unchanged[0])
        else:
            values.append(getattr(task, name))
    return tuple(values)


@event.listens_for(Session, "before_flush")
def _remember_flushed_states(
    session: Session, flush_context: UOWTransaction, instances: object
) -> None:
    session.info["tally_before"] = {
        task: _flushed_state(task) for task in session.dirty if isinstance(task, Task)
    }


@event.listens_for(Session, "after_flush")
def _count_flushed_changes(session: Session, flush_context: UOWTransaction) -> None:
    """Apply to the kept counts what this flush changed in tasks (same transaction)."""
    before = session.info.get("tally_before", {})
    changes: Counter[tuple[TallyKey, str]] = Counter()
    for task in session.new:
        if isinstance(task, Task):
            changes.update(moved(None, counted_state(task)))
    for task in session.dirty:
        if isinstance(task, Task) and task in before:
            changes.update(moved(before[task], counted_state(task)))
    if any(changes.values()):  # most flushes move no count: no connection asked for
        apply(session.connection(), changes)


def _rows(changes: Counter[tuple[TallyKey, str]]) -> dict[TallyKey, dict[str, int]]:
    """(row, column) → amount, as the amounts of each row's columns (rows all zero left out)."""
    rows: dict[TallyKey, dict[str, int]] = {}
    for (key, column), amount in changes.items():
        if amount:
            rows.setdefault(key, dict.fromkeys(COUNTS, 0))[column] += amount
    return rows


def apply(connection: Connection, changes: Counter[tuple[TallyKey, str]]) -> None:
    """Add `changes` ((row, column) → amount) to the kept rows, creating rows as needed.

    Rows are written in key order, so two transactions touching the same rows wait for each
    other instead of deadlocking."""
    rows = _rows(changes)
    if not rows:
        return
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    table = TaskTally.__table__
    for (kind, group_id, is_key, day), amounts in sorted(rows.items()):
        statement = insert(table).values(
            kind=kind, group_id=group_id, is_key=is_key, day=day, **amounts
        )
        statement = statement.on_conflict_do_update(
            index_elements=["kind", "group_id", "is_key", "day"],
            set_={column: table.c[column] + statement.excluded[column] for column in COUNTS},
        )
        connection.execute(statement)


def _after(day: date) -> int:
    """Days from SUMMARY_DAY to `day`."""
    return (day - SUMMARY_DAY).days


def fold(before: date) -> int:
    """Move the deadline rows dated before `before` into their summary rows (the not-completed
    tasks due then are overdue on every later day); returns how many rows were folded. Reads
    of a day before `before` then count those tasks as overdue, so `before` must not be
    later than today (the scheduler passes yesterday)."""
    connection = db.session.connection()
    table = TaskTally.__table__
    folded = connection.execute(
        delete(table)
        .where(table.c.day > SUMMARY_DAY, table.c.day < before)
        .returning(table.c.kind, table.c.group_id, table.c.is_key, table.c.day, table.c.due)
    ).all()
    changes: Counter[tuple[TallyKey, str]] = Counter()
    for kind, group_id, is_key, day, due in folded:
        changes[((kind, group_id, is_key, SUMMARY_DAY), "due")] += due
        changes[((kind, group_id, is_key, SUMMARY_DAY), "due_day_total")] += due * _after(day)
    apply(connection, changes)
    return len(folded)


def full_count() -> Counter[tuple[TallyKey, str]]:
    """What the kept counts must be, counted from the tasks themselves."""
    columns = [getattr(Task, name) for name in COUNTED_ATTRIBUTES]
    statement = select(*columns, func.count()).group_by(*columns)
    counts: Counter[tuple[TallyKey, str]] = Counter()
    for *state, number in db.session.execute(statement):
        for pair in contributions(tuple(state)):
            counts[pair] += number
    return counts


def kept_count() -> Counter[tuple[TallyKey, str]]:
    """The kept counts as stored."""
    counts: Counter[tuple[TallyKey, str]] = Counter()
    for row in db.session.scalars(select(TaskTally)):
        for column in COUNTS:
            counts[((row.kind, row.group_id, row.is_key, row.day), column)] += getattr(row, column)
    return counts


def as_read_from(
    counts: Counter[tuple[TallyKey, str]], today: date
) -> dict[tuple[TallyKey, str], int]:
    """`counts` as every report from `today` on reads them: deadline rows before `today`
    folded into their summary rows (see fold), zeros left out."""
    read: Counter[tuple[TallyKey, str]] = Counter()
    for ((kind, group_id, is_key, day), column), amount in counts.items():
        if column == "due" and SUMMARY_DAY < day < today:
            summary = (kind, group_id, is_key, SUMMARY_DAY)
            read[(summary, "due")] += amount
            read[(summary, "due_day_total")] += amount * _after(day)
        else:
            read[((kind, group_id, is_key, day), column)] += amount
    return {pair: amount for pair, amount in read.items() if amount}


def drift(today: date) -> dict[tuple[TallyKey, str], tuple[int, int]]:
    """Where the kept counts differ from a full recount, as read from `today` on:
    (row, column) → (kept, counted). Empty when they agree."""
    kept, counted = as_read_from(kept_count(), today), as_read_from(full_count(), today)
    return {
        pair: (kept.get(pair, 0), counted.get(pair, 0))
        for pair in kept.keys() | counted.keys()
        if kept.get(pair, 0) != counted.get(pair, 0)
    }


def recount() -> None:
    """Rebuild the kept counts from the tasks (in the caller's transaction)."""
    db.session.execute(delete(TaskTally))
    rows = _rows(full_count())
    if rows:
        db.session.execute(
            insert(TaskTally.__table__),
            [
                {"kind": kind, "group_id": group_id, "is_key": is_key, "day": day, **amounts}
                for (kind, group_id, is_key, day), amounts in rows.items()
            ],
        )
