"""Writing tasks: create, edit (admins), and report progress through the status lifecycle.

Every write checks the version the caller saw (optimistic locking), writes its StatusUpdate
and AuditEvent in the same transaction, and commits once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from .. import audit
from ..domain import history_notes, lifecycle, policy
from ..domain.days import day_problem
from ..domain.errors import Conflict, DomainError, Forbidden, InvalidInput, first_problem, in_batch
from ..domain.text import N_
from ..extensions import db
from ..infra import clock
from ..models import Directive, StatusUpdate, Target, Task, Unit, User
from ..models.progress import write_progress
from ..models.task import history_note
from . import deadline_extensions, notifications
from .evidence import add_file, add_link, check_link, files_kept_only_on_success

TASK_FIELDS = (
    "code",
    "title",
    "description",
    "source_clause",
    "directive_id",
    "target_id",
    "parent_id",
    "kind",
    "lead_unit_id",
    "owner_id",
    "start_date",
    "deadline",
    "original_deadline",
    "status",
    "percent_done",
    "is_key",
    "weight",
    "confidentiality",
    "version",
)
MAX_NOTE_LENGTH = 5000
# Reports one request may carry (report_progress_together): one transaction of at most about
# a second on the bench's machine (about 5 ms each), well inside the worker's timeout.
MOST_REPORTS_AT_ONCE = 100


@dataclass
class TaskValues:
    """The writable fields of a task, already resolved to objects."""

    code: str
    title: str
    directive: Directive
    lead_unit: Unit
    deadline: date
    description: str = ""
    source_clause: str = ""
    target: Target | None = None
    parent: Task | None = None
    kind: str = lifecycle.KIND_TASK
    coordinating_units: list[Unit] = field(default_factory=list)
    owner: User | None = None
    start_date: date | None = None
    is_key: bool = False
    original_deadline: date | None = None
    weight: int = 1
    confidentiality: str = lifecycle.NORMAL


def _task_snapshot(task: Task) -> dict[str, Any]:
    data = audit.snapshot(task, TASK_FIELDS)
    data["coordinating_units"] = [unit.code for unit in task.coordinating_units]
    return data


def _validate(values: TaskValues, task_id: int | None) -> None:
    errors: dict[str, list[str]] = {}
    code = values.code.strip()
    if not code or len(code) > 60:
        errors["code"] = [N_("required, at most 60 characters")]
    else:
        clash = db.session.scalar(
            select(Task.id).where(Task.directive_id == values.directive.id, Task.code == code)
        )
        if clash is not None and clash != task_id:
            errors["code"] = [
                N_("directive %(directive)s already has a task “%(code)s”").fill(
                    directive=values.directive.code, code=code
                )
            ]
    if not values.title.strip():
        errors["title"] = [N_("required")]
    if values.kind not in lifecycle.TASK_KINDS:
        errors["kind"] = [
            N_("use one of: %(choices)s").fill(choices=", ".join(lifecycle.TASK_KINDS))
        ]
    for name in ("deadline", "start_date", "original_deadline"):
        if problem := day_problem(getattr(values, name)):
            errors[name] = [problem]
    if values.start_date and values.deadline < values.start_date:
        errors["deadline"] = [N_("the deadline cannot be before the start date")]
    if values.target is not None and values.target.directive_id != values.directive.id:
        errors["target"] = [N_("the target belongs to another directive")]
    if values.parent is not None and (
        values.parent.directive_id != values.directive.id or values.parent.id == task_id
    ):
        errors["parent"] = [N_("the parent task must be another task of the same directive")]
    if values.confidentiality not in lifecycle.CONFIDENTIALITY:
        errors["confidentiality"] = [
            N_("use one of: %(choices)s").fill(choices=", ".join(lifecycle.CONFIDENTIALITY))
        ]
    if not 1 <= values.weight <= 1000:
        errors["weight"] = [N_("a whole number from 1 to 1000")]
    ancestor = values.parent
    while ancestor is not None and task_id is not None:
        if ancestor.id == task_id:
            errors["parent"] = [N_("a task cannot be placed under its own subtask")]
            break
        ancestor = ancestor.parent
    if values.lead_unit in values.coordinating_units:
        errors["coordinating_units"] = [N_("the lead unit cannot also be a coordinating unit")]
    elif len({unit.id for unit in values.coordinating_units}) < len(values.coordinating_units):
        errors["coordinating_units"] = [N_("name each coordinating unit once")]
    if errors:
        raise first_problem(errors)


def _apply(task: Task, values: TaskValues) -> None:
    task.code = values.code.strip()
    task.title = values.title.strip()
    task.description = values.description
    task.source_clause = values.source_clause
    task.directive = values.directive
    task.target = values.target
    task.parent = values.parent
    task.kind = values.kind
    task.lead_unit = values.lead_unit
    task.coordinating_units = list(values.coordinating_units)
    task.owner = values.owner
    task.start_date = values.start_date
    task.deadline = values.deadline
    task.is_key = values.is_key
    task.weight = values.weight
    task.confidentiality = values.confidentiality


def add_task(values: TaskValues, actor: User | None) -> Task:
    """Validate and add a task with its first history entry (flush only)."""
    _validate(values, None)
    task = Task(status=lifecycle.NOT_STARTED, percent_done=0)
    _apply(task, values)
    task.original_deadline = values.original_deadline or values.deadline
    db.session.add(task)
    db.session.flush()
    db.session.add(
        StatusUpdate(
            task=task,
            actor=actor,
            old_status=None,
            new_status=task.status,
            old_percent=None,
            new_percent=0,
            note="",
            note_code=history_notes.ASSIGNED,
        )
    )
    _roll_up(task.parent, actor)
    if task.owner is not None:
        _tell_owner(task, actor)
    return task


def _tell_owner(task: Task, actor: User | None) -> None:
    """Notify the task's owner that it is theirs now."""
    notifications.notify(
        "task.assigned", task, actor, [task.owner], deadline=f"{task.deadline:%d/%m/%Y}"
    )


