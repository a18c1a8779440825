"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware: every stored timestamp is UTC."""
    return datetime.now(UTC)


def sql_in(values: tuple[str, ...]) -> str:
    """An SQL `IN (...)` list of string literals, for CHECK constraints over known constants."""
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"
