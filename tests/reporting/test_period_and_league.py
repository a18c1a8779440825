"""Period reports and the league table, checked against figures worked out by hand from the
dated 2025 history (tests/histories.py)."""

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tracker.domain import periods
from tracker.domain.periods import PeriodError, parse_period
from tracker.extensions import db
from tracker.infra import clock
from tracker.models import PeriodClosing, StatusUpdate, Task
from tracker.org import lookups
from tracker.seed import demo

from ..conftest import login


def cells(html: str, heading: str) -> list[str]:
    """The cells after the row header `heading` in the first table row that has it."""
    match = re.search(rf'<th scope="row">{re.escape(heading)}\b.*?</tr>', html, re.S)
    assert match, heading
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(0), re.S)
    ]


@pytest.mark.parametrize(
    "text, first, last",
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-02", date(2025, 2, 1), date(2025, 2, 28)),
        ("2025-q3", date(2025, 7, 1), date(2025, 9, 30)),
        ("2025-H2", date(2025, 7, 1), date(2025, 12, 31)),
        ("2025-6M", date(2025, 1, 1), date(2025, 6, 30)),
        ("2025-9M", date(2025, 1, 1), date(2025, 9, 30)),
    ],
)
def test_periods_are_read_as_written(text, first, last):
    assert parse_period(text) == (first, last)


@pytest.mark.parametrize("text", ["", "25", "2025-13", "2025-Q5", "2025-8M", "last year"])
def test_an_unreadable_period_says_how_to_write_one(text):
    with pytest.raises(PeriodError, match="2025-Q3"):
        parse_period(text)


def test_period_names():
    assert periods.describe(date(2025, 1, 1), date(2025, 9, 30)) == "first nine months of 2025"
    assert periods.describe(date(2025, 7, 1), date(2025, 9, 30)) == "Q3 2025"
    assert periods.describe(date(2025, 7, 3), date(2025, 9, 30)) == "03/07/2025–30/09/2025"


# Lead unit DEP, by hand from the history. Q3 2025: A, B, D, E, F assigned on 1/7; B, D, E, F
# fall due; D completed on time; at 30/9 A is within its extended deadline, B, E, F overdue.
Q3 = ["5", "4", "1", "0", "1", "3", "25.0%", "25.0%", "75.0%"]
# Q4 2025: C assigned 5/10; A (15/10), C (31/12) and F (moved to 30/11) fall due; A completed
# 10/10 on time; E cancelled; at 31/12 C is due that day (within), B and F overdue.
Q4 = ["1", "3", "1", "0", "1", "2", "33.3%", "33.3%", "33.3%"]


@pytest.mark.parametrize("period, expected", [("2025-Q3", Q3), ("2025-Q4", Q4)])
def test_period_report_figures(auditor, period, expected):
    page = auditor.get(f"/reports/period?period={period}&directive=57-NQ/TW")
    assert page.status_code == 200
    assert cells(page.text, "DEP")[1:] == expected


def test_period_by_dates_equals_the_named_period(auditor):
    named = auditor.get("/reports/period?period=2025-Q3").text
    dated = auditor.get("/reports/period?from=2025-07-01&to=2025-09-30").text
    assert cells(named, "DEP") == cells(dated, "DEP")
    assert "Period report, Q3 2025" in dated


def test_period_report_by_directive(auditor):
    page = auditor.get("/reports/period?period=2025-Q3&group=directive")
    assert cells(page.text, "57-NQ/TW")[1:] == Q3


@pytest.mark.parametrize(
    "query, message",
    [
        ("period=2025-Q7", "is not a period"),
        ("from=2025-09-30&to=2025-07-01", "ends before it starts"),
        ("from=2025-07-01", "Give both from and to"),
        ("period=2025&group=owner", "Group by unit or directive"),
    ],
)
def test_bad_period_arguments_are_explained(auditor, query, message):
    page = auditor.get(f"/reports/period?{query}")
    assert page.status_code == 422
    assert message in page.text


