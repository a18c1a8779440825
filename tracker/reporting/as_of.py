"""The record as it stood at the end of a day: where a report reads a task's status, percent
and deadline.

For today (or a later day) reports read the task rows. For a past day they read, for each
task, the last history entry (StatusUpdate) written before that day ended in
TRACKER_TIMEZONE: every entry carries the status, percent and deadline in force after it, so
the entry is what the record said then. Each entry stores the moment a later one superseded
it, so the entry in force at a moment is found by one condition on its own row
(`in_force`), the same for a list, a period report and the dashboard's trend. A task with no
entry by then did not exist yet and is left out: exactly the tasks recorded after the day
ended (`recorded_by`). Completion is final, so a task whose record then says completed has
today's `completed_on` — or the day itself, should history dated back by hand put the
completion after it: a record that says completed was completed by then.

Later edits therefore never change a past day's figures: a test builds a history, changes it,
and checks the figures of each day against ones computed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    FromClause,
    Select,
    SQLColumnExpression,
    and_,
    case,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.sql.elements import ColumnElement, TextClause
from sqlalchemy.sql.selectable import NamedFromClause

from ..domain import timeliness as tl
from ..domain.lifecycle import COMPLETED
from ..extensions import db
from ..infra import clock
from ..models import StatusUpdate, Task
from ..models.task import OPEN_ENTRY_SQL, OPEN_STATUS_SQL

# A column, or an expression over columns, of any type (a mapped attribute or a table's).
SqlExpression = SQLColumnExpression[Any]
# A SELECT of any columns.
AnySelect = Select[*tuple[Any, ...]]


def day_end(day: date) -> datetime:
    """The first moment after `day` in TRACKER_TIMEZONE, in UTC."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.tracker_zone())
    return midnight.astimezone(UTC)


def is_historical(report_date: date) -> bool:
    """Whether a report on `report_date` is rebuilt from history (a day already over)."""
    return report_date < clock.today()


@dataclass(frozen=True)
class RecordColumns:
    """The columns a query judges a task by, and the join that brings them in."""

    status: SqlExpression
    deadline: SqlExpression
    percent_done: SqlExpression
    completed_on: SqlExpression
    # For a past day: the aliased status_update table the columns above come from, and the
    # day's end, at which its entries are in force.
    entry: NamedFromClause | None = None
    moment: datetime | None = None

    @property
    def historical(self) -> bool:
        return self.entry is not None

    def still_open(self) -> TextClause:
        """The record leaves the task open, spelt as the partial indexes of open tasks and
        open entries are (so that both databases see they apply)."""
        if self.entry is None:
            return text(f"task.{OPEN_STATUS_SQL}")
        return text(f"{self.entry.name}.{OPEN_ENTRY_SQL}")

    def join(self, statement: AnySelect) -> AnySelect:
        """`statement` (over Task) joined to the entries in force, for a past day."""
        if self.entry is None or self.moment is None:
            return statement
        return statement.join(
            self.entry, and_(self.entry.c.task_id == Task.id, in_force(self.entry, self.moment))
        )

    def judged_deadline(self, basis: str = "current") -> SqlExpression:
        return Task.original_deadline if basis == "original" else self.deadline

    def timeliness(self, report_date: date, basis: str = "current") -> ColumnElement[Any]:
        return tl.timeliness_sql(
            self.status, self.judged_deadline(basis), self.completed_on, report_date
        )

    def due_soon(
        self, report_date: date, due_soon_days: int, basis: str = "current"
    ) -> ColumnElement[Any]:
        return tl.due_soon_sql(
            self.status, self.judged_deadline(basis), self.completed_on, report_date, due_soon_days
        )


CURRENT = RecordColumns(
    status=Task.status,
    deadline=Task.deadline,
    percent_done=Task.percent_done,
    completed_on=Task.completed_on,
)


def in_force(entries: FromClause, moment: datetime | SqlExpression) -> ColumnElement[bool]:
    """Whether a row of `entries` (status_update or an alias) is its task's record in force
    at `moment` (a value or a column): written before it, not superseded by then."""
    return and_(
        entries.c.created_at < moment,
        or_(entries.c.superseded_at.is_(None), entries.c.superseded_at >= moment),
    )


def recorded_by(moment: datetime) -> ColumnElement[bool]:
    """The tasks that have an entry in force at `moment`, without reading the entries: a
    task's `created_at` is its first entry's moment (models.task keeps them equal), and the
    last entry written before a moment is in force at it (nothing written later, whatever
    moment it carries, supersedes it before then)."""
    return Task.created_at < moment


def record_columns(report_date: date) -> RecordColumns:
    """Today's rows for today and later; the entries in force for a past day."""
    if not is_historical(report_date):
        return CURRENT
    entry = StatusUpdate.__table__.alias("entry_in_force")
    completed_by_then = case(
        (Task.completed_on > report_date, literal(report_date)), else_=Task.completed_on
    )
    return RecordColumns(
        status=entry.c.new_status,
        deadline=entry.c.deadline,
        percent_done=entry.c.new_percent,
        completed_on=case(
            (entry.c.new_status == COMPLETED, completed_by_then), else_=literal(None)
        ),
        entry=entry,
        moment=day_end(report_date),
    )


class TaskOnDay:
    """A task as the record stood on a past day: that day's status, percent and deadline over
    today's other fields. Lists and exports show it like a task."""

    def __init__(
        self, task: Task, report_date: date, status: str, deadline: date, percent_done: int
    ):
        self._task = task
        self.status = status
        self.deadline = deadline
        self.percent_done = percent_done
        completed_on = task.completed_on if status == COMPLETED else None
        # Completed by then (see the module's docstring).
        self.completed_on = completed_on and min(completed_on, report_date)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._task, name)

    judged_deadline = Task.judged_deadline
    timeliness = Task.timeliness
    is_due_soon = Task.is_due_soon
    days_overdue = Task.days_overdue
    extended = Task.extended


def tasks_on_day(tasks: list[Task], report_date: date) -> list[Task] | list[TaskOnDay]:
    """`tasks` as they stood at the end of `report_date` (unchanged for today or later)."""
    if not is_historical(report_date) or not tasks:
        return tasks
    entries = StatusUpdate.__table__
    rows = db.session.execute(
        select(entries.c.task_id, entries.c.new_status, entries.c.deadline, entries.c.new_percent)
        .where(entries.c.task_id.in_([task.id for task in tasks]))
        .where(in_force(entries, day_end(report_date)))
    )
    state = {task_id: (status, deadline, percent) for task_id, status, deadline, percent in rows}
    return [TaskOnDay(task, report_date, *state[task.id]) for task in tasks if task.id in state]
