"""The period report's figures of periods that are over, stored per lead unit and per
directive (each split by key flag), so that a past month, quarter, half-year, nine months or
year is read from a few thousand rows instead of the history of every task.

A period's figures are taken as the record stood at the end of its last day (see
reporting/period_reports.py). Once that day is over they cannot change by themselves:
history entries are only added, dated when written, and a completion is final. They change
only as the stored overdue counts of past days do (models/day_end.py, whose listener deletes
both): a task's lead unit, directive or key flag changes (the rows are grouped by today's
values, as every as-of report is), or a history entry is written with a past date (which
also moves a task's first-recorded moment). Then the rows of the periods that may have
changed are deleted in the same transaction, and readers count from the history until the
scheduler stores them again (reporting/past_periods.py). Only the current deadline's
figures are stored: a report judged against original deadlines is counted.

One ALL row per stored period says it is stored (its figures are the period's totals).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class PastPeriodFigures(Model):
    __tablename__ = "past_period_figures"

    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    period_end: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(1), primary_key=True)  # BY_UNIT, BY_DIRECTIVE, ALL
    group_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    is_key: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    # The figures of reporting.period_reports.PeriodFigures, in its order.
    assigned: Mapped[int] = mapped_column(Integer, default=0)
    due: Mapped[int] = mapped_column(Integer, default=0)
    completed_on_time: Mapped[int] = mapped_column(Integer, default=0)
    completed_late: Mapped[int] = mapped_column(Integer, default=0)
    within_deadline: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    due_completed_on_time: Mapped[int] = mapped_column(Integer, default=0)
    due_completed_late: Mapped[int] = mapped_column(Integer, default=0)
    due_overdue: Mapped[int] = mapped_column(Integer, default=0)
