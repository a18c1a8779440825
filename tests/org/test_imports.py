"""Imports from CSV and XLSX: a dry run shows what would change and every row's error;
nothing is written unless the whole file is valid; an export round-trips."""

import csv
import io
import re
import threading
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tracker import audit
from tracker.extensions import db
from tracker.models import AuditEvent, Directive, StatusUpdate, Target, Task, User
from tracker.org import imports
from tracker.work import tasks as work

from ..api.test_api import token_for
from ..conftest import login


def csv_bytes(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    columns = list(dict.fromkeys(key for row in rows for key in row))
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def counts():
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (Directive, Target, Task))


@pytest.fixture
def admin(make, org):
    return make.user("admin", org["ministry"])


def good_rows(today):
    return [
        {
            "directive": "71/NQ-CP",
            "directive_kind": "resolution",
            "directive_title": "Government action programme",
            "target": "MT1",
            "target_title": "All guiding decrees issued",
            "task_code": "CT-01",
            "title": "Issue decree on data",
            "lead_unit": "INS",
            "coordinating_units": "DEP; OTH",
            "deadline": (today + timedelta(days=30)).isoformat(),
            "key_task": "yes",
        },
        {
            "directive": "71/NQ-CP",
            "task_code": "CT-02",
            "title": "Report to the Government",
            "lead_unit": "DEP",
            "deadline": (today + timedelta(days=60)).strftime("%d/%m/%Y"),
            "start_date": today.isoformat(),
            "key_task": "no",
        },
    ]


def test_dry_run_writes_nothing_then_the_import_writes_everything(admin, today):
    rows = imports.read_rows("plan.csv", csv_bytes(good_rows(today)))
    report = imports.run_import(admin, rows, dry_run=True)
    assert report.ok and not report.written
    assert report.created == {"directives": 1, "targets": 1, "tasks": 2}
    assert counts() == (0, 0, 0)
    report = imports.run_import(admin, rows, dry_run=False)
    assert report.ok and report.written
    assert counts() == (1, 1, 2)
    task = db.session.scalar(select(Task).where(Task.code == "CT-01"))
    assert [u.code for u in task.coordinating_units] == ["DEP", "OTH"]
    assert task.is_key and task.target.code == "MT1"


def test_every_row_error_is_reported_and_nothing_is_written(admin, today):
    rows = good_rows(today) + [
        {
            "directive": "71/NQ-CP",
            "task_code": "CT-03",
            "title": "No unit",
            "deadline": today.isoformat(),
        },
        {
            "directive": "71/NQ-CP",
            "task_code": "CT-04",
            "title": "Bad date",
            "lead_unit": "INS",
            "deadline": "31.03.2026",
        },
        {
            "directive": "99/XX",
            "task_code": "CT-05",
            "title": "Unknown directive",
            "lead_unit": "INS",
            "deadline": today.isoformat(),
        },
        {
            "directive": "71/NQ-CP",
            "task_code": "CT-01",
            "title": "Duplicate in file",
            "lead_unit": "ZZZ",
            "deadline": today.isoformat(),
        },
        {
            "directive": "71/NQ-CP",
            "task_code": "CT-06",
            "title": "Backwards",
            "lead_unit": "INS",
            "start_date": today.isoformat(),
            "deadline": (today - timedelta(days=1)).isoformat(),
        },
    ]
    report = imports.run_import(
        admin, imports.read_rows("plan.csv", csv_bytes(rows)), dry_run=False
    )
    assert not report.written
    assert [(e.row, e.column) for e in report.errors] == [
        (4, "lead_unit"),
        (5, "deadline"),
        (6, "directive"),
        (7, "lead_unit"),  # unknown, and
        (7, "deadline"),  # an existing task's deadline moves by extension only
        (8, "deadline"),
    ]
    assert "31.03.2026" in report.errors[1].message
    assert counts() == (0, 0, 0)


