"""Downloads with Vietnamese names through a real WSGI server (Werkzeug's, in a thread: it
refuses a header that is not latin-1, as gunicorn does): every report of every directive,
in every format, for codes with Đ, ư, ơ and spaces, plus the task exports, the audit CSV,
evidence, the import template and a calendar feed. Each file's name is read from its
Content-Disposition (RFC 6266: an ASCII fallback and the exact UTF-8 name) and the file
itself is read back. A manifest is recorded for each report file sent in full, and none for
a response cut short."""

from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import re
import subprocess
import time
import urllib.parse
import urllib.request
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.models import AuditEvent, Job, ReportExport, Task
from tracker.work import calendar
from tracker.work.evidence import add_file, files_kept_only_on_success

from ..conftest import PASSWORD, login

pytestmark = pytest.mark.slow

CODES = ["2795/QĐ-BCT", "Hướng dẫn 03/HD-BTCTW", "Thông tư 12/2025/TT-BCT"]
EVIDENCE_NAME = "Báo cáo kết quả Đợt 1 (bản ký).pdf"
FORMATS = ("csv", "xlsx", "pdf")


def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8")


def file_text(data: bytes, file_format: str) -> str:
    """What a person reads in the file: CSV cells, XLSX cells, PDF text."""
    if file_format == "csv":
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if file_format == "xlsx":
        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if file_format == "pdf":
        return pdf_text(data)
    return data.decode("utf-8")


def saved_name(disposition: str) -> tuple[str, str]:
    """(the ASCII fallback, the name a browser saves) from a Content-Disposition value."""
    fallback = re.search(r'filename="([^"]*)"', disposition).group(1)
    assert fallback.isascii()
    exact = re.search(r"filename\*=UTF-8''([^;\s]+)", disposition)
    return fallback, urllib.parse.unquote(exact.group(1)) if exact else fallback


