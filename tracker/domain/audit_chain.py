"""The audit trail's hash chain: each event's hash covers its content and the previous
event's hash, so that editing, deleting, reordering or inserting a row breaks the chain."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "request_id",
)


def canonical_time(moment: datetime) -> str:
    """UTC, microseconds, no zone suffix: the same text on SQLite and PostgreSQL."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def event_hash(content: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 of the previous hash and the event's fields, as canonical JSON."""
    fields = {name: content[name] for name in HASHED_FIELDS}
    fields["created_at"] = canonical_time(fields["created_at"])
    payload = json.dumps(
        {"prev": prev_hash, "event": fields},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def first_break(rows: list[dict[str, Any]], head: dict[str, Any] | None) -> str | None:
    """Why the chain is broken, naming the first bad row; None when it is whole.

    `rows` are the events in `seq` order, each with the HASHED_FIELDS, `id`, `prev_hash`
    and `hash`; `head` is the recorded last seq and hash."""
    previous_hash, expected_seq = GENESIS, 1
    for row in rows:
        where = f"audit event id {row['id']} (seq {row['seq']})"
        if row["seq"] != expected_seq:
            return f"{where}: expected seq {expected_seq}; a row was deleted, inserted or moved"
        if row["prev_hash"] != previous_hash:
            return f"{where}: does not follow the previous event's hash"
        if event_hash(row, row["prev_hash"]) != row["hash"]:
            return f"{where}: its content does not match its hash (edited)"
        previous_hash, expected_seq = row["hash"], expected_seq + 1
    if head is not None and (head["seq"], head["hash"]) != (expected_seq - 1, previous_hash):
        return (
            f"the chain ends at seq {expected_seq - 1} but the head records seq {head['seq']}: "
            "events after it were deleted"
        )
    return None


def recorded_head_problem(hashes: dict[int, str], seq: int, digest: str, what: str) -> str | None:
    """Why the chain no longer holds a head recorded outside it (an anchor, a manifest, a
    closing) at `seq` with `digest`; None when it does. `hashes` maps each seq to its hash."""
    if seq == 0:
        return None if digest in (GENESIS, "") else f"{what} records an unknown start of the chain"
    if seq not in hashes:
        last = max(hashes, default=0)
        return (
            f"{what} records seq {seq} but the chain ends at seq {last}: "
            "events were removed (truncated)"
        )
    if hashes[seq] != digest:
        return f"{what} records another hash at seq {seq}: the chain was rewritten"
    return None
