"""Comments on a task, and "difficulties and recommendations" a supervisor answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._types import prose, sql_in, utcnow
from .user import User

COMMENT, OBSTACLE = "comment", "obstacle"
COMMENT_KINDS = (COMMENT, OBSTACLE)


class Comment(Model):
    __tablename__ = "comment"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(COMMENT_KINDS)}", name="kind_allowed"),
        CheckConstraint(
            f"answered_at IS NULL OR kind = '{OBSTACLE}'", name="only_obstacles_answered"
        ),
        Index("ix_comment_open_obstacles", "kind", "answered_at"),
    )

    _prose = prose("body", "answer")
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(10), default=COMMENT)
    body: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @hybrid_property
    def is_open_obstacle(self) -> bool:
        """A difficulty not yet answered (also as a condition of a statement)."""
        return self.kind == OBSTACLE and self.answered_at is None

    @is_open_obstacle.inplace.expression
    @classmethod
    def _is_open_obstacle_condition(cls) -> ColumnElement[bool]:
        return and_(cls.kind == OBSTACLE, cls.answered_at.is_(None))
