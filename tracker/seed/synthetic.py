"""Synthetic national-scale data: `flask --app app demo generate --tasks N --seed S`.

For N tasks it adds, to whatever the database holds, about N/100 units in a 4-level tree
(one root, ministries, departments, offices), 10 users per unit, N/1,000 directives with 10
targets each, N tasks with deadlines spread from 400 days ago to 300 days ahead (every
timeliness class occurs), a coordinating unit on one task in five, and about 10 history
entries per task (assignment, progress reports, submission, verification). The same N and
seed give the same data. The kept timeliness counts (models/tally.py) are recounted at the
end, in the same transaction, and the stored past days and periods (models/day_end.py,
models/past_period.py) forgotten.

Rows are written in bulk — COPY on PostgreSQL, executemany on SQLite — with ids given
here, never through the ORM; the history is consistent with the tasks (status, percent and
deadline of the last entry are the task's, and each entry says when the next superseded
it), so reports as of past days work on it too.
One audit event records the generation.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text

from .. import audit
from ..accounts.passwords import hash_password
from ..domain import history_notes
from ..domain import lifecycle as lc
from ..domain.search_text import search_key
from ..extensions import db
from ..infra import clock
from ..models import OverdueAtDayEnd, PastPeriodFigures, Unit, tally
from . import bulk_load

BATCH = 20_000
# The tables of the tasks and their history: their keys and indexes are made after the load.
BULK_TABLES = ("task", "status_update", "task_coordinating_unit")
UNITS_PER_TASK = 1 / 100
USERS_PER_UNIT = 10
TARGETS_PER_DIRECTIVE = 10
SYNTHETIC_PASSWORD = "synthetic data password"

TASK_VERBS = ("Issue", "Draft", "Review", "Deploy", "Report on", "Pilot", "Evaluate", "Train")
TASK_OBJECTS = (
    "the guiding decree",
    "the digital platform",
    "the national database",
    "the provincial plan",
    "the innovation fund",
    "the data-sharing rules",
    "the training programme",
    "the e-government service",
)


def _next_id(table: str) -> int:
    return (db.session.scalar(select(func.max(db.metadata.tables[table].c.id))) or 0) + 1


def _moment(day: date, hour: int) -> datetime:
    local = datetime.combine(day, time(hour), tzinfo=clock.tracker_zone())
    return local.astimezone(UTC)


# One row for a Writer: column name → value.
BulkRow = dict[str, Any]


class Writer:
    """Bulk rows into one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, table: str, after: tuple[Writer, ...] = ()):
        self.table = db.metadata.tables[table]
        self.after = after  # writers whose rows these refer to: flushed first
        self.columns = [column.name for column in self.table.columns]
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, row: BulkRow) -> None:
        self.rows.append(tuple(row.get(name) for name in self.columns))
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        for parent in self.after:
            parent.flush()
        connection = db.session.connection()
        raw: Any = connection.connection.driver_connection
        if connection.dialect.name == "postgresql":
            names = ", ".join(self.columns)
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {self.table.name} ({names}) FROM STDIN") as copy,
            ):
                for row in self.rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in self.columns)
            names = ", ".join(self.columns)
            raw.executemany(
                f"INSERT INTO {self.table.name} ({names}) VALUES ({marks})",
                [tuple(_sqlite_value(value) for value in row) for row in self.rows],
            )
        self.count += len(self.rows)
        self.rows = []


