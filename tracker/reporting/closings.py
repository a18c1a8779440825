"""Closing a period: a supervisor (over their units) or an admin freezes a period report for
a scope. The figures are stored as they were shown, and every task of the report's scope is
copied with its state at the period's end (ClosingTask), so that nothing done later changes
the closed report; "changes since close" compares those copies with the tasks today.

The figures, the copies and the chain head recorded with them are read in one snapshot
(`snapshots.taken`): other writes go on during a close, and none of them is half in it. A
second close of the same scope meanwhile is refused by the closing's unique key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext
from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..audit import anchors
from ..domain import periods, policy
from ..domain.errors import Conflict, InvalidInput
from ..domain.text import N_
from ..extensions import db
from ..infra import clock
from ..models import ClosingTask, Directive, PeriodClosing, StatusUpdate, Task, Unit, User
from ..models.closing import ONE_CLOSING_PER_SCOPE
from ..org import lookups
from . import as_of, manifests, report_builders, snapshots, task_queries
from .report_tables import ReportTable
from .task_queries import TaskFilters, apply_filters


def scope_key(filters: TaskFilters) -> str:
    """The scope as one comparable string (directive, units, key tasks, deadline basis)."""
    return "|".join(
        (
            filters.directive or "*",
            filters.scope or "*",
            "key" if filters.key else "all",
            filters.deadline_basis,
        )
    )


def scope_in_words(key: str) -> str:
    """A scope key (`scope_key`) as the closed periods' list writes a scope, in the current
    language: "57-NQ/TW · BCT and its units · key tasks"; the key itself when it is not one."""
    parts = key.split("|")
    if len(parts) != 4:
        return key
    directive, unit, key_tasks, basis = parts
    words = [
        directive if directive != "*" else gettext("All directives"),
        gettext("%(unit)s and its units", unit=unit) if unit != "*" else gettext("all units"),
    ]
    if key_tasks == "key":
        words.append(gettext("key tasks"))
    if basis == "original":
        words.append(gettext("judged against original deadlines"))
    return " · ".join(words)


def scope_filters(filters: TaskFilters) -> TaskFilters:
    """Only the parts of the filters that make a closing's scope."""
    return TaskFilters(
        directive=filters.directive,
        scope=filters.scope,
        key=True if filters.key else None,
        deadline_basis=filters.deadline_basis,
    )


def effective_scope(user: User, filters: TaskFilters) -> TaskFilters:
    """A closing's scope: a supervisor's is within their units (their own units by default)."""
    return task_queries.counted_scope(user, scope_filters(filters))


def find(user: User, start: date, end: date, filters: TaskFilters) -> PeriodClosing | None:
    """The closing of this period for the scope `user` would close with these filters."""
    filters = effective_scope(user, filters)
    return db.session.scalar(
        select(PeriodClosing).where(
            PeriodClosing.period_start == start,
            PeriodClosing.period_end == end,
            PeriodClosing.scope_key == scope_key(filters),
        )
    )


@dataclass(frozen=True)
class Closable:
    """A close the rules allow: its scope as the closer may close it, and what it names."""

    filters: TaskFilters
    directive: Directive | None
    scope_unit: Unit | None


def check_closable(actor: User, filters: TaskFilters, start: date, end: date) -> Closable:
    """Everything a close is refused for before it reads a task: who closes, for which
    units, a code that names nothing, a period not over, a scope already closed. The close
    page asks it before queueing a close, and the close itself again when it runs."""
    policy.require(policy.can_close_period(actor), N_("Only supervisors and admins close periods."))
    filters = effective_scope(actor, filters)
    if unknown := unknown_codes(filters):
        field, code = unknown[0]
        raise InvalidInput(
            N_("No directive or unit has the code “%(code)s”: nothing was closed."),
            params={"code": code},
            field_errors={field: [N_("no such code")]},
        )
    directive = lookups.by_code(Directive, filters.directive) if filters.directive else None
    scope_unit = lookups.unit_by_code(filters.scope) if filters.scope else None
    root = policy.board_root(actor)
    if root is not None:
        policy.require(
            scope_unit is not None and scope_unit.is_within(root),
            N_("You may close periods only for your own units."),
        )
    if end >= clock.today():
        raise InvalidInput(
            N_("The period ends on %(day)s: close it once that day is over."),
            params={"day": f"{end:%d/%m/%Y}"},
            field_errors={"to": [N_("the period has not ended")]},
        )
    if find(actor, start, end, filters) is not None:
        raise Conflict(ALREADY_CLOSED)
    return Closable(filters, directive, scope_unit)


