"""Where a job runs once it is queued (its row committed):

- with JOBS_BROKER_URL, on a Celery worker: the broker carries only the job's id;
- without a broker, in a thread of this web process (two at a time), so that `make run`
  needs nothing more and still shows progress;
- with JOBS_EAGER (the tests), at once, inside the request.

A broker that cannot be reached does not lose the job: it stays queued in the database and
`requeue_stale()` (run by the scheduler every minute, by each worker as it starts, and by
`flask jobs requeue`) sends it again."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app

from ..infra import context
from . import records

RUN_JOB = "tracker.run_job"
_threads: ThreadPoolExecutor | None = None
_soon_threads: ThreadPoolExecutor | None = None


def submit(job_id: int) -> None:
    from . import runner

    if context.setting("JOBS_EAGER"):
        runner.run_to_the_end(job_id, pause_seconds=0)
        return
    broker = current_app.extensions.get("celery")
    if broker is not None:
        try:
            broker.send_task(RUN_JOB, args=[job_id], retry=False)
        except Exception as error:  # noqa: BLE001 - the broker is down: the job waits
            context.log().warning(
                "job %s stays queued: the broker did not take it (%s); it is sent again "
                "once the broker answers",
                job_id,
                error.__class__.__name__,
            )
        return
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    _thread_pool().submit(_in_app, app, job_id)


def _thread_pool() -> ThreadPoolExecutor:
    global _threads
    if _threads is None:
        _threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tracker-job")
    return _threads


def _in_app(app: Flask, job_id: int) -> None:
    from . import runner

    with app.app_context():
        try:
            runner.run_to_the_end(job_id)
        except Exception:  # noqa: BLE001 - a thread has no one to tell but the log
            app.logger.exception("job %s: the background thread stopped", job_id)


def requeue_stale() -> list[int]:
    """Send again the jobs no worker is on (see records.stale); their ids."""
    job_ids = records.stale()
    records.touch(job_ids)
    for job_id in job_ids:
        submit(job_id)
    return job_ids


def soon(work: Callable[..., object], *args: object) -> None:
    """Short work the response must not wait for, nor tell anything by its duration (a
    password-reset mail): a thread of this process, under the request's id; at once with
    JOBS_EAGER. Not kept anywhere: if the process ends first, the person asks again."""
    if context.setting("JOBS_EAGER"):
        work(*args)
        return
    global _soon_threads
    if _soon_threads is None:
        _soon_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tracker-soon")
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    _soon_threads.submit(_soon_in_app, app, context.request_id(), work, args)


def _soon_in_app(
    app: Flask, request_id: str, work: Callable[..., object], args: tuple[object, ...]
) -> None:
    with app.app_context(), context.on_behalf_of_request(request_id):
        try:
            work(*args)
        except Exception:  # noqa: BLE001 - a thread has no one to tell but the log
            app.logger.exception("background work %s failed", getattr(work, "__name__", work))
