"""Error pages (403, 404, 405, 500) for HTML, and problem+json (RFC 9457) for the API."""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..domain.errors import Conflict, DomainError, InvalidInput
from ..domain.text import N_
from ..infra.i18n import describe, translated


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str, **extra):
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail}
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if wants_problem_json():
            extra = {"errors": error.field_errors} if error.field_errors else {}
            return problem(error.status_code, error.title, error.message, **extra)
        if isinstance(error, Conflict | InvalidInput) and request.method == "POST":
            # A refused form: say why on the page the user came from, nothing was saved.
            flash(describe(error), "error")
            return redirect(request.referrer or url_for("tasks.home"))
        return render_error_page(error.status_code, error.title, describe(error))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = N_("The form expired or was sent from elsewhere. Reload the page and try again.")
        return render_error_page(400, N_("Form expired"), message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if wants_problem_json():
            response = problem(error.code or 500, error.name, error.description or "")
        else:
            response = render_error_page(error.code or 500, error.name, error.description or "")
        response = app.make_response(response)
        if retry_after := getattr(error, "retry_after", None):  # 429 and 503 say when
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PendingRollbackError)
    def database_unavailable(error: Exception):
        """The database is restarting, unreachable or busy (or the connection was lost
        mid-transaction): nothing was written, the transaction is rolled back; say so and
        when to try again, as 503. Other database errors are bugs: 500."""
        from ..extensions import db

        lost = isinstance(error, OperationalError | InterfaceError | PendingRollbackError) or (
            getattr(error, "connection_invalidated", False)
        )
        if not lost:
            return unexpected_error(error)

        app.logger.warning("database unavailable: %s", str(error).splitlines()[0][:200])
        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the pool replaces it on next checkout
            db.session.close()
        detail = N_("The database is unavailable for a moment. Nothing was saved; try again.")
        if wants_problem_json():
            response = problem(503, "Service unavailable", detail)
        else:
            response = render_error_page(503, N_("Service unavailable"), detail)
        response = app.make_response(response)
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error")
        from ..extensions import db

        db.session.rollback()
        generic = InternalServerError()
        detail = N_("Something went wrong on our side. The error has been logged.")
        if wants_problem_json():
            return problem(500, generic.name, detail)
        return render_error_page(500, generic.name, detail)


def render_error_page(status: int, title: str, message: str):
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    page = render_template(
        template, status=status, title=translated(title), message=translated(message)
    )
    return page, status