def _owner_changed(task: Task, actor: User | None, old_owner: User | None) -> None:
    """After the task's owner changed from `old_owner` (flush only): its history says to
    whom it was given, or from whom it was taken back; the new owner is told it is theirs,
    the previous one that it is not any more (it left their *Assigned to me*)."""
    if task.owner is not None:
        history_note(task, actor, history_notes.GIVEN, {"name": task.owner.name})
        _tell_owner(task, actor)
    elif old_owner is not None:
        history_note(task, actor, history_notes.TAKEN_BACK, {"name": old_owner.name})
    if old_owner is not None:
        notifications.notify("task.taken_from_you", task, actor, [old_owner])


def _tell_lead_unit(task: Task, actor: User | None) -> None:
    """Notify the lead unit's leaders that their unit has the task now (its owner, told
    that it is theirs, is not told twice)."""
    leaders = [leader for leader in notifications.unit_leaders(task) if leader != task.owner]
    notifications.notify(
        "task.given_to_unit",
        task,
        actor,
        leaders,
        unit=task.lead_unit.code,
        deadline=f"{task.deadline:%d/%m/%Y}",
    )


def tell_lead_units_of_import(actor: User, new_tasks: list[Task]) -> None:
    """Tell each lead unit's leaders, once, how many tasks an import gave their unit and of
    which directives (flush only; the owners it named were told of theirs)."""
    by_unit: dict[int, list[Task]] = {}
    for task in new_tasks:
        by_unit.setdefault(task.lead_unit_id, []).append(task)
    leaders = notifications.leaders_of_units(by_unit)
    for unit_id, given in by_unit.items():
        notifications.notify(
            "tasks.imported",
            None,
            actor,
            leaders.get(unit_id, []),
            unit=given[0].lead_unit.code,
            count=len(given),
            directives=", ".join(sorted({task.directive.code for task in given})),
        )


def create_task(actor: User, values: TaskValues) -> Task:
    if not policy.can_create_task(actor, values.lead_unit):
        raise Forbidden(
            N_("You may not create tasks led by %(code)s."), params={"code": values.lead_unit.code}
        )
    if values.parent is not None and not policy.can_place_under(actor, values.parent):
        # The same answer as for a task that does not exist: a refusal tells nothing of it.
        raise InvalidInput(
            N_("The request names records that do not exist."),
            field_errors={"parent": [N_("no such task")]},
        )
    if values.owner is not None and not policy.can_assign_owner(actor, values.owner):
        raise InvalidInput(
            N_("%(name)s is not in your units: a task's owner is someone of your units."),
            params={"name": values.owner.username},
            field_errors={"owner": [N_("not in your units")]},
        )
    task = add_task(values, actor)
    _tell_lead_unit(task, actor)
    db.session.flush()
    audit.record(actor, "task.create", task, after=_task_snapshot(task))
    db.session.commit()
    return task


