"""The kept timeliness counts (models/tally.py) stay equal to a full recount through every
kind of task change, and today's reports read them: the figures a person sees are the same
as counted from the tasks one by one."""

from datetime import timedelta

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import Task, tally
from tracker.org import imports
from tracker.work import deadline_extensions, recurring, tasks
from tracker.work.tasks import TaskValues

from ..org.test_imports import csv_bytes

DAY = timedelta(days=1)


def values_of(task: Task, **changes) -> TaskValues:
    values = TaskValues(
        code=task.code,
        title=task.title,
        directive=task.directive,
        lead_unit=task.lead_unit,
        deadline=task.deadline,
        is_key=task.is_key,
        owner=task.owner,
    )
    for name, value in changes.items():
        setattr(values, name, value)
    return values


def assert_kept_counts_agree(today):
    db.session.expire_all()
    assert tally.drift(today) == {}
    assert tally.kept_count(), "the kept counts hold something"


def test_kept_counts_follow_every_kind_of_change(make, org, today):
    department, institute = org["department"], org["institute"]
    directive = make.directive("57-NQ/TW")
    admin = make.user("admin", org["ministry"])
    supervisor = make.user("supervisor", org["ministry"])
    leader = make.user("unit_leader", institute, username="trưởng phòng Đức")
    made = [
        make.task(institute, directive, code=f"NV {number}", deadline=today + number * DAY)
        for number in (-20, -3, 0, 5, 40)
    ]
    made[4].is_key = True
    db.session.commit()
    assert_kept_counts_agree(today)

    late, recent, due_today, soon, key = made
    # Progress, then submission and verification (completed late and on time).
    tasks.report_progress(leader, soon, soon.version, lifecycle.IN_PROGRESS, 40, "Đang làm.")
    for task in (late, due_today):
        tasks.report_progress(
            leader, task, task.version, lifecycle.SUBMITTED, 100, "Xong.", "https://bo.gov.vn/a"
        )
        tasks.report_progress(supervisor, task, task.version, lifecycle.COMPLETED, 100)
    assert_kept_counts_agree(today)
    assert late.timeliness(today).value == "completed_late"
    assert due_today.timeliness(today).value == "completed_on_time"

    # Cancellation, an approved extension, an administrator's deadline change.
    tasks.report_progress(supervisor, recent, recent.version, lifecycle.CANCELLED, None, "Bỏ.")
    request = deadline_extensions.request_extension(leader, soon, today + 60 * DAY, "Chờ số liệu.")
    deadline_extensions.decide_extension(supervisor, request, True, "")
    assert_kept_counts_agree(today)
    tasks.edit_task(admin, key, key.version, values_of(key, deadline=today - 2 * DAY))
    assert_kept_counts_agree(today)

    # Lead unit and key flag changed by an administrator.
    tasks.edit_task(admin, soon, soon.version, values_of(soon, lead_unit=department, is_key=True))
    db.session.commit()
    assert_kept_counts_agree(today)

    # An import, and recurring occurrences.
    rows = [
        {
            "directive": "06/QĐ-TTg",
            "directive_kind": "decision",
            "directive_title": "Đề án phát triển ứng dụng dữ liệu dân cư",
            "task_code": f"ĐA 06-{number}",
            "title": "Làm sạch dữ liệu",
            "lead_unit": "DEP",
            "deadline": (today + (number * 10 - 15) * DAY).isoformat(),
            "key_task": "yes" if number % 2 else "no",
        }
        for number in range(4)
    ]
    report = imports.run_import(admin, imports.read_rows("đề án.csv", csv_bytes(rows)), False)
    assert report.ok and report.written
    assert_kept_counts_agree(today)
    recurring.create_template(
        admin,
        directive=directive,
        code_prefix="BC 57",
        title="Báo cáo quý về Nghị quyết 57",
        lead_unit=institute,
        owner=None,
        frequency="monthly",
        days_after_period_end=5,
        starts_on=today - 100 * DAY,
        is_key=False,
    )
    created = recurring.run(today)
    db.session.commit()
    assert created
    assert_kept_counts_agree(today)

    # Folding past days changes nothing a report of today or later reads.
    before = tally.kept_count()
    assert tally.fold(today - DAY) > 0
    db.session.commit()
    assert_kept_counts_agree(today)
    assert tally.as_read_from(tally.kept_count(), today) == tally.as_read_from(before, today)


def test_a_rolled_back_change_leaves_the_counts_as_they_were(make, org, today):
    task = make.task(org["institute"], deadline=today + 3 * DAY)
    db.session.commit()
    before = tally.kept_count()
    task.status, task.completed_on = lifecycle.COMPLETED, today
    db.session.flush()
    assert tally.kept_count() != before
    db.session.rollback()
    assert tally.kept_count() == before
    assert_kept_counts_agree(today)
