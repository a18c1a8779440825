"""Job: one piece of background work a person asked for (a report file, an import, a period
close), and the state they see of it: queued, running with its progress, done with its file
(or its closed report), or failed with the reason. The row is the truth: the broker only
carries the job's id, so the state survives a broker restart and every web server shows the
same."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._types import utcnow
from .report_export import ReportExport
from .user import User

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
JOB_STATES = (QUEUED, RUNNING, DONE, FAILED)
JOB_KINDS = ("report", "import", "close")


class Job(Model):
    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
        CheckConstraint("kind IN ('report', 'import', 'close')", name="kind_known"),
        CheckConstraint("progress_done >= 0", name="progress_not_negative"),
        # The same report asked again: found by its fingerprint among the asker's jobs.
        Index("ix_job_fingerprint", "requested_by_id", "fingerprint"),
        # Jobs whose worker went quiet, and files past their keeping date.
        Index("ix_job_status_heartbeat", "status", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # What to make: for a report, its name, file format and query-string arguments.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # SHA-256 of what was asked, in which language, on which day, over which state of the data.
    fingerprint: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE")
    )
    request_id: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # What the work found, for the page that shows it (an import's report).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The finished file: its name for people, where it lies under EXPORT_DIR, its digest.
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_path: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    export_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_export.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Written with every progress step: a running job whose heartbeat stops was lost.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    requested_by: Mapped[User | None] = relationship()
    export: Mapped[ReportExport | None] = relationship()

    @property
    def progress(self) -> float:
        """From 0 to 1: rows written of the total (1 once done)."""
        if self.status == DONE:
            return 1.0
        if not self.progress_total:
            return 0.0
        return min(1.0, self.progress_done / self.progress_total)

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)
