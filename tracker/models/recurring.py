"""RecurringTask: a template that creates a task for every month, quarter or half-year."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.periods import FREQUENCIES
from ..extensions import Model, db
from ._types import one_line, prose, sql_in, utcnow
from .directive import Directive
from .unit import Unit
from .user import User


class RecurringTask(Model):
    __tablename__ = "recurring_task"
    __table_args__ = (
        CheckConstraint(f"frequency IN {sql_in(FREQUENCIES)}", name="frequency_allowed"),
        # A deadline before the period starts would make no sense.
        CheckConstraint("days_after_period_end >= -27", name="offset_range"),
        db.UniqueConstraint("directive_id", "code_prefix"),
    )

    # The prefix and title become each occurrence's code and title: one line, as those are.
    _lines = one_line("code_prefix", "title")

    _prose = prose("description")
    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directive.id", ondelete="RESTRICT"))
    code_prefix: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    frequency: Mapped[str] = mapped_column(String(20))
    # The deadline of each occurrence: the last day of its period plus this many days.
    days_after_period_end: Mapped[int] = mapped_column(Integer, default=0)
    starts_on: Mapped[date] = mapped_column(Date)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    directive: Mapped[Directive] = relationship()
    lead_unit: Mapped[Unit] = relationship()
    owner: Mapped[User | None] = relationship()
