"""Supervisor's overdue board, directive progress as of a date, and the CSV export."""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from flask import url_for

from tracker.domain import lifecycle
from tracker.domain.timeliness import TIMELINESS_ORDER, TimelinessCounts
from tracker.web.templating import count_cells, task_list_urls

from ..conftest import login

DAY = timedelta(days=1)


@pytest.fixture
def scene(make, org, today):
    """Tasks in every class across two units of one ministry and one outside it."""
    directive = make.directive("57-NQ/TW")
    plan = make.directive("01-KH/BCĐTW", kind="plan")
    dep, ins, oth = org["department"], org["institute"], org["other"]
    make.task(
        dep,
        directive,
        code="D-ontime",
        deadline=today - 9 * DAY,
        status=lifecycle.COMPLETED,
        completed_on=today - 10 * DAY,
    )
    make.task(
        dep,
        directive,
        code="D-late",
        deadline=today - 9 * DAY,
        status=lifecycle.COMPLETED,
        completed_on=today - 2 * DAY,
    )
    make.task(dep, plan, code="D-over", deadline=today - 4 * DAY, is_key=True)
    make.task(ins, directive, code="I-over", deadline=today - 2 * DAY, status=lifecycle.SUBMITTED)
    make.task(ins, directive, code="I-within", deadline=today + 20 * DAY)
    make.task(ins, plan, code="I-cancel", deadline=today - 20 * DAY, status=lifecycle.CANCELLED)
    make.task(oth, directive, code="O-over", deadline=today - 30 * DAY)
    return {"directive": directive, "plan": plan}


def row_cells(html: str, heading: str) -> list[str]:
    """The numbers in the table row whose header starts with `heading`."""
    match = re.search(rf"<th scope=\"row\">(?:<a [^>]*>)?{re.escape(heading)}.*?</tr>", html, re.S)
    assert match, heading
    return re.findall(r'aria-label="(\d+) ', match.group(0))


def test_board_counts_per_unit_and_directive_in_the_subtree(client, make, org, scene):
    supervisor = make.user("supervisor", org["ministry"])
    login(client, supervisor)
    page = client.get("/board")
    assert page.status_code == 200
    assert row_cells(page.text, "DEP") == ["1", "1", "0", "1"]
    assert row_cells(page.text, "INS") == ["0", "0", "1", "1"]
    assert "OTH" not in page.text  # outside the supervisor's subtree
    assert row_cells(page.text, "57-NQ/TW") == ["1", "1", "1", "1"]
    assert "O-over" not in page.text
    # overdue list with days overdue
    assert re.search(r"D-over</strong>.*?<strong>4</strong>", page.text, re.S)
    assert re.search(r"I-over</strong>.*?<strong>2</strong>", page.text, re.S)


def test_board_filters_by_directive_unit_and_key(client, make, org, scene):
    login(client, make.user("supervisor", org["ministry"]))
    by_directive = client.get("/board?directive=01-KH/BCĐTW")
    assert "D-over" in by_directive.text and "I-over" not in by_directive.text
    by_unit = client.get("/board?scope=INS")
    assert "I-over" in by_unit.text and "D-over" not in by_unit.text
    key_only = client.get("/board?key=1")
    assert "D-over" in key_only.text and "I-over" not in key_only.text
    assert client.get("/board?scope=OTH").status_code == 403


def test_every_count_links_to_the_tasks_it_counts(client, make, org, scene):
    login(client, make.user("supervisor", org["ministry"]))
    page = client.get("/board")
    links = re.findall(r'<a href="(/tasks\?[^"]+)" aria-label="(\d+) ', page.text)
    assert links
    for href, count in links:
        listing = client.get(href.replace("&amp;", "&") + "&per_page=200")
        assert listing.status_code == 200
        rows = listing.text.count('<a href="/tasks/')
        assert rows == int(count), href


