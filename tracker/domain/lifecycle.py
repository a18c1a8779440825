"""Task status lifecycle: the statuses, their labels, and which moves are legal.

not_started → in_progress → submitted → completed, plus cancelled. `submitted`
means the unit reports the task done; only a supervisor's verification makes it
`completed`, or sends it back to `in_progress`.
"""

from __future__ import annotations

from .errors import InvalidTransition
from .text import N_

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
COMPLETED = "completed"
CANCELLED = "cancelled"

STATUSES = (NOT_STARTED, IN_PROGRESS, SUBMITTED, COMPLETED, CANCELLED)
OPEN_STATUSES = (NOT_STARTED, IN_PROGRESS, SUBMITTED)
STATUS_LABELS = {
    NOT_STARTED: N_("Not started"),
    IN_PROGRESS: N_("In progress"),
    SUBMITTED: N_("Submitted, awaiting verification"),
    COMPLETED: N_("Completed"),
    CANCELLED: N_("Cancelled"),
}

KIND_TASK = "task"
KIND_MILESTONE = "milestone"
TASK_KINDS = (KIND_TASK, KIND_MILESTONE)

NORMAL, CONFIDENTIAL, SECRET = "normal", "confidential", "secret"
CONFIDENTIALITY = (NORMAL, CONFIDENTIAL, SECRET)
CONFIDENTIALITY_LABELS = {
    NORMAL: N_("Normal (may be public)"),
    CONFIDENTIAL: N_("Confidential"),
    SECRET: N_("Secret"),
}

# Moves a reporting unit makes (unit leader, assigned officer, and those above them).
REPORT_MOVES = {
    (NOT_STARTED, IN_PROGRESS),
    (NOT_STARTED, SUBMITTED),
    (IN_PROGRESS, SUBMITTED),
}
# Moves only a verifier (a supervisor over the lead unit, or an admin) makes.
VERIFY_MOVES = {
    (SUBMITTED, COMPLETED),
    (SUBMITTED, IN_PROGRESS),
}
CANCEL_MOVES = {(status, CANCELLED) for status in OPEN_STATUSES}
ALL_MOVES = REPORT_MOVES | VERIFY_MOVES | CANCEL_MOVES


def check_transition(old: str, new: str) -> None:
    """Raise InvalidTransition unless moving from `old` to `new` is legal (or no move at all)."""
    if new not in STATUSES:
        choices = ", ".join(STATUSES)
        raise InvalidTransition(
            N_("Unknown status %(status)r; use one of: %(choices)s."),
            params={"status": new, "choices": choices},
            field_errors={"status": [N_("must be one of %(choices)s").fill(choices=choices)]},
        )
    if old == new or (old, new) in ALL_MOVES:
        return
    if old in (COMPLETED, CANCELLED):
        detail = N_("the task is already “%(status)s” and cannot change status").fill(
            status=STATUS_LABELS[old]
        )
    elif new == COMPLETED:
        detail = N_("only a supervisor's verification of a submitted task completes it")
    else:
        detail = N_("that move is not part of the task lifecycle")
    # The statuses' labels and the reason are catalogue entries: the refusal is translated
    # whole where it is shown (i18n.describe), and so is the same text under the field.
    template = N_("A task cannot go from “%(old)s” to “%(new)s”: %(detail)s.")
    params: dict[str, object] = {
        "old": STATUS_LABELS[old],
        "new": STATUS_LABELS[new],
        "detail": detail,
    }
    raise InvalidTransition(
        template, params=params, field_errors={"status": [template.fill(**params)]}
    )


def percent_in_range(percent: int) -> bool:
    """A task's percent done is a whole number from 0 to 100."""
    return 0 <= percent <= 100


def status_with_percent(status: str, percent: int) -> str:
    """The status a report of `percent` done leaves a task in, when the reporter does not
    choose one (several tasks reported at once): a task not started is in progress once any
    of it is done; any other status stays."""
    return IN_PROGRESS if status == NOT_STARTED and percent > 0 else status
