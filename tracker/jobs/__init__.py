"""Background jobs: the work a person asks for that takes longer than a request should
(report files), and the daily schedules (reminders, digests, notifications, recurring tasks,
the audit anchor).

- `records`: the Job rows, the truth of what a person sees (queued, running with its
  progress, done with its file, failed with the reason).
- `runner`: one attempt at a job, its progress, its failure or completion (exactly once).
- `report_jobs`: a report file asked for (reused when the same file exists) and made.
- `queue`: where a job runs: a Celery worker (JOBS_BROKER_URL), a thread of the web process
  (no broker), or inside the request (JOBS_EAGER, tests).
- `celery_app`: the Celery application, its tasks and the scheduler's timetable.
- `daily`: the scheduled work, the same functions the CLI commands call.

Like the web layer and the CLI, a job is a boundary: it commits."""