def _check_version(task: Task, expected_version: int | None) -> None:
    if expected_version is None or int(expected_version) != task.version:
        raise Conflict(
            N_(
                "Task %(code)s was changed by someone else since you opened it (you had "
                "version %(yours)s, it is now at version %(now)s). Nothing was saved: reload "
                "the task, check the latest changes and try again."
            ),
            params={"code": task.code, "yours": expected_version, "now": task.version},
        )


def rolled_up_percent(parent: Task) -> int:
    """The weighted average of the children's percent done; cancelled children left out."""
    counted = [c for c in parent.children if c.status != lifecycle.CANCELLED]
    total_weight = sum(c.weight for c in counted)
    if not total_weight:
        return parent.percent_done
    return round(sum(c.percent_done * c.weight for c in counted) / total_weight)


def _roll_up(parent: Task | None, actor: User | None) -> None:
    """Carry a child's change up the chain of parents (flush only). A parent whose percent
    moves gets its own history entry and audit event, like any other change of a task."""
    while parent is not None:
        if parent.status in lifecycle.OPEN_STATUSES and parent.status != lifecycle.SUBMITTED:
            old, new = parent.percent_done, rolled_up_percent(parent)
            if new != old:
                parent.percent_done = new
                history_note(
                    parent, actor, history_notes.ROLLED_UP, {"old": str(old), "new": str(new)}
                )
                db.session.flush()
                audit.record(
                    actor,
                    "task.rolled_up",
                    parent,
                    {"percent_done": old},
                    {"percent_done": new},
                )
        parent = parent.parent
    db.session.flush()


# What PostgreSQL says when it broke a lock cycle (deadlock_detected) or refused a
# serialisation: the transaction was rolled back, and trying again will do.
_LOST_RACE_STATES = {"40P01", "40001"}


@contextmanager
def _write_or_conflict(*tasks: Task) -> Iterator[None]:
    """Commit the block's changes; a concurrent writer that won the race rolls them all back.

    What the block wrote stays loaded after the commit, so that the answer (the task as
    written) is not read back: four statements of an update. History entries are the
    exception: their superseded moment is set by a statement of its own (mark_superseded),
    so they are read again if shown.

    The race is lost either on a task's version (another writer committed it first) or, when
    the block writes several tasks, on a lock cycle the database broke (two writers each
    waiting for a row the other holds): both are a 409, nothing saved."""
    codes = ", ".join(task.code for task in tasks)
    session = db.session()
    expires_on_commit = session.expire_on_commit
    try:
        yield
        session.expire_on_commit = False
        session.commit()
        for entry in [o for o in session.identity_map.values() if isinstance(o, StatusUpdate)]:
            session.expire(entry)
    except (StaleDataError, OperationalError) as lost:
        if isinstance(lost, OperationalError) and (
            getattr(lost.orig, "sqlstate", None) not in _LOST_RACE_STATES
        ):
            raise
        db.session.rollback()
        several = N_(
            "One of tasks %(code)s was changed by someone else at the same moment. "
            "Nothing was saved: reload them and try again."
        )
        one = N_(
            "Task %(code)s was changed by someone else at the same moment. Nothing was "
            "saved: reload the task and try again."
        )
        raise Conflict(several if len(tasks) > 1 else one, params={"code": codes}) from lost
    finally:
        session.expire_on_commit = expires_on_commit


