"""Importing user accounts from CSV or XLSX: one row per account (username, full_name, email,
role, unit, language), read with the same limits as the task import (org.imports), with the
same dry run, row/column/message errors and all-or-nothing apply.

Every account is made without a password and with an invitation (accounts.account_links) to
choose it, so an e-mail address is required. The invitations are returned, not sent: the
caller mails them only once the import has committed (`send_invitations`), so a file with a
problem, or a dry run, mails nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text

from .. import audit
from ..accounts import account_links, users
from ..domain import policy
from ..domain.errors import DomainError
from ..domain.roles import ROLES
from ..domain.text import N_
from ..extensions import db
from ..infra import context, mail
from ..infra.i18n import LANGUAGES
from ..models import Unit, User
from ..models.account_link import INVITATION
from . import imports
from .imports import ImportReport, RowProblem, cell_text

COLUMNS = ("username", "full_name", "email", "role", "unit", "language")
REQUIRED = ("username", "email", "role", "unit")
TEMPLATE_PATH = "/admin/users/import/template.csv"
# Service field names -> the column to blame.
FIELD_COLUMNS = {"name": "full_name", "unit_id": "unit", "password": "username"}


@dataclass(frozen=True)
class Invitation:
    """An account made by the import and the token of its invitation, to mail once the
    import has committed."""

    user_id: int
    token: str


@dataclass
class _Known:
    """What every row is checked against, read once: taken usernames (any case) and units
    by code."""

    usernames: set[str]
    units: dict[str, Unit]


# The PostgreSQL advisory lock an account import holds to its transaction's end ("accounts"
# in ASCII): any 64-bit key no other lock of the app uses.
_ACCOUNT_IMPORTS_LOCK = int.from_bytes(b"accounts", "big") & 0x7FFF_FFFF_FFFF_FFFF


def _queue_behind_other_account_imports() -> None:
    """Two account imports must not both make one username: the second waits here until the
    first has committed, then reads the names taken (`_known`, which sees that commit). On
    PostgreSQL an advisory lock of their own, so that other writers — progress reports,
    sign-ins — do not wait for an import; its audit events are chained at its end
    (`imports.run_rows`). On SQLite the chain's head, a write: SQLite's writers queue on the
    whole database during the import anyway."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ACCOUNT_IMPORTS_LOCK}
        )
    else:
        audit.lock_chain()


def _known() -> _Known:
    names = {name for (name,) in db.session.execute(select(func.lower(User.username)))}
    return _Known(usernames=names, units={u.code: u for u in db.session.scalars(select(Unit))})


def _row(actor: User, row: dict[str, Any], known: _Known, line: int) -> Invitation:
    username = cell_text(row, "username")
    email = cell_text(row, "email")
    role = cell_text(row, "role").lower()
    if role not in ROLES:
        raise RowProblem(
            "role",
            N_("unknown role %(role)s; use one of: %(choices)s").fill(
                role=repr(role), choices=", ".join(ROLES)
            ),
        )
    code = cell_text(row, "unit")
    unit = known.units.get(code)
    if unit is None:
        raise RowProblem("unit", N_("unknown unit %(code)s").fill(code=repr(code)))
    language = cell_text(row, "language").lower() or None
    if language is not None and language not in LANGUAGES:
        raise RowProblem("language", N_("use vi or en, or leave it empty"))
    account_links.require_email(email)
    user = users.add_user(
        username,
        None,
        role,
        unit,
        name=cell_text(row, "full_name"),
        email=email,
        taken=known.usernames,
        language=language,
    )
    audit.record(
        actor, "user.create", user, after={**audit.snapshot(user, users.USER_FIELDS), "row": line}
    )
    return Invitation(user.id, account_links.invite(actor, user))


def run_user_import(
    actor: User,
    rows: list[dict[str, Any]],
    dry_run: bool = True,
    progress: Callable[[int], None] | None = None,
    seconds: float | None = None,
    before_commit: Callable[[ImportReport], bool] | None = None,
) -> tuple[ImportReport, list[Invitation]]:
    """Try every row; commit only when all succeed and this is not a dry run (the task
    import's run, org.imports.run_rows); then the invitations to mail are returned,
    otherwise none."""
    policy.require(policy.can_manage_users(actor))
    report = ImportReport(rows=len(rows), dry_run=dry_run, created={"users": 0})
    _queue_behind_other_account_imports()
    known = _known()
    invitations: list[Invitation] = []

    def try_row(row: dict[str, Any], line: int) -> None:
        invitations.append(_row(actor, row, known, line))
        username = cell_text(row, "username")
        known.usernames.add(username.lower())
        report.created["users"] += 1
        report.actions.append((line, N_("create %(username)s").fill(username=username)))

    def blame(error: DomainError) -> str:
        column = next(iter(error.field_errors), "username")
        return FIELD_COLUMNS.get(column, column)

    imports.run_rows(
        actor,
        rows,
        report,
        try_row,
        blame,
        "import.users",
        lambda: {"rows": report.rows, **report.created},
        progress,
        seconds,
        before_commit,
    )
    return report, invitations if report.written else []


def send_invitations(invitations: list[Invitation]) -> int:
    """Mail the invitations of a committed import; how many were sent. A mail that fails is
    logged and skipped: the account exists and an admin can send its invitation again."""
    sent = 0
    with mail.Mailer() as mailer:
        for invitation in invitations:
            try:
                account_links.send_link(invitation.user_id, invitation.token, INVITATION, mailer)
            except OSError as error:
                context.log().warning(
                    "invitation to account %s not mailed: %s", invitation.user_id, error
                )
                continue
            sent += 1
    return sent


TEMPLATE_EXAMPLE = {
    "username": "nguyen.thi.lan",
    "full_name": "Nguyễn Thị Lan",
    "email": "lan.nt@mof.gov.vn",
    "role": "officer",
    "unit": "BTC",
    "language": "vi",
}


def template_csv() -> str:
    return imports.template_csv(COLUMNS, TEMPLATE_EXAMPLE)
