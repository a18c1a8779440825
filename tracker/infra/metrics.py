"""The service's own measurements, for Prometheus (GET /metrics, web/health.py).

Counted where they happen: requests (duration by endpoint, method and status), job attempts
(by kind and outcome, with their duration), e-mails (reminders, digests, notifications:
sent or failed), failed and throttled logins. Under gunicorn each worker is a process of
its own: with PROMETHEUS_MULTIPROC_DIR set (deploy/gunicorn.conf.py sets it) every process
writes its counts to files there and /metrics adds them up. Figures read from the database
at the moment of the scrape (jobs by state, the audit chain's length, tasks per timeliness
class) are the web layer's, since they are the same whichever process is asked."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUEST_SECONDS = Histogram(
    "tracker_request_duration_seconds",
    "Time to answer a request, by endpoint (the route's name), method and status.",
    ["endpoint", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
JOBS = Counter(
    "tracker_job_attempts_total",
    "Background job attempts that ended, by kind (report, import) and outcome (done, "
    "failed, retried).",
    ["kind", "outcome"],
)
JOB_SECONDS = Histogram(
    "tracker_job_duration_seconds",
    "Time one background job attempt took, by kind and outcome.",
    ["kind", "outcome"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
MAILS = Counter(
    "tracker_mails_total",
    "E-mails handed to the mail server (sent) or refused by it (failed), by kind "
    "(reminder, digest, notification).",
    ["kind", "outcome"],
)
LOGIN_FAILURES = Counter(
    "tracker_login_failures_total", "Logins refused for a wrong username or password."
)
LOGIN_THROTTLED = Counter(
    "tracker_login_throttled_total", "Logins refused because too many had failed (429)."
)
