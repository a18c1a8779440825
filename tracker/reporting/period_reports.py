"""Period reports: what happened to the tasks in a month, quarter, half-year, nine months,
year or any date range, counted by the database per lead unit or directive.

For a period [start, end] and the record as it stood at the end of its figures' day (see
as_of): the period's last day when it is over, else today, so that a period not over is
reported as of today and a task due later in it is still within deadline:

- assigned: tasks first recorded within the period (cancelled ones included);
- due: tasks not cancelled whose deadline falls within the period, up to the figures' day;
- completed on time / late: tasks completed within the period, judged against the deadline;
- within deadline / overdue: open tasks at the period's end, as the four-class rule says;
- of the tasks due: how many were completed on time, late, or are still open (overdue) at
  the end; the rates are over the tasks due, and None when nothing fell due.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from ..domain import timeliness as tl
from ..domain.lifecycle import COMPLETED
from ..domain.text import N_
from ..extensions import db
from ..models import Task, User
from . import as_of
from .as_of import AnySelect, SqlExpression
from .task_queries import TaskFilters, apply_filters


@dataclass(frozen=True)
class PeriodFigures:
    assigned: int = 0
    due: int = 0
    completed_on_time: int = 0
    completed_late: int = 0
    within_deadline: int = 0
    overdue: int = 0
    due_completed_on_time: int = 0
    due_completed_late: int = 0
    due_overdue: int = 0

    def __add__(self, other: PeriodFigures) -> PeriodFigures:
        return PeriodFigures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.due_completed_on_time, self.due)

    @property
    def completion_rate(self) -> float | None:
        return _ratio(self.due_completed_on_time + self.due_completed_late, self.due)

    @property
    def overdue_rate(self) -> float | None:
        return _ratio(self.due_overdue, self.due)


# Column name, heading, kind ("count" or "rate"): what a period report shows, in order.
PERIOD_COLUMNS = (
    ("assigned", N_("Assigned"), "count"),
    ("due", N_("Due"), "count"),
    ("completed_on_time", N_("Completed on time"), "count"),
    ("completed_late", N_("Completed late"), "count"),
    ("within_deadline", N_("Not completed, within deadline at end"), "count"),
    ("overdue", N_("Not completed, overdue at end"), "count"),
    ("on_time_rate", N_("On-time rate (of due)"), "rate"),
    ("completion_rate", N_("Completion rate (of due)"), "rate"),
    ("overdue_rate", N_("Overdue rate (of due)"), "rate"),
)


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def figures_day(end: date, today: date) -> date:
    """The day a period's figures are taken on: its last day, or today while it runs."""
    return min(end, today)


def period_figures(
    user: User,
    filters: TaskFilters,
    start: date,
    end: date,
    group_column: SqlExpression,
    today: date,
) -> dict[Any, PeriodFigures]:
    """The figures of the period per value of `group_column`, for the tasks `user` may see."""
    end = figures_day(end, today)
    record = as_of.record_columns(end)
    basis = filters.deadline_basis
    klass = record.timeliness(end, basis)
    deadline = record.judged_deadline(basis)
    due = and_(klass.is_not(None), deadline >= start, deadline <= end)
    completed_within = and_(
        record.status == COMPLETED, record.completed_on >= start, record.completed_on <= end
    )

    def tally(condition: ColumnElement[bool]) -> SqlExpression:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    columns = (
        tally(
            and_(
                Task.created_at >= as_of.day_end(start - timedelta(days=1)),
                Task.created_at < as_of.day_end(end),
            )
        ),
        tally(due),
        tally(and_(completed_within, record.completed_on <= deadline)),
        tally(and_(completed_within, record.completed_on > deadline)),
        tally(klass == tl.Timeliness.WITHIN_DEADLINE.value),
        tally(klass == tl.Timeliness.OVERDUE.value),
        tally(and_(due, klass == tl.Timeliness.COMPLETED_ON_TIME.value)),
        tally(and_(due, klass == tl.Timeliness.COMPLETED_LATE.value)),
        tally(and_(due, klass == tl.Timeliness.OVERDUE.value)),
    )
    statement: AnySelect = select(group_column.label("grp"), *columns).select_from(Task)
    statement = apply_filters(
        statement, user, filters.with_(timeliness=None, report_date=end), record
    )
    statement = statement.group_by(group_column)
    return {
        row[0]: PeriodFigures(*(int(value) for value in row[1:]))
        for row in db.session.execute(statement)
    }
