"""The sealed audit trail: every change written as a hash-chained event in the same
transaction as the change (`trail`), the chain's head anchored outside the database
(`anchors`), and the trail read back for auditors (`queries`).

`from tracker import audit` gives the trail's functions: `audit.record(...)`."""

from .chain_head import chain_end, lock_chain
from .trail import (
    TrailCheck,
    chain_rows,
    chained_together,
    record,
    snapshot,
    verify_chain,
    verify_trail,
)

__all__ = [
    "TrailCheck",
    "chain_end",
    "chain_rows",
    "chained_together",
    "lock_chain",
    "record",
    "snapshot",
    "verify_chain",
    "verify_trail",
]
