"""Reports from a streaming replica, with PostgreSQL's own tools: a primary cluster and a
replica made from it by `pg_basebackup` (both started by the test, on ports of their own),
the app's DATABASE_URL on the primary and REPORTS_DATABASE_URL on the replica. With the
replica's replay paused, a task added on the primary is missing from the board (read from
the replica) but on its own page (the primary); a report file's manifest and audit event go
to the primary (the replica refuses writes); the person who has just written reads the
primary; and once replay resumes, the board is right again."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from tracker.extensions import db
from tracker.infra import clock
from tracker.models import ReportExport, Task, User

from .conftest import Factory, login
from .served import free_port
from .test_backups import app_on, command

PG_BIN = Path("/usr/lib/postgresql/15/bin")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (PG_BIN / "pg_basebackup").exists() or os.geteuid() != 0 or not shutil.which("runuser"),
        reason="needs PostgreSQL 15's programs and root (to run them as postgres)",
    ),
]


def as_postgres(*command: str | Path) -> None:
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", *map(str, command)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr + done.stdout


@pytest.fixture
def clusters():
    """(primary URL, replica URL, replica admin engine) of two clusters started for the test
    (in a folder of /tmp the postgres user can reach: pytest's own are root's alone)."""
    root = Path(tempfile.mkdtemp(prefix="tracker-replica-"))
    shutil.chown(root, "postgres", "postgres")
    primary, replica = root / "primary", root / "replica"
    ports = free_port(), free_port()
    as_postgres(
        PG_BIN / "initdb",
        "-D",
        primary,
        "--auth=trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--no-sync",
    )
    started = []
    try:
        for folder, port in ((primary, ports[0]),):
            as_postgres(
                PG_BIN / "pg_ctl",
                "-D",
                folder,
                "-l",
                folder / "log",
                "-w",
                "-o",
                f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
                "start",
            )
            started.append(folder)
        as_postgres(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(ports[0]), "tracker")
        as_postgres(
            PG_BIN / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(ports[0]),
            "-U",
            "postgres",
            "-D",
            replica,
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
        )
        as_postgres(
            PG_BIN / "pg_ctl",
            "-D",
            replica,
            "-l",
            replica / "log",
            "-w",
            "-o",
            f"-p {ports[1]} -k {replica} -c listen_addresses=127.0.0.1",
            "start",
        )
        started.append(replica)
        url = "postgresql+psycopg://postgres@127.0.0.1:{}/tracker"
        replica_admin = create_engine(url.format(ports[1]), isolation_level="AUTOCOMMIT")
        yield url.format(ports[0]), url.format(ports[1]), replica_admin
        replica_admin.dispose()
    finally:
        for folder in reversed(started):
            as_postgres(PG_BIN / "pg_ctl", "-D", folder, "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def replayed(replica_admin, task_code: str) -> bool:
    with replica_admin.connect() as connection:
        return bool(
            connection.execute(
                text("SELECT 1 FROM task WHERE code = :code"), {"code": task_code}
            ).scalar()
        )


def wait_until(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_reports_read_the_replica_and_writes_go_to_the_primary(
    another_app, app, clusters, tmp_path
):
    primary_url, replica_url, replica_admin = clusters
    tracker = app_on(
        another_app, app, primary_url, tmp_path / "files", REPORTS_DATABASE_URL=replica_url
    )
    assert command(tracker, "db", "upgrade").exit_code == 0
    today = clock.today()
    with tracker.app_context():
        build = Factory()
        ministry = build.unit("BKHĐT", name="Bộ Kế hoạch và Đầu tư")
        plan = build.directive("Kế hoạch 12/KH-BKHĐT")
        build.task(ministry, plan, code="NV cũ", deadline=today - timedelta(days=4))
        admin_id = build.user("admin", ministry, username="quan.tri", name="Ông Ích Khiêm").id
    wait_until(lambda: replayed(replica_admin, "NV cũ"), "the replica to catch up")

    with replica_admin.connect() as connection:
        connection.execute(text("SELECT pg_wal_replay_pause()"))
    with tracker.app_context():
        older = db.session.scalar(select(Task).where(Task.code == "NV cũ"))
        newer = Factory().task(
            older.lead_unit, older.directive, code="NV mới", deadline=today - timedelta(days=2)
        )
        newer_id = newer.id
    client = tracker.test_client()
    with tracker.app_context():
        login(client, db.session.get(User, admin_id))
    board = client.get("/board")
    assert "NV cũ" in board.text and "NV mới" not in board.text  # the replica, paused
    assert "NV mới" in client.get(f"/tasks/{newer_id}").text  # a task page: the primary
    # A report's CSV is read from the replica; its manifest and audit event are written to
    # the primary (the replica is read-only: a write there would fail the download).
    period = client.get("/reports/period.csv?period=" + str(today.year))
    assert period.status_code == 200 and period.get_data()
    with tracker.app_context():
        assert db.session.scalar(select(ReportExport.report)) == "period"
    # The person has just changed something: their reports read the primary for a while.
    assert client.post("/notifications/read").status_code == 302
    assert "NV mới" in client.get("/board").text

    with replica_admin.connect() as connection:
        connection.execute(text("SELECT pg_wal_replay_resume()"))
    wait_until(lambda: replayed(replica_admin, "NV mới"), "the replica to replay again")
    fresh = tracker.test_client()
    with tracker.app_context():
        login(fresh, db.session.get(User, admin_id))
    assert "NV mới" in fresh.get("/board").text
