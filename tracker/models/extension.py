"""ExtensionRequest: a unit asks for a later deadline; a supervisor decides. A request still
pending when its task is closed (completed or cancelled) lapses: nobody decided it, and no
one can any more."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._types import prose, sql_in, utcnow
from .user import User

PENDING, APPROVED, REJECTED, LAPSED = "pending", "approved", "rejected", "lapsed"
EXTENSION_STATUSES = (PENDING, APPROVED, REJECTED, LAPSED)


class ExtensionRequest(Model):
    __tablename__ = "extension_request"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(EXTENSION_STATUSES)}", name="status_allowed"),
        CheckConstraint("requested_deadline > previous_deadline", name="later_deadline"),
        CheckConstraint(
            f"(status = '{PENDING}' AND decided_at IS NULL) "
            f"OR (status <> '{PENDING}' AND decided_at IS NOT NULL)",
            name="decided_iff_not_pending",
        ),
        Index("ix_extension_request_status", "status"),
    )

    _prose = prose("reason", "decision_comment")
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The deadline when the request was made, and the one asked for.
    previous_deadline: Mapped[date] = mapped_column(Date)
    requested_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_comment: Mapped[str] = mapped_column(Text, default="")

    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