def edit_task(actor: User, task: Task, expected_version: int | None, values: TaskValues) -> Task:
    """An admin's edit of a task's fields; a deadline change is logged as such."""
    policy.require(
        policy.can_edit_task(actor, task), N_("Only an administrator edits task fields.")
    )
    _check_version(task, expected_version)
    _validate(values, task.id)
    before = _task_snapshot(task)
    old_deadline, old_parent, old_owner = task.deadline, task.parent, task.owner
    old_lead_unit = task.lead_unit
    with _write_or_conflict(task):
        _apply(task, values)
        db.session.flush()
        _roll_up(old_parent, actor)
        _roll_up(task.parent, actor)
        if values.original_deadline is not None:
            task.original_deadline = values.original_deadline
        db.session.flush()
        changed = task.deadline != old_deadline
        if changed:
            # The history holds the deadline in force at every moment (as-of reports).
            dates = {"old": f"{old_deadline:%d/%m/%Y}", "new": f"{task.deadline:%d/%m/%Y}"}
            history_note(task, actor, history_notes.DEADLINE_CHANGED, dates)
            notifications.notify(
                "deadline.changed", task, actor, notifications.concerned(task), **dates
            )
            db.session.flush()
        if task.owner != old_owner:
            _owner_changed(task, actor, old_owner)
        if task.lead_unit != old_lead_unit:
            # Its history says where it went (and a closed period finds it among what
            # moved since, from the entries written after the close).
            units = {"old": old_lead_unit.code, "new": task.lead_unit.code}
            history_note(task, actor, history_notes.LEAD_UNIT_CHANGED, units)
            _tell_lead_unit(task, actor)
        action = "task.deadline_changed_by_admin" if changed else "task.update"
        audit.record(actor, action, task, before, _task_snapshot(task))
    return task


WHO_GIVES = N_("A task is given to someone by its lead unit's leader, a supervisor or an admin.")


def give_to(actor: User, task: Task, expected_version: int | None, owner: User | None) -> Task:
    """Give an open task to someone of its lead unit, or to nobody (commits): see `_give`.
    Giving it to its owner again changes nothing."""
    _check_giving(actor, task, expected_version, owner)
    if owner == task.owner:
        return task
    with _write_or_conflict(task):
        _give(actor, task, owner)
    return task


@dataclass(frozen=True)
class Giving:
    """One task of a batch given to someone (`give_together`); `place` is its row."""

    task: Task
    expected_version: int | None
    owner: User | None
    place: int = 0


def give_together(actor: User, givings: Sequence[Giving]) -> None:
    """Several tasks given at once (a unit leader sharing out an import's tasks): every one
    written, or none — each with its history entry, notifications and audit event, as if
    given one by one, in task id order (see `report_progress_together`). A giving the rules
    refuse is raised naming its place (errors.in_batch); nothing is then saved."""
    if len(givings) > MOST_REPORTS_AT_ONCE:
        raise InvalidInput(
            N_("At most %(count)s tasks may be given at once."),
            params={"count": MOST_REPORTS_AT_ONCE},
        )
    for giving in givings:
        try:
            _check_giving(actor, giving.task, giving.expected_version, giving.owner)
        except DomainError as refused:
            raise in_batch(refused, giving.place, giving.task.code) from refused
    if len({giving.task.id for giving in givings}) != len(givings):
        raise InvalidInput(N_("The form was not sent whole: reload the page and try again."))
    changed = [giving for giving in givings if giving.owner != giving.task.owner]
    in_order = sorted(changed, key=lambda giving: giving.task.id)
    with _write_or_conflict(*(giving.task for giving in changed)), audit.chained_together():
        for giving in in_order:
            _give(actor, giving.task, giving.owner)


def _check_giving(
    actor: User, task: Task, expected_version: int | None, owner: User | None
) -> None:
    """Refuse a giving the rules do not allow: see `policy.can_give_to_someone`; the owner
    must be an active person of the lead unit, and the task as the giver saw it."""
    policy.require(policy.can_give_to_someone(actor, task), WHO_GIVES)
    _check_version(task, expected_version)
    if owner is not None and (not owner.active or owner.unit_id != task.lead_unit_id):
        raise InvalidInput(
            N_("%(name)s is not in %(code)s: a task is given to someone of its lead unit."),
            params={"name": owner.username, "code": task.lead_unit.code},
            field_errors={"owner": [N_("not in the lead unit")]},
        )


def _give(actor: User, task: Task, owner: User | None) -> None:
    """Write the task's new owner (flush only): see `_owner_changed`; the audit trail
    records who had it before."""
    before, old_owner = {"owner_id": task.owner_id}, task.owner
    task.owner = owner
    db.session.flush()
    _owner_changed(task, actor, old_owner)
    audit.record(actor, "task.given", task, before, {"owner_id": task.owner_id})


