"""Demo data built from the seed articles: units, directives, targets, tasks and one account
per role. Dates are relative to today so that every timeliness class occurs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..domain import history_notes, periods
from ..domain import lifecycle as lc
from ..domain.errors import DomainError
from ..domain.roles import ADMIN, AUDITOR, OFFICER, SUPERVISOR, UNIT_LEADER
from ..domain.text import N_
from ..extensions import db
from ..models import (
    Comment,
    Evidence,
    ExtensionRequest,
    RecurringTask,
    StatusUpdate,
    TargetValue,
    Task,
    Unit,
    UrgingNotice,
    User,
)
from . import audit, clock, recurring
from .directives import add_directive, add_target
from .tasks import TaskValues, add_task
from .units import add_unit
from .users import add_user

# (code, name, parent code)
UNITS = [
    (
        "BCDTW",
        "Central Steering Committee for Science, Technology, Innovation and Digital Transformation",
        None,
    ),
    ("BCT", "Ministry of Industry and Trade", "BCDTW"),
    ("BCT-KHCN", "Department of Science and Technology (MOIT)", "BCT"),
    ("BCT-CSTMDB", "Department of Multilateral Trade Policy", "BCT"),
    ("BCT-KHTC", "Department of Planning and Finance (MOIT)", "BCT"),
    ("VNCCK", "Institute of Mechanical Engineering Research", "BCT-KHCN"),
    ("VKHCNMLK", "Institute of Mining and Metallurgy Science and Technology", "BCT-KHCN"),
    ("BKHCN", "Ministry of Science and Technology", "BCDTW"),
    ("BKHCN-HTQT", "International Cooperation Department (MOST)", "BKHCN"),
    ("BKHCN-PC", "Legal Department (MOST)", "BKHCN"),
    ("TTDLQG", "National Data Center", "BCDTW"),
]

# (username, name, role, unit code)
ACCOUNTS = [
    ("admin", "Nguyễn Thị Quản Trị", ADMIN, "BCDTW"),
    ("supervisor", "Trần Văn Giám Sát", SUPERVISOR, "BCT"),
    ("leader", "Phan Đăng Phong", UNIT_LEADER, "VNCCK"),
    ("officer", "Lê Thu Hà", OFFICER, "VNCCK"),
    ("auditor", "Vũ Minh Kiểm", AUDITOR, "BCDTW"),
]

DIRECTIVES = [
    {
        "code": "57-NQ/TW",
        "kind": "resolution",
        "title": "Breakthroughs in science, technology, innovation and national digital "
        "transformation",
        "issuing_body": "Politburo",
        "signer": "General Secretary Tô Lâm",
        "issued_on": date(2024, 12, 22),
        "summary": "Discipline first, results are the measure: public progress, public "
        "responsibility, public results. Quarterly and six-month reviews by the Central "
        "Steering Committee.",
        "visibility": "public",
        "targets": [
            (
                "MT1",
                "100% of guiding decrees issued before 31 March 2026",
                "Guiding decrees issued",
                0,
                100,
                "%",
                date(2026, 3, 31),
            ),
            (
                "MT2",
                "A national monitoring system with dashboards and early warnings",
                "Ministries and provinces connected",
                0,
                63,
                "bodies",
                date(2026, 12, 31),
            ),
        ],
    },
    {
        "code": "01-KH/BCĐTW",
        "kind": "plan",
        "title": "Plan No. 01 of the Central Steering Committee implementing Resolution 57",
        "issuing_body": "Central Steering Committee",
        "signer": "Standing Member of the Steering Committee",
        "issued_on": date(2025, 3, 5),
        "summary": "Assigns each lead unit its tasks, coordinating units and deadlines.",
        "visibility": "internal",
        "targets": [],
    },
    {
        "code": "2795/QĐ-BCT",
        "kind": "decision",
        "title": "Strategy for science, technology and innovation of the Industry and Trade "
        "sector to 2030",
        "issuing_body": "Ministry of Industry and Trade",
        "signer": "Minister Nguyễn Hồng Diên",
        "issued_on": date(2023, 10, 30),
        "summary": "Research institutes of the sector restructure and deliver priority tasks.",
        "visibility": "internal",
        "targets": [
            (
                "MT1",
                "Localise mechanical and automation equipment for Power Plan VIII",
                "Localisation rate of equipment",
                30,
                60,
                "%",
                date(2030, 12, 31),
            ),
        ],
    },
]


@dataclass
class DemoTask:
    directive: str
    code: str
    title: str
    lead: str
    deadline_in: int  # days from today
    state: str  # not_started | in_progress | submitted | on_time | late | cancelled
    percent: int = 0
    key: bool = False
    coordinating: tuple[str, ...] = ()
    owner: str | None = None
    target: str | None = None
    clause: str = ""


TASKS = [
    DemoTask(
        "57-NQ/TW",
        "NV-01",
        "Draft the decree guiding the Law on Science, Technology and Innovation",
        "BKHCN-PC",
        -120,
        "on_time",
        key=True,
        target="MT1",
        coordinating=("BKHCN",),
        clause="Section III.1",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-02",
        "Issue the decree on the digital technology industry",
        "BKHCN",
        -60,
        "late",
        key=True,
        target="MT1",
        clause="Section III.1",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-03",
        "Issue the remaining guiding decrees (100% before 31 March)",
        "BKHCN-PC",
        -25,
        "in_progress",
        70,
        key=True,
        target="MT1",
        coordinating=("BCT-KHCN",),
        clause="Section III.1",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-04",
        "Operate the system monitoring and evaluating Resolution 57",
        "TTDLQG",
        -5,
        "submitted",
        key=True,
        target="MT2",
        clause="Section III.4",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-05",
        "Connect ministries' dashboards with early warnings to the national monitoring system",
        "TTDLQG",
        4,
        "in_progress",
        55,
        target="MT2",
        coordinating=("BCT", "BKHCN"),
        clause="Section III.4",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-06",
        "Publish the list of strategic technologies (11 groups)",
        "BKHCN",
        45,
        "in_progress",
        30,
        clause="Section III.2",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-07",
        "Quarterly review report for the Steering Committee (Q4)",
        "BCT",
        0,
        "in_progress",
        80,
        key=True,
        clause="Section IV",
    ),
    DemoTask(
        "01-KH/BCĐTW",
        "KH-01",
        "Report nine-month results of Resolution 57 in the Industry and Trade sector",
        "BCT-KHCN",
        -45,
        "on_time",
        coordinating=("BCT-KHTC",),
        clause="Item 2",
    ),
    DemoTask(
        "01-KH/BCĐTW",
        "KH-02",
        "Receive and process feedback and recommendations on "
        "S&T, innovation and digital transformation",
        "BCT-KHCN",
        -12,
        "not_started",
        clause="Item 5",
    ),
    DemoTask(
        "01-KH/BCĐTW",
        "KH-03",
        "Propose international cooperation programmes on strategic technologies",
        "BKHCN-HTQT",
        20,
        "not_started",
        coordinating=("BCT-CSTMDB",),
        clause="Item 7",
    ),
    DemoTask(
        "01-KH/BCĐTW",
        "KH-04",
        "Pilot a one-stop online service for S&T enterprises",
        "BKHCN",
        -70,
        "cancelled",
        clause="Item 9",
    ),
    DemoTask(
        "01-KH/BCĐTW",
        "KH-05",
        "Train staff of the Ministry on digital transformation",
        "BCT-KHTC",
        90,
        "not_started",
        clause="Item 11",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-01",
        "Complete the scheme for mechanical and automation "
        "equipment under Power Development Plan VIII",
        "VNCCK",
        -30,
        "late",
        key=True,
        target="MT1",
        owner="officer",
        clause="Task 1",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-02",
        "Complete the scheme for developing Vietnam's railway industry to 2035, vision 2050",
        "VNCCK",
        -8,
        "in_progress",
        85,
        key=True,
        owner="officer",
        coordinating=("BCT-KHCN",),
        clause="Task 2",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-03",
        "Localise equipment lines for hydropower and thermal power plants",
        "VNCCK",
        3,
        "in_progress",
        60,
        target="MT1",
        clause="Task 3",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-04",
        "Design a waste-heat power line for cement plants",
        "VNCCK",
        6,
        "not_started",
        owner="officer",
        clause="Task 4",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-05",
        "Publish at least 60 scientific articles this year",
        "VNCCK",
        36,
        "in_progress",
        40,
        clause="Task 5",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-06",
        "Restructure the institute towards autonomy",
        "VNCCK",
        -90,
        "on_time",
        clause="Task 6",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-07",
        "Report on mineral processing technology transfer",
        "VKHCNMLK",
        -3,
        "submitted",
        coordinating=("VNCCK",),
        clause="Task 7",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-08",
        "Connect the Industry and Trade Research Institutes Club to share S&T information",
        "VKHCNMLK",
        60,
        "in_progress",
        25,
        clause="Task 8",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-09",
        "Review the sector's S&T tasks with the Department of Multilateral Trade Policy",
        "BCT-CSTMDB",
        -18,
        "in_progress",
        50,
        clause="Task 9",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-10",
        "Six-month report on the strategy to the Minister",
        "BCT-KHCN",
        1,
        "in_progress",
        90,
        key=True,
        clause="Task 10",
    ),
]


def _moment(day: date, hour: int = 9) -> datetime:
    """A UTC timestamp on `day` at `hour` o'clock in the tracker's time zone."""
    return datetime.combine(day, time(hour), tzinfo=clock.tracker_zone()).astimezone(UTC)


def demo_present() -> bool:
    return db.session.scalar(select(func.count(User.id)).where(User.username == "leader")) > 0


def database_empty() -> bool:
    return db.session.scalar(select(func.count(Unit.id))) == 0


def load_demo() -> dict[str, str]:
    """Create the demo data; returns {username: generated password}. Refuses when present."""
    if demo_present():
        raise DomainError(N_("The demo data is already loaded; nothing was changed."))
    today = clock.today()
    units: dict[str, Unit] = {}
    for code, name, parent in UNITS:
        units[code] = add_unit(code, name, units.get(parent) if parent else None)

    passwords: dict[str, str] = {}
    users: dict[str, User] = {}
    for username, name, role, unit_code in ACCOUNTS:
        password = secrets.token_urlsafe(12)
        users[username] = add_user(
            username,
            password,
            role,
            units[unit_code],
            name=name,
            email=f"{username}@tracker.example.gov.vn",
        )
        passwords[username] = password

    directives, targets = {}, {}
    for spec in DIRECTIVES:
        values = {k: v for k, v in spec.items() if k != "targets"}
        directive = add_directive(values)
        directives[directive.code] = directive
        for code, title, indicator, baseline, target_value, measure, due in spec["targets"]:
            targets[(directive.code, code)] = add_target(
                directive,
                {
                    "code": code,
                    "title": title,
                    "indicator": indicator,
                    "baseline_value": Decimal(baseline),
                    "target_value": Decimal(target_value),
                    "unit_of_measure": measure,
                    "due_on": due,
                },
            )

    # Quarterly readings of "100% of guiding decrees issued", recorded by the supervisor.
    for days_ago, value, source in (
        (330, 35, "Quarterly review of the Steering Committee"),
        (240, 62, "Six-month review"),
        (150, 88, "Nine-month review"),
        (60, 96, "Quarterly review"),
    ):
        db.session.add(
            TargetValue(
                target=targets[("57-NQ/TW", "MT1")],
                recorded_on=today - timedelta(days=days_ago),
                value=Decimal(value),
                source_note=source,
                recorded_by=users["supervisor"],
            )
        )

    leader = users["leader"]
    supervisor = users["supervisor"]
    tasks_by_code: dict[str, Task] = {}
    for spec in TASKS:
        deadline = today + timedelta(days=spec.deadline_in)
        start = deadline - timedelta(days=120)
        task = add_task(
            TaskValues(
                code=spec.code,
                title=spec.title,
                directive=directives[spec.directive],
                lead_unit=units[spec.lead],
                deadline=deadline,
                start_date=start,
                target=targets.get((spec.directive, spec.target)) if spec.target else None,
                coordinating_units=[units[c] for c in spec.coordinating],
                owner=users.get(spec.owner) if spec.owner else None,
                is_key=spec.key,
                source_clause=spec.clause,
            ),
            users["admin"],
        )
        task.updates[-1].created_at = _moment(start)
        _play_history(task, spec, start, deadline, leader, supervisor)
        tasks_by_code[spec.code] = task
    db.session.flush()
    _accountability(tasks_by_code, users, today)
    audit.record(None, "demo.load", units["BCDTW"], after={"tasks": len(TASKS)})
    db.session.commit()
    recurring.run(today)  # this quarter's report on Resolution 57
    return passwords


def _accountability(tasks: dict[str, Task], users: dict[str, User], today: date) -> None:
    """What a new user should find waiting: evidence on the submitted tasks, an extension
    request, an open difficulty, an urging notice and a quarterly recurring report."""
    for code in ("NV-04", "CL-07", "NV-01", "NV-02", "KH-01", "CL-01", "CL-06"):
        task = tasks[code]
        submission = next(u for u in task.updates if u.new_status == lc.SUBMITTED)
        db.session.add(
            Evidence(
                task_id=task.id,
                kind="link",
                status_update=submission,
                added_by=submission.actor,
                url=f"https://vanban.example.gov.vn/{task.directive.code.replace('/', '-')}/{code}",
                original_name="",
                note="Output document",
                created_at=submission.created_at,
            )
        )
    overdue = tasks["CL-02"]
    db.session.add(
        ExtensionRequest(
            task_id=overdue.id,
            requested_by=users["leader"],
            previous_deadline=overdue.deadline,
            requested_deadline=overdue.deadline + timedelta(days=45),
            reason="The railway industry data from the Ministry of Transport arrives next month.",
            requested_at=_moment(today - timedelta(days=2)),
        )
    )
    db.session.add(
        Comment(
            task_id=tasks["CL-03"].id,
            author=users["leader"],
            kind="obstacle",
            body="The hydropower test rig needs funding not yet allocated; we recommend the "
            "Ministry reallocate part of the 2026 S&T budget.",
            created_at=_moment(today - timedelta(days=3)),
        )
    )
    late = tasks["KH-02"]
    notice = UrgingNotice(
        task_id=late.id,
        year=today.year,
        sequence=1,
        issued_by=users["supervisor"],
        text="Report the feedback-processing results to the Steering Committee within 5 days.",
        issued_at=_moment(today - timedelta(days=1)),
    )
    db.session.add(notice)
    db.session.add(
        StatusUpdate(
            task=late,
            actor=users["supervisor"],
            old_status=late.status,
            new_status=late.status,
            old_percent=late.percent_done,
            new_percent=late.percent_done,
            note=notice.text,
            note_code=history_notes.URGING_ISSUED,
            note_values={"number": notice.number},
            created_at=_moment(today - timedelta(days=1)),
        )
    )
    quarter_start, _ = periods.period_of(today, periods.QUARTERLY)
    db.session.add(
        RecurringTask(
            directive=tasks["NV-07"].directive,
            code_prefix="BC57",
            title="Quarterly report on Resolution 57 to the Steering Committee",
            lead_unit=tasks["NV-07"].lead_unit,
            frequency=periods.QUARTERLY,
            days_after_period_end=10,
            starts_on=quarter_start,
            is_key=True,
        )
    )
    db.session.flush()


def _play_history(task: Task, spec: DemoTask, start, deadline, leader, supervisor) -> None:
    """Backdated progress reports that lead to the task's demo state."""
    steps: list[tuple[date, str, int, str, User]] = []
    if spec.state != "not_started":
        steps.append((start + timedelta(days=10), lc.IN_PROGRESS, 20, "Work started.", leader))
    if spec.state in ("in_progress",):
        steps.append(
            (
                start + timedelta(days=40),
                lc.IN_PROGRESS,
                spec.percent,
                "Progress report for the quarterly review.",
                leader,
            )
        )
    if spec.state == "submitted":
        steps.append(
            (
                deadline - timedelta(days=1),
                lc.SUBMITTED,
                100,
                "Output document sent for verification.",
                leader,
            )
        )
    if spec.state in ("on_time", "late"):
        done = (
            deadline - timedelta(days=5)
            if spec.state == "on_time"
            else deadline + timedelta(days=6)
        )
        steps.append(
            (done, lc.SUBMITTED, 100, "Result submitted with the output document.", leader)
        )
        steps.append(
            (
                done + timedelta(days=2),
                lc.COMPLETED,
                100,
                "Verified: the output document is accepted.",
                supervisor,
            )
        )
        task.completed_at = _moment(done)
        task.completed_on = done
    if spec.state == "cancelled":
        steps.append(
            (
                start + timedelta(days=30),
                lc.CANCELLED,
                20,
                "Cancelled: merged into another task by the Steering Committee.",
                supervisor,
            )
        )
    old_status, old_percent = task.status, task.percent_done
    for day, status, percent, note, actor in steps:
        db.session.add(
            StatusUpdate(
                task=task,
                actor=actor,
                created_at=_moment(day),
                old_status=old_status,
                new_status=status,
                old_percent=old_percent,
                new_percent=percent,
                note=note,
            )
        )
        old_status, old_percent = status, percent
    task.status, task.percent_done = old_status, old_percent
