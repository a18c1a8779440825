"""Notification: something a person is told about a task (an urging notice, a send-back, an
extension decision, an answer to a difficulty, an assignment, an administrator's deadline
change). Written in the same transaction as the change that causes it, so it is an outbox:
the bell shows it at once, and `flask notifications send` mails it later, exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    ScalarSelect,
    SQLColumnExpression,
    String,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._types import sql_in, utcnow
from .task import Task
from .user import User

# What happened; the text is chosen (and translated) where it is shown or mailed.
NOTIFICATION_KINDS = (
    "urging.issued",
    "task.sent_back",
    "extension.approved",
    "extension.rejected",
    "obstacle.answered",
    "task.assigned",
    "deadline.changed",
    "task.given_to_unit",
    "tasks.imported",
    "task.taken_from_you",
)
# The e-mail of a notification: waiting to be sent, sent, or not to be sent (the recipient
# has no address or turned e-mail off when it was written).
MAIL_PENDING, MAIL_SENT, MAIL_SKIPPED = "pending", "sent", "skipped"
MAIL_STATES = (MAIL_PENDING, MAIL_SENT, MAIL_SKIPPED)


class Notification(Model):
    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(NOTIFICATION_KINDS)}", name="kind_allowed"),
        CheckConstraint(f"mail_state IN {sql_in(MAIL_STATES)}", name="mail_state_allowed"),
        # The bell: a person's unread notifications, newest first.
        Index("ix_notification_unread", "recipient_id", "read_at"),
        # The mailer's queue.
        Index("ix_notification_mail_state", "mail_state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    # The values its text is filled with: codes, dates as dd/mm/yyyy, a number, a reason.
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mail_state: Mapped[str] = mapped_column(String(10), default=MAIL_PENDING)
    mailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mail_attempts: Mapped[int] = mapped_column(default=0)
    mail_error: Mapped[str | None] = mapped_column(String(300))

    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    task: Mapped[Task | None] = relationship()


def unread_of(recipient_id: SQLColumnExpression[int] | int) -> ScalarSelect[int]:
    """How many of the person's notifications are unread: the bell's count (read with the
    signed-in person's session by accounts.login_sessions, alone by
    work.notifications.unread_count)."""
    return (
        select(func.count(Notification.id))
        .where(Notification.recipient_id == recipient_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
