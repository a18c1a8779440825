"""Accounts: creating, changing, and authenticating users."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from .. import audit
from ..domain import policy
from ..domain.errors import InvalidInput, first_problem
from ..domain.roles import ROLES
from ..domain.text import N_
from ..extensions import db
from ..infra import clock, context
from ..models import Unit, User
from . import account_links, directory
from .passwords import hash_password, needs_rehash, password_problem, verify_password

USER_FIELDS = ("username", "name", "email", "role", "unit_id", "active")


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def _validate(
    username: str,
    role: str,
    unit: Unit | None,
    user_id: int | None = None,
    taken: set[str] | None = None,
) -> None:
    """Refuse a bad username (or one taken: by another account, or in `taken`, lowercased
    names a bulk import read once), an unknown role or a missing unit."""
    errors: dict[str, list[str]] = {}
    if (
        not username
        or len(username) > 80
        or not username.replace(".", "").replace("_", "").isalnum()
    ):
        errors["username"] = [N_("use 1–80 letters, digits, dots or underscores")]
    else:
        if taken is not None:
            clash = username.lower() in taken
        else:
            existing = find_user(username)
            clash = existing is not None and existing.id != user_id
        if clash:
            errors["username"] = [N_("“%(name)s” is already taken").fill(name=username)]
    if role not in ROLES:
        errors["role"] = [
            N_("unknown role “%(role)s”; use one of: %(choices)s").fill(
                role=role, choices=", ".join(ROLES)
            )
        ]
    if unit is None:
        errors["unit"] = [N_("choose the user's unit")]
    if errors:
        raise first_problem(errors)


def add_user(
    username: str,
    password: str | None,
    role: str,
    unit: Unit,
    name: str = "",
    email: str | None = None,
    taken: set[str] | None = None,
    language: str | None = None,
) -> User:
    """Validate and add a user (flush only). No password (None): one nobody knows, for an
    account whose owner is invited to choose it. `taken`: see _validate. `language`: of
    the pages (None: the browser's)."""
    _validate(username, role, unit, taken=taken)
    if password is None:
        password_hash = account_links.unusable_password()
    else:
        problem = password_problem(password, username)
        if problem:
            raise InvalidInput(problem, field_errors={"password": [problem]})
        password_hash = hash_password(password)
    user = User(
        username=username,
        name=name or username,
        email=email or None,
        password_hash=password_hash,
        role=role,
        unit=unit,
        active=True,
        session_token=secrets.token_hex(16),
        language=language,
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_user(
    actor: User | None, username: str, password: str, role: str, unit: Unit, **kw: Any
) -> User:
    """Create an account. `actor` None means the command line (an operator on the server)."""
    if actor is not None:
        policy.require(policy.can_manage_users(actor))
    user = add_user(username, password, role, unit, **kw)
    audit.record(actor, "user.create", user, after=audit.snapshot(user, USER_FIELDS))
    db.session.commit()
    return user


def invite_user(
    actor: User | None, username: str, role: str, unit: Unit, **kw: Any
) -> tuple[User, str]:
    """Create an account without a password and an invitation to choose it (committed);
    returns the account and the invitation's token, for the mail (account_links.send_link)
    sent once this has committed."""
    if actor is not None:
        policy.require(policy.can_manage_users(actor))
    account_links.require_email(kw.get("email"))
    user = add_user(username, None, role, unit, **kw)
    audit.record(actor, "user.create", user, after=audit.snapshot(user, USER_FIELDS))
    token = account_links.invite(actor, user)
    db.session.commit()
    return user, token


def send_invitation(actor: User | None, user: User) -> str:
    """A new invitation for an existing account (the last one expired or went astray),
    ending the older links (committed); returns its token for the mail. The password stays
    as it is until the link is used."""
    if actor is not None:
        policy.require(policy.can_manage_users(actor))
    token = account_links.invite(actor, user)
    db.session.commit()
    return token


def update_user(
    actor: User,
    user: User,
    *,
    name: str,
    email: str | None,
    role: str,
    unit: Unit,
    active: bool,
    new_password: str | None = None,
) -> User:
    policy.require(policy.can_manage_users(actor))
    _validate(user.username, role, unit, user.id)
    before = audit.snapshot(user, USER_FIELDS)
    access_changed = (role, unit.id, active) != (user.role, user.unit_id, user.active)
    user.name, user.email, user.role, user.unit, user.active = (
        name,
        email or None,
        role,
        unit,
        active,
    )
    if new_password:
        problem = password_problem(new_password, user.username)
        if problem:
            raise InvalidInput(problem, field_errors={"password": [problem]})
        user.password_hash = hash_password(new_password)
        account_links.end_links(user)
        access_changed = True
    if access_changed:
        # Existing sessions and API tokens carry the old value and stop working.
        user.session_token = secrets.token_hex(16)
    db.session.flush()
    after = audit.snapshot(user, USER_FIELDS)
    if new_password:
        after["password"] = "changed"
    audit.record(actor, "user.update", user, before, after)
    db.session.commit()
    return user


def local_login_allowed(user: User | None) -> bool:
    """Whether a password kept by the tracker signs this account in: always, unless
    LOCAL_LOGIN is off, and then only for the named break-glass admin (LOCAL_LOGIN_ADMIN)."""
    if context.setting("LOCAL_LOGIN"):
        return True
    breakglass = context.setting("LOCAL_LOGIN_ADMIN")
    return bool(
        user is not None
        and breakglass
        and user.username.lower() == str(breakglass).lower()
        and user.role == "admin"
    )


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None. With a directory (LDAP_URL) the
    directory is asked first — except for the break-glass admin — and its groups may set the
    role; a password kept by the tracker is tried only where local_login_allowed. On success
    it notes the moment of the sign-in (committed by the caller with its audit event) and
    upgrades an outdated hash."""
    user = find_user(username)
    if directory.configured() and not (
        user is not None and not context.setting("LOCAL_LOGIN") and local_login_allowed(user)
    ):
        answer = directory.check(username, password)
        if answer.verdict is directory.Verdict.ACCEPTED:
            if user is None or not user.active:
                context.log().warning("%r is in the directory but has no active account", username)
                return None
            _take_role_from_directory(user, answer.role)
            user.last_login_at = clock.now()
            return user
    if not local_login_allowed(user) or user is None:
        verify_password(_dummy_hash(), password)  # same work either way: no user enumeration
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = clock.now()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def _take_role_from_directory(user: User, role: str | None) -> None:
    """The role the directory's groups give (LDAP_ROLE_GROUPS), audited when it changes."""
    if role is None or role == user.role or role not in ROLES:
        return
    before = audit.snapshot(user, USER_FIELDS)
    user.role = role
    user.session_token = secrets.token_hex(16)  # sessions of the old role end
    audit.record(None, "user.role_from_directory", user, before, audit.snapshot(user, USER_FIELDS))


def dormant_users() -> Select[Any]:
    """Active accounts nobody has signed in to for INACTIVE_AFTER_DAYS days (or ever, when
    made longer ago than that): a statement over User, by username."""
    since = clock.now() - timedelta(days=context.setting("INACTIVE_AFTER_DAYS"))
    return (
        select(User)
        .where(
            User.active.is_(True),
            or_(
                User.last_login_at < since,
                and_(User.last_login_at.is_(None), User.created_at < since),
            ),
        )
        .order_by(User.username)
    )


def deactivate_dormant(actor: User) -> int:
    """Deactivate every dormant account but the actor's own, each with an audit event; their
    sessions and API tokens end. Returns how many."""
    policy.require(policy.can_manage_users(actor))
    count = 0
    for user in db.session.scalars(dormant_users().where(User.id != actor.id)).all():
        before = audit.snapshot(user, USER_FIELDS)
        user.active = False
        user.session_token = secrets.token_hex(16)
        after = audit.snapshot(user, (*USER_FIELDS, "last_login_at"))
        audit.record(actor, "user.deactivated_dormant", user, before, after)
        count += 1
    db.session.commit()
    return count


def record_login(user: User, outcome: str) -> None:
    audit.record(user, f"auth.{outcome}", user)
    db.session.commit()


def set_language(user: User, language: str) -> None:
    """The user's language of the pages (a preference: not audited)."""
    user.language = language
    db.session.commit()


@cache
def _dummy_hash() -> str:
    """Made at the first unknown username, not at every start of the app or a command."""
    return hash_password("not-a-real-password-only-for-timing")


def set_password(actor: User | None, user: User, password: str) -> None:
    """Set a new password; the user's other sessions and API tokens stop working."""
    if actor is not None and actor.id != user.id:
        policy.require(policy.can_manage_users(actor))
    problem = password_problem(password, user.username)
    if problem:
        raise InvalidInput(problem, field_errors={"password": [problem]})
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)
    account_links.end_links(user)
    audit.record(actor, "user.password_changed", user)
    db.session.commit()
