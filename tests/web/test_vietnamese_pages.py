"""Nothing English on a Vietnamese page that is not data: every main page, as each role
reads it in Vietnamese, over a world whose data is Vietnamese, is searched for common
English words in what a person reads (text and the attributes read aloud). Text marked
lang="en" (the language switch's "English") is left out, and so are the data's codes."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tracker.work import recurring, tasks, urging
from tracker.work.tasks import TaskValues

from ..conftest import login

# Common English words of the interface; any of them in a Vietnamese page is a leftover.
ENGLISH = {
    "the",
    "and",
    "of",
    "to",
    "is",
    "are",
    "was",
    "with",
    "for",
    "on",
    "by",
    "from",
    "in",
    "task",
    "tasks",
    "overdue",
    "deadline",
    "status",
    "save",
    "report",
    "reports",
    "unit",
    "units",
    "directive",
    "directives",
    "completed",
    "submitted",
    "progress",
    "late",
    "within",
    "days",
    "nobody",
    "today",
    "quarterly",
    "monthly",
    "assigned",
    "extension",
    "approved",
    "rejected",
    "posted",
    "answer",
    "recorded",
    "issued",
    "notice",
    "urging",
    "evidence",
    "owner",
    "lead",
    "officer",
    "supervisor",
    "auditor",
    "admin",
    "search",
    "filter",
    "all",
    "none",
    "yes",
    "no",
    "new",
    "edit",
    "delete",
    "page",
    "next",
    "previous",
    "total",
    "rate",
    "target",
    "targets",
    "comment",
    "comments",
    "history",
}
ALLOWED = {"CSV", "XLSX", "PDF", "API", "SHA-256", "ID", "OK", "UTC", "Tiếng", "Việt"}


def readable_text(page: str) -> str:
    """What a person reads or hears: text outside tags, scripts and lang="en" elements, and
    the aria-label, title, placeholder and alt attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", page, flags=re.S)
    attributes = re.findall(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join([text, *attributes]))


def english_words(page: str, data_words: set[str]) -> list[str]:
    # whole words of Latin letters only: "to" is no word of "toàn", nor "an" of "oan"
    words = re.findall(r"(?<![^\W\d_])[A-Za-z][A-Za-z'-]+(?![^\W\d_])", readable_text(page))
    return sorted(
        {
            word
            for word in words
            if word.lower() in ENGLISH and word not in ALLOWED and word not in data_words
        }
    )


PAGES = {
    "admin": [
        "/dashboard",
        "/tasks",
        "/directives",
        "/tasks/{task}",
        "/directives/{directive}",
        "/directives/{directive}/timeline",
        "/board",
        "/reports/period",
        "/reports/league",
        "/reports/closings",
        "/audit",
        "/admin/units",
        "/admin/users",
        "/admin/import",
        "/admin/recurring",
        "/reminders",
        "/notifications",
        "/search?q=co+khi",
        "/verification",
    ],
    "supervisor": ["/tasks/{task}", "/board", "/verification", "/notifications"],
    "unit_leader": [
        "/my-unit",
        "/my-unit/progress",
        "/my-unit?unassigned=1",
        "/my-unit/give",
        "/tasks/{task}",
        "/reminders",
        "/notifications",
    ],
    "officer": ["/my-unit", "/tasks/{task}", "/notifications"],
    "auditor": ["/dashboard", "/reports/directives/{directive}", "/exports/verify"],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_no_english_on_vietnamese_pages(client, vietnamese_world, role):
    world = vietnamese_world
    login(client, world["people"][role])
    found = {}
    for path in PAGES[role]:
        url = path.format(task=world["task"].id, directive=world["directive"].id)
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="vi">' in response.text
        words = english_words(response.text, world["data"])
        if words:
            found[url] = words
    assert found == {}, found


def flashes_and_errors(page: str) -> str:
    """The flashed messages and the errors under fields of a page, as text."""
    parts = re.findall(r'<div class="flash[^"]*"[^>]*>(.*?)</div>', page, re.S)
    parts += re.findall(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)) for part in parts)


