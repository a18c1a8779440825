"""Query-string arguments every list view reads the same way: page number, page size, and
the configured "due soon" window."""

from __future__ import annotations

from flask import current_app, request


def page_number(name: str = "page") -> int:
    """A 1-based page number; anything missing or invalid is page 1."""
    return max(request.args.get(name, 1, type=int) or 1, 1)


def page_and_size() -> tuple[int, int]:
    """The page number and `per_page`, bounded by MAX_PER_PAGE."""
    per_page = request.args.get("per_page", current_app.config["PER_PAGE"], type=int)
    return page_number(), min(max(per_page or 1, 1), current_app.config["MAX_PER_PAGE"])


def due_soon_days() -> int:
    return current_app.config["DUE_SOON_DAYS"]
