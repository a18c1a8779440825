"""Journeys in a real browser, one per role, clicking as a person would (Playwright driving
Debian's Chromium against the app served on 127.0.0.1; see tests/browser.py).

Each screen is saved as tests/artifacts/<journey>-<step>.png and checked with axe-core: no
serious or critical accessibility violation; the main pages also for a label run into its
box and a text box's hint cut. A last test loads the main screens at 375 px,
a phone's width, and checks that nothing but the tables' own scrolling areas is wider."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import Task
from tracker.work import deadline_extensions

from ..browser import (
    accessibility_problems,
    labels_run_into_their_boxes,
    log_in,
    placeholders_cut,
    screenshot,
)
from ..conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(make, today):
    """A ministry and its department, a person of each role, one directive with an overdue,
    a due-soon and a completed task of the department."""
    ministry = make.unit("MIN", name="Ministry of Planning")
    department = make.unit("DEP", ministry, name="Department of Digital Government")
    people = {
        "unit_leader": make.user("unit_leader", department, username="leader", name="Lê Văn An"),
        "supervisor": make.user("supervisor", ministry, username="supervisor", name="Trần Bình"),
        "auditor": make.user("auditor", ministry, username="auditor", name="Phạm Chi"),
        "admin": make.user("admin", ministry, username="admin", name="Admin Person"),
    }
    directive = make.directive("57-NQ/TW", title="Breakthroughs in science and technology")
    overdue = make.task(
        department,
        directive,
        code="T-01",
        title="Issue the decree on the national data centre",
        deadline=today - timedelta(days=12),
        status=lifecycle.IN_PROGRESS,
        percent_done=30,
        owner=people["unit_leader"],
    )
    make.task(
        department,
        directive,
        code="T-02",
        title="Train provincial staff",
        deadline=today + timedelta(days=3),
    )
    make.task(
        department,
        directive,
        code="T-03",
        title="Publish the open data portal",
        deadline=today - timedelta(days=40),
        status=lifecycle.COMPLETED,
        completed_on=today - timedelta(days=45),
    )
    return {"people": people, "overdue": overdue, "directive": directive}


def look(page, name: str, problems: list[str]) -> None:
    """Screenshot the page and collect its accessibility problems."""
    screenshot(page, name)
    problems.extend(accessibility_problems(page))


def test_a_unit_leader_finds_an_overdue_task_updates_it_and_sees_the_history(browser_page, scene):
    page, problems = browser_page, []
    log_in(page, "leader")
    page.wait_for_url("**/my-unit")
    look(page, "leader-1-my-unit", problems)

    page.get_by_role("link", name="▲ Not completed, overdue").click()
    page.wait_for_url("**/tasks?*timeliness=overdue*")
    look(page, "leader-2-overdue-tasks", problems)
    page.get_by_role("link", name="T-01 Issue the decree on the national data centre").click()
    look(page, "leader-3-task", problems)

    page.get_by_role("spinbutton", name="Percent done").fill("60")
    page.get_by_label("Note (the result, when submitting)").fill("Draft sent for appraisal.")
    page.get_by_role("button", name="Save progress").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="Progress on T-01 saved.").is_visible()
    history = page.locator("#history")
    assert history.get_by_text("Draft sent for appraisal.").is_visible()
    assert "60%" in history.inner_text()
    look(page, "leader-4-saved", problems)
    assert problems == []


def test_a_supervisor_filters_the_board_and_opens_a_task_from_a_count(browser_page, scene):
    page, problems = browser_page, []
    log_in(page, "supervisor")
    page.wait_for_url("**/board")
    look(page, "supervisor-1-board", problems)

    page.get_by_label("Unit (with its sub-units)").select_option("DEP")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/board?*scope=DEP*")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Overdue board: DEP")
    look(page, "supervisor-2-board-filtered", problems)

    page.get_by_role("link", name="1 ▲ Not completed, overdue").click()
    page.wait_for_url("**/tasks?*timeliness=overdue*")
    rows = page.locator("table.tasks tbody tr")
    assert rows.count() == 1 and "T-01" in rows.first.inner_text()
    rows.first.get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("T-01")
    look(page, "supervisor-3-task", problems)
    assert problems == []


def test_an_auditor_exports_reports_and_the_files_open(browser_page, scene, tmp_path):
    page, problems = browser_page, []
    log_in(page, "auditor")
    page.wait_for_url("**/dashboard")
    look(page, "auditor-1-dashboard", problems)

    page.get_by_text("Reports", exact=True).click()  # the menu group
    page.get_by_role("link", name="Period report").click()
    look(page, "auditor-2-period-report", problems)
    page.get_by_role("link", name="Overdue board").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Lead unit" and any(row[0] == "DEP" for row in rows)

    # An Excel file is made in the background: its page follows the job, then offers it.
    page.get_by_role("link", name="Excel (XLSX)").click()
    page.wait_for_url("**/jobs/*")
    page.get_by_text("The file is ready.").wait_for(timeout=30_000)
    look(page, "auditor-3-report-file", problems)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download overdue-board")).click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    book = load_workbook(saved)
    tasks = list(book["Tasks"].iter_rows(values_only=True))
    assert any("T-01" in row for row in tasks[1:])
    assert problems == []


def test_an_admin_creates_a_user_who_then_logs_in(browser_page, scene):
    page, problems = browser_page, []
    log_in(page, "admin")
    page.get_by_text("Administration", exact=True).click()  # the menu group
    page.get_by_role("link", name="Users").click()
    look(page, "admin-1-users", problems)
    page.get_by_role("link", name="Add a user").click()
    page.get_by_label("Username").fill("officer.lan")
    page.get_by_label("Full name").fill("Nguyễn Thị Lan")
    page.get_by_label("Role").select_option(label="Officer")
    page.get_by_label("Unit").select_option(label="· DEP — Department of Digital Government")
    page.get_by_label("Password").fill("a long passphrase for Lan")
    look(page, "admin-2-new-user", problems)
    page.get_by_role("button", name="Save user").click()
    page.wait_for_load_state()
    assert page.get_by_role("cell", name="officer.lan", exact=True).is_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login*")

    log_in(page, "officer.lan", "a long passphrase for Lan")
    page.wait_for_url("**/my-unit")
    assert "Nguyễn Thị Lan" in page.locator("header").inner_text()
    look(page, "admin-3-new-user-logged-in", problems)
    assert problems == []


@pytest.mark.parametrize("width", [375, 1366], ids=["phone", "laptop"])
@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("leader", "/my-unit"),
        ("leader", "/my-unit/give"),
        ("leader", "/tasks"),
        ("leader", "/notifications"),
        ("supervisor", "/board"),
        ("supervisor", "/tasks/{task}"),
        ("supervisor", "/reports/league"),
        ("auditor", "/dashboard"),
        ("auditor", "/reports/period"),
        ("auditor", "/audit"),
        ("admin", "/admin/users"),
    ],
)
def test_main_screens_fit_a_phone_and_a_laptop(vietnamese_window, scene, username, path, width):
    """Nothing is cut at the right edge: wide tables scroll inside their frame, everything
    else fits the screen, in Vietnamese (the longer words)."""
    page = vietnamese_window(width)
    log_in(page, username)
    page.goto(path.format(task=scene["overdue"].id))
    screenshot(page, f"{width}-{username}-{path}")
    overflowing = page.evaluate(
        """width => [...document.querySelectorAll('body *')]
            .filter(e => !e.closest('.table-wrap'))
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))
            .slice(0, 5)""",
        width,
    )
    assert overflowing == [], f"{path} is wider than {width} px: {overflowing}"
    assert placeholders_cut(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(
    ("username", "path", "inputs"),
    [
        ("leader", "/my-unit/progress", "input.percent, input[name^='note-']"),
        ("leader", "/my-unit/give", "select"),
        ("leader", "/my-unit", "td[data-label]"),
        ("leader", "/tasks", "td[data-label]"),
        ("supervisor", "/board", "td[data-label]"),
        ("supervisor", "/verification", "td[data-label]"),
    ],
)
def test_on_a_phone_lists_and_forms_of_several_tasks_keep_everything_on_screen(
    vietnamese_window, scene, today, username, path, inputs
):
    """On a phone a unit leader sees each task's deadline, status and timeliness in the
    lists (*My unit*, the task list), a supervisor each overdue task's days overdue on the
    board and each request of the verification queue, and the leader reaches each input of
    the forms reporting or giving several tasks, without scrolling the table sideways: each
    task is a block, each value labelled above it in Vietnamese; and the form saves what was
    typed there. The header above keeps *Xác thực hai lớp* and *Đăng xuất* on one line each
    (they broke in two at 375 px)."""
    if path == "/verification":  # a request for more time waiting for the supervisor
        deadline_extensions.request_extension(
            scene["people"]["unit_leader"],
            scene["overdue"],
            today + timedelta(days=30),
            "Chờ ý kiến thẩm định của Bộ Tư pháp",
        )
    page = vietnamese_window(375)
    log_in(page, username)
    page.goto(path)
    screenshot(page, f"375-{username}-{path}-stacked")
    assert accessibility_problems(page) == []
    fields = page.locator(f"table.stack-on-phone :is({inputs})")
    assert fields.count() >= 1
    for index in range(fields.count()):
        box = fields.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    stacked = page.locator(".table-wrap:has(table.stack-on-phone)")
    assert stacked.count() >= 1
    assert stacked.evaluate_all("all => all.every(e => e.scrollWidth <= e.clientWidth)")
    # the header's second-factor link and log-out button keep their words on one line
    lines = page.locator(".who > a, .who button").evaluate_all(
        """items => items.map(item => {
            const range = document.createRange();
            range.selectNodeContents(item);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        })"""
    )
    assert lines == [1, 1]
    labels = page.locator("table.stack-on-phone td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert '"Thời hạn"' in labels
    if path == "/my-unit/progress":
        assert '"Phần trăm hoàn thành"' in labels and '"Ghi chú"' in labels
        task = db.session.scalar(select(Task).where(Task.code == "T-02"))
        page.locator(f"input[name='percent-{task.id}']").fill("40")
        page.locator(f"input[name='note-{task.id}']").fill("Đã tập huấn xong đợt 1 ở Đà Nẵng")
        page.get_by_role("button", name="Lưu các dòng đã thay đổi").click()
        page.wait_for_load_state()
        db.session.expire_all()
        assert (task.percent_done, task.status) == (40, lifecycle.IN_PROGRESS)


MAIN_PAGES = [
    (None, "/login"),
    (None, "/public/"),
    ("leader", "/my-unit"),
    ("leader", "/reminders"),
    ("leader", "/notifications"),
    ("leader", "/directives"),
    ("supervisor", "/verification"),
    ("supervisor", "/reports/league"),
    ("supervisor", "/reports/closings"),
    ("supervisor", "/exports/verify"),
    ("auditor", "/audit"),
    ("admin", "/admin/units"),
    ("admin", "/admin/import"),
    ("admin", "/admin/recurring"),
    ("admin", "/admin/directives/new"),
    ("admin", "/admin/tasks/new"),
]


@pytest.mark.parametrize(("username", "path"), MAIN_PAGES)
def test_main_pages_pass_the_accessibility_check(browser_page, scene, username, path):
    page = browser_page
    if username:
        log_in(page, username)
    page.goto(path)
    assert page.title().endswith("Directive Tracker")
    screenshot(page, f"page-{username}-{path}")
    assert accessibility_problems(page) == []
    assert labels_run_into_their_boxes(page) == []
    assert placeholders_cut(page) == []


def test_directive_pages_pass_the_accessibility_check(browser_page, scene):
    page, directive_id = browser_page, scene["directive"].id
    log_in(page, "supervisor")
    problems = []
    for path in (
        f"/directives/{directive_id}",
        f"/directives/{directive_id}/timeline",
        f"/reports/directives/{directive_id}",
    ):
        page.goto(path)
        look(page, f"page-directive-{path}", problems)
    assert problems == []


def timeline_words_cut(page) -> list[str]:
    """The timeline's words that do not show whole: past the chart's edge (the class beside
    each bar), or a task's label running into the plot."""
    return page.evaluate(
        """() => [...document.querySelectorAll('svg.gantt')].flatMap(svg => {
            const edge = svg.getBoundingClientRect();
            const plot = Math.min(...[...svg.querySelectorAll('line')]
                .map(l => l.getBoundingClientRect().left));
            return [...svg.querySelectorAll('text')].filter(t => {
                const box = t.getBoundingClientRect();
                const label = t.getAttribute('x') === '14';
                return box.right > edge.right + 1 || (label && box.right > plot);
            }).map(t => t.textContent);
        })"""
    )