def test_every_flash_and_form_error_is_vietnamese(client, vietnamese_world, today):
    """Each form of the task page, sent wrong and then right, by the people who use it:
    what the page says back (the flash and the errors under fields) has no English."""
    world, said = vietnamese_world, []
    task = world["task"]
    people = world["people"]

    def send(person, path, data, expected):
        login(client, person)
        response = client.post(path, data=data, follow_redirects=True)
        assert response.status_code == expected, (path, response.status_code)
        text = flashes_and_errors(response.text)
        assert text.strip(), (path, "nothing was said")
        said.append((path, text))

    leader, officer = people["unit_leader"], people["officer"]
    supervisor = people["supervisor"]
    version = str(task.version)
    base = f"/tasks/{task.id}"
    send(leader, f"{base}/progress", {"status": "in_progress", "version": version}, 422)
    send(leader, f"{base}/progress", {"status": "submitted", "version": version}, 422)
    send(
        leader,
        f"{base}/progress",
        {
            "status": "in_progress",
            "percent_done": "40",
            "note": "Đã khảo sát xong.",
            "version": version,
        },
        200,
    )
    send(leader, f"{base}/extensions", {"deadline": "", "reason": ""}, 422)
    send(officer, f"{base}/comments", {"kind": "comment", "body": ""}, 422)
    send(officer, f"{base}/comments", {"kind": "comment", "body": "Đã gửi dự thảo."}, 200)
    send(officer, f"{base}/evidence", {"url": "không phải địa chỉ"}, 422)
    send(supervisor, f"{base}/urging", {"text": ""}, 422)
    send(supervisor, f"{base}/urging", {"text": "Đề nghị hoàn thành trước thứ Sáu."}, 200)
    pending = task.pending_extension
    send(
        supervisor, f"/extensions/{pending.id}/decision", {"decision": "reject", "comment": ""}, 422
    )
    send(
        supervisor,
        f"/extensions/{pending.id}/decision",
        {"decision": "approve", "comment": ""},
        200,
    )
    english = {
        path: found
        for path, text in said
        if (found := english_words(f"<p>{text}</p>", world["data"]))
    }
    assert english == {}, [item for item in said if item[0] in english]


@pytest.mark.parametrize(
    ("language", "whole", "rate", "amount"),
    [("vi", "300.000", "66,7%", "1.234,5"), ("en", "300,000", "66.7%", "1,234.5")],
)
def test_figures_are_written_once_in_the_readers_language(app, language, whole, rate, amount):
    """One rule (i18n.format_figure, format_amount) for counts, rates and indicator values
    on pages and in PDFs."""
    from decimal import Decimal

    from flask_babel import force_locale, format_decimal

    from tracker.infra.i18n import format_amount, format_figure

    with app.test_request_context(), force_locale(language):
        assert format_figure(300_000) == whole
        assert format_figure(2 / 3) == rate
        assert format_figure(None) == "—"
        assert format_amount(Decimal("1234.50")) == amount
        assert format_amount(Decimal("63.00")) == "63"
        # Whole numbers are grouped without Babel's pattern engine: as Babel groups them.
        for number in (0, 7, 999, 1000, -45_678, 3_000_000, 1_234_567_890):
            assert format_figure(number) == format_decimal(number, format="#,##0"), number
        # Rates too, halves and the float's own rounding included.
        rates = [0.0, 1.0, 0.0005, 0.0065, 0.0195, 0.125, 1 / 3, 2 / 3, 0.00049, 0.99995, 1e-7]
        rates += [n / 997 for n in range(998)]
        for rate in rates:
            assert format_figure(rate) == format_decimal(rate * 100, format="0.0") + "%", rate


def test_a_weak_password_is_refused_in_vietnamese(client, vietnamese_world):
    world = vietnamese_world
    login(client, world["people"]["admin"])
    unit_id = world["people"]["officer"].unit_id
    page = client.post(
        "/admin/users/new",
        data={
            "username": "can.bo.moi",
            "name": "Cán Bộ Mới",
            "role": "officer",
            "unit_id": str(unit_id),
            "password": "123456789012",
        },
    )
    assert page.status_code == 422
    assert "Mật khẩu này chỉ gồm chữ số và ký hiệu" in flashes_and_errors(page.text)