def test_officers_have_no_period_report(client, make, org, history):
    from ..conftest import login

    login(client, make.user("officer", org["department"]))
    assert client.get("/reports/period").status_code == 403
    assert client.get("/reports/league").status_code == 403


# League on 30/9/2025 for DEP: D on time; A within; B, E, F overdue (5, 1 and 25 days);
# one extension granted (A, 15/9).
def test_league_table_row(auditor):
    page = auditor.get("/reports/league?as_of=2025-09-30&directive=57-NQ/TW")
    assert page.status_code == 200
    assert cells(page.text, "DEP") == ["1", "0", "1", "3", "25.0%", "75.0%", "10.3", "1"]
    # In Vietnamese every figure has the decimal comma, the average days overdue too.
    page = auditor.get(
        "/reports/league?as_of=2025-09-30&directive=57-NQ/TW", headers={"Accept-Language": "vi"}
    )
    assert cells(page.text, "DEP") == ["1", "0", "1", "3", "25,0%", "75,0%", "10,3", "1"]


def test_league_table_adds_up_sub_units(auditor, make, org):
    institute_task = make.task(
        org["institute"], code="I1", deadline=date(2025, 9, 20), title="Institute report"
    )
    assert institute_task.lead_unit.code == "INS"
    own = auditor.get("/reports/league?as_of=2025-09-30").text
    assert cells(own, "INS")[:4] == ["0", "0", "0", "1"]
    assert cells(own, "DEP")[:4] == ["1", "0", "1", "3"]
    assert 'scope="row">MIN' not in own  # the ministry leads no task itself
    rolled = auditor.get("/reports/league?as_of=2025-09-30&subtree=1").text
    assert cells(rolled, "DEP")[:4] == ["1", "0", "1", "4"]
    assert cells(rolled, "MIN")[:4] == ["1", "0", "1", "4"]
    # Average days overdue over B (5), E (1), F (25) and I1 (10).
    assert cells(rolled, "MIN")[6] == "10.2"


def test_a_national_league_reads_its_units_labels_in_one_pass_with_the_same_rows(
    auditor, make, org, monkeypatch
):
    """From lookups.WHOLE_TABLE_FROM units on (a national tree), the league reads every
    unit's label in one pass instead of one index probe per unit: the same page either way,
    each row labelled with its own unit."""
    make.task(org["institute"], code="VT-Đ/01", deadline=date(2025, 9, 20))
    url = "/reports/league?as_of=2025-09-30&subtree=1"
    probed = auditor.get(url).text
    monkeypatch.setattr(lookups, "WHOLE_TABLE_FROM", 1)
    in_one_pass = auditor.get(url).text
    assert cells(in_one_pass, "INS")[:4] == ["0", "0", "0", "1"]
    assert cells(in_one_pass, "MIN")[:4] == ["1", "0", "1", "4"]
    assert without_csrf_tokens(in_one_pass) == without_csrf_tokens(probed)