def close_period(
    actor: User,
    filters: TaskFilters,
    start: date,
    end: date,
    before_commit: Callable[[PeriodClosing], bool] | None = None,
) -> PeriodClosing:
    """Freeze the period report of `filters` for [start, end]; commits. `before_commit`
    (a job recording that it is done, in the same transaction) may still call it off:
    False rolls the close back (ClosedElsewhere)."""
    closable = check_closable(actor, filters, start, end)
    filters, directive, scope_unit = closable.filters, closable.directive, closable.scope_unit
    # The report and the tasks are read in one snapshot, whose chain head is recorded with
    # them; other writers go on meanwhile (snapshots.taken).
    with snapshots.taken() as snapshot:
        with snapshot.current():
            if find(actor, start, end, filters) is not None:
                raise Conflict(ALREADY_CLOSED)
            stamp = manifests.stamp_for(actor)
            history_mark = db.session.scalar(select(func.max(StatusUpdate.id))) or 0
            table, _ = report_builders.period_report(actor, filters, start, end, "unit")
            tasks_at_end = _tasks_at_end(actor, filters.with_(report_date=end))
        closing = PeriodClosing(
            period_start=start,
            period_end=end,
            directive=directive,
            scope_unit=scope_unit,
            key_only=bool(filters.key),
            deadline_basis=filters.deadline_basis,
            scope_key=scope_key(filters),
            closed_by=actor,
            closed_at=stamp.generated_at,
            figures={"rows": table.rows, "totals": table.totals, "summary": table.summary},
            chain_seq=stamp.chain_seq,
            chain_hash=stamp.chain_hash,
            history_mark=history_mark,
        )
        db.session.add(closing)
        try:
            db.session.flush()  # a concurrent close of the scope: waits for its commit here
        except IntegrityError as refused:
            violated = getattr(getattr(refused.orig, "diag", None), "constraint_name", None)
            if violated != ONE_CLOSING_PER_SCOPE:  # psycopg names it; SQLite queued instead
                raise
            db.session.rollback()
            raise Conflict(ALREADY_CLOSED) from None
        closing.task_count = snapshot.copy_into(
            ClosingTask.__table__, COPIED_COLUMNS, tasks_at_end, {"closing_id": closing.id}
        )
    audit.record(
        actor,
        "period.close",
        closing,
        after={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "scope": closing.scope_key,
            "tasks": closing.task_count,
            "totals": table.totals,
        },
    )
    if before_commit is not None and not before_commit(closing):
        db.session.rollback()
        raise ClosedElsewhere()
    db.session.commit()
    anchors.anchor("period.close")
    return closing


class ClosedElsewhere(Exception):
    """The close was called off at its commit: what asked for it (a job another attempt
    already finished) no longer wants it."""


def unknown_codes(filters: TaskFilters) -> list[tuple[str, str]]:
    """(field, code) of each code a scope names that names no directive or unit: a period
    of such a scope reads empty, and is not closed (closed, it froze an empty report under
    a scope no one could open again)."""
    return task_queries.codes_naming_nothing(filters, ("directive", "scope"))


ALREADY_CLOSED = N_("This period is already closed for this scope; open the closed report.")

# A closed task's columns, in the order `_tasks_at_end` selects them.
COPIED_COLUMNS = [
    "closing_id",
    "task_id",
    "code",
    "lead_unit_id",
    "status",
    "deadline",
    "percent_done",
    "timeliness",
]


def _tasks_at_end(actor: User, filters: TaskFilters) -> Select[Any]:
    """Every task of the scope as it stood at the period's end (filters.day), as rows of
    COPIED_COLUMNS; the closing's id is the parameter `closing_id`."""
    end = filters.day
    record = as_of.record_columns(end)
    rows = select(
        bindparam("closing_id", type_=Integer),
        Task.id,
        Task.code,
        Task.lead_unit_id,
        record.status,
        record.deadline,
        record.percent_done,
        record.timeliness(end, filters.deadline_basis),
    ).select_from(Task)
    return apply_filters(rows, actor, filters, record)


