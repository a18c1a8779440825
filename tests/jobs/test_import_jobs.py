"""Imports from the import page run as background jobs: the upload is kept until its job
has read it, the page follows the rows tried, then shows the import's report in the
person's language; the apply is one transaction with the job's completion, so a second
attempt at a finished import writes nothing."""

import csv
import io
import os
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.infra import clock
from tracker.jobs import import_jobs, runner
from tracker.models import Job, Task

from ..conftest import login

HEADER = ["directive", "directive_title", "task_code", "title", "lead_unit", "deadline"]


def plan_csv(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    deadline = (clock.today() + timedelta(days=45)).isoformat()
    for number in range(1, rows + 1):
        writer.writerow(
            [
                "Kế hoạch 05/KH-UBND",
                "Kế hoạch chuyển đổi số tỉnh Điện Biên",
                f"NV Đợt {number}",
                f"Số hoá hồ sơ đất đai xã {number}",
                "Sở TN MT",
                deadline,
            ]
        )
    return buffer.getvalue().encode("utf-8")


def tasks() -> int:
    return db.session.scalar(select(func.count()).select_from(Task))


def upload(client, content: bytes, apply: bool):
    data = {"file": (io.BytesIO(content), "kế hoạch đợt 1.csv")}
    if apply:
        data["apply"] = "yes"
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def test_an_import_runs_as_a_job_and_reports_in_vietnamese(client, make, app):
    province = make.unit("UBND ĐB", name="Ủy ban nhân dân tỉnh Điện Biên")
    make.unit("Sở TN MT", province, name="Sở Tài nguyên và Môi trường")
    admin = make.user("admin", province, name="Lò Văn Ươm", language="vi")
    login(client, admin)

    dry = upload(client, plan_csv(40), apply=False)
    assert dry.status_code == 303
    page = client.get(dry.headers["Location"])
    assert "Chạy thử" in page.text and "40 dòng" in page.text
    assert tasks() == 0
    job = db.session.scalar(select(Job))
    assert (job.kind, job.status, job.progress_done, job.progress_total) == (
        "import",
        "done",
        40,
        40,
    )
    assert job.result["dry_run"] is True and job.result["created"]["tasks"] == 40
    assert os.listdir(import_jobs.upload_dir()) == []  # the upload is not kept once read

    applied = client.get(upload(client, plan_csv(40), apply=True).headers["Location"])
    assert "Đã nhập" in applied.text
    assert tasks() == 40
    assert "Nhập dữ liệu: kế hoạch đợt 1.csv" in client.get("/jobs").text


def test_a_second_attempt_at_a_finished_import_writes_nothing(client, make, app):
    province = make.unit("UBND ĐB", name="Ủy ban nhân dân tỉnh Điện Biên")
    make.unit("Sở TN MT", province)
    admin = make.user("admin", province)
    login(client, admin)
    client.get(upload(client, plan_csv(5), apply=True).headers["Location"])
    assert tasks() == 5
    job = db.session.scalar(select(Job))
    # The same job handed to a worker again (its message redelivered after a crash): the
    # upload is gone and the job is done, so nothing is tried; and even with the file
    # back, the completion it would commit with is refused, so nothing is written.
    assert runner.run(job.id) == runner.FINISHED
    # A sixth row that a run not guarded by the completion would create.
    (import_jobs.upload_dir() / job.parameters["stored"]).write_bytes(plan_csv(6))
    admin = db.session.get(type(admin), admin.id)
    with force_locale("vi"):  # as the runner runs it, in the asker's language
        import_jobs.run_file(job, admin, runner.Progress(job.id))
    assert tasks() == 5
    assert db.session.scalar(select(Job)).status == "done"


def test_a_file_that_cannot_be_read_fails_its_job_with_the_reason(client, make):
    unit = make.unit("Sở TN MT")
    login(client, make.user("supervisor", unit, language="vi"))
    asked = upload(client, b"\xff\xfe not utf-8 at all", apply=False)
    page = client.get(asked.headers["Location"])
    assert "Không nhập được tệp; chưa ghi gì." in page.text
    assert "UTF-8" in page.text
    assert db.session.scalar(select(Job)).status == "failed"


def test_the_api_imports_in_the_background_when_asked(client, make):
    from ..api.test_api import token_for

    province = make.unit("UBND ĐB", name="Ủy ban nhân dân tỉnh Điện Biên")
    make.unit("Sở TN MT", province)
    admin = make.user("admin", province)
    headers = token_for(client, admin)
    asked = client.post(
        "/api/v1/imports",
        headers=headers,
        data={
            "file": (io.BytesIO(plan_csv(12)), "kế hoạch.csv"),
            "dry_run": "false",
            "background": "true",
        },
        content_type="multipart/form-data",
    )
    assert asked.status_code == 202
    state = client.get(asked.headers["Location"], headers=headers).json
    assert (state["status"], state["rows_tried"], state["dry_run"]) == ("done", 12, False)
    assert state["report"]["created"]["tasks"] == 12 and state["report"]["written"] is True
    assert tasks() == 12
    other = token_for(client, make.user("supervisor", province))
    assert client.get(asked.headers["Location"], headers=other).status_code == 404
