"""AuditEvent: the append-only record of every change (who, what, before/after, when)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._types import utcnow
from .user import User


class AuditEvent(Model):
    __tablename__ = "audit_event"
    # The trail's filters each with its order (newest first, by seq), so that a page of one
    # actor's or one object's events is read from its own range of an index: ordered by seq
    # alone, a rare actor's events were found by walking the whole trail backwards (474 ms
    # among 3 million events).
    __table_args__ = (
        Index("ix_audit_event_object", "object_type", "object_id", "seq"),
        Index("ix_audit_event_actor_username", "actor_username", "seq"),
        Index("ix_audit_event_actor_id", "actor_id", "seq"),
        # The trail between two dates, newest first (audit.queries.audit_query orders a
        # dated selection by its moment, then seq): one range of this index.
        Index("ix_audit_event_created_at", "created_at", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the hash chain (1, 2, 3 …), the previous event's hash and this one's.
    seq: Mapped[int] = mapped_column(unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Kept as text too, so the record still names the actor if the account is ever removed.
    actor_username: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column()
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    request_id: Mapped[str] = mapped_column(String(64), default="")

    actor: Mapped[User | None] = relationship()


class AuditHead(Model):
    """The one row that holds the end of the chain. Every audited write updates it first,
    which serialises the writers (a row lock on PostgreSQL, the write lock on SQLite), so
    concurrent changes still make one chain; and deleting the last events shows."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
