"""Timeliness: the one definition of on time / late / within deadline / overdue.

It is written twice on purpose: `classify()` judges one task in Python, and
`timeliness_sql()` is the same rule as an SQL CASE expression that reports group
by, so that counting hundreds of thousands of tasks happens in the database.
tests/reporting/test_timeliness_agreement.py proves the two agree on every case.

The rule, for a report date R (a calendar day in TRACKER_TIMEZONE):

- a cancelled task has no timeliness and is left out of every count;
- a task verified completed on day C ≤ R is *completed on time* if C ≤ its
  deadline, else *completed late*;
- any other task (not started, in progress, submitted but not yet verified, or
  completed only after R) is *overdue* if its deadline < R, else *within
  deadline*: a task due today is still within deadline;
- *due soon* is a part of within deadline: the deadline falls within the next
  DUE_SOON_DAYS days (today included).

Tasks that have *come due* by R are the completed ones and the overdue ones;
completion and overdue rates are computed over them, never over all tasks.
The deadline judged is the current (possibly extended) one unless a report asks
for the original deadline.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import SQLColumnExpression, and_, case, literal
from sqlalchemy.sql.elements import ColumnElement

from .lifecycle import CANCELLED, COMPLETED
from .text import N_


class Timeliness(enum.StrEnum):
    COMPLETED_ON_TIME = "completed_on_time"
    COMPLETED_LATE = "completed_late"
    WITHIN_DEADLINE = "within_deadline"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return TIMELINESS_LABELS[self]

    @property
    def has_come_due(self) -> bool:
        return self is not Timeliness.WITHIN_DEADLINE


TIMELINESS_LABELS = {
    Timeliness.COMPLETED_ON_TIME: N_("Completed on time"),
    Timeliness.COMPLETED_LATE: N_("Completed late"),
    Timeliness.WITHIN_DEADLINE: N_("Not completed, within deadline"),
    Timeliness.OVERDUE: N_("Not completed, overdue"),
}
# Order in which reports show the classes.
TIMELINESS_ORDER = (
    Timeliness.COMPLETED_ON_TIME,
    Timeliness.COMPLETED_LATE,
    Timeliness.WITHIN_DEADLINE,
    Timeliness.OVERDUE,
)
DEFAULT_DUE_SOON_DAYS = 7


def classify(
    status: str, deadline: date, completed_on: date | None, report_date: date
) -> Timeliness | None:
    """The timeliness class of one task on `report_date`; None for a cancelled task."""
    if status == CANCELLED:
        return None
    if status == COMPLETED and completed_on is not None and completed_on <= report_date:
        if completed_on <= deadline:
            return Timeliness.COMPLETED_ON_TIME
        return Timeliness.COMPLETED_LATE
    if deadline < report_date:
        return Timeliness.OVERDUE
    return Timeliness.WITHIN_DEADLINE


def is_due_soon(
    status: str,
    deadline: date,
    completed_on: date | None,
    report_date: date,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
) -> bool:
    """Within deadline, and the deadline is at most `due_soon_days` days away."""
    within = classify(status, deadline, completed_on, report_date) is Timeliness.WITHIN_DEADLINE
    return within and deadline <= report_date + timedelta(days=due_soon_days)


def days_overdue(deadline: date, report_date: date) -> int:
    """Whole days past the deadline on the report date (0 when not past it)."""
    return max((report_date - deadline).days, 0)


def timeliness_sql(
    status: SQLColumnExpression[Any],
    deadline: SQLColumnExpression[Any],
    completed_on: SQLColumnExpression[Any],
    report_date: date,
) -> ColumnElement[Any]:
    """`classify()` as an SQL CASE over the given columns; NULL for a cancelled task."""
    completed_by_report_date = and_(
        status == COMPLETED, completed_on.is_not(None), completed_on <= report_date
    )
    return case(
        (status == CANCELLED, literal(None)),
        (
            and_(completed_by_report_date, completed_on <= deadline),
            Timeliness.COMPLETED_ON_TIME.value,
        ),
        (completed_by_report_date, Timeliness.COMPLETED_LATE.value),
        (deadline < report_date, Timeliness.OVERDUE.value),
        else_=Timeliness.WITHIN_DEADLINE.value,
    )


def due_soon_sql(
    status: SQLColumnExpression[Any],
    deadline: SQLColumnExpression[Any],
    completed_on: SQLColumnExpression[Any],
    report_date: date,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
) -> ColumnElement[Any]:
    """`is_due_soon()` as an SQL condition over the given columns."""
    return and_(
        timeliness_sql(status, deadline, completed_on, report_date)
        == Timeliness.WITHIN_DEADLINE.value,
        deadline <= report_date + timedelta(days=due_soon_days),
    )


@dataclass(frozen=True)
class TimelinessCounts:
    """The four counts of a group of tasks, and the rates over the tasks that have come due."""

    completed_on_time: int = 0
    completed_late: int = 0
    within_deadline: int = 0
    overdue: int = 0

    @classmethod
    def from_mapping(cls, counts: dict[str, int]) -> TimelinessCounts:
        return cls(**{t.value: int(counts.get(t.value, 0) or 0) for t in Timeliness})

    def count(self, timeliness: Timeliness) -> int:
        return int(getattr(self, timeliness.value))

    @property
    def total(self) -> int:
        return self.completed_on_time + self.completed_late + self.within_deadline + self.overdue

    @property
    def completed(self) -> int:
        return self.completed_on_time + self.completed_late

    @property
    def come_due(self) -> int:
        """Tasks that have come due: completed, or not completed with the deadline passed."""
        return self.completed + self.overdue

    def share(self, timeliness: Timeliness) -> float | None:
        """Share of a class among the tasks that have come due (within deadline: of all)."""
        if timeliness is Timeliness.WITHIN_DEADLINE:
            return _ratio(self.within_deadline, self.total)
        return _ratio(self.count(timeliness), self.come_due)

    @property
    def completion_rate(self) -> float | None:
        return _ratio(self.completed, self.come_due)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.completed_on_time, self.come_due)

    @property
    def overdue_rate(self) -> float | None:
        return _ratio(self.overdue, self.come_due)

    def __add__(self, other: TimelinessCounts) -> TimelinessCounts:
        return TimelinessCounts.summed((self, other))

    @classmethod
    def summed(cls, many: Iterable[TimelinessCounts]) -> TimelinessCounts:
        """The counts of several groups together (one pass: a national total adds 3,000)."""
        on_time = late = within = overdue = 0
        for counts in many:
            on_time += counts.completed_on_time
            late += counts.completed_late
            within += counts.within_deadline
            overdue += counts.overdue
        return cls(on_time, late, within, overdue)


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole
