"""Overdue counts at the end of past days (the dashboard's twelve-month trend), stored once
a day is over so that the trend reads a few thousand rows instead of replaying the history.

A day's figure is the count of tasks whose history entry in force at the day's end left
them open with the deadline already past (reporting/day_ends.py writes and reads them, with
the same rule as the live trend). It cannot change by itself once the day is over: history
entries are only added, dated when written. It changes only when a task's lead unit,
directive or key flag changes (the rows are grouped by today's values, as every as-of
report is) or a history entry is written with a past date; the listener below then deletes
the rows it may affect, in the same transaction, and readers count from the history until
the scheduler stores them again. Rows per day: per lead unit and per directive (each split
by key flag), and one ALL row (the day's total, whose presence says the day is stored).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Boolean, Date, Integer, String, delete, event, inspect
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from ..extensions import Model
from ._types import aware, utcnow
from .past_period import PastPeriodFigures
from .tally import COUNTED_ATTRIBUTES, CountedState, counted_state
from .task import StatusUpdate, Task

ALL = "*"
# A history entry written this long before now is "back-dated" (a bulk load or a test's
# history): the stored days from its day on are deleted.
BACK_DATED = timedelta(hours=36)
GROUPING_ATTRIBUTES = ("lead_unit_id", "directive_id", "is_key")


class OverdueAtDayEnd(Model):
    __tablename__ = "overdue_at_day_end"

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)  # BY_UNIT, BY_DIRECTIVE, ALL
    group_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    is_key: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    overdue: Mapped[int] = mapped_column(Integer, default=0)


def _grouping(state: CountedState) -> tuple[object, ...]:
    return tuple(state[COUNTED_ATTRIBUTES.index(name)] for name in GROUPING_ATTRIBUTES)


@event.listens_for(Session, "after_flush")
def _forget_days_that_changed(session: Session, flush_context: UOWTransaction) -> None:
    """Delete the stored days, and the stored periods (models.past_period), a flush may have
    changed (see the module's docstring). Runs after models.tally's listener has read the
    states it compares."""
    before = session.info.get("tally_before", {})
    first_changed: date | None = None
    for task in session.dirty:
        regrouped = isinstance(task, Task) and task in before
        if regrouped and _grouping(before[task]) != _grouping(counted_state(task)):
            first_changed = date.min
            break
    if first_changed is None:
        long_ago = utcnow() - BACK_DATED
        for entry in (*session.new, *session.dirty):
            if not isinstance(entry, StatusUpdate) or entry.created_at is None:
                continue
            if entry in session.dirty and not inspect(entry).attrs.created_at.history.deleted:
                continue  # an entry's other columns changed, not its moment
            moment = aware(entry.created_at)
            if moment < long_ago:
                day = moment.date() - timedelta(days=1)
                first_changed = day if first_changed is None else min(first_changed, day)
    if first_changed is not None:
        days = OverdueAtDayEnd.__table__
        session.connection().execute(delete(days).where(days.c.day >= first_changed))
        periods = PastPeriodFigures.__table__
        session.connection().execute(delete(periods).where(periods.c.period_end >= first_changed))
