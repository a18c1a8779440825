"""Which account an OpenID Connect sign-in stands for (the protocol itself, with its
checks of state, nonce, PKCE and the ID token, is web/auth/sso.py's, through Authlib).

The account is the one whose username is the ID token's OIDC_USERNAME_CLAIM (default
`preferred_username`), in any case. Someone the tracker does not know is refused, or, with
OIDC_CREATE_USERS, given an inactive officer's account in OIDC_DEFAULT_UNIT (or the top of
the unit tree) for an administrator to place and activate (audited).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..infra import clock, context
from ..models import Unit, User
from . import account_links
from .users import USER_FIELDS, find_user

SIGNED_IN, WAITING, UNKNOWN, INACTIVE = "signed_in", "waiting", "unknown", "inactive"


@dataclass(frozen=True)
class Outcome:
    kind: str
    user: User | None = None


def configured() -> bool:
    config = context.settings()
    return bool(config["OIDC_ISSUER"] and config["OIDC_CLIENT_ID"])


def account_for(claims: dict[str, Any]) -> Outcome:
    """The account the verified ID token's claims name, and what may happen with it."""
    username = str(claims.get(context.setting("OIDC_USERNAME_CLAIM")) or "").strip()
    user = find_user(username) if username else None
    if user is not None:
        if not user.active:
            return Outcome(INACTIVE, user)
        user.last_login_at = clock.now()
        return Outcome(SIGNED_IN, user)
    if not username or not context.setting("OIDC_CREATE_USERS"):
        context.log().warning("single sign-on of %r: no such account", username)
        return Outcome(UNKNOWN)
    return Outcome(WAITING, _waiting_account(username, claims))


def _default_unit() -> Unit | None:
    code = context.setting("OIDC_DEFAULT_UNIT")
    if code:
        return db.session.scalar(select(Unit).where(Unit.code == code))
    return db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))


def _waiting_account(username: str, claims: dict[str, Any]) -> User | None:
    """An inactive account for someone the provider vouches for (committed)."""
    unit = _default_unit()
    if unit is None or len(username) > 80:
        return None
    user = User(
        username=username,
        name=str(claims.get("name") or username)[:200],
        email=(str(claims.get("email"))[:254] if claims.get("email") else None),
        password_hash=account_links.unusable_password(),
        role="officer",
        unit=unit,
        active=False,
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(None, "user.created_from_sso", user, after=audit.snapshot(user, USER_FIELDS))
    db.session.commit()
    return user
