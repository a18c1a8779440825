"""Scenarios shared by several test modules (a pytest plugin): a dated history played
through the services for the as-of, period and league tests (six tasks of one directive in
2025, each step dated by hand: `history`), and a Vietnamese world with every role, an
urging notice, an extension request and a difficulty (`vietnamese_world`); and generated
national data with an auditor and a ministry's supervisor reading it (`generated_country`)."""

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.infra import clock
from tracker.models import Directive, ExtensionRequest, StatusUpdate, Task, Unit, User
from tracker.seed import synthetic
from tracker.work import comments, recurring, tasks, urging
from tracker.work import deadline_extensions as extensions
from tracker.work.tasks import TaskValues

from .api.test_api import token_for
from .conftest import login


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.tracker_zone()).astimezone(UTC)


def date_last_entry(task: Task, day: date, hour: int = 10) -> None:
    """Give the task's newest history entry the moment `day` at `hour` (local time)."""
    newest = db.session.scalar(
        select(func.max(StatusUpdate.id)).where(StatusUpdate.task_id == task.id)
    )
    db.session.get(StatusUpdate, newest).created_at = at(day, hour)
    db.session.commit()


def progress(actor, task, status, percent, day, note="", url="", hour=10):
    db.session.refresh(task)
    tasks.report_progress(actor, task, task.version, status, percent, note, url)
    date_last_entry(task, day, hour)


def new_task(make, unit, directive, code, deadline, created):
    task = make.task(unit, directive, code=code, deadline=deadline)
    date_last_entry(task, created)  # the "Task assigned." entry
    # ...and the task was recorded then (what the application writes in one transaction).
    db.session.execute(update(Task).where(Task.id == task.id).values(created_at=at(created)))
    db.session.commit()
    return task


@pytest.fixture
def history(make, org):
    """Five tasks of one directive with a 2025 history (see the module docstring)."""
    directive = make.directive("57-NQ/TW")
    dep = org["department"]
    leader = make.user("unit_leader", dep)
    supervisor = make.user("supervisor", org["ministry"])
    admin = make.user("admin", org["ministry"])

    # A: extended 15/9 from 20/9 to 15/10, submitted 10/10, verified 12/10: on time.
    a = new_task(make, dep, directive, "A", date(2025, 9, 20), date(2025, 7, 1))
    progress(leader, a, lifecycle.IN_PROGRESS, 40, date(2025, 8, 10))
    db.session.refresh(a)
    request = extensions.request_extension(leader, a, date(2025, 10, 15), "Data arrives late.")
    date_last_entry(a, date(2025, 9, 12))
    extensions.decide_extension(supervisor, request, True, "")
    date_last_entry(a, date(2025, 9, 15))
    db.session.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.id == request.id)
        .values(requested_at=at(date(2025, 9, 12)), decided_at=at(date(2025, 9, 15)))
    )
    db.session.commit()
    progress(
        leader, a, lifecycle.SUBMITTED, 100, date(2025, 10, 10), "Done.", "https://example.gov.vn/a"
    )
    progress(supervisor, a, lifecycle.COMPLETED, 100, date(2025, 10, 12), "Accepted.")

    # B: due 25/9, in progress, never finished.
    b = new_task(make, dep, directive, "B", date(2025, 9, 25), date(2025, 7, 1))
    progress(leader, b, lifecycle.IN_PROGRESS, 30, date(2025, 9, 1))

    # C: assigned only on 5/10.
    new_task(make, dep, directive, "C", date(2025, 12, 31), date(2025, 10, 5))

    # D: due 10/9, submitted 8/9, verified 9/9: on time.
    d = new_task(make, dep, directive, "D", date(2025, 9, 10), date(2025, 7, 1))
    progress(
        leader, d, lifecycle.SUBMITTED, 100, date(2025, 9, 8), "Done.", "https://example.gov.vn/d"
    )
    progress(supervisor, d, lifecycle.COMPLETED, 100, date(2025, 9, 9), "Accepted.")

    # E: due 29/9, in progress, cancelled 1/10.
    e = new_task(make, dep, directive, "E", date(2025, 9, 29), date(2025, 7, 1))
    progress(leader, e, lifecycle.IN_PROGRESS, 10, date(2025, 8, 1))
    progress(supervisor, e, lifecycle.CANCELLED, 10, date(2025, 10, 1), "Merged into B.")

    # F: due 5/9; an administrator moved the deadline to 30/11 on 20/10.
    f = new_task(make, dep, directive, "F", date(2025, 9, 5), date(2025, 7, 1))
    db.session.refresh(f)
    tasks.edit_task(admin, f, f.version, values_of(f, deadline=date(2025, 11, 30)))
    db.session.commit()
    date_last_entry(f, date(2025, 10, 20))
    return {"directive": directive, "auditor": make.user("auditor", org["ministry"]), "b": b}


@pytest.fixture
def auditor(client, history):
    """The client, logged in as an auditor, with an API token at hand."""
    login(client, history["auditor"])
    client.auditor_token = token_for(client, history["auditor"])
    return client


