"""The SQL timeliness expression agrees with the Python function on every case."""

import itertools
from datetime import timedelta

from sqlalchemy import select

from tracker.domain import lifecycle
from tracker.domain.timeliness import classify, due_soon_sql, is_due_soon, timeliness_sql
from tracker.extensions import db
from tracker.models import Task

OFFSETS = (-8, -7, -1, 0, 1, 7, 8)


def test_sql_and_python_agree_on_every_combination(make, org, today):
    directive = make.directive()
    combos = []
    for status, deadline_offset in itertools.product(lifecycle.STATUSES, OFFSETS):
        completed_offsets = OFFSETS if status == lifecycle.COMPLETED else (None,)
        for completed_offset in completed_offsets:
            combos.append((status, deadline_offset, completed_offset))
    for status, deadline_offset, completed_offset in combos:
        deadline = today + timedelta(days=deadline_offset)
        completed_on = (
            today + timedelta(days=completed_offset) if completed_offset is not None else None
        )
        make.task(
            org["institute"],
            directive,
            deadline=deadline,
            status=status,
            completed_on=completed_on,
        )
    assert len(combos) > 70

    for report_offset in (-3, 0, 5):
        report_date = today + timedelta(days=report_offset)
        klass = timeliness_sql(Task.status, Task.deadline, Task.completed_on, report_date)
        soon = due_soon_sql(Task.status, Task.deadline, Task.completed_on, report_date, 7)
        rows = db.session.execute(
            select(Task.status, Task.deadline, Task.completed_on, klass, soon)
        ).all()
        assert len(rows) == len(combos)
        for status, deadline, completed_on, sql_class, sql_soon in rows:
            expected = classify(status, deadline, completed_on, report_date)
            assert sql_class == (expected.value if expected else None), (
                status,
                deadline,
                completed_on,
                report_date,
            )
            assert bool(sql_soon) == is_due_soon(status, deadline, completed_on, report_date, 7)
