"""Health for load balancers and orchestrators, without a login and without naming any
setting: `/healthz` says the process serves (it touches nothing), `/readyz` says whether it
can do its work (infra/readiness.py: the database answers, its schema is at the migrations'
head, the folders it writes are writable) as JSON naming each check, 200 when all pass and
503 when one fails."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..infra import readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up and answering (no database, no disk)."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    checks = readiness.for_serving()
    ready = all(check.ok for check in checks)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {check.name: check.says for check in checks},
    }
    return jsonify(body), 200 if ready else 503
