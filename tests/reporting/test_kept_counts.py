"""The kept timeliness counts (models/tally.py) stay equal to a full recount through every
kind of task change, and today's reports read them: the figures a person sees are the same
as counted from the tasks one by one."""

from datetime import timedelta

import time_machine
from sqlalchemy import select, update

from tracker.domain import lifecycle
from tracker.domain.timeliness import Timeliness
from tracker.extensions import db
from tracker.infra import clock
from tracker.jobs import daily
from tracker.models import Directive, Task, Unit, User, tally
from tracker.org import imports
from tracker.reporting import dashboard, day_ends, league, period_reports, task_queries
from tracker.reporting.task_queries import TaskFilters
from tracker.seed import synthetic
from tracker.work import deadline_extensions, recurring, tasks

from ..histories import generated_country, values_of
from ..org.test_imports import csv_bytes

DAY = timedelta(days=1)


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


def _league(user, filters):
    rows = league.unit_rows(user, filters)
    return sorted(
        (row.unit.id, row.counts, row.days_overdue_total, row.extensions_granted) for row in rows
    )


def _readings(user, filters):
    return (
        _league(user, filters),
        task_queries.total_counts(user, filters),
        task_queries.due_soon_count(user, filters),
        task_queries.grouped_counts(user, filters, Task.lead_unit_id),
        task_queries.grouped_counts(user, filters, Task.directive_id),
        task_queries.grouped_counts_by_two(user, filters, Task.lead_unit_id, Task.directive_id),
        [
            task_queries.count_tasks(user, filters.with_(timeliness=klass))
            for klass in (None, *(t.value for t in Timeliness), "due_soon")
        ],
    )


def test_reports_read_from_the_kept_counts_what_counting_the_tasks_gives(make, org, monkeypatch):
    """On generated national-style data, for every role and every narrowing a report offers,
    today and on later days, the kept counts give exactly the figures counted task by task."""
    synthetic.generate(1500, seed=23)
    open_task = db.session.scalar(
        select(Task).where(Task.status == lifecycle.IN_PROGRESS).order_by(Task.id).limit(1)
    )
    its_leader = db.session.scalar(
        select(User).where(User.unit_id == open_task.lead_unit_id, User.role == "unit_leader")
    )
    request = deadline_extensions.request_extension(
        its_leader, open_task, open_task.deadline + 30 * DAY, "Chờ ý kiến của Bộ Tài chính."
    )
    deadline_extensions.decide_extension(
        make.user("admin", org["ministry"]), request, True, "Đồng ý."
    )
    assert tally.fold(clock.today() - DAY) > 0  # summary rows hold folded days too
    db.session.commit()
    units = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    root = units["S23-ROOT"]
    ministry = next(u for u in units.values() if u.parent_id == root.id)
    leaf = max(units.values(), key=lambda u: u.path.count("/"))
    directive = db.session.scalar(select(Directive).where(Directive.code.startswith("S23")))
    readers = [
        make.user("admin", root, username="quản trị"),
        make.user("auditor", root, username="kiểm toán"),
        make.user("supervisor", root, username="lãnh đạo Bộ"),
        make.user("supervisor", ministry, username="vụ trưởng Đào"),
        make.user("unit_leader", leaf, username="trưởng phòng Ưng"),
    ]
    used, extensions_seen = [], 0
    real = task_queries.kept_selection

    def watched(*args, **kwargs):
        selection = real(*args, **kwargs)
        used.append(selection is not None)
        return selection

    for days_later in (0, 9, 40):
        with time_machine.travel(clock.now() + days_later * DAY, tick=True):
            today = clock.today()
            for reader in readers:
                for narrowing in (
                    {},
                    {"key": True},
                    {"directive": directive.code},
                    {"scope": ministry.code},
                    {"scope": ministry.code, "directive": directive.code},
                    {"unit": leaf.code, "key": False},
                ):
                    filters = task_queries.counted_scope(
                        reader, TaskFilters(report_date=today, **narrowing)
                    )
                    monkeypatch.setattr(task_queries, "kept_selection", watched)
                    kept = _readings(reader, filters)
                    monkeypatch.setattr(task_queries, "kept_selection", lambda *a, **k: None)
                    counted = _readings(reader, filters)
                    assert kept == counted, (reader.username, narrowing, days_later)
                    extensions_seen += sum(granted for *_, granted in kept[0])
    assert sum(used) > len(used) / 3  # many of these readings came from the kept counts
    assert kept[1].overdue and kept[1].completed_late  # and they were not all empty
    assert extensions_seen  # the league counted the extension granted


