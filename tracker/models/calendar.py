"""CalendarFeed: a secret URL serving a user's deadlines as iCalendar; revocable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._types import utcnow
from .user import User


class CalendarFeed(Model):
    __tablename__ = "calendar_feed"
    __table_args__ = (CheckConstraint("scope IN ('mine', 'unit')", name="scope_allowed"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # Only the SHA-256 of the token in the URL is kept.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10))  # my tasks, or my unit's
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The owner's session token when the feed was made: a change of their password, role,
    # unit or active flag renews that token, and the feed stops working with it.
    session_token: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()