def test_the_timeline_shows_each_task_and_its_class_whole_in_vietnamese(
    vietnamese_window, scene, make, today
):
    """The class beside each bar — in Vietnamese up to 45 characters with its unit, as *▲
    Quá hạn chưa hoàn thành, 12 ngày · BCT-KHCN* — and the task's label stay inside the
    chart (the class was cut at the chart's edge, the label ran into the plot)."""
    directive = scene["directive"]
    make.task(
        make.unit("BCT-KHCN", scene["overdue"].lead_unit.parent, name="Vụ Khoa học và Công nghệ"),
        directive,
        code="KH 02",
        title="Tiếp nhận, xử lý phản ánh, kiến nghị của người dân và doanh nghiệp",
        deadline=today - timedelta(days=120),
    )
    page = vietnamese_window(1366)
    log_in(page, "supervisor")
    page.goto(f"/directives/{directive.id}/timeline")
    screenshot(page, "timeline-vi")
    chart = page.locator(".chart-group")
    assert "▲ Quá hạn chưa hoàn thành, 120 ngày · BCT-KHCN" in chart.text_content()
    assert timeline_words_cut(page) == []


def test_the_quick_search_box_finds_a_task_without_diacritics(browser_page, scene, make):
    make.task(
        scene["overdue"].lead_unit,
        scene["directive"],
        code="T-04",
        title="Xây dựng Nghị định về dữ liệu",
    )
    page = browser_page
    log_in(page, "leader")
    page.get_by_role("searchbox", name="Search directives and tasks").fill("nghi dinh du lieu")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.get_by_role("heading", name="Tasks (1)").is_visible()
    look_problems: list[str] = []
    look(page, "search-results", look_problems)
    page.get_by_role("link", name="T-04 Xây dựng Nghị định về dữ liệu").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("T-04")
    assert look_problems == []


