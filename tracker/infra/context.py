"""The one seam between the capabilities and the application they run in: its settings, its
log, the id of the request (or command) being served, a memo that lasts one request, and a
template rendered to text (PDF reports are HTML first). The capabilities import this, never
Flask itself, so that they run alike from a request, a command and a background job."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from flask import current_app, g, has_request_context, render_template

Value = TypeVar("Value")

# The request a background job was started by: its id is the job's, in logs and audit events.
_started_by_request: ContextVar[str | None] = ContextVar("started_by_request", default=None)


def settings() -> Mapping[str, Any]:
    """The running application's configuration (tracker.config)."""
    return current_app.config


def setting(name: str) -> Any:
    return current_app.config[name]


def log() -> logging.Logger:
    return current_app.logger


def request_id() -> str:
    """The id of the request being served (its X-Request-ID); in a background job, the id of
    the request that started it; "cli" in a command."""
    if has_request_context():
        return str(g.get("request_id", ""))
    return _started_by_request.get() or "cli"


@contextmanager
def on_behalf_of_request(started_by: str) -> Iterator[None]:
    """Run a background job under the id of the request that started it."""
    token = _started_by_request.set(started_by or None)
    try:
        yield
    finally:
        _started_by_request.reset(token)


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
