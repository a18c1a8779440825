"""API bearer tokens: issued for a username and password, stored as SHA-256, revocable."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, timedelta

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from .. import audit
from ..domain.errors import DomainError
from ..domain.text import N_
from ..extensions import db
from ..infra import clock, context
from ..models import ApiToken, User
from . import deputies, second_factor
from .users import authenticate


class InvalidCredentials(DomainError):
    status_code = 401
    title = N_("Unauthorized")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SecondFactorMissing(DomainError):
    status_code = 403
    title = N_("Forbidden")


def issue_token(username: str, password: str, otp: str | None = None) -> tuple[str, ApiToken]:
    """A token for the account, when the password (and, for an account with a second factor,
    the current code in `otp`) are right. An account whose role needs a second factor and
    has none gets no token until it is set up in the browser."""
    user = authenticate(username, password)
    if user is None:
        context.log().warning("API login failed for %r", username)
        raise InvalidCredentials("Unknown username or wrong password, or the account is inactive.")
    if second_factor.needs_enrolment(user):
        raise SecondFactorMissing(
            N_("Your role needs a second factor: set it up at /account/two-factor, then send otp.")
        )
    if user.has_second_factor and not second_factor.verify(user, otp or ""):
        context.log().warning("API login for %r without a right second-factor code", username)
        raise InvalidCredentials(
            N_("This account needs the current code of its authenticator app in otp.")
        )
    token = secrets.token_urlsafe(32)
    record = ApiToken(
        user=user,
        token_hash=_digest(token),
        session_token=user.session_token,
        expires_at=clock.now() + timedelta(days=context.setting("API_TOKEN_DAYS")),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(user, "api_token.issue", record)
    db.session.commit()
    return token, record


@functools.cache
def _bearer_statement() -> Select[ApiToken, bool]:
    """Every API request reads the token, its user and whether they are anyone's deputy
    today: one statement, built once."""
    return (
        select(ApiToken, deputies.any_in_force(ApiToken.user_id))
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == bindparam("bearer_hash"))
    )


def user_for_token(token: str) -> tuple[User, ApiToken] | None:
    """The user a bearer token stands for, if it is valid, unrevoked, unexpired and current,
    with the delegations in force applied (deputies.apply)."""
    found = db.session.execute(_bearer_statement(), {"bearer_hash": _digest(token)}).first()
    if found is None:
        return None
    record, deputising = found
    if record.revoked_at is not None:
        return None
    expires_at = record.expires_at
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    user = record.user
    if expires_at <= clock.now() or not user.active or record.session_token != user.session_token:
        return None
    return deputies.apply(user, deputising), record


def revoke_token(user: User, record: ApiToken) -> None:
    record.revoked_at = clock.now()
    audit.record(user, "api_token.revoke", record)
    db.session.commit()
