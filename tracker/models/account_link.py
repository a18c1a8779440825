"""AccountLink: a single-use link that lets a person set their password, mailed to them: a
reset they asked for, or an invitation to a new account. Only the SHA-256 of the link's
token is kept; the token itself exists only in the mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._types import sql_in, utcnow
from .user import User

RESET, INVITATION = "reset", "invitation"
LINK_PURPOSES = (RESET, INVITATION)


class AccountLink(Model):
    __tablename__ = "account_link"
    __table_args__ = (CheckConstraint(f"purpose IN {sql_in(LINK_PURPOSES)}", name="purpose_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when the password was set through it, or when a newer link or a password set
    # otherwise replaced it: either way it no longer works.
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Who sent an invitation (None for a reset the person asked for, or the command line).
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
