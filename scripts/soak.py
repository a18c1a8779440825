"""`make soak`: the tracker under load and faults, then a reconciliation of what it said
against what it stored.

gunicorn with 2 workers on 127.0.0.1 against a PostgreSQL database of its own
(tracker_soak, dropped and made again); 20 clients do versioned read-modify-write on 8 tasks
through the API (GET, then PATCH with the version read and a note naming the attempt).

Phases: steady (SOAK_SECONDS, default 60), PostgreSQL restarted in the middle
(SOAK_FAULT_SECONDS, default 20), a worker killed with SIGKILL in the middle (same length).

Afterwards, from the database:
- every PATCH answered 2xx has its history entry (exactly one) and its audit event;
- no history entry without an audit event and no audit event without its entry, so nothing
  is half-written (unanswered attempts are wholly there or wholly absent);
- each task's version counts exactly its entries; the audit chain verifies;
- in the steady phase every failure is an explicit 409 or 429, never a 5xx; in the fault
  phases failures are explicit answers (409/503) or refused connections, never a 500.

It prints requests, successes, conflicts, errors and throughput per phase, then the checks,
and exits 1 if any check fails.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
DATABASE = "tracker_soak"
PORT = int(os.environ.get("SOAK_PORT", "5077"))
CLIENTS, TASKS = 20, 8
SERVER_LOG = Path(os.environ.get("SOAK_LOG", "/tmp/tracker-soak-server.log"))
STEADY = float(os.environ.get("SOAK_SECONDS", "60"))
FAULT = float(os.environ.get("SOAK_FAULT_SECONDS", "20"))


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def environment() -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "TRACKER_ENV": "production",
        "SECRET_KEY": "soak-" + "k" * 40,
        "SESSION_COOKIE_SECURE": "0",
        "LOG_LEVEL": "ERROR",
        # The soak's admin takes an API token with a password: restarts and killed workers
        # are measured here, the second factor in tests/accounts/test_second_factor.py.
        "MFA_REQUIRED_ROLES": "",
        # Its own instance folder: the audit anchors and uploads of another database (the
        # demo's) must not be checked against this one.
        "TRACKER_INSTANCE_DIR": "/tmp/tracker-soak-instance",
    }


def prepare() -> tuple[str, dict[int, int]]:
    """A fresh database with one admin, one directive and the tasks; returns a token and
    each task's version before the load."""
    psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    psql(f"CREATE DATABASE {DATABASE}")
    shutil.rmtree(environment()["TRACKER_INSTANCE_DIR"], ignore_errors=True)
    os.environ.update(environment())
    sys.path.insert(0, str(ROOT))
    from datetime import date

    from tracker import create_app
    from tracker.accounts import tokens, users
    from tracker.extensions import db
    from tracker.models import Task
    from tracker.org import directives, units
    from tracker.work.tasks import TaskValues, add_task

    app = create_app()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=str(ROOT / "tracker" / "migrations"))
        unit = units.add_unit("SOAK", "Soak unit", None)
        admin = users.add_user("soak_admin", "soak password for the load test", "admin", unit)
        directive = directives.add_directive(
            directives.DirectiveValues(
                code="SOAK-1", kind="plan", title="Soak plan", issued_on=date(2026, 1, 1)
            )
        )
        db.session.flush()
        ids = []
        for number in range(TASKS):
            task = add_task(
                TaskValues(
                    code=f"S{number}",
                    title=f"Soak task {number}",
                    directive=directive,
                    lead_unit=unit,
                    deadline=date(2030, 1, 1),
                ),
                admin,
            )
            db.session.flush()
            ids.append(task.id)
        db.session.commit()
        token, _ = tokens.issue_token("soak_admin", "soak password for the load test")
        versions = {task_id: db.session.get(Task, task_id).version for task_id in ids}
        db.engine.dispose()
    return token, versions


def start_server() -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--graceful-timeout",
            "5",
            "app:app",
        ],
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=SERVER_LOG.open("w"),
        start_new_session=True,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    acknowledged: list[str] = field(default_factory=list)  # notes of PATCHes answered 2xx
    requests: int = 0
    refused_connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def client_loop(
    phase: str, number: int, token: str, ids: list[int], stop: threading.Event, tally: Tally
):
    rng = random.Random(number)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    attempt = 0
    while not stop.is_set():
        task_id = rng.choice(ids)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=15)
            connection.request("GET", f"/api/v1/tasks/{task_id}", headers=headers)
            response = connection.getresponse()
            body = response.read()
            with tally.lock:
                tally.requests += 1
                tally.statuses[("GET", response.status)] += 1
            if response.status != 200:
                time.sleep(0.05)
                continue
            task = json.loads(body)
            attempt += 1
            note = f"soak c{number} {phase} a{attempt}"
            patch = {
                "version": task["version"],
                "status": "in_progress",
                "progress": (task["progress"] + 1) % 100,
                "note": note,
            }
            connection.request(
                "PATCH", f"/api/v1/tasks/{task_id}", body=json.dumps(patch), headers=headers
            )
            response = connection.getresponse()
            response.read()
            with tally.lock:
                tally.requests += 1
                tally.statuses[("PATCH", response.status)] += 1
                if 200 <= response.status < 300:
                    tally.acknowledged.append(note)
            connection.close()
        except (OSError, http.client.HTTPException):
            with tally.lock:
                tally.refused_connections += 1
            time.sleep(0.05)


