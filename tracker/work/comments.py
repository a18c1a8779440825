"""The comment thread of a task, with difficulties that stay open until a supervisor answers."""

from __future__ import annotations

from .. import audit
from ..domain import policy
from ..domain.errors import InvalidInput
from ..domain.text import N_
from ..extensions import db
from ..infra import clock
from ..models import Comment, Task, User
from ..models.comment import COMMENT_KINDS, OBSTACLE
from . import notifications

MAX_BODY = 5000


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(N_("Write the text first."), field_errors={field: [N_("required")]})
    if len(text) > MAX_BODY:
        raise InvalidInput(
            N_("The text is too long (%(length)s characters; at most %(most)s)."),
            params={"length": len(text), "most": MAX_BODY},
            field_errors={field: [N_("at most %(count)s characters").fill(count=MAX_BODY)]},
        )
    return text


def post_comment(actor: User, task: Task, body: str, kind: str = "comment") -> Comment:
    policy.require(policy.can_comment(actor, task), N_("You may not comment on this task."))
    if kind not in COMMENT_KINDS:
        raise InvalidInput(
            N_("Unknown kind %(kind)r; use comment or obstacle."),
            params={"kind": kind},
            field_errors={"kind": [N_("use comment or obstacle")]},
        )
    comment = Comment(task_id=task.id, author=actor, kind=kind, body=_text(body, "body"))
    db.session.add(comment)
    db.session.flush()
    audit.record(actor, f"{kind}.add", comment, after={"task_id": task.id, "body": comment.body})
    db.session.commit()
    return comment


def answer_obstacle(actor: User, comment: Comment, answer: str) -> Comment:
    task = db.session.get_one(Task, comment.task_id)
    policy.require(
        policy.can_answer_obstacle(actor, task),
        N_("Only a supervisor over the lead unit, or an admin, answers difficulties."),
    )
    if comment.kind != OBSTACLE:
        raise InvalidInput(N_("Only a reported difficulty gets an answer; reply with a comment."))
    if comment.answered_at is not None:
        raise InvalidInput(N_("This difficulty was already answered."))
    comment.answer = _text(answer, "answer")
    comment.answered_by = actor
    comment.answered_at = clock.now()
    notifications.notify("obstacle.answered", task, actor, [comment.author], answer=comment.answer)
    db.session.flush()
    audit.record(
        actor, "obstacle.answer", comment, after={"task_id": task.id, "answer": comment.answer}
    )
    db.session.commit()
    return comment
