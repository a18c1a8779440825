"""ReminderSent: one e-mail about one task, step and deadline to one recipient; the unique
key is what makes `reminders send` send nothing twice. DigestSent: one daily digest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._types import utcnow
from .user import User


class ReminderSent(Model):
    __tablename__ = "reminder_sent"
    __table_args__ = (
        # The deadline is part of the key: an extension arms the reminders again.
        UniqueConstraint("task_id", "step", "deadline", "recipient"),
        Index("ix_reminder_sent_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(30))  # before-7, before-1, overdue, escalation-14
    deadline: Mapped[date] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship()


class DigestSent(Model):
    """One daily digest to one user on one day: the key keeps it to once a day."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    tasks: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