def test_the_counts_commands_find_a_drift_and_rebuild(app, make, org, today):
    """`flask counts check` names where the kept counts differ from the tasks (as after a
    write round the application) and exits 1; `counts rebuild` mends them; `counts keep`
    (the scheduler's nightly work) changes no figure."""
    unit = org["institute"]
    for number in range(3):
        make.task(unit, code=f"NV {number}", deadline=today - (number + 3) * DAY)
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["counts", "check"]).output.endswith("agree with the tasks.\n")

    db.session.execute(
        update(tally.TaskTally)
        .where(tally.TaskTally.kind == tally.BY_UNIT, tally.TaskTally.day == tally.SUMMARY_DAY)
        .values(not_completed=tally.TaskTally.not_completed + 5)
    )
    db.session.commit()
    drifted = runner.invoke(args=["counts", "check"])
    assert drifted.exit_code == 1
    assert f"unit {unit.id} 1900-01-01 not_completed: kept 8, counted 3" in drifted.output
    assert runner.invoke(args=["counts", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["counts", "check"]).exit_code == 0

    kept = runner.invoke(args=["counts", "keep"])
    # three deadline days before yesterday, each kept once per unit and once per directive;
    # the dashboard trend's eleven past month ends; the standard periods already over
    periods = len(period_reports.standard_periods(today))
    assert kept.output == (
        f"kept counts: 6 deadline rows folded, 11 month ends stored, {periods} past periods "
        "stored\n"
    )
    assert runner.invoke(args=["counts", "check"]).exit_code == 0
    reader = make.user("auditor", org["ministry"])
    assert task_queries.total_counts(reader, TaskFilters(report_date=today)).overdue == 3


def _trends(readers, narrowings, today):
    days = dashboard.month_ends(today)
    return [
        dashboard.overdue_trend(
            reader, task_queries.counted_scope(reader, TaskFilters(report_date=today, **n)), days
        )
        for reader in readers
        for n in narrowings
    ]


def test_the_trend_reads_stored_month_ends_that_agree_with_the_history(make, org, monkeypatch):
    """The dashboard's twelve-month trend, from the month ends the scheduler stored, equals
    the trend counted from the history; a lead unit changed or history written with a past
    date forgets the stored days it may change, and the trend stays right."""
    country = generated_country(make, seed=31)
    root = country.root
    readers = [country.auditor, country.supervisor]
    narrowings = [{}, {"key": True}, {"directive": country.directive.code}]
    today = clock.today()
    assert ", 11 month ends stored, " in daily.keep_counts()
    stored = _trends(readers, narrowings, today)
    monkeypatch.setattr(task_queries, "kept_selection", lambda *a, **k: None)
    counted = _trends(readers, narrowings, today)
    monkeypatch.undo()
    assert stored == counted
    assert max(count for trend in counted for _, count in trend) > 0
    reads_stored = []
    real_stored = day_ends.stored
    monkeypatch.setattr(
        day_ends, "stored", lambda *a: reads_stored.append(real_stored(*a)) or reads_stored[-1]
    )
    _trends(readers, narrowings[:1], today)
    assert all(found is not None for found in reads_stored) and reads_stored

    # An administrator moves an overdue task to another unit: every stored day is forgotten.
    country.move_an_overdue_task(make.user("admin", root, username="quản trị viên"))
    month_ends = dashboard.month_ends(today)[:-1]
    assert day_ends.days_not_stored(month_ends) == month_ends
    monkeypatch.undo()
    after_move = _trends(readers, narrowings, today)
    daily.keep_counts()
    assert _trends(readers, narrowings, today) == after_move

    # History written with a past date (a bulk load, a correction) forgets the days after it.
    country.back_date_first_entry(70)
    forgotten = day_ends.days_not_stored(month_ends)
    assert forgotten and forgotten[-1] == month_ends[-1] and forgotten != month_ends
