"""Today's date in the configured time zone: the day on which deadlines are judged."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..models._types import aware, utcnow

__all__ = ["aware", "local_day", "local_time", "now", "today", "tracker_zone", "utcnow"]
from . import context


def tracker_zone() -> ZoneInfo:
    return ZoneInfo(context.setting("TRACKER_TIMEZONE"))


def today() -> date:
    return datetime.now(tracker_zone()).date()


def local_day(moment: datetime) -> date:
    """The calendar day `moment` falls on in TRACKER_TIMEZONE."""
    return local_time(moment).date()


def now() -> datetime:
    return utcnow()


def local_time(moment: datetime) -> datetime:
    """`moment` in TRACKER_TIMEZONE (naive values are UTC: SQLite)."""
    return aware(moment).astimezone(tracker_zone())


def moment_text(moment: datetime) -> str:
    """`moment` as people read it on a page, in a message or a report's summary: day and
    minute in TRACKER_TIMEZONE (07/12/2026 18:44)."""
    return f"{local_time(moment):%d/%m/%Y %H:%M}"
