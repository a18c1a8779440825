"""Application logging: one line per event, carrying the request id, with CR and LF (and
other control characters) escaped so that no input can forge a log line.

LOG_FORMAT=text (the default) writes human-readable lines; LOG_FORMAT=json writes one JSON
object per line (time, level, logger, message, request id, user id, and the event's own
fields), for a log collector. Every request ends with one `request` event naming its method,
path, status and duration in milliseconds (the duration also goes to /metrics)."""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

from .infra import context, metrics

LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# Fields an event may carry beside its message (logger.info("...", extra={...})).
EVENT_FIELDS = ("method", "path", "status", "duration_ms")
# A client may send any word as its method; the metrics name these and "other".
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def escape_controls(text: str) -> str:
    r"""`text` with CR, LF and other control characters written as \r, \n, \x1b..."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def _signed_in_user_id() -> int | None:
    """The id of the user this request was signed in as, when it was loaded (logging never
    loads a user itself)."""
    user = g.get("_login_user") if has_request_context() else None
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


class SafeRequestFilter(logging.Filter):
    """Adds `request_id` and `user_id` and makes the message one safe line."""

    def filter(self, record: logging.LogRecord) -> bool:
        started_by = context.request_id()  # a request, or the request a job was started by
        record.request_id = "-" if started_by in ("cli", "") else started_by
        record.user_id = _signed_in_user_id()
        record.msg = escape_controls(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "user_id": getattr(record, "user_id", None),
        }
        for name in EVENT_FIELDS:
            if hasattr(record, name):
                event[name] = getattr(record, name)
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False, default=str)


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    if app.config.get("LOG_FORMAT") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(SafeRequestFilter())
    app.logger.handlers = [handler]
    app.logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))
    app.logger.propagate = False

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
        if started:  # the same duration, for Prometheus (by the route's name: a few dozen)
            method = request.method if request.method in KNOWN_METHODS else "other"
            metrics.REQUEST_SECONDS.labels(
                request.endpoint or "none", method, str(response.status_code)
            ).observe(time.perf_counter() - started)
        app.logger.info(
            "request %s %s %s %s ms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response
