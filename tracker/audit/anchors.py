"""Anchors of the audit chain outside the database: the chain's head (seq and hash), signed
with an Ed25519 key kept outside the database, appended as one JSON line to a file the app
only ever appends to. An anchor is written after each period close, each export manifest and
by `flask audit anchor` (daily, from cron or the scheduler).

Someone who can write the database but not that file or key can no longer rewrite history
unseen: a truncated chain ends before an anchor's seq, a recomputed chain has another hash at
it, and a forged anchor line does not verify. `audit verify` and /exports/verify check the
chain against every anchor and against the head recorded in every export manifest and
period closing (see `audit.verify_trail`).

Settings: AUDIT_SIGNING_KEY (a PEM file, made with mode 0600 on first use when missing) and
AUDIT_ANCHOR_FILE (one JSON object per line)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..domain import audit_chain as chain
from ..extensions import db
from ..infra import clock, context
from ..models import AuditHead


@dataclass(frozen=True)
class Anchor:
    """One line of the anchor file, its signature checked (or why it is not an anchor)."""

    line: int
    seq: int
    hash: str
    at: str
    reason: str
    problem: str | None = None


def _key_path() -> Path:
    return Path(context.setting("AUDIT_SIGNING_KEY"))


def _anchor_path() -> Path:
    return Path(context.setting("AUDIT_ANCHOR_FILE"))


def signing_key() -> Ed25519PrivateKey:
    """The key, made once (readable by the app's user only) when the file does not exist."""
    path = _key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            return signing_key()
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        context.log().warning("made a new audit signing key at %s", path)
        return key
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return loaded


def public_key_fingerprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _signed_text(seq: int, digest: str, at: str, reason: str) -> bytes:
    content = {"seq": seq, "hash": digest, "at": at, "reason": reason}
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode("utf-8")


def anchor(reason: str) -> Anchor | None:
    """Append the committed head of the chain, signed, to the anchor file; None (and an error
    in the log) when that cannot be done, since what it anchors is already committed."""
    db.session.commit()  # nothing of the caller's is pending; read the head as committed
    head = db.session.get(AuditHead, 1, populate_existing=True)
    seq, digest = (head.seq, head.hash) if head is not None else (0, chain.GENESIS)
    at = clock.now().isoformat(timespec="seconds")
    try:
        key = signing_key()
        signature = key.sign(_signed_text(seq, digest, at, reason))
        line = {
            "seq": seq,
            "hash": digest,
            "at": at,
            "reason": reason,
            "key": public_key_fingerprint(key.public_key()),
            "signature": base64.b64encode(signature).decode("ascii"),
        }
        path = _anchor_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(line, separators=(",", ":")) + "\n"
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, text.encode("utf-8"))  # one write: lines never interleave
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except (OSError, ValueError) as error:
        context.log().error("the audit chain head %s could not be anchored: %s", seq, error)
        return None
    return Anchor(line=0, seq=seq, hash=digest, at=at, reason=reason)


def read_anchors() -> list[Anchor]:
    """Every line of the anchor file, each with its signature checked; [] without a file."""
    path = _anchor_path()
    if not path.exists():
        return []
    public = signing_key().public_key()
    anchors = []
    for number, text in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
        if text.strip():
            anchors.append(_parse(number, text, public))
    return anchors


def _parse(number: int, text: str, public: Ed25519PublicKey) -> Anchor:
    try:
        line = json.loads(text)
        seq, digest, at, reason = line["seq"], line["hash"], line["at"], line["reason"]
        if not isinstance(seq, int) or not all(isinstance(v, str) for v in (digest, at, reason)):
            raise TypeError
        signature = base64.b64decode(line["signature"], validate=True)
    except (ValueError, KeyError, TypeError):
        return Anchor(number, 0, "", "", "", problem=f"anchor line {number} is unreadable")
    try:
        public.verify(signature, _signed_text(seq, digest, at, reason))
    except InvalidSignature:
        problem = f"anchor line {number} ({at}): its signature does not verify (forged or edited)"
        return Anchor(number, seq, digest, at, reason, problem=problem)
    return Anchor(number, seq, digest, at, reason)
