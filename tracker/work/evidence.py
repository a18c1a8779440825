"""Evidence: links and uploaded files. Files are checked by their content against an
allow-list (PDF, DOCX, XLSX, ODT, PNG, JPEG), limited in size, stored under UPLOAD_DIR with a
random name, and removed again when the change they belong to does not commit."""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.datastructures import FileStorage

from .. import audit
from ..domain import policy
from ..domain.errors import InvalidInput
from ..domain.text import N_
from ..extensions import db
from ..infra import context
from ..models import Evidence, StatusUpdate, Task, User

# extension -> (content type, what the content must be)
ALLOWED_TYPES = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "odt": ("application/vnd.oasis.opendocument.text", "odt"),
}
ALLOWED_LABEL = "PDF, DOCX, XLSX, ODT, PNG or JPEG"
CHUNK = 64 * 1024


def upload_dir() -> Path:
    path = Path(context.setting("UPLOAD_DIR"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(evidence: Evidence) -> Path:
    if evidence.stored_name is None:
        raise ValueError("a link is not a stored file")
    return upload_dir() / evidence.stored_name


# An uploaded archive (ODT, DOCX, XLSX) is read only when its members, as the archive
# declares them, stay within these bounds: a zip bomb (a small file that inflates to
# gigabytes) is refused before anything is inflated, and what is read is read in bounded
# pieces whatever the archive declares.
ARCHIVE_MAX_MEMBERS = 10_000
ARCHIVE_MAX_MEMBER_BYTES = 100 * 1024 * 1024
ARCHIVE_MAX_TOTAL_BYTES = 200 * 1024 * 1024
ARCHIVE_MAX_RATIO = 200  # uncompressed / compressed, for members over a megabyte


def archive_within_limits(archive: zipfile.ZipFile) -> bool:
    """Whether every member of `archive` declares a sane size and compression ratio."""
    members = archive.infolist()
    if len(members) > ARCHIVE_MAX_MEMBERS:
        return False
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > ARCHIVE_MAX_MEMBER_BYTES or total > ARCHIVE_MAX_TOTAL_BYTES:
            return False
        if member.file_size > 1024 * 1024 and (
            member.compress_size == 0 or member.file_size / member.compress_size > ARCHIVE_MAX_RATIO
        ):
            return False
    return True


def sniff(path: Path) -> str | None:
    """What the file's content is ("pdf", "png", "jpeg", "docx", "xlsx", "odt"), or None."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                if not archive_within_limits(archive):
                    return None
                names = set(archive.namelist())
                if "mimetype" in names:
                    with archive.open("mimetype") as member:
                        mimetype = member.read(100).decode("ascii", "replace").strip()
                    if mimetype == ALLOWED_TYPES["odt"][0]:
                        return "odt"
                if "[Content_Types].xml" in names:
                    if "word/document.xml" in names:
                        return "docx"
                    if "xl/workbook.xml" in names:
                        return "xlsx"
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, EOFError):
            return None
    return None


# A file that also reads as a web page (a "polyglot": a valid PDF or PNG that is HTML too) is
# refused. Browsers that sniff look at the first bytes for the WHATWG MIME Sniffing HTML
# tags, older ones anywhere in them; tags that run script or embed pages are looked for in
# the whole file. Each tag counts only when followed by a space, ">" or "/".
SNIFFED_BYTES = 1445
SNIFFED_TAGS = (
    b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div",
    b"<font", b"<table", b"<a", b"<style", b"<title", b"<b", b"<body", b"<br", b"<p",
    b"<!--", b"<svg", b"<object", b"<embed", b"<meta",
)  # fmt: skip
ACTIVE_TAGS = (b"<script", b"<iframe", b"<html", b"<svg", b"<object", b"<embed")
_TAG_ENDS = frozenset(b" \t\n\r\f>/")


def _has_tag(text: bytes, tags: tuple[bytes, ...]) -> bool:
    for tag in tags:
        start = text.find(tag)
        while start != -1:
            after = start + len(tag)
            if tag == b"<!--" or after >= len(text) or text[after] in _TAG_ENDS:
                return True
            start = text.find(tag, start + 1)
    return False


def reads_as_web_page(path: Path) -> bool:
    """Whether the file holds HTML a browser could run (see SNIFFED_TAGS and ACTIVE_TAGS)."""
    overlap = max(len(tag) for tag in SNIFFED_TAGS) + 1
    with path.open("rb") as handle:
        first = handle.read(SNIFFED_BYTES).lower()
        if _has_tag(first, SNIFFED_TAGS) or _has_tag(first, ACTIVE_TAGS):
            return True
        tail = first[-overlap:]
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            window = tail + chunk.lower()
            if _has_tag(window, ACTIVE_TAGS):
                return True
            tail = window[-overlap:]
    return False


def _max_bytes() -> int:
    return int(context.setting("MAX_UPLOAD_BYTES"))


def _refuse(template: str, **values: object) -> InvalidInput:
    """A refused upload, said in the reader's language with its values (the file's name)."""
    filled = N_(template).fill(**values) if values else N_(template)
    return InvalidInput(template, params=values or None, field_errors={"file": [filled]})


@contextmanager
def files_kept_only_on_success() -> Iterator[list[Path]]:
    """Collect the files a change writes; remove them if the change raises."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def add_file(
    task: Task,
    actor: User,
    upload: FileStorage,
    written: list[Path],
    status_update: StatusUpdate | None = None,
    note: str = "",
) -> Evidence:
    """Check and store an uploaded file, add its Evidence row (flush only)."""
    original = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    extension = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    if extension not in ALLOWED_TYPES:
        raise _refuse(
            N_("Only %(kinds)s files can be attached; %(name)s is not one."),
            kinds=ALLOWED_LABEL,
            name=repr(original),
        )
    directory = upload_dir()
    temporary = directory / f"incoming-{secrets.token_hex(12)}"
    digest = hashlib.sha256()
    size = 0
    try:
        with temporary.open("wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > _max_bytes():
                    raise _refuse(
                        N_("%(name)s is larger than the limit of %(size)s MB."),
                        name=original,
                        size=_max_bytes() // (1024 * 1024),
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise _refuse(N_("%(name)s is empty."), name=original)
        content_type, expected = ALLOWED_TYPES[extension]
        found = sniff(temporary)
        if found != expected:
            raise _refuse(
                N_(
                    "%(name)s does not contain what its name says (%(kind)s); only %(kinds)s "
                    "files can be attached."
                ),
                name=original,
                kind=extension.upper(),
                kinds=ALLOWED_LABEL,
            )
        if reads_as_web_page(temporary):
            raise _refuse(
                N_(
                    "%(name)s also contains a web page (HTML), which is not accepted in "
                    "evidence. Save or export the file again from its program and attach that."
                ),
                name=original,
            )
        stored_name = f"{secrets.token_hex(20)}.{extension}"
        final = directory / stored_name
        os.replace(temporary, final)
        written.append(final)
    finally:
        temporary.unlink(missing_ok=True)
    evidence = Evidence(
        task_id=task.id,
        kind="file",
        original_name=original,
        stored_name=stored_name,
        content_type=content_type,
        size_bytes=size,
        sha256=digest.hexdigest(),
        added_by=actor,
        note=note[:500],
        status_update=status_update,
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence


def check_link(url: str) -> str:
    url = (url or "").strip()
    if not url.lower().startswith(("https://", "http://")) or len(url) > 500 or " " in url:
        message = N_("A link must start with https:// or http:// (at most 500 characters).")
        raise InvalidInput(message, field_errors={"url": [message]})
    return url


def add_link(
    task: Task,
    actor: User,
    url: str,
    status_update: StatusUpdate | None = None,
    note: str = "",
) -> Evidence:
    evidence = Evidence(
        task_id=task.id,
        kind="link",
        url=check_link(url),
        original_name="",
        added_by=actor,
        note=note[:500],
        status_update=status_update,
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence


def attach(
    actor: User,
    task: Task,
    *,
    upload: FileStorage | None = None,
    url: str | None = None,
    note: str = "",
) -> Evidence:
    """Attach one file or one link to a task: one unit of work."""
    policy.require(
        policy.can_attach_evidence(actor, task), N_("You may not attach evidence to this task.")
    )
    note, url = (note or "").strip(), (url or "").strip()
    has_file = upload is not None and bool(upload.filename)
    if has_file == bool(url):
        raise InvalidInput(N_("Attach either a file or a link."))
    with files_kept_only_on_success() as written:
        if upload is not None and has_file:
            evidence = add_file(task, actor, upload, written, note=note)
        else:
            evidence = add_link(task, actor, url, note=note)
        audit.record(
            actor,
            "evidence.add",
            evidence,
            after={
                "task_id": task.id,
                "kind": evidence.kind,
                "name": evidence.label,
                "sha256": evidence.sha256,
                "size_bytes": evidence.size_bytes,
            },
        )
        db.session.commit()
    return evidence
