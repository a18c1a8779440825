"""Reports from the reporting replica (REPORTS_DATABASE_URL), for the pages that only read:
`@reads_replica` runs a view with its SELECTs sent to the replica — unless the person has
written something in the last REPORTS_PRIMARY_SECONDS, so that a report never misses a change
its reader has just made (a replica may lag by a moment). Every write goes to the primary."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, request, session

from ..extensions import reading_reports

WROTE_AT = "wrote_at"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def reads_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def routed(*args: Any, **kwargs: Any) -> Any:
        recently = time.time() - session.get(WROTE_AT, 0.0)
        if recently < current_app.config["REPORTS_PRIMARY_SECONDS"] or kwargs.get("file_format"):
            # A file is a job (its row is written and read back at once) or a manifest.
            return view(*args, **kwargs)
        with reading_reports():
            return view(*args, **kwargs)

    return routed


def init_app(app: Flask) -> None:
    @app.after_request
    def remember_writes(response: Response) -> Response:
        """A browser's change that succeeded: its reports read the primary for a while."""
        if (
            app.config["REPORTS_DATABASE_URL"]
            and request.method not in SAFE_METHODS
            and response.status_code < 400
            and "_user_id" in session
        ):
            session[WROTE_AT] = time.time()
        return response
