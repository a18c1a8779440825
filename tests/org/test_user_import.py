"""Importing user accounts from CSV or XLSX: a dry run writes and mails nothing; a file with
a problem names its row, column and reason and writes nothing; a good file makes every
account with an invitation, mailed only after the import committed. (Its speed, 10,000 rows,
is measured by `make bench`.)"""

import io
import re
import threading

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tracker import audit
from tracker.extensions import db
from tracker.models import AccountLink, AuditEvent, User
from tracker.org import imports, user_imports

from ..conftest import login
from ..work.test_reminders import smtp_server
from .test_imports import report_on_its_own_connection

HEADER = "username,full_name,email,role,unit,language\r\n"


@pytest.fixture
def inbox(app, data_app, monkeypatch):
    with smtp_server(monkeypatch, (app, data_app)) as handler:
        yield handler


def csv_file(lines: list[str]) -> bytes:
    return ("\ufeff" + HEADER + "".join(line + "\r\n" for line in lines)).encode()


def upload(client, content: bytes, name="người dùng.csv", apply=False):
    data = {"file": (io.BytesIO(content), name)}
    if apply:
        data["apply"] = "yes"
    return client.post("/admin/users/import", data=data, content_type="multipart/form-data")


def accounts() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_a_dry_run_shows_what_would_happen_and_writes_nothing(client, make, org, inbox):
    admin = make.user("admin", org["ministry"])
    login(client, admin)
    unit = org["department"].code
    before = accounts()
    content = csv_file(
        [
            f"nguyen.thi.lan,Nguyễn Thị Lan,lan.nt@mof.gov.vn,officer,{unit},vi",
            f"tran.van.duc,Trần Văn Đức,duc.tv@mof.gov.vn,unit_leader,{unit},",
        ]
    )
    job_page = client.get(upload(client, content).location)
    assert job_page.status_code == 200
    assert "Dry run" in job_page.text and "nguyen.thi.lan" in job_page.text
    assert accounts() == before and inbox.messages == []


def test_a_problem_names_its_row_and_column_and_nothing_is_written(client, make, org, inbox):
    admin = make.user("admin", org["ministry"])
    make.user("officer", org["department"], username="da.co")
    login(client, admin)
    unit = org["department"].code
    before = accounts()
    content = csv_file(
        [
            f"nguyen.thi.lan,Nguyễn Thị Lan,lan.nt@mof.gov.vn,officer,{unit},vi",
            f"DA.CO,Đã Có,daco@mof.gov.vn,officer,{unit},",  # taken, in another case
            f"le.van.a,Lê Văn A,a@mof.gov.vn,chief,{unit},",  # no such role
            "pham.b,Phạm B,b@mof.gov.vn,officer,KHÔNG-CÓ,",  # no such unit
            f"vo.c,Võ C,,officer,{unit},",  # no address to invite
            f"NGUYEN.THI.LAN,Trùng,lan2@mof.gov.vn,officer,{unit},",  # twice in the file
            f"hoang.d,Hoàng D,d@mof.gov.vn,officer,{unit},fr",  # no such language
        ]
    )
    page = client.get(upload(client, content, apply=True).location).text
    errors = {
        (int(row), column)
        for row, column in re.findall(
            r'<tr><td class="num">(\d+)</td><td><code>([a-z_]+)</code>', page
        )
    }
    assert errors == {
        (3, "username"),
        (4, "role"),
        (5, "unit"),
        (6, "email"),
        (7, "username"),
        (8, "language"),
    }
    assert "nothing was written" in page
    assert accounts() == before and inbox.messages == []
    assert db.session.scalar(select(func.count(AccountLink.id))) == 0


