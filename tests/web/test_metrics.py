"""GET /metrics: what a Prometheus server scrapes. Counts of what happened (requests by
endpoint and status, failed logins, job attempts) move by exactly what the test did; the
figures read from the database (jobs by state, the audit chain's length, tasks per
timeliness class) equal the record; only this machine or the token may read them; and
under gunicorn with two workers the counts add up over both (multiprocess mode)."""

import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.infra import clock
from tracker.models import AuditHead
from tracker.web import metrics as metrics_view

from ..conftest import login
from ..served import gunicorn


def samples(text: str) -> dict[tuple, float]:
    """Every sample: (name, sorted labels) → value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(figures: dict, name: str, **labels) -> float:
    return figures.get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(client) -> dict:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    return samples(answer.text)


def test_the_counts_move_by_what_happened_and_the_record_is_read_as_it_is(client, make):
    metrics_view._timeliness_cache.clear()  # a minute has passed since any earlier scrape
    ministry = make.unit("BCĐ", name="Ban Chỉ đạo")
    department = make.unit("Sở TT", ministry, name="Sở Thông tin và Truyền thông")
    plan = make.directive("Kế hoạch 09/KH-BCĐ")
    today = clock.today()
    make.task(department, plan, deadline=today - timedelta(days=3), code="NV 1")
    make.task(department, plan, deadline=today - timedelta(days=9), code="NV 2")
    make.task(department, plan, deadline=today + timedelta(days=20), code="NV 3")
    make.task(
        department,
        plan,
        deadline=today - timedelta(days=1),
        code="NV 4",
        status=lifecycle.COMPLETED,
        completed_on=today - timedelta(days=2),
    )
    auditor = make.user("auditor", ministry, name="Hà Thị Ưng")
    before = scrape(client)

    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    for _ in range(2):
        client.post("/login", data={"username": auditor.username, "password": "sai mật khẩu"})
    login(client, auditor)
    assert client.get("/reports/tasks.xlsx").status_code == 303  # a job, made at once here
    after = scrape(client)

    count = "tracker_request_duration_seconds_count"
    healthz = {"endpoint": "health.healthz", "method": "GET", "status": "200"}
    assert value(after, count, **healthz) - value(before, count, **healthz) == 3
    failures = "tracker_login_failures_total"
    assert value(after, failures) - value(before, failures) == 2
    attempts = "tracker_job_attempts_total"
    done = {"kind": "report", "outcome": "done"}
    assert value(after, attempts, **done) - value(before, attempts, **done) == 1
    assert value(after, "tracker_jobs", kind="report", state="done") == 1
    assert value(after, "tracker_job_queue_depth") == 0
    head = db.session.scalar(select(AuditHead.seq))
    assert value(after, "tracker_audit_chain_length") == head > 0
    assert value(after, "tracker_tasks", timeliness="overdue") == 2
    assert value(after, "tracker_tasks", timeliness="within_deadline") == 1
    assert value(after, "tracker_tasks", timeliness="completed_on_time") == 1
    assert value(after, "tracker_tasks", timeliness="completed_late") == 0


def test_only_this_machine_or_the_token_reads_them(client, monkeypatch, app):
    elsewhere = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/metrics", environ_base=elsewhere).status_code == 403
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "mã-bí-mật-" + "x" * 30)
    token = {"Authorization": "Bearer mã-bí-mật-" + "x" * 30}
    wrong = {"Authorization": "Bearer đoán-thử"}
    assert client.get("/metrics", environ_base=elsewhere, headers=wrong).status_code == 403
    assert client.get("/metrics", environ_base=elsewhere, headers=token).status_code == 200
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    assert client.get("/metrics").status_code == 200  # 127.0.0.1 is allowed by default


@pytest.mark.slow
def test_two_gunicorn_workers_are_added_up(database_url, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    # A page the server's start-up check never asks for (it asks for /login, and a check
    # that timed out may still be answered later).
    page = {"endpoint": "public.index", "method": "GET", "status": "200"}

    def workers_counting() -> set[str]:
        return {path.name.split("_")[-1] for path in folder.glob("histogram_*.db")}

    with gunicorn(database_url, tmp_path, workers=2, PROMETHEUS_MULTIPROC_DIR=str(folder)) as base:

        def read() -> float:
            with urllib.request.urlopen(base + "/metrics", timeout=10) as answer:
                figures = samples(answer.read().decode())
            return value(figures, "tracker_request_duration_seconds_count", **page)

        def ask_many(_client: int) -> None:
            for _ in range(15):
                urllib.request.urlopen(base + "/public/", timeout=30).close()

        deadline = time.monotonic() + 60
        while len(workers_counting()) < 2:  # until both workers have booted and answered
            assert time.monotonic() < deadline, "the second worker never answered"
            with ThreadPoolExecutor(max_workers=4) as clients:
                list(clients.map(ask_many, range(4)))
        before = read()
        with ThreadPoolExecutor(max_workers=4) as clients:
            list(clients.map(ask_many, range(4)))
        after = read()
    assert len(workers_counting()) == 2  # each worker kept its own counts
    assert after - before == 60  # and /metrics, asked of either, adds them up
