"""The Job rows: created, started (by one worker at a time), moved forward, finished once,
failed with a reason, found again for the same request, found stale, and expired."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.exc import OperationalError

from ..domain import policy
from ..extensions import db
from ..infra import clock, context
from ..models import Job, User
from ..models.job import DONE, FAILED, QUEUED, RUNNING


def fingerprint(*parts: object) -> str:
    """SHA-256 of what a job was asked to do (JSON of its parts, keys sorted)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create(
    user: User,
    kind: str,
    parameters: Mapping[str, object],
    language: str,
    print_: str,
    file_name: str,
) -> Job:
    """A queued job that will make `file_name`; commits, so that a worker anywhere can
    read it."""
    job = Job(
        kind=kind,
        file_name=file_name,
        parameters=dict(parameters),
        fingerprint=print_,
        language=language,
        requested_by_id=user.id,
        request_id=context.request_id()[:64],
        status=QUEUED,
        heartbeat_at=clock.now(),
    )
    db.session.add(job)
    db.session.commit()
    return job


def reusable(user: User, print_: str) -> Job | None:
    """The asker's newest job with this fingerprint that is on its way or whose file is
    still kept."""
    job: Job | None = db.session.scalar(
        select(Job)
        .where(
            Job.requested_by_id == user.id,
            Job.fingerprint == print_,
            Job.status.in_((QUEUED, RUNNING, DONE)),
        )
        .order_by(Job.id.desc())
        .limit(1)
    )
    if job is None or (job.status == DONE and (job.file_path is None or _expired(job))):
        return None
    return job


def on_its_way(print_: str) -> Job | None:
    """Anyone's newest job with this fingerprint that is queued or running."""
    job: Job | None = db.session.scalar(
        select(Job)
        .where(Job.fingerprint == print_, Job.status.in_((QUEUED, RUNNING)))
        .order_by(Job.id.desc())
        .limit(1)
    )
    return job


def _expired(job: Job) -> bool:
    return job.expires_at is not None and clock.aware(job.expires_at) <= clock.now()


def _stale_before() -> datetime:
    return clock.now() - timedelta(seconds=context.setting("JOBS_STALE_SECONDS"))


def start(job_id: int) -> Job | None:
    """Take the job for this worker: queued, or running with a heartbeat gone quiet (its
    worker died). None when it is finished, missing, or another worker is on it. One
    conditional UPDATE, so two workers handed the same job cannot both take it."""
    now = clock.now()
    taken: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(Job)
        .where(
            Job.id == job_id,
            or_(
                Job.status == QUEUED,
                and_(Job.status == RUNNING, Job.heartbeat_at < _stale_before()),
            ),
        )
        .values(
            status=RUNNING,
            attempts=Job.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            progress_done=0,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    return find(job_id)


def report_progress(job_id: int, done: int, total: int | None = None) -> None:
    """Rows written so far (and the total, once known), and the heartbeat; written on a
    connection of its own, so it is seen at once while the job's reading goes on. Progress
    is a courtesy: on SQLite, while an import holds the one write lock, it is skipped (the
    page shows the report when the import ends)."""
    values: dict[str, object] = {"progress_done": done, "heartbeat_at": clock.now()}
    if total is not None:
        values["progress_total"] = total
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # SQLite has one writer: never wait for it (an import holds it to the end)
            connection.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            connection.execute(
                update(Job.__table__)
                .where(Job.__table__.c.id == job_id, Job.__table__.c.status == RUNNING)
                .values(**values)
            )
            connection.commit()
        except OperationalError:  # the database is being written: the next step will tell
            connection.rollback()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA busy_timeout=5000")


def claim_completion(job_id: int, **result: object) -> bool:
    """Mark the job done with its result, in the caller's transaction, unless another
    attempt finished it first (False: discard this attempt's work)."""
    now = clock.now()
    done: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(Job)
        .where(Job.id == job_id, Job.status != DONE)
        .values(
            status=DONE,
            finished_at=now,
            heartbeat_at=now,
            error=None,
            expires_at=now + timedelta(days=context.setting("EXPORT_KEEP_DAYS")),
            **result,
        )
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def give_back(job_id: int, reason: str, final: bool) -> None:
    """An attempt failed: the job is failed with `reason` (final) or queued again."""
    db.session.rollback()
    db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status != DONE)
        .values(
            status=FAILED if final else QUEUED,
            error=reason[:2000],
            finished_at=clock.now() if final else None,
            heartbeat_at=clock.now(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def stale() -> list[int]:
    """Jobs a worker should be on and is not: running with a heartbeat gone quiet, or queued
    for longer than that (their message lost with the broker)."""
    before = _stale_before()
    return list(
        db.session.scalars(
            select(Job.id)
            .where(Job.status.in_((QUEUED, RUNNING)), Job.heartbeat_at < before)
            .order_by(Job.id)
        )
    )


def touch(job_ids: list[int]) -> None:
    """Queued again just now (by the reaper): the heartbeat starts over."""
    if job_ids:
        db.session.execute(
            update(Job)
            .where(Job.id.in_(job_ids), Job.status == QUEUED)
            .values(heartbeat_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def expired_files() -> list[Job]:
    """Finished jobs whose file is past its keeping date."""
    return list(
        db.session.scalars(
            select(Job).where(
                Job.file_path.is_not(None),
                Job.expires_at.is_not(None),
                Job.expires_at <= clock.now(),
            )
        )
    )


def forget_file(job: Job) -> None:
    job.file_path = None
    db.session.commit()


def of_user(user: User, limit: int = 50) -> list[Job]:
    return list(
        db.session.scalars(
            select(Job).where(Job.requested_by_id == user.id).order_by(Job.id.desc()).limit(limit)
        )
    )


def visible_to(user: User, job_id: int, kind: str | None = None) -> Job | None:
    """The job (of this kind), if it is the reader's to see: the asker's, or any for an
    admin (policy.can_see_job); None otherwise, as if it did not exist."""
    job = find(job_id)
    if job is None or (kind is not None and job.kind != kind):
        return None
    return job if policy.can_see_job(user, job.requested_by_id) else None


def find(job_id: int) -> Job | None:
    """The job as it is now in the database (another process may have moved it)."""
    job: Job | None = db.session.get(Job, job_id, populate_existing=True)
    return job


def counts_by_state() -> list[tuple[str, str, int]]:
    """(kind, state, how many) of every job kept."""
    rows = db.session.execute(
        select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)
    )
    return [(kind, state, count) for kind, state, count in rows]
