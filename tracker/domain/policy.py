"""Who may do what: the one policy module that views, the API, services and templates share.

Predicates (`can_*`) answer True/False and never touch the session; `require()` turns a False
into `Forbidden`. The visibility rules are written again as SQL conditions, for lists,
boards, reports and exports, in models/scopes.py (beside the models they filter: the domain
imports no model); tests/test_policy.py proves each pair agrees.

The rules (the README's "Roles" table says the same to people):

- admin: manages units, users, directives, targets and tasks; acts on any task.
- auditor: reads everything and exports; every write is refused.
- supervisor: acts on tasks whose lead unit lies in their unit's subtree: reports progress,
  verifies submitted tasks, cancels, creates tasks there.
- unit leader: reports progress on tasks whose lead unit is their own unit, and gives them
  to someone of the unit (the owner).
- deputy: a person of the unit named by its leader for a date range acts, in it, with the
  leader's rights on the unit's tasks (`user.deputy_for`, set per request from the
  delegations in force; their visibility is the unit's already).
- officer: reports progress on tasks assigned to them personally.
- everyone who is not admin or auditor *sees* tasks led within their unit's subtree, tasks
  their unit coordinates, and tasks assigned to them.
- coordinating units comment and attach evidence; they do not change status or deadline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import Forbidden
from .lifecycle import (
    CANCEL_MOVES,
    CANCELLED,
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    OPEN_STATUSES,
    REPORT_MOVES,
    STATUSES,
    SUBMITTED,
    VERIFY_MOVES,
)
from .roles import ADMIN, AUDITOR, OFFICER, READ_ALL_ROLES, SUPERVISOR, UNIT_LEADER
from .text import N_

if TYPE_CHECKING:
    from ..models import Task, Unit, User


def require(allowed: bool, message: str = N_("You are not allowed to do that.")) -> None:
    """Raise Forbidden unless `allowed`."""
    if not allowed:
        raise Forbidden(message)


def _in_subtree(unit: Unit, root: Unit) -> bool:
    return unit.is_within(root)


def _active(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.active


# --- reading -----------------------------------------------------------------------------


def can_view_task(user: User, task: Task) -> bool:
    if not _active(user):
        return False
    if user.role in READ_ALL_ROLES:
        return True
    return (
        _in_subtree(task.lead_unit, user.unit)
        or task.owner_id == user.id
        or _coordinates(user, task)
    )


def sees_every_task(user: User) -> bool:
    """Whether every task there is is one `user` may see (an admin, an auditor): a list
    that is empty for them is empty, not hidden."""
    return _active(user) and user.role in READ_ALL_ROLES


def can_view_board(user: User) -> bool:
    """The overdue board: supervisors over their subtree; admins and auditors over all."""
    return _active(user) and user.role in (ADMIN, SUPERVISOR, AUDITOR)


def can_view_reports(user: User) -> bool:
    """Directive progress reports and their exports."""
    return _active(user) and user.role in (ADMIN, SUPERVISOR, AUDITOR)


def can_view_audit(user: User) -> bool:
    """Browse and export the audit trail: auditors and admins."""
    return _active(user) and user.role in (ADMIN, AUDITOR)


def can_close_period(user: User) -> bool:
    """Freeze a period report: supervisors (for their units) and admins."""
    return _active(user) and user.role in (ADMIN, SUPERVISOR)


def can_export(user: User) -> bool:
    return can_view_reports(user)


def can_see_job(user: User, requested_by_id: int | None) -> bool:
    """A background job, its progress and its file: the person who asked, and admins."""
    return _active(user) and (user.id == requested_by_id or user.role == ADMIN)


def can_read_manifest(user: User, generated_by_id: int | None) -> bool:
    """A manifest says who exported what with which filters: its maker, admins and
    auditors read it; other supervisors do not."""
    return can_export(user) and (user.role in (ADMIN, AUDITOR) or generated_by_id == user.id)


def can_view_unit_tasks(user: User) -> bool:
    """The "My unit" page: anyone who belongs to a unit and reports on its work."""
    return _active(user) and user.role in (UNIT_LEADER, OFFICER, SUPERVISOR, ADMIN)


# --- acting on a task --------------------------------------------------------------------


def _supervises(user: User, task: Task) -> bool:
    return user.role == SUPERVISOR and _in_subtree(task.lead_unit, user.unit)


def _leads(user: User, task: Task) -> bool:
    """The leader of the task's lead unit, or their deputy while the delegation is in force."""
    return _leads_unit(user, task.lead_unit_id)


