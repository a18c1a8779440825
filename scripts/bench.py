"""`make bench`: the tracker at national scale, measured over HTTP against the SQL floor.

For each database (BENCH_DATABASES, default "sqlite,postgresql") it makes or reuses a
database of its own holding the synthetic dataset (`flask demo generate`, BENCH_TASKS tasks,
default 300,000; SQLite in bench/tracker-bench.db, PostgreSQL in tracker_bench), serves the
app with gunicorn (BENCH_WORKERS workers, default 2) on 127.0.0.1 and measures with
concurrent HTTP clients (BENCH_CLIENTS, default 2, one per worker; BENCH_REQUESTS per
measure, default 30):

1. the top supervisor's overdue board over the whole tree;
2. a unit leader's "My unit" page, and a task page;
3. a directive progress page, and GET /api/v1/reports/summary for a directive and for all;
4. GET /api/v1/tasks?timeliness=overdue&page=200 (deep pagination);
5. a status update: HTML form post and API PATCH, one at a time (latency), the API PATCH
   by BENCH_CLIENTS at once; then throughput with BENCH_WRITERS clients, default 8, for
   BENCH_WRITE_SECONDS, default 10, one update per request and then BENCH_BATCH (default
   20) per POST /api/v1/tasks/progress;
6. the CSV export of every task: total time, time to first byte, peak worker memory;
7. the XLSX and PDF task exports and the national period report's PDF, made by a
   background job on a Celery worker (Redis at BENCH_BROKER, default
   redis://127.0.0.1:6379/13): asked for with POST /api/v1/exports, followed until ready,
   downloaded; time to a ready file and the job worker's peak memory (the task PDF lists at
   most the first 1,000 tasks).

Each measure is printed against the national-scale issue's goal where it has one.

For 1, 3, 5 and 6 it times the floor in the same run: hand-written SQL that produces the
same figures (for 5, on PostgreSQL, the update's own statements sent with psycopg, one at a
time and from BENCH_WRITERS connections, its audit event chained with the app's hash; for 6,
COPY (query) TO STDOUT on PostgreSQL; on SQLite the same SELECT fetched and written with the
csv module), and prints app/floor. Latencies are per request; the floor is
the median of sequential runs. One table is printed; the figures go to bench/results.json.

Not part of `make test`: it changes the bench databases (status updates) and takes minutes.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import bench_chart  # scripts/bench_chart.py, beside this file
from sqlalchemy import create_engine, text

from tracker.domain import periods

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench"
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = "tracker_bench"
PORT = int(os.environ.get("BENCH_PORT", "5078"))
TASKS = int(os.environ.get("BENCH_TASKS", "300000"))
SEED = 1
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "2"))
# gunicorn's workers: 2 as the national-scale issue measured; deploy/gunicorn.conf.py's own
# default is 2 × CPUs + 1.
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
WRITERS = int(os.environ.get("BENCH_WRITERS", "8"))
WRITE_SECONDS = float(os.environ.get("BENCH_WRITE_SECONDS", "10"))
# Updates per POST /api/v1/tasks/progress in the batched throughput (each writer's own tasks).
BATCH = int(os.environ.get("BENCH_BATCH", "20"))
PASSWORD = "synthetic data password"  # synthetic.SYNTHETIC_PASSWORD
SERVER_LOG = Path(os.environ.get("BENCH_LOG", "/tmp/tracker-bench-server.log"))
WORKER_LOG = Path(os.environ.get("BENCH_WORKER_LOG", "/tmp/tracker-bench-worker.log"))
BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/13")
# Which parts to run: pages (every page a reader opens, per role), measures, updates,
# floors, exports. Default: all.
ONLY = set(os.environ.get("BENCH_ONLY", "pages,measures,updates,floors,exports,users").split(","))
PAGE_REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "10"))
ADMIN = "bench_admin"  # made by the bench in its database
# A request whose connection closed without an answer counts as a failure with this status;
# each is noted in DROPS (when, what), and the run prints them with what gunicorn's log says
# of its workers meanwhile (a worker killed or restarted drops the request it was serving).
DROPPED = 0
DROPS: list[str] = []
WORKER_INCIDENT = re.compile(r"WORKER TIMEOUT|SIGKILL|SIGABRT|Worker exiting|was sent|exited")
# The pages a supervisor, an auditor or a unit leader opens, with the goals (p95, ms) of the
# national-scale issue; a page a reader may not open (403) is left out for that reader.
PAGE_GOALS = {
    "dashboard": 300,
    "board": 150,
    "period, this quarter": 500,
    "period, a past quarter": 500,
    "league table": 300,
    "task list": 300,
    "overdue list": 300,
    "task list as of 45 days ago": 300,
    "directive progress": 100,
    "directive page": 300,
    "timeline": 300,
    "directives": 300,
    "my unit": 300,
    "task page": 20,
    "summary API": 150,
    # A unit's tasks waiting to be given, and the pages that give them and report on them
    # several at a time (a leader's, a supervisor's or an admin's own unit).
    "my unit, waiting to be given": 300,
    "giving several": 300,
    "progress of several": 300,
    "task list, waiting to be given": 300,
    # The other pages of the route walk a reader opens that read tasks (and the audit trail,
    # the notifications and the files), each held to the lists' 300 ms.
    "search": 300,
    "to decide": 300,
    "reminders": 300,
    "target page": 300,
    "closed periods": 300,
    "public progress": 300,
    "notifications": 300,
    "my files": 300,
    "audit trail": 300,
    "API task list": 300,
    "API task": 300,
    "API target": 300,
    "API units": 300,
    "task form (admin)": 300,
    "recurring tasks (admin)": 300,
    "person form (admin)": 300,
    "unit search (admin)": 100,  # what a unit chooser's search box asks as one types
    # What the admin's task form asks when another directive or lead unit is chosen.
    "directive's targets (admin)": 100,
    "directive's tasks (admin)": 300,
    "unit's people (admin)": 100,
    # A task's lists, as the API gives them.
    "API task comments": 300,
    "API task evidence": 300,
    "API task extensions": 300,
    "API task urging": 300,
    # The rest of the route walk's pages that read tasks or grow with the tree: a closed
    # period's frozen report and what moved since (the past quarter, closed for the whole
    # tree by the bench), a directive's public progress (no login: what citizens open), a
    # reader's calendar feed (their unit's open tasks), the deputies page, and the admin's
    # lists and forms of units, people, directives and targets.
    "closed period": 300,
    "public directive": 300,
    "calendar feed": 300,
    "deputies": 300,
    "API recurring (admin)": 300,
    "units (admin)": 300,
    "people (admin)": 300,
    "unit form (admin)": 300,
    "person's form (admin)": 300,
    "directive form (admin)": 300,
    "target form (admin)": 300,
}

# The GET endpoints of the app that are not timed as pages above, each with the reason;
# every other one is opened by page_paths (tests/test_bench_pages.py holds both to the
# app's routes, so that a new page is measured or named here).
NOT_MEASURED = {
    "tasks.home": "sends the reader on to the dashboard (measured)",
    "static": "the stylesheet, scripts and fonts, as files",
    "favicon": "a file",
    "health.healthz": "answers that the process serves; reads nothing",
    "health.readyz": "one statement to the database",
    "metrics.metrics": "the process's counters",
    "api.openapi_document": "a fixed document",
    "auth.login": "a form",
    "auth.second_factor": "a form",
    "auth.enrol_second_factor": "the signed-in person's own second factor",
    "auth.forgot_password": "a form",
    "auth.reset_password": "a form, found by its token",
    "auth.sso_start": "sends the person to the ministry's sign-in",
    "auth.sso_callback": "the provider's answer, one account",
    "admin.import_file": "a form (the import itself is a background job)",
    "admin.import_template": "a fixed file",
    "admin.users_import": "a form",
    "admin.users_import_template": "a fixed file",
    "tasks.download_evidence": "one stored file, by its key",
    "api.download_evidence": "one stored file, by its key",
    "reports.export_tasks_csv": "the CSV of every task: the exports' table (streamed, vs COPY)",
    "api.export_tasks": "the same CSV through the API",
    "reports.export_tasks_file": "an XLSX or PDF made by a background job: the jobs' table",
    "reports.board_file": "a file made by a background job, as the task exports",
    "reports.directive_progress_file": "a file made by a background job, as the task exports",
    "reports.audit_csv": "the audit trail's CSV, streamed as the tasks' is",
    "reports.audit_file": "a file made by a background job, as the task exports",
    "reports.export_manifest": "one file's manifest, by its key",
    "reports.manifest_by_digest": "one file's manifest, by its digest",
    "reports.verify_export": "a form; checking a file hashes the file sent",
    "jobs.job_page": "one job, by its key (the jobs' table follows each)",
    "jobs.job_state": "one job, by its key",
    "jobs.job_file": "one job's file, as stored",
    "api.get_export": "one job, by its key",
    "api.get_export_file": "one job's file, as stored",
    "api.get_import": "one import job, by its key",
}

GOALS = {  # measure: (p95 goal in ms, floor ratio goal)
    "board": (150, 2.0),
    "my_unit": (30, None),
    "task_page": (20, None),
    "directive_page": (None, None),
    "summary_directive": (150, None),
    "summary_all": (150, None),
    "deep_page": (50, None),
}
# The national-scale issue's goals for writes: one update's median (ms) per database, and
# updates per second with BENCH_WRITERS writers on PostgreSQL.
UPDATE_MEDIAN_GOALS = {"postgresql": 10, "sqlite": 15}
UPDATE_MEASURES = (
    "update_html",
    "update_api",
    "update_api_concurrent",
    "update_throughput",
    "update_batched",
)
UPDATE_THROUGHPUT_GOAL = 400
# The exports': the CSV against COPY of the same rows (PostgreSQL), and the PDF of 1,000
# task rows (seconds to a ready file, megabytes the job worker grows by).
CSV_FLOOR_RATIO_GOAL = 2.0
PDF_GOAL = (3.0, 200)
PERIOD_PDF_GOAL = 10.0  # the national period report (summary and every unit), seconds


def pg_address() -> str:
    """The bench database for psycopg itself (the floors): PG_DATABASE as it is set now."""
    return "host=127.0.0.1 user=postgres dbname=" + PG_DATABASE


def database_urls() -> dict[str, str]:
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    urls = {
        "sqlite": f"sqlite:///{OUT / 'tracker-bench.db'}",
        "postgresql": f"{PG}/{PG_DATABASE}",
    }
    return {name: urls[name] for name in wanted if name}


def environment(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TRACKER_ENV": "production",
        "SECRET_KEY": "bench-" + "k" * 40,
        "SESSION_COOKIE_SECURE": "0",
        "LOG_LEVEL": "ERROR",
        # The bench signs in with passwords to measure pages, not sign-ins.
        "MFA_REQUIRED_ROLES": "",
        # Its own instance folder: the audit anchors and uploads of another database (the
        # demo's) must not be checked against this one.
        "TRACKER_INSTANCE_DIR": f"/tmp/tracker-bench-instance-{url.split(':')[0]}",
        "JOBS_BROKER_URL": BROKER,
        # deploy/gunicorn.conf.py, as production runs it, with BENCH_WORKERS workers.
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
    }


def flask(
    url: str, *args: str, check: bool = True, more_env: dict[str, str] | None = None, **run: Any
) -> subprocess.CompletedProcess:
    """`flask --app app ARGS` from the checkout against the bench's database (its
    environment, with `more_env`); `run` goes to subprocess.run (input, capture_output…)."""
    return subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "--app", "app", *args],
        cwd=ROOT,
        env={**environment(url), **(more_env or {})},
        check=check,
        **run,
    )


def psql(sql: str, database: str = "postgres") -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-q", "-c", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def existing_tasks(url: str) -> int | None:
    """How many synthetic tasks of this seed the database holds; None when it has none."""
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            root = connection.scalar(
                text("SELECT id FROM unit WHERE code = :code"), {"code": f"S{SEED}-ROOT"}
            )
            count = connection.scalar(text("SELECT count(*) FROM task")) if root else None
        engine.dispose()
        return count
    except Exception:  # no database, no tables: make it
        return None


def vacuum_churned_tables(name: str) -> None:
    """On PostgreSQL, VACUUM ANALYZE what the nightly run rewrote and what earlier runs' writes
    left dead. The nightly run's first pass on a freshly loaded database folds every past
    day's kept counts at once (880,000 rows at 3 million tasks); and each bench run's
    updates leave thousands of dead rows behind — every report supersedes the task's
    previous history entry, and the audit chain's one head row is rewritten twice an event
    (4,300 dead versions of it after one run at 30,000 tasks). A serving database has
    autovacuum clear them behind the writes; where it is off (this machine's PostgreSQL),
    run after run measured a growing share of PostgreSQL per update (1.4 → 2.2 ms in four
    runs). The bench measures a database in service."""
    if name == "postgresql":
        psql(
            "VACUUM ANALYZE task_tally, overdue_at_day_end, past_period_figures, task,"
            " status_update, audit_event, audit_head",
            PG_DATABASE,
        )


def prepare(name: str, url: str) -> dict:
    """Reuse the bench database when it holds BENCH_TASKS tasks; else make it again."""
    if existing_tasks(url) == TASKS:
        print(f"[{name}] reusing the bench database ({TASKS:,} tasks)", flush=True)
        flask(url, "db", "upgrade")  # indexes added since it was made
        flask(url, "counts", "keep")  # the scheduler's nightly run
        vacuum_churned_tables(name)
        return {"generated_seconds": None}
    print(f"[{name}] generating {TASKS:,} tasks", flush=True)
    shutil.rmtree(environment(url)["TRACKER_INSTANCE_DIR"], ignore_errors=True)
    if name == "postgresql":
        psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        psql(f"CREATE DATABASE {PG_DATABASE}")
    else:
        OUT.mkdir(exist_ok=True)
        (OUT / "tracker-bench.db").unlink(missing_ok=True)
    flask(url, "db", "upgrade")
    started = time.perf_counter()
    flask(url, "demo", "generate", "--tasks", str(TASKS), "--seed", str(SEED))
    generated = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    flask(url, "counts", "keep")  # the scheduler's nightly run: the trend's month ends
    vacuum_churned_tables(name)
    return {
        "generated_seconds": generated,
        "nightly_seconds": round(time.perf_counter() - started, 1),
    }


@dataclass
class Subjects:
    """Who and what the measures use, read from the bench database."""

    supervisor: str
    leader: str
    leader_tasks: list[int]
    writers: list[tuple[str, list[int]]]
    directive_id: int
    directive_code: str
    today: date
    largest_directive_id: int = 0
    target_id: int = 0  # the largest directive's target with the most tasks
    leader_unit_id: int = 0
    leader_id: int = 0
    public_directive_id: int = 0  # the synthetic data's public directive (0: none)
    closing_id: int = 0  # the past quarter closed for the whole tree (ensure_closing)

    @property
    def shown_task(self) -> int:
        """The unit leader's task whose pages are measured: one the bench never writes to
        (its updates write to the first ones, whose history grows by dozens of entries a
        run; the pages measured were those of a task unlike the others)."""
        return self.leader_tasks[-1]


def subjects(url: str) -> Subjects:
    engine = create_engine(url)
    prefix = f"S{SEED}"
    with engine.connect() as c:
        supervisor = c.scalar(
            text(
                "SELECT u.username FROM user_account u JOIN unit ON unit.id = u.unit_id "
                "WHERE unit.code = :root AND u.role = 'supervisor'"
            ),
            {"root": f"{prefix}-ROOT"},
        )
        leaders = c.execute(
            text(
                "SELECT u.username, u.unit_id FROM user_account u JOIN unit ON unit.id = u.unit_id"
                " WHERE u.role = 'unit_leader' AND unit.code LIKE :offices ORDER BY unit.code"
                " LIMIT :n"
            ),
            {"offices": f"{prefix}-M%-D%-O%", "n": WRITERS + 1},
        ).all()
        open_tasks = {}
        for _, unit_id in leaders:
            open_tasks[unit_id] = list(
                c.scalars(
                    text(
                        "SELECT id FROM task WHERE lead_unit_id = :unit"
                        " AND status IN ('not_started', 'in_progress') ORDER BY id LIMIT 20"
                    ),
                    {"unit": unit_id},
                )
            )
        directive_id, directive_code = c.execute(
            text("SELECT id, code FROM directive WHERE code LIKE :p ORDER BY id LIMIT 1"),
            {"p": f"{prefix}-%"},
        ).one()
        largest_directive_id = c.scalar(
            text(
                "SELECT directive_id FROM task GROUP BY directive_id"
                " ORDER BY COUNT(*) DESC, directive_id LIMIT 1"
            )
        )
        target_id = c.scalar(
            text(
                "SELECT target_id FROM task WHERE directive_id = :d AND target_id IS NOT NULL"
                " GROUP BY target_id ORDER BY COUNT(*) DESC, target_id LIMIT 1"
            ),
            {"d": largest_directive_id},
        )
        public_directive_id = c.scalar(
            text(
                "SELECT id FROM directive WHERE visibility = 'public' AND code LIKE :p"
                " ORDER BY id LIMIT 1"
            ),
            {"p": f"{prefix}-%"},
        )
        leader_id = c.scalar(
            text("SELECT id FROM user_account WHERE username = :u"), {"u": leaders[0][0]}
        )
    engine.dispose()
    leader, leader_unit = leaders[0]
    return Subjects(
        supervisor=supervisor,
        leader=leader,
        leader_tasks=open_tasks[leader_unit],
        writers=[(username, open_tasks[unit]) for username, unit in leaders[1:]],
        directive_id=directive_id,
        directive_code=directive_code,
        today=date.today(),
        largest_directive_id=largest_directive_id,
        target_id=target_id or 0,
        leader_unit_id=leader_unit,
        leader_id=leader_id,
        public_directive_id=public_directive_id or 0,
    )


def ensure_admin(url: str) -> None:
    """An administrator at the root of the synthetic tree (the dataset has none)."""
    engine = create_engine(url)
    with engine.connect() as c:
        exists = c.scalar(text("SELECT 1 FROM user_account WHERE username = :u"), {"u": ADMIN})
    engine.dispose()
    if not exists:
        flask(
            url,
            *("users", "create", ADMIN, "--role", "admin", "--unit", f"S{SEED}-ROOT"),
            "--password-stdin",
            input=PASSWORD.encode(),
        )


def past_quarter(today: date) -> str:
    """The quarter before last, as parse_period reads it (2026-Q2 on a day of 2026's
    fourth quarter): the period report's past quarter, and the one the bench closes."""
    quarter_start, _ = periods.period_of(today, periods.QUARTERLY)
    past, _ = periods.period_of(quarter_start - timedelta(days=100), periods.QUARTERLY)
    return f"{past.year}-Q{(past.month - 1) // 3 + 1}"


def page_paths(s: Subjects, feed_token: str = "") -> dict[str, str]:
    """Each page of PAGE_GOALS, as a reader opens it on the bench's day (the calendar feed
    by the reader's own token)."""
    today = s.today
    directive = s.largest_directive_id
    return {
        "dashboard": "/dashboard",
        "board": "/board",
        "period, this quarter": "/reports/period",
        "period, a past quarter": f"/reports/period?period={past_quarter(today)}",
        "league table": "/reports/league",
        "task list": "/tasks",
        "overdue list": "/tasks?timeliness=overdue",
        "task list as of 45 days ago": f"/tasks?as_of={(today - timedelta(days=45)).isoformat()}",
        "directive progress": f"/reports/directives/{s.largest_directive_id}",
        "directive page": f"/directives/{s.largest_directive_id}",
        "timeline": f"/directives/{s.largest_directive_id}/timeline",
        "directives": "/directives",
        "my unit": "/my-unit",
        "task page": f"/tasks/{s.shown_task}",
        "summary API": "/api/v1/reports/summary",
        "my unit, waiting to be given": "/my-unit?unassigned=1",
        "giving several": "/my-unit/give",
        "progress of several": "/my-unit/progress",
        "task list, waiting to be given": "/tasks?unassigned=1",
        "search": f"/search?q={quote(s.directive_code)}",
        "to decide": "/verification",
        "reminders": "/reminders",
        "target page": f"/targets/{s.target_id}",
        "closed periods": "/reports/closings",
        "public progress": "/public/",
        "notifications": "/notifications",
        "my files": "/jobs",
        "audit trail": "/audit",
        "API task list": "/api/v1/tasks",
        "API task": f"/api/v1/tasks/{s.shown_task}",
        "API target": f"/api/v1/targets/{s.target_id}",
        "API units": "/api/v1/units",
        "task form (admin)": f"/admin/tasks/{s.shown_task}/edit",
        "recurring tasks (admin)": "/admin/recurring",
        "person form (admin)": "/admin/users/new",
        "unit search (admin)": "/admin/units/choices?q=office%201",
        "directive's targets (admin)": f"/admin/directives/targets?directive_id={directive}",
        "directive's tasks (admin)": f"/admin/directives/tasks?directive_id={directive}",
        "unit's people (admin)": f"/admin/units/people?lead_unit_id={s.leader_unit_id}",
        "API task comments": f"/api/v1/tasks/{s.shown_task}/comments",
        "API task evidence": f"/api/v1/tasks/{s.shown_task}/evidence",
        "API task extensions": f"/api/v1/tasks/{s.shown_task}/extensions",
        "API task urging": f"/api/v1/tasks/{s.shown_task}/urging",
        "closed period": f"/reports/closings/{s.closing_id}",
        "public directive": f"/public/directives/{s.public_directive_id}",
        "calendar feed": f"/calendar/{feed_token}.ics",
        "deputies": "/deputies",
        "API recurring (admin)": "/api/v1/recurring",
        "units (admin)": "/admin/units",
        "people (admin)": "/admin/users",
        "unit form (admin)": f"/admin/units/{s.leader_unit_id}/edit",
        "person's form (admin)": f"/admin/users/{s.leader_id}/edit",
        "directive form (admin)": f"/admin/directives/{directive}/edit",
        "target form (admin)": f"/admin/targets/{s.target_id}/edit",
    }


def measure_pages(name: str, s: Subjects) -> dict:
    """Every page of page_paths for an admin, the top supervisor and a unit leader: the
    median and p95 of BENCH_PAGE_REQUESTS requests after a warm-up each."""
    readers = {"admin": ADMIN, "top supervisor": s.supervisor, "unit leader": s.leader}
    results: dict = {}
    s.closing_id = ensure_closing(s)
    for role, username in readers.items():
        browsers = [Browser().login(username) for _ in range(CLIENTS)]
        bearer = {"Authorization": f"Bearer {api_token(username)}"}
        feed_token = calendar_feed_token(browsers[0])
        for page, path in page_paths(s, feed_token).items():
            headers = bearer if path.startswith("/api/") else None
            status, _ = browsers[0].request("GET", path, headers=headers)
            if status == 403:
                continue
            if status != 200:
                print(f"[{name}] {role}: {page}: not measured, HTTP {status} ({path})", flush=True)
                continue

            def call(client, n, path=path, browsers=browsers, headers=headers):
                return browsers[client].request("GET", path, headers=headers)[0]

            figures = measure(call, count=PAGE_REQUESTS).figures()
            results[f"{role}: {page}"] = {**figures, "goal_ms": PAGE_GOALS[page], "path": path}
            print(f"[{name}] {role}: {page}: {figures}", flush=True)
    return results


def ensure_closing(s: Subjects) -> int:
    """The past quarter closed for the whole tree, by the bench's admin, once per database
    (a national close copies every task of the quarter: seconds at 300,000 tasks). 0 when
    the close is refused; the closed period's page is then not measured, with the reason."""
    period = past_quarter(s.today)
    admin = Browser().login(ADMIN)
    report = f"/reports/period?period={period}"

    def closed_report_id() -> int:
        """The closed report the period's report links to (0: none)."""
        found = re.search(rb'href="/reports/closings/(\d+)"', admin.request("GET", report)[1])
        return int(found.group(1)) if found else 0

    if closing_id := closed_report_id():
        return closing_id
    started = time.perf_counter()
    status, _ = admin.post_form("/reports/period/close", {"period": period}, admin.csrf(report))
    asked = time.perf_counter() - started
    # The close is a job (on the bench's Celery worker): followed as its page follows it.
    job = re.search(r"/jobs/(\d+)", admin.location or "")
    state: dict = {}
    while job and not state.get("finished") and time.perf_counter() - started < 900:
        time.sleep(0.2)
        state = json.loads(admin.request("GET", f"/jobs/{job.group(1)}/state")[1] or b"{}")
    took = time.perf_counter() - started
    print(
        f"closing {period} for the whole tree: HTTP {status} in {asked:.1f} s, the job"
        f" {state.get('status', 'not found')} after {took:.1f} s",
        flush=True,
    )
    return closed_report_id()


def calendar_feed_token(browser: Browser) -> str:
    """A new calendar feed of the reader's unit, as *Reminders* makes one; its secret is
    shown once, in the page's message."""
    browser.post_form("/calendar-feeds", {"scope": "unit"}, browser.csrf("/reminders"))
    _, page = browser.request("GET", "/reminders")
    found = re.search(rb"/calendar/([A-Za-z0-9_-]+)\.ics", page)
    return found.group(1).decode() if found else "none"


# --- HTTP ------------------------------------------------------------------------------


class Browser:
    """One logged-in person: a cookie jar over http.client (no redirects followed)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.location: str | None = None  # where the last answer sent the browser on

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        """(status, body); status DROPPED when the connection closed without an answer."""
        try:
            return self._request(method, path, body, headers)
        except (http.client.HTTPException, ConnectionError) as dropped:
            DROPS.append(f"{datetime.now(UTC):%H:%M:%S} {method} {path}: {dropped!r}")
            return DROPPED, b""

    def _request(self, method: str, path: str, body: bytes | None, headers):
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        self.location = response.headers.get("Location")
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        connection.close()
        return response.status, data

    def csrf(self, path: str) -> str:
        status, page = self.request("GET", path)
        found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if status != 200 or not found:
            raise SystemExit(f"no CSRF token on {path} (HTTP {status})")
        return found.group(1).decode()

    def post_form(self, path: str, fields: dict, csrf: str):
        body = urlencode({**fields, "csrf_token": csrf}).encode()
        return self.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def login(self, username: str) -> Browser:
        token = self.csrf("/login")
        status, _ = self.post_form("/login", {"username": username, "password": PASSWORD}, token)
        if status != 302:
            raise SystemExit(f"{username} could not log in (HTTP {status})")
        return self


def api_token(username: str) -> str:
    status, body = Browser().request(
        "POST",
        "/api/v1/tokens",
        json.dumps({"username": username, "password": PASSWORD}).encode(),
        {"Content-Type": "application/json"},
    )
    if status != 201:
        raise SystemExit(f"no API token for {username} (HTTP {status})")
    return json.loads(body)["token"]


@dataclass
class Measure:
    latencies: list[float] = field(default_factory=list)  # seconds
    failures: list[int] = field(default_factory=list)  # HTTP statuses not expected
    wall: float = 0.0

    def figures(self) -> dict:
        ordered = sorted(self.latencies)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        return {
            "requests": len(ordered),
            "median_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(p95 * 1000, 1),
            "per_second": round(len(ordered) / self.wall, 1) if self.wall else None,
            "failures": len(self.failures),
        }


def measure(
    call: Callable[[int, int], int], clients: int = CLIENTS, count: int = REQUESTS, expected=(200,)
) -> Measure:
    """`count` calls spread over `clients` threads; call(client, n) returns the HTTP status."""
    # Warm each worker before timing: the first time a worker serves a page costs it twice as
    # much (its statements compiled, its forms bound: the task page 26 ms, then 11). The
    # clients ask at once, so that each of gunicorn's workers takes one; one after the other,
    # both could land on the same worker and the other's first request was timed (the admin's
    # task page at 39 ms, one request of ten, run after run).
    in_threads(lambda client: call(client, -1), clients)
    result, lock = Measure(), threading.Lock()

    def run(client: int) -> None:
        for n in range(client, count, clients):
            started = time.perf_counter()
            status = call(client, n)
            elapsed = time.perf_counter() - started
            with lock:
                result.latencies.append(elapsed)
                if status not in expected:
                    result.failures.append(status)

    result.wall = in_threads(run, clients)
    return result


def in_threads(work: Callable[[int], None], clients: int) -> float:
    """work(client) for each client at once, in threads; the seconds until all are done."""
    threads = [threading.Thread(target=work, args=(c,)) for c in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


# --- the floors: hand-written SQL giving the same figures -------------------------------

CLASS_SQL = """CASE
  WHEN t.status = 'cancelled' THEN NULL
  WHEN t.status = 'completed' AND t.completed_on IS NOT NULL AND t.completed_on <= :day
       AND t.completed_on <= t.deadline THEN 'completed_on_time'
  WHEN t.status = 'completed' AND t.completed_on IS NOT NULL AND t.completed_on <= :day
       THEN 'completed_late'
  WHEN t.deadline < :day THEN 'overdue'
  ELSE 'within_deadline' END"""

URGENCY_SQL = """CASE WHEN klass = 'overdue' THEN 0
  WHEN klass = 'within_deadline' AND deadline <= :soon THEN 1
  WHEN klass = 'within_deadline' THEN 2 WHEN klass IS NOT NULL THEN 3 ELSE 4 END"""

TASK_ROW_SQL = f"""SELECT d.code AS directive, t.code, t.title, t.kind, u.code AS unit,
  u.name AS unit_name, o.username AS owner, t.start_date, t.deadline, t.original_deadline,
  t.status, t.percent_done, t.is_key, {CLASS_SQL} AS klass, t.completed_on, t.version, t.id
  FROM task t JOIN directive d ON d.id = t.directive_id JOIN unit u ON u.id = t.lead_unit_id
  LEFT JOIN user_account o ON o.id = t.owner_id"""


def floor_queries(kind: str, s: Subjects) -> list[tuple[str, dict]]:
    day = s.today.isoformat()
    soon = date.fromordinal(s.today.toordinal() + 7).isoformat()
    params = {"day": day, "soon": soon, "directive": s.directive_id}
    classes = f"SELECT t.{{g}}, {CLASS_SQL} AS klass FROM task t"
    grouped = f"SELECT {{g}}, klass, count(*) FROM ({classes}) x"
    grouped += " WHERE klass IS NOT NULL GROUP BY {g}, klass"
    page = f"SELECT * FROM ({TASK_ROW_SQL} {{where}}) r"
    page += f" ORDER BY {URGENCY_SQL}, deadline, id LIMIT {{limit}}"
    overdue = f"{CLASS_SQL} = 'overdue'"
    due_soon = f"{CLASS_SQL} = 'within_deadline' AND t.deadline <= :soon"
    if kind == "board":
        queries = [
            grouped.format(g="lead_unit_id"),
            grouped.format(g="directive_id"),
            page.format(where=f"WHERE t.deadline < :day AND {overdue}", limit=25),
            f"SELECT count(*) FROM task t WHERE {overdue}",
            f"SELECT count(*) FROM task t WHERE {due_soon}",
        ]
    elif kind == "directive_page":
        mine = "WHERE t.directive_id = :directive"
        queries = [
            f"SELECT {CLASS_SQL} AS klass, count(*) FROM task t {mine} GROUP BY klass",
            page.format(where=mine, limit=50),
            "SELECT count(*) FROM task WHERE directive_id = :directive",
        ]
    else:
        raise ValueError(kind)
    return [(sql, params) for sql in queries]


def time_floor(url: str, queries: list[tuple[str, dict]], runs: int = 7) -> float:
    engine = create_engine(url)
    times = []
    with engine.connect() as connection:
        for _ in range(runs + 1):
            started = time.perf_counter()
            for sql, params in queries:
                connection.execute(text(sql), params).all()
            times.append(time.perf_counter() - started)
    engine.dispose()
    return statistics.median(times[1:])  # the first run warms the cache


def csv_floor(name: str, url: str, s: Subjects) -> float:
    """Every task row as CSV: COPY on PostgreSQL, SELECT and the csv module on SQLite."""
    query = f"SELECT * FROM ({TASK_ROW_SQL}) r ORDER BY {URGENCY_SQL}, deadline, id"
    day, soon = s.today.isoformat(), date.fromordinal(s.today.toordinal() + 7).isoformat()
    started = time.perf_counter()
    if name == "postgresql":
        import psycopg

        literal = query.replace(":day", f"'{day}'::date").replace(":soon", f"'{soon}'::date")
        copy_sql = f"COPY ({literal}) TO STDOUT WITH (FORMAT csv, HEADER)"
        with (
            psycopg.connect(pg_address()) as conn,
            conn.cursor() as cursor,
            cursor.copy(copy_sql) as copy,
        ):
            for _chunk in copy:
                pass
    else:
        engine = create_engine(url)
        with engine.connect() as connection:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            result = connection.execute(text(query), {"day": day, "soon": soon})
            for row in result:
                writer.writerow(row)
                if buffer.tell() > 1 << 16:
                    buffer.seek(0)
                    buffer.truncate()
        engine.dispose()
    return time.perf_counter() - started


# The statements of one API update, by hand (what the ORM sends for PATCH /api/v1/tasks/<id>
# of a progress report, read off the database's own log): the bearer token with its user,
# the task, its new version, the history entry and the entry it supersedes, the audit
# chain's head locked, the event, the head written. The event's hash is the app's own
# (domain.audit_chain.event_hash), so the chain stays whole and `audit verify` still passes.
FLOOR_UPDATE_SQL = {
    "token": "SELECT t.*, u.*, EXISTS (SELECT 1 FROM delegation d WHERE d.deputy_id = t.user_id"
    " AND d.ended_at IS NULL AND d.starts_on <= %(day)s) FROM api_token t"
    " JOIN user_account u ON u.id = t.user_id WHERE t.user_id = %(user)s"
    " ORDER BY t.id DESC LIMIT 1",
    "task": "SELECT * FROM task WHERE id = %(task)s",
    "version": "UPDATE task SET percent_done = %(percent)s, version = %(version)s + 1,"
    " updated_at = %(now)s WHERE id = %(task)s AND version = %(version)s",
    "entry": "INSERT INTO status_update (task_id, actor_id, on_behalf_of_id, created_at,"
    " superseded_at, old_status, new_status, old_percent, new_percent, deadline, note,"
    " note_code) VALUES (%(task)s, %(user)s, NULL, %(now)s, NULL, %(status)s, %(status)s,"
    " %(old_percent)s, %(percent)s, %(deadline)s, %(note)s, NULL) RETURNING id",
    "superseded": "UPDATE status_update SET superseded_at = %(now)s WHERE task_id = %(task)s"
    " AND id + 0 < %(entry)s AND (superseded_at IS NULL OR superseded_at > %(now)s)",
    "lock": "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING id, seq, hash",
    "event": "INSERT INTO audit_event (seq, prev_hash, hash, created_at, actor_id,"
    " actor_username, action, object_type, object_id, before, after, request_id) VALUES"
    " (%(seq)s, %(prev_hash)s, %(hash)s, %(created_at)s, %(actor_id)s, %(actor_username)s,"
    " %(action)s, %(object_type)s, %(object_id)s, %(before)s, %(after)s, %(request_id)s)",
    "head": "UPDATE audit_head SET seq = %(seq)s, hash = %(hash)s WHERE id = 1",
}


def update_floor(s: Subjects, clients: int) -> dict:
    """The same update's statements, by hand, from `clients` connections at once for
    BENCH_WRITE_SECONDS (PostgreSQL): what the database and its driver do per update with
    no web server, framework or ORM around them — the ceiling the app's writes are set
    against on this machine."""
    import psycopg
    from psycopg.rows import dict_row
    from psycopg.types.json import Jsonb

    from tracker.domain.audit_chain import event_hash

    people = s.writers[:clients]
    with psycopg.connect(pg_address()) as conn:
        ids = {
            name: conn.execute(
                "SELECT id FROM user_account WHERE username = %s", (name,)
            ).fetchone()[0]
            for name, _ in people
        }
    stop = time.perf_counter() + WRITE_SECONDS
    result, lock = Measure(), threading.Lock()

    def one_update(conn: psycopg.Connection[dict], username: str, task_id: int, n: int) -> None:
        now = datetime.now(UTC)
        with conn.transaction():
            params = {"user": ids[username], "day": now.date(), "task": task_id, "now": now}
            conn.execute(FLOOR_UPDATE_SQL["token"], params).fetchone()
            row = conn.execute(FLOOR_UPDATE_SQL["task"], params).fetchone()
            params |= {
                "version": row["version"],
                "old_percent": row["percent_done"],
                "percent": row["version"] % 90 + 1,
                "status": row["status"],
                "deadline": row["deadline"],
                "note": f"floor {n}",
            }
            conn.execute(FLOOR_UPDATE_SQL["version"], params)
            params["entry"] = conn.execute(FLOOR_UPDATE_SQL["entry"], params).fetchone()["id"]
            conn.execute(FLOOR_UPDATE_SQL["superseded"], params)
            head = conn.execute(FLOOR_UPDATE_SQL["lock"]).fetchone()
            seq, prev_hash = head["seq"], head["hash"]
            content = {
                "seq": seq + 1,
                "created_at": now,
                "actor_id": ids[username],
                "actor_username": username,
                "action": "task.progress_reported",
                "object_type": "task",
                "object_id": task_id,
                "before": {"status": row["status"], "percent_done": row["percent_done"]},
                "after": {"status": row["status"], "percent_done": params["percent"]},
                "request_id": f"floor-{n}",
            }
            digest = event_hash(content, prev_hash)
            event = content | {"prev_hash": prev_hash, "hash": digest}
            event["before"], event["after"] = Jsonb(content["before"]), Jsonb(content["after"])
            conn.execute(FLOOR_UPDATE_SQL["event"], event)
            conn.execute(FLOOR_UPDATE_SQL["head"], {"seq": seq + 1, "hash": digest})

    def loop(client: int) -> None:
        username, task_ids = people[client]
        with psycopg.connect(pg_address(), row_factory=dict_row) as conn:
            n = 0
            while time.perf_counter() < stop:
                started = time.perf_counter()
                one_update(conn, username, task_ids[n % 5], n)
                with lock:
                    result.latencies.append(time.perf_counter() - started)
                n += 1

    result.wall = in_threads(loop, len(people))
    return result.figures()


def add_update_floors(results: dict, s: Subjects) -> None:
    """The floor of one update (median ms, one connection) beside the API's, and of the
    throughput (updates/s, BENCH_WRITERS connections) beside the app's."""
    one, many = update_floor(s, 1), update_floor(s, WRITERS)
    results["update_api"]["floor_ms"] = one["median_ms"]
    results["update_api"]["ratio"] = round(results["update_api"]["median_ms"] / one["median_ms"], 1)
    for measure_name in ("update_throughput", "update_batched"):
        app_rate = results[measure_name]["per_second"]
        results[measure_name]["floor_per_second"] = many["per_second"]
        results[measure_name]["ratio"] = round(app_rate / many["per_second"], 2)


# --- the server -----------------------------------------------------------------------


def start_server(url: str) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--config", "deploy/gunicorn.conf.py", "app:app"],
        cwd=ROOT,
        env=environment(url),
        stdout=subprocess.DEVNULL,
        stderr=SERVER_LOG.open("w"),
        start_new_session=True,
    )
    for _ in range(150):
        try:
            if Browser()._request("GET", "/api/v1/openapi.json", None, None)[0] == 200:
                return server
        except OSError:  # not listening yet
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start; see {SERVER_LOG}")