def test_a_vietnamese_task_list_shows_every_column_on_a_laptop(vietnamese_page, scene, make, today):
    """The task list at 1280 px in Vietnamese, with the longest labels (a task submitted past
    its deadline: *Đã báo cáo hoàn thành, chờ xác nhận*, *Quá hạn chưa hoàn thành, 12 ngày*)
    and long Vietnamese titles: the table fits its frame, so its last column, the
    timeliness, is in view without scrolling sideways. The filters' boxes are one height,
    so the labels of a row stand level (the search and date boxes drew 4 px taller)."""
    ministry = scene["people"]["supervisor"].unit
    unit = make.unit("VKHCNMLK", ministry, name="Viện Khoa học Công nghệ Mỏ - Luyện kim")
    directive = make.directive("2795/QĐ-BCT", title="Chiến lược phát triển khoa học")
    for n, status in enumerate((lifecycle.SUBMITTED, lifecycle.IN_PROGRESS, lifecycle.NOT_STARTED)):
        make.task(
            unit,
            directive,
            code=f"CL-0{n + 7}/Đ",
            title="Báo cáo chuyển giao công nghệ chế biến khoáng sản và đánh giá hiệu quả ứng dụng",
            deadline=today - timedelta(days=12 - n),
            status=status,
            percent_done=100 if status == lifecycle.SUBMITTED else 20,
        )
    page = vietnamese_page
    log_in(page, "supervisor")
    page.goto("/tasks")
    table = page.locator(".table-wrap", has=page.locator("table.tasks"))
    assert "Đã báo cáo hoàn thành, chờ xác nhận" in table.inner_text()
    screenshot(page, "vietnamese-task-list-laptop")
    width, shown = table.evaluate("frame => [frame.scrollWidth, frame.clientWidth]")
    assert width <= shown, f"the task table is {width} px wide in a frame of {shown}"
    badge = page.locator(".tl-overdue", has_text="Quá hạn chưa hoàn thành, 12 ngày").first
    assert badge.bounding_box()["x"] + badge.bounding_box()["width"] <= 1280
    boxes = page.locator(".filters :is(input:not([type=checkbox]), select)")
    heights = {round(boxes.nth(i).bounding_box()["height"]) for i in range(boxes.count())}
    assert boxes.count() >= 8 and len(heights) == 1, f"the filter boxes are {sorted(heights)} px"


