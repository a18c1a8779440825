"""Evidence: uploads checked by content and size, stored outside the web root, served only
to those who may see the task, as attachments; a refused upload leaves nothing behind."""

import io
import os
import zipfile

import pytest
from sqlalchemy import func, select

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import AuditEvent, Evidence, StatusUpdate

from ..conftest import SCRATCH_DIR, login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office_file(*members: tuple[str, str]) -> bytes:
    """A ZIP of these members, the same bytes on every run (parallel workers must collect
    the same test ids)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


DOCX = office_file(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>"))
XLSX = office_file(("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>"))
ODT = office_file(("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<x/>"))
UPLOADS = os.path.join(SCRATCH_DIR, "uploads")


def stored_files() -> set[str]:
    return set(os.listdir(UPLOADS)) if os.path.isdir(UPLOADS) else set()


def evidence_count() -> int:
    return db.session.scalar(select(func.count(Evidence.id)))


@pytest.fixture
def scene(make, org):
    leader = make.user("unit_leader", org["institute"])
    task = make.task(org["institute"], coordinating_units=[org["other"]])
    return leader, task


def upload(client, task, name, content, **extra):
    return client.post(
        f"/tasks/{task.id}/evidence",
        data={"file": (io.BytesIO(content), name), **extra},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Quyết định 2795.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("scan.jpg", JPEG, "image/jpeg"),
        (
            "report.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("figures.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("minutes.odt", ODT, "application/vnd.oasis.opendocument.text"),
    ],
)
def test_allowed_files_are_stored_and_downloaded_as_attachments(
    client, scene, name, content, content_type
):
    leader, task = scene
    login(client, leader)
    before = stored_files()
    response = upload(client, task, name, content, note="Output document")
    assert response.status_code == 302
    evidence = db.session.scalars(select(Evidence)).one()
    assert (evidence.kind, evidence.original_name, evidence.content_type) == (
        "file",
        name,
        content_type,
    )
    assert evidence.size_bytes == len(content)
    new_files = stored_files() - before
    assert new_files == {evidence.stored_name}
    assert name not in evidence.stored_name  # the stored name is never the user's
    page = client.get(f"/tasks/{task.id}")
    assert name in page.text
    download = client.get(f"/evidence/{evidence.id}")
    assert download.status_code == 200
    assert download.data == content
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == content_type
    download.close()
    assert (
        db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()[-1]
        == "evidence.add"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "Only PDF, DOCX"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not contain what its name says"),
        ("fake.docx", PDF, "does not contain what its name says"),
        ("fake.xlsx", DOCX, "does not contain what its name says"),
        ("broken.docx", b"PK\x03\x04garbage", "does not contain what its name says"),
        ("noext", PDF, "Only PDF, DOCX"),
        ("empty.pdf", b"", "is empty"),
        # Polyglots: valid by their first bytes, and a web page too.
        (
            "Báo cáo Đợt 1.pdf",
            b"%PDF-1.4\n<html><body><script>fetch('/api/v1/tasks')</script>" + PDF[9:],
            "also contains a web page",
        ),
        ("anh.png", PNG + b"<!-- -->" + b"\x00" * 64, "also contains a web page"),
        ("anh.png", PNG + b"\x00" * 200_000 + b"tEXt<ScRiPt src=//x.example>", "web page"),
        (
            "so-lieu.docx",
            office_file(
                ("[Content_Types].xml", "<Types/>"),
                ("word/document.xml", "<w:document/>"),
                ("x.html", "<iframe src=//x.example>"),
            ),
            "web page",
        ),
    ],
)
def test_refused_files_leave_nothing_behind(client, scene, name, content, message):
    leader, task = scene
    login(client, leader)
    before = stored_files()
    response = upload(client, task, name, content)
    assert response.status_code == 422
    assert message in response.text
    assert stored_files() == before
    assert evidence_count() == 0


def test_size_limit(app, client, scene, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1024)
    leader, task = scene
    login(client, leader)
    before = stored_files()
    response = upload(client, task, "big.pdf", PDF + b"0" * 2000)
    assert response.status_code == 422
    assert "larger than the limit" in response.text
    assert stored_files() == before and evidence_count() == 0


def test_submission_with_a_file_then_verification(client, make, org, scene):
    leader, task = scene
    supervisor = make.user("supervisor", org["ministry"])
    login(client, leader)
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={
            "status": "submitted",
            "percent_done": "100",
            "note": "Decree issued.",
            "version": "1",
            "evidence_file": (io.BytesIO(PDF), "decree.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    update = db.session.scalars(
        select(StatusUpdate).where(StatusUpdate.new_status == lifecycle.SUBMITTED)
    ).one()
    assert [e.original_name for e in update.evidence] == ["decree.pdf"]
    login(client, supervisor)
    queue = client.get("/verification")
    assert task.code in queue.text
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={"status": "completed", "percent_done": "100", "note": "Accepted.", "version": "2"},
    )
    assert response.status_code == 302
    assert "Nothing is waiting for your verification" in client.get("/verification").text
    history = client.get(f"/tasks/{task.id}").text
    assert "Decree issued." in history and "Accepted." in history and "decree.pdf" in history


def test_a_refused_progress_report_keeps_no_file(client, scene):
    leader, task = scene
    login(client, leader)
    before = stored_files()
    # the file is fine but the submission has no result note: nothing may stay behind
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={
            "status": "submitted",
            "percent_done": "100",
            "note": "",
            "version": "1",
            "evidence_file": (io.BytesIO(PDF), "decree.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    # and a stale version after the file was written
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={
            "status": "in_progress",
            "percent_done": "10",
            "note": "x",
            "version": "7",
            "evidence_file": (io.BytesIO(PDF), "decree.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    assert stored_files() == before and evidence_count() == 0


def test_coordinating_unit_attaches_evidence_but_cannot_change_status(client, make, org, scene):
    _, task = scene
    helper = make.user("unit_leader", org["other"])
    login(client, helper)
    page = client.get(f"/tasks/{task.id}")
    assert "Attach evidence" in page.text and "Report progress" not in page.text
    response = upload(client, task, "annex.pdf", PDF)
    assert response.status_code == 302
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={"status": "in_progress", "percent_done": "50", "version": "1"},
    )
    assert response.status_code == 403


def test_download_only_for_those_who_may_see_the_task(client, make, org, scene):
    leader, task = scene
    login(client, leader)
    upload(client, task, "decree.pdf", PDF)
    evidence = db.session.scalars(select(Evidence)).one()
    login(client, make.user("officer", make.unit("FAR")))
    assert client.get(f"/evidence/{evidence.id}").status_code == 403
    login(client, make.user("auditor", org["ministry"]))
    response = client.get(f"/evidence/{evidence.id}")
    assert response.status_code == 200
    response.close()


def test_auditor_and_outsiders_cannot_attach(client, make, org, scene):
    _, task = scene
    for user in (
        make.user("auditor", org["ministry"]),
        make.user("unit_leader", org["department"]),
    ):
        login(client, user)
        assert upload(client, task, "x.pdf", PDF).status_code == 403
    assert evidence_count() == 0


def test_link_evidence(client, scene):
    leader, task = scene
    login(client, leader)
    response = client.post(
        f"/tasks/{task.id}/evidence", data={"url": "https://vanban.chinhphu.vn/decree-13"}
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Evidence.url)).all() == [
        "https://vanban.chinhphu.vn/decree-13"
    ]
    bad = client.post(f"/tasks/{task.id}/evidence", data={"url": "javascript:alert(1)"})
    assert bad.status_code == 422 and "must start with https://" in bad.text
    neither = client.post(f"/tasks/{task.id}/evidence", data={})
    assert neither.status_code == 422 and "either a file or a link" in neither.text


def test_a_real_pdf_made_from_html_is_not_taken_for_a_web_page(client, scene):
    """WeasyPrint's PDF of a page with a script: nothing of the HTML is left in the file."""
    from weasyprint import HTML

    leader, task = scene
    login(client, leader)
    made = HTML(string="<h1>Báo cáo tiến độ Đợt 1</h1><script>alert(1)</script>").write_pdf()
    response = upload(client, task, "Báo cáo tiến độ.pdf", made)
    assert response.status_code in (200, 302)
    assert evidence_count() == 1


