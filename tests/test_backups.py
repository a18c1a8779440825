"""The backup drill, on the database the suite runs on: the Vietnamese demo and a day of
activity (progress with a file of evidence, an export job's file, an anchor), a backup, a
restore into a new database and new folders; then the audit trail verifies against its
anchors, the reports and the summary API give the same figures, and every evidence file is
byte-identical. A backup with one changed byte is refused, naming the part, and the database
it was to go into stays empty."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select
from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.infra import clock
from tracker.models import Task, User
from tracker.work.tasks import report_progress

from .api.test_api import token_for
from .conftest import login

pytestmark = pytest.mark.slow
EVIDENCE = b"%PDF-1.4\n% Bien ban nghiem thu dot 2\n1 0 obj\n<<>>\nendobj\n"


def app_on(another_app, app, url: str, folder: Path, **settings):
    """An app of its own on the database at `url`, its files under `folder`."""
    return another_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "JOBS_EAGER": True,
            "UPLOAD_DIR": str(folder / "tải lên"),
            "EXPORT_DIR": str(folder / "tệp xuất"),
            "AUDIT_ANCHOR_FILE": str(folder / "neo" / "anchors.jsonl"),
            "AUDIT_SIGNING_KEY": str(folder / "neo" / "key.pem"),
            "DEMO_ACCOUNTS_FILE": str(folder / "demo_accounts.txt"),
            **settings,
        }
    )


def command(flask_app, *args: str):
    """A CLI command of `flask_app` (its own app context: a command otherwise runs in the one
    the test is in, the suite's own database)."""
    with flask_app.app_context():
        return flask_app.test_cli_runner().invoke(args=list(args))


def figures(flask_app, username: str) -> dict:
    """What an auditor reads from `flask_app`: the summary API, the units, and the year's
    period report, the league table, the overdue board and the task list as CSV."""
    client = flask_app.test_client()
    with flask_app.app_context():
        auditor = db.session.scalar(select(User).where(User.username == username))
        login(client, auditor)
        headers = token_for(client, auditor)
    summary = client.get("/api/v1/reports/summary", headers=headers).json
    codes = [unit["code"] for unit in client.get("/api/v1/units", headers=headers).json["items"]]
    year = clock.today().year
    reports = {
        path: client.get(path).data.decode("utf-8-sig")
        for path in (
            f"/reports/period.csv?period={year}",
            f"/reports/league.csv?period={year}",
            "/board.csv",
            "/reports/tasks.csv",
        )
    }
    return {"summary": summary, "units": codes, **reports}


def hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_backup_restores_whole_and_a_damaged_one_is_refused(
    app, client, another_app, new_database, make, tmp_path
):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    # A day of activity: progress with evidence, a report file made by a job, an anchor.
    task = db.session.scalar(select(Task).where(Task.status == "in_progress").limit(1))
    leader = db.session.scalar(
        select(User).where(User.role == "unit_leader", User.unit_id == task.lead_unit_id)
    )
    upload = FileStorage(io.BytesIO(EVIDENCE), "Biên bản Đợt 2.pdf", content_type="application/pdf")
    report_progress(leader, task, task.version, "in_progress", 80, "Đã nghiệm thu", "", upload)
    auditor = make.user("auditor", leader.unit, username="kiem.toan", name="Vũ Thị Ưng")
    login(client, auditor)
    assert client.get("/reports/tasks.xlsx").status_code == 303
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    before = figures(app, auditor.username)

    backup = tmp_path / "sao lưu 2026-12-02"
    made = runner.invoke(args=["backup", "create", str(backup)])
    assert made.exit_code == 0, made.output
    assert (backup / "manifest.json").is_file()

    target = app_on(another_app, app, new_database(), tmp_path / "máy mới")
    restored = command(target, "backup", "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    verified = command(target, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "signed anchors" in verified.output and " 0 signed anchors" not in verified.output
    assert figures(target, auditor.username) == before
    assert hashes(Path(target.config["UPLOAD_DIR"])) == hashes(Path(app.config["UPLOAD_DIR"]))
    assert EVIDENCE in [
        p.read_bytes() for p in Path(target.config["UPLOAD_DIR"]).rglob("*") if p.is_file()
    ]

    # Restoring again over it is refused: the database is not empty.
    again = command(target, "backup", "restore", str(backup))
    assert again.exit_code == 1 and "not empty" in again.output

    damaged = tmp_path / "hỏng"
    shutil.copytree(backup, damaged)
    evidence = next(p for p in (damaged / "uploads").rglob("*") if p.read_bytes() == EVIDENCE)
    evidence.write_bytes(EVIDENCE.replace(b"dot 2", b"dot 3"))
    empty_url = new_database()
    refused_into = app_on(another_app, app, empty_url, tmp_path / "máy khác")
    refused = command(refused_into, "backup", "restore", str(damaged))
    assert refused.exit_code == 1
    assert "does not match the manifest" in refused.output
    assert str(evidence.relative_to(damaged)) in refused.output
    engine = create_engine(empty_url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()
