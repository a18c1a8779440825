"""A dashboard per role: the four classes over the reader's scope, the overdue count at the
end of each of the last twelve months (rebuilt from the history, see as_of) and the units
with the most overdue tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..domain import policy
from ..domain import timeliness as tl
from ..domain.roles import OFFICER, UNIT_LEADER
from ..models import Task, Unit, User
from . import lookups, task_queries
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
    top_units: list[tuple[Unit, tl.TimelinessCounts]]


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


def build(user: User, today: date, due_soon_days: int, directive: str | None = None) -> Dashboard:
    scope = scope_of(user)
    filters = TaskFilters(
        scope=scope.code if scope else None, directive=directive, report_date=today
    )
    counts = task_queries.total_counts(user, filters, due_soon_days)
    trend = [
        (day, task_queries.total_counts(user, filters.with_(report_date=day), due_soon_days))
        for day in month_ends(today)
    ]
    per_unit = task_queries.grouped_counts(user, filters, Task.lead_unit_id, due_soon_days)
    worst = sorted(per_unit.items(), key=lambda item: (-item[1].overdue, item[0]))[:TOP_UNITS]
    units = lookups.units_by_id(uid for uid, _ in worst)
    return Dashboard(
        scope=scope,
        filters=filters,
        counts=counts,
        due_soon=task_queries.due_soon_count(user, filters, due_soon_days),
        trend=[(day, counts_then.overdue) for day, counts_then in trend],
        top_units=[(units[uid], c) for uid, c in worst if c.overdue],
    )
