"""Health for load balancers and orchestrators, without a login and without naming any
setting: `/healthz` says the process serves (it touches nothing), `/readyz` says whether it
can do its work — the database answers, its schema is at the migrations' head, and the
folders it writes (uploads, the audit anchors) are writable — as JSON naming each check,
200 when all pass and 503 when one fails."""

from __future__ import annotations

import os
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..config import MIGRATIONS_DIR
from ..extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up and answering (no database, no disk)."""
    return jsonify({"status": "ok"})


def _database() -> tuple[bool, str]:
    try:
        db.session.execute(text("SELECT 1"))
        current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        db.session.rollback()
        return False, "unreachable"
    finally:
        db.session.remove()
    return True, current or ""


def _writable(folder: str | Path) -> bool:
    """The folder, or where it will be made on first use (its nearest existing parent), is a
    folder this process may write in."""
    path = Path(folder)
    while not path.exists() and path != path.parent:
        path = path.parent
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def checks() -> dict[str, str]:
    """Each check's name and "ok", or a short reason that names no setting."""
    reachable, revision = _database()
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    results = {"database": "ok" if reachable else "unreachable"}
    if reachable:
        results["migrations"] = "ok" if revision == head else "not at head: run flask db upgrade"
    else:
        results["migrations"] = "unknown (database unreachable)"
    config = current_app.config
    results["uploads"] = "ok" if _writable(config["UPLOAD_DIR"]) else "folder not writable"
    anchors_folder = Path(config["AUDIT_ANCHOR_FILE"]).parent
    results["audit_anchors"] = "ok" if _writable(anchors_folder) else "folder not writable"
    return results


@bp.get("/readyz")
def readyz():
    results = checks()
    ready = all(value == "ok" for value in results.values())
    body = {"status": "ready" if ready else "not ready", "checks": results}
    return jsonify(body), 200 if ready else 503
