"""Which pooled database connections are checked before a request uses them.

SQLAlchemy's `pool_pre_ping` sends a ping on every checkout: one more round trip for
every request (for a progress report through the API, 1 % of the worker's instructions
and one more wait on the database). A connection that went back to the pool a moment ago
is as good as the request that used it found it; one that has sat idle may have been
closed by a database restart, an idle timeout or a firewall. So only a connection idle
for `IDLE_SECONDS` or more is pinged; a failed ping discards it, and the pool hands out
another (SQLAlchemy retries a checkout that raises DisconnectionError).

A restart while requests keep coming: the request that meets the dead connection gets the
explicit 503 the error handler gives a lost database, and that error makes SQLAlchemy
replace every connection the pool held, so the next request connects afresh."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.pool import ConnectionPoolEntry, Pool, PoolProxiedConnection

# Longer than the gaps between requests of a busy worker, shorter than any idle timeout
# a database or firewall sets.
IDLE_SECONDS = 10.0
_CHECKED_IN_AT = "tracker_checked_in_at"


@event.listens_for(Pool, "checkin")
def _note_return(dbapi_connection: Any, connection_record: ConnectionPoolEntry) -> None:
    if dbapi_connection is not None:
        connection_record.info[_CHECKED_IN_AT] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(
    dbapi_connection: Any,
    connection_record: ConnectionPoolEntry,
    connection_proxy: PoolProxiedConnection,
) -> None:
    returned = connection_record.info.get(_CHECKED_IN_AT)
    if returned is None or time.monotonic() - returned < IDLE_SECONDS:
        return  # new, or used a moment ago
    if not _alive(dbapi_connection):
        raise exc.DisconnectionError("the pooled connection was closed while it was idle")


def _alive(dbapi_connection: Any) -> bool:
    """One round trip that changes nothing; False if the connection is gone."""
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        # Ends the transaction psycopg began for it, with COMMIT: a ROLLBACK would also drop
        # the statements prepared on the connection (see _end_reads_with_commit).
        dbapi_connection.commit()
    except Exception:  # any driver's error: the connection is not usable
        return False
    return True