def test_the_audit_trail_names_every_recorded_field_in_vietnamese(client, vietnamese_world, today):
    """An occurrence of the world's recurring task is recorded with its template: the audit
    trail names that field (and every other) in Vietnamese, as it names a task's fields."""
    created = recurring.run(today)
    assert [task.code for task in created] == [f"BC Đ-57-{today.year}Q{(today.month - 1) // 3 + 1}"]
    login(client, vietnamese_world["people"]["admin"])
    page = client.get("/audit?action=recurring.occurrence")
    assert page.status_code == 200
    trail = " ".join(readable_text(page.text).split())
    assert "Nhiệm vụ định kỳ : BC Đ-57" in trail  # the template by its prefix, not its id
    assert english_words(page.text, vietnamese_world["data"]) == []


def test_refusals_the_server_makes_itself_are_vietnamese(
    client, app, vietnamese_world, monkeypatch
):
    """An address that does not exist, a form's address opened as a page, a file larger
    than the server takes, an address whose bytes are not UTF-8: Werkzeug raises these
    itself, with English names and descriptions; the page says them in Vietnamese."""
    world = vietnamese_world
    login(client, world["people"]["officer"])
    task = world["task"]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    too_large = client.post(
        f"/tasks/{task.id}/evidence",
        data={"file": (io.BytesIO(b"%PDF-1.7 " * 1000), "Báo cáo Đắk Lắk.pdf")},
        content_type="multipart/form-data",
    )
    monkeypatch.undo()
    pages = {
        404: client.get("/khong-co-trang-nay"),
        405: client.get(f"/tasks/{task.id}/progress"),
        413: too_large,
        400: client.get("/search?q=%FF%FE"),
    }
    expected = {
        404: ("Không tìm thấy", "Không có trang này."),
        405: ("Không thực hiện theo cách này", "Địa chỉ này không nhận loại yêu cầu đó"),
        413: ("Quá lớn", "tệp tối đa 20,0 MB"),
        400: ("Yêu cầu không hợp lệ", "Địa chỉ không phải UTF-8 hợp lệ."),
    }
    for status, page in pages.items():
        assert page.status_code == status
        assert '<html lang="vi">' in page.text
        title, message = expected[status]
        assert re.search(r"<h1>(.*?)</h1>", page.text).group(1) == title
        assert message in html.unescape(page.text)
        assert english_words(page.text, world["data"]) == [], status
    assert task.evidence == []


def test_a_record_that_is_not_there_is_named_in_vietnamese(app, client, vietnamese_world):
    """A directive, task, unit or user asked for by an address that names none: the 404 says
    which, in Vietnamese — it said *Không có directive này.*, the record's name in
    English."""
    world = vietnamese_world
    login(client, world["people"]["admin"])
    missing = {
        "/directives/987654": "Không có văn bản chỉ đạo này.",
        "/public/directives/987654": "Không có văn bản chỉ đạo này.",
        "/tasks/987654": "Không có nhiệm vụ này.",
        "/admin/units/987654/edit": "Không có đơn vị này.",
        "/admin/users/987654/edit": "Không có người dùng này.",
    }
    for path, said in missing.items():
        page = client.get(path)
        assert page.status_code == 404, path
        assert said in html.unescape(page.text), path
        assert english_words(page.text, world["data"]) == [], path
    # a member of the public is led to the public progress, not to a start page they lack
    anonymous = app.test_client()
    public = anonymous.get("/public/directives/987654", headers={"Accept-Language": "vi"})
    assert public.status_code == 404
    assert re.search(r'<a class="button" href="/public/">Công khai tiến độ</a>', public.text)