def test_the_dashboards_charts_keep_their_words_readable_on_a_laptop(vietnamese_page, scene):
    """The charts (the four classes, the twelve months) sit in half the dashboard's width:
    drawn wider than that, they were shrunk until their Vietnamese words were under 10
    pixels high."""
    page = vietnamese_page
    log_in(page, "auditor")
    page.goto("/dashboard")
    charts = page.locator("svg.chart")
    assert "Chưa hoàn thành, còn trong hạn" in charts.first.inner_html()
    assert charts.count() == 2
    for chart in charts.all():
        shown, drawn = chart.evaluate(
            "svg => [svg.getBoundingClientRect().width, svg.viewBox.baseVal.width]"
        )
        text_px = 12 * shown / drawn  # the pages' chart text is 12 units high (app.css)
        assert text_px >= 11, f"a chart's words are {text_px:.1f} px high"


def test_a_vietnamese_browser_gets_vietnamese_pages_and_can_switch(vietnamese_page, scene):
    page = vietnamese_page
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_label("Tên đăng nhập").fill("leader")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/my-unit")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Đơn vị tôi")
    assert "▲ Quá hạn chưa hoàn thành, 12 ngày" in page.locator("table.tasks").inner_text()
    problems: list[str] = []
    look(page, "vietnamese-my-unit", problems)

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/my-unit")
    assert page.get_by_role("heading", level=1).inner_text().startswith("My unit")
    page.reload()  # the choice is kept on the account, over the browser's Vietnamese
    assert page.locator("html").get_attribute("lang") == "en"
    assert problems == []


