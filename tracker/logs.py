"""Application logging: one line per event, carrying the request id, with CR and LF (and
other control characters) escaped so that no input can forge a log line."""

from __future__ import annotations

import logging
import os

from flask import Flask, g, has_request_context

LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


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


class SafeRequestFilter(logging.Filter):
    """Adds `request_id` and makes the message one safe line."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        record.msg = escape_controls(record.getMessage())
        record.args = None
        return True


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(SafeRequestFilter())
    app.logger.handlers = [handler]
    app.logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))
    app.logger.propagate = False
