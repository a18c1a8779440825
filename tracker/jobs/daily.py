"""The scheduled work, as the scheduler (celery beat) runs it: the same functions the CLI
commands call, each idempotent, so a site that also runs them from cron sends nothing
twice. Each returns a one-line summary for the worker's log."""

from __future__ import annotations

import time
from datetime import timedelta

from ..audit import anchors
from ..infra import clock, context
from ..work import notifications, recurring, reminders
from . import import_jobs, queue, records, report_jobs


def send_reminders() -> str:
    today = clock.today()
    run = reminders.send_reminders(today)
    return (
        f"reminders for {today}: {run.sent} sent, {run.skipped} already sent, "
        f"{run.superseded} superseded, {len(run.failed)} failed"
    )


def send_digests() -> str:
    today = clock.today()
    run = reminders.send_digests(today)
    return (
        f"digests for {today}: {run.sent} sent, {run.skipped} already sent, "
        f"{len(run.failed)} failed"
    )


def send_notifications() -> str:
    run = notifications.send_pending()
    return f"notifications: {run.sent} sent, {len(run.failed)} failed (kept for the next run)"


def run_recurring() -> str:
    today = clock.today()
    return f"recurring tasks for {today}: {len(recurring.run(today))} created"


def anchor_audit() -> str:
    written = anchors.anchor("daily")
    return (
        "the audit chain's head could not be anchored"
        if written is None
        else (f"audit chain anchored at seq {written.seq}")
    )


def requeue_stale_jobs() -> str:
    return f"jobs sent again: {queue.requeue_stale() or 'none'}"


def purge_expired_files() -> str:
    """Delete the report files past EXPORT_KEEP_DAYS (their jobs and manifests stay)."""
    purged = 0
    for job in records.expired_files():
        path = report_jobs.file_of(job)
        if path is not None:
            path.unlink(missing_ok=True)
        records.forget_file(job)
        purged += 1
    # Uploads of imports whose job never read them (it failed three times): as long as files.
    keep = timedelta(days=context.setting("EXPORT_KEEP_DAYS")).total_seconds()
    folder = import_jobs.upload_dir()
    for upload in folder.iterdir() if folder.is_dir() else ():
        if time.time() - upload.stat().st_mtime > keep:
            upload.unlink(missing_ok=True)
            purged += 1
    context.log().info("report files and imports purged: %s", purged)
    return f"report files purged: {purged}"