def test_a_destructive_action_asks_first_and_cancelling_changes_nothing(browser_page, scene):
    from tracker.models import CalendarFeed
    from tracker.work import calendar

    calendar.create_feed(scene["people"]["unit_leader"], "mine")
    page, questions = browser_page, []
    log_in(page, "leader")
    page.goto("/reminders")

    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_timeout(300)
    assert questions == ["Revoke this calendar address? Calendars subscribed to it stop updating."]
    db.session.expire_all()
    assert db.session.scalar(select(CalendarFeed.revoked_at)) is None

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="Calendar address revoked").is_visible()
    db.session.expire_all()
    assert db.session.scalar(select(CalendarFeed.revoked_at)) is not None


def test_keyboard_only_a_person_logs_in_and_reaches_a_task(browser_page, scene):
    page = browser_page
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to content"
    assert skip.evaluate("e => e.getBoundingClientRect().left") >= 0  # shown when focused
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    for _ in range(10):  # on to the username field, past the language buttons
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "username":
            break
    page.keyboard.type("leader")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/my-unit")
    task_link = page.get_by_role("link", name="T-01 Issue the decree on the national data centre")
    task_link.focus()
    assert task_link.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url("**/tasks/*")
    assert page.get_by_role("heading", level=1).inner_text().startswith("T-01")


