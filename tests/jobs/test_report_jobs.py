"""Report files made by background jobs, as a person meets them: the XLSX or PDF button
leads to the file (or to the job's page while it is made), the file is kept for the person
who asked, the same question gets the same file, a change to the record gets a new one, a
failing job says why, and a file past its keeping date is gone."""

import csv
import hashlib
import io
import os
import threading
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.infra import clock
from tracker.models import AuditEvent, Job, ReportExport, Task, User
from tracker.work.tasks import report_progress

from ..conftest import login

DIRECTIVE = "Kế hoạch 01-KH/BCĐTW"
TASKS_XLSX = "/reports/tasks.xlsx?directive=Kế hoạch 01-KH/BCĐTW"


@pytest.fixture
def scene(make):
    """A ministry's plan with three tasks of a department whose code has Đ and a space."""
    ministry = make.unit("BCĐTW", name="Ban Chỉ đạo Trung ương")
    department = make.unit("Sở TP", ministry, name="Sở Tư pháp")
    plan = make.directive(DIRECTIVE, title="Kế hoạch chuyển đổi số năm 2026")
    today = clock.today()
    tasks = []
    for number, days in enumerate((-5, 3, 40), start=1):
        tasks.append(
            make.task(
                department,
                plan,
                deadline=today + timedelta(days=days),
                code=f"NV {number:02d}",
                title=f"Xây dựng cơ sở dữ liệu đợt {number}",
            )
        )
    auditor = make.user("auditor", ministry, name="Trần Thị Thu Hương", language="vi")
    supervisor = make.user("supervisor", ministry, name="Lê Văn Đức")
    admin = make.user("admin", ministry, name="Phạm Quốc Dũng")
    return {
        "auditor": auditor,
        "supervisor": supervisor,
        "admin": admin,
        "unit": department,
        "plan": plan,
        "tasks": tasks,
    }


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Job)),
        db.session.scalar(select(func.count()).select_from(ReportExport)),
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "report.export")
        ),
    )


def test_the_button_leads_to_the_finished_file_recorded_once(client, scene, app):
    login(client, scene["auditor"])
    asked = client.get(TASKS_XLSX)
    assert asked.status_code == 303
    assert asked.headers["Location"].endswith("/file")  # made at once here (JOBS_EAGER)
    file = client.get(asked.headers["Location"])
    assert file.status_code == 200
    disposition = file.headers["Content-Disposition"]
    assert "filename*=UTF-8''tasks-K%E1%BA%BF%20ho%E1%BA%A1ch%2001-KH_BC%C4%90TW" in disposition
    data = file.get_data()
    assert file.headers["X-Content-SHA256"] == hashlib.sha256(data).hexdigest()
    # The workbook is in the asker's language, as the PDF: sheets, headings and the words
    # of its rows; the data as entered.
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Tóm tắt", "Báo cáo", "Nhiệm vụ"]
    rows = book["Nhiệm vụ"].iter_rows(values_only=True)
    header = next(rows)
    assert header[:3] == ("Văn bản", "Mã nhiệm vụ", "Tên")
    tasks = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert sorted(tasks) == ["NV 01", "NV 02", "NV 03"]
    assert tasks["NV 01"]["Trạng thái"] == "Chưa thực hiện"
    assert tasks["NV 01"]["Tiến độ"] == "Quá hạn chưa hoàn thành"
    assert tasks["NV 02"]["Tiến độ"] == "Chưa hoàn thành, còn trong hạn"
    summary = [row[0] for row in book["Tóm tắt"].iter_rows(values_only=True) if row[0]]
    assert "Đầu chuỗi nhật ký" in summary

    job = db.session.scalar(select(Job))
    assert (job.status, job.progress, job.attempts) == ("done", 1.0, 1)
    assert job.progress_done == job.progress_total > 3
    assert os.path.isfile(os.path.join(app.config["EXPORT_DIR"], job.file_path))
    assert counts() == (1, 1, 1)
    export = db.session.get(ReportExport, job.export_id)
    assert export.sha256 == job.sha256 and export.generated_by_id == scene["auditor"].id
    # The job's page offers the same file, in the asker's language.
    page = client.get(f"/jobs/{job.id}")
    assert "Tệp đã sẵn sàng" in page.text and job.sha256 in page.text
    assert "tasks-Kế hoạch 01-KH_BCĐTW" in client.get("/jobs").text


