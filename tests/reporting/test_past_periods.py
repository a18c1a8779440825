"""The period report of a period that is over reads the figures the scheduler stored
(models/past_period.py), and they equal the figures counted from the history: for every
reader and narrowing the stored rows can answer, per lead unit and per directive. A lead unit
changed, or history written with a past date, forgets the periods it may change, and the
report stays right."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker.domain import periods
from tracker.extensions import db
from tracker.infra import clock
from tracker.jobs import daily
from tracker.models import PastPeriodFigures, Task
from tracker.reporting import period_reports, task_queries
from tracker.reporting.period_reports import PeriodFigures
from tracker.reporting.task_queries import TaskFilters

from ..conftest import login
from ..histories import generated_country

DAY = timedelta(days=1)


def _figures(readers, narrowings, periods, today):
    """Every report's figures: reader × narrowing × period × grouping (unit, directive)."""
    return [
        period_reports.period_figures(
            reader,
            task_queries.counted_scope(reader, TaskFilters(report_date=today, **narrowing)),
            start,
            end,
            column,
            today,
        )
        for reader in readers
        for narrowing in narrowings
        for start, end in periods
        for column in (Task.lead_unit_id, Task.directive_id)
    ]


@pytest.fixture
def national(make):
    """Generated data (every class of task, history over the past year), its readers and the
    narrowings a supervisor and an auditor choose."""
    country = generated_country(make, seed=37)
    narrowings = [
        {},
        {"key": True},
        {"directive": country.directive.code},
        {"scope": country.ministry.code},
    ]
    return country, narrowings


def test_stored_periods_agree_with_the_history_and_are_forgotten_when_they_may_change(
    make, national, monkeypatch
):
    country, narrowings = national
    root, readers = country.root, [country.auditor, country.supervisor]
    today = clock.today()
    standard = period_reports.standard_periods(today)
    assert standard and all(end < today for _, end in standard)
    assert daily.keep_counts().endswith(f", {len(standard)} past periods stored")
    assert period_reports.periods_not_stored(standard) == []
    # A quarter, a month and a year over by today, and a range nobody stores.
    last_quarter = max(p for p in standard if (p[1] - p[0]).days in range(89, 93))
    last_month = max(p for p in standard if (p[1] - p[0]).days < 31)
    last_year = max(p for p in standard if (p[1] - p[0]).days >= 364)
    periods = [last_quarter, last_month, last_year, (today - 100 * DAY, today - 20 * DAY)]

    reads = []
    real = period_reports.stored_figures
    monkeypatch.setattr(
        period_reports, "stored_figures", lambda *a: reads.append(real(*a)) or reads[-1]
    )
    stored = _figures(readers, narrowings, periods, today)
    # The stored rows answered each of the three standard periods wherever they can narrow
    # to the selection: the auditor per unit and per directive for the whole tree and its
    # key tasks, per directive for a directive, per unit for a ministry (6); the supervisor,
    # whose reports are within their ministry, per unit for it and its key tasks and for the
    # ministry chosen (3). A directive within units, and the free range, were counted.
    answered = [found is not None for found in reads]
    assert answered.count(True) == (6 + 3) * 3
    assert len(answered) == len(readers) * len(narrowings) * len(periods) * 2
    monkeypatch.setattr(period_reports, "stored_figures", lambda *a: None)
    counted = _figures(readers, narrowings, periods, today)
    assert stored == counted
    assert any(f.due and f.overdue and f.completed_on_time for r in counted for f in r.values())

    # An administrator moves a task to another unit: every stored period is forgotten.
    monkeypatch.undo()
    country.move_an_overdue_task(make.user("admin", root, username="quản trị viên Hà"))
    assert period_reports.periods_not_stored(standard) == standard
    after_move = _figures(readers, narrowings, periods, today)
    daily.keep_counts()
    assert _figures(readers, narrowings, periods, today) == after_move

    # History written with a past date forgets the periods ending on or after its day only.
    country.back_date_first_entry(70)
    forgotten = period_reports.periods_not_stored(standard)
    moment_day = (clock.now() - 70 * DAY).date()
    assert forgotten == [p for p in standard if p[1] >= moment_day - DAY]
    assert forgotten != standard
    after_entry = _figures(readers, narrowings, periods, today)
    daily.keep_counts()
    assert _figures(readers, narrowings, periods, today) == after_entry


