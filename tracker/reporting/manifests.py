"""Export manifests: every report file the tracker hands out is recorded with the SHA-256
of its bytes and the head of the audit chain of the data it shows (ReportExport, plus a
`report.export` event in the sealed trail). An auditor proves a file later by handing it
(or its SHA-256) to /exports/verify: the tracker names who made it, when, with which
filters, and whether the audit chain still verifies."""

from __future__ import annotations

import hashlib
import re
from typing import Any, BinaryIO

from sqlalchemy import select

from .. import audit
from ..audit import anchors
from ..extensions import db
from ..infra import clock
from ..models import ReportExport, User
from .report_tables import Stamp

SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


def stamp_for(user: User) -> Stamp:
    """Who is generating a file now, and the audit chain's head as the session reads it:
    within `snapshots.reading`, the head of exactly the data read there."""
    seq, digest = audit.chain_end()
    return Stamp(
        generated_by=user.name_and_account,
        generated_at=clock.now(),
        chain_seq=seq,
        chain_hash=digest,
    )


def add_export(
    user: User,
    report: str,
    file_format: str,
    file_name: str,
    parameters: dict[str, Any],
    digest: str,
    size: int,
    stamp: Stamp,
) -> ReportExport:
    """The manifest of a file just made, as a row and an audit event, for a caller that owns
    the transaction (a background job records it with the job's completion); flushes."""
    export = ReportExport(
        report=report,
        file_format=file_format,
        file_name=file_name,
        parameters=dict(parameters),
        sha256=digest,
        size_bytes=size,
        chain_seq=stamp.chain_seq,
        chain_hash=stamp.chain_hash,
        generated_by=user,
        generated_at=stamp.generated_at,
    )
    db.session.add(export)
    db.session.flush()
    audit.record(user, "report.export", export, after=manifest(export))
    return export


def record_export(
    user: User,
    report: str,
    file_format: str,
    file_name: str,
    parameters: dict[str, Any],
    digest: str,
    size: int,
    stamp: Stamp,
) -> ReportExport:
    """Keep the manifest of a file just sent (add_export), commit, and anchor the chain."""
    export = add_export(user, report, file_format, file_name, parameters, digest, size, stamp)
    db.session.commit()
    anchors.anchor("report.export")
    return export


def manifest(export: ReportExport) -> dict[str, Any]:
    """The manifest as JSON: what the file is, its digest, and the chain head it reflects."""
    return {
        "export_id": export.id,
        "report": export.report,
        "format": export.file_format,
        "file_name": export.file_name,
        "parameters": export.parameters,
        "sha256": export.sha256,
        "size_bytes": export.size_bytes,
        "audit_chain_head": {"seq": export.chain_seq, "hash": export.chain_hash},
        "generated_by": export.generated_by.username if export.generated_by else None,
        "generated_at": export.generated_at.isoformat()
        if export.generated_at.tzinfo
        else export.generated_at.isoformat() + "+00:00",
    }


def find(digest: str) -> list[ReportExport]:
    """The exports whose bytes have this SHA-256 (the same report may be made twice)."""
    digest = digest.strip().lower()
    if not SHA256_PATTERN.match(digest):
        return []
    return list(
        db.session.scalars(
            select(ReportExport).where(ReportExport.sha256 == digest).order_by(ReportExport.id)
        )
    )


def digest_of_upload(stream: BinaryIO) -> str:
    """SHA-256 of a file (an upload, a report file just written, a backup's part), read in
    chunks."""
    hasher = hashlib.sha256()
    for chunk in iter(lambda: stream.read(65536), b""):
        hasher.update(chunk)
    return hasher.hexdigest()
