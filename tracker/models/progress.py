"""A task's progress — status, percent done, completion — written by one UPDATE of its own
instead of through the session's unit of work, doing what a flush of those columns does:
the version checked in the WHERE clause and bumped (a concurrent writer who won the race
makes it StaleDataError, as a flush would), `updated_at` set, and the kept counts moved
by tally's rule (`tally.moved`, which the flush listener applies too).

Why a statement of its own: a progress report is the most frequent write, and the unit of
work for that one row, with the flush listeners that inspect every dirty object, cost
about a sixth of a report's CPU (0.75 ms of 6.0 in-process on a 2-core machine, the same
requests interleaved).

Only PROGRESS_COLUMNS may be written here. None of them has a validator of the model's
(those guard what people write: code, title, description), and the database's constraints
still hold them (a known status, percent 0–100, completed_on set when completed and only
then). None of them feeds the task's search key (code, title), the groupings of the
stored day ends (lead unit, directive, key flag: day_end) or the first-recorded moment, so
those listeners would have had nothing to do; every other change of a task goes through the
session as before, and so does progress written inside a savepoint (see `write_progress`).
The history entry written with it still goes through the session, for its note's validator
and the entry's own listeners."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Update, bindparam, inspect, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from . import tally
from ._types import utcnow
from .task import Task

PROGRESS_COLUMNS = ("status", "percent_done", "completed_at", "completed_on")


@functools.cache
def _statement(columns: tuple[str, ...]) -> Update:
    """UPDATE of `columns`, the version and updated_at, where the task is at the version
    the writer read; built once per set of columns."""
    table = Task.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("task_id"), table.c.version == bindparam("read_version"))
        .values(
            {
                **{name: bindparam(f"new_{name}") for name in columns},
                "version": bindparam("new_version"),
                "updated_at": bindparam("new_updated_at"),
            }
        )
    )


def write_progress(task: Task, values: Mapping[str, Any]) -> None:
    """Write `values` (a subset of PROGRESS_COLUMNS) to the stored task, in the session's
    transaction, and show them on `task` as stored (nothing left for a flush to write)."""
    unknown = set(values) - set(PROGRESS_COLUMNS)
    if unknown:
        raise ValueError(f"not progress columns: {sorted(unknown)}")
    session = db.session()
    if session.in_nested_transaction():
        # A savepoint rolled back (an import's refused row) undoes what was flushed in it,
        # objects included; after a statement of its own the task would still show the
        # values rolled back. Through the session, with the flush's listeners, as before.
        for name, value in values.items():
            setattr(task, name, value)
        session.flush()
        return
    if inspect(task).modified:
        session.flush()  # its other changes first, so that the version read is the stored one
    before = tally.counted_state(task)
    columns = tuple(sorted(values))
    version, moment = task.version + 1, utcnow()
    connection = session.connection()
    written = connection.execute(
        _statement(columns),
        {
            "task_id": task.id,
            "read_version": task.version,
            "new_version": version,
            "new_updated_at": moment,
            **{f"new_{name}": values[name] for name in columns},
        },
    )
    if written.rowcount != 1:
        raise StaleDataError(
            f"UPDATE of task {task.id} expected version {task.version}; another writer "
            "changed it first"
        )
    for name in columns:
        set_committed_value(task, name, values[name])
    set_committed_value(task, "version", version)
    set_committed_value(task, "updated_at", moment)
    tally.apply(connection, tally.moved(before, tally.counted_state(task)))