def test_the_audit_trail_shows_recorded_statuses_roles_and_levels_in_vietnamese(
    client, vietnamese_world, today
):
    """What the trail shows of a recorded status, a role and a confidentiality level is the
    word the reader's language has for it, not the stored code ("in_progress", "officer",
    "confidential"); a recorded day reads dd/mm/yyyy, as every other day; a record's id
    reads as its code."""
    world, people = vietnamese_world, vietnamese_world["people"]
    login(client, people["unit_leader"])
    task = world["task"]
    sent = client.post(
        f"/tasks/{task.id}/progress",
        data={
            "status": "submitted",
            "percent_done": "100",
            "note": "Đã hoàn thành cơ sở dữ liệu.",
            "evidence_url": "https://bct.gov.vn/bao-cao-đắk-lắk",
            "version": str(task.version),
        },
    )
    assert sent.status_code == 302
    login(client, people["admin"])
    made = client.post(
        "/admin/users/new",
        data={
            "username": "can.bo.moi",
            "name": "Cán Bộ Mới",
            "role": "officer",
            "unit_id": str(people["officer"].unit_id),
            "password": "Đường dài ư ơ 2026 Đắk Lắk",
        },
    )
    assert made.status_code == 302
    values = TaskValues(
        code="NV 04",
        title="Tổng kết chuyển đổi số",
        directive=world["directive"],
        lead_unit=task.lead_unit,
        deadline=today + timedelta(days=60),
        confidentiality="confidential",
    )
    tasks.create_task(people["admin"], values)
    login(client, people["auditor"])
    page = client.get("/audit").text
    trail = " ".join(readable_text(page).split())
    assert "Trạng thái : Đang thực hiện → Đã báo cáo hoàn thành, chờ xác nhận" in trail
    assert "Vai trò : Cán bộ, chuyên viên" in trail
    assert "Trạng thái : Chưa thực hiện" in trail
    assert "Mức độ mật : Mật" in trail
    assert f"Thời hạn : {today + timedelta(days=60):%d/%m/%Y}" in trail  # days as dd/mm/yyyy
    # Records named by their codes, not their ids: the new account's unit, the new task's
    # directive and lead unit, the task an extension request was for.
    assert "Đơn vị : VNCCK" in trail
    assert "Văn bản : 2795/QĐ-BCT" in trail
    assert "Đơn vị chủ trì : VNCCK" in trail
    assert f"Nhiệm vụ : {task.code}" in trail
    assert english_words(page, world["data"] | {"bct", "gov", "vn"}) == []
    # how the chain is checked, said as the auditor can do it (not as an operator's command)
    said = "mỗi lần kiểm tra tệp báo cáo ( Kiểm tra tệp báo cáo ) cũng kiểm tra toàn bộ chuỗi"
    assert said in trail  # (the link's words set apart by the tags around them)
    assert 'href="/exports/verify"' in page and "flask" not in page


def test_the_rules_refusals_with_values_are_vietnamese_whole(app, make, vietnamese_world, today):
    """A refusal the rules make with values inside (statuses, a period written wrong, a
    task's code) reads in Vietnamese whole, its values' words translated too."""
    from flask_babel import force_locale

    from tracker.domain.errors import DomainError
    from tracker.domain.lifecycle import check_transition
    from tracker.domain.periods import parse_period
    from tracker.infra.i18n import describe
    from tracker.reporting.report_orders import period_arguments

    refusals = []
    for attempt in (
        lambda: check_transition("completed", "in_progress"),
        lambda: check_transition("in_progress", "completed"),
        lambda: period_arguments({"period": "quý 3"}, today),
        lambda: urging.issue_notice(
            vietnamese_world["people"]["supervisor"], vietnamese_world["task"], "  "
        ),
        lambda: tasks.apply_progress(
            vietnamese_world["people"]["unit_leader"],
            vietnamese_world["task"],
            vietnamese_world["task"].version,
            "cancelled",
            None,
        ),
        lambda: tasks.create_task(
            vietnamese_world["people"]["supervisor"],
            TaskValues(
                code="NV 09",
                title="Rà soát ngân sách",
                directive=vietnamese_world["directive"],
                lead_unit=make.unit("BTC", name="Bộ Tài chính"),
                deadline=today + timedelta(days=30),
            ),
        ),
    ):
        try:
            attempt()
        except DomainError as refused:
            refusals.append(refused)
    with app.test_request_context(), force_locale("vi"):
        said = [describe(refused) for refused in refusals]
    assert said == [
        "Nhiệm vụ không thể chuyển từ “Đã hoàn thành” sang “Đang thực hiện”: nhiệm vụ đã ở "
        "trạng thái “Đã hoàn thành”, không thể đổi trạng thái.",
        "Nhiệm vụ không thể chuyển từ “Đang thực hiện” sang “Đã hoàn thành”: chỉ khi người "
        "giám sát xác nhận nhiệm vụ đã báo cáo hoàn thành thì nhiệm vụ mới hoàn thành.",
        "“QUÝ 3” không phải là một kỳ: hãy ghi năm (2025), tháng (2025-09), quý (2025-Q3), "
        "nửa năm (2025-H1), chín tháng đầu năm (2025-9M), hoặc nhập ngày bắt đầu và ngày kết thúc.",
        "Hãy viết nội dung văn bản đôn đốc (từ 1 đến 5000 ký tự).",
        "Bạn không được chuyển nhiệm vụ NV 01 sang “Đã hủy”.",
        "Bạn không được tạo nhiệm vụ do BTC chủ trì.",  # another ministry's unit
    ]
    assert parse_period("2025-Q3")  # a period written right is read


