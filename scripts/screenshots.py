"""`make screenshots`: the README's pictures of the main screens, in English and Vietnamese.

Loads the demo data into a database of its own (a temporary SQLite file), serves the app
on 127.0.0.1 from a thread, and drives Debian's Chromium with Playwright: each screen as
the role that uses it, in each language (the browser's Accept-Language), written to
docs/screens/<screen>-<language>.png. Run it after a change to what these screens show.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screens"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def serve(scratch: Path) -> tuple[str, dict[str, str], int]:
    """The demo app on a free port: (base URL, {username: password}, an overdue task id)."""
    os.environ.update(
        DATABASE_URL=f"sqlite:///{scratch / 'screens.db'}",
        LOG_LEVEL="ERROR",
    )
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from tracker import create_app
    from tracker.extensions import db
    from tracker.infra import clock
    from tracker.infra.i18n import compile_catalogues
    from tracker.models import Task, User
    from tracker.seed import demo

    compile_catalogues()
    app = create_app(
        {
            "DEMO_ACCOUNTS_FILE": str(scratch / "accounts.txt"),
            "UPLOAD_DIR": str(scratch / "uploads"),
            # Screens behind the login, not the second factor's enrolment.
            "MFA_REQUIRED_ROLES": (),
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "tracker" / "migrations"))
        passwords = demo.load_demo()
        leader = db.session.scalar(select(User).where(User.username == "leader"))
        overdue = next(
            task
            for task in db.session.scalars(
                select(Task).where(Task.lead_unit_id == leader.unit_id).order_by(Task.deadline)
            )
            if task.timeliness(clock.today()).value == "overdue"
        )
        task_id = overdue.id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", passwords, task_id


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        base, passwords, task_id = serve(Path(scratch))
        screens = [
            ("login", None, "/login", 1366),
            ("my-unit", "leader", "/my-unit", 1366),
            ("task", "leader", f"/tasks/{task_id}", 1366),
            ("board", "supervisor", "/board", 1366),
            ("dashboard", "auditor", "/dashboard", 1366),
            ("period-report", "auditor", "/reports/period", 1366),
            ("phone-my-unit", "leader", "/my-unit", 375),
        ]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for language in ("en", "vi"):
                for name, username, path, width in screens:
                    context = browser.new_context(
                        base_url=base,
                        viewport={"width": width, "height": 860},
                        locale="vi-VN" if language == "vi" else "en-GB",
                    )
                    page = context.new_page()
                    if username:
                        page.goto("/login")
                        page.locator("#username").fill(username)
                        page.locator("#password").fill(passwords[username])
                        page.locator("main form button[type=submit]").click()
                        page.wait_for_load_state()
                        # The demo's people read Vietnamese; the English set switches.
                        page.locator(f'form.language button[value="{language}"]').click()
                        page.wait_for_load_state()
                    page.goto(path)
                    target = OUT / f"{name}-{language}.png"
                    page.screenshot(path=str(target), full_page=width < 1000)
                    print(target.relative_to(ROOT))
                    context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
