"""Arguments every list view reads the same way: page number, page size, the configured
"due soon" window; and the rows a page of several tasks posts, and each row's task."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, request
from flask_login import current_user

from ..domain import policy
from ..domain.errors import InvalidInput, in_batch
from ..domain.numbers import whole_number
from ..domain.text import N_
from ..models import Task
from ..org import lookups

# No list has more pages than this; a larger number is the last page's neighbour, empty.
MOST_PAGES = 1_000_000


def page_number(name: str = "page") -> int:
    """A 1-based page number; anything missing or invalid is page 1, anything past
    MOST_PAGES is MOST_PAGES (an empty page, never an overflow)."""
    raw = request.args.get(name)
    if raw is None:
        return 1
    number = whole_number(raw)
    if number is None:
        return MOST_PAGES if raw.strip().isascii() and raw.strip().isdigit() else 1
    return min(max(number, 1), MOST_PAGES)


def page_and_size() -> tuple[int, int]:
    """The page number and `per_page`, bounded by MAX_PER_PAGE."""
    per_page = whole_number(request.args.get("per_page")) or current_app.config["PER_PAGE"]
    return page_number(), min(max(per_page, 1), current_app.config["MAX_PER_PAGE"])


def due_soon_days() -> int:
    return current_app.config["DUE_SOON_DAYS"]


def posted_task_ids(most: int) -> list[int]:
    """The task ids a page of several tasks posts (`task_id`, one per row, in the page's
    order): every one a whole number and no more than `most`, or the form was not sent
    whole (InvalidInput)."""
    sent = request.form.getlist("task_id")
    ids = [task_id for task_id in map(whole_number, sent) if task_id is not None]
    if len(ids) != len(sent) or len(ids) > most:
        raise InvalidInput(N_("The form was not sent whole: reload the page and try again."))
    return ids


def task_of_row(found: Mapping[int, Task], index: int, task_id: int) -> Task:
    """The task a posted row names (`found` as `lookups.tasks_shown` read them), if the user
    may see it; else the row is refused as naming no task (in_batch), by the id sent, never
    by the code of a task the user may not see."""
    task = found.get(task_id)
    if task is None or not policy.can_view_task(current_user, task):
        raise in_batch(lookups.no_such("task"), index, f"id {task_id}")
    return task
