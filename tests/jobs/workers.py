"""A real Celery worker for the tests: `celery --app app.celery_app worker` in a process
group of its own, against the test database and a Redis database of the test's own, with
the test app's folders and audit key; started, waited for ("ready"), and stopped or killed."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
ROOT = Path(__file__).resolve().parent.parent.parent


def redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return True
    except OSError:
        return False


def broker_url_for(worker_id: str) -> str:
    """A Redis database for each pytest-xdist worker (10, 11, …), so runs side by side
    never share a queue."""
    number = 0 if worker_id == "master" else int(worker_id.removeprefix("gw"))
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{10 + number}"


def settings_of(app) -> dict[str, str]:
    """What a worker needs to work on the test app's data: the same database, folders,
    audit key and anchor file."""
    config = app.config
    return {
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": config["SECRET_KEY"],
        "EXPORT_DIR": config["EXPORT_DIR"],
        "UPLOAD_DIR": config["UPLOAD_DIR"],
        "AUDIT_SIGNING_KEY": config["AUDIT_SIGNING_KEY"],
        "AUDIT_ANCHOR_FILE": config["AUDIT_ANCHOR_FILE"],
        "JOBS_BROKER_URL": config["JOBS_BROKER_URL"],
        "JOBS_STALE_SECONDS": str(config["JOBS_STALE_SECONDS"]),
    }


@contextlib.contextmanager
def celery_worker(name: str, log_dir: Path, settings: dict[str, str]):
    """Yield the running worker's process (its group is its pid)."""
    environment = {
        **os.environ,
        "TRACKER_INSTANCE_DIR": str(log_dir),
        "MFA_REQUIRED_ROLES": "",  # as in conftest's apps
        **settings,
    }
    environment.pop("TRACKER_TEST_NOW", None)  # the worker runs on the machine's clock
    log = log_dir / f"worker-{name}.log"
    command = [
        str(Path(sys.executable).parent / "celery"),
        "--app",
        "app.celery_app",
        "worker",
        "--hostname",
        f"{name}@%h",
        "--concurrency",
        "1",
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log.open("w") as output:
        worker = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield worker
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()


def kill(worker: subprocess.Popen) -> None:
    """SIGKILL to the worker and its pool processes, as a machine that loses power."""
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
