"""Evidence of a task's output: an uploaded file (stored under instance/) or a link."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._types import prose, utcnow
from .user import User

if TYPE_CHECKING:
    from .task import StatusUpdate

EVIDENCE_KINDS = ("file", "link")


class Evidence(Model):
    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint("kind IN ('file', 'link')", name="kind_allowed"),
        CheckConstraint(
            "(kind = 'file' AND stored_name IS NOT NULL AND url IS NULL) "
            "OR (kind = 'link' AND url IS NOT NULL AND stored_name IS NULL)",
            name="file_or_link",
        ),
    )

    _prose = prose("original_name", "note")
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    # The progress report it came with, if any (a submission's evidence).
    status_update_id: Mapped[int | None] = mapped_column(
        ForeignKey("status_update.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    url: Mapped[str | None] = mapped_column(String(500))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    # Random name of the file under UPLOAD_DIR; never derived from what the user sent.
    stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(120), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    added_by: Mapped[User | None] = relationship()
    status_update: Mapped[StatusUpdate | None] = relationship(back_populates="evidence")

    @property
    def label(self) -> str:
        return self.original_name if self.kind == "file" else (self.url or "")
