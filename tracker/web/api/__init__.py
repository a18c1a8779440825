"""API v1 (JSON) for other government systems: bearer tokens, tasks, units, reports, exports.
Every error is application/problem+json (RFC 9457)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import routes  # noqa: E402,F401  registers the routes on bp