class Browser:
    """A person at the live server: cookies kept, forms posted with their CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, headers: dict | None = None):
        """Status, headers and body of `path`; a report file made by a background job is
        waited for on its job's page (its state polled, as the page's script does) and then
        downloaded from there."""
        request = urllib.request.Request(self.base + path, headers=headers or {})
        with self.opener.open(request, timeout=60) as response:
            answer = response.status, response.headers, response.read()
            job = re.fullmatch(r"/jobs/([0-9]+)", urllib.parse.urlsplit(response.url).path)
        if job is None:
            return answer
        deadline = time.monotonic() + 60
        while not json.loads(self.get(f"/jobs/{job.group(1)}/state")[2])["finished"]:
            assert time.monotonic() < deadline, "the job did not finish in a minute"
            time.sleep(0.1)
        return self.get(f"/jobs/{job.group(1)}/file")

    def log_in(self, username: str) -> None:
        _, _, page = self.get("/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrf_token": token.decode(), "username": username, "password": PASSWORD}
        ).encode()
        with self.opener.open(self.base + "/login", data=form, timeout=30) as response:
            assert response.status == 200
            assert b"Log out" in response.read()


@pytest.fixture
def world(make):
    ministry = make.unit("BCT", name="Bộ Công Thương")
    institute = make.unit("VNCCK", ministry, name="Viện Nghiên cứu Cơ khí")
    directives, first_tasks = [], []
    for number, code in enumerate(CODES, start=1):
        directive = make.directive(code, kind="decision", title=f"Quyết định số {number}")
        first_tasks.append(
            make.task(institute, directive, code=f"Nhiệm vụ {number}.1", deadline=date(2026, 3, 1))
        )
        make.task(ministry, directive, code=f"Nhiệm vụ {number}.2", title="Đề án ưu tiên")
        directives.append(directive)
    make.user("auditor", ministry, username="kiem.toan")
    leader = make.user("unit_leader", institute, username="truong.vien")
    upload = FileStorage(io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n"), EVIDENCE_NAME)
    with files_kept_only_on_success() as written:
        evidence = add_file(first_tasks[0], leader, upload, written)
        db.session.commit()
    feed = calendar.create_feed(leader, "unit")
    return {"directives": directives, "evidence": evidence, "feed": feed, "ministry": ministry}


def manifests() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(ReportExport.id)))


def manifests_once_recorded(expected: int, seconds: float = 10) -> int:
    """The number of manifests, waiting for the server: it records a file's manifest just
    after handing over its last byte, so the client may have the file a moment before."""
    deadline = time.monotonic() + seconds
    while (count := manifests()) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return count


def test_every_report_of_every_directive_downloads_under_its_vietnamese_name(world, live_server):
    person = Browser(live_server)
    person.log_in("kiem.toan")
    sent = 0
    for directive in world["directives"]:
        code = urllib.parse.quote(directive.code)
        for file_format in FORMATS:
            for path, report in (
                (f"/reports/directives/{directive.id}.{file_format}", "directive"),
                (f"/reports/tasks.{file_format}?directive={code}", "tasks"),
            ):
                status, headers, data = person.get(path)
                assert status == 200, path
                fallback, name = saved_name(headers["Content-Disposition"])
                assert name.endswith(f".{file_format}")
                assert directive.code.replace("/", "_") in name or report == "directive", name
                assert "/" not in name and "Đ" not in fallback
                if "QĐ" in directive.code and report == "tasks":
                    assert "QD-BCT" in fallback and "QĐ-BCT" in name
                text = file_text(data, file_format)
                # The CSV of the per-unit report is the table alone; every other file names
                # the directive (in its title, or in each task row).
                if (report, file_format) != ("directive", "csv"):
                    assert directive.code in text, (path, text[:300])
                assert "VNCCK" in text, (path, text[:300])
                sent += 1
    assert manifests_once_recorded(sent) == sent


def test_the_other_files_carry_vietnamese_names_too(world, live_server, client, make):
    person = Browser(live_server)
    person.log_in("kiem.toan")
    for path, expected in (
        ("/board.xlsx?as_of=2026-01-31", "overdue-board-all-2026-01-31.xlsx"),
        ("/reports/league.csv?period=2026", "league"),
        ("/reports/period.pdf?period=2026-Q1", "period-all-2026-01-01-2026-03-31.pdf"),
        (
            "/reports/period.csv?period=2026-Q1&directive=" + urllib.parse.quote("2795/QĐ-BCT"),
            "period-2795_QĐ-BCT-2026-01-01-2026-03-31.csv",
        ),
        ("/audit.csv", "audit-trail.csv"),
    ):
        status, headers, data = person.get(path)
        assert status == 200, path
        assert expected in saved_name(headers["Content-Disposition"])[1], path
        assert data

    leader = Browser(live_server)
    leader.log_in("truong.vien")
    status, headers, data = leader.get(f"/evidence/{world['evidence'].id}")
    fallback, name = saved_name(headers["Content-Disposition"])
    assert name == EVIDENCE_NAME
    assert fallback == "Bao cao ket qua Dot 1 (ban ky).pdf"
    assert data.startswith(b"%PDF-1.4")

    status, headers, data = Browser(live_server).get(f"/calendar/{world['feed']}.ics")
    assert headers["Content-Disposition"].startswith("inline;")
    assert b"BEGIN:VCALENDAR" in data and "Nhiệm vụ 1.1" in data.decode("utf-8")


def test_the_api_export_of_a_code_with_đ(world, live_server):
    request = urllib.request.Request(
        live_server + "/api/v1/tokens",
        data=json.dumps({"username": "kiem.toan", "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        token = json.load(response)["token"]
    status, headers, data = Browser(live_server).get(
        "/api/v1/exports/tasks.csv?directive=" + urllib.parse.quote("2795/QĐ-BCT"),
        {"Authorization": f"Bearer {token}"},
    )
    fallback, name = saved_name(headers["Content-Disposition"])
    assert name.startswith("tasks-2795_QĐ-BCT-") and fallback.startswith("tasks-2795_QD-BCT-")
    assert "Nhiệm vụ 1.1" in file_text(data, "csv")
    assert manifests_once_recorded(1) == 1


def test_a_download_cut_short_records_no_manifest(world, client, make):
    path = "/reports/tasks.csv"
    login(client, make.user("auditor", world["ministry"]))
    response = client.get(path, buffered=False)
    assert response.status_code == 200
    first = next(iter(response.response))  # the server sends the first part, then the
    assert first  # client goes away
    response.close()
    assert manifests() == 0

    whole = client.get(path)
    assert whole.status_code == 200 and whole.data
    assert manifests() == 1


def test_a_job_carries_the_id_of_the_request_that_started_it(world, live_server):
    """The XLSX is made in a thread of the server, after the request has ended: its log lines
    and its audit event still carry the request's id."""
    person = Browser(live_server)
    person.log_in("kiem.toan")
    status, _, data = person.get("/reports/tasks.xlsx", {"X-Request-ID": "yeu-cau-0042"})
    assert status == 200 and data[:2] == b"PK"
    db.session.rollback()
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert (job.status, job.request_id) == ("done", "yeu-cau-0042")
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "report.export")
        .order_by(AuditEvent.id.desc())
    )
    assert event.request_id == "yeu-cau-0042"


def test_an_uploaded_file_name_is_kept_unless_it_reverses_itself(world, live_server):
    """Through a real server, as a browser sends it (the name's UTF-8 bytes in the part's
    header): a Vietnamese name is kept and comes back as the download's name; a name with a
    character that reverses the text's direction (`Báo cáo\\u202excod.pdf`, shown as
    `Báo cáofdp.docx`) is refused and stores nothing."""
    leader = Browser(live_server)
    leader.log_in("truong.vien")
    task = db.session.get(Task, world["evidence"].task_id)
    _, _, page = leader.get(f"/tasks/{task.id}")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def upload(name: str) -> tuple[int, bytes]:
        boundary = "----ranh-gioi-42"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                f"{token.decode()}\r\n"
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            f"{live_server}/tasks/{task.id}/evidence",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        try:
            with leader.opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read()

    before = {e.id for e in task.evidence}
    status, page = upload("Báo cáo\u202excod.pdf")
    assert status == 422
    assert "File: no control characters or characters that reverse" in page.decode()
    db.session.rollback()
    assert {e.id for e in db.session.get(Task, task.id).evidence} == before

    status, _ = upload("Biên bản nghiệm thu Đợt 2.pdf")
    assert status == 200
    db.session.rollback()
    added = [e for e in db.session.get(Task, task.id).evidence if e.id not in before]
    assert [e.original_name for e in added] == ["Biên bản nghiệm thu Đợt 2.pdf"]
    _, headers, _ = leader.get(f"/evidence/{added[0].id}")
    assert saved_name(headers["Content-Disposition"])[1] == "Biên bản nghiệm thu Đợt 2.pdf"
