"""Throttling of failed logins, shared by the login form and the API's token endpoint and by
every worker: the counts live in RATELIMIT_STORAGE_URI (`memory://` for one process; Redis
in production, so that two workers or two servers count together).

Only failures (401) count, in moving windows. A client the account does not know is refused
(429 with Retry-After) once any of these is reached:

- its failures for this account from this address (LOGIN_LIMIT_PER_ACCOUNT),
- its address's failures for any account (LOGIN_LIMIT_PER_ADDRESS),
- the account's failures from all unknown clients together (LOGIN_LIMIT_PER_ACCOUNT).

A browser or script that logged in to the account before carries a signed device cookie
naming the account. For it only its own failures count (LOGIN_LIMIT_PER_ACCOUNT), so an
attacker who uses up the account's count from elsewhere does not lock its owner out: the
owner's usual browser still logs in (OWASP's "device cookies"). The attacker, wherever they
guess from, gets at most LOGIN_LIMIT_PER_ACCOUNT guesses per window for an account.
"""

from __future__ import annotations

import secrets
import time
import unicodedata
from dataclasses import dataclass
from functools import wraps

from flask import Flask, current_app, g, make_response, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from ..domain.text import N_
from ..infra import metrics

REFUSED = N_(
    "Too many failed logins for this account or from this address. "
    "Wait a few minutes, then try again."
)
RESET_REFUSED = N_(
    "Too many requests for a new password for this account or from this address. "
    "Wait a few minutes, then try again."
)
DEVICE_COOKIE = "tracker_device"
DEVICE_COOKIE_DAYS = 365
_LONGEST_NAME = 150


class LoginGuard:
    """The failure counts of one app, in its limit storage."""

    def __init__(self, app: Flask):
        self.storage: Storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        self.windows = MovingWindowRateLimiter(self.storage)

    def reset(self) -> None:
        """Forget every count (tests; an admin after an attack)."""
        self.storage.reset()


@dataclass(frozen=True)
class Count:
    """One failure count: the limit it is held to and the key it is kept under."""

    limit: RateLimitItem
    key: str


def guard() -> LoginGuard:
    return current_app.extensions["login_guard"]


def init_app(app: Flask) -> None:
    app.extensions["login_guard"] = LoginGuard(app)


def account_name(raw: object) -> str:
    """The attempted username as the counts key it: case, width and surrounding spaces of the
    same name count as one account."""
    name = unicodedata.normalize("NFKC", str(raw or "")).strip().casefold()
    return " ".join(name.split())[:_LONGEST_NAME]


def _attempted_account() -> str:
    if request.is_json:
        body = request.get_json(silent=True)
        return account_name(body.get("username") if isinstance(body, dict) else "")
    return account_name(request.form.get("username", ""))


def _devices() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="login-device")


def _known_device(account: str) -> str | None:
    """The id of this client's device cookie when it was issued for `account`."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        payload = _devices().loads(raw)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("account") != account:
        return None
    device = payload.get("device")
    return device if isinstance(device, str) else None


def _counts(account: str) -> list[Count]:
    per_account = parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])
    device = _known_device(account)
    if device is not None:
        return [Count(per_account, f"device:{device}")]
    address = request.remote_addr or "unknown"
    return [
        Count(per_account, f"pair:{account}:{address}"),
        Count(parse(current_app.config["LOGIN_LIMIT_PER_ADDRESS"]), f"address:{address}"),
        Count(per_account, f"account:{account}"),
    ]


def _seconds_to_wait(counts: list[Count], kind: str = "login") -> int:
    """0 when every count is below its limit, else how long until the first frees a place."""
    waits = []
    for count in counts:
        if not guard().windows.test(count.limit, kind, count.key):
            reset_at = guard().windows.get_window_stats(count.limit, kind, count.key)[0]
            waits.append(max(1, int(reset_at - time.time()) + 1))
    return max(waits, default=0)


def _count_failure(counts: list[Count], kind: str = "login") -> None:
    for count in counts:
        guard().windows.hit(count.limit, kind, count.key)


def throttle_reset_request(identifier: str) -> None:
    """Count a password-reset request for the account it names (found or not) and for the
    client's address; a 429 once either count is full (RESET_LIMIT_PER_ACCOUNT,
    RESET_LIMIT_PER_ADDRESS), before anything is looked up or mailed."""
    config = current_app.config
    counts = [
        Count(parse(config["RESET_LIMIT_PER_ACCOUNT"]), f"account:{account_name(identifier)}"),
        Count(parse(config["RESET_LIMIT_PER_ADDRESS"]), f"address:{request.remote_addr}"),
    ]
    wait = _seconds_to_wait(counts, "reset")
    if wait:
        raise TooManyRequests(RESET_REFUSED, retry_after=wait)
    _count_failure(counts, "reset")


def _remember_device(response, account: str) -> None:
    token = _devices().dumps({"account": account, "device": secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )


def succeeded() -> None:
    """Called by a login view once the password was right: the client becomes a known device
    of the account it named."""
    g.login_succeeded = True


def throttle_failed_logins(view):
    """Guard a login view (POST only): refuse while a count is full, count each 401, and give
    a client that logs in the device cookie of that account."""
    return _guard(view, _attempted_account)


def throttle_failed_codes(account_of):
    """Guard the second-factor view the same way, with the same counts: the account is the
    one whose password was just given (`account_of()`, from the server's session), so wrong
    codes and wrong passwords fill one count."""

    def decorate(view):
        return _guard(view, lambda: account_name(account_of()))

    return decorate


def _guard(view, attempted_account):
    @wraps(view)
    def guarded(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
        account = attempted_account()
        counts = _counts(account)
        wait = _seconds_to_wait(counts)
        if wait:
            metrics.LOGIN_THROTTLED.inc()
            raise TooManyRequests(REFUSED, retry_after=wait)
        try:
            response = make_response(view(*args, **kwargs))
        except Exception as refusal:  # the API raises its 401 as InvalidCredentials
            if getattr(refusal, "status_code", None) == 401:
                _count_failure(counts)
                metrics.LOGIN_FAILURES.inc()
            raise
        if response.status_code == 401:
            _count_failure(counts)
            metrics.LOGIN_FAILURES.inc()
        elif g.get("login_succeeded") and _known_device(account) is None:
            _remember_device(response, account)
        return response

    return guarded
