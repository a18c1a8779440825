"""One consistent view of the data for a write that first reads much — a period close reads
its report and copies every task of its scope — without making every other audited write
wait for it.

The chain's head (`audit.lock_chain`) is what makes a transaction's reads consistent with
the head it records: while a transaction holds it, no audited change can commit. Held for
a national close (2.5 s at 300,000 tasks, 200,000 tasks copied), it stopped every progress
report of the service for that long.

On PostgreSQL the reading is done instead in a snapshot: a REPEATABLE READ, READ ONLY
transaction on a connection of its own. Within `Snapshot.current()` the session's reads go
to it — the chain's head read there is the head of exactly the changes it shows, since
every audited change writes the head in its own transaction — and `copy_into` streams a
SELECT's rows from it into a table of this transaction (COPY out, COPY in). This
transaction takes the head only for its own audit event, at its end.

On SQLite, where writers queue on the whole database anyway, the transaction takes the
head first and reads in itself, as before.

A report file only reads: `reading` gives it such a view on both databases (on SQLite a
transaction that only reads, which WAL keeps at its first read), so that the chain head a
file records is that of exactly the rows it shows, however long the file takes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from psycopg import sql
from sqlalchemy import Connection, CursorResult, Engine, Select, Table, insert, literal, select
from sqlalchemy.orm import Session

from .. import audit
from ..extensions import db


class Snapshot:
    """Reads made in one view of the data, whose results this transaction writes."""

    def __init__(self, connection: Connection | None):
        self._connection = connection  # None: this transaction's own (SQLite)

    @contextmanager
    def current(self) -> Iterator[None]:
        """Within the block, `db.session` reads from the snapshot (read only)."""
        if self._connection is None:
            yield
            return
        registry = db.session.registry
        own = registry()
        # A plain session: Flask-SQLAlchemy's chooses its engine itself, whatever its bind.
        reader = Session(bind=self._connection, autoflush=False)
        registry.set(cast(Any, reader))
        try:
            yield
        finally:
            registry.set(own)
            reader.close()

    def copy_into(
        self, table: Table, columns: list[str], rows: Select[Any], params: dict[str, Any]
    ) -> int:
        """INSERT INTO table (columns) the snapshot's `rows` (with their bound `params`);
        how many were copied. For a snapshot `taken` (SQLite: this transaction's own)."""
        if self._connection is None:
            inserted = db.session.execute(insert(table).from_select(columns, rows), params)
            return cast(CursorResult[Any], inserted).rowcount
        compiled = rows.compile(
            dialect=self._connection.dialect, compile_kwargs={"render_postcompile": True}
        )
        copy_out = f"COPY ({compiled}) TO STDOUT"
        copy_in = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with (
            _driver(self._connection).cursor() as source,
            _driver(db.session.connection()).cursor() as target,
        ):
            with (
                source.copy(copy_out, compiled.construct_params(params)) as out,
                target.copy(copy_in) as into,
            ):
                for chunk in out:
                    into.write(chunk)
            return int(target.rowcount)


def _driver(connection: Connection) -> Any:
    return connection.connection.driver_connection


@contextmanager
def taken() -> Iterator[Snapshot]:
    """A snapshot of the data as committed now (PostgreSQL), or, on SQLite, this transaction
    with the audit chain's head taken first."""
    if db.session.get_bind().dialect.name != "postgresql":
        audit.lock_chain()
        yield Snapshot(None)
        return
    with reading() as snapshot:
        yield snapshot


@contextmanager
def reading() -> Iterator[Snapshot]:
    """A read-only view of the data as committed now, on a connection of its own to the
    database reports read from (the reporting replica within `reading_reports`): a report
    file made within `current()` and the chain head read there match exactly, while writers
    go on. PostgreSQL: a REPEATABLE READ, READ ONLY transaction; SQLite (WAL): a transaction
    that only reads, whose first read fixes the view it keeps."""
    engine = db.session.get_bind(clause=select(literal(1)))
    assert isinstance(engine, Engine)  # Flask-SQLAlchemy binds the session to engines
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        else:
            connection.exec_driver_sql("BEGIN")
        try:
            yield Snapshot(connection)
        finally:
            connection.rollback()