def test_an_admin_finds_a_lead_unit_by_typing_in_vietnamese(
    vietnamese_page, served_app, scene, make, monkeypatch
):
    """At national size (here from 3 units on) the task form's lead unit chooser offers a
    few units and a search box: typing part of a name, without diacritics, puts the units
    found in the list; the one chosen is saved."""
    from tracker.web import unit_choosers

    monkeypatch.setitem(served_app.config, "UNIT_SEARCH_FROM", 3)
    monkeypatch.setattr(unit_choosers, "FOUND_AT_MOST", 2)
    ministry = scene["overdue"].lead_unit.parent
    power = make.unit("Cục ĐTĐL", ministry, name="Cục Điều tiết điện lực")
    make.unit("BTC Vụ NSNN", ministry, name="Vụ Ngân sách nhà nước")
    page = vietnamese_page
    log_in(page, "admin")
    page.goto(f"/admin/tasks/{scene['overdue'].id}/edit")
    lead = page.get_by_label("Đơn vị chủ trì", exact=True)
    assert "Cục ĐTĐL" not in lead.inner_text()
    assert page.get_by_role("button", name="Tìm", exact=True).count() == 0  # scripts find
    search = page.get_by_role("searchbox", name="Tìm đơn vị theo mã hoặc tên").first
    search.fill("dieu tiet dien")
    search.press("Enter")  # in the search box: nothing is posted
    found = "· Cục ĐTĐL — Cục Điều tiết điện lực"
    page.wait_for_function(
        "([id, label]) => [...document.getElementById(id).options].some(o => o.text === label)",
        arg=[lead.get_attribute("id"), found],
    )
    assert page.get_by_text("Tìm thấy 1 đơn vị").first.is_visible()
    problems: list[str] = []
    look(page, "admin-unit-search", problems)
    lead.select_option(label=found)
    page.get_by_role("button", name="Lưu nhiệm vụ").click()
    page.wait_for_url(f"**/tasks/{scene['overdue'].id}")
    db.session.expire_all()
    assert db.session.get(Task, scene["overdue"].id).lead_unit_id == power.id
    assert problems == []


def test_a_vietnamese_supervisor_types_a_decimal_comma_and_it_is_kept(
    vietnamese_page, scene, today
):
    """A measured value typed with the Vietnamese decimal comma reaches the server as typed
    (Chromium's number box dropped the comma: 45,5 was saved as 455)."""
    from decimal import Decimal

    from tracker.models import TargetValue
    from tracker.org import directives

    target = directives.add_target(
        scene["directive"],
        {"code": "MT 1", "title": "Tỷ lệ hồ sơ xử lý trực tuyến", "unit_of_measure": "%"},
    )
    db.session.commit()
    page = vietnamese_page
    log_in(page, "supervisor")
    page.goto(f"/targets/{target.id}")
    form = page.locator("main form:has(input[name=value])")
    form.locator("input[name=recorded_on]").fill(today.strftime("%d/%m/%Y"))
    form.locator("input[name=value]").press_sequentially("45,5")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert db.session.scalar(select(TargetValue.value)) == Decimal("45.5")
    assert "45,5 %" in page.locator("main table").inner_text()


def test_an_admin_chooses_a_lead_unit_and_then_one_of_its_people_as_owner(
    vietnamese_page, scene, make
):
    """A new task's choosers follow what is chosen above them: the owner the lead unit (its
    people are offered at once; before, the admin had to save the task and edit it again),
    the target the directive. What is chosen is saved."""
    from tracker.models import Task
    from tracker.org.directives import add_target

    plan = make.directive("01-KH/BCĐTW", title="Kế hoạch triển khai")
    target = add_target(plan, {"code": "MT 2", "title": "Dữ liệu số quốc gia"})
    db.session.commit()

    department = scene["overdue"].lead_unit
    institute = make.unit("Viện Đường sắt", department, name="Viện Nghiên cứu Đường sắt")
    uong = make.user("officer", institute, username="le.minh.uong", name="Lê Minh Ưng")
    page = vietnamese_page
    log_in(page, "admin")
    page.goto(f"/admin/tasks/new?directive={scene['directive'].id}")
    owners = page.get_by_label("Người phụ trách", exact=True)
    assert "Lê Minh Ưng" not in owners.inner_text()
    page.get_by_label("Văn bản", exact=True).select_option(str(plan.id))
    targets = page.get_by_label("Mục tiêu", exact=True)
    page.wait_for_function(
        "id => [...document.getElementById(id).options].some(o => o.text.startsWith('MT 2'))",
        arg=targets.get_attribute("id"),
    )
    targets.select_option(label="MT 2 — Dữ liệu số quốc gia")
    page.get_by_label("Mã", exact=True).fill("NV 07/Đ")
    page.get_by_label("Tên", exact=True).fill("Khảo sát tuyến đường sắt đô thị")
    page.get_by_label("Đơn vị chủ trì", exact=True).select_option(
        label="· · Viện Đường sắt — Viện Nghiên cứu Đường sắt"
    )
    page.wait_for_function(
        "id => [...document.getElementById(id).options].some(o => o.text.startsWith('Lê'))",
        arg=owners.get_attribute("id"),
    )
    assert owners.locator("option").all_inner_texts() == [
        "— chưa giao ai —",
        "Lê Minh Ưng (le.minh.uong)",
    ]
    owners.select_option(label="Lê Minh Ưng (le.minh.uong)")
    page.get_by_label("Thời hạn", exact=True).fill("31/03/2027")
    page.get_by_role("button", name="Lưu nhiệm vụ").click()
    page.wait_for_url("**/tasks/*")
    db.session.expire_all()
    saved = db.session.scalar(select(Task).where(Task.code == "NV 07/Đ"))
    assert (saved.directive_id, saved.target_id) == (plan.id, target.id)
    assert (saved.lead_unit_id, saved.owner_id) == (institute.id, uong.id)