def _leads_unit(user: User, unit_id: int | None) -> bool:
    """The unit's leader, or their deputy while the delegation is in force."""
    return (user.role == UNIT_LEADER and unit_id == user.unit_id) or unit_id in getattr(
        user, "deputy_for", {}
    )


def can_report_progress(user: User, task: Task) -> bool:
    """Change status, percent done and add a note, within the lifecycle moves of reporting."""
    if not _active(user) or task.status not in OPEN_STATUSES:
        return False
    if user.role == ADMIN or _supervises(user, task) or _leads(user, task):
        return True
    if user.role == OFFICER:
        return task.owner_id == user.id
    return False


def can_verify(user: User, task: Task) -> bool:
    """Accept a submitted task as completed, or send it back."""
    return (
        _active(user)
        and task.status == SUBMITTED
        and (user.role == ADMIN or _supervises(user, task))
    )


def can_cancel(user: User, task: Task) -> bool:
    return (
        _active(user)
        and task.status in OPEN_STATUSES
        and (user.role == ADMIN or _supervises(user, task))
    )


def allowed_statuses(user: User, task: Task) -> list[str]:
    """The statuses `user` may move `task` to (its current status included when they may report)."""
    targets: set[str] = set()
    if can_report_progress(user, task):
        targets.add(task.status)
        targets |= {new for old, new in REPORT_MOVES if old == task.status}
    if can_verify(user, task):
        targets |= {new for old, new in VERIFY_MOVES if old == task.status}
    if can_cancel(user, task):
        targets |= {new for old, new in CANCEL_MOVES if old == task.status}
    return [status for status in STATUSES if status in targets]


def can_update_task(user: User, task: Task) -> bool:
    """Anything at all on the progress form."""
    return bool(allowed_statuses(user, task))


def _coordinates(user: User, task: Task) -> bool:
    return any(unit.id == user.unit_id for unit in task.coordinating_units)


def can_contribute(user: User, task: Task) -> bool:
    """Comment on a task and attach evidence: whoever reports on it or verifies it, and the
    coordinating units (who may not change its status or deadline)."""
    if not _active(user) or user.role == AUDITOR or task.status == CANCELLED:
        return False
    return (
        user.role == ADMIN
        or _supervises(user, task)
        or _leads(user, task)
        or task.owner_id == user.id
        or _coordinates(user, task)
    )


def can_comment(user: User, task: Task) -> bool:
    return can_contribute(user, task)


def can_answer_obstacle(user: User, task: Task) -> bool:
    """Answer a reported difficulty: a supervisor over the lead unit, or an admin."""
    return _active(user) and (user.role == ADMIN or _supervises(user, task))


def can_attach_evidence(user: User, task: Task) -> bool:
    return can_contribute(user, task) and task.status != COMPLETED


def can_request_extension(user: User, task: Task) -> bool:
    """A unit leader asks for a later deadline on their unit's open task."""
    return _active(user) and _leads(user, task) and task.status in (NOT_STARTED, IN_PROGRESS)


def can_decide_extension(user: User, task: Task) -> bool:
    """Approve or reject an extension request: a supervisor over the lead unit, or an admin."""
    return (
        _active(user)
        and task.status in OPEN_STATUSES
        and (user.role == ADMIN or _supervises(user, task))
    )


