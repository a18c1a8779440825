"""HTTP security headers on every response: a Content-Security-Policy without inline script
or style (every chart is server-drawn SVG, every style is in static/app.css), no framing,
no MIME sniffing, a same-origin referrer, no caching of anything a signed-in user sees,
and HSTS when the request came over https.

And one guard before every request: text with NUL characters or bytes that are not UTF-8
(query string, form fields, JSON strings) is refused with 400 before any view sees it;
PostgreSQL cannot store NUL in text, and a replacement character means bytes were lost."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Response, abort, g, request
from flask_login import current_user

from ..domain.text import N_

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response: Response) -> Response:
    headers = response.headers
    headers["X-Request-ID"] = g.get("request_id", "")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    signed_in = current_user and current_user.is_authenticated
    if signed_in or request.path.startswith("/api/") or request.authorization:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


NUL = "\x00"
REPLACEMENT = "\ufffd"  # what undecodable bytes become when Werkzeug decodes them


def _texts(value, depth: int = 0):
    """Every string in a decoded JSON value (keys included), however deeply nested."""
    if depth > 50:
        abort(400, description=N_("The JSON body is nested too deeply."))
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _texts(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item, depth + 1)


def _valid_urlencoded(raw: bytes) -> bool:
    """Whether every name and value of an urlencoded string decodes as UTF-8."""
    for pair in raw.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


def refuse_malformed_text() -> None:
    """400 for a request whose text carries NUL characters or is not valid UTF-8."""
    if not _valid_urlencoded(request.query_string):
        abort(400, description=N_("The address is not valid UTF-8."))
    texts = [*request.args.keys(), *request.args.values()]
    # The raw body is read first (it stays cached for the form): Werkzeug silently drops
    # fields whose bytes are not UTF-8, which would hide them from every check.
    urlencoded = request.mimetype == "application/x-www-form-urlencoded"
    if urlencoded and not _valid_urlencoded(request.get_data(cache=True)):
        abort(400, description=N_("The form is not valid UTF-8."))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        texts += [*request.form.keys(), *request.form.values()]
    elif request.is_json and request.content_length:
        try:
            request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError:
            abort(400, description=N_("The JSON body is not valid UTF-8."))
        texts += list(_texts(request.get_json(silent=True)))
    for text in texts:
        if not isinstance(text, str):  # a multipart field name Werkzeug could not decode
            abort(400, description=N_("The request is not valid UTF-8."))
        if NUL in text:
            abort(
                400, description=N_("The request contains a NUL character, which is not allowed.")
            )
        if REPLACEMENT in text:
            abort(400, description=N_("The request is not valid UTF-8."))