def test_a_vietnamese_supervisor_closes_a_period_and_lands_on_the_closed_report(
    vietnamese_page, scene, today
):
    """A close runs in the background (a thread of the server here, as `make run` runs it):
    the button leads to the close's page, whose script follows the job and, once it is
    done, reloads onto the closed report with its message."""
    page, problems = vietnamese_page, []
    log_in(page, "supervisor")
    start, end = today - timedelta(days=60), today - timedelta(days=1)
    page.goto(f"/reports/period?from={start:%Y-%m-%d}&to={end:%Y-%m-%d}&directive=57-NQ/TW")
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Chốt kỳ này").click()
    page.wait_for_url("**/reports/closings/*", timeout=30_000)
    assert questions == ["Chốt kỳ này? Số liệu sẽ được giữ nguyên vĩnh viễn."]
    said = page.get_by_role("status").filter(has_text="số liệu được giữ nguyên")
    assert said.inner_text().startswith(f"Đã chốt kỳ {start:%d/%m/%Y}–{end:%d/%m/%Y}")
    assert said.inner_text().endswith("(3 nhiệm vụ).")  # every task of the directive
    look(page, "vietnamese-closed-period", problems)
    page.goto("/jobs")
    assert "Chốt kỳ: " in page.locator("table").inner_text()
    assert problems == []


def test_a_close_waiting_for_a_worker_shows_its_page_in_vietnamese(
    vietnamese_page, scene, today, monkeypatch
):
    """While no worker has taken the close, its page says what is happening and that one
    may leave; it passes the accessibility check, and the period report then says the close
    is on its way instead of offering the button again."""
    from tracker.jobs import queue

    monkeypatch.setattr(queue, "submit", lambda job_id: None)
    page, problems = vietnamese_page, []
    log_in(page, "supervisor")
    start, end = today - timedelta(days=60), today - timedelta(days=1)
    report = f"/reports/period?from={start:%Y-%m-%d}&to={end:%Y-%m-%d}&directive=57-NQ/TW"
    page.goto(report)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Chốt kỳ này").click()
    page.wait_for_url("**/jobs/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Chốt kỳ"
    assert page.get_by_role("status").inner_text() == "Đang chờ đến lượt xử lý…"
    assert (
        "Bạn có thể rời trang này: kỳ được chốt ở chế độ nền" in page.locator("main").inner_text()
    )
    look(page, "vietnamese-close-waiting", problems)
    page.goto(report)
    said = page.get_by_role("status").filter(has_text="Kỳ này đang được chốt cho phạm vi này")
    assert "theo yêu cầu của Trần Bình" in said.inner_text()
    assert page.get_by_role("button", name="Chốt kỳ này").count() == 0
    assert problems == []
