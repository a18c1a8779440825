"""Days as people write them: dd/mm/yyyy (as every page shows them) or yyyy-mm-dd (as links
and programs write them). One reader for forms, filters, links and imports."""

from __future__ import annotations

from datetime import date, datetime

from .text import N_, Text

DAY_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
# The days the tracker works with: a deadline of 9999-12-31 once broke the timeline and the
# calendar feeds for everyone. Every day read (forms, filters, links, the API, imports) and
# every deadline written stays within these years.
FIRST_YEAR, LAST_YEAR = 1990, 2100


def in_range(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def day_problem(day: date | None) -> Text | None:
    """What is wrong with `day` (outside the tracker's years), or None: the one refusal that
    forms, API bodies and services give."""
    return YEARS_PROBLEM if day is not None and not in_range(day) else None


def parse_day(text: str) -> date:
    """The day `text` names, written dd/mm/yyyy (or d/m/yyyy) or yyyy-mm-dd; ValueError
    otherwise."""
    text = (text or "").strip()
    for pattern in DAY_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if not in_range(day):
            raise ValueError(f"{text!r} is not between {FIRST_YEAR} and {LAST_YEAR}")
        return day
    raise ValueError(f"{text!r} is not a day written dd/mm/yyyy or yyyy-mm-dd")


YEARS_PROBLEM = N_("a day between %(first)s and %(last)s").fill(first=FIRST_YEAR, last=LAST_YEAR)
# What a day field answers to text that names no day (31/02/2027, "ngày mai"): the reason,
# not "give the day", which a required field would say instead.
NOT_A_DAY = N_("%(typed)s is not a day: write it dd/mm/yyyy, as 31/03/2026.")


def not_a_day(typed: str) -> Text:
    """The refusal of `typed` (cut to 40 characters) as a day."""
    return NOT_A_DAY.fill(typed=typed.strip()[:40])
