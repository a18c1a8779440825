"""The second factor: time-based one-time codes (TOTP, RFC 6238: six digits, 30-second
steps, SHA-1, as every authenticator app reads them) and ten single-use recovery codes.

Enrolment: a new secret is shown as a QR code (SVG drawn here, nothing from a CDN) and as
text; it is in force only once the person confirms it with a first code, and the recovery
codes are then made and shown once (stored as SHA-256; each is 40 random bits, and wrong
codes are throttled like passwords). A code is accepted within one step either way of the
server's clock, and only for a time step later than the last one accepted: the same code
never works twice. Required for the roles in MFA_REQUIRED_ROLES; an admin can reset a
person's second factor (audited), who then enrols again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import pyotp
import segno
from sqlalchemy import delete, func, select

from .. import audit
from ..domain import policy
from ..extensions import db
from ..infra import clock, context
from ..models import RecoveryCode, User

ISSUER = "Directive Tracker"
STEP_SECONDS = 30
RECOVERY_CODES = 10


def required_for(user: User) -> bool:
    """Whether `user`'s role must sign in with a second factor (MFA_REQUIRED_ROLES)."""
    return user.role in context.setting("MFA_REQUIRED_ROLES")


def needs_enrolment(user: User) -> bool:
    return required_for(user) and not user.has_second_factor


def pending_secret(user: User) -> str:
    """The secret being set up (made and kept at the first visit of the enrolment page, so
    a reload shows the same code; not yet in force)."""
    if user.has_second_factor:
        raise ValueError("the second factor is already on")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.commit()
    return user.totp_secret


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows for a secret not yet confirmed."""

    secret: str
    uri: str
    qr_svg: str

    @property
    def secret_in_groups(self) -> str:
        """The secret as it is typed: groups of four."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def enrolment(user: User, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=4, svgclass="qr-code", lineclass=None, omitsize=False)
    return Enrolment(secret=secret, uri=uri, qr_svg=svg)


def _accepted_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step `code` belongs to (the current one, or one either side), if it is a
    valid code newer than `last_step`."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now().timestamp()
    for offset in (0, -1, 1):
        step = int(now // STEP_SECONDS) + offset
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step if last_step is None or step > last_step else None
    return None


def _digest(code: str) -> str:
    return hashlib.sha256("".join(code.lower().split()).replace("-", "").encode()).hexdigest()


def confirm(user: User, code: str) -> list[str] | None:
    """Turn the second factor on once `code` proves the app has the pending secret
    (committed); returns the recovery codes to show once, or None for a wrong code."""
    if user.has_second_factor or not user.totp_secret:
        return None
    step = _accepted_step(user.totp_secret, code, None)
    if step is None:
        return None
    user.totp_enabled_at = clock.now()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    audit.record(user, "user.second_factor_enabled", user)
    db.session.commit()
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # shown as xxxxx-xxxxx
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_digest(raw)))
    return codes


def verify(user: User, code: str) -> bool:
    """Whether `code` is the account's current TOTP code (not used before) or one of its
    unused recovery codes; either is then spent (committed)."""
    if not user.has_second_factor or not user.totp_secret or not code or len(code) > 40:
        return False
    step = _accepted_step(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        db.session.commit()
        return True
    recovery = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = clock.now()
    audit.record(user, "user.recovery_code_used", user)
    db.session.commit()
    return True


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def reset(actor: User, user: User) -> None:
    """An admin turns a person's second factor off (a lost phone, no recovery code left):
    they enrol again at their next login; their sessions and API tokens end (committed)."""
    policy.require(policy.can_manage_users(actor))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_token = secrets.token_hex(16)
    audit.record(actor, "user.second_factor_reset", user)
    db.session.commit()