def run_phase(name: str, seconds: float, token: str, ids: list[int], fault=None) -> Tally:
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(target=client_loop, args=(name, n, token, ids, stop, tally), daemon=True)
        for n in range(CLIENTS)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    if fault is not None:
        time.sleep(seconds / 3)
        fault()
        time.sleep(max(seconds - (time.monotonic() - started), 0))
    else:
        time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=20)
    tally.elapsed = time.monotonic() - started
    return tally


def restart_postgres() -> None:
    cluster = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def kill_a_worker(server: subprocess.Popen):
    def fault() -> None:
        workers = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        if workers:
            os.kill(int(workers[0]), signal.SIGKILL)

    return fault


def reconcile(acknowledged: list[str], versions: dict[int, int]) -> list[tuple[str, bool, str]]:
    from sqlalchemy import func, select

    from tracker import audit, create_app
    from tracker.extensions import db
    from tracker.models import AuditEvent, StatusUpdate, Task

    app = create_app()
    checks = []
    with app.app_context():
        notes = Counter(
            db.session.scalars(
                select(StatusUpdate.note).where(StatusUpdate.note.like("soak c%"))
            ).all()
        )
        missing = [note for note in acknowledged if notes[note] != 1]
        checks.append(
            (
                "every acknowledged write stored exactly once",
                not missing,
                f"{len(acknowledged)} acknowledged, {len(missing)} missing or doubled",
            )
        )
        entries = sum(notes.values())
        unanswered = entries - len(set(acknowledged) & set(notes))
        checks.append(
            (
                "writes stored without an answer (a worker killed after its commit) are whole",
                True,
                f"{unanswered} such write(s), each with its audit event (checked below)",
            )
        )
        events = db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action.in_(("task.status_changed", "task.progress_reported"))
            )
        )
        checks.append(
            (
                "one audit event per history entry (nothing half-written)",
                entries == events,
                f"{entries} entries, {events} audit events",
            )
        )
        drift = []
        for task in db.session.scalars(select(Task)):
            count = db.session.scalar(
                select(func.count(StatusUpdate.id)).where(
                    StatusUpdate.task_id == task.id, StatusUpdate.note.like("soak c%")
                )
            )
            if task.version != versions[task.id] + count:
                drift.append(task.code)
        checks.append(
            (
                "each task's version counts its writes",
                not drift,
                f"off: {', '.join(drift) or 'none'}",
            )
        )
        checked, broken = audit.verify_chain()
        checks.append(("the audit chain verifies", broken is None, f"{checked} events"))
        db.engine.dispose()
    return checks


def main() -> int:
    token, versions = prepare()
    ids = list(versions)
    server = start_server()
    results = []
    try:
        results.append(("steady", run_phase("steady", STEADY, token, ids)))
        results.append(
            ("postgres restart", run_phase("restart", FAULT, token, ids, restart_postgres))
        )
        time.sleep(2)
        results.append(
            ("worker killed", run_phase("kill", FAULT, token, ids, kill_a_worker(server)))
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(
        f"{'phase':18} {'requests':>9} {'writes ok':>9} {'409':>6} {'429':>5} "
        f"{'503':>5} {'5xx':>5} {'refused':>8} {'req/s':>7}"
    )
    ok = True
    acknowledged: list[str] = []
    for name, tally in results:
        statuses = tally.statuses
        writes = sum(
            n for (method, status), n in statuses.items() if method == "PATCH" and status < 300
        )
        conflicts = statuses[("PATCH", 409)]
        limited = sum(n for (_, status), n in statuses.items() if status == 429)
        unavailable = sum(n for (_, status), n in statuses.items() if status == 503)
        server_errors = sum(
            n for (_, status), n in statuses.items() if status >= 500 and status != 503
        )
        others = [key for key in statuses if key[1] >= 400 and key[1] not in (409, 429, 503)]
        print(
            f"{name:18} {tally.requests:>9} {writes:>9} {conflicts:>6} {limited:>5} "
            f"{unavailable:>5} {server_errors:>5} {tally.refused_connections:>8} "
            f"{tally.requests / tally.elapsed:>7.0f}"
        )
        acknowledged += tally.acknowledged
        if server_errors or others:
            ok = False
            print(f"  ✗ unexpected answers in {name}: {sorted(others)} (see {SERVER_LOG})")
        if name == "steady" and (unavailable or tally.refused_connections):
            ok = False
            print("  ✗ the steady phase must not fail but with 409 or 429")
    print()
    for label, passed, detail in reconcile(acknowledged, versions):
        ok = ok and passed
        print(f"{'✓' if passed else '✗'} {label}: {detail}")
    print("\nsoak:", "clean" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
