"""Browser sessions kept on the server: started at login, ended at logout or when idle for
SESSION_IDLE_MINUTES (default 30) or older than SESSION_MAX_HOURS (default 12), checked on
every request. A password change, deactivation or a new role or unit also ends them all (the
account's session token changes)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..infra import clock, context
from ..models import LoginSession, User


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


def is_open(user_id: int, token: str) -> bool:
    """Whether the browser's session is still open: not logged out, not idle longer than
    SESSION_IDLE_MINUTES, not older than SESSION_MAX_HOURS. An expired one is ended; an open
    one's last sighting is kept to the minute."""
    if not token:
        return False
    session = db.session.scalar(
        select(LoginSession).where(
            LoginSession.user_id == user_id,
            LoginSession.token_hash == _digest(token),
            LoginSession.ended_at.is_(None),
        )
    )
    if session is None:
        return False
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
