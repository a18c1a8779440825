"""The rows per lead unit and per directive of the board and dashboard: ranked, cut and
labelled by the database from the kept counts, they are the same pages, in the same order,
with the same totals, as the groups counted from the tasks and ranked in Python."""

import math
from datetime import timedelta

import pytest

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import Task
from tracker.reporting import group_rows, task_queries
from tracker.reporting.task_queries import TaskFilters

DAY = timedelta(days=1)

# Codes whose order differs between code-point order and a language's collation (upper and
# lower case, Đ and Ư after Z, spaces): both paths must sort them by code point.
UNIT_CODES = ("Đ-01", "E-01", "d-02", "Ư-03", "UBND Hà Nội", "ubnd 2", "Z 9", "SỞ TƯ PHÁP")
DIRECTIVE_CODES = ("12/QĐ-TTg", "12/QD-TTg", "2795/QĐ-BCT", "a-01", "Đề án 06")


@pytest.fixture
def country(make, org, today):
    """Units under the ministry and directives with Vietnamese codes; overdue counts with ties
    (two units with 2 overdue, three with 1), tasks completed, late and within deadline."""
    units = [make.unit(code, org["ministry"], name=f"Đơn vị {code}") for code in UNIT_CODES]
    directives = [make.directive(code, title=f"Quyết định {code}") for code in DIRECTIVE_CODES]
    overdue_per_unit = (2, 1, 2, 0, 1, 1, 0, 3)
    for number, (unit, overdue) in enumerate(zip(units, overdue_per_unit, strict=True)):
        directive = directives[number % len(directives)]
        for _ in range(overdue):
            make.task(unit, directive, deadline=today - (number + 1) * DAY, is_key=number % 2 == 0)
        make.task(unit, directives[(number + 1) % len(directives)], deadline=today + 5 * DAY)
        if number % 3 == 0:
            make.task(unit, directive, deadline=today - 9 * DAY, status=lifecycle.COMPLETED)
    make.task(units[0], directives[0], status=lifecycle.CANCELLED)  # counts nowhere
    return units, directives


def test_kept_and_counted_rows_give_the_same_pages(make, org, country, today, monkeypatch):
    admin = make.user("admin", org["ministry"], username="quản trị Đạt")
    supervisor = make.user("supervisor", org["ministry"], username="vụ trưởng Ưng")
    real, used = task_queries.kept_selection, []

    def watched(*args, **kwargs):
        selection = real(*args, **kwargs)
        used.append(selection is not None)
        return selection

    for reader in (admin, supervisor):
        for narrowing in ({}, {"key": True}, {"scope": org["ministry"].code}):
            filters = task_queries.counted_scope(
                reader, TaskFilters(report_date=today, **narrowing)
            )
            for column in (Task.lead_unit_id, Task.directive_id):
                for worst_first in (True, False):
                    for per_page in (2, 3, 50):
                        monkeypatch.setattr(task_queries, "kept_selection", lambda *a, **k: None)
                        counted = group_rows.ranked_page(
                            reader, filters, column, worst_first, 1, 1000
                        )
                        pages = max(math.ceil(counted[0].total / per_page), 1)
                        for page in (0, *range(1, pages + 1), pages + 1, 99):
                            monkeypatch.setattr(task_queries, "kept_selection", watched)
                            kept = group_rows.ranked_page(
                                reader, filters, column, worst_first, page, per_page
                            )
                            monkeypatch.setattr(
                                task_queries, "kept_selection", lambda *a, **k: None
                            )
                            expected = group_rows.ranked_page(
                                reader, filters, column, worst_first, page, per_page
                            )
                            assert kept == expected, (reader.username, narrowing, page)
    assert sum(used) > len(used) / 2  # most of these pages came from the kept counts


def test_units_rank_worst_first_then_by_code_point(make, org, country, today):
    admin = make.user("admin", org["ministry"], username="quản trị Đạt")
    filters = TaskFilters(report_date=today)
    page, totals = group_rows.ranked_page(admin, filters, Task.lead_unit_id, True, 1, 4)
    shown = [(unit.code, counts.overdue) for unit, counts in page.items]
    # 3 overdue; the two with 2 (d before Đ by code point); the first of three with 1.
    assert shown == [("SỞ TƯ PHÁP", 3), ("d-02", 2), ("Đ-01", 2), ("E-01", 1)]
    assert page.total == len(UNIT_CODES) and page.pages == 2
    assert totals.overdue == 10 and totals.completed_on_time + totals.completed_late == 3
    by_code, _ = group_rows.ranked_page(admin, filters, Task.directive_id, False, 1, 50)
    assert [directive.code for directive, _ in by_code.items] == sorted(DIRECTIVE_CODES)


def test_the_board_pages_its_units(client, login_as, make, org, country, today):
    supervisor = make.user("supervisor", org["ministry"], username="vụ trưởng Ưng")
    db.session.commit()
    page = login_as(supervisor).get("/board?units_page=99").get_data(as_text=True)
    # Eight units with tasks fit one page of fifty: page 99 is that page.
    assert all(f"{code} <small" in page for code in UNIT_CODES)
    assert page.index("SỞ TƯ PHÁP <small") < page.index("Đ-01 <small") < page.index("Z 9 <small")