def test_only_a_period_that_is_over_is_stored_and_original_deadlines_are_counted(
    make, national, monkeypatch
):
    country, _ = national
    readers = [country.auditor, country.supervisor]
    today = clock.today()
    with pytest.raises(ValueError):
        period_reports.store(today - 10 * DAY, today, today)
    start, end = period_reports.standard_periods(today)[-1]
    period_reports.store(start, end, today)
    db.session.commit()
    marked = db.session.scalars(
        select(PastPeriodFigures).where(PastPeriodFigures.kind == "*")
    ).all()
    assert [(row.period_start, row.period_end) for row in marked] == [(start, end)]
    # The ALL row holds the period's totals, as the whole tree's report counts them.
    auditor = readers[0]
    whole = period_reports.period_figures(
        auditor, TaskFilters(report_date=today), start, end, Task.lead_unit_id, today
    )
    total = period_reports.PeriodFigures.sum_of(whole.values())
    assert total.assigned == marked[0].assigned and total.due == marked[0].due
    # Stored rows answer the current deadline; against original deadlines they cannot.
    counts = []
    real_counted = period_reports.counted_figures
    monkeypatch.setattr(
        period_reports, "counted_figures", lambda *a: counts.append(a) or real_counted(*a)
    )
    current = TaskFilters(report_date=today)
    period_reports.period_figures(auditor, current, start, end, Task.lead_unit_id, today)
    assert counts == []
    original = TaskFilters(report_date=today, deadline_basis="original")
    period_reports.period_figures(auditor, original, start, end, Task.lead_unit_id, today)
    assert len(counts) == 1


def test_a_stored_quarter_downloads_the_same_file_as_counted(client, national, monkeypatch):
    """Through the web: a past quarter's period report as CSV is the same file whether the
    figures come from the stored rows or from the history."""
    country, _ = national
    readers = [country.auditor, country.supervisor]
    today = clock.today()
    daily.keep_counts()
    start, _ = max(
        p for p in period_reports.standard_periods(today) if (p[1] - p[0]).days in range(89, 93)
    )
    quarter = f"/reports/period.csv?period={start.year}-Q{(start.month - 1) // 3 + 1}"
    login(client, readers[0])
    with client.get(quarter, follow_redirects=True) as response:  # streamed: read whole
        assert response.status_code == 200
        stored = response.get_data(as_text=True)
    monkeypatch.setattr(period_reports, "stored_figures", lambda *a: None)
    with client.get(quarter, follow_redirects=True) as response:
        counted = response.get_data(as_text=True)
    assert stored == counted
    assert len(stored.splitlines()) > 3


def test_the_period_page_shows_the_units_a_page_at_a_time(client, national, monkeypatch):
    """A national period report lists thousands of units: the page shows them a page at a
    time (the files hold them all), with the total over every unit on each page."""
    from tracker.web.reports import routes

    country, _ = national
    readers = [country.auditor, country.supervisor]
    monkeypatch.setattr(routes, "ROWS_PER_PAGE", 5)
    login(client, readers[0])
    year = clock.today().year - 1
    first = client.get(f"/reports/period?period={year}").get_data(as_text=True)
    second = client.get(f"/reports/period?period={year}&page=2").get_data(as_text=True)
    row = '<tr><th scope="row">'
    assert first.count(row) == 5 + 1 and second.count(row) == 5 + 1  # five units, the total
    bodies = [page[page.index("<tbody>") : page.index("</tbody>")] for page in (first, second)]
    codes = [set(re.findall(r'<tr><th scope="row">([^<]+)</th>', body)) for body in bodies]
    assert len(codes[0]) == len(codes[1]) == 5 and not codes[0] & codes[1]
    total_row = first[first.index("<tfoot>") : first.index("</tfoot>")]
    assert total_row == second[second.index("<tfoot>") : second.index("</tfoot>")]
    assert 'rel="next"' in first


def test_a_running_period_reads_its_open_tasks_from_the_kept_counts(make, national, monkeypatch):
    """A period not over is taken today: its open tasks' classes come from the kept counts
    and its other figures from the tasks it concerns; every figure, and every group listed
    (a unit whose only task is cancelled included), equals the whole count."""
    country, narrowings = national
    readers = [country.auditor, country.supervisor]
    today = clock.today()
    cancelled_only = make.unit("Đội Ưu tiên 9", parent=country.ministry, name="Đội Ưu tiên")
    make.task(cancelled_only, country.directive, deadline=today - 400 * DAY, status="cancelled")
    quarter = periods.period_of(today, periods.QUARTERLY)
    month = periods.period_of(today, periods.MONTHLY)
    year = (date(today.year, 1, 1), date(today.year, 12, 31))
    running = [quarter, month, year, (today - 40 * DAY, today + 30 * DAY), (today, today)]

    answers = []
    real = period_reports.running_figures
    monkeypatch.setattr(
        period_reports, "running_figures", lambda *a: answers.append(real(*a)) or answers[-1]
    )
    kept = _figures(readers, narrowings, running, today)
    # Answered wherever the kept counts narrow to the selection, as the stored figures
    # (above): 9 reports per period.
    assert [found is not None for found in answers].count(True) == 9 * len(running)
    monkeypatch.setattr(period_reports, "running_figures", lambda *a: None)
    counted = _figures(readers, narrowings, running, today)
    assert kept == counted
    every = [f for report in counted for f in report.values()]
    assert all(any(getattr(f, field.name) for f in every) for field in fields(PeriodFigures))
    whole_tree_by_unit = kept[0]
    assert whole_tree_by_unit[cancelled_only.id] == PeriodFigures()