def frozen_table(closing: PeriodClosing) -> ReportTable:
    """The closed report as a ReportTable (for its files), with the frozen task list."""
    filters = TaskFilters(
        directive=closing.directive.code if closing.directive else None,
        scope=closing.scope_unit.code if closing.scope_unit else None,
        key=True if closing.key_only else None,
        deadline_basis=closing.deadline_basis,
    )
    columns = report_builders.period_columns("unit")
    table = ReportTable(
        kind="period",
        title=N_("Closed period report, %(period)s").fill(
            period=periods.describe_text(closing.period_start, closing.period_end)
        ),
        scope=report_builders.describe_scope(filters),
        period=f"{closing.period_start:%d/%m/%Y} – {closing.period_end:%d/%m/%Y}",
        as_of=closing.period_end,
        columns=columns,
        rows=closing.figures["rows"],
        totals=closing.figures["totals"],
        summary=[tuple(pair) for pair in closing.figures["summary"]],
    )
    table.summary.append(
        (
            N_("Closed by"),
            f"{closing.closed_by.name_and_account if closing.closed_by else '—'}, "
            f"{clock.moment_text(closing.closed_at)}",
        )
    )
    table.summary.append(
        (N_("Audit chain head at close"), f"{closing.chain_seq}:{closing.chain_hash}")
    )
    table.task_columns = FROZEN_TASK_COLUMNS
    table.task_rows = frozen_task_rows(closing)
    table.task_total = closing.task_count
    return table


def closing_label(closing: PeriodClosing) -> str:
    from ..domain import periods

    return periods.describe(closing.period_start, closing.period_end)


FROZEN_TASK_COLUMNS = report_builders.frozen_task_columns()


def frozen_task_rows(closing: PeriodClosing) -> Iterator[list[Any]]:
    statement = (
        select(
            ClosingTask.code,
            Unit.code,
            ClosingTask.status,
            ClosingTask.percent_done,
            ClosingTask.deadline,
            ClosingTask.timeliness,
        )
        .join(Unit, Unit.id == ClosingTask.lead_unit_id)
        .where(ClosingTask.closing_id == closing.id)
        .order_by(Unit.path, ClosingTask.code)
        .execution_options(yield_per=1000)
    )
    for row in db.session.execute(statement):
        yield list(row)


# A task's state as a closed report and today show it: lead unit code, status, deadline, percent.
TaskState = tuple[str, str, date, int]


@dataclass(frozen=True)
class Change:
    """One task whose state today differs from its state in the closed report."""

    task_id: int
    code: str
    then: TaskState
    now: TaskState


CHANGES_PER_PAGE = 50


def changes_since(
    closing: PeriodClosing, page: int, per_page: int = CHANGES_PER_PAGE
) -> tuple[list[Change], int]:
    """Tasks of a closed report that moved after the close: a history entry written since
    (progress, status, an extension or a deadline change, another lead unit). Each is shown
    as the closed report had it (at the period's end) and as it is now.

    Found from the entries written after the close's mark (the key's range), each task's
    frozen row looked up by its key: reading every frozen task to ask whether it moved
    took 1 s at 300,000 tasks, and grows with the data. (The app deletes no task: a task
    gone from the database by other means is not listed.)"""
    then_unit = Unit.__table__.alias("unit_then")
    moved_since = select(StatusUpdate.task_id).where(StatusUpdate.id > closing.history_mark)
    base = (
        select(ClosingTask, Task, then_unit.c.code)
        .join(Task, Task.id == ClosingTask.task_id)
        .join(then_unit, then_unit.c.id == ClosingTask.lead_unit_id)
        .where(ClosingTask.closing_id == closing.id, ClosingTask.task_id.in_(moved_since))
    )
    total = db.session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = db.session.execute(
        base.order_by(ClosingTask.code, ClosingTask.task_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    units = lookups.units_by_id(task.lead_unit_id for _, task, _ in rows)
    changes = [
        Change(
            task_id=snapshot.task_id,
            code=snapshot.code,
            then=(unit_code, snapshot.status, snapshot.deadline, snapshot.percent_done),
            now=(units[task.lead_unit_id].code, task.status, task.deadline, task.percent_done),
        )
        for snapshot, task, unit_code in rows
    ]
    return changes, total


def list_closings(user: User) -> list[PeriodClosing]:
    """Closed periods, latest period first (supervisors see those of their units)."""
    statement = select(PeriodClosing).order_by(
        PeriodClosing.period_end.desc(), PeriodClosing.id.desc()
    )
    root = policy.board_root(user)
    if root is not None:
        subtree = select(Unit.id).where(Unit.path.startswith(root.path, autoescape=True))
        statement = statement.where(PeriodClosing.scope_unit_id.in_(subtree))
    return list(db.session.scalars(statement.limit(500)))


def may_view(user: User, closing: PeriodClosing) -> bool:
    root = policy.board_root(user)
    if root is None:
        return True
    return closing.scope_unit is not None and closing.scope_unit.is_within(root)
