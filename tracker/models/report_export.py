"""ReportExport: the manifest of one generated report file (CSV, XLSX or PDF).

It keeps the SHA-256 of the file's bytes and the head of the audit chain when the file was
made, so that an auditor handed the file later can prove it is what the tracker produced and
which state of the record it reflects. Each row is also an event in the sealed audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._types import utcnow
from .user import User

FILE_FORMATS = ("csv", "xlsx", "pdf")


class ReportExport(Model):
    __tablename__ = "report_export"
    __table_args__ = (
        CheckConstraint("file_format IN ('csv', 'xlsx', 'pdf')", name="format_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report: Mapped[str] = mapped_column(String(40))  # tasks, period, league, directive
    file_format: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(200))
    # The query-string arguments the report was made with (filters, period, as-of date).
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    chain_seq: Mapped[int] = mapped_column(Integer)
    chain_hash: Mapped[str] = mapped_column(String(64))
    generated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    generated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    generated_by: Mapped[User | None] = relationship()
