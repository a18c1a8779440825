"""Two web servers, as a ministry adds them behind one address: two gunicorn instances on
one PostgreSQL database and one Redis, with the same secret key and shared upload and export
folders, and a Celery worker. A person whose requests alternate between them logs in on one
and stays logged in on the other, posts forms whose CSRF token the other server issued, is
throttled across both, uploads evidence to one and downloads it from the other, and follows
from one an export started on the other."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import timedelta

import pytest
import redis
import requests

from tracker.infra import clock

from ..conftest import PASSWORD
from ..jobs.workers import broker_url_for, celery_worker, redis_answers
from ..served import gunicorn

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not redis_answers(), reason="no Redis at 127.0.0.1:6379 (CI has one)"),
]

EVIDENCE = b"%PDF-1.4\n% Bien ban nghiem thu\n1 0 obj\n<<>>\nendobj\n"


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def shared(tmp_path, worker_id):
    broker = broker_url_for(worker_id)
    limits = broker.rsplit("/", 1)[0] + f"/{int(broker.rsplit('/', 1)[1]) + 4}"
    for url in (broker, limits):
        redis.Redis.from_url(url).flushdb()
    settings = {
        "UPLOAD_DIR": str(tmp_path / "tải lên"),
        "EXPORT_DIR": str(tmp_path / "tệp xuất"),
        "AUDIT_SIGNING_KEY": str(tmp_path / "audit-key.pem"),
        "AUDIT_ANCHOR_FILE": str(tmp_path / "anchors.jsonl"),
        "JOBS_BROKER_URL": broker,
        "RATELIMIT_STORAGE_URI": limits,
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
        "SESSION_COOKIE_SECURE": "0",
    }
    yield settings
    for url in (broker, limits):
        redis.Redis.from_url(url).flushdb()


def test_a_person_alternating_between_two_servers_sees_one_service(
    database_url, make, shared, tmp_path
):
    ministry = make.unit("BTC", name="Bộ Tài chính")
    department = make.unit("Vụ NSNN", ministry, name="Vụ Ngân sách nhà nước")
    plan = make.directive("Quyết định 1520/QĐ-BTC", title="Kế hoạch cải cách thủ tục")
    task = make.task(department, plan, code="NV Đợt 1", deadline=clock.today() + timedelta(days=10))
    make.user("unit_leader", department, username="truong.vu", name="Đặng Thị Ưng")
    make.user("auditor", ministry, username="kiem.toan", name="Bùi Văn Đông")
    make.user("officer", department, username="chuyen.vien")

    worker_settings = {
        **shared,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "served-test-" + "k" * 40,
        "JOBS_STALE_SECONDS": "300",
    }
    with (
        gunicorn(database_url, tmp_path / "a", **shared) as first,
        gunicorn(database_url, tmp_path / "b", **shared) as second,
        celery_worker("two-servers", tmp_path, worker_settings),
    ):
        person = requests.Session()  # cookies are per host: both servers get them
        token = csrf(person.get(first + "/login").text)
        logged = person.post(
            second + "/login",
            data={"csrf_token": token, "username": "truong.vu", "password": PASSWORD},
        )
        assert logged.status_code == 200 and "Đặng Thị Ưng" in logged.text
        page = person.get(f"{first}/tasks/{task.id}")
        assert page.status_code == 200 and "NV Đợt 1" in page.text

        # A form from one server, posted to the other, with a file.
        upload = person.post(
            f"{second}/tasks/{task.id}/evidence",
            data={"csrf_token": csrf(page.text), "note": "Biên bản nghiệm thu"},
            files={"file": ("Biên bản Đợt 1.pdf", EVIDENCE, "application/pdf")},
        )
        assert upload.status_code == 200 and "Biên bản Đợt 1.pdf" in upload.text
        evidence_id = re.search(r'href="/evidence/([0-9]+)"', upload.text).group(1)
        download = person.get(f"{first}/evidence/{evidence_id}")
        assert download.status_code == 200 and download.content == EVIDENCE

        # Progress posted on one server with the token of a page from the other.
        page = person.get(f"{second}/tasks/{task.id}")
        saved = person.post(
            f"{first}/tasks/{task.id}/progress",
            data={
                "csrf_token": csrf(page.text),
                "status": "in_progress",
                "percent_done": "40",
                "note": "Đã rà soát 12 thủ tục",
                "version": re.search(
                    r'name="version" type="hidden" value="([0-9]+)"', page.text
                ).group(1),
            },
        )
        assert saved.status_code == 200 and "Đã rà soát 12 thủ tục" in saved.text

        # Failed logins counted across both servers: the third on either one closes it.
        guesser = requests.Session()
        for server in (first, second, first):
            token = csrf(guesser.get(server + "/login").text)
            wrong = {"csrf_token": token, "username": "chuyen.vien", "password": "đoán"}
            assert guesser.post(server + "/login", data=wrong).status_code == 401
        token = csrf(guesser.get(second + "/login").text)
        wrong = {"csrf_token": token, "username": "chuyen.vien", "password": "đoán"}
        assert guesser.post(second + "/login", data=wrong).status_code == 429

        # An export asked on one server, followed and downloaded on the other.
        auditor = requests.Session()
        token = csrf(auditor.get(first + "/login").text)
        auditor.post(
            first + "/login",
            data={"csrf_token": token, "username": "kiem.toan", "password": PASSWORD},
        )
        asked = auditor.get(f"{first}/reports/tasks.xlsx", allow_redirects=False)
        assert asked.status_code == 303
        job = asked.headers["Location"].rsplit("/", 1)[1]
        deadline = time.monotonic() + 60
        while not auditor.get(f"{second}/jobs/{job}/state").json()["finished"]:
            assert time.monotonic() < deadline, "the export did not finish"
            time.sleep(0.2)
        file = auditor.get(f"{second}/jobs/{job}/file")
        assert file.status_code == 200
        assert hashlib.sha256(file.content).hexdigest() == file.headers["X-Content-SHA256"]
