"""Today's date in the configured time zone: the day on which deadlines are judged."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from ..models._types import utcnow
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


def aware(moment: datetime) -> datetime:
    """`moment` with its time zone (naive values are UTC: SQLite)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_time(moment: datetime) -> datetime:
    """`moment` in TRACKER_TIMEZONE (naive values are UTC: SQLite)."""
    return aware(moment).astimezone(tracker_zone())
