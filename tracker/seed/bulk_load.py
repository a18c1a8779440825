"""Loading millions of rows into PostgreSQL as its manual advises (Populating a Database:
remove foreign key constraints, remove indexes): for the load, the loaded tables' foreign
keys and secondary indexes are dropped, then made again from their own definitions, in the
same transaction, so that each is checked or built once over all the rows instead of row by
row. A load that fails rolls the drops back with it.

Used by `demo generate` only: the tables are locked for the whole load (no one else reads
them meanwhile). SQLite loads as it is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from ..extensions import db

# Memory for rebuilding the indexes and checking the keys (this transaction only).
BUILD_MEMORY = "512MB"

_FOREIGN_KEYS = text(
    """
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
    FROM pg_constraint
    WHERE contype = 'f' AND conrelid::regclass::text = ANY(:tables)
    ORDER BY conrelid::regclass::text, conname
    """
)
# Indexes of the tables that no constraint stands on (primary keys and unique constraints
# stay: the load's own ids are checked by them).
_SECONDARY_INDEXES = text(
    """
    SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
    FROM pg_index AS i
    WHERE indrelid::regclass::text = ANY(:tables)
      AND NOT EXISTS (
        SELECT 1 FROM pg_constraint AS c
        WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid
      )
    ORDER BY 1
    """
)


def schema_of(tables: tuple[str, ...]) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(foreign keys as (table, name, definition), secondary indexes as (name, definition))."""
    connection = db.session.connection()
    named = {"tables": list(tables)}
    keys = [(row[0], row[1], row[2]) for row in connection.execute(_FOREIGN_KEYS, named)]
    indexes = [(row[0], row[1]) for row in connection.execute(_SECONDARY_INDEXES, named)]
    return keys, indexes


@contextmanager
def checks_and_indexes_after(tables: tuple[str, ...]) -> Iterator[None]:
    """Within: `tables` without their foreign keys and secondary indexes (PostgreSQL)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    keys, indexes = schema_of(tables)
    for table, name, _ in keys:
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        connection.exec_driver_sql(f"DROP INDEX {name}")
    yield
    connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for _, definition in indexes:
        connection.exec_driver_sql(definition)
    for table, name, definition in keys:
        connection.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