def start_job_worker(url: str) -> subprocess.Popen:
    """A Celery worker running one job at a time, as a small production worker would."""
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "--app",
            "app.celery_app",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=environment(url),
        stdout=WORKER_LOG.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(300):
        if " ready." in WORKER_LOG.read_text():
            return worker
        time.sleep(0.2)
    raise SystemExit(f"the Celery worker did not start; see {WORKER_LOG}")


def process_tree_rss_mb(pid: int) -> float:
    """The memory of a process and its children (a Celery worker and its pool)."""
    total = rss_mb(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else ():
        total += rss_mb(int(child))
    return total


def timed_job(
    token: str, file_format: str, worker: subprocess.Popen, report: str = "tasks"
) -> dict:
    """POST /api/v1/exports, followed until the file is ready, then downloaded: time to a
    ready file, the download, and the job worker's memory before and at its peak."""
    bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    before = process_tree_rss_mb(worker.pid)
    peak, done = [before], threading.Event()

    def sample():
        while not done.is_set():
            peak.append(process_tree_rss_mb(worker.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    body = json.dumps({"report": report, "format": file_format, "filters": {}}).encode()
    status, answer = Browser().request("POST", "/api/v1/exports", body, bearer)
    job = json.loads(answer)
    while job["status"] in ("queued", "running"):
        time.sleep(0.2)
        job = json.loads(Browser().request("GET", f"/api/v1/exports/{job['id']}", None, bearer)[1])
    ready = time.perf_counter() - started
    done.set()
    sampler.join()
    size, downloaded = 0, 0.0
    if job["status"] == "done":
        fetch_started = time.perf_counter()
        fetched, data = Browser().request("GET", job["file"], None, bearer)
        downloaded, size = time.perf_counter() - fetch_started, len(data)
    return {
        "status": status,
        "job": job["status"],
        "ready_s": round(ready, 2),
        "download_s": round(downloaded, 2),
        "megabytes": round(size / 1e6, 1),
        "job_worker_rss_before_mb": round(before),
        "job_worker_rss_peak_mb": round(max(peak)),
    }


def worker_pids(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def cpu_seconds(pids: list[int]) -> float:
    """The user and system CPU seconds the processes have used so far (Linux /proc); one gone
    since is left out."""
    ticks = 0
    for pid in pids:
        try:
            after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(after_name[11]) + int(after_name[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    """The processes of the PostgreSQL server on this machine (its backends among them)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def cpu_in_use(server: subprocess.Popen) -> dict[str, float]:
    """CPU seconds so far of the app's gunicorn workers, the PostgreSQL server and this
    process (the bench's clients)."""
    clients = os.times()
    return {
        "app": cpu_seconds(worker_pids(server)),
        "database": cpu_seconds(postgres_pids()),
        "clients": clients.user + clients.system,
    }


def cpu_per_update(before: dict[str, float], after: dict[str, float], updates: int) -> dict:
    """Milliseconds of CPU each update took of the app, the database and the clients, and
    what the two cores' worth of CPU leaves each update at the throughput goal: where the
    time of a missed goal goes."""
    updates = max(updates, 1)
    spent = {part: round((after[part] - before[part]) * 1000 / updates, 2) for part in after}
    return {**spent, "budget": round((os.cpu_count() or 1) * 1000 / UPDATE_THROUGHPUT_GOAL, 2)}


def with_cpu_split(server: subprocess.Popen, measure_updates: Callable[[], dict]) -> dict:
    """The figures of a throughput measure, with each update's CPU split (cpu_per_update);
    a batched measure's requests each carry its `batch` of updates."""
    used = cpu_in_use(server)
    figures = measure_updates()
    updates = (figures["requests"] - figures["failures"]) * figures.get("batch", 1)
    figures["cpu_ms"] = cpu_per_update(used, cpu_in_use(server), updates)
    return figures


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed_download(browser: Browser, path: str, server: subprocess.Popen) -> dict:
    """Total time, time to first byte, size and the workers' peak memory during a download."""
    pids = worker_pids(server)
    before = max(rss_mb(pid) for pid in pids)
    peak, done = [before], threading.Event()

    def sample():
        while not done.is_set():
            peak.append(max(rss_mb(pid) for pid in pids))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    first = response.read(1)
    first_byte = time.perf_counter() - started
    size = len(first)
    while chunk := response.read(1 << 16):
        size += len(chunk)
    total = time.perf_counter() - started
    done.set()
    sampler.join()
    connection.close()
    return {
        "status": response.status,
        "seconds": round(total, 2),
        "first_byte_s": round(first_byte, 3),
        "megabytes": round(size / 1e6, 1),
        "worker_rss_before_mb": round(before),
        "worker_rss_peak_mb": round(max(peak)),
    }


# --- one database ------------------------------------------------------------------------


def run(name: str, url: str) -> dict:
    results: dict = {"database": name, **prepare(name, url)}
    s = subjects(url)
    ensure_admin(url)
    server = start_server(url)
    job_worker = start_job_worker(url)
    try:
        if "pages" in ONLY:
            results["pages"] = measure_pages(name, s)
        supervisor = Browser().login(s.supervisor)
        leader_browsers = [Browser().login(s.leader) for _ in range(CLIENTS)]
        supervisor_token = api_token(s.supervisor)
        bearer = {"Authorization": f"Bearer {supervisor_token}"}

        def get(browser_of, path, headers=None):
            return lambda client, n: browser_of(client).request("GET", path, headers=headers)[0]

        same = lambda browser: lambda client: browser  # noqa: E731
        leaders = lambda client: leader_browsers[client]  # noqa: E731
        measures = {
            "board": get(same(supervisor), "/board"),
            "my_unit": get(leaders, "/my-unit"),
            "task_page": get(leaders, f"/tasks/{s.shown_task}"),
            "directive_page": get(same(supervisor), f"/directives/{s.directive_id}"),
            "summary_directive": get(
                same(Browser()), f"/api/v1/reports/summary?directive={s.directive_code}", bearer
            ),
            "summary_all": get(same(Browser()), "/api/v1/reports/summary", bearer),
            "deep_page": get(same(Browser()), "/api/v1/tasks?timeliness=overdue&page=200", bearer),
        }
        for measure_name, call in measures.items() if "measures" in ONLY else ():
            results[measure_name] = measure(call).figures()
            if GOALS[measure_name][0] is not None:  # for the table of pages by size
                results[measure_name]["goal_ms"] = GOALS[measure_name][0]
            print(f"[{name}] {measure_name}: {results[measure_name]}", flush=True)

        if "updates" in ONLY:
            # One update at a time (the "one update"), then BENCH_CLIENTS at once.
            results["update_html"] = measure_html_updates(s, leader_browsers[:1])
            results["update_api"] = measure_api_updates(s, leaders_only=True, clients=1)
            results["update_api_concurrent"] = measure_api_updates(s, leaders_only=True)
            print(f"[{name}] update throughput, {WRITERS} writers", flush=True)
            results["update_throughput"] = with_cpu_split(
                server, lambda: measure_api_updates(s, leaders_only=False)
            )
            print(f"[{name}] the same, {BATCH} updates per request", flush=True)
            results["update_batched"] = with_cpu_split(server, lambda: measure_batched_updates(s))
            if name == "postgresql":
                print(f"[{name}] update floor: one, then {WRITERS} at once", flush=True)
                add_update_floors(results, s)
            results["audit_verify"] = audit_verify(url)

        print(f"[{name}] floors", flush=True)
        for kind in ("board", "directive_page") if {"floors", "measures"} <= ONLY else ():
            floor = time_floor(url, floor_queries(kind, s))
            results[kind]["floor_ms"] = round(floor * 1000, 1)
            results[kind]["ratio"] = round(results[kind]["median_ms"] / (floor * 1000), 1)

        if "users" in ONLY:
            results["user_import"] = measure_user_import(name, url)
            print(f"[{name}] user import: {results['user_import']}", flush=True)

        if "exports" not in ONLY:
            return results
        print(f"[{name}] CSV export", flush=True)
        results["csv"] = timed_download(supervisor, "/reports/tasks.csv", server)
        results["csv"]["floor_s"] = round(csv_floor(name, url, s), 2)
        results["csv"]["ratio"] = round(results["csv"]["seconds"] / results["csv"]["floor_s"], 1)
        for file_format in ("xlsx", "pdf"):
            print(f"[{name}] {file_format.upper()} export job", flush=True)
            results[f"{file_format}_job"] = timed_job(supervisor_token, file_format, job_worker)
        print(f"[{name}] national period report PDF export job", flush=True)
        results["period_pdf_job"] = timed_job(supervisor_token, "pdf", job_worker, "period")
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.killpg(job_worker.pid, signal.SIGTERM)
        job_worker.wait(timeout=600)
        results["dropped"] = list(DROPS)
        results["worker_incidents"] = worker_incidents()
        DROPS.clear()
    return results


def audit_verify(url: str) -> str:
    """`flask audit verify` after the writes (every update's own event, chained in the order
    written, and the floor's events chained by the app's hash): its verdict's first line,
    marked when the chain is not whole."""
    done = flask(url, "audit", "verify", check=False, capture_output=True, text=True)
    said = (done.stdout.strip() or done.stderr.strip() or f"exit {done.returncode}").splitlines()
    return said[0] if done.returncode == 0 else f"NOT WHOLE (exit {done.returncode}): {said[-1]}"


def worker_incidents() -> list[str]:
    """What gunicorn logged of a worker killed, aborted or exiting during the run (its own
    shutdown at the end left out)."""
    lines = SERVER_LOG.read_text(errors="replace").splitlines()
    shutdown = next((i for i, line in enumerate(lines) if "Handling signal: term" in line), None)
    return [line for line in lines[:shutdown] if WORKER_INCIDENT.search(line)]


def measure_user_import(name: str, url: str, rows: int = 10_000) -> dict:
    """`flask users import` of `rows` new accounts (issue goal: 10,000 in under a minute):
    a dry run, then the apply. Their invitations are mailed to a closed port, so the apply
    also counts one refused connection per mail; the accounts stay in the bench database,
    under a prefix of this run."""
    prefix = f"bench{int(time.time())}"
    path = OUT / f"users-{name}.csv"
    lines = ["username,full_name,email,role,unit,language"]
    lines += [
        f"{prefix}.{n:05d},Cán bộ {n},{prefix}{n}@bench.gov.vn,officer,S{SEED}-ROOT,vi"
        for n in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    figures = {"rows": rows}
    for label, extra in (("dry_run_s", ["--dry-run"]), ("apply_s", [])):
        started = time.perf_counter()
        done = flask(
            url,
            *("users", "import", str(path), "--user", ADMIN, *extra),
            check=False,
            more_env={"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9"},
            capture_output=True,
            text=True,
        )
        figures[label] = round(time.perf_counter() - started, 1)
        if done.returncode != 0:
            figures[label] = f"failed: {done.stderr.strip().splitlines()[-1:]}"
    return figures


def measure_html_updates(s: Subjects, browsers: list[Browser]) -> dict:
    """The progress form posted by the unit leader, each client on a task of its own."""
    state = []
    for client, browser in enumerate(browsers):
        task_id = s.leader_tasks[client]
        status, page = browser.request("GET", f"/tasks/{task_id}")
        version = int(re.search(rb'name="version"[^>]*value="(\d+)"', page).group(1))
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        state.append({"task": task_id, "version": version, "csrf": token})

    def post(client: int, n: int) -> int:
        mine = state[client]
        status, _ = browsers[client].post_form(
            f"/tasks/{mine['task']}/progress",
            {
                "status": "in_progress",
                "percent_done": (mine["version"] % 90) + 1,
                "note": f"bench {n}",
                "version": mine["version"],
            },
            mine["csrf"],
        )
        if status == 302:
            mine["version"] += 1
        return status

    return measure(post, clients=len(browsers), expected=(302,)).figures()


def writers_with_versions(
    people: list[tuple[str, list[int]]], tasks_each: int
) -> list[tuple[dict[str, str], dict[int, int]]]:
    """For each writer (username, own task ids): the API headers with a token of theirs, and
    the version of each of their first `tasks_each` tasks (kept up to date as they write)."""
    clients = []
    for username, task_ids in people:
        token = api_token(username)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        versions = {}
        for task_id in task_ids[:tasks_each]:
            _, body = Browser().request("GET", f"/api/v1/tasks/{task_id}", headers=headers)
            versions[task_id] = json.loads(body)["version"]
        clients.append((headers, versions))
    return clients


def measure_api_updates(s: Subjects, leaders_only: bool, clients: int = CLIENTS) -> dict:
    """PATCH /api/v1/tasks/<id> by unit leaders on their own tasks (no write conflicts).
    Latency with `clients` clients; or throughput with BENCH_WRITERS for a set time."""
    people = s.writers[:clients] if leaders_only else s.writers[:WRITERS]
    clients = writers_with_versions(people, 5)

    def patch(client: int, n: int) -> int:
        headers, versions = clients[client]
        task_id = list(versions)[abs(n) % len(versions)]
        body = json.dumps(
            {
                "version": versions[task_id],
                "status": "in_progress",
                "progress": versions[task_id] % 90 + 1,
                "note": f"bench {n}",
            }
        ).encode()
        status, answer = Browser().request("PATCH", f"/api/v1/tasks/{task_id}", body, headers)
        if status == 200:
            versions[task_id] = json.loads(answer)["version"]
        return status

    if leaders_only:
        return measure(patch, clients=len(clients)).figures()
    return for_a_while(patch, len(clients)).figures()


def for_a_while(call: Callable[[int, int], int], clients: int) -> Measure:
    """`clients` threads each calling `call(client, n)` again and again (n counting from 0)
    for BENCH_WRITE_SECONDS: every latency, and the statuses other than 200."""
    stop, result, lock = time.perf_counter() + WRITE_SECONDS, Measure(), threading.Lock()

    def loop(client: int) -> None:
        n = 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status = call(client, n)
            with lock:
                result.latencies.append(time.perf_counter() - started)
                if status != 200:
                    result.failures.append(status)
            n += 1

    result.wall = in_threads(loop, clients)
    return result


def measure_batched_updates(s: Subjects) -> dict:
    """BENCH_WRITERS unit leaders each sending BENCH_BATCH of their own tasks' progress per
    POST /api/v1/tasks/progress for BENCH_WRITE_SECONDS: latency per request, and
    per_second counting updates (tasks written), not requests."""
    clients = writers_with_versions(s.writers[:WRITERS], BATCH)

    def post(client: int, n: int) -> int:
        headers, versions = clients[client]
        updates = [
            {
                "task_id": task_id,
                "version": version,
                "status": "in_progress",
                "progress": version % 90 + 1,
                "note": f"bench {n}",
            }
            for task_id, version in versions.items()
        ]
        status, answer = Browser().request(
            "POST", "/api/v1/tasks/progress", json.dumps({"updates": updates}).encode(), headers
        )
        if status == 200:
            for item in json.loads(answer)["items"]:
                versions[item["id"]] = item["version"]
        return status

    figures = for_a_while(post, len(clients)).figures()
    figures["batch"] = len(clients[0][1])
    figures["per_second"] = round(figures["per_second"] * figures["batch"], 1)
    return figures


# --- the table ---------------------------------------------------------------------------


def verdict(met: bool, goal: str) -> str:
    """A figure against its goal, as every table says it: "met ≤150" or "missed ≤150"."""
    return ("met" if met else "missed") + f" {goal}"


def goal_text(measure_name: str, figures: dict) -> str:
    p95_goal, ratio_goal = GOALS.get(measure_name, (None, None))
    verdicts = []
    if p95_goal is not None:
        verdicts.append(verdict(figures["p95_ms"] <= p95_goal, f"≤{p95_goal}"))
    if ratio_goal is not None and "ratio" in figures:
        verdicts.append(verdict(figures["ratio"] <= ratio_goal, f"≤{ratio_goal}×"))
    return ", ".join(verdicts)


def pages_table(all_results: list[dict]) -> list[str]:
    """One row per page and reader: each database's median / p95 against the page's goal."""
    names = [r["database"] for r in all_results if r.get("pages")]
    if not names:
        return []
    header = ["page (reader)", *(f"{n} median / p95 ms" for n in names), "goal p95 ms"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    keys = list(dict.fromkeys(k for r in all_results for k in r.get("pages", {})))
    for key in keys:
        cells, goal = [], None
        for results in all_results:
            if not results.get("pages"):
                continue
            f = results["pages"].get(key)
            if f is None:
                cells.append("—")
                continue
            goal = f["goal_ms"]
            verdict = "" if f["p95_ms"] <= goal else " (missed)"
            failed = f"; {f['failures']} failed" if f["failures"] else ""
            cells.append(f"{f['median_ms']:,.0f} / {f['p95_ms']:,.0f}{verdict}{failed}")
        lines.append(f"| {key} | " + " | ".join(cells) + f" | {goal} |")
    lines.append("")
    return lines


def cpu_lines(all_results: list[dict]) -> list[str]:
    """Where each update's CPU went in the throughput measures, against what the machine's
    cores leave one update at the goal's rate."""
    lines = []
    for results in all_results:
        for measure_name in ("update_throughput", "update_batched"):
            cpu = results.get(measure_name, {}).get("cpu_ms")
            if not cpu:
                continue
            on_postgresql = results["database"] == "postgresql"
            database = f", PostgreSQL {cpu['database']} ms" if on_postgresql else ""
            total = cpu["app"] + cpu["clients"] + (cpu["database"] if on_postgresql else 0)
            lines.append(
                f"\n{measure_name} ({results['database']}): CPU per update — app workers"
                f" {cpu['app']} ms{database}, the bench's clients {cpu['clients']} ms; in all"
                f" {total:.2f} ms, where {os.cpu_count()} cores at {UPDATE_THROUGHPUT_GOAL}/s"
                f" leave {cpu['budget']} ms."
            )
    return lines


def table(all_results: list[dict]) -> str:
    lines = pages_table(all_results)
    header = ("measure", "db", "median ms", "p95 ms", "req/s", "floor", "app/floor", "goal")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for results in all_results:
        db_name = results["database"]
        for measure_name in (*GOALS, *UPDATE_MEASURES):
            f = results.get(measure_name)
            if not f:
                continue
            if measure_name in ("update_throughput", "update_batched"):
                met = f["per_second"] >= UPDATE_THROUGHPUT_GOAL
                goal = verdict(met, f"≥{UPDATE_THROUGHPUT_GOAL}/s")
                if db_name != "postgresql":
                    goal = "(goal is for PostgreSQL)"
                if "batch" in f:
                    goal += f"; {f['batch']} per request, updates counted"
            elif measure_name == "update_api_concurrent":
                goal = f"({CLIENTS} at once; the goal is one at a time)"
            elif measure_name.startswith("update_"):
                limit = UPDATE_MEDIAN_GOALS[db_name]
                goal = verdict(f["median_ms"] <= limit, f"median ≤{limit}")
            else:
                goal = goal_text(measure_name, f)
            if f["failures"]:
                goal += f"; {f['failures']} failed"
            floor = f"{f['floor_ms']} ms" if "floor_ms" in f else ""
            if "floor_per_second" in f:
                floor = f"{f['floor_per_second']} /s"
            lines.append(
                f"| {measure_name} | {db_name} | {f['median_ms']} | {f['p95_ms']} |"
                f" {f['per_second']} | {floor} | {f.get('ratio', '')} | {goal} |"
            )
    lines.extend(cpu_lines(all_results))
    lines.append("")
    lines.append(
        "| export | db | total s | first byte s | MB | worker RSS before → peak MB |"
        " floor s | app/floor | goal |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for results in all_results:
        f = results.get("csv")
        if f:
            goal = "(goal is for PostgreSQL's COPY)"
            if results["database"] == "postgresql":
                met = f["ratio"] <= CSV_FLOOR_RATIO_GOAL
                goal = verdict(met, f"≤{CSV_FLOOR_RATIO_GOAL}×")
            lines.append(
                f"| csv (HTTP {f['status']}) | {results['database']} | {f['seconds']} |"
                f" {f['first_byte_s']} | {f['megabytes']} |"
                f" {f['worker_rss_before_mb']} → {f['worker_rss_peak_mb']} |"
                f" {f.get('floor_s', '')} | {f.get('ratio', '')} | {goal} |"
            )
    lines.append("")
    lines.append(
        "| export job | db | ready after s | download s | MB | job worker RSS before → peak MB |"
        " goal |"
    )
    lines.append("|---|---|---|---|---|---|---|")
    for results in all_results:
        for job in ("xlsx", "pdf", "period_pdf"):
            f = results.get(f"{job}_job")
            if f:
                goal = ""
                if job == "pdf":
                    seconds, megabytes = PDF_GOAL
                    grew = f["job_worker_rss_peak_mb"] - f["job_worker_rss_before_mb"]
                    met = f["ready_s"] <= seconds and grew <= megabytes
                    goal = verdict(met, f"≤{seconds} s, ≤{megabytes} MB more")
                elif job == "period_pdf":
                    met = f["ready_s"] <= PERIOD_PDF_GOAL
                    goal = verdict(met, f"≤{PERIOD_PDF_GOAL} s")
                lines.append(
                    f"| {job} (HTTP {f['status']}, {f['job']}) | {results['database']} |"
                    f" {f['ready_s']} | {f['download_s']} | {f['megabytes']} |"
                    f" {f['job_worker_rss_before_mb']} → {f['job_worker_rss_peak_mb']} | {goal} |"
                )
    return "\n".join(lines)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    all_results = [run(name, url) for name, url in database_urls().items()]
    machine = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "tasks": TASKS,
        "clients": CLIENTS,
        "requests_per_measure": REQUESTS,
        "writers": WRITERS,
    }
    figures = json.dumps({"machine": machine, "results": all_results}, indent=2)
    (OUT / "results.json").write_text(figures)
    # Kept per size, for the chart of page times by size (scripts/bench_chart.py): by a run
    # that measured the pages only, so that one of the writes alone leaves the size's pages.
    measured_pages = any(results.get("pages") for results in all_results)
    if measured_pages:
        (OUT / f"results-{TASKS}.json").write_text(figures)
    print()
    print(
        f"{TASKS:,} tasks, {os.cpu_count()} CPUs, {machine['date']}, gunicorn {WORKERS} workers,"
        f" {CLIENTS} clients"
    )
    print(table(all_results))
    for results in all_results:
        dropped, incidents = results["dropped"], results["worker_incidents"]
        print(f"\n[{results['database']}] connections dropped without an answer: {len(dropped)}")
        for line in dropped:
            print(f"  {line}")
        print(f"[{results['database']}] gunicorn's log of its workers: {len(incidents)} incidents")
        for line in incidents:
            print(f"  {line}")
        if "audit_verify" in results:
            verdict = results["audit_verify"]
            print(f"[{results['database']}] audit verify after the writes: {verdict}")
    print(f"\nFigures in {OUT / 'results.json'}.")
    chart = bench_chart.draw() if measured_pages else None
    if chart is not None:
        print(f"Page times by size, every size measured: {chart}.")
    if measured_pages:
        print("\nEvery page by size (the sizes kept in bench/results-<tasks>.json):")
        print(bench_chart.table())


if __name__ == "__main__":
    sys.exit(main())