def _submission_moment(task: Task) -> datetime | None:
    """When the unit last reported the task done: the completion date verification confirms."""
    return db.session.scalar(
        select(StatusUpdate.created_at)
        .where(StatusUpdate.task_id == task.id, StatusUpdate.new_status == lifecycle.SUBMITTED)
        .order_by(StatusUpdate.id.desc())
        .limit(1)
    )


def apply_progress(
    actor: User,
    task: Task,
    expected_version: int | None,
    status: str,
    percent_done: int | None,
    note: str = "",
    evidence_url: str = "",
    evidence_file: FileStorage | None = None,
    written: list[Path] | None = None,
    note_code: str | None = None,
) -> StatusUpdate:
    """Change status and/or percent done, add a note and evidence: one StatusUpdate, its
    Evidence rows and one AuditEvent (flush only; `report_progress` commits).

    A submission needs a result note and at least one piece of evidence, given now or
    attached to the task before."""
    policy.require(
        policy.can_view_task(actor, task) and not policy.is_read_only(actor),
        N_("You may not change this task."),
    )
    _check_version(task, expected_version)
    old_status, old_percent = task.status, task.percent_done
    lifecycle.check_transition(old_status, status)
    allowed = policy.allowed_statuses(actor, task)
    if status not in allowed:
        if not allowed:
            raise Forbidden(
                N_("You may not report progress on task %(code)s."), params={"code": task.code}
            )
        raise Forbidden(
            N_("You may not move task %(code)s to “%(status)s”."),
            params={"code": task.code, "status": lifecycle.STATUS_LABELS[status]},
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            N_("The note is too long (%(length)s characters; at most %(most)s)."),
            params={"length": len(note), "most": MAX_NOTE_LENGTH},
            field_errors={"note": [N_("at most %(count)s characters").fill(count=MAX_NOTE_LENGTH)]},
        )
    evidence_url = (evidence_url or "").strip()
    if evidence_url:
        check_link(evidence_url)
    has_file = evidence_file is not None and bool(evidence_file.filename)
    new_evidence = bool(evidence_url) or has_file
    if percent_done is None:
        percent_done = old_percent
    if not lifecycle.percent_in_range(percent_done):
        raise InvalidInput(
            N_("Percent done must be between 0 and 100."),
            field_errors={"progress": [N_("must be between 0 and 100")]},
        )
    open_children = [c.code for c in task.children if c.status in lifecycle.OPEN_STATUSES]
    closing = status in (lifecycle.SUBMITTED, lifecycle.COMPLETED) and status != old_status
    if closing and open_children:
        raise InvalidInput(
            N_(
                "Task %(code)s cannot be marked “%(status)s” while its subtasks are open: %(open)s."
            ),
            params={
                "code": task.code,
                "status": lifecycle.STATUS_LABELS[status],
                "open": ", ".join(open_children),
            },
            field_errors={"status": [N_("subtasks are still open")]},
        )
    if task.children:
        percent_done = rolled_up_percent(task)  # a parent's progress is its children's
    if status in (lifecycle.SUBMITTED, lifecycle.COMPLETED):
        percent_done = 100
    if old_status == lifecycle.SUBMITTED and status == lifecycle.IN_PROGRESS and not note:
        raise InvalidInput(
            N_("Say why the task is sent back: a note is required."),
            field_errors={"note": [N_("required when sending a task back")]},
        )
    if status == lifecycle.SUBMITTED and status != old_status:
        if not note:
            raise InvalidInput(
                N_("Describe the result: a submission needs a result note."),
                field_errors={"note": [N_("required when submitting")]},
            )
        if not new_evidence and not task.evidence:
            raise InvalidInput(
                N_(
                    "Attach evidence of the result (a file or a link to the output document) "
                    "before submitting."
                ),
                field_errors={
                    "evidence": [N_("a submission needs at least one piece of evidence")]
                },
            )
    if status == old_status and percent_done == old_percent and not note and not new_evidence:
        raise InvalidInput(N_("Nothing to save: change the status or percent, or add a note."))

    before = _task_snapshot(task)
    submitted_at = _submission_moment(task) if status == lifecycle.COMPLETED else None
    progress: dict[str, Any] = {"status": status, "percent_done": percent_done}
    if status == lifecycle.COMPLETED:
        completed_at = submitted_at or clock.now()
        progress |= {"completed_at": completed_at, "completed_on": clock.local_day(completed_at)}
    write_progress(task, progress)
    update = StatusUpdate(
        task_id=task.id,
        actor=actor,
        old_status=old_status,
        new_status=status,
        old_percent=old_percent,
        new_percent=percent_done,
        note=note,
        note_code=note_code,
        evidence=[],  # new: nothing to read (the evidence added below joins it)
    )
    # The entry knows its task without joining the task's list of entries, which would put
    # the task (written above by write_progress) back into the flush of the entry; a list
    # read before is read again where shown.
    set_committed_value(update, "task", task)
    if "updates" not in inspect(task).unloaded:
        db.session.expire(task, ["updates"])
    db.session.add(update)
    if old_status == lifecycle.SUBMITTED and status == lifecycle.IN_PROGRESS:
        notifications.notify(
            "task.sent_back", task, actor, notifications.concerned(task), reason=note
        )
    db.session.flush()
    if evidence_file is not None and has_file:
        files = written if written is not None else []
        add_file(task, actor, evidence_file, files, update)
    if evidence_url:
        add_link(task, actor, evidence_url, update)
    _roll_up(task.parent, actor)
    if status != old_status and status not in lifecycle.OPEN_STATUSES:
        deadline_extensions.lapse_pending(actor, task)
    action = "task.status_changed" if status != old_status else "task.progress_reported"
    after = _task_snapshot(task) | {
        "note": note,
        "evidence": [e.label for e in update.evidence],
    }
    audit.record(actor, action, task, before, after)
    return update