def without_csrf_tokens(html: str) -> str:
    """A page without its forms' CSRF tokens, which carry the second they were signed in: two
    requests a second apart differ there alone."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


def test_league_table_sorts_by_the_chosen_column(auditor, make, org):
    make.task(org["institute"], code="I1", deadline=date(2025, 9, 20))
    make.task(org["other"], code="O1", deadline=date(2025, 12, 20))
    order = lambda html: re.findall(r'<th scope="row">(\w+) <small', html)  # noqa: E731
    worst_first = auditor.get("/reports/league?as_of=2025-09-30&sort=overdue_rate").text
    assert order(worst_first) == ["INS", "DEP", "OTH"]
    by_name = auditor.get("/reports/league?as_of=2025-09-30&sort=unit&dir=asc").text
    assert order(by_name) == ["DEP", "INS", "OTH"]  # tree order


def test_league_table_key_tasks_only(auditor, make, org):
    make.task(org["institute"], code="K1", deadline=date(2025, 9, 20), is_key=True)
    page = auditor.get("/reports/league?as_of=2025-09-30&key=1").text
    assert cells(page, "INS")[:4] == ["0", "0", "0", "1"]
    assert 'scope="row">DEP' not in page


def test_league_table_refuses_an_unknown_sort(auditor):
    page = auditor.get("/reports/league?sort=salary")
    assert page.status_code == 422
    assert "Sort by one of" in page.text


@pytest.mark.now("2026-12-02T09:00:00+07:00")
def test_a_period_not_over_is_reported_as_of_today(client, make, org):
    """On 2 December the fourth quarter is not over: a task due on 20 December is within
    deadline, not overdue at the end, and the page and every file say so."""
    directive = make.directive("57-NQ/TW")
    department = org["department"]
    make.task(department, directive, code="QUÁ HẠN", deadline=date(2026, 11, 20))
    make.task(department, directive, code="CÒN HẠN", deadline=date(2026, 12, 20))
    make.task(department, directive, code="SAU KỲ", deadline=date(2027, 2, 1))
    supervisor = make.user("supervisor", org["ministry"])
    login(client, supervisor)

    page = client.get("/reports/period?period=2026-Q4").text
    assert "Period not over: figures as of 02/12/2026" in page
    # assigned (factory tasks were recorded long ago), due by today, on time, late, within and
    # overdue at the end
    assert cells(page, "DEP")[1:7] == ["0", "1", "0", "0", "2", "1"]
    assert cells(page, "DEP")[9] == "100.0%"  # overdue rate: 1 of the 1 task come due
    assert "Close this period" not in page

    csv_text = client.get("/reports/period.csv?period=2026-Q4").data.decode("utf-8-sig")
    assert "Period not over: figures as of 02/12/2026" in csv_text
    book = load_workbook(
        BytesIO(client.get("/reports/period.xlsx?period=2026-Q4", follow_redirects=True).data)
    )
    summary = [
        " ".join(str(c) for c in row if c) for row in book["Summary"].iter_rows(values_only=True)
    ]
    assert "Note Period not over: figures as of 02/12/2026" in summary
    from .test_report_files import pdf_text  # that module imports this one

    pdf = pdf_text(client.get("/reports/period.pdf?period=2026-Q4", follow_redirects=True).data)
    assert "Period not over: figures as of 02/12/2026" in pdf

    refused = client.post(
        "/reports/period/close",
        data={"from": "2026-10-01", "to": "2026-12-31"},
        follow_redirects=True,
    )
    assert "The period ends on 31/12/2026: close it once that day is over." in refused.text
    assert db.session.scalar(select(func.count(PeriodClosing.id))) == 0

    vietnamese = make.user("supervisor", org["ministry"], language="vi")
    login(client, vietnamese)
    page = client.get("/reports/period?period=2026-Q4").text
    assert "Kỳ báo cáo chưa kết thúc: số liệu tính đến ngày 02/12/2026" in page


def test_a_task_is_first_recorded_at_its_first_history_entry():
    """Period reports count the tasks new in a period by their created_at: the demo writes
    each task's history with past dates, and every task's created_at is its first entry's
    (or, for a task written today, the moment just before it in the same transaction)."""
    demo.load_demo()
    first = (
        select(StatusUpdate.task_id, func.min(StatusUpdate.created_at).label("first_at"))
        .group_by(StatusUpdate.task_id)
        .subquery()
    )
    pairs = db.session.execute(
        select(Task.created_at, first.c.first_at).join(first, first.c.task_id == Task.id)
    ).all()
    assert len(pairs) > 20
    wrong = [
        (created, at)
        for created, at in pairs
        if not timedelta(0) <= clock.aware(at) - clock.aware(created) < timedelta(seconds=1)
    ]
    assert not wrong, wrong[:3]
