"""Browser sessions kept on the server: started at login, ended at logout or when idle for
SESSION_IDLE_MINUTES (default 30) or older than SESSION_MAX_HOURS (default 12), checked on
every request. A password change, deactivation or a new role or unit also ends them all (the
account's session token changes)."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..infra import clock, context
from ..models import LoginSession, User
from ..models.notification import unread_of
from . import deputies


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User) -> str:
    """A new session for `user` (committed); `user.get_id()` now names it."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(
        LoginSession(user_id=user.id, token_hash=_digest(token), created_at=now, last_seen_at=now)
    )
    db.session.commit()
    user.login_session_token = token
    return token


@functools.cache
def _signed_in_statement() -> Select[User, LoginSession, bool, int]:
    """The statement of `signed_in`, built once (every signed-in request runs it)."""
    return (
        select(User, LoginSession, deputies.any_in_force(User.id), unread_of(User.id))
        .join(LoginSession, LoginSession.user_id == User.id)
        .options(joinedload(User.unit))
        .where(
            User.id == bindparam("signed_in_user"),
            LoginSession.token_hash == bindparam("session_hash"),
            LoginSession.ended_at.is_(None),
        )
    )


def signed_in(user_id: int, account_token: str, token: str) -> User | None:
    """The user whose browser session `token` is open — the account active, its session
    token still `account_token` (a password, role or unit change voids every session), the
    session not logged out, not idle longer than SESSION_IDLE_MINUTES, not older than
    SESSION_MAX_HOURS — read with the session, the user's unit, whether they are anyone's
    deputy today and their unread notifications (User.unread_at_sign_in, the bell's count)
    in one statement (every signed-in request asks), with the delegations in force applied
    (deputies.apply). An expired session is ended; an open one's last sighting is kept to
    the minute."""
    if not token or not account_token:
        return None
    found = db.session.execute(
        _signed_in_statement(), {"signed_in_user": user_id, "session_hash": _digest(token)}
    ).first()
    if found is None:
        return None
    user, session, deputising, unread = found
    if user.session_token != account_token or not user.active or not _kept_open(session):
        return None
    user.unread_at_sign_in = unread
    return deputies.apply(user, deputising)


def _kept_open(session: LoginSession) -> bool:
    """Whether `session` is within its idle and total limits (ended and committed if not)."""
    config, now = context.settings(), clock.now()
    seen = clock.aware(session.last_seen_at or session.created_at)
    if now - clock.aware(session.created_at) > timedelta(
        hours=config["SESSION_MAX_HOURS"]
    ) or now - seen > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        session.ended_at = now
        db.session.commit()
        return False
    if now - seen >= timedelta(minutes=1):
        session.last_seen_at = now
        db.session.commit()
    return True


def end(token: str) -> None:
    """End one session (logout); committed."""
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _digest(token), LoginSession.ended_at.is_(None))
            .values(ended_at=clock.now())
        )
        db.session.commit()
