"""HTTP security headers on every response: a Content-Security-Policy without inline script
or style (every chart is server-drawn SVG, every style is in static/app.css), no framing,
no MIME sniffing, a same-origin referrer, no caching of anything a signed-in user sees,
and HSTS when the request came over https."""

from __future__ import annotations

from flask import Response, g, request
from flask_login import current_user

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
