"""The Celery application: the broker (JOBS_BROKER_URL, Redis or RabbitMQ by the URL alone),
the tasks, and the scheduler's timetable. `app.py` builds it as `celery_app`:

    celery --app app.celery_app worker     # runs jobs
    celery --app app.celery_app beat       # runs the timetable

Jobs are acknowledged late and given back if their worker process is lost, one at a time
per worker process, so a job whose worker dies is run again by another; its row in the
database decides whether there is anything left to do (records.start). No result backend:
what a person sees is the job's row."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import worker_ready
from flask import Flask

from ..config import INSTANCE_DIR, ConfigError
from ..domain.schedules import parse_schedule
from . import daily, queue, runner

# The daily work: a setting naming when, and the function that does it.
SCHEDULED = {
    "reminders": ("SCHEDULE_REMINDERS", daily.send_reminders),
    "digest": ("SCHEDULE_DIGEST", daily.send_digests),
    "notifications": ("SCHEDULE_NOTIFICATIONS", daily.send_notifications),
    "recurring": ("SCHEDULE_RECURRING", daily.run_recurring),
}
# Housekeeping, at fixed times.
HOUSEKEEPING = {
    "requeue-stale-jobs": (timedelta(minutes=1), daily.requeue_stale_jobs),
    "audit-anchor": (crontab(hour=23, minute=55), daily.anchor_audit),
    "purge-expired-files": (crontab(hour=3, minute=0), daily.purge_expired_files),
    "keep-counts": (crontab(hour=0, minute=15), daily.keep_counts),
}


def timetable(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """celery beat's schedule from the SCHEDULE_* settings (in TRACKER_TIMEZONE)."""
    entries: dict[str, dict[str, Any]] = {}
    for name, (setting, _work) in SCHEDULED.items():
        schedule = parse_schedule(config[setting])
        if schedule.minutes is not None:
            entries[name] = {
                "task": f"tracker.{name}",
                "schedule": timedelta(minutes=schedule.minutes),
            }
        for hour, minute in schedule.times:
            entries[f"{name}-{hour:02d}{minute:02d}"] = {
                "task": f"tracker.{name}",
                "schedule": crontab(hour=hour, minute=minute),
            }
    for name, (when, _work) in HOUSEKEEPING.items():
        entries[name] = {"task": f"tracker.{name}", "schedule": when}
    return entries


def make_celery(app: Flask) -> Celery:
    class FlaskTask(Task):
        """Every task runs inside the Flask app's context (database, settings, log)."""

        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=app.config["JOBS_BROKER_URL"],
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="tracker",
        timezone=app.config["TRACKER_TIMEZONE"],
        enable_utc=True,
        beat_schedule=timetable(app.config),
        beat_schedule_filename=str(INSTANCE_DIR / "celerybeat-schedule"),
        worker_hijack_root_logger=False,
        # Redis gives an unacknowledged job to another worker after this long: longer than
        # any job, since the database's heartbeat (JOBS_STALE_SECONDS) finds lost jobs first.
        broker_transport_options={"visibility_timeout": 6 * 3600},
    )

    @celery.task(name=queue.RUN_JOB, bind=True, shared=False)
    def run_job(task: Task, job_id: int) -> str:
        if runner.run(job_id) == runner.RUN_AGAIN:
            raise task.retry(countdown=5, max_retries=None)
        return "finished"

    for name, (_setting, work) in SCHEDULED.items():
        celery.task(name=f"tracker.{name}", shared=False)(_logged(app, work))
    for name, (_when, work) in HOUSEKEEPING.items():
        celery.task(name=f"tracker.{name}", shared=False)(_logged(app, work))

    @worker_ready.connect(weak=False)
    def requeue_on_start(sender: Any, **_kwargs: Any) -> None:
        """A worker starting picks up the jobs whose worker died."""
        if sender.app is not celery:
            return
        if not app.config["JOBS_BROKER_URL"]:
            raise ConfigError(
                "JOBS_BROKER_URL is not set: the worker and the web servers must name the "
                "same broker (e.g. redis://127.0.0.1:6379/1)"
            )
        with app.app_context():
            daily.requeue_stale_jobs()

    return celery


def _logged(app: Flask, work: Callable[[], str]) -> Callable[[], str]:
    def scheduled() -> str:
        summary = work()
        app.logger.info("scheduled: %s", summary)
        return summary

    scheduled.__name__ = work.__name__
    scheduled.__doc__ = work.__doc__
    return scheduled
