"""Throttling of failed logins, per account and per client address, for the login form and
the API's token endpoint. Only failures (401) count; a correct password is let through
until the limit is reached, and after that nobody can guess on for that account or from
that address until the window passes (429 with Retry-After)."""

from __future__ import annotations

from flask import current_app, request

from .extensions import limiter

REFUSED = (
    "Too many failed logins for this account or from this address. "
    "Wait a few minutes, then try again."
)


def _attempted_username() -> str:
    if request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else ""
    else:
        name = request.form.get("username", "")
    return str(name or "").strip().casefold()[:150]


def _account_key() -> str:
    return f"login-account:{_attempted_username()}"


def _address_key() -> str:
    return f"login-address:{request.remote_addr or 'unknown'}"


def _failed(response) -> bool:
    return response.status_code == 401


def throttle_failed_logins(view):
    """Apply both limits to a login view (POST only)."""
    per_account = limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
        key_func=_account_key,
        methods=["POST"],
        deduct_when=_failed,
        error_message=REFUSED,
        scope="login-account",
    )
    per_address = limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
        key_func=_address_key,
        methods=["POST"],
        deduct_when=_failed,
        error_message=REFUSED,
        scope="login-address",
    )
    return per_address(per_account(view))
