"""gunicorn's settings for Directive Tracker, as the README's production recipe starts it:

    gunicorn --config deploy/gunicorn.conf.py tracker.wsgi:app

Each can be changed from the environment (GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_TIMEOUT).
Report files, imports and period closes are background jobs, so the default 30-second
timeout holds (a worker past it is killed and restarted): a close copies each task of its
scope at the period's end — 2 s for a national quarter at 300,000 tasks, 14 s at 3 million
(1.6 million tasks copied) on 2 cores — and ran in the request until 2026-12-07."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two per core and one: the pages wait on the database more than they compute.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On a restart (systemctl reload), requests in flight get this long to finish.
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (a slow leak cannot grow for ever); the
# jitter keeps them from all restarting at once. Not fewer: a new worker costs about 1.7 s
# of CPU (the app imported, its templates compiled), so replacing one every 2,000 requests
# cost 0.85 ms of CPU per request, a sixth of an update's; a worker grew by 3 MB over its
# first 5,000 updates (its caches filling), so 20,000 requests bound a leak well enough.
max_requests = 20000
max_requests_jitter = 2000
# The access log on standard output (journald keeps it), one line per request, with the
# request id the app's own log lines carry and the time taken in seconds.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss id=%({x-request-id}o)s'
# nginx on the same machine sets X-Forwarded-For and -Proto (TRUSTED_PROXIES=1 in the app).
forwarded_allow_ips = "127.0.0.1"
# Headers and request lines of honest size only.
limit_request_line = 8190
limit_request_fields = 100

# /metrics adds up every worker's counts: each worker writes them to files in this folder
# (prometheus_client's multiprocess mode), emptied when gunicorn starts.
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    os.path.join(os.environ.get("TRACKER_INSTANCE_DIR", "/var/lib/tracker"), "metrics"),
)
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)


def on_starting(server):
    import shutil

    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def post_worker_init(worker):
    """The application is loaded: its templates are compiled before the first request
    (templating.compile_templates), then its objects (the app, models, catalogues,
    templates, thousands of them) — which live as long as the worker — are moved out of the
    garbage collector's sight. Otherwise every full collection walks them again, in the
    middle of a request that builds a national table: measured 120 -> 300 ms on one league
    table in three."""
    import gc

    from tracker.web.templating import compile_templates

    compile_templates(worker.wsgi)  # the application this worker loaded
    gc.freeze()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
