"""One attempt at a job: taken by this worker, run in the asker's language and under the id
of the request that started it, its progress written as it goes, and then finished once or
failed with a reason the asker can read. A job that fails JOBS_MAX_ATTEMPTS times stays
failed; a refusal of the rules (the asker lost the right, the directive is gone) fails at
once."""

from __future__ import annotations

import time

from flask_babel import force_locale, gettext

from ..domain.errors import DomainError
from ..extensions import db
from ..infra import context, i18n, metrics
from ..models import User
from . import records
from .work import Permanent, Progress, Work

RUN_AGAIN, FINISHED = "again", "finished"


def _kinds() -> dict[str, Work]:
    """A job's kind → the function that does it; it finishes the job itself, with
    records.claim_completion in its own transaction."""
    from . import close_jobs, import_jobs, report_jobs

    return {
        "report": report_jobs.make_file,
        "import": import_jobs.run_file,
        "close": close_jobs.run_close,
    }


def run(job_id: int) -> str:
    """One attempt: FINISHED when the job is done or failed (or not this worker's to run),
    RUN_AGAIN when it failed and has attempts left."""
    job = records.start(job_id)
    if job is None:
        return FINISHED
    final_attempt = job.attempts >= context.setting("JOBS_MAX_ATTEMPTS")
    language, kind, started = job.language, job.kind, time.monotonic()
    try:
        with context.on_behalf_of_request(job.request_id), force_locale(language):
            asker = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
            if asker is None or not asker.active:
                raise Permanent(gettext("The account that asked for this is no longer active."))
            _kinds()[job.kind](job, asker, Progress(job_id))
        _measure(kind, "done", started)
        return FINISHED
    except (Permanent, DomainError) as error:
        with force_locale(language):
            if isinstance(error, DomainError):
                reason = i18n.describe(error)
            else:  # a catalogue entry (or words already in the asker's language)
                reason = i18n.translated(error.args[0]) if error.args else str(error)
        records.give_back(job_id, reason, final=True)
        context.log().warning("job %s refused: %s", job_id, reason)
        _measure(kind, "failed", started)
        return FINISHED
    except Exception as error:  # noqa: BLE001 - any fault: kept as the reason, tried again
        with force_locale(language):
            reason = _reason(error)
        records.give_back(job_id, reason, final=final_attempt)
        context.log().exception("job %s failed (attempt %s)", job_id, job.attempts)
        _measure(kind, "failed" if final_attempt else "retried", started)
        return FINISHED if final_attempt else RUN_AGAIN


def _measure(kind: str, outcome: str, started: float) -> None:
    metrics.JOBS.labels(kind, outcome).inc()
    metrics.JOB_SECONDS.labels(kind, outcome).observe(time.monotonic() - started)


def _reason(error: Exception) -> str:
    """What the asker reads of a fault: the disk's words for a file that could not be
    written, otherwise the kind of fault (the log has the rest)."""
    if isinstance(error, OSError):
        return str(
            gettext(
                "The file could not be written on the server: %(problem)s.",
                problem=error.strerror or error.__class__.__name__,
            )
        )
    return str(
        gettext(
            "The work stopped on an error on the server (%(kind)s); the log has the details.",
            kind=error.__class__.__name__,
        )
    )


def run_to_the_end(job_id: int, pause_seconds: float = 1.0) -> None:
    """Attempt after attempt until the job is finished (a thread, or inside a request)."""
    while run(job_id) == RUN_AGAIN:
        time.sleep(pause_seconds)