def test_a_good_file_makes_the_accounts_and_then_mails_the_invitations(client, make, org, inbox):
    admin = make.user("admin", org["ministry"])
    login(client, admin)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(user_imports.COLUMNS))
    sheet.append(
        [
            "nguyen.thi.lan",
            "Nguyễn Thị Lan",
            "lan.nt@mof.gov.vn",
            "officer",
            org["department"].code,
            "vi",
        ]
    )
    sheet.append(
        [
            "tran.van.duc",
            "Trần Văn Đức",
            "duc.tv@mof.gov.vn",
            "Unit_Leader",
            org["institute"].code,
            "en",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    done = client.get(upload(client, buffer.getvalue(), "tài khoản.xlsx", apply=True).location)
    assert "Imported" in done.text
    lan = db.session.scalar(select(User).where(User.username == "nguyen.thi.lan"))
    duc = db.session.scalar(select(User).where(User.username == "tran.van.duc"))
    assert (lan.name, lan.role, lan.unit_id, lan.language) == (
        "Nguyễn Thị Lan",
        "officer",
        org["department"].id,
        "vi",
    )
    assert duc.role == "unit_leader" and duc.unit_id == org["institute"].id
    # No password works until the invitation is used.
    outside = client.application.test_client()
    assert (
        outside.post("/login", data={"username": "nguyen.thi.lan", "password": "!"}).status_code
        == 401
    )
    assert len(inbox.to("lan.nt@mof.gov.vn")) == 1 and len(inbox.to("duc.tv@mof.gov.vn")) == 1
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions.count("user.create") == 2 and actions.count("user.invited") == 2
    assert "import.users" in actions


def test_only_admins_import_users(client, make, org):
    supervisor = make.user("supervisor", org["ministry"])
    login(client, supervisor)
    assert client.get("/admin/users/import").status_code == 403
    response = upload(client, csv_file([f"x.y,X,x@y.vn,officer,{org['department'].code},"]))
    assert response.status_code == 403


def test_the_command_line_imports_and_invites(data_app, make, org, inbox, tmp_path):
    make.user("admin", org["ministry"], username="quản.trị")
    path = tmp_path / "danh sách cán bộ.csv"
    path.write_bytes(
        csv_file([f"do.thi.mai,Đỗ Thị Mai,mai@mof.gov.vn,auditor,{org['ministry'].code},vi"])
    )
    runner = data_app.test_cli_runner()
    checked = runner.invoke(args=["users", "import", str(path), "--user", "quản.trị", "--dry-run"])
    assert checked.exit_code == 0, checked.output
    assert "Dry run" in checked.output and inbox.messages == []
    applied = runner.invoke(args=["users", "import", str(path), "--user", "quản.trị"])
    assert applied.exit_code == 0, applied.output
    assert "1 invitation(s) mailed" in applied.output
    assert len(inbox.to("mai@mof.gov.vn")) == 1


@pytest.mark.postgres  # SQLite's writers queue on the whole database during any write
def test_account_imports_queue_behind_each_other_and_nothing_else_waits(app, make, org):
    """An account import holds its own lock, not the audit chain's head: a unit leader's
    progress report is saved while it runs, and a second import of the same account waits
    for the first's commit, then finds the name taken and writes nothing."""
    admin = make.user("admin", org["ministry"], username="quản_trị_tài_khoản")
    leader = make.user("unit_leader", org["institute"], username="trưởng_phòng")
    task = make.task(org["institute"], code="NV Tổng hợp 1", status="in_progress")
    ids = {"admin": admin.id, "leader": leader.id, "task": task.id}
    line = f"nguyen.van.an,Nguyễn Văn An,an.nv@mof.gov.vn,officer,{org['department'].code},vi"
    rows = imports.read_rows("tài khoản.csv", csv_file([line]), required=user_imports.REQUIRED)
    first_paused, first_may_go = threading.Event(), threading.Event()
    reports: dict[str, object] = {}

    def account_import(name: str, pause: bool) -> None:
        def paused(done: int) -> None:
            if pause:
                first_paused.set()
                first_may_go.wait(timeout=30)

        with app.app_context():
            try:
                reports[name], _ = user_imports.run_user_import(
                    db.session.get(User, ids["admin"]), rows, dry_run=False, progress=paused
                )
            finally:
                db.session.remove()

    def unit_leader() -> None:
        report_on_its_own_connection(
            app, ids["leader"], ids["task"], 55, "Đã tổng hợp số liệu quý IV"
        )
        reports["progress"] = "saved"

    first = threading.Thread(target=account_import, args=("first", True))
    first.start()
    assert first_paused.wait(timeout=30)
    leader_thread = threading.Thread(target=unit_leader)
    leader_thread.start()
    leader_thread.join(timeout=15)
    saved_meanwhile = reports.get("progress") == "saved"
    second = threading.Thread(target=account_import, args=("second", False))
    second.start()
    second.join(timeout=2)
    still_waiting = second.is_alive()
    first_may_go.set()
    for thread in (first, second):
        thread.join(timeout=60)

    assert saved_meanwhile  # while the first import held its transaction open
    assert still_waiting  # the second import queued behind the first
    assert reports["first"].written and not reports["second"].written
    assert [error.column for error in reports["second"].errors] == ["username"]
    db.session.rollback()
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "nguyen.van.an"))
    assert audit.verify_trail().problems == []