def test_directive_progress_as_of_a_report_date(client, make, org, scene, today):
    login(client, make.user("auditor", org["other"]))
    directive = scene["directive"]
    page = client.get(f"/reports/directives/{directive.id}")
    assert page.status_code == 200
    assert row_cells(page.text, "DEP") == ["1", "1", "0", "0"]
    assert row_cells(page.text, "Total") == ["1", "1", "1", "2"]
    # shares over the 4 tasks that have come due: 25% on time, 50% overdue
    assert "25.0%" in page.text and "50.0%" in page.text
    # five days ago: D-late was not yet complete and I-over not yet overdue
    earlier = (today - 5 * DAY).isoformat()
    page = client.get(f"/reports/directives/{directive.id}?as_of={earlier}")
    assert row_cells(page.text, "DEP") == ["1", "0", "0", "1"]
    assert row_cells(page.text, "INS") == ["0", "0", "2", "0"]


def test_csv_export_is_safe_and_matches_the_filters(client, make, org, scene, today):
    make.task(
        org["institute"],
        scene["directive"],
        code="X-1",
        title='=HYPERLINK("http://evil.example","click"), "quoted"',
    )
    login(client, make.user("auditor", org["other"]))
    response = client.get("/reports/tasks.csv?directive=57-NQ/TW")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith("\ufeff".encode())
    assert b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["directive", "task_code", "title"]
    assert {row[1] for row in body} == {"D-ontime", "D-late", "I-over", "I-within", "O-over", "X-1"}
    evil = next(row for row in body if row[1] == "X-1")
    assert evil[2] == '\'=HYPERLINK("http://evil.example","click"), "quoted"'
    overdue = next(row for row in body if row[1] == "O-over")
    assert overdue[header.index("timeliness")] == "Not completed, overdue"
    assert overdue[header.index("days_overdue")] == "30"
    assert overdue[header.index("report_date")] == today.isoformat()


def test_csv_neutralises_every_formula_trigger():
    from tracker.reporting.exports import neutralise

    for trigger in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(trigger + "1+1") == "'" + trigger + "1+1"
    assert neutralise("Nghị quyết 57") == "Nghị quyết 57"
    assert neutralise(42) == "42"


def test_unit_leader_has_no_board_or_export(client, make, org, scene):
    login(client, make.user("unit_leader", org["institute"]))
    assert client.get("/board").status_code == 403
    assert client.get("/reports/tasks.csv").status_code == 403
    assert client.get(f"/reports/directives/{scene['directive'].id}").status_code == 403


def test_board_pages_the_unit_table(client, make, org):
    directive = make.directive()
    for n in range(55):
        make.task(make.unit(f"SUB{n:02d}", org["department"]), directive)
    login(client, make.user("supervisor", org["ministry"]))
    first = client.get("/board")
    assert "Pages of units" in first.text
    rows = re.compile(r'<th scope="row">(SUB\d+)')
    assert rows.findall(first.text) == [f"SUB{n:02d}" for n in range(50)]
    second = client.get("/board?units_page=2")
    assert rows.findall(second.text) == [f"SUB{n:02d}" for n in range(50, 55)]


def test_the_unit_choosers_open_the_tree_a_level_at_a_time(client, make, org):
    """Board, period report, league table and task list: the reader's top unit and the units
    right under it; once a unit is chosen, its line up to the top and the units under it,
    indented and named, the chosen one selected. Never a unit outside the reader's scope."""
    office = make.unit("P.KH&ĐT", org["department"], name='Phòng Kế hoạch & "Đầu tư"')
    make.unit("TỔ 1", office, name="Tổ công tác số 1")
    login(client, make.user("supervisor", org["ministry"]))

    def offered(path: str, argument: str, chosen: str | None) -> dict[str, tuple[str, str]]:
        page = client.get(path, query_string={argument: chosen} if chosen else {})
        assert page.status_code == 200, path
        chooser = re.search(rf'<select [^>]*name="{argument}">(.*?)</select>', page.text, re.S)
        assert chooser, path
        options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', chooser[1])
        return {value: (selected, label) for value, selected, label in options if value}

    for path, argument in [
        ("/board", "scope"),
        ("/reports/period", "scope"),
        ("/reports/league", "scope"),
        ("/tasks", "unit"),
    ]:
        assert list(offered(path, argument, None)) == ["MIN", "DEP"], path  # top, level under
        units = offered(path, argument, office.code)
        assert units["P.KH&amp;ĐT"] == (
            " selected",
            "· · P.KH&amp;ĐT — Phòng Kế hoạch &amp; &#34;Đầu tư&#34;",
        ), path
        assert units["TỔ 1"][1] == "· · · TỔ 1 — Tổ công tác số 1", path
        assert {"MIN", "DEP"} <= set(units) and {"INS", "OTH"}.isdisjoint(units), path


