"""UrgingNotice: a supervisor's numbered notice urging the owner of an overdue task."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import Model
from ._types import prose, utcnow
from .user import User


class UrgingNotice(Model):
    __tablename__ = "urging_notice"
    __table_args__ = (
        # Numbers run per year: 2026/0001, 2026/0002 …; the database keeps them unique.
        UniqueConstraint("year", "sequence"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
    )

    _prose = prose("text")
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    issued_by: Mapped[User | None] = relationship()

    @property
    def number(self) -> str:
        return self.number_of(self.year, self.sequence)

    @staticmethod
    def number_of(year: int, sequence: int) -> str:
        """A notice's number as people quote it: 2026/0001."""
        return f"{year}/{sequence:04d}"

    @classmethod
    def number_sql(cls) -> ColumnElement[str]:
        """`number_of` in SQL (PostgreSQL: lpad), for the CSV the database writes."""
        number: ColumnElement[str] = (
            cls.year.cast(String) + "/" + func.lpad(cls.sequence.cast(String), 4, "0")
        )
        return number
