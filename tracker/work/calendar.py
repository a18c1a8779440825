"""Calendar feeds: each user may create secret iCalendar URLs of their deadlines (their own
tasks, or their unit's), for Outlook, Thunderbird or a phone; and revoke them."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from flask_babel import gettext
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import audit
from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..domain.lifecycle import OPEN_STATUSES, STATUS_LABELS
from ..domain.text import N_
from ..extensions import db
from ..infra import clock, context, mail, page_paths
from ..models import CalendarFeed, Task, User, scopes

SCOPES = {"mine": N_("Tasks assigned to me"), "unit": N_("My unit's tasks")}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(user: User, scope: str) -> str:
    """A new feed; returns the token, shown once (only its hash is stored)."""
    if scope not in SCOPES:
        raise InvalidInput(
            N_("Choose my tasks or my unit's tasks."), field_errors={"scope": [N_("choose one")]}
        )
    token = secrets.token_urlsafe(24)
    feed = CalendarFeed(
        user=user, token_hash=_digest(token), scope=scope, session_token=user.session_token
    )
    db.session.add(feed)
    db.session.flush()
    audit.record(user, "calendar.create", feed, after={"scope": scope})
    db.session.commit()
    return token


def feeds_of(user: User) -> list[CalendarFeed]:
    return list(
        db.session.scalars(
            select(CalendarFeed)
            .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
            .order_by(CalendarFeed.id)
        )
    )


def revoke_feed(user: User, feed: CalendarFeed) -> None:
    if feed.user_id != user.id:
        raise Forbidden(N_("That calendar feed is not yours."))
    feed.revoked_at = clock.now()
    audit.record(user, "calendar.revoke", feed)
    db.session.commit()


def _calendar(user: User, scope: str, tasks: Iterable[Task], base_url: str) -> Calendar:
    """The feed's calendar, its words in the current language."""
    calendar = Calendar()
    calendar.add("prodid", "-//Directive Tracker//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add(
        "x-wr-calname",
        gettext(
            "Deadlines · %(scope)s · %(unit)s", scope=gettext(SCOPES[scope]), unit=user.unit.code
        ),
    )
    stamp = datetime.now(UTC)
    for task in tasks:
        event = Event()
        event.add("uid", f"task-{task.id}-deadline@directive-tracker")
        event.add("dtstamp", stamp)
        event.add("dtstart", task.deadline)
        event.add("dtend", task.deadline + timedelta(days=1))
        event.add(
            "summary", gettext("Deadline %(code)s: %(title)s", code=task.code, title=task.title)
        )
        event.add(
            "description",
            gettext(
                "%(directive)s · lead unit %(unit)s · %(status)s, %(percent)s%% done",
                directive=task.directive.code,
                unit=task.lead_unit.code,
                status=gettext(STATUS_LABELS[task.status]).lower(),
                percent=task.percent_done,
            ),
        )
        event.add("url", f"{base_url}{page_paths.task_page(task.id)}")
        calendar.add_component(event)
    return calendar


def calendar_for(token: str) -> bytes:
    """The iCalendar document of a live feed; NotFound for an unknown or revoked token."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _digest(token)))
    if (
        feed is None
        or feed.revoked_at is not None
        or not feed.user.active
        or feed.session_token != feed.user.session_token
    ):
        raise NotFound(N_("There is no such calendar feed, or it was revoked."))
    user = feed.user
    statement = (
        select(Task)
        .options(joinedload(Task.directive), joinedload(Task.lead_unit))
        .where(Task.status.in_(OPEN_STATUSES), scopes.task_scope_clause(user))
        .order_by(Task.deadline, Task.id)
        .limit(2000)
    )
    if feed.scope == "mine":
        statement = statement.where(Task.owner_id == user.id)
    else:
        statement = statement.where(Task.lead_unit_id == user.unit_id)
    base_url = context.setting("APP_BASE_URL")
    with mail.in_language(user):  # a calendar client's request: the feed owner's language
        calendar = _calendar(user, feed.scope, db.session.scalars(statement), base_url)
    ical: bytes = calendar.to_ical()
    return ical