def _sqlite_value(value: object) -> object:
    """What SQLAlchemy would store in SQLite for these Python values."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _reset_sequences() -> None:
    """On PostgreSQL, move each id sequence past the ids given here."""
    if db.session.connection().dialect.name != "postgresql":
        return
    for table in ("unit", "user_account", "directive", "target", "task", "status_update"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def generate(
    tasks: int, seed: int, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Add the synthetic dataset (committed); returns the row counts written."""
    rng = random.Random(seed)
    today = clock.today()
    tick = progress or (lambda _: None)
    prefix = f"S{seed}"
    if db.session.scalar(select(Unit.id).where(Unit.code == f"{prefix}-ROOT")) is not None:
        raise ValueError(f"Synthetic data with seed {seed} is already in this database.")
    audit.lock_chain()
    units = _units(rng, max(int(tasks * UNITS_PER_TASK), 20), prefix)
    leaders, officers = _users(units, prefix)
    directives = _directives(rng, max(tasks // 1000, 3), prefix, today)
    with bulk_load.checks_and_indexes_after(BULK_TABLES):
        task_count, entry_count = _tasks(
            rng, tasks, units, leaders, officers, directives, today, tick
        )
    _reset_sequences()
    # The bulk load went round the ORM, whose listeners keep the counts and forget the
    # stored past days its back-dated history changes.
    tally.recount()
    db.session.execute(delete(OverdueAtDayEnd))
    db.session.execute(delete(PastPeriodFigures))
    counts = {
        "units": len(units),
        "users": len(units) * USERS_PER_UNIT,
        "directives": len(directives),
        "targets": len(directives) * TARGETS_PER_DIRECTIVE,
        "tasks": task_count,
        "history entries": entry_count,
    }
    root = db.session.scalar(select(Unit).where(Unit.code == f"{prefix}-ROOT"))
    audit.record(None, "demo.generate", root, after={"seed": seed, **counts})
    db.session.commit()
    _fresh_statistics()
    return counts


def _fresh_statistics() -> None:
    """After a bulk load: statistics for the planner and, on PostgreSQL, the visibility map
    that lets index-only scans skip the table (VACUUM runs outside a transaction)."""
    if db.session.get_bind().dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _units(rng: random.Random, wanted: int, prefix: str) -> list[tuple[int, str]]:
    """A 4-level tree of about `wanted` units: [(id, path)], leaves last."""
    writer = Writer("unit")
    next_id = _next_id("unit")
    made: list[tuple[int, str]] = []

    def add(code: str, name: str, parent: tuple[int, str] | None) -> tuple[int, str]:
        nonlocal next_id
        unit_id, next_id = next_id, next_id + 1
        path = f"{parent[1] if parent else '/'}{unit_id}/"
        writer.add(
            {
                "id": unit_id,
                "code": code,
                "name": name,
                "search_key": search_key(code, name),
                "parent_id": parent[0] if parent else None,
                "path": path,
            }
        )
        made.append((unit_id, path))
        return unit_id, path

    root = add(f"{prefix}-ROOT", "National Steering Committee (synthetic)", None)
    if wanted >= 300:  # 20 ministries of 10 departments, offices below to make up the rest
        ministries, departments = 20, 10
        offices = max(round((wanted - 221) / 200), 1)
    else:
        ministries, departments = 2, 2
        offices = max(-(-(wanted - 7) // 4), 1)  # rounded up
    for m in range(ministries):
        ministry = add(f"{prefix}-M{m:02d}", f"Ministry {m + 1}", root)
        for d in range(departments):
            department = add(f"{prefix}-M{m:02d}-D{d:02d}", f"Department {m + 1}.{d + 1}", ministry)
            for o in range(offices):
                add(
                    f"{prefix}-M{m:02d}-D{d:02d}-O{o:03d}",
                    f"Office {m + 1}.{d + 1}.{o + 1}",
                    department,
                )
    writer.flush()
    return made


def _users(
    units: list[tuple[int, str]], prefix: str
) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Ten people per unit: a leader, a supervisor, seven officers and an auditor."""
    writer = Writer("user_account")
    next_id = _next_id("user_account")
    password = hash_password(SYNTHETIC_PASSWORD)
    now = clock.now()
    leaders: dict[int, int] = {}
    officers: dict[int, list[int]] = {}
    roles = ["unit_leader", "supervisor", *["officer"] * 7, "auditor"]
    for unit_id, _ in units:
        for number, role in enumerate(roles):
            user_id, next_id = next_id, next_id + 1
            if role == "unit_leader":
                leaders[unit_id] = user_id
            elif role == "officer":
                officers.setdefault(unit_id, []).append(user_id)
            writer.add(
                {
                    "id": user_id,
                    "username": f"{prefix.lower()}_u{unit_id}_{number}",
                    "name": f"Person {unit_id}.{number}",
                    "email": None,
                    "password_hash": password,
                    "role": role,
                    "unit_id": unit_id,
                    "active": True,
                    "daily_digest": False,
                    "email_notifications": True,
                    "session_token": secrets.token_hex(16),
                    "created_at": now,
                }
            )
    writer.flush()
    return leaders, officers


def _directives(
    rng: random.Random, count: int, prefix: str, today: date
) -> list[tuple[int, list[int]]]:
    """[(directive id, [target ids])]."""
    directive_writer = Writer("directive")
    target_writer = Writer("target", after=(directive_writer,))
    directive_id, target_id = _next_id("directive"), _next_id("target")
    now = clock.now()
    made = []
    for number in range(count):
        kind = rng.choice(("resolution", "directive", "decision", "plan"))
        code = f"{prefix}-{number + 1:04d}/{kind[:2].upper()}"
        title = f"Synthetic {kind} {number + 1} on digital transformation"
        directive_writer.add(
            {
                "id": directive_id,
                "code": code,
                "kind": kind,
                "title": title,
                "search_key": search_key(code, title),
                "issuing_body": "Government (synthetic)",
                "signer": "",
                "issued_on": today - timedelta(days=rng.randint(300, 700)),
                "summary": "",
                "source_url": "",
                # The first is published, as a national programme's progress is to
                # citizens: its public page is measured at the data's size.
                "visibility": "public" if number == 0 else "internal",
                "created_at": now,
            }
        )
        targets = []
        for t in range(TARGETS_PER_DIRECTIVE):
            target_writer.add(
                {
                    "id": target_id,
                    "directive_id": directive_id,
                    "code": f"MT{t + 1}",
                    "title": f"Target {t + 1} of directive {number + 1}",
                    "indicator": "",
                    "baseline_value": None,
                    "target_value": None,
                    "unit_of_measure": "",
                    "due_on": today + timedelta(days=rng.randint(0, 700)),
                }
            )
            targets.append(target_id)
            target_id += 1
        made.append((directive_id, targets))
        directive_id += 1
    directive_writer.flush()
    target_writer.flush()
    return made


def _tasks(
    rng: random.Random,
    count: int,
    units: list[tuple[int, str]],
    leaders: dict[int, int],
    officers: dict[int, list[int]],
    directives: list[tuple[int, list[int]]],
    today: date,
    tick: Callable[[int], None],
) -> tuple[int, int]:
    task_writer = Writer("task")
    entry_writer = Writer("status_update", after=(task_writer,))
    coordination = Writer("task_coordinating_unit", after=(task_writer,))
    task_id, entry_id = _next_id("task"), _next_id("status_update")
    leaf_units = [unit_id for unit_id, path in units if path.count("/") >= 4] or [
        unit_id for unit_id, _ in units
    ]
    codes: dict[int, int] = {}
    for number in range(count):
        unit_id = rng.choice(leaf_units)
        directive_id, targets = directives[number % len(directives)]
        codes[directive_id] = codes.get(directive_id, 0) + 1
        row, entries = _one_task(
            rng, task_id, unit_id, leaders, officers, directive_id, targets, today
        )
        row["code"] = f"T{codes[directive_id]:06d}"
        row["search_key"] = search_key(row["code"], row["title"])
        task_writer.add(row)
        for entry in entries:
            entry["id"] = entry_id
            entry_id += 1
            entry_writer.add(entry)
        if rng.random() < 0.2:
            other = rng.choice(leaf_units)
            if other != unit_id:
                coordination.add({"task_id": task_id, "unit_id": other})
        task_id += 1
        if (number + 1) % 1000 == 0:
            tick(1000)
    for writer in (task_writer, entry_writer, coordination):
        writer.flush()
    tick(count % 1000)
    return task_writer.count, entry_writer.count


def _one_task(
    rng: random.Random,
    task_id: int,
    unit_id: int,
    leaders: dict[int, int],
    officers: dict[int, list[int]],
    directive_id: int,
    targets: list[int],
    today: date,
) -> tuple[BulkRow, list[BulkRow]]:
    """A task and its history, ending in a state that fits its deadline."""
    deadline = today + timedelta(days=rng.randint(-400, 300))
    start = deadline - timedelta(days=rng.randint(30, 240))
    leader = leaders[unit_id]
    owner = rng.choice(officers[unit_id]) if rng.random() < 0.7 else None
    past = deadline < today
    draw = rng.random()
    if past:
        outcome = (
            "on_time"
            if draw < 0.55
            else "late"
            if draw < 0.68
            else "cancelled"
            if (draw < 0.72)
            else "open"
        )
    else:
        outcome = "early" if draw < 0.2 else "open"
    created = min(start, today)
    entries = [_entry(task_id, leader, created, None, lc.NOT_STARTED, None, 0, deadline, 9)]
    status, percent = lc.NOT_STARTED, 0
    last_day = today if outcome == "open" else None
    if outcome in ("on_time", "early"):
        done = min(deadline - timedelta(days=rng.randint(0, 20)), today)
    elif outcome == "late":
        done = min(deadline + timedelta(days=rng.randint(1, 90)), today)
    else:
        done = None
    finish = done or last_day or min(deadline, today)
    reports = rng.randint(7, 10)
    span = max((finish - created).days, 1)
    for step in range(reports):
        day = created + timedelta(days=span * (step + 1) // (reports + 1))
        if day > today or (done and day >= done):
            break
        new_percent = min(90, percent + rng.randint(5, 20))
        entries.append(
            _entry(task_id, leader, day, status, lc.IN_PROGRESS, percent, new_percent, deadline, 10)
        )
        status, percent = lc.IN_PROGRESS, new_percent
    completed_on = completed_at = None
    if outcome == "cancelled":
        day = min(created + timedelta(days=span // 2 + 1), today)
        entries.append(
            _entry(task_id, leader, day, status, lc.CANCELLED, percent, percent, deadline, 11)
        )
        status = lc.CANCELLED
    elif done is not None:
        entries.append(
            _entry(task_id, leader, done, status, lc.SUBMITTED, percent, 100, deadline, 14)
        )
        verified = min(done + timedelta(days=rng.randint(0, 3)), today)
        entries.append(
            _entry(task_id, leader, verified, lc.SUBMITTED, lc.COMPLETED, 100, 100, deadline, 16)
        )
        status, percent = lc.COMPLETED, 100
        completed_on, completed_at = done, _moment(done, 14)
    _mark_superseded(entries)
    now = clock.now()
    row = {
        "id": task_id,
        "title": f"{rng.choice(TASK_VERBS)} {rng.choice(TASK_OBJECTS)} ({task_id})",
        "description": "",
        "source_clause": "",
        "directive_id": directive_id,
        "target_id": rng.choice(targets) if rng.random() < 0.6 else None,
        "parent_id": None,
        "recurring_id": None,
        "kind": "milestone" if rng.random() < 0.05 else "task",
        "lead_unit_id": unit_id,
        "owner_id": owner,
        "start_date": start,
        "deadline": deadline,
        "original_deadline": deadline,
        "status": status,
        "percent_done": percent,
        "is_key": rng.random() < 0.1,
        "confidentiality": "normal" if rng.random() < 0.95 else "confidential",
        "weight": 1,
        "completed_at": completed_at,
        "completed_on": completed_on,
        "version": len(entries),
        "created_at": _moment(created, 9),
        "updated_at": now,
    }
    return row, entries


def _mark_superseded(entries: list[BulkRow]) -> None:
    """Each entry's superseded_at (models.task.StatusUpdate): the earliest moment of the
    entries written after it, given here as the ORM's flush would."""
    earliest = None
    for entry in reversed(entries):
        entry["superseded_at"] = earliest
        moment = entry["created_at"]
        earliest = moment if earliest is None else min(earliest, moment)


def _entry(
    task_id: int,
    actor: int | None,
    day: date,
    old_status: str | None,
    new_status: str,
    old_percent: int | None,
    new_percent: int,
    deadline: date,
    hour: int,
) -> BulkRow:
    return {
        "task_id": task_id,
        "actor_id": actor,
        "created_at": _moment(day, hour),
        "old_status": old_status,
        "new_status": new_status,
        "old_percent": old_percent,
        "new_percent": new_percent,
        "deadline": deadline,
        "note": "",
        "note_code": history_notes.ASSIGNED
        if old_status is None
        else history_notes.PROGRESS_REPORTED,
    }
