"""How many tasks were overdue at the end of past days: the rule, counted from the history
(the dashboard's trend, live), and the stored counts of days already over
(models/day_end.py), written by the scheduler and read by the trend whenever every day it
needs is stored.

A task was overdue at the end of a day when the history entry in force then (the last one
written before the day ended in TRACKER_TIMEZONE) left it open with its deadline already
past (as_of.in_force: the same rule as every past-day report).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
)

from ..domain.lifecycle import OPEN_STATUSES
from ..extensions import db
from ..models import OverdueAtDayEnd, StatusUpdate, Task
from ..models.day_end import ALL
from ..models.tally import BY_DIRECTIVE, BY_UNIT
from . import as_of
from .as_of import AnySelect, SqlExpression
from .kept_counts import KeptSelection


def overdue_at_day_ends(
    days: list[date], *columns: SqlExpression
) -> tuple[AnySelect, SqlExpression]:
    """A statement over Task of (day, *columns, count) rows, one per task overdue at the end
    of each of `days`, still to be narrowed and grouped by (day, *columns); and its day
    column."""
    entries = StatusUpdate.__table__
    calendar = union_all(
        *(
            select(
                literal(day, Date).label("day"),
                literal(as_of.day_end(day), DateTime(timezone=True)).label("day_end"),
            )
            for day in days
        )
    ).subquery("calendar")
    statement = (
        select(calendar.c.day, *columns, func.count())
        .select_from(Task)
        .join(entries, entries.c.task_id == Task.id)
        .join(calendar, as_of.in_force(entries, calendar.c.day_end))
        .where(entries.c.new_status.in_(OPEN_STATUSES), entries.c.deadline < calendar.c.day)
    )
    return statement, calendar.c.day


def as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def store(days: list[date]) -> int:
    """Count and store `days` (each already over) for every task, per lead unit and per
    directive, split by key flag; returns the rows written. On PostgreSQL the table is
    locked first, so that a change deleting stored days waits for this to commit and then
    deletes what it may have changed (SQLite has one writer at a time)."""
    if not days:
        return 0
    table = OverdueAtDayEnd.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("LOCK TABLE overdue_at_day_end IN SHARE ROW EXCLUSIVE MODE"))
    db.session.execute(delete(table).where(table.c.day.in_(days)))
    rows: list[dict[str, Any]] = []
    totals = dict.fromkeys(days, 0)
    for kind, column in ((BY_UNIT, Task.lead_unit_id), (BY_DIRECTIVE, Task.directive_id)):
        statement, day = overdue_at_day_ends(days, column, Task.is_key)
        for when, group_id, is_key, count in db.session.execute(
            statement.group_by(day, column, Task.is_key)
        ):
            when = as_date(when)
            rows.append(
                {
                    "kind": kind,
                    "group_id": group_id,
                    "is_key": bool(is_key),
                    "day": when,
                    "overdue": count,
                }
            )
            if kind == BY_UNIT:
                totals[when] += count
    rows += [
        {"kind": ALL, "group_id": 0, "is_key": False, "day": when, "overdue": total}
        for when, total in totals.items()
    ]
    db.session.execute(insert(table), rows)
    return len(rows)


def days_not_stored(days: list[date]) -> list[date]:
    """Those of `days` with no stored counts yet."""
    marked = select(OverdueAtDayEnd.day).where(
        OverdueAtDayEnd.kind == ALL, OverdueAtDayEnd.day.in_(days)
    )
    done = {as_date(day) for day in db.session.scalars(marked)}
    return [day for day in days if day not in done]


def stored(selection: KeptSelection, days: list[date]) -> dict[date, int] | None:
    """The stored overdue counts of `selection` on `days`, or None when a day is not stored
    (then the caller counts from the history)."""
    if not days:
        return {}
    if selection.everything:
        # Every task: the ALL rows hold the day's total (summing every unit's rows of twelve
        # days read 720,000 rows at 3 million tasks: 0.46 s of the whole tree's dashboard).
        totals = select(OverdueAtDayEnd.day, OverdueAtDayEnd.overdue).where(
            OverdueAtDayEnd.kind == ALL, OverdueAtDayEnd.day.in_(days)
        )
        total_of = {as_date(day): overdue for day, overdue in db.session.execute(totals)}
        return {day: total_of[day] for day in days} if total_of.keys() >= set(days) else None
    # The ALL rows (a day is stored) and the selection's rows as two lookups of the primary
    # key: one condition with OR between them scanned every stored row (730,000 at 3 million
    # tasks: 0.4 s of a unit leader's dashboard).
    on_days = OverdueAtDayEnd.day.in_(days)
    rows = union_all(
        select(OverdueAtDayEnd.day, literal(0).label("overdue"), literal(1).label("marked")).where(
            OverdueAtDayEnd.kind == ALL, on_days
        ),
        select(OverdueAtDayEnd.day, OverdueAtDayEnd.overdue, literal(0)).where(
            selection.condition(OverdueAtDayEnd), on_days
        ),
    ).subquery("stored_rows")
    statement = select(rows.c.day, func.sum(rows.c.overdue), func.max(rows.c.marked)).group_by(
        rows.c.day
    )
    found = {
        as_date(day): (int(count or 0), marked)
        for day, count, marked in db.session.execute(statement)
    }
    if any(not found.get(day, (0, 0))[1] for day in days):
        return None
    return {day: found[day][0] for day in days}