def test_evidence_through_the_api(client, scene):
    from ..api.test_api import assert_problem, token_for

    leader, task = scene
    headers = token_for(client, leader)
    response = client.post(
        f"/api/v1/tasks/{task.id}/evidence",
        data={"file": (io.BytesIO(PDF), "decree.pdf"), "note": "Signed decree"},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    assert response.json["name"] == "decree.pdf" and response.json["size_bytes"] == len(PDF)
    download = client.get(response.json["download"], headers=headers)
    assert download.data == PDF and download.headers["Content-Disposition"].startswith("attach")
    download.close()
    link = client.post(
        f"/api/v1/tasks/{task.id}/evidence",
        headers=headers,
        json={"url": "https://vanban.example.gov.vn/1"},
    )
    assert link.status_code == 201 and link.json["kind"] == "link"
    listing = client.get(f"/api/v1/tasks/{task.id}/evidence", headers=headers).json
    assert [item["kind"] for item in listing["items"]] == ["file", "link"]
    assert listing["total"] == 2
    # A page at a time, as every list of the API.
    second = client.get(f"/api/v1/tasks/{task.id}/evidence?per_page=1&page=2", headers=headers)
    assert [item["kind"] for item in second.json["items"]] == ["link"]
    assert (second.json["total"], second.json["page"], second.json["per_page"]) == (2, 2, 1)
    assert_problem(client.get(f"/api/v1/tasks/{task.id}/evidence?page=0", headers=headers), 422)
    before = stored_files()
    fake = client.post(
        f"/api/v1/tasks/{task.id}/evidence",
        headers=headers,
        data={"file": (io.BytesIO(b"MZ"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert_problem(fake, 422, "does not contain")
    assert stored_files() == before
    # a submission through PATCH with its evidence link
    patch = client.patch(
        f"/api/v1/tasks/{task.id}",
        headers=headers,
        json={
            "status": "submitted",
            "note": "Decree issued",
            "version": task.version,
            "evidence_url": "https://vanban.example.gov.vn/2",
        },
    )
    assert patch.status_code == 200 and patch.json["status"] == "submitted"
    assert evidence_count() == 3


def zip_bomb(inflated_bytes: int) -> bytes:
    """An ODT whose `mimetype` member is `inflated_bytes` of the right text then zeros,
    deflated to a small fraction of that."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as member:
            member.write(b"application/vnd.oasis.opendocument.text")
            block = b"\x00" * (1024 * 1024)
            for _ in range(inflated_bytes // len(block)):
                member.write(block)
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_without_being_inflated(client, scene):
    """A 200 MB member deflated to about 200 KB: refused (422, nothing kept) by what the
    archive declares, and the worker never holds more than a few megabytes of it."""
    import tracemalloc

    leader, task = scene
    login(client, leader)
    bomb = zip_bomb(200 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    try:
        response = upload(client, task, "biên bản.odt", bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 422
    assert "does not contain what its name says" in response.text
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert evidence_count() == 0


def test_sniff_knows_a_real_odt_and_refuses_a_bomb(tmp_path):
    from tracker.work.evidence import sniff

    path = tmp_path / "real.odt"
    path.write_bytes(ODT)
    assert sniff(path) == "odt"
    huge = tmp_path / "bomb.odt"
    huge.write_bytes(zip_bomb(300 * 1024 * 1024))
    assert sniff(huge) is None
