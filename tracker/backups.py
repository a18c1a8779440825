"""Backups that restore: the database, the evidence and report files, and the audit chain's
anchors and signing key, with a manifest that says what each part is.

`create(folder)` writes into an empty folder:

- `database.dump` (`pg_dump --format=custom`) on PostgreSQL, or `database.sqlite3` (SQLite's
  online backup API, a consistent copy while the app runs);
- `uploads/` and `exports/`: the evidence files and the report files kept (UPLOAD_DIR,
  EXPORT_DIR);
- `audit-anchors.jsonl` and `audit-signing-key.pem`: the anchors of the audit chain must
  travel with the database they anchor, and the key that signs the next ones;
- `manifest.json`: the SHA-256 and size of every file above, the audit chain's head and the
  schema revision when the backup began.

`restore(folder)` refuses a backup whose files do not match its manifest (a file missing,
changed or added), and a database or folder that is not empty; then it restores each part
and checks that the restored database's schema revision is the backup's and that its audit
chain reaches the head the manifest names."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from .extensions import db
from .infra import clock, context
from .models import AuditHead
from .reporting import manifests

MANIFEST = "manifest.json"
FORMAT = 1


class BackupRefused(RuntimeError):
    """The backup or the place to restore it is not as it must be; the message says why."""


@dataclass(frozen=True)
class Summary:
    files: int
    chain_seq: int
    revision: str


def _sha256(path: Path) -> str:
    with path.open("rb") as part:
        return manifests.digest_of_upload(part)


def _database_url():
    return make_url(context.setting("SQLALCHEMY_DATABASE_URI"))


def _libpq(url) -> tuple[str, dict[str, str]]:
    """The URL for pg_dump and pg_restore (the password in the environment, not on the
    command line where `ps` shows it)."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    if done.returncode != 0:
        raise BackupRefused(f"{command[0]} failed: {done.stderr.strip()[:500]}")


def _sqlite_copy(source_path: str | Path, target_path: str | Path) -> None:
    """SQLite's online backup: a consistent copy, even of a database being written."""
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _state() -> tuple[int, str]:
    head = db.session.get(AuditHead, 1)
    revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    db.session.rollback()
    return (head.seq if head else 0), str(revision)


def _folders() -> dict[str, Path]:
    return {
        "uploads": Path(context.setting("UPLOAD_DIR")),
        "exports": Path(context.setting("EXPORT_DIR")),
    }


def _single_files() -> dict[str, Path]:
    return {
        "audit-anchors.jsonl": Path(context.setting("AUDIT_ANCHOR_FILE")),
        "audit-signing-key.pem": Path(context.setting("AUDIT_SIGNING_KEY")),
    }


def create(folder: Path) -> Summary:
    """Write a backup of this installation into `folder` (missing or empty)."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupRefused(f"{folder} is not empty: give a new folder for each backup")
    folder.mkdir(parents=True, exist_ok=True)
    chain_seq, revision = _state()
    url = _database_url()
    if url.get_backend_name() == "postgresql":
        target, environment = _libpq(url)
        dump = folder / "database.dump"
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", target], environment)
    else:
        _sqlite_copy(url.database, folder / "database.sqlite3")
    for name, path in _folders().items():
        if path.is_dir():
            shutil.copytree(path, folder / name)
    for name, path in _single_files().items():
        if path.is_file():
            shutil.copy2(path, folder / name)
    parts = {
        str(path.relative_to(folder)): {"sha256": _sha256(path), "size": path.stat().st_size}
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "format": FORMAT,
        "created_at": clock.now().isoformat(timespec="seconds"),
        "database": url.get_backend_name(),
        "schema_revision": revision,
        "audit_chain_head": {"seq": chain_seq},
        "parts": parts,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return Summary(len(parts), chain_seq, revision)


def _checked_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        parts = manifest["parts"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupRefused(f"{folder} has no readable {MANIFEST}: it is not a backup") from None
    found = {
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }
    if missing := sorted(set(parts) - found):
        raise BackupRefused(f"the backup is missing {missing[0]} (and {len(missing) - 1} more)")
    if added := sorted(found - set(parts)):
        raise BackupRefused(f"the backup holds {added[0]}, which its manifest does not list")
    for name, part in parts.items():
        path = folder / name
        if path.stat().st_size != part["size"] or _sha256(path) != part["sha256"]:
            raise BackupRefused(f"{name} does not match the manifest: the backup is damaged")
    return manifest


def restore(folder: Path) -> Summary:
    """Restore the backup in `folder` into this installation's empty database and folders."""
    manifest = _checked_manifest(folder)
    url = _database_url()
    if manifest["database"] != url.get_backend_name():
        raise BackupRefused(
            f"the backup is of a {manifest['database']} database, not {url.get_backend_name()}"
        )
    if inspect(db.engine).get_table_names():
        raise BackupRefused("the database is not empty: restore into a new, empty database")
    targets = {**_folders(), **_single_files()}
    for name, path in targets.items():
        if path.is_file() or (path.is_dir() and any(path.iterdir())):
            raise BackupRefused(f"{path} is not empty: restore into new folders ({name})")
    db.session.remove()
    if url.get_backend_name() == "postgresql":
        target, environment = _libpq(url)
        command = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}"]
        _run([*command, str(folder / "database.dump")], environment)
    else:
        db.engine.dispose()
        _sqlite_copy(folder / "database.sqlite3", url.database)
    for name, path in _folders().items():
        if (folder / name).is_dir():
            shutil.copytree(folder / name, path, dirs_exist_ok=True)
    for name, path in _single_files().items():
        if (folder / name).is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / name, path)
    chain_seq, revision = _state()
    if revision != manifest["schema_revision"]:
        raise BackupRefused(
            f"the restored schema is at {revision}, the backup's at {manifest['schema_revision']}"
        )
    if chain_seq < manifest["audit_chain_head"]["seq"]:
        raise BackupRefused("the restored audit chain stops before the head the backup names")
    return Summary(len(manifest["parts"]), chain_seq, revision)
