"""Reporting periods: months, quarters and half-years, their labels and bounds."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from .text import N_, Text

MONTHLY, QUARTERLY, HALF_YEARLY = "monthly", "quarterly", "half_yearly"
FREQUENCIES = (MONTHLY, QUARTERLY, HALF_YEARLY)
FREQUENCY_LABELS = {
    MONTHLY: N_("Every month"),
    QUARTERLY: N_("Every quarter"),
    HALF_YEARLY: N_("Every six months"),
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


# The parts of a year a period report is chosen by (year and part: "2026" and "Q4"), in the
# order a person looks for them; "" is the whole year.
PERIOD_PARTS = (
    ("", N_("Whole year")),
    ("H1", N_("First half-year")),
    ("H2", N_("Second half-year")),
    ("Q1", N_("Quarter 1")),
    ("Q2", N_("Quarter 2")),
    ("Q3", N_("Quarter 3")),
    ("Q4", N_("Quarter 4")),
    ("9M", N_("First nine months")),
    *((f"{month:02d}", N_("Month %(number)s").fill(number=month)) for month in range(1, 13)),
)


def chosen_period(year: str | None, part: str | None) -> str:
    """The period written as parse_period reads it, from a year and a part of it."""
    return f"{year}-{part}" if part else (year or "")


def split_period(text: str | None) -> tuple[str, str]:
    """(year, part) of a period written as parse_period reads it, for the choosers."""
    year, _, part = (text or "").strip().upper().partition("-")
    return year, part


class PeriodError(ValueError):
    """A period written in a way this module does not read; the message says how to write it."""


PERIOD_HELP = N_(
    "write a year (2025), a month (2025-09), a quarter (2025-Q3), a half-year (2025-H1), "
    "the first nine months (2025-9M), or give from and to dates"
)


def _not_a_period(text: str) -> PeriodError:
    """The refusal of `text` as a period, a catalogue entry with its values (translated where
    it is shown)."""
    return PeriodError(
        N_("“%(text)s” is not a period: %(help)s.").fill(text=text, help=PERIOD_HELP)
    )


def parse_period(text: str) -> tuple[date, date]:
    """The first and last day of a period written as 2025, 2025-09, 2025-Q3, 2025-H2 or
    2025-9M (January to September); PeriodError otherwise."""
    text = (text or "").strip().upper()
    year_text, _, part = text.partition("-")
    if not (year_text.isdigit() and len(year_text) == 4):
        raise _not_a_period(text)
    year = int(year_text)
    if not part:
        return date(year, 1, 1), date(year, 12, 31)
    months = _months_of(part)
    if months is None:
        raise _not_a_period(text)
    first, last = months
    return date(year, first, 1), date(year, last, monthrange(year, last)[1])


def _months_of(part: str) -> tuple[int, int] | None:
    if part.isdigit() and 1 <= int(part) <= 12:
        return int(part), int(part)
    if part in ("Q1", "Q2", "Q3", "Q4"):
        quarter = int(part[1])
        return quarter * 3 - 2, quarter * 3
    if part in ("H1", "H2"):
        return (1, 6) if part == "H1" else (7, 12)
    if part in ("6M", "9M"):
        return 1, int(part[0])
    return None


def describe(start: date, end: date) -> str:
    """A period's name for titles: 'Q3 2025', 'first nine months of 2025', '01/07/2025–...'."""
    return str(describe_text(start, end))


def describe_text(start: date, end: date) -> Text:
    """describe() as a Text: English when read as a string, translated where it is shown."""
    whole_months = start.day == 1 and end.day == monthrange(end.year, end.month)[1]
    if whole_months and start.year == end.year:
        months = (start.month, end.month)
        names = {
            (1, 12): N_("year %(year)s"),
            (1, 6): N_("first six months of %(year)s"),
            (7, 12): N_("last six months of %(year)s"),
            (1, 9): N_("first nine months of %(year)s"),
        }
        if months in names:
            return names[months].fill(year=start.year)
        if start.month == end.month:
            return Text("%(month)s").fill(month=f"{start:%m/%Y}")
        if end.month - start.month == 2 and start.month % 3 == 1:
            return N_("Q%(quarter)s %(year)s").fill(quarter=(start.month + 2) // 3, year=start.year)
    return Text("%(start)s–%(end)s").fill(start=f"{start:%d/%m/%Y}", end=f"{end:%d/%m/%Y}")
