"""Column helpers shared by the models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Index

from ..domain.search_text import query_words


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware: every stored timestamp is UTC."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """`moment` with its time zone (naive values are UTC: SQLite gives them back naive)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def sql_in(values: tuple[str, ...]) -> str:
    """An SQL `IN (...)` list of string literals, for CHECK constraints over known constants."""
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def one_line(*names: str) -> Callable[[Any, str, str | None], str | None]:
    """A validator for the class body (`_lines = one_line("code", "title")`): each named
    column, whenever it is set, must be one line of printable text within its length
    (domain.names: the one rule for forms, API, import and the command line)."""
    from sqlalchemy.orm import validates

    from ..domain.names import check_line

    @validates(*names)
    def _one_line(self: Any, key: str, value: str | None) -> str | None:
        return check_line(key, value, self.__table__.c[key].type.length)

    return _one_line


def prose(*names: str) -> Callable[[Any, str, str | None], str | None]:
    """A validator for the class body (`_prose = prose("note")`): each named column, whenever
    it is set, is text a person wrote — no control characters but line breaks and tabs, none
    that reverse the text's direction — within its length, if it has one (domain.names)."""
    from sqlalchemy.orm import validates

    from ..domain.names import check_prose

    @validates(*names)
    def _prose(self: Any, key: str, value: str | None) -> str | None:
        return check_prose(key, value, getattr(self.__table__.c[key].type, "length", None))

    return _prose


def search_key_index(table: str) -> Index:
    """The index that finds a word typed anywhere in a table's search_key (the quick
    search's `LIKE '%word%'`): trigrams in a GIN index on PostgreSQL (pg_trgm, migration
    0040), so that a code among 3 million tasks is found without reading them all. SQLite
    has no such index (a B-tree cannot serve a word inside the text): it reads every row,
    which at the embedded default's size is quick."""
    return Index(
        f"ix_{table}_search_key_trgm",
        "search_key",
        postgresql_using="gin",
        postgresql_ops={"search_key": "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")


def matching_words(search_key: Any, query: str | None) -> list[ColumnElement[bool]]:
    """Conditions on a search_key column: every word typed is in the code and title (or
    name), with or without diacritics (domain.search_text)."""
    return [search_key.contains(word, autoescape=True) for word in query_words(query)]
