"""Deadline extensions: a unit leader requests, a supervisor approves or rejects. Approval
moves the deadline and keeps the original one; every step is in the task's history. A
request still pending when its task closes lapses (`lapse_pending`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from .. import audit
from ..domain import history_notes, policy
from ..domain.days import day_problem
from ..domain.errors import InvalidInput, first_problem
from ..domain.text import N_
from ..extensions import db
from ..infra import clock
from ..models import ExtensionRequest, Task, User
from ..models.extension import APPROVED, LAPSED, PENDING, REJECTED
from ..models.task import history_note
from . import notifications

MAX_TEXT = 2000


def _snapshot(request: ExtensionRequest) -> dict[str, Any]:
    return audit.snapshot(
        request,
        (
            "task_id",
            "previous_deadline",
            "requested_deadline",
            "reason",
            "status",
            "decision_comment",
        ),
    )


def request_extension(
    actor: User, task: Task, requested_deadline: date | None, reason: str
) -> ExtensionRequest:
    policy.require(
        policy.can_request_extension(actor, task),
        N_("Only the lead unit's leader can request an extension of an open task."),
    )
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if requested_deadline is None:
        errors["deadline"] = [N_("give the new deadline")]
    elif problem := day_problem(requested_deadline):
        errors["deadline"] = [problem]
    elif requested_deadline <= task.deadline:
        errors["deadline"] = [
            N_("must be after the current deadline %(day)s").fill(day=f"{task.deadline:%d/%m/%Y}")
        ]
    if not reason:
        errors["reason"] = [N_("say why the task needs more time")]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [N_("at most %(count)s characters").fill(count=MAX_TEXT)]
    if task.pending_extension is not None:
        errors["deadline"] = [
            N_("an extension request for this task is already awaiting a decision")
        ]
    if errors:
        raise first_problem(errors, N_("The extension request was not sent: %(problem)s."))
    request = ExtensionRequest(
        task_id=task.id,
        requested_by=actor,
        previous_deadline=task.deadline,
        requested_deadline=requested_deadline,
        reason=reason,
        status=PENDING,
    )
    db.session.add(request)
    history_note(
        task,
        actor,
        history_notes.EXTENSION_REQUESTED,
        {"old": f"{task.deadline:%d/%m/%Y}", "new": f"{requested_deadline:%d/%m/%Y}"},
        reason,
    )
    db.session.flush()
    audit.record(actor, "extension.request", request, after=_snapshot(request))
    db.session.commit()
    return request


def decide_extension(
    actor: User, request: ExtensionRequest, approve: bool, comment: str
) -> ExtensionRequest:
    task = db.session.get_one(Task, request.task_id)
    if request.status == LAPSED:  # said before the policy, which refuses any closed task
        raise InvalidInput(N_("This request lapsed: its task was closed before anyone decided."))
    policy.require(
        policy.can_decide_extension(actor, task),
        N_("Only a supervisor over the lead unit, or an admin, decides extensions."),
    )
    comment = (comment or "").strip()
    if request.status != PENDING:
        raise InvalidInput(
            N_("This request was already decided (%(state)s)."), params={"state": request.status}
        )
    if not approve and not comment:
        raise InvalidInput(
            N_("Say why the extension is rejected: a comment is required."),
            field_errors={"comment": [N_("required when rejecting")]},
        )
    if len(comment) > MAX_TEXT:
        raise InvalidInput(
            N_("The comment is too long (at most %(most)s characters)."),
            params={"most": MAX_TEXT},
            field_errors={"comment": [N_("at most %(count)s characters").fill(count=MAX_TEXT)]},
        )
    before = _snapshot(request)
    request.status = APPROVED if approve else REJECTED
    request.decided_by = actor
    request.decided_at = clock.now()
    request.decision_comment = comment
    new = f"{request.requested_deadline:%d/%m/%Y}"
    if approve:
        old = task.deadline
        task.deadline = request.requested_deadline
        dates = {"old": f"{old:%d/%m/%Y}", "new": new}
        history_note(task, actor, history_notes.EXTENSION_APPROVED, dates, comment)
    else:
        history_note(task, actor, history_notes.EXTENSION_REJECTED, {"new": new}, comment)
    notifications.notify(
        f"extension.{request.status}",
        task,
        actor,
        [request.requested_by, task.owner],
        deadline=new,
        reason=comment,
    )
    db.session.flush()
    audit.record(actor, f"extension.{request.status}", request, before, _snapshot(request))
    db.session.commit()
    return request


def lapse_pending(actor: User, task: Task) -> None:
    """The task was just closed (completed or cancelled): its request still awaiting a
    decision lapses, for no one may decide it now (policy.can_decide_extension asks for an
    open task) and a closed task's deadline stays as it was. Nobody decided it: the moment
    is recorded, the decider is not; the audit event names who closed the task."""
    request = task.pending_extension
    if request is None:
        return
    before = _snapshot(request)
    request.status = LAPSED
    request.decided_at = clock.now()
    audit.record(actor, "extension.lapsed", request, before, _snapshot(request))
