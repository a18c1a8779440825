"""Error pages (403, 404, 405, 500) for HTML, and problem+json (RFC 9457) for the API."""

from __future__ import annotations

from flask import Flask, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..domain.errors import Conflict, DomainError, InvalidInput
from ..domain.text import N_, Text
from ..infra.i18n import describe, translated
from .templating import file_size

# What a page says for a refusal the web server or Flask raised itself: Werkzeug's names and
# descriptions ("Method Not Allowed", "The requested URL was not found on the server…") are
# English, and a person reads these pages in their own language. An abort() that gives its
# own description keeps it; the API's problem documents keep Werkzeug's words.
STANDARD_REFUSALS: dict[int, tuple[Text, Text]] = {
    400: (
        N_("Bad request"),
        N_("The request could not be understood. Nothing was saved: go back and try again."),
    ),
    403: (N_("Forbidden"), N_("You may not open this page.")),
    404: (
        N_("Not found"),
        N_("There is no such page. Check the address, or go to your start page."),
    ),
    405: (
        N_("Not done this way"),
        N_("This address does not take that kind of request: open the page and use its form."),
    ),
    413: (
        N_("Too large"),
        N_(
            "What you sent is larger than the server accepts (files up to %(size)s). "
            "Nothing was saved."
        ),
    ),
    414: (N_("Address too long"), N_("The address is longer than the server accepts.")),
    415: (N_("Bad request"), N_("The server does not accept what was sent in this form.")),
    429: (
        N_("Too many requests"),
        N_("Too many requests in a short time: wait a moment and try again."),
    ),
    431: (N_("Bad request"), N_("The request's headers are larger than the server accepts.")),
    503: (N_("Service unavailable"), N_("The service is unavailable for a moment: try again.")),
}
ANY_OTHER_REFUSAL = (
    N_("Request refused"),
    N_("The server could not answer this request (%(code)s)."),
)


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
            response = render_error_page(error.code or 500, *_page_words(error))
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


def _page_words(error: HTTPException) -> tuple[str, str]:
    """The title and message of a refusal's page, in the page's language (STANDARD_REFUSALS)."""
    code = error.code or 500
    title, standard = STANDARD_REFUSALS.get(code, ANY_OTHER_REFUSAL)
    if error.description and error.description != type(error).description:
        return title, error.description  # the abort's own words (translated when marked)
    size = file_size(int(current_app.config.get("MAX_UPLOAD_BYTES") or 0))
    return title, standard.fill(size=size, code=code)


def render_error_page(status: int, title: str, message: str):
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    page = render_template(
        template, status=status, title=translated(title), message=translated(message)
    )
    return page, status