def report_progress(
    actor: User,
    task: Task,
    expected_version: int | None,
    status: str,
    percent_done: int | None,
    note: str = "",
    evidence_url: str = "",
    evidence_file: FileStorage | None = None,
) -> StatusUpdate:
    """`apply_progress` as one unit of work: committed, or nothing at all (files included)."""
    with files_kept_only_on_success() as written, _write_or_conflict(task):
        update = apply_progress(
            actor,
            task,
            expected_version,
            status,
            percent_done,
            note,
            evidence_url,
            evidence_file,
            written,
        )
    return update


@dataclass(frozen=True)
class ProgressReport:
    """One task's report among several sent together (the fields of one update)."""

    task: Task
    expected_version: int | None
    status: str
    percent_done: int | None
    note: str = ""
    evidence_url: str = ""
    # Where the person sent it (counted from 0), as a refusal names it: its place in the
    # request's list, or its row on a page that leaves out the rows it did not change.
    place: int = field(kw_only=True)


def report_progress_together(actor: User, reports: Sequence[ProgressReport]) -> None:
    """Several tasks' progress as one unit of work: every report committed, or none — each
    with its own history entry and audit event, as if sent one by one.

    The reports are written in task id order, so that two batches sharing tasks lock their
    rows in the same order and one waits for the other. A report the rules refuse is raised
    naming its place (errors.in_batch); nothing is then saved."""
    if len(reports) > MOST_REPORTS_AT_ONCE:
        raise InvalidInput(
            N_("At most %(count)s tasks may be reported at once."),
            params={"count": MOST_REPORTS_AT_ONCE},
        )
    seen: set[int] = set()
    for report in reports:
        if report.task.id in seen:
            refused = InvalidInput(
                N_("The task is already reported earlier in this request: send it once."),
                field_errors={"task_id": [N_("given twice")]},
            )
            raise in_batch(refused, report.place, report.task.code)
        seen.add(report.task.id)
    in_order = sorted(reports, key=lambda report: report.task.id)
    with _write_or_conflict(*(report.task for report in reports)), audit.chained_together():
        for report in in_order:
            try:
                apply_progress(
                    actor,
                    report.task,
                    report.expected_version,
                    report.status,
                    report.percent_done,
                    report.note,
                    report.evidence_url,
                )
            except DomainError as refused:
                db.session.rollback()
                raise in_batch(refused, report.place, report.task.code) from refused
