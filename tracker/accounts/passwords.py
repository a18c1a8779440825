"""Passwords: hashing with argon2id (memory-hard, via argon2-cffi), outdated hashes noticed
so that a login upgrades them, and the rules a new password must meet."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.text import N_

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of zxcvbn's curated list (shipped in the package)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


# Characters people add to a common password to pass a length rule ("password1234!").
PADDING = "0123456789!@#$%^&*()_-+=.,?~ "


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` is refused, or None when it is acceptable.

    NIST SP 800-63B: 12 to 128 characters of any kind (spaces and any Unicode count), no
    composition rules, and not a common password, one padded with digits or symbols, one
    word repeated, or the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("The password must have at least %(count)s characters.").fill(
            count=MIN_PASSWORD_LENGTH
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("The password must have at most %(count)s characters.").fill(
            count=MAX_PASSWORD_LENGTH
        )
    lowered = password.casefold()
    common = common_passwords()
    core = lowered.strip(PADDING)
    if lowered in common or (len(core) >= 4 and core in common):
        return N_("This password is one of the most common passwords: choose another.")
    if not core:
        # "123456789012": nothing is left once the padding people add is taken away.
        return N_("This password is only digits and symbols: choose one with words in it.")
    for size in range(1, len(lowered) // 2 + 1):
        if len(lowered) % size == 0 and lowered[:size] * (len(lowered) // size) == lowered:
            return N_("This password repeats the same few characters: choose another.")
    if len(username) >= 4 and username.casefold() in lowered:
        return N_("The password must not contain the username.")
    return None
