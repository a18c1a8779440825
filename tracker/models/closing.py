"""PeriodClosing: a period report frozen by a supervisor or admin, and ClosingTask, each
task's state at the close. Later changes never alter a closing; comparing its ClosingTask
rows with the tasks today is the "changes since close" view."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._types import utcnow
from .directive import Directive
from .unit import Unit
from .user import User

# The unique key of a closing (one per period and scope), as a refused insert names it.
ONE_CLOSING_PER_SCOPE = "one_closing_per_scope"


class PeriodClosing(Model):
    __tablename__ = "period_closing"
    __table_args__ = (
        CheckConstraint("period_end >= period_start", name="period_order"),
        # One closing per period and scope: "" stands for "all" so that the key is unique.
        UniqueConstraint("period_start", "period_end", "scope_key", name=ONE_CLOSING_PER_SCOPE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    # The scope: a directive and/or a unit's subtree, key tasks only or all; null = all.
    directive_id: Mapped[int | None] = mapped_column(
        ForeignKey("directive.id", ondelete="RESTRICT")
    )
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    key_only: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline_basis: Mapped[str] = mapped_column(String(10), default="current")
    scope_key: Mapped[str] = mapped_column(String(200))
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The period report as it stood: {"rows": [...], "totals": [...], "summary": [...]}.
    # Read only where the report is shown or written out (a national close's is 3 MB of
    # JSON at 3 million tasks: the list of closings read every one's, 73 ms for one).
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    task_count: Mapped[int] = mapped_column(Integer, default=0)
    chain_seq: Mapped[int] = mapped_column(Integer)
    chain_hash: Mapped[str] = mapped_column(String(64))
    # The last history entry written when it was closed (in the close's snapshot): the
    # entries after it are what moved since (reporting/closings.changes_since).
    history_mark: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    directive: Mapped[Directive | None] = relationship()
    scope_unit: Mapped[Unit | None] = relationship()
    closed_by: Mapped[User | None] = relationship()


class ClosingTask(Model):
    """A task as it stood in a closed period's report. No foreign key to the task: the
    snapshot outlives anything that happens to the task."""

    __tablename__ = "closing_task"

    closing_id: Mapped[int] = mapped_column(
        ForeignKey("period_closing.id", ondelete="CASCADE"), primary_key=True
    )
    task_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    lead_unit_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    deadline: Mapped[date] = mapped_column(Date)
    percent_done: Mapped[int] = mapped_column(SmallInteger)
    timeliness: Mapped[str | None] = mapped_column(String(20))
