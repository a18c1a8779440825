"""The paths of the app's pages, from its root, for what is written where no request is
to build them from (an e-mail, a calendar feed, a notification kept for later): one place
per page, so that a moved route is moved here too (tests/web/test_page_paths.py checks
each against the app's own routes)."""

from __future__ import annotations


def task_page(task_id: int) -> str:
    """A task's page."""
    return f"/tasks/{task_id}"


def waiting_tasks_page() -> str:
    """The reader's unit's open tasks given to no one yet (*My unit*, *Given to no one
    yet*), from which they are given to the unit's people, several at once."""
    return "/my-unit?unassigned=1"
