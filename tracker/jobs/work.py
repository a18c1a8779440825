"""What a job's work is handed: its progress, and the failure that no retry would mend."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..models import Job, User
from . import records


class Permanent(Exception):
    """A failure that another attempt would not mend; the message is for the asker."""


class Progress:
    """Rows written of the total, written to the job's row at most twice a second."""

    INTERVAL_SECONDS = 0.5

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.total: int | None = None
        self.done = 0
        self._written_at = 0.0

    def set_total(self, total: int) -> None:
        self.total = total
        records.report_progress(self.job_id, self.done, total)
        self._written_at = time.monotonic()

    def __call__(self, done: int) -> None:
        self.done = done
        if time.monotonic() - self._written_at >= self.INTERVAL_SECONDS:
            records.report_progress(self.job_id, done)
            self._written_at = time.monotonic()


# The work of one kind of job: (job, asker, progress) → None.
Work = Callable[[Job, User, Progress], None]
