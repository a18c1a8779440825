"""The audit chain's head as one transaction holds it: locked once, by the transaction's
first audited write; its end (the last event this transaction chained) kept in the session;
the head row written once, when the transaction commits.

Every writer still queues on the head row (a row lock on PostgreSQL, the write lock on
SQLite) from its first event to its commit, so concurrent changes make one chain; a
transaction of many changes records inside `trail.chained_together`, so that its first
event comes only at its end. What changed is that the row is written once per transaction
instead of once per event: each write of one row inside one transaction leaves a version of
it that PostgreSQL walks at the next, so an import writing 40,000 events in one transaction
spent most of its time there (10,000 accounts: 145 s).

A savepoint rolled back (an import's refused row) takes its events with it: the end is then
read again from the events this transaction still holds; and when the lock itself was taken
inside that savepoint, the lock went too and the next write takes it again."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Update, bindparam, event, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value

from ..domain import audit_chain as chain
from ..extensions import db
from ..models import AuditEvent, AuditHead

_HELD = "audit_chain_head"


@dataclass
class Held:
    """The head a transaction locked, and where its chain ends now."""

    locked: tuple[int, str]  # (seq, hash) when locked: the committed end of the chain
    locked_in: SessionTransaction | None  # the savepoint the lock was taken in, if any
    end: tuple[int, str] | None  # this transaction's last event; None: read it again


@functools.cache
def _lock_statement() -> Update:
    """Locks and reads the head in one statement (UPDATE ... RETURNING, on both databases);
    built once, like `_write_statement`: every audited transaction runs both. Both run on
    the transaction's connection: as statements of the session, each first searched the
    session's objects for those it touches (see `trail._chain` for what it saved)."""
    head = AuditHead.__table__
    return (
        update(head).where(head.c.id == 1).values(seq=head.c.seq).returning(head.c.seq, head.c.hash)
    )


@functools.cache
def _write_statement() -> Update:
    head = AuditHead.__table__
    return (
        update(head)
        .where(head.c.id == 1)
        .values(seq=bindparam("end_seq"), hash=bindparam("end_hash"))
    )


def lock_chain() -> None:
    """Take the chain's head for this transaction, once: a write, so that concurrent
    writers queue here and each sees the head the previous one committed."""
    session = db.session()
    if _HELD in session.info:
        return
    head = session.connection().execute(_lock_statement()).first()
    if head is None:  # the migration creates it; this is only for a head removed since
        try:
            with db.session.begin_nested():
                db.session.add(AuditHead(id=1, seq=0, hash=chain.GENESIS))
        except IntegrityError:  # a concurrent writer made it first: queue behind it
            pass
        lock_chain()
        return
    locked = (head.seq, head.hash)
    held = session.info[_HELD] = Held(locked, session.get_nested_transaction(), locked)
    _show(session, held)


def chain_end() -> tuple[int, str]:
    """(seq, hash) of the chain's last event as this transaction sees it: its own last
    event when it has chained any, else the head as committed."""
    held = db.session().info.get(_HELD)
    if held is None:
        head = db.session.get(AuditHead, 1)
        return (head.seq, head.hash) if head is not None else (0, chain.GENESIS)
    return _end(db.session(), held)


def chained(seq: int, digest: str) -> None:
    """This transaction's event `seq` with `digest` is now the end of the chain."""
    session = db.session()
    held = session.info[_HELD]
    held.end = (seq, digest)
    _show(session, held)


def _end(session: Session, held: Held) -> tuple[int, str]:
    if held.end is None:
        # The last event this transaction still holds (none: the chain as it was locked),
        # read on the transaction's own connection (never a reports replica).
        latest = (
            select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.seq > held.locked[0])
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        )
        last = session.connection().execute(latest).first()
        held.end = (last.seq, last.hash) if last is not None else held.locked
        _show(session, held)
    return held.end


def _show(session: Session, held: Held) -> None:
    """The head, if the session holds it as an object, shows the end to this transaction's
    readers, without counting as a change to flush (`chain_end` is how to read it)."""
    assert held.end is not None
    head = session.identity_map.get(_head_identity())
    if head is not None:
        set_committed_value(head, "seq", held.end[0])
        set_committed_value(head, "hash", held.end[1])


@functools.cache
def _head_identity() -> Any:
    """The head's key among a session's objects (once the mappers are configured)."""
    return inspect(AuditHead).identity_key_from_primary_key((1,))


@event.listens_for(Session, "before_commit")
def _write_head(session: Session) -> None:
    """The head row written once, as the transaction (not a savepoint) commits."""
    held = session.info.get(_HELD)
    if held is None or session.in_nested_transaction():
        return
    seq, digest = _end(session, held)
    if (seq, digest) != held.locked:
        # On the connection: a statement of the session would first look for the head
        # among its objects to update them too (the object already shows the end).
        session.connection().execute(_write_statement(), {"end_seq": seq, "end_hash": digest})


@event.listens_for(Session, "after_soft_rollback")
def _savepoint_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    held = session.info.get(_HELD)
    if held is None or not previous_transaction.nested:
        return
    if _inside(held.locked_in, previous_transaction):
        del session.info[_HELD]  # the lock was the savepoint's: taken again when needed
    else:
        held.end = None  # its events are gone: the end is read again when needed


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_transaction_end")
def _release(session: Session, transaction: SessionTransaction) -> None:
    """Committed or rolled back: the lock is gone, and what the next transaction sees of
    the head is read again."""
    if transaction.parent is None:
        session.info.pop(_HELD, None)
