"""LoginSession: one signed-in browser. The session cookie (and the remember-me cookie)
carry a random id whose SHA-256 is kept here; logging out ends the row, so a copy of the old
cookie replayed later signs nobody in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._types import utcnow


class LoginSession(Model):
    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the browser was last seen (kept to the minute): a session idle for
    # SESSION_IDLE_MINUTES, or older than SESSION_MAX_HOURS, is over.
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
