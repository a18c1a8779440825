"""Security headers on every response, and pages that keep to the Content-Security-Policy
(no inline script, style or event handlers)."""

import re

import pytest

from ..conftest import login

PAGES = [
    "/dashboard",
    "/board",
    "/tasks",
    "/directives",
    "/reports/period",
    "/reports/league",
    "/reports/closings",
    "/audit",
    "/exports/verify",
    "/reminders",
    "/admin/users",
    "/admin/units",
]


@pytest.fixture
def admin_client(client, make, org):
    login(client, make.user("admin", org["ministry"]))
    return client


@pytest.mark.parametrize("path", PAGES)
def test_signed_in_pages_carry_the_headers_and_no_inline_code(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 200, path
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # plain http here
    html = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert not re.search(r"<style", html), "inline style element"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_anonymous_pages_have_the_policy_and_may_be_cached(client):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_hsts_over_https_only(admin_client):
    secure = admin_client.get("/dashboard", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_api_answers_are_never_cached(client):
    response = client.get("/api/v1/tasks")
    assert response.status_code == 401
    assert response.headers["Cache-Control"] == "no-store"


def test_the_task_page_keeps_to_the_policy(admin_client, make, org):
    task = make.task(org["department"], percent_done=40)
    html = admin_client.get(f"/tasks/{task.id}").text
    assert '<progress class="progress" max="100" value="40"' in html
    assert not re.search(r"\sstyle=|<style|<script(?![^>]*\bsrc=)|\son[a-z]+=", html)
