"""Browser sessions kept on the server: started at login, ended at logout, checked on every
request. A password change, deactivation or a new role or unit also ends them all (the
account's session token changes)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update

from ..extensions import db
from ..models import LoginSession, User
from . import clock


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User) -> str:
    """A new session for `user` (committed); `user.get_id()` now names it."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_digest(token)))
    db.session.commit()
    user.login_session_token = token
    return token


def is_open(user_id: int, token: str) -> bool:
    return bool(token) and (
        db.session.scalar(
            select(LoginSession.id).where(
                LoginSession.user_id == user_id,
                LoginSession.token_hash == _digest(token),
                LoginSession.ended_at.is_(None),
            )
        )
        is not None
    )


def end(token: str) -> None:
    """End one session (logout); committed."""
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _digest(token), LoginSession.ended_at.is_(None))
            .values(ended_at=clock.now())
        )
        db.session.commit()
