"""Browser test support (a pytest plugin): the app served on 127.0.0.1 by a thread of the
test process, Debian's Chromium driven by Playwright, screenshots under tests/artifacts/,
and an axe-core check of the page in view.

The served app is a third app on the test database with CSRF protection on, as in
production: the browser fills and posts the real forms."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tracker.extensions import db

from .conftest import PASSWORD, _test_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
# axe-core findings that fail a test; "moderate" and "minor" ones are reported, not failed.
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="session")
def served_app(app, database_url):
    """The app the browser is served (its settings may be changed by a test, as with
    monkeypatch.setitem(served_app.config, ...))."""
    served = _test_app(database_url)
    served.config["WTF_CSRF_ENABLED"] = True
    served.config["JOBS_EAGER"] = False  # report files are made in a thread, as `make run` does
    return served


@pytest.fixture(scope="session")
def live_server(served_app):
    """The base URL of the app, served by a thread for the whole test session."""
    served = served_app
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with served.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh browser context (no cookies) on a desktop-sized window."""
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def vietnamese_page(chromium, live_server):
    """The same, in a browser whose language is Vietnamese (vi-VN), as most users' are."""
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, locale="vi-VN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def vietnamese_window(chromium, live_server):
    """Opens a page in a browser asking for Vietnamese (Accept-Language vi-VN) in a window
    `width` px wide, as `vietnamese_window(375)`; each closed after the test."""
    contexts = []

    def open_page(width: int):
        context = chromium.new_context(
            base_url=live_server,
            viewport={"width": width, "height": 800},
            extra_http_headers={"Accept-Language": "vi-VN,vi;q=0.9"},
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    """Save the whole page as tests/artifacts/<name>.png (a test artifact, git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_problems(page) -> list[str]:
    """The serious and critical axe-core violations of the page in view, one line each; every
    <details> is opened for the check, so that what it hides is checked too, then closed
    again as it was."""
    from axe_playwright_python.sync_playwright import Axe

    opened = page.evaluate(
        "[...document.querySelectorAll('details')].map(d => { const was = d.open; "
        "d.open = true; return was; })"
    )
    results = Axe().run(page)
    page.evaluate(
        "was => document.querySelectorAll('details').forEach((d, i) => { d.open = was[i]; })",
        opened,
    )
    problems = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
            problems.append(
                f"{page.url}: {violation['id']} ({violation['impact']}): "
                f"{violation['help']} at {targets}"
            )
    return problems


# A label and its box touching on one line: closer than this, in CSS pixels.
LABEL_GAP_PX = 8


def labels_run_into_their_boxes(page) -> list[str]:
    """The labels of the page in view drawn on the line of their text box, select or file
    input and (nearly) touching it, which reads as one thing (*Tệp báo cáo[Chọn tệp]*):
    each as "label text → id of its box". Checkboxes and radios sit beside their labels on
    purpose and are left out."""
    return page.evaluate(
        """gap => [...document.querySelectorAll('label[for]')].flatMap(label => {
            const box = document.getElementById(label.htmlFor);
            const boxes = 'input:not([type=checkbox]):not([type=radio]):not([type=hidden]),'
                + ' select, textarea';
            if (!box || !box.matches(boxes)) return [];
            const l = label.getBoundingClientRect(), b = box.getBoundingClientRect();
            if (!l.width || !b.width) return [];
            const sameLine = l.top < b.bottom && b.top < l.bottom;
            const apart = b.left - l.right;
            return sameLine && apart > -1 && apart < gap
                ? [label.textContent.trim() + ' → ' + label.htmlFor] : [];
        })""",
        LABEL_GAP_PX,
    )


# The width Chromium keeps at the right of a search box for its clear (×) button.
SEARCH_CLEAR_PX = 16


def placeholders_cut(page) -> list[str]:
    """The text boxes of the page in view whose hint (placeholder) is wider than the box
    shows (*Search code or tit*): each as "id: hint". Measured with the box's own font; a
    search box keeps room for Chromium's clear button (SEARCH_CLEAR_PX) even while empty."""
    return page.evaluate(
        """clear => {
            const pen = document.createElement('canvas').getContext('2d');
            return [...document.querySelectorAll('input[placeholder]')].filter(box => {
                if (!box.getBoundingClientRect().width) return false;
                const style = getComputedStyle(box);
                pen.font = style.fontSize + ' ' + style.fontFamily;
                const room = box.clientWidth - parseFloat(style.paddingLeft)
                    - parseFloat(style.paddingRight) - (box.type === 'search' ? clear : 0);
                return pen.measureText(box.placeholder).width > room + 1;
            }).map(box => (box.id || box.name) + ': ' + box.placeholder);
        }""",
        SEARCH_CLEAR_PX,
    )


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would, in whichever language the page is
    (the fields by their ids; their labels are checked by the accessibility tests)."""
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