def test_a_refused_admin_form_says_why_under_its_fields_in_vietnamese(client, vietnamese_world):
    """The reasons a service gives for one field (a code already in use) are shown under
    that field, translated as the flash is: they were plain English words."""
    world = vietnamese_world
    login(client, world["people"]["admin"])
    page = client.post(
        "/admin/units/new",
        data={"code": "VNCCK", "name": "Viện Cơ khí Đắk Lắk", "parent_id": ""},
    )
    assert page.status_code == 422
    said = flashes_and_errors(page.text)
    assert "Đã có đơn vị mang mã “VNCCK”." in said
    assert "đã được dùng" in said
    assert english_words(f"<p>{said}</p>", world["data"]) == []


def test_a_task_list_of_a_code_naming_nothing_says_why_it_is_empty(client, vietnamese_world):
    """A directive's id typed for its code, or a misspelt unit: the list is empty and says
    why, in Vietnamese; a code that names something says nothing of the kind."""
    login(client, vietnamese_world["people"]["supervisor"])
    for query, code in (("directive=1", "1"), ("unit=VNCKK", "VNCKK"), ("scope=BCT Đ", "BCT Đ")):
        page = client.get(f"/tasks?{query}")
        assert page.status_code == 200
        said = flashes_and_errors(page.text)
        assert f"Không có văn bản hay đơn vị nào mang mã “{code}”: không nhiệm vụ nào khớp." in said
    known = client.get("/tasks?directive=2795/QĐ-BCT&unit=VNCCK")
    assert "Không có văn bản hay đơn vị nào" not in known.text and "NV 01" in known.text


def test_wtforms_own_messages_are_vietnamese(client, vietnamese_world):
    """A field left empty, a name too long, an e-mail or a number written wrong: the messages
    WTForms writes itself (it ships no Vietnamese) read from the app's catalogue."""
    world = vietnamese_world
    login(client, world["people"]["admin"])
    unit = client.post("/admin/units/new", data={"code": "", "name": "Đ" * 256, "parent_id": ""})
    assert unit.status_code == 422
    said = flashes_and_errors(unit.text)
    assert "Mục này là bắt buộc." in said
    assert "Không được dài quá 255 ký tự." in said
    person = client.post(
        "/admin/users/new",
        data={"username": "nguyễn.văn.đức", "name": "Nguyễn Văn Đức", "email": "không-phải@"},
    )
    assert "Địa chỉ e-mail không hợp lệ." in flashes_and_errors(person.text)
    template = client.post(
        "/admin/recurring",
        data={"code_prefix": "BC Đ", "title": "Báo cáo tháng", "days_after_period_end": "400"},
    )
    assert "Số phải từ -27 đến 365." in flashes_and_errors(template.text)
    for page in (unit, person, template):
        assert english_words(f"<p>{flashes_and_errors(page.text)}</p>", world["data"]) == []


def test_every_form_takes_its_words_from_the_catalogue():
    """Each form class of the app is a formkit.Form, whose messages are translated."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import tracker.web
    from tracker.web.formkit import Form

    for module in pkgutil.walk_packages(tracker.web.__path__, "tracker.web."):
        importlib.import_module(module.name)

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    ours = [form for form in every(FlaskForm) if form.__module__.startswith("tracker.")]
    assert len(ours) > 20
    assert [form.__qualname__ for form in ours if not issubclass(form, Form)] == []


def test_pages_draw_no_character_a_plain_font_lacks():
    """The templates' own symbols (✓ ★ ⚑ ↓ ↗ …) are in the Basic Multilingual Plane, as
    the fonts every desktop has (DejaVu, Arial, Tahoma) hold them: the evidence list's 📄
    and 🔗 drew as empty boxes on a machine without a colour emoji font (a plain Linux
    desktop; headless Chromium here)."""
    templates = Path(__file__).resolve().parents[2] / "tracker" / "templates"
    beyond = {
        f"{path.relative_to(templates)}: {char} (U+{ord(char):X})"
        for path in templates.rglob("*.html")
        for char in path.read_text(encoding="utf-8")
        if ord(char) > 0xFFFF
    }
    assert not beyond, sorted(beyond)
