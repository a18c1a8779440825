"""Reporting periods: months, quarters and half-years, their labels and bounds."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

MONTHLY, QUARTERLY, HALF_YEARLY = "monthly", "quarterly", "half_yearly"
FREQUENCIES = (MONTHLY, QUARTERLY, HALF_YEARLY)
FREQUENCY_LABELS = {
    MONTHLY: "Every month",
    QUARTERLY: "Every quarter",
    HALF_YEARLY: "Every six months",
}
_MONTHS = {MONTHLY: 1, QUARTERLY: 3, HALF_YEARLY: 6}


def period_of(day: date, frequency: str) -> tuple[date, date]:
    """The first and last day of the period of `frequency` that contains `day`."""
    length = _MONTHS[frequency]
    first_month = (day.month - 1) // length * length + 1
    last_month = first_month + length - 1
    return date(day.year, first_month, 1), date(
        day.year, last_month, monthrange(day.year, last_month)[1]
    )


def label(start: date, frequency: str) -> str:
    """2026-03 (a month), 2026Q1 (a quarter), 2026H1 (a half-year)."""
    if frequency == MONTHLY:
        return f"{start.year}-{start.month:02d}"
    if frequency == QUARTERLY:
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}H{(start.month - 1) // 6 + 1}"


def periods_between(first_day: date, last_day: date, frequency: str) -> list[tuple[date, date]]:
    """Every period from the one containing `first_day` to the one containing `last_day`."""
    result = []
    start, end = period_of(first_day, frequency)
    while start <= last_day:
        result.append((start, end))
        following = date(end.year + (end.month == 12), end.month % 12 + 1, 1)
        start, end = period_of(following, frequency)
    return result
