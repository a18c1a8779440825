"""The scheduled work, as the scheduler (celery beat) runs it: the same functions the CLI
commands call, each idempotent, so a site that also runs them from cron sends nothing
twice. Each returns a one-line summary for the worker's log, in the words the CLI prints
(the `*_summary` functions serve both)."""

from __future__ import annotations

import time
from datetime import date, timedelta

from ..audit import anchors
from ..extensions import db
from ..infra import clock, context
from ..models import Task, tally
from ..reporting import dashboard, day_ends, period_reports
from ..work import notifications, recurring, reminders
from . import import_jobs, queue, records, report_jobs


def reminders_summary(today: date, run: reminders.RunReport) -> str:
    return (
        f"Reminders for {today.isoformat()}: {run.sent} sent, {run.skipped} already sent, "
        f"{run.superseded} superseded by a nearer step, {len(run.failed)} failed."
    )


def digests_summary(today: date, run: reminders.RunReport) -> str:
    return (
        f"Digests for {today.isoformat()}: {run.sent} sent, {run.skipped} already sent, "
        f"{len(run.failed)} failed."
    )


def notifications_summary(run: notifications.MailRun) -> str:
    return f"Notifications: {run.sent} sent, {len(run.failed)} failed (kept for the next run)."


def recurring_summary(today: date, created: list[Task]) -> str:
    return f"Recurring tasks for {today.isoformat()}: {len(created)} created."


def send_reminders() -> str:
    today = clock.today()
    return reminders_summary(today, reminders.send_reminders(today))


def send_digests() -> str:
    today = clock.today()
    return digests_summary(today, reminders.send_digests(today))


def send_notifications() -> str:
    return notifications_summary(notifications.send_pending())


def run_recurring() -> str:
    today = clock.today()
    return recurring_summary(today, recurring.run(today))


def anchor_audit() -> str:
    written = anchors.anchor("daily")
    return (
        "the audit chain's head could not be anchored"
        if written is None
        else (f"audit chain anchored at seq {written.seq}")
    )


def keep_counts() -> str:
    """The nightly care of the kept counts: fold the deadline rows of days before yesterday
    into their summary rows (fewer rows for today's reports to sum; no figure changes),
    store the overdue counts of the dashboard trend's month ends not stored yet, and the
    figures of the standard periods over and not stored yet (period_reports.store)."""
    today = clock.today()
    folded = tally.fold(today - timedelta(days=1))
    db.session.commit()
    missing = day_ends.days_not_stored(dashboard.month_ends(today)[:-1])
    day_ends.store(missing)
    db.session.commit()
    periods = period_reports.periods_not_stored(period_reports.standard_periods(today))
    for start, end in periods:  # one commit each: a long first run keeps what it finished
        period_reports.store(start, end, today)
        db.session.commit()
    return (
        f"kept counts: {folded} deadline rows folded, {len(missing)} month ends stored, "
        f"{len(periods)} past periods stored"
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
    # Uploads of imports whose job never read them (it failed three times): kept as long as
    # report files.
    keep = timedelta(days=context.setting("EXPORT_KEEP_DAYS")).total_seconds()
    folder = import_jobs.upload_dir()
    for upload in folder.iterdir() if folder.is_dir() else ():
        if time.time() - upload.stat().st_mtime > keep:
            upload.unlink(missing_ok=True)
            purged += 1
    context.log().info("report files and imports purged: %s", purged)
    return f"report files purged: {purged}"
