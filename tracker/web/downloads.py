"""Downloads: their names, headers and bodies, for the pages and the API alike.

`csv_response()` streams the task CSV and `file_response()` sends a whole report file
(XLSX, PDF, CSV of a report table); both hash the bytes on their way out and record the
file's manifest once the last byte has gone (`recorded_download`), never for a file cut
short.

File names: what a person sees when a report, an export, evidence, an import template or a
calendar feed is saved.

A name keeps its Vietnamese letters ("tasks-2795_QĐ-BCT-2026-12-02.csv"). HTTP headers carry
only latin-1, so `content_disposition()` sends it as RFC 6266 allows: an ASCII fallback with
the marks folded (Đ → D, ư → u) in `filename`, and the exact name, UTF-8 and percent-encoded,
in `filename*`, which every current browser prefers."""

from __future__ import annotations

import hashlib
import unicodedata
from urllib.parse import quote

from flask import Response, abort, stream_with_context, url_for
from flask_login import current_user

from ..domain.search_text import without_marks
from ..models import User
from ..org import lookups
from ..reporting import exports, manifests, report_files
from ..reporting.report_tables import ReportTable
from ..reporting.task_queries import TaskFilters

_KEPT_PUNCTUATION = set("-._() ")
_ASCII_KEPT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._() ")
MAX_LENGTH = 150


def download_name(name: str) -> str:
    """`name` made safe to save: letters (any script), digits and `-._()` and single spaces
    kept, everything else (slashes, quotes, control characters) an underscore."""
    cleaned = "".join(
        ch if ch.isalnum() or ch in _KEPT_PUNCTUATION else "_"
        for ch in unicodedata.normalize("NFC", name or "")
    )
    cleaned = " ".join(cleaned.split()).strip(". ")
    if len(cleaned) > MAX_LENGTH:
        stem, dot, extension = cleaned.rpartition(".")
        cleaned = stem[: MAX_LENGTH - len(extension) - 1] + dot + extension if dot else cleaned
        cleaned = cleaned[:MAX_LENGTH]
    return cleaned or "download"


def ascii_fallback(name: str) -> str:
    """`name` in plain ASCII: marks folded (Đ → D, ơ → o), anything else an underscore."""
    bare = without_marks(download_name(name))
    return "".join(ch if ch in _ASCII_KEPT else "_" for ch in bare)


def content_disposition(name: str, inline: bool = False) -> str:
    """The Content-Disposition header value for a file saved as `name` (RFC 6266, 8187)."""
    exact = download_name(name)
    fallback = ascii_fallback(exact)
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != exact:
        value += f"; filename*=UTF-8''{quote(exact, safe='')}"
    return value


def recorded_download(
    chunks, user_id: int, report: str, file_format: str, file_name: str, parameters: dict, stamp
):
    """The bytes of a report file as they go out, hashed on the way; when the last byte has
    been handed to the server, the file's manifest and its audit event are recorded. A
    response that fails or is cut short records nothing."""
    hasher, size = hashlib.sha256(), 0
    for data in chunks():
        hasher.update(data)
        size += len(data)
        yield data
    # The request's database session is gone once the view returns: read the user again.
    reader = lookups.user_by_id(user_id)
    manifests.record_export(
        reader, report, file_format, file_name, parameters, hasher.hexdigest(), size, stamp
    )


def csv_response(user: User, filters: TaskFilters) -> Response:
    """The streamed CSV of the tasks behind a report; shared by the HTML export and the API.

    Its SHA-256 is computed while it streams; when the last byte has gone, the manifest is
    recorded (a file cut short has none). Find it by the file's SHA-256 at /exports/verify."""
    name = download_name(f"tasks-{filters.directive or 'all'}-{filters.report_date}.csv")
    stamp = manifests.stamp_for(user)
    user_id = user.id

    def chunks():
        reader = lookups.user_by_id(user_id)
        for text in exports.csv_stream(exports.task_rows(reader, filters)):
            yield text.encode("utf-8")

    body = recorded_download(chunks, user_id, "tasks", "csv", name, filters.as_args(), stamp)
    response = Response(stream_with_context(body), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["X-Audit-Chain-Head"] = f"{stamp.chain_seq}:{stamp.chain_hash}"
    return response


def file_response(
    table: ReportTable, file_format: str, report: str, parameters: dict, name: str
) -> Response:
    """A whole report file, announced in the headers; its manifest is recorded once it has
    been sent (see recorded_download)."""
    if file_format not in report_files.FORMATS:
        abort(404)
    stamp = manifests.stamp_for(current_user)
    try:
        data = report_files.render(table, file_format, stamp)
    except report_files.PdfUnavailable as error:
        abort(503, str(error))
    file_name = download_name(f"{name}.{file_format}")
    digest = hashlib.sha256(data).hexdigest()
    body = recorded_download(
        lambda: iter((data,)), current_user.id, report, file_format, file_name, parameters, stamp
    )
    response = Response(stream_with_context(body), content_type=report_files.MIME[file_format])
    response.headers["Content-Length"] = str(len(data))
    response.headers["Content-Disposition"] = content_disposition(file_name)
    response.headers["X-Content-SHA256"] = digest
    response.headers["X-Audit-Chain-Head"] = f"{stamp.chain_seq}:{stamp.chain_hash}"
    response.headers["Link"] = (
        f'<{url_for("reports.manifest_by_digest", digest=digest)}>; rel="describedby"'
    )
    return response