def test_each_count_opens_the_list_of_those_tasks(client, app, make, org, scene):
    """A count on the board links to the task list narrowed the same way, which holds that
    many tasks; the links are the addresses url_for gives, whatever the codes spell."""
    login(client, make.user("supervisor", org["ministry"]))
    page = client.get("/board").text
    cells = re.findall(r'<td class="num"><a href="([^"]+)" aria-label="(\d+) ', page)
    assert len(cells) == 4 * 4  # two units and two directives, four classes each
    for address, count in cells:
        listed = client.get(html.unescape(address)).text
        assert (f"{count} in all" in listed) == (count != "0"), address
    hostile = {"unit": "timeliness=CLASS", "directive": "01-KH/BCĐTW ư&ơ", "key": "1"}
    with app.test_request_context("/board"):
        assert task_list_urls(hostile) == {
            t.value: url_for("tasks.index", timeliness=t.value, **hostile) for t in TIMELINESS_ORDER
        }


def test_a_row_of_counts_shows_each_class_with_its_share_of_the_tasks_come_due(app):
    """Each cell: the figure in the page's language, linked and named for a screen reader,
    and, once tasks have come due, the share of them in that class (not for within deadline)."""
    labels = {t.value: f"{t.value} <&>" for t in TIMELINESS_ORDER}
    counts = TimelinessCounts(
        completed_on_time=3, completed_late=1, within_deadline=2_000, overdue=4
    )
    with app.test_request_context("/board", headers={"Accept-Language": "vi"}):
        row = str(count_cells(labels, counts, {"unit": "Sở Tư pháp Đ"}))
        nothing_due = str(count_cells(labels, TimelinessCounts(within_deadline=2), {}))
    cells = re.findall(
        r'<td class="num"><a href="([^"]+)" aria-label="([^"]+)">([^<]+)</a>(.*?)</td>', row
    )
    assert [(label, figure, share) for _, label, figure, share in cells] == [
        ("3 completed_on_time &lt;&amp;&gt;", "3", ' <small class="muted">37,5%</small>'),
        ("1 completed_late &lt;&amp;&gt;", "1", ' <small class="muted">12,5%</small>'),
        ("2.000 within_deadline &lt;&amp;&gt;", "2.000", ""),
        ("4 overdue &lt;&amp;&gt;", "4", ' <small class="muted">50,0%</small>'),
    ]
    assert "timeliness=overdue" in cells[3][0] and "unit=S%E1%BB%9F+T%C6%B0" in cells[3][0]
    assert "&amp;" in cells[3][0] and "muted" not in nothing_due


def test_every_directive_chooser_offers_the_directives_with_the_chosen_one_selected(
    client, make, org, scene
):
    """The directive filter of the board, dashboard, period report, league table and task
    list: every directive in code order, escaped, the one chosen selected."""
    make.directive('12/KH-UBND&"BCĐ"', kind="plan")
    login(client, make.user("supervisor", org["ministry"]))
    chosen = "01-KH/BCĐTW"
    for path in ("/board", "/dashboard", "/reports/period", "/reports/league", "/tasks"):
        page = client.get(path, query_string={"directive": chosen}).text
        options = re.findall(r'<option value="([^"]*)" (selected)?>([^<]*)</option>', page)
        offered = [(value, flag) for value, flag, text in options if value == text and "/" in value]
        assert offered == [
            (chosen, "selected"),
            ("12/KH-UBND&amp;&#34;BCĐ&#34;", ""),
            ("57-NQ/TW", ""),
        ], path