def test_every_problem_of_a_row_is_told_at_once(admin, today):
    """A row with a day that does not exist, a percent in words, a kind that is none,
    an unknown unit, an unknown person and an unknown directive gets one line for each, in
    one run: the importer stopped at the first, so the file went back and forth once per
    mistake."""
    row = {
        "directive": "71/NQ-CP",
        "task_code": "CT-Đ 09",
        "title": "Rà soát thủ tục hành chính về đầu tư",
        "kind": "công việc",
        "lead_unit": "BKHCN-XYZ",
        "owner": "khong.co.ai",
        "deadline": "31/02/2026",
        "percent_done": "một trăm",
    }
    over = {**row, "task_code": "CT-Đ 10", "percent_done": "150", "deadline": "30/06/2026"}
    report = imports.run_import(admin, imports.read_rows("plan.csv", csv_bytes([row, over])))
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "deadline"),
        (2, "percent_done"),
        (2, "kind"),
        (2, "lead_unit"),
        (2, "owner"),
        (2, "directive"),  # and, found building the row, the directive is unknown
        (3, "percent_done"),  # 150: a percent is from 0 to 100
        (3, "kind"),
        (3, "lead_unit"),
        (3, "owner"),
        (3, "directive"),
    ]
    said = " ".join(str(e.message) for e in report.errors)
    for typed in ("31/02/2026", "một trăm", "BKHCN-XYZ", "khong.co.ai"):
        assert typed in said
    assert counts() == (0, 0, 0)


def test_a_file_written_in_vietnamese_words_is_read(admin, today):
    """A status and a kind may be written as the screens write them, in either language —
    *Đang thực hiện*, *Mốc* — as well as by their codes; key_task took *có* already."""
    rows = good_rows(today)
    rows[0]["kind"] = "Mốc"
    rows[1]["kind"] = "nhiệm vụ"
    report = imports.run_import(admin, imports.read_rows("plan.csv", csv_bytes(rows)), False)
    assert report.ok, report.errors
    kinds = dict(db.session.execute(select(Task.code, Task.kind)).all())
    assert kinds[rows[0]["task_code"]] == "milestone" and kinds[rows[1]["task_code"]] == "task"
    task = db.session.scalar(select(Task).where(Task.code == rows[1]["task_code"]))
    update = {
        "directive": task.directive.code,
        "task_code": task.code,
        "status": "Đang thực hiện",
        "percent_done": "40",
        "version": str(task.version),
    }
    updated = imports.run_import(admin, imports.read_rows("u.csv", csv_bytes([update])), False)
    assert updated.ok and updated.updated == 1, updated.errors
    db.session.refresh(task)
    assert (task.status, task.percent_done) == ("in_progress", 40)
    wrong = {**update, "status": "Đang làm dở", "version": str(task.version)}
    refused = imports.run_import(admin, imports.read_rows("w.csv", csv_bytes([wrong])), False)
    assert [(e.column, e.message) for e in refused.errors] == [
        ("status", "unknown status 'Đang làm dở'")
    ]


