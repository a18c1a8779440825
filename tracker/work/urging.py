"""Urging notices: numbered per year (2026/0042), issued by a supervisor on an overdue task,
shown on the task, in its history and in reports."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..domain import history_notes, policy
from ..domain.errors import InvalidInput
from ..domain.text import N_
from ..domain.timeliness import Timeliness
from ..extensions import db
from ..infra import clock
from ..models import Task, UrgingNotice, User
from ..models.task import history_note
from . import notifications

MAX_TEXT = 5000
ATTEMPTS = 3  # a concurrent notice may take the same number; the unique key refuses it


def issue_notice(actor: User, task: Task, text: str) -> UrgingNotice:
    is_overdue = task.timeliness(clock.today()) is Timeliness.OVERDUE
    policy.require(
        policy.can_urge(actor, task, is_overdue),
        N_("Urging notices are issued by a supervisor over the lead unit, on overdue tasks."),
    )
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        message = N_("Write the notice (1 to %(most)s characters).")
        raise InvalidInput(
            message, params={"most": MAX_TEXT}, field_errors={"text": [message.fill(most=MAX_TEXT)]}
        )
    year = clock.today().year
    for attempt in range(ATTEMPTS):
        sequence = (
            db.session.scalar(
                select(func.max(UrgingNotice.sequence)).where(UrgingNotice.year == year)
            )
            or 0
        ) + 1
        notice = UrgingNotice(
            task_id=task.id, year=year, sequence=sequence, text=text, issued_by=actor
        )
        db.session.add(notice)
        history_note(task, actor, history_notes.URGING_ISSUED, {"number": notice.number}, text)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
            task = db.session.get_one(Task, task.id)
            continue
        notifications.notify(
            "urging.issued",
            task,
            actor,
            notifications.concerned(task),
            number=notice.number,
            text=text,
        )
        audit.record(
            actor,
            "urging.issue",
            notice,
            after={"task_id": task.id, "number": notice.number, "text": text},
        )
        db.session.commit()
        return notice
    raise AssertionError("unreachable")


def notice_counts(task_ids: list[int]) -> dict[int, tuple[int, str]]:
    """For each task: how many notices, and the latest number."""
    if not task_ids:
        return {}
    rows = db.session.execute(
        select(UrgingNotice.task_id, UrgingNotice.year, UrgingNotice.sequence)
        .where(UrgingNotice.task_id.in_(task_ids))
        .order_by(UrgingNotice.id)
    )
    result: dict[int, tuple[int, str]] = {}
    for task_id, year, sequence in rows:
        count = result.get(task_id, (0, ""))[0]
        result[task_id] = (count + 1, f"{year}/{sequence:04d}")
    return result