def can_urge(user: User, task: Task, is_overdue: bool) -> bool:
    """Issue an urging notice: a supervisor over the lead unit (or an admin), overdue tasks."""
    return is_overdue and _active(user) and (user.role == ADMIN or _supervises(user, task))


def can_view_verification_queue(user: User) -> bool:
    return _active(user) and user.role in (ADMIN, SUPERVISOR)


def can_create_task(user: User, lead_unit: Unit) -> bool:
    if not _active(user):
        return False
    return user.role == ADMIN or (user.role == SUPERVISOR and _in_subtree(lead_unit, user.unit))


def can_place_under(user: User, parent: Task) -> bool:
    """Create a subtask under `parent` (which changes the parent's percent): only someone
    who sees the parent and may create tasks led by its lead unit."""
    return can_view_task(user, parent) and can_create_task(user, parent.lead_unit)


def can_assign_owner(user: User, owner: User) -> bool:
    """Name `owner` as a new task's owner (who then sees it, works on it and is reminded of
    it): admins anyone; supervisors someone of their own units."""
    if not _active(user):
        return False
    return user.role == ADMIN or (
        user.role == SUPERVISOR and owner.unit is not None and _in_subtree(owner.unit, user.unit)
    )


def can_give_to_someone(user: User, task: Task) -> bool:
    """Choose who of the lead unit works on an open task (its owner), or take it back: the
    lead unit's leader (or their deputy), a supervisor over it, an admin."""
    if not _active(user) or task.status not in OPEN_STATUSES:
        return False
    return user.role == ADMIN or _supervises(user, task) or _leads(user, task)


def can_give_in_own_unit(user: User) -> bool:
    """The page that gives several of the user's own unit's open tasks at once: whoever may
    give that unit's tasks (`can_give_to_someone`) — its leader or their deputy, a
    supervisor (their unit is among their units), an admin."""
    return _active(user) and (user.role in (SUPERVISOR, ADMIN) or _leads_unit(user, user.unit_id))


def can_edit_task(user: User, task: Task) -> bool:
    """Edit a task's fields (title, units, owner, dates): admins only."""
    return _active(user) and user.role == ADMIN


# --- administration ----------------------------------------------------------------------


def can_name_deputy(user: User, leader: User) -> bool:
    """Name a deputy for `leader`: the leader themselves, or an admin for them."""
    return (
        _active(user)
        and leader.role == UNIT_LEADER
        and (user.role == ADMIN or user.id == leader.id)
    )


def can_view_delegations(user: User) -> bool:
    """The delegations page: leaders (their own), supervisors (their subtree's), admins."""
    return _active(user) and user.role in (ADMIN, SUPERVISOR, UNIT_LEADER, OFFICER)


def can_manage_users(user: User) -> bool:
    return _active(user) and user.role == ADMIN


def can_manage_units(user: User) -> bool:
    return _active(user) and user.role == ADMIN


def can_record_target_value(user: User) -> bool:
    """Record a measured value of a target's indicator: admins and supervisors."""
    return _active(user) and user.role in (ADMIN, SUPERVISOR)


def can_import(user: User) -> bool:
    """Import directives, targets and tasks (admins) or tasks and progress (supervisors);
    every row is still checked against the rules above."""
    return _active(user) and user.role in (ADMIN, SUPERVISOR)


def can_manage_directives(user: User) -> bool:
    return _active(user) and user.role == ADMIN


def is_read_only(user: User) -> bool:
    return user.role == AUDITOR


# --- scope helpers for the SQL twins (models/scopes.py) ---------------------------------------


def sees_whole_subtree(user: User, unit_path: str) -> bool:
    """Whether every task led by a unit in the subtree at `unit_path` is one `user` may see:
    then a query already narrowed to that subtree needs no scopes.task_scope_clause."""
    return user.role in READ_ALL_ROLES or unit_path.startswith(user.unit.path)


def board_root(user: User) -> Unit | None:
    """The subtree an overdue board covers: None means the whole tree."""
    if user.role in READ_ALL_ROLES:
        return None
    return user.unit
