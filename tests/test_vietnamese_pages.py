"""Nothing English on a Vietnamese page that is not data: every main page, as each role
reads it in Vietnamese, over a world whose data is Vietnamese, is searched for common
English words in what a person reads (text and the attributes read aloud). Text marked
lang="en" (the language switch's "English") is left out, and so are the data's codes."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from tracker.domain import lifecycle
from tracker.services import comments, extensions, urging

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


@pytest.fixture
def vietnamese_world(make, today):
    ministry = make.unit("BCT", name="Bộ Công Thương")
    institute = make.unit("VNCCK", ministry, name="Viện Nghiên cứu Cơ khí")
    people = {
        "admin": make.user("admin", ministry, username="quan.tri", name="Phạm Quản Trị"),
        "supervisor": make.user("supervisor", ministry, username="giam.sat", name="Lê Văn Giám"),
        "unit_leader": make.user(
            "unit_leader", institute, username="lanh.dao", name="Trần Thị Lãnh"
        ),
        "officer": make.user("officer", institute, username="chuyen.vien", name="Ngô Văn Ưng"),
        "auditor": make.user("auditor", ministry, username="kiem.tra", name="Đỗ Thị Kiểm"),
    }
    for person in people.values():
        person.language = "vi"
    directive = make.directive(
        "2795/QĐ-BCT", kind="decision", title="Quyết định về chuyển đổi số ngành Công Thương"
    )
    overdue = make.task(
        institute,
        directive,
        code="NV 01",
        title="Xây dựng cơ sở dữ liệu cơ khí",
        deadline=today - timedelta(days=12),
        owner=people["officer"],
        status=lifecycle.IN_PROGRESS,
    )
    make.task(
        institute,
        directive,
        code="NV 02",
        title="Đào tạo cán bộ về chuyển đổi số",
        deadline=today + timedelta(days=3),
    )
    make.task(
        ministry,
        directive,
        code="NV 03",
        title="Báo cáo sơ kết",
        status=lifecycle.COMPLETED,
        deadline=today - timedelta(days=30),
        completed_on=today - timedelta(days=35),
    )
    urging.issue_notice(people["supervisor"], overdue, "Đề nghị khẩn trương hoàn thành.")
    extensions.request_extension(
        people["unit_leader"], overdue, today + timedelta(days=30), "Chờ số liệu."
    )
    comments.add_comment(people["officer"], overdue, "Thiếu kinh phí.", "obstacle")
    data_words = set()
    for person in people.values():
        data_words |= set(re.findall(r"[A-Za-z'-]+", f"{person.username} {person.name}"))
    return {"people": people, "task": overdue, "directive": directive, "data": data_words}


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
