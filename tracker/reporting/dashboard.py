"""A dashboard per role: the four classes over the reader's scope, the overdue count at the
end of each of the last twelve months (rebuilt from the history, see as_of) and the units
with the most overdue tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..domain import policy
from ..domain import timeliness as tl
from ..domain.roles import OFFICER, UNIT_LEADER
from ..extensions import db
from ..models import Task, Unit, User
from ..org import lookups
from . import as_of, day_ends, group_rows, kept_counts, task_queries
from .task_queries import TaskFilters

TREND_MONTHS = 12
TOP_UNITS = 10


@dataclass
class Dashboard:
    scope: Unit | None  # None: every unit
    filters: TaskFilters
    counts: tl.TimelinessCounts
    due_soon: int
    trend: list[tuple[date, int]]  # (month end or today, overdue tasks then)
    top_units: list[tuple[lookups.UnitLabel, tl.TimelinessCounts]]


def scope_of(user: User) -> Unit | None:
    """Unit leaders and officers see their unit; supervisors their subtree; others all."""
    if user.role in (UNIT_LEADER, OFFICER):
        return user.unit
    return policy.board_root(user)


def month_ends(today: date, months: int = TREND_MONTHS) -> list[date]:
    """The last day of each of the `months - 1` months before this one, then today."""
    ends, first_of_month = [], today.replace(day=1)
    for _ in range(months - 1):
        last = first_of_month - timedelta(days=1)
        ends.append(last)
        first_of_month = last.replace(day=1)
    return [*reversed(ends), today]


def overdue_trend(
    user: User, filters: TaskFilters, days: list[date], overdue_now: int | None = None
) -> list[tuple[date, int]]:
    """How many tasks were overdue at the end of each of `days` (the last one today), as the
    record stood then: from the stored counts of past days and today's kept counts (or
    `overdue_now`, when the caller has them) when they answer the selection, else counted
    from the history in one pass (day_ends)."""
    kept = task_queries.kept_selection(user, filters)
    if kept is not None:
        past = [day for day in days if day < filters.day]
        stored = day_ends.stored(kept, past)
        if stored is not None:
            now = kept_counts.total(kept).overdue if overdue_now is None else overdue_now
            return [(day, stored.get(day, now)) for day in days]
    statement, day = day_ends.overdue_at_day_ends(days)
    statement = task_queries.apply_filters(
        statement, user, filters.with_(timeliness=None), as_of.CURRENT
    ).group_by(day)
    counts = {day_ends.as_date(when): count for when, count in db.session.execute(statement)}
    return [(day, counts.get(day, 0)) for day in days]


def build(user: User, today: date, directive: str | None = None) -> Dashboard:
    scope = scope_of(user)
    filters = TaskFilters(
        scope=scope.code if scope else None, directive=directive, report_date=today
    )
    # Every task has a lead unit: the units' totals are the scope's counts.
    worst, counts = group_rows.ranked_page(user, filters, Task.lead_unit_id, True, 1, TOP_UNITS)
    return Dashboard(
        scope=scope,
        filters=filters,
        counts=counts,
        due_soon=task_queries.due_soon_count(user, filters),
        trend=overdue_trend(user, filters, month_ends(today), counts.overdue),
        top_units=[(unit, unit_counts) for unit, unit_counts in worst.items if unit_counts.overdue],
    )
