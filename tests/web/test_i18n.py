"""Vietnamese and English: every user-facing template string is translatable, both
catalogues are complete, the language follows the user's choice then the browser, and
numbers follow the language (dates are dd/mm/yyyy in both)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tracker.config import PACKAGE_DIR
from tracker.extensions import db
from tracker.infra.i18n import TRANSLATIONS_DIR

PROJECT_ROOT = PACKAGE_DIR.parent
TEMPLATES = sorted((PACKAGE_DIR / "templates").rglob("*.html"))
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Text a person reads that needs no translation: codes, file formats, commands.
ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9\-./()&+]*$")


def untranslated_text(source: str) -> list[str]:
    """Words in a template outside Jinja tags and outside `_()`: text nodes, and the
    attributes people read (placeholder, aria-label, title, alt, data-confirm, data-long)."""
    text = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    text = re.sub(r"{%.*?%}", " ", text, flags=re.S)
    text = re.sub(r"{{.*?}}", " ", text, flags=re.S)
    found = []
    for match in re.finditer(
        r'\b(?:placeholder|aria-label|title|alt|data-confirm|data-long)="([^"]*)"', text
    ):
        value = html.unescape(match.group(1)).strip()
        if re.search(r"[A-Za-z]", value) and not ACRONYM.match(value):
            found.append(f"attribute: {value}")
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    for chunk in html.unescape(re.sub(r"<[^>]+>", "\n", text)).split("\n"):
        chunk = chunk.strip(" \t·—–:,.()→←✓○▲◆★×|/")
        if re.search(r"[A-Za-z]", chunk) and not ACRONYM.match(chunk):
            found.append(chunk)
    return found


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_every_template_string_goes_through_the_catalogue(template):
    assert untranslated_text(template.read_text(encoding="utf-8")) == []


def test_the_checker_finds_bare_words():
    assert untranslated_text('<h1>Overdue board</h1><input placeholder="Search">') == [
        "attribute: Search",
        "Overdue board",
    ]
    assert untranslated_text('<h1>{{ _("Overdue board") }}</h1> <td>CSV</td>') == []


def catalogue(language: str):
    with (TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


def extracted_ids() -> set:
    method_map = [("tracker/**.py", "python"), ("tracker/templates/**.html", "jinja2")]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "lazy_gettext": None,
        "N_": None,
        "NP_": ((1, "c"), 2),
    }
    found = set()
    for _path, _line, message, _comments, context in extract_from_dir(
        PROJECT_ROOT, method_map=method_map, keywords=keywords
    ):
        found.add((context, message if isinstance(message, str) else tuple(message)))
    return found


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_catalogues_hold_every_string_translated(language):
    entries = {
        (m.context, m.id if isinstance(m.id, str) else tuple(m.id)): m
        for m in catalogue(language)
        if m.id
    }
    missing = sorted(str(i) for i in extracted_ids() - set(entries))
    assert missing == [], f"not in the {language} catalogue (run make translations-update)"
    untranslated = sorted(
        str(key)
        for key, m in entries.items()
        if not m.string or (not isinstance(m.string, str) and not all(m.string)) or m.fuzzy
    )
    assert untranslated == [], f"untranslated in {language}"


# A translation call given a literal: _("…"), gettext('…'), N_("…"), lazy_gettext("…")...
LITERAL_CALL = re.compile(r"""\b(?:_|gettext|ngettext|lazy_gettext|_l|N_|NP_)\(\s*['"]""")


def test_no_string_to_translate_hides_inside_an_f_string():
    """Babel's extractor reads an f-string as one string on this Python, so a translation
    call written inside one is never extracted: the words stay English on a Vietnamese
    page (the target chart's title did, until 2026-12-07)."""
    import ast

    hidden = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.JoinedStr):
                text = ast.get_source_segment(source, node) or ""
                if LITERAL_CALL.search(text):
                    hidden.append(f"{path.relative_to(PACKAGE_DIR)}:{node.lineno}")
    assert hidden == []


def test_translations_keep_every_placeholder():
    for message in catalogue("vi"):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, message.id


def test_the_browser_language_chooses_when_the_user_has_not(client, make, org):
    page = client.get("/login", headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"})
    assert '<html lang="vi">' in page.text
    assert "Đăng nhập" in page.text and "Log in" not in page.text
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in page.text and "Log in" in page.text
    page = client.get("/login", headers={"Accept-Language": "fr-FR"})
    assert '<html lang="en">' in page.text  # DEFAULT_LANGUAGE


def test_the_users_choice_wins_over_the_browser_and_is_kept(login_as, make, org, today):
    leader = make.user("unit_leader", org["department"])
    make.task(org["department"], code="T-9", title="Ban hành Nghị định")
    client = login_as(leader)
    vietnamese_browser = {"Accept-Language": "vi"}
    assert "Đơn vị tôi" in client.get("/my-unit", headers=vietnamese_browser).text

    answer = client.post("/language", data={"language": "en", "next": "/my-unit"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/my-unit")
    db.session.refresh(leader)
    assert leader.language == "en"
    page = client.get("/my-unit", headers=vietnamese_browser).text
    assert "My unit" in page and "Đơn vị tôi" not in page

    client.post("/language", data={"language": "vi", "next": "/my-unit"})
    page = client.get("/my-unit", headers={"Accept-Language": "en"}).text
    assert "Đơn vị tôi" in page and "Chưa thực hiện" in page  # status label translated


def test_a_language_outside_the_two_is_refused(client):
    assert client.post("/language", data={"language": "fr"}).status_code == 400


def test_an_open_redirect_through_the_language_switch_is_refused(client):
    answer = client.post("/language", data={"language": "vi", "next": "https://evil.example/"})
    assert answer.headers["Location"].endswith("/")
    assert "evil" not in answer.headers["Location"]


def test_numbers_follow_the_language_and_dates_are_day_first(login_as, make, org, today):
    supervisor = make.user("supervisor", org["ministry"])
    make.task(org["department"], deadline=today - timedelta(days=365))
    make.task(org["department"], status="completed", deadline=today - timedelta(days=365))
    make.task(org["department"], status="completed", deadline=today - timedelta(days=365))
    client = login_as(supervisor)
    vietnamese = client.get("/board", headers={"Accept-Language": "vi"}).text
    assert "66,7%" in vietnamese and "Quá hạn" in vietnamese
    english = client.get("/board", headers={"Accept-Language": "en"}).text
    assert "66.7%" in english
    assert today.strftime("%d/%m/%Y") in vietnamese and today.strftime("%d/%m/%Y") in english


def test_refusals_are_shown_in_the_users_language(login_as, make, org):
    leader = make.user("unit_leader", org["department"])
    leader.language = "vi"
    db.session.commit()
    task = make.task(org["department"], status="in_progress", percent_done=20)
    client = login_as(leader)
    page = client.get("/board")
    assert page.status_code == 403
    assert "Bảng nhiệm vụ quá hạn dành cho người theo dõi." in page.text

    page = client.post(
        f"/tasks/{task.id}/progress",
        data={"status": "in_progress", "percent_done": "20", "version": str(task.version)},
    )
    assert page.status_code == 422
    assert "Không có gì để lưu: hãy đổi trạng thái hoặc phần trăm, hoặc thêm ghi chú." in page.text


def test_report_headings_follow_the_language(login_as, make, org):
    supervisor = make.user("supervisor", org["ministry"])
    make.task(org["department"])
    client = login_as(supervisor)
    page = client.get("/reports/period?period=2026", headers={"Accept-Language": "vi"}).text
    # What happened within the period, and where open tasks stood at its end, said apart.
    assert "Giao trong kỳ" in page and "Đến hạn trong kỳ" in page
    assert "Quá hạn chưa hoàn thành cuối kỳ" in page
    assert "Tỷ lệ đúng hạn (trên số đến hạn)" in page
    assert "Assigned" not in page
    page = client.get("/reports/period?period=2026", headers={"Accept-Language": "en"}).text
    assert "Assigned in period" in page and "Not completed, overdue at end" in page


def test_a_refusal_with_values_is_translated_with_its_values(login_as, make, org):
    leader = make.user("unit_leader", org["department"])
    leader.language = "vi"
    db.session.commit()
    task = make.task(org["department"], code="NV-7", status="in_progress", percent_done=20)
    client = login_as(leader)
    page = client.post(
        f"/tasks/{task.id}/progress",
        data={"status": "in_progress", "percent_done": "30", "version": str(task.version - 1)},
    )
    assert page.status_code == 409
    assert (
        f"Nhiệm vụ NV-7 đã được người khác thay đổi sau khi bạn mở (bạn mở phiên bản "
        f"{task.version - 1}, nay là phiên bản {task.version})" in page.text
    )


def test_report_titles_follow_the_language(login_as, make, org):
    supervisor = make.user("supervisor", org["ministry"])
    make.task(org["department"])
    client = login_as(supervisor)
    page = client.get("/reports/period?period=2025-9M", headers={"Accept-Language": "vi"}).text
    assert "Báo cáo 9 tháng đầu năm 2025" in page
    page = client.get("/reports/period?period=2025-Q3", headers={"Accept-Language": "vi"}).text
    assert "Báo cáo quý 3 năm 2025" in page
    page = client.get("/reports/period?period=2025-Q3", headers={"Accept-Language": "en"}).text
    assert "Period report, Q3 2025" in page


def test_a_pdf_in_vietnamese_prints_vietnamese_with_embedded_fonts(login_as, make, org, tmp_path):
    import subprocess

    auditor = make.user("auditor", org["ministry"])
    auditor.language = "vi"
    db.session.commit()
    directive = make.directive("57-NQ/TW", title="Nghị quyết về đột phá phát triển khoa học")
    make.task(org["department"], directive, code="NV-01", title="Xây dựng Nghị định về dữ liệu")
    client = login_as(auditor)
    response = client.get("/reports/tasks.pdf?directive=57-NQ/TW", follow_redirects=True)
    assert response.status_code == 200
    pdf = tmp_path / "tasks.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    words = set(text.split())  # table cells wrap, so the title's words are checked one by one
    assert {"Xây", "dựng", "Nghị", "định", "về", "dữ", "liệu"} <= words
    assert "Nhiệm vụ tính đến ngày" in text and {"Đơn", "vị", "chủ", "trì"} <= words
    assert {"Chưa", "thực", "hiện"} <= words and "Trang 1 / 3" in text
    assert "văn bản 57-NQ/TW" in text and "sự kiện" in text  # the title block
    assert "Quá hạn chưa hoàn thành" in text  # the class chart and the summary
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout
    rows = fonts.decode().splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)  # every font embedded


def test_a_refusal_quoting_a_field_problem_is_translated_whole(login_as, make, org, today):
    from tracker.models import ExtensionRequest

    leader = make.user("unit_leader", org["department"])
    leader.language = "vi"
    db.session.commit()
    task = make.task(org["department"], deadline=today)
    db.session.add(
        ExtensionRequest(
            task_id=task.id,
            previous_deadline=today,
            requested_deadline=today + timedelta(days=365),
            reason="Data late",
        )
    )
    db.session.commit()
    client = login_as(leader)
    page = client.post(
        f"/tasks/{task.id}/extensions",
        data={"deadline": (today + timedelta(days=730)).isoformat(), "reason": "More time"},
    )
    assert page.status_code == 422
    assert (
        "Chưa gửi đề nghị gia hạn: nhiệm vụ này đã có một đề nghị gia hạn đang chờ quyết định."
        in page.text
    )
    assert "already awaiting a decision" not in page.text  # nor under the field


def test_a_field_problem_with_values_is_translated_with_them(login_as, make, org, today):
    leader = make.user("unit_leader", org["department"])
    leader.language = "vi"
    db.session.commit()
    task = make.task(org["department"], deadline=today)
    client = login_as(leader)
    page = client.post(
        f"/tasks/{task.id}/extensions", data={"deadline": today.isoformat(), "reason": "Late"}
    )
    assert page.status_code == 422
    day = today.strftime("%d/%m/%Y")
    assert f"Chưa gửi đề nghị gia hạn: phải sau thời hạn hiện tại {day}." in page.text


def test_form_choices_and_hints_follow_the_language(login_as, make, org):
    leader = make.user("unit_leader", org["department"])
    leader.language = "vi"
    db.session.commit()
    task = make.task(org["department"], status="in_progress")
    page = login_as(leader).get(f"/tasks/{task.id}").text
    assert ">Đang thực hiện</option>" in page and ">In progress</option>" not in page
    assert "PDF, DOCX, XLSX, ODT, PNG hoặc JPEG." in page
    assert ">Khó khăn, vướng mắc, kiến nghị (cần trả lời)</option>" in page


def test_roles_are_shown_in_the_readers_language(login_as, make, org):
    admin = make.user("admin", org["ministry"])
    admin.language = "vi"
    make.user("auditor", org["ministry"])
    db.session.commit()
    page = login_as(admin).get("/admin/users").text
    assert "<td>Kiểm tra, thanh tra</td>" in page and ">Auditor<" not in page
    assert "Quản trị viên" in page  # the header too
