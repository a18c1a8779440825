"""Nothing English on a Vietnamese page that is not data: every main page, as each role
reads it in Vietnamese, over a world whose data is Vietnamese, is searched for common
English words in what a person reads (text and the attributes read aloud). Text marked
lang="en" (the language switch's "English") is left out, and so are the data's codes."""

from __future__ import annotations

import html
import re

import pytest

from .conftest import login

# Common English words of the interface; any of them in a Vietnamese page is a leftover.
ENGLISH = {
    "the",
    "and",
    "of",
    "to",
    "is",
    "are",
    "was",
    "with",
    "for",
    "on",
    "by",
    "from",
    "in",
    "task",
    "tasks",
    "overdue",
    "deadline",
    "status",
    "save",
    "report",
    "reports",
    "unit",
    "units",
    "directive",
    "directives",
    "completed",
    "submitted",
    "progress",
    "late",
    "within",
    "days",
    "nobody",
    "today",
    "quarterly",
    "monthly",
    "assigned",
    "extension",
    "approved",
    "rejected",
    "posted",
    "answer",
    "recorded",
    "issued",
    "notice",
    "urging",
    "evidence",
    "owner",
    "lead",
    "officer",
    "supervisor",
    "auditor",
    "admin",
    "search",
    "filter",
    "all",
    "none",
    "yes",
    "no",
    "new",
    "edit",
    "delete",
    "page",
    "next",
    "previous",
    "total",
    "rate",
    "target",
    "targets",
    "comment",
    "comments",
    "history",
}
ALLOWED = {"CSV", "XLSX", "PDF", "API", "SHA-256", "ID", "OK", "UTC", "Tiếng", "Việt"}


def readable_text(page: str) -> str:
    """What a person reads or hears: text outside tags, scripts and lang="en" elements, and
    the aria-label, title, placeholder and alt attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", page, flags=re.S)
    attributes = re.findall(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join([text, *attributes]))


def english_words(page: str, data_words: set[str]) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", readable_text(page))
    return sorted(
        {
            word
            for word in words
            if word.lower() in ENGLISH and word not in ALLOWED and word not in data_words
        }
    )


PAGES = {
    "admin": [
        "/dashboard",
        "/tasks",
        "/directives",
        "/tasks/{task}",
        "/directives/{directive}",
        "/directives/{directive}/timeline",
        "/board",
        "/reports/period",
        "/reports/league",
        "/reports/closings",
        "/audit",
        "/admin/units",
        "/admin/users",
        "/admin/import",
        "/admin/recurring",
        "/reminders",
        "/notifications",
        "/search?q=co+khi",
        "/verification",
    ],
    "supervisor": ["/tasks/{task}", "/board", "/verification", "/notifications"],
    "unit_leader": ["/my-unit", "/tasks/{task}", "/reminders", "/notifications"],
    "officer": ["/my-unit", "/tasks/{task}", "/notifications"],
    "auditor": ["/dashboard", "/reports/directives/{directive}", "/exports/verify"],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_no_english_on_vietnamese_pages(client, vietnamese_world, role):
    world = vietnamese_world
    login(client, world["people"][role])
    found = {}
    for path in PAGES[role]:
        url = path.format(task=world["task"].id, directive=world["directive"].id)
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="vi">' in response.text
        words = english_words(response.text, world["data"])
        if words:
            found[url] = words
    assert found == {}, found
