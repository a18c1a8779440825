"""Single-use links that let a person set their password (models/account_link.py): a reset
they ask for with their username or e-mail, or an invitation an administrator sends to a new
account instead of typing a password for it.

A link works once, until it expires (PASSWORD_RESET_MINUTES for a reset, INVITATION_DAYS for
an invitation); a newer link of the same account, or a password set any other way, ends the
older ones. Only the SHA-256 of the token is stored: the token exists only in the mail, in
the person's language. Setting the password through a link ends every browser session, API
token and calendar feed of the account (its session token changes) and is audited.

`request_reset` does the same work whatever it finds; the web layer runs it after the
response (jobs.queue.soon), so neither the answer nor its timing tells whether an account
exists.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import func, or_, select, update

from .. import audit
from ..domain.errors import InvalidInput, NotFound
from ..domain.text import N_
from ..extensions import db
from ..infra import clock, context, mail
from ..models import AccountLink, User
from ..models.account_link import INVITATION, RESET
from .passwords import hash_password, password_problem


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_address(token: str) -> str:
    """The page a link's token opens, for the mail (APP_BASE_URL: no request to build it)."""
    return f"{context.setting('APP_BASE_URL').rstrip('/')}/password/reset/{token}"


def _lifetime(purpose: str) -> timedelta:
    if purpose == INVITATION:
        return timedelta(days=context.setting("INVITATION_DAYS"))
    return timedelta(minutes=context.setting("PASSWORD_RESET_MINUTES"))


def _end_open_links(user: User, now: datetime) -> None:
    db.session.execute(
        update(AccountLink)
        .where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None))
        .values(used_at=now),
        # The links it ended, by the ids the database returns; not every link object the
        # session holds tried against the condition (an import holds thousands).
        execution_options={"synchronize_session": "fetch"},
    )


def _new_link(user: User, purpose: str, actor: User | None) -> str:
    """A new link for `user` (flush only), ending the older ones; returns its token."""
    now = clock.now()
    _end_open_links(user, now)
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountLink(
            user_id=user.id,
            purpose=purpose,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + _lifetime(purpose),
            created_by_id=actor.id if actor is not None else None,
        )
    )
    db.session.flush()
    return token


def find_account(identifier: str) -> User | None:
    """The active account whose username or e-mail is `identifier` (any case), if one."""
    wanted = identifier.strip().lower()
    if not wanted:
        return None
    matches = db.session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            or_(func.lower(User.username) == wanted, func.lower(User.email) == wanted),
        )
        .order_by(User.id)
        .limit(2)
    ).all()
    # Two accounts sharing one e-mail address: the username must say which.
    return matches[0] if len(matches) == 1 else None


def request_reset(identifier: str, address: str) -> bool:
    """Mail a reset link to the account named by `identifier` when there is one with an
    e-mail address; committed. Returns whether a mail was sent (for the log and the tests:
    the person is told the same either way)."""
    user = find_account(identifier)
    if user is None or not user.email:
        context.log().info("password reset asked for an unknown account from %s", address)
        return False
    token = _new_link(user, RESET, None)
    audit.record(user, "user.password_reset_requested", user, after={"address": address})
    db.session.commit()
    send_link(user.id, token, RESET)
    return True


def require_email(email: str | None) -> None:
    """An invitation travels by e-mail: refused for an account without an address."""
    if not email:
        raise InvalidInput(
            N_("An invitation is sent by e-mail: give the user an e-mail address."),
            field_errors={"email": [N_("required for an invitation")]},
        )


def invite(actor: User | None, user: User) -> str:
    """An invitation link for a new account (flush only; the caller commits, then mails it
    with `send_link`). The account's password stays unusable until the link is used."""
    require_email(user.email)
    token = _new_link(user, INVITATION, actor)
    audit.record(actor, "user.invited", user, after={"email": user.email})
    return token


def unusable_password() -> str:
    """What an invited account holds in place of a password hash until it sets one: not a
    hash of anything (no password verifies against it), and made without argon2's cost, so
    that an import of 10,000 accounts takes seconds."""
    return "!invited:" + secrets.token_hex(8)


def send_link(user_id: int, token: str, purpose: str, mailer: mail.Mailer | None = None) -> None:
    """The mail that carries the link, in the user's language (by id: it may run in
    another thread than the one that made the link); through `mailer` when a batch shares
    one SMTP session."""
    user = db.session.get(User, user_id)
    if user is None or not user.email:
        return
    with mail.in_language(user):
        if purpose == INVITATION:
            subject = gettext("Your account on the Directive Tracker")
            body = gettext(
                "Hello %(name)s,\n\nAn account has been made for you on the Directive Tracker, "
                "with the username %(username)s. Open this link to choose your password:\n\n"
                "%(link)s\n\nThe link works once, for %(days)s days.",
                name=user.name,
                username=user.username,
                link=link_address(token),
                days=context.setting("INVITATION_DAYS"),
            )
        else:
            subject = gettext("Set a new password for the Directive Tracker")
            body = gettext(
                "Hello %(name)s,\n\nSomeone (we hope you) asked to set a new password for the "
                "account %(username)s. Open this link to choose it:\n\n%(link)s\n\n"
                "The link works once, for %(minutes)s minutes. If you did not ask, ignore this "
                "mail: your password stays as it is.",
                name=user.name,
                username=user.username,
                link=link_address(token),
                minutes=context.setting("PASSWORD_RESET_MINUTES"),
            )
    if mailer is not None:
        mailer.send(user.email, subject, body)
        return
    with mail.Mailer() as own:
        own.send(user.email, subject, body)


def open_link(token: str) -> AccountLink | None:
    """The link `token` opens, if it still works: unused, unexpired, its account active."""
    if not token or len(token) > 200:
        return None
    link: AccountLink | None = db.session.scalar(
        select(AccountLink).where(AccountLink.token_hash == _digest(token))
    )
    if link is None or link.used_at is not None or not link.user.active:
        return None
    if clock.aware(link.expires_at) <= clock.now():
        return None
    return link


def set_password_with_link(token: str, password: str) -> User:
    """Set the password of the link's account (committed); the link and any other of the
    account stop working, and so do its sessions, API tokens and calendar feeds."""
    link = open_link(token)
    if link is None:
        raise NotFound(N_("This link has expired or has already been used."))
    user = link.user
    problem = password_problem(password, user.username)
    if problem:
        raise InvalidInput(problem, field_errors={"password": [problem]})
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)
    _end_open_links(user, clock.now())
    action = "user.invitation_accepted" if link.purpose == INVITATION else "user.password_reset"
    audit.record(user, action, user)
    db.session.commit()
    return user


def end_links(user: User) -> None:
    """A password set another way (by the person or an administrator) ends the open links
    (flush only)."""
    _end_open_links(user, clock.now())
