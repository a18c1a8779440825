"""The task list's fast paths give the same tasks as the plain rule.

The overdue list of today's record is read as "open and past the deadline" (an index serves
it); page ids are chosen before the tasks are loaded; a reader at the head of the only tree
is not filtered task by task. Each is checked against what the rule of timeliness says."""

from __future__ import annotations

from datetime import timedelta

from tracker.domain import lifecycle
from tracker.domain.timeliness import Timeliness
from tracker.extensions import db
from tracker.reporting import task_queries
from tracker.reporting.task_queries import TaskFilters


def overdue_page(user, today, page=1, per_page=50):
    filters = TaskFilters(report_date=today, timeliness=Timeliness.OVERDUE.value)
    return task_queries.paginate_tasks(user, filters, page, per_page)


def test_overdue_pages_walk_the_overdue_tasks_in_deadline_order(make, org, today):
    supervisor = make.user("supervisor", org["ministry"])
    deadlines = [40, 3, 25, 3, 60, 10, 1]
    tasks = [
        make.task(org["department"], deadline=today - timedelta(days=days)) for days in deadlines
    ]
    make.task(org["department"], deadline=today + timedelta(days=5))  # within deadline
    make.task(org["department"], deadline=today - timedelta(days=9), status=lifecycle.COMPLETED)
    expected = [t.code for t in sorted(tasks, key=lambda t: (t.deadline, t.id))]

    pages = [overdue_page(supervisor, today, number, 2) for number in (1, 2, 3, 4)]
    assert [t.code for page in pages for t in page.items] == expected
    assert pages[0].total == 7 and pages[0].pages == 4
    assert pages[3].has_prev and not pages[3].has_next
    assert overdue_page(supervisor, today, 9, 2).items == []


def test_a_completion_dated_after_the_report_day_still_counts_as_overdue(make, org, today):
    """The index path assumes no completion is dated after the report day; when one is (an
    odd record), the list falls back to the rule itself and still shows the task."""
    supervisor = make.user("supervisor", org["ministry"])
    open_late = make.task(org["department"], deadline=today - timedelta(days=4))
    odd = make.task(org["department"], deadline=today - timedelta(days=8))
    odd.status, odd.percent_done = lifecycle.COMPLETED, 100
    odd.completed_on = today + timedelta(days=2)
    db.session.commit()
    assert odd.timeliness(today) is Timeliness.OVERDUE

    page = overdue_page(supervisor, today)
    assert [t.code for t in page.items] == [odd.code, open_late.code]
    assert page.total == 2


def test_the_head_of_the_only_tree_sees_all_and_of_one_of_two_trees_only_theirs(make, today):
    top = make.unit("TOP")
    left, right = make.unit("LEFT", top), make.unit("RIGHT", top)
    head, leader = make.user("supervisor", top), make.user("unit_leader", left)
    late = today - timedelta(days=2)
    in_left, in_right = make.task(left, deadline=late), make.task(right, deadline=late)
    assert {t.code for t in overdue_page(head, today).items} == {in_left.code, in_right.code}
    assert [t.code for t in overdue_page(leader, today).items] == [in_left.code]

    elsewhere = make.task(make.unit("ELSEWHERE"), deadline=late)  # a second tree
    assert elsewhere.code not in {t.code for t in overdue_page(head, today).items}
    assert overdue_page(head, today).total == 2


def test_overdue_and_due_soon_lists_agree_with_the_rule_task_by_task(make, org, today):
    supervisor = make.user("supervisor", org["ministry"])
    tasks = []
    for offset in (-30, -1, 0, 1, 6, 7, 8, 40):
        for status in (lifecycle.NOT_STARTED, lifecycle.SUBMITTED, lifecycle.COMPLETED):
            tasks.append(
                make.task(
                    org["department"],
                    deadline=today + timedelta(days=offset),
                    status=status,
                    completed_on=today - timedelta(days=1),
                )
            )
    cancelled = make.task(org["department"], deadline=today - timedelta(days=3))
    cancelled.status = lifecycle.CANCELLED
    db.session.commit()
    tasks.append(cancelled)
    rules = {
        Timeliness.OVERDUE.value: lambda t: t.timeliness(today) is Timeliness.OVERDUE,
        "due_soon": lambda t: t.is_due_soon(today, 7),
    }
    for name, rule in rules.items():
        filters = TaskFilters(report_date=today, timeliness=name)
        page = task_queries.paginate_tasks(supervisor, filters, 1, 200)
        assert {t.code for t in page.items} == {t.code for t in tasks if rule(t)}, name
        assert page.total == sum(1 for t in tasks if rule(t)), name