def test_the_same_question_gets_the_same_file_until_the_record_changes(client, scene, make):
    login(client, scene["auditor"])
    first = client.get(TASKS_XLSX).headers["Location"]
    again = client.get(TASKS_XLSX).headers["Location"]
    assert again == first and counts() == (1, 1, 1)
    # Another format, or another day's report, is another file.
    client.get(TASKS_XLSX + "&as_of=2026-01-15")
    assert counts()[0] == 2
    # A task changes (its lead unit's leader reports progress): the same link makes a new file.
    leader = make.user("unit_leader", scene["unit"], name="Đỗ Thị Ngọc Ánh")
    report_progress(leader, scene["tasks"][0], 1, "in_progress", 40, "Đã khảo sát 12 xã")
    changed = client.get(TASKS_XLSX).headers["Location"]
    assert changed != first and counts() == (3, 3, 3)


def test_a_file_is_served_only_to_whoever_asked_and_admins(client, scene):
    login(client, scene["auditor"])
    location = client.get(TASKS_XLSX).headers["Location"]
    job_page = location.removesuffix("/file")
    login(client, scene["supervisor"])
    assert client.get(location).status_code == 404
    assert client.get(job_page).status_code == 404
    assert client.get(job_page + "/state").status_code == 404
    login(client, scene["admin"])
    assert client.get(location).status_code == 200


def test_a_file_past_its_keeping_date_is_gone_and_purged(client, scene, app):
    login(client, scene["auditor"])
    location = client.get(TASKS_XLSX).headers["Location"]
    job = db.session.scalar(select(Job))
    path = os.path.join(app.config["EXPORT_DIR"], job.file_path)
    job.expires_at = clock.now() - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "purge"])
    assert "report files purged: 1" in result.output
    assert not os.path.exists(path)
    gone = client.get(location)
    assert gone.status_code == 410
    assert "không còn được lưu" in gone.text
    # Asking again makes it again.
    assert client.get(TASKS_XLSX).headers["Location"] != location


def test_a_job_that_fails_three_times_tells_the_asker_why(client, scene, app, tmp_path):
    blocked = tmp_path / "exports-is-a-file"
    blocked.write_text("not a folder")
    app.config["EXPORT_DIR"] = str(blocked)
    try:
        login(client, scene["auditor"])
        asked = client.get(TASKS_XLSX)
    finally:
        app.config["EXPORT_DIR"] = str(tmp_path / "unused")
    assert asked.status_code == 303 and not asked.headers["Location"].endswith("/file")
    job = db.session.scalar(select(Job))
    assert (job.status, job.attempts) == ("failed", 3)
    page = client.get(asked.headers["Location"])
    assert "Không tạo được tệp" in page.text
    assert "Not a directory" in page.text or "File exists" in page.text
    assert client.get(f"/jobs/{job.id}/file").status_code == 409
    assert counts() == (1, 0, 0)  # no manifest, no audit event for a file never made


def test_the_audit_trail_as_excel_and_pdf(client, scene, make):
    from ..reporting.test_report_files import pdf_text

    leader = make.user("unit_leader", scene["unit"], name="Đỗ Thị Ngọc Ánh")
    report_progress(leader, scene["tasks"][1], 1, "in_progress", 30, "Đã khởi động")
    report_progress(leader, scene["tasks"][2], 1, "in_progress", 10, "Đã giao việc")
    recorded = db.session.scalar(select(func.count()).select_from(AuditEvent))
    login(client, scene["auditor"])
    book = load_workbook(io.BytesIO(client.get("/audit.xlsx", follow_redirects=True).data))
    events = list(book["Sự kiện"].iter_rows(min_row=2, values_only=True))
    assert len(events) == recorded >= 2  # every event when the file was made
    assert [row[0] for row in events] == sorted((row[0] for row in events), reverse=True)
    only_tasks = client.get("/audit.xlsx?action=task.", follow_redirects=True)
    rows = list(load_workbook(io.BytesIO(only_tasks.data))["Sự kiện"].iter_rows(min_row=2))
    assert rows and all("(task." in row[3].value for row in rows)
    # A file read by people: each action and kind of object named, its code kept beside.
    assert {row[3].value for row in rows} == {"Đổi trạng thái nhiệm vụ (task.status_changed)"}
    assert {row[4].value for row in rows} == {"Nhiệm vụ (task)"}
    text = pdf_text(client.get("/audit.pdf", follow_redirects=True).data)
    assert "Nhật ký kiểm tra" in text and "Sự kiện" in text and "Đã khởi động" in text
    login(client, make.user("officer", scene["unit"]))
    assert client.get("/audit.xlsx").status_code == 403
    assert client.get("/audit.pdf?date_from=31/02/2026").status_code == 403


