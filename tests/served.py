"""The app under gunicorn, as production serves it: a context manager that starts a server
on a free port of 127.0.0.1 against the test database, waits until it answers, and stops
it (its log is printed when the server does not come up)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, instance_dir: Path, workers: int = 1, **settings: str):
    """Yield the base URL of gunicorn serving `app:app` with these environment settings."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "served-test-" + "k" * 40,
        "TRACKER_INSTANCE_DIR": str(instance_dir),
        "MFA_REQUIRED_ROLES": "",  # as in conftest's apps; test_second_factor asks for it
        **settings,
    }
    environment.pop("TRACKER_TEST_NOW", None)  # the server runs on the machine's clock
    log = instance_dir / f"gunicorn-{port}.log"
    instance_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        f"--workers={workers}",
        f"--bind=127.0.0.1:{port}",
        "--no-control-socket",  # one per user by default: two servers would share it
        "app:app",
    ]
    root = Path(__file__).resolve().parent.parent
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=root, env=environment, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/login", timeout=2).close()
                break
            except OSError:  # refused, reset or timed out while it boots
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
