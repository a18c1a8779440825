"""Report files made by real Celery workers on Redis, and what survives their faults: a
worker killed (SIGKILL) in the middle of a PDF leaves no file to serve and another worker
finishes the job once; a queue lost with the broker is sent again from the database; a
broker that cannot be reached leaves the job queued, not the person with an error."""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.infra import clock
from tracker.models import AuditEvent, Job, ReportExport

from ..conftest import login
from ..reporting.test_report_files import pdf_text
from .workers import broker_url_for, celery_worker, kill, redis_answers, settings_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not redis_answers(), reason="no Redis answers at 127.0.0.1:6379 (CI always has one)"
    ),
]

DIRECTIVE = "2795/QĐ-BCT"
TASKS = 150
# The PDF lists up to 1,000 tasks: drawn in a second or more, time enough to kill its worker
# in the middle (150 were drawn before the kill on a fast machine).
PDF_TASKS = 1000
STALE_SECONDS = 2


@pytest.fixture
def broker(worker_id):
    url = broker_url_for(worker_id)
    queue = redis.Redis.from_url(url)
    queue.flushdb()
    yield url
    queue.flushdb()
    queue.close()


@pytest.fixture
def queued_app(app, another_app, broker, tmp_path):
    """The test app's database and folders, with jobs sent to Redis."""
    settings = {
        key: app.config[key]
        for key in (
            "SQLALCHEMY_DATABASE_URI",
            "SECRET_KEY",
            "UPLOAD_DIR",
            "AUDIT_SIGNING_KEY",
            "AUDIT_ANCHOR_FILE",
            "DEMO_ACCOUNTS_FILE",
            "TESTING",
            "WTF_CSRF_ENABLED",
        )
    }
    exports = tmp_path / "exports"
    exports.mkdir()
    return another_app(
        {
            **settings,
            "EXPORT_DIR": str(exports),
            "JOBS_BROKER_URL": broker,
            "JOBS_EAGER": False,
            "JOBS_STALE_SECONDS": STALE_SECONDS,
        }
    )


def country(make, tasks: int):
    """A ministry, an institute leading `tasks` tasks of one decision, and its auditor."""
    ministry = make.unit("BCT", name="Bộ Công Thương")
    institute = make.unit("Viện CK", ministry, name="Viện Nghiên cứu Cơ khí")
    decision = make.directive(DIRECTIVE, kind="decision", title="Quyết định về cơ khí")
    today = clock.today()
    for number in range(1, tasks + 1):
        make.task(
            institute,
            decision,
            deadline=today + timedelta(days=number % 60 - 20),
            code=f"Nhiệm vụ {number:03d}",
            title=f"Hoàn thiện tiêu chuẩn ngành số {number}",
        )
    return make.user("auditor", ministry, name="Nguyễn Thị Ưng", language="vi")


@pytest.fixture
def auditor(make):
    return country(make, TASKS)


@pytest.fixture
def auditor_of_a_full_pdf(make):
    return country(make, PDF_TASKS)


def job_of(job_id: int) -> Job:
    db.session.rollback()
    return db.session.get(Job, job_id, populate_existing=True)


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def exports_and_events() -> tuple[int, int]:
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(ReportExport)),
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "report.export")
        ),
    )


def ask(client, file_format: str) -> int:
    answer = client.get(f"/reports/tasks.{file_format}?directive={DIRECTIVE}")
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert not location.endswith("/file")
    return int(location.rsplit("/", 1)[1])


def test_a_worker_killed_mid_pdf_leaves_nothing_served_and_another_finishes_once(
    queued_app, auditor_of_a_full_pdf, tmp_path
):
    client = queued_app.test_client()
    login(client, auditor_of_a_full_pdf)
    settings = settings_of(queued_app)
    with celery_worker("first", tmp_path, settings) as first:
        job_id = ask(client, "pdf")
        wait_for(lambda: job_of(job_id).status == "running", 30, "the first worker to start")
        wait_for(lambda: job_of(job_id).progress_total, 30, "the job to count its rows")
        state = client.get(f"/jobs/{job_id}/state").json
        assert state["total"] > PDF_TASKS and not state["finished"]
        kill(first)
    assert job_of(job_id).status == "running"
    assert client.get(f"/jobs/{job_id}/file").status_code == 409  # nothing to serve
    assert exports_and_events() == (0, 0)
    page = client.get(f"/jobs/{job_id}")
    assert "<progress" in page.text and "Bạn có thể rời trang này" in page.text

    time.sleep(STALE_SECONDS + 0.5)  # its heartbeat has gone quiet
    with celery_worker("second", tmp_path, settings):
        wait_for(lambda: job_of(job_id).finished, 90, "the second worker to finish the job")
    job = job_of(job_id)
    assert (job.status, job.attempts) == ("done", 2)
    assert exports_and_events() == (1, 1)
    download = client.get(f"/jobs/{job_id}/file")
    assert download.status_code == 200
    data = download.get_data()
    assert download.headers["X-Content-SHA256"] == job.sha256 == job.export.sha256
    assert pdf_text(data).count("Nhiệm") > PDF_TASKS  # the heading, and a code on every row
    exports = Path(queued_app.config["EXPORT_DIR"])
    assert sorted(os.listdir(exports)) == [f"{job_id}.pdf"]  # no partial file left behind


def test_a_queue_lost_with_the_broker_is_sent_again_from_the_database(
    queued_app, auditor, broker, tmp_path
):
    client = queued_app.test_client()
    login(client, auditor)
    job_id = ask(client, "xlsx")  # queued in Redis; no worker runs yet
    redis.Redis.from_url(broker).flushdb()  # Redis restarted without keeping anything
    time.sleep(STALE_SECONDS + 0.5)
    with celery_worker("after-restart", tmp_path, settings_of(queued_app)):
        wait_for(lambda: job_of(job_id).finished, 60, "the job sent again to finish")
    job = job_of(job_id)
    assert (job.status, job.attempts) == ("done", 1)
    assert client.get(f"/jobs/{job_id}/file").status_code == 200


def test_a_broker_that_cannot_be_reached_leaves_the_job_queued(queued_app, auditor, another_app):
    unreachable = another_app({**queued_app.config, "JOBS_BROKER_URL": "redis://127.0.0.1:9/0"})
    client = unreachable.test_client()
    login(client, auditor)
    job_id = ask(client, "xlsx")
    assert job_of(job_id).status == "queued"
    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 200 and "Đang chờ đến lượt xử lý" in page.text
