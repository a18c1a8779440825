"""What a running tracker needs, checked one thing at a time: for the load balancer's
`/readyz` (web/health.py) and for `flask --app app doctor` before a production start. Each
check answers (ok, what to tell a person); the words name what to fix, never a secret or a
setting's value."""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..config import INSTANCE_DIR, MIGRATIONS_DIR, MIN_SECRET_KEY_LENGTH, is_weak_secret_key
from ..extensions import db
from . import context, fonts


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    says: str


def database() -> tuple[Check, Check]:
    """The database answers, and its schema is at the migrations' head."""
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    try:
        db.session.execute(text("SELECT 1"))
        current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        db.session.rollback()
        return (
            Check("database", False, "unreachable"),
            Check("migrations", False, "unknown (database unreachable)"),
        )
    finally:
        db.session.remove()
    at_head = current == head
    return (
        Check("database", True, "ok"),
        Check("migrations", at_head, "ok" if at_head else "not at head: run flask db upgrade"),
    )


def writable(folder: str | Path) -> bool:
    """The folder, or where it will be made on first use (its nearest existing parent), is a
    folder this process may write in."""
    path = Path(folder)
    while not path.exists() and path != path.parent:
        path = path.parent
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def folders() -> list[Check]:
    config = context.settings()
    uploads = writable(config["UPLOAD_DIR"])
    exports = writable(config["EXPORT_DIR"])
    anchors = writable(Path(config["AUDIT_ANCHOR_FILE"]).parent)
    return [
        Check("uploads", uploads, "ok" if uploads else "folder not writable"),
        Check("exports", exports, "ok" if exports else "folder not writable"),
        Check("audit_anchors", anchors, "ok" if anchors else "folder not writable"),
    ]


def job_broker(timeout: float = 2) -> Check:
    """The Celery broker answers (when there is one; without it jobs run in the web
    process, which is always ready)."""
    url = context.setting("JOBS_BROKER_URL")
    if not url:
        return Check("job_broker", True, "none (jobs run in the web process)")
    from kombu import Connection  # type: ignore[attr-defined]

    try:
        with Connection(url, connect_timeout=timeout) as connection:  # type: ignore[no-untyped-call]
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
    except Exception:  # noqa: BLE001 - whatever the transport raises, the broker is away
        return Check("job_broker", False, "not reachable at JOBS_BROKER_URL")
    return Check("job_broker", True, "ok")


def for_serving() -> list[Check]:
    """What /readyz asks: can this process do its work now?"""
    return [*database(), *folders(), job_broker()]


def environment() -> Check:
    production = context.setting("TRACKER_ENV") == "production"
    says = "ok (production)" if production else "TRACKER_ENV is not production"
    return Check("environment", production, says)


def secret_key() -> Check:
    key = context.setting("SECRET_KEY") or ""
    development_key = INSTANCE_DIR / "secret_key"
    if development_key.exists() and development_key.read_text().strip() == key:
        return Check("secret key", False, "the development key is in use: set SECRET_KEY")
    if is_weak_secret_key(key):
        return Check("secret key", False, f"shorter than {MIN_SECRET_KEY_LENGTH} or a placeholder")
    return Check("secret key", True, "ok")


def time_zone() -> Check:
    name = context.setting("TRACKER_TIMEZONE")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return Check("time zone", False, "TRACKER_TIMEZONE is not a known IANA time zone")
    return Check("time zone", True, f"ok ({name})")


def mail_server(timeout: float = 5) -> Check:
    config = context.settings()
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout) as smtp:
            smtp.noop()
    except (TimeoutError, OSError, smtplib.SMTPException):
        return Check("mail server", False, "not reachable at MAIL_SERVER:MAIL_PORT")
    return Check("mail server", True, "ok")


def pdf_libraries() -> Check:
    """The fonts PDF reports embed (reporting.pdf_pages draws them with fpdf2)."""
    if not fonts.fonts_found():
        return Check("PDF libraries", False, "the DejaVu fonts are missing: PDF reports answer 503")
    return Check("PDF libraries", True, "ok")


def for_production() -> list[Check]:
    """What `flask doctor` asks before a production start."""
    return [
        environment(),
        secret_key(),
        *database(),
        *folders(),
        job_broker(),
        time_zone(),
        mail_server(),
        pdf_libraries(),
    ]