def test_a_file_shows_exactly_the_changes_up_to_the_chain_head_it_records(
    app, client, scene, make, monkeypatch
):
    """A file takes seconds to make while reports go on: the chain head it records is read
    in the same view of the data as its rows, so a report saved meanwhile is neither in the
    file nor under its head (before, the head was read first and the rows after it)."""
    from tracker.reporting import manifests

    leader = make.user("unit_leader", scene["unit"], name="Đỗ Thị Ngọc Ánh")
    ids = {"leader": leader.id, "task": scene["tasks"][0].id}
    head_before = db.session.scalar(select(func.max(AuditEvent.seq))) or 0
    db.session.commit()
    read, reported = threading.Event(), threading.Event()
    stamp_for = manifests.stamp_for

    def paused_after_the_head(user):
        stamp = stamp_for(user)
        read.set()
        reported.wait(timeout=15)
        return stamp

    monkeypatch.setattr(manifests, "stamp_for", paused_after_the_head)
    login(client, scene["auditor"])
    answers: list = []
    asker = threading.Thread(target=lambda: answers.append(client.get(TASKS_XLSX)))
    asker.start()
    assert read.wait(timeout=15)
    with app.app_context():  # the unit's leader reports, as another request would
        task = db.session.get(Task, ids["task"])
        report_progress(
            db.session.get(User, ids["leader"]), task, 1, "in_progress", 40, "Đã khảo sát 12 xã"
        )
        db.session.remove()
    reported.set()
    asker.join(timeout=30)

    job = db.session.scalar(select(Job))
    export = db.session.get(ReportExport, job.export_id)
    assert export.chain_seq == head_before  # the head of what the file shows
    progress, made = db.session.scalars(
        select(AuditEvent).where(AuditEvent.seq > head_before).order_by(AuditEvent.seq)
    ).all()
    assert (progress.action, made.action) == ("task.status_changed", "report.export")
    sheet = load_workbook(io.BytesIO(client.get(answers[0].headers["Location"]).data))["Nhiệm vụ"]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    code, percent = header.index("Mã nhiệm vụ"), header.index("Phần trăm hoàn thành")
    shown = {row[code]: row[percent] for row in rows}
    assert shown["NV 01"] == 0  # as it was at the head, not 40 as reported meanwhile
    assert db.session.get(Task, ids["task"]).percent_done == 40


def test_a_streamed_csv_shows_exactly_the_changes_up_to_the_chain_head_it_announces(
    app, client, scene, make
):
    """The task CSV is streamed: its chain head goes out in the headers, its rows after.
    Both are read in one view of the data, so a report saved between the headers and the
    rows is not in the file, whose manifest records the head the headers announced."""
    leader = make.user("unit_leader", scene["unit"], name="Đỗ Thị Ngọc Ánh")
    ids = {"leader": leader.id, "task": scene["tasks"][0].id}
    head_before = db.session.scalar(select(func.max(AuditEvent.seq))) or 0
    db.session.commit()
    login(client, scene["auditor"])
    response = client.get(TASKS_XLSX.replace(".xlsx", ".csv"), buffered=False)
    assert response.headers["X-Audit-Chain-Head"].startswith(f"{head_before}:")

    def leader_reports() -> None:  # while the file is on its way, as another request would
        with app.app_context():
            task = db.session.get(Task, ids["task"])
            leader = db.session.get(User, ids["leader"])
            report_progress(leader, task, 1, "in_progress", 40, "Đã khảo sát 12 xã")
            db.session.remove()

    reporter = threading.Thread(target=leader_reports)
    reporter.start()
    reporter.join(timeout=30)
    data = response.get_data()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row["task_code"]: row["percent_done"] for row in rows}["NV 01"] == "0"
    with app.app_context():
        export = db.session.scalar(select(ReportExport))
        assert export.chain_seq == head_before
        assert export.sha256 == hashlib.sha256(data).hexdigest()
        assert db.session.get(Task, ids["task"]).percent_done == 40


def test_a_pdf_without_fonts_fails_once_saying_what_to_install_in_the_askers_language(
    client, scene, monkeypatch
):
    """A server without the DejaVu fonts cannot make PDFs: the job stops at once (no retry
    makes fonts appear) and its page says what to install, in the asker's language."""
    from tracker.infra import fonts

    monkeypatch.setattr(fonts, "fonts_found", lambda: False)
    login(client, scene["auditor"])
    asked = client.get(TASKS_XLSX.replace(".xlsx", ".pdf"))
    job = db.session.scalar(select(Job))
    assert (job.status, job.attempts) == ("failed", 1)
    page = client.get(asked.headers["Location"]).text
    assert "Tệp PDF cần bộ phông DejaVu trên máy chủ" in page
    assert job.error.startswith("Tệp PDF cần bộ phông DejaVu")