def test_the_import_page_names_each_column_in_the_readers_language(client, admin, today):
    """The problems of an import name the file's column as the file heads it and, beside
    it, as the page's language names the field: *lead_unit Đơn vị chủ trì*, *owner Người
    phụ trách* — an admin reading Vietnamese met only the file's English headings."""
    row = {
        "directive": "71/NQ-CP",
        "directive_title": "Chương trình hành động của Chính phủ",
        "task_code": "CT-Đ 11",
        "title": "Rà soát thủ tục hành chính",
        "lead_unit": "BKHCN-XYZ",
        "owner": "khong.co.ai",
        "deadline": today.isoformat(),
    }
    login(client, admin)
    page = client.post(
        "/admin/import",
        data={"file": (io.BytesIO(csv_bytes([row])), "kế hoạch.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "vi"},
        follow_redirects=True,
    ).text
    cells = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", page)]
    assert "lead_unit Đơn vị chủ trì" in cells and "owner Người phụ trách" in cells
    assert counts() == (0, 0, 0)


def test_supervisor_imports_only_inside_the_subtree(make, org, today):
    supervisor = make.user("supervisor", org["department"])
    make.directive("71/NQ-CP")
    rows = [
        {
            "directive": "71/NQ-CP",
            "task_code": "A",
            "title": "In",
            "lead_unit": "INS",
            "deadline": today.isoformat(),
        },
        {
            "directive": "71/NQ-CP",
            "task_code": "B",
            "title": "Out",
            "lead_unit": "OTH",
            "deadline": today.isoformat(),
        },
        {
            "directive": "1-NEW",
            "directive_title": "New",
            "task_code": "C",
            "title": "x",
            "lead_unit": "INS",
            "deadline": today.isoformat(),
        },
    ]
    report = imports.run_import(supervisor, imports.read_rows("a.csv", csv_bytes(rows)), False)
    assert [(e.row, e.column) for e in report.errors] == [(3, "lead_unit"), (4, "directive")]
    assert "only administrators create directives" in report.errors[1].message


def test_xlsx_is_read_with_typed_cells(admin, today):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["directive", "directive_title", "task_code", "title", "lead_unit", "deadline", "key_task"]
    )
    sheet.append(["71/NQ-CP", "Programme", 101, "Numeric code", "INS", today, "yes"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = imports.run_import(admin, imports.read_rows("plan.xlsx", buffer.getvalue()), False)
    assert report.ok, report.errors
    task = db.session.scalar(select(Task))
    assert (task.code, task.deadline) == ("101", today)


def test_unreadable_files_are_refused():
    with pytest.raises(imports.ImportRefused, match="csv or .xlsx"):
        imports.read_rows("plan.txt", b"x")
    with pytest.raises(imports.ImportRefused, match="no column task_code"):
        imports.read_rows("plan.csv", b"directive,title\n57,x\n")
    with pytest.raises(imports.ImportRefused, match="not UTF-8"):
        imports.read_rows("plan.csv", "directive,task_code\nNghị,1\n".encode("utf-16"))
    with pytest.raises(imports.ImportRefused, match="cannot be read"):
        imports.read_rows("plan.xlsx", b"PK\x03\x04broken")


def test_export_edit_import_round_trip(client, make, org, admin, today):
    leader = make.user("unit_leader", org["institute"])
    directive = make.directive("2795/QĐ-BCT")
    make.task(org["institute"], directive, code="CL-03", title='=1+1 "quoted"')
    make.task(org["institute"], directive, code="CL-04")
    login(client, admin)
    exported = client.get("/reports/tasks.csv?directive=2795/QĐ-BCT").data
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    for row in rows:  # a unit edits its progress in a spreadsheet
        if row["task_code"] == "CL-03":
            row["status"], row["percent_done"], row["note"] = "In progress", "60", "Halfway"
    edited = csv_bytes(rows)
    report = imports.run_import(admin, imports.read_rows("edited.csv", edited), False)
    assert report.ok, report.errors
    assert (report.updated, report.unchanged) == (1, 1)
    task = db.session.scalar(select(Task).where(Task.code == "CL-03"))
    assert (task.status, task.percent_done, task.version) == ("in_progress", 60, 2)
    assert task.title == '=1+1 "quoted"'
    # the same file again is stale now: refused, nothing written
    before = db.session.scalar(select(func.count(StatusUpdate.id)))
    for row in rows:
        if row["task_code"] == "CL-03":
            row["percent_done"] = "70"
    stale = imports.run_import(admin, imports.read_rows("edited.csv", csv_bytes(rows)), False)
    assert [(e.row, e.column) for e in stale.errors] == [(2, "version")]
    assert "changed by someone else" in stale.errors[0].message
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == before
    assert leader.unit_id == task.lead_unit_id


def test_import_screen_template_cli_and_api(app, client, make, org, admin, today, tmp_path):
    login(client, admin)
    template = client.get("/admin/import/template.xlsx")
    assert template.status_code == 200
    template_rows = imports.read_rows("t.xlsx", template.data)
    assert list(template_rows[0])[:6] == list(imports.COLUMNS[:6])
    assert client.get("/admin/import/template.csv").data.startswith("\ufeff".encode())
    content = csv_bytes(good_rows(today))
    dry = client.post(
        "/admin/import",
        data={"file": (io.BytesIO(content), "plan.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,  # to the import job's page, with its report
    )
    assert (
        dry.status_code == 200
        and "Dry run" in dry.text
        and "create task 71/NQ-CP CT-01" in dry.text
    )
    assert counts() == (0, 0, 0)
    bad_rows = good_rows(today) + [
        {
            "directive": "71/NQ-CP",
            "task_code": "CT-9",
            "lead_unit": "NOPE",
            "deadline": today.isoformat(),
        }
    ]
    bad = client.post(
        "/admin/import",
        data={"file": (io.BytesIO(csv_bytes(bad_rows)), "p.csv"), "apply": "yes"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Problems: nothing was written" in bad.text
    assert "unknown unit &#39;NOPE&#39;" in bad.text
    assert counts() == (0, 0, 0)
    # the CLI with its progress bar
    path = tmp_path / "plan.csv"
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(args=["import", str(path), "--user", admin.username])
    assert result.exit_code == 0, result.output
    assert "Written." in result.output and counts() == (1, 1, 2)
    # the API: the same file again changes nothing; a bad file is a 422 with every error
    headers = token_for(client, admin)
    again = client.post(
        "/api/v1/imports?dry_run=false",
        headers=headers,
        data={"file": (io.BytesIO(content), "plan.csv")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 200 and again.json["unchanged"] == 2
    refused = client.post(
        "/api/v1/imports",
        headers=headers,
        data={"file": (io.BytesIO(csv_bytes(bad_rows)), "plan.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert refused.json["report"]["errors"] == [
        {"row": 4, "column": "lead_unit", "message": "unknown unit 'NOPE'"}
    ]
    login(client, make.user("unit_leader", org["institute"]))
    assert client.get("/admin/import").status_code == 403


def report_on_its_own_connection(app, leader_id: int, task_id: int, percent: int, note: str):
    """A unit leader's progress report, as another request would send it beside a running
    import (its own app context, session and connection)."""
    with app.app_context():
        try:
            task = db.session.get(Task, task_id)
            work.report_progress(
                db.session.get(User, leader_id), task, task.version, "in_progress", percent, note
            )
        finally:
            db.session.remove()


@pytest.mark.postgres  # SQLite's writers queue on the whole database during any write
def test_a_progress_report_is_saved_while_an_import_is_under_way(app, make, org, today):
    """An import job may run for minutes in one transaction. Its audit events are chained at
    its end, so a unit leader's report meanwhile does not wait for it (it waited for the
    chain's head, locked by the import's first row, until the import committed)."""
    admin = make.user("admin", org["ministry"], username="quản_trị_nhập")
    leader = make.user("unit_leader", org["institute"], username="trưởng_viện")
    reported = make.task(org["institute"], code="NV Báo cáo 1", status="in_progress")
    ids = {"admin": admin.id, "leader": leader.id, "task": reported.id}
    rows = imports.read_rows("kế hoạch.csv", csv_bytes(good_rows(today)))
    directives, targets, tasks = counts()
    first_row_done, report_saved = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def import_job() -> None:
        with app.app_context():

            def paused_after_the_first_row(done: int) -> None:
                if not first_row_done.is_set():
                    first_row_done.set()
                    outcome["report saved meanwhile"] = report_saved.wait(timeout=20)

            try:
                outcome["import"] = imports.run_import(
                    db.session.get(User, ids["admin"]),
                    rows,
                    dry_run=False,
                    progress=paused_after_the_first_row,
                    seconds=None,
                )
            finally:
                db.session.remove()

    def unit_leader() -> None:
        first_row_done.wait(timeout=20)
        report_on_its_own_connection(app, ids["leader"], ids["task"], 40, "Đã gửi dự thảo lần 1")
        report_saved.set()

    threads = [threading.Thread(target=import_job), threading.Thread(target=unit_leader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome["report saved meanwhile"] is True
    assert outcome["import"].written and counts() == (directives + 1, targets + 1, tasks + 2)
    db.session.rollback()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    # The report, committed first, comes first in the chain; the import's events after it.
    reported_at = actions.index("task.progress_reported")
    assert all(action.startswith("import.") for action in actions[reported_at + 1 :])
    assert actions[reported_at + 1 :].count("import.task") == 2 and actions[-1] == "import.file"
    assert audit.verify_trail().problems == []


@pytest.mark.parametrize(
    ("language", "title", "deadline"),
    [
        ("vi", "Xây dựng nghị định về dữ liệu số", "31/03/2026"),
        ("en", "Draft the decree on digital data", "2026-03-31"),
    ],
)
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_template_speaks_its_readers_language_and_imports_as_it_is(
    client, admin, language, title, deadline, extension
):
    """The example row of the template a Vietnamese admin downloads is Vietnamese data, its
    days dd/mm/yyyy and its key flag "có"; with the units made ours, it imports as it is."""
    admin.language = language
    db.session.commit()
    login(client, admin)
    template = client.get(f"/admin/import/template.{extension}")
    assert template.status_code == 200
    rows = imports.read_rows(f"mẫu.{extension}", template.data)
    assert [(row["title"], row["deadline"]) for row in rows] == [(title, deadline)]
    for row in rows:
        row |= {"lead_unit": "DEP", "coordinating_units": "INS; OTH"}
    dry = imports.run_import(admin, rows, False)
    assert dry.errors == []
    assert dry.created["tasks"] == 1
    written = imports.run_import(admin, rows, True)
    task = db.session.scalar(select(Task).where(Task.code == "CT-01"))
    assert written.errors == [] and task.title == title and task.is_key
    assert f"{task.deadline:%d/%m/%Y}" == "31/03/2026"


def test_an_import_tells_each_lead_units_leaders_once_how_many_tasks_it_gave(
    client, make, org, admin, today
):
    """The leaders of each lead unit are told once per import (not once a task), with the
    count and the directives; a dry run and a refused file tell no one. Opened, the
    notification goes to the unit's tasks."""
    from tracker.models import Notification
    from tracker.work import notifications

    leader = make.user("unit_leader", org["institute"], username="vien.truong", language="vi")
    make.user("unit_leader", org["institute"], username="pho.vien", name="Đỗ Thị Ơn")
    make.user("unit_leader", org["department"], username="vu.truong")
    rows = good_rows(today) + [
        {
            "directive": "01-KH/BCĐTW",
            "directive_kind": "plan",
            "directive_title": "Kế hoạch triển khai",
            "task_code": "KH 01/Đ",
            "title": "Số hóa hồ sơ",
            "lead_unit": "INS",
            "deadline": (today + timedelta(days=90)).isoformat(),
        }
    ]

    def told() -> dict[str, str]:
        found = db.session.scalars(
            select(Notification).where(Notification.kind == "tasks.imported")
        )
        return {n.recipient.username: str(notifications.text_of(n)) for n in found}

    parsed = imports.read_rows("kế hoạch.csv", csv_bytes(rows))
    assert imports.run_import(admin, parsed, dry_run=True).ok
    no_lead_unit = {"directive": "71/NQ-CP", "task_code": "CT-09", "title": "Thiếu đơn vị"}
    with_a_bad_row = imports.read_rows("x.csv", csv_bytes([*rows, no_lead_unit]))
    refused = imports.run_import(admin, with_a_bad_row, False)
    assert not refused.written
    assert told() == {}

    assert imports.run_import(admin, parsed, dry_run=False).written
    to_institute = "An import gave your unit INS new tasks of 01-KH/BCĐTW, 71/NQ-CP: 2."
    assert told() == {
        "vien.truong": to_institute,
        "pho.vien": to_institute,
        "vu.truong": "An import gave your unit DEP new tasks of 71/NQ-CP: 1.",
    }
    login(client, leader)
    page = client.get("/notifications").text
    assert (
        "Một tệp nhập đã giao cho đơn vị INS của bạn các nhiệm vụ mới của 01-KH/BCĐTW, 71/NQ-CP: 2."
        in page
    )
    notice = db.session.scalar(
        select(Notification.id).where(Notification.recipient_id == leader.id)
    )
    opened = client.post(f"/notifications/{notice}/open")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(
        "/my-unit?unassigned=1"
    )