def values_of(task: Task, **changes) -> TaskValues:
    """The task's writable fields as an administrator's edit form holds them, with `changes`."""
    values = TaskValues(
        code=task.code,
        title=task.title,
        directive=task.directive,
        lead_unit=task.lead_unit,
        deadline=task.deadline,
        is_key=task.is_key,
        owner=task.owner,
    )
    return replace(values, **changes)


@pytest.fixture
def vietnamese_world(make, today):
    ministry = make.unit("BCT", name="Bộ Công Thương")
    institute = make.unit("VNCCK", ministry, name="Viện Nghiên cứu Cơ khí")
    people = {
        "admin": make.user("admin", ministry, username="quan.tri", name="Phạm Quản Trị"),
        "supervisor": make.user("supervisor", ministry, username="giam.sat", name="Lê Văn Giám"),
        "unit_leader": make.user(
            "unit_leader", institute, username="lanh.dao", name="Trần Thị Lãnh"
        ),
        "officer": make.user("officer", institute, username="chuyen.vien", name="Ngô Văn Ưng"),
        "auditor": make.user("auditor", ministry, username="kiem.tra", name="Đỗ Thị Kiểm"),
    }
    for person in people.values():
        person.language = "vi"
    directive = make.directive(
        "2795/QĐ-BCT", kind="decision", title="Quyết định về chuyển đổi số ngành Công Thương"
    )
    overdue = make.task(
        institute,
        directive,
        code="NV 01",
        title="Xây dựng cơ sở dữ liệu cơ khí",
        deadline=today - timedelta(days=12),
        owner=people["officer"],
        status=lifecycle.IN_PROGRESS,
    )
    make.task(
        institute,
        directive,
        code="NV 02",
        title="Đào tạo cán bộ về chuyển đổi số",
        deadline=today + timedelta(days=3),
    )
    make.task(
        ministry,
        directive,
        code="NV 03",
        title="Báo cáo sơ kết",
        status=lifecycle.COMPLETED,
        deadline=today - timedelta(days=30),
        completed_on=today - timedelta(days=35),
    )
    urging.issue_notice(people["supervisor"], overdue, "Đề nghị khẩn trương hoàn thành.")
    extensions.request_extension(
        people["unit_leader"], overdue, today + timedelta(days=30), "Chờ số liệu."
    )
    comments.post_comment(people["officer"], overdue, "Thiếu kinh phí.", "obstacle")
    recurring.create_template(
        people["admin"],
        directive=directive,
        code_prefix="BC Đ-57",
        title="Báo cáo quý về Nghị quyết 57",
        lead_unit=institute,
        owner=None,
        frequency="quarterly",
        days_after_period_end=5,
        starts_on=today,
        is_key=False,
    )
    data_words = set()
    for person in people.values():
        data_words |= set(re.findall(r"[A-Za-z'-]+", f"{person.username} {person.name}"))
    return {"people": people, "task": overdue, "directive": directive, "data": data_words}


@dataclass
class GeneratedCountry:
    """Synthetic data (models of every timeliness class, a year of history) and who reads it."""

    units: dict[str, Unit]
    root: Unit
    ministry: Unit
    directive: Directive
    auditor: User
    supervisor: User

    def move_an_overdue_task(self, admin: User) -> Task:
        """An administrator moves an overdue task to another office (it regroups the
        figures of every day and period: what stored figures must forget)."""
        today = clock.today()
        task = db.session.scalar(
            select(Task).where(Task.status == lifecycle.IN_PROGRESS, Task.deadline < today).limit(1)
        )
        other = next(
            unit
            for unit in self.units.values()
            if unit.id != task.lead_unit_id and unit.path.count("/") >= 4
        )
        tasks.edit_task(admin, task, task.version, values_of(task, lead_unit=other))
        db.session.commit()
        return task

    @staticmethod
    def back_date_first_entry(days: int) -> None:
        """The first history entry written again `days` ago (history written with a past
        date: stored figures from the day before it on must be forgotten)."""
        entry = db.session.scalar(select(StatusUpdate).order_by(StatusUpdate.id).limit(1))
        entry.created_at = clock.now() - timedelta(days=days)
        db.session.commit()


def generated_country(make, seed: int, tasks: int = 1500) -> GeneratedCountry:
    """`tasks` generated tasks (seed `seed`), an auditor of the whole tree and the supervisor
    of its first ministry, with Vietnamese names."""
    synthetic.generate(tasks, seed=seed)
    units = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    root = units[f"S{seed}-ROOT"]
    ministry = next(u for u in units.values() if u.parent_id == root.id)
    directive = db.session.scalar(select(Directive).where(Directive.code.startswith(f"S{seed}")))
    return GeneratedCountry(
        units=units,
        root=root,
        ministry=ministry,
        directive=directive,
        auditor=make.user("auditor", root, username=f"kiểm toán viên {seed}"),
        supervisor=make.user("supervisor", ministry, username=f"vụ trưởng Đặng {seed}"),
    )
