"""The one seam between the capabilities and the application they run in: its settings, its
log, the id of the request (or command) being served, a memo that lasts one request, and a
template rendered to text (PDF reports are HTML first). The capabilities import this, never
Flask itself, so that they run alike from a request, a command and a background job."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from flask import current_app, g, has_request_context, render_template

Value = TypeVar("Value")


def settings() -> Mapping[str, Any]:
    """The running application's configuration (tracker.config)."""
    return current_app.config


def setting(name: str) -> Any:
    return current_app.config[name]


def log() -> logging.Logger:
    return current_app.logger


def request_id() -> str:
    """The id of the request being served (its X-Request-ID), or "cli" outside a request."""
    return g.get("request_id", "") if has_request_context() else "cli"


def once_per_request(key: Hashable, compute: Callable[[], Value]) -> Value:
    """`compute()`, done once per request for `key` (every time outside a request)."""
    if not has_request_context():
        return compute()
    memo: dict[Hashable, Value] = g.setdefault("memo_of_request", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def render(template: str, **values: Any) -> str:
    """A template of tracker/templates rendered to text."""
    return render_template(template, **values)
