"""The first page of a long task list is taken class by class (overdue, due soon, within
deadline, completed, cancelled), each walked in deadline order and stopped when the page is
full; the total of a past day's list is the tasks recorded by the day's end. Both must be
exactly what sorting every task by urgency and counting the records in force give: checked
on generated national data with back-dated histories, for today and for past days, with and
without filters, across the classes' borders, and for a reader whose list is sorted whole.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import Task
from tracker.reporting import as_of, task_queries
from tracker.reporting.task_queries import TaskFilters

from ..histories import generated_country


def sorted_whole(reader, filters: TaskFilters, per_page: int) -> tuple[list[int], int]:
    """The rule itself: every selected record sorted by urgency, and all of them counted."""
    record = as_of.record_columns(filters.day)
    selected = task_queries.apply_filters(select(Task.id).select_from(Task), reader, filters)
    ordered = selected.order_by(*task_queries.urgency_order(record, filters.day, filters))
    counted = task_queries.apply_filters(
        select(func.count(Task.id)).select_from(Task), reader, filters
    )
    return list(db.session.scalars(ordered.limit(per_page))), db.session.scalar(counted)


@pytest.fixture
def country(make, today):
    country = generated_country(make, seed=41, tasks=900)
    office = next(unit for unit in country.units.values() if unit.path.count("/") >= 4)
    # A task cancelled today and one completed today: the last classes of every list.
    make.task(office, country.directive, code="NV Đ-01 hủy", status=lifecycle.CANCELLED)
    make.task(office, country.directive, code="NV ư-02 xong", status=lifecycle.COMPLETED)
    country.office = office
    return country


def test_the_first_page_by_class_is_the_first_page_of_the_whole_sort(country, make, today):
    leader = make.user("unit_leader", country.office, username="trưởng phòng Ơn")
    readers = {"auditor": country.auditor, "supervisor": country.supervisor, "leader": leader}
    days = [
        today,
        today - timedelta(days=1),
        today - timedelta(days=45),
        today - timedelta(days=300),
    ]
    choices = [
        {},
        {"directive": country.directive.code},
        {"key": "1"},
        {"scope": country.ministry.code},
        {"status": lifecycle.IN_PROGRESS},
        {"timeliness": "within_deadline"},
        {"deadline": "original"},
        {"q": "kế hoạch"},
    ]
    walked = 0
    for name, reader in readers.items():
        for day in days:
            for args in choices:
                filters = TaskFilters.from_args({**args, "as_of": day.isoformat()}, today)
                for per_page in (7, 60, 200):
                    page = task_queries.paginate_tasks(reader, filters, 1, per_page)
                    expected_ids, expected_total = sorted_whole(reader, filters, per_page)
                    shown = [task.id for task in page.items]
                    context = (name, day, args, per_page)
                    assert (shown, page.total) == (expected_ids, expected_total), context
                    record = as_of.record_columns(filters.day)
                    walked += task_queries.urgency_classes(reader, record, filters) is not None
    # The class-by-class walk was taken (the auditor's lists without a one-class filter),
    # and the whole sort for the others: both compared.
    assert 0 < walked < len(readers) * len(days) * len(choices) * 3


def test_a_past_days_total_is_the_tasks_recorded_by_its_end(country, today):
    """Counted without the history (as_of.recorded_by) and with it: the same, every day."""
    for days_back in (1, 45, 120, 300, 700):
        day = today - timedelta(days=days_back)
        filters = TaskFilters.from_args({"as_of": day.isoformat()}, today)
        record = as_of.record_columns(day)
        in_force = record.join(select(func.count(Task.id)).select_from(Task))
        assert task_queries.count_tasks(country.auditor, filters) == db.session.scalar(in_force), (
            day
        )
