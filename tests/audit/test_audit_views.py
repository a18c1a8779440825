"""Auditors browse and filter the audit trail and export it."""

import csv
import html
import io

from sqlalchemy import select

from tracker.accounts import users
from tracker.extensions import db
from tracker.org import units

from ..conftest import login


def test_auditor_filters_and_exports_the_trail(client, make, org, today):
    admin = make.user("admin", org["ministry"], username="boss")
    units.create_unit(admin, "NEW1", "Viện Cơ khí", org["ministry"])
    units.create_unit(admin, "NEW2", "Second", org["ministry"])
    auditor = make.user("auditor", org["other"])
    login(client, auditor)
    page = client.get("/audit")
    assert page.status_code == 200
    assert page.text.count("unit.create") == 2 and "Viện Cơ khí" in page.text
    assert "NEW2" not in client.get("/audit?action=user.").text
    assert client.get("/audit?actor=boss&unit=MIN").text.count("unit.create") == 2
    assert "No event matches" in client.get("/audit?unit=OTH").text
    tomorrow = today.toordinal() + 1
    from datetime import date

    assert (
        "No event matches"
        in client.get(f"/audit?date_from={date.fromordinal(tomorrow).isoformat()}").text
    )
    assert (
        client.get(f"/audit?date_from={today.isoformat()}&date_to={today.isoformat()}").text.count(
            "unit.create"
        )
        == 2
    )
    assert client.get("/audit?date_from=yesterday").status_code == 422
    exported = client.get("/audit.csv?action=unit.")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["seq", "time_utc", "actor", "action"]
    assert [row[3] for row in rows[1:]] == ["unit.create", "unit.create"]
    assert rows[1][0] == "2" and len(rows[1][-1]) == 64  # newest first, with its hash


def test_only_auditors_and_admins_see_the_trail(client, make, org):
    for role in ("supervisor", "unit_leader", "officer"):
        login(client, make.user(role, org["ministry"]))
        assert client.get("/audit").status_code == 403
        assert client.get("/audit.csv").status_code == 403
    login(client, make.user("admin", org["ministry"]))
    assert client.get("/audit").status_code == 200


def test_the_trail_shows_each_change_as_field_before_and_after(auditor, history):
    """F's deadline, moved by an administrator from 05/09/2025 to 30/11/2025, reads as one
    line of the trail; fields that did not change are not listed."""
    page = auditor.get("/audit?action=task.deadline_changed_by_admin").text
    assert (
        '<span class="field-name">Deadline</span>: <span class="old">05/09/2025</span> → ' in page
    )
    assert '<span class="new">30/11/2025</span>' in page
    assert '<span class="field-name">Title</span>' not in page


def test_evidence_in_the_trail_reads_as_names_and_none_added_is_no_change(auditor, history):
    """A progress report records the evidence it added: a submission's link reads as the
    link, and a report that added none does not list an empty "[]" as a change."""
    reports = auditor.get("/audit?action=task.status_changed").text
    assert reports.count('<span class="field-name">Percent done</span>') >= 3
    assert reports.count('<span class="field-name">Evidence</span>') == 2  # A's and D's links
    assert "[]" not in reports
    assert (
        '<span class="field-name">Evidence</span>: <span class="old">—</span> → '
        '<span class="new">https://example.gov.vn/a</span>'
    ) in reports


def test_a_recorded_id_whose_record_is_gone_reads_as_the_id(client, make, org):
    """The trail names a record by its code while it exists; an id that names nothing (a
    record removed since, or never there) is shown as recorded, not dropped."""
    from tracker import audit

    auditor = make.user("auditor", org["ministry"])
    unit = org["institute"]
    audit.record(auditor, "unit.update", unit, {"parent_id": None}, {"task_id": 987654})
    db.session.commit()
    login(client, auditor)
    page = client.get("/audit?action=unit.update").text
    assert '<span class="new">987654</span>' in page
    assert f"<strong>{unit.code}</strong>" in page  # the event's object, by its code


def test_the_object_filter_is_chosen_by_name_in_the_readers_language(client, make, org):
    """The trail's object filter offers the kinds of record by name ("Đơn vị", "Tài
    khoản"), sending the stored code: typed, a Vietnamese auditor wrote "đơn vị", which
    matched nothing."""
    admin = make.user("admin", org["ministry"], username="quan.tri")
    units.create_unit(admin, "ĐV MỚI", "Đơn vị Đắk Lắk", org["ministry"])
    auditor = make.user("auditor", org["ministry"])
    auditor.language = "vi"
    users.create_user(
        admin, "can.bo.ưng", "Đường dài ư ơ 2026 Đắk Lắk", "officer", org["institute"]
    )
    login(client, auditor)
    assert "user.create" in client.get("/audit").text
    page = client.get("/audit?object_type=unit").text
    assert '<option value="unit" selected>Đơn vị</option>' in page
    assert '<option value="user">Tài khoản</option>' in page
    assert "unit.create" in page and "ĐV MỚI" in page
    assert "user.create" not in page


def test_an_exports_recorded_head_and_filters_read_as_named_values(client, make, org):
    """An export's event records the chain head and the filters it was made with as
    objects: the trail names each part (no JSON), in the reader's language."""
    from tracker.models import ReportExport

    auditor = make.user("auditor", org["ministry"])
    auditor.language = "vi"
    make.directive("57-NQ/TW Đ")
    login(client, auditor)
    assert client.get("/reports/tasks.csv?directive=57-NQ/TW Đ").data  # sent whole: recorded
    export = db.session.scalar(select(ReportExport))
    page = html.unescape(client.get("/audit?action=report.export").text)
    assert f"Mã băm: {export.chain_hash}; STT: {export.chain_seq}" in page
    assert "Văn bản: 57-NQ/TW Đ" in page
    assert '{"' not in page
