"""User accounts and their API tokens."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.roles import ROLES, UNIT_LEADER
from ..extensions import Model
from ._types import one_line, sql_in, utcnow
from .unit import Unit


class User(UserMixin, Model):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(f"role IN {sql_in(ROLES)}", name="role_allowed"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    _lines = one_line("username", "name")
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Opt-in daily e-mail of the unit's overdue and due-soon tasks.
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    # Notifications (models.notification) are also e-mailed unless the person turns it off.
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # "vi" or "en" as the user chose; None: follow the browser (web.language.choose_language).
    language: Mapped[str | None] = mapped_column(String(5))
    # Changes whenever the password, role, unit or active flag changes; it is part of the login
    # session, so a change ends existing sessions on their next request.
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The last sign-in with the password (the login page or POST /api/v1/tokens).
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The second factor (accounts.second_factor): the RFC 6238 secret (base32), set when the
    # person confirmed it with a first code, and the last time step a code was accepted for
    # (a code is accepted once).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    unit: Mapped[Unit] = relationship()

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    # The browser session being signed in (set by accounts.login_sessions.start); it goes
    # into the cookie with the id and the account's session token.
    # (Not a column: an annotation would make it one; cast() gives mypy its type.)
    login_session_token = cast("str | None", None)

    # The units this person acts for as their leader's deputy today, unit id → the leader
    # (set per request by accounts.deputies.apply from the delegations in force; not a
    # column). The policy reads it; `principal_for` names whom an action is on behalf of.
    deputy_for = cast("dict[int, User]", {})

    # How many of this person's notifications were unread when the request read their
    # session (set by accounts.login_sessions.signed_in; not a column): the bell of a page
    # that changed nothing. None when not read that way (an API token, a test's user).
    unread_at_sign_in = cast("int | None", None)

    def principal_for(self, lead_unit_id: int | None) -> User | None:
        """The leader this person acts on behalf of on a task led by `lead_unit_id`: when
        they act there only as a deputy (not as that unit's own leader), else None."""
        if lead_unit_id is None or lead_unit_id not in self.deputy_for:
            return None
        if self.role == UNIT_LEADER and self.unit_id == lead_unit_id:
            return None
        return self.deputy_for[lead_unit_id]

    @property
    def name_and_account(self) -> str:
        """The person as files, choosers and closings name them: "Trần Thị Thu (thu.tt)"."""
        return f"{self.name} ({self.username})"

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}:{self.login_session_token or ''}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class ApiToken(Model):
    """A bearer token for API v1; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The user's session_token when issued: a password, role or unit change voids the token.
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class RecoveryCode(Model):
    """One of the ten single-use codes that stand in for the second factor when the phone is
    lost; only a hash is stored, the codes are shown once."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Delegation(Model):
    """A unit leader's deputy for a date range: in it (and until ended early) the deputy, a
    person of the same unit, acts with the leader's rights on the unit's tasks."""

    __tablename__ = "delegation"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="range_forward"),
        CheckConstraint("deputy_id <> leader_id", name="not_oneself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    deputy_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()
    leader: Mapped[User] = relationship(foreign_keys=[leader_id])
    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id])

    def in_force(self, today: date) -> bool:
        return self.ended_at is None and self.starts_on <= today <= self.ends_on
