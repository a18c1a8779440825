"""Downloads: their names, headers and bodies, for the pages and the API alike.

`csv_response()` streams the task CSV and `file_response()` sends the CSV of a report table;
both hash the bytes on their way out and record the file's manifest once the last byte has
gone (`recorded_download`), never for a file cut short. `report_file()` answers a request
for a report file: its CSV at once, its XLSX or PDF made by a background job (the browser is
sent to the file when it is ready, else to the job's page with its progress);
`job_file_response()` serves a finished job's file.

File names: what a person sees when a report, an export, evidence, an import template or a
calendar feed is saved.

A name keeps its Vietnamese letters ("tasks-2795_QĐ-BCT-2026-12-02.csv"). HTTP headers carry
only latin-1, so `content_disposition()` sends it as RFC 6266 allows: an ASCII fallback with
the marks folded (Đ → D, ư → u) in `filename`, and the exact name, UTF-8 and percent-encoded,
in `filename*`, which every current browser prefers."""

from __future__ import annotations

import hashlib
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, redirect, stream_with_context, url_for
from flask_login import current_user

from ..domain.file_names import ascii_fallback, download_name
from ..infra import clock, context
from ..jobs import report_jobs
from ..models import Job, User
from ..models.job import DONE
from ..org import lookups
from ..reporting import copied_csv, manifests, report_files, report_orders, snapshots
from ..reporting.report_orders import ReportOrder
from ..reporting.report_tables import ReportTable, Stamp
from ..reporting.task_queries import TaskFilters


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
    recorded (a file cut short has none). Find it by the file's SHA-256 at /exports/verify.
    The chain head announced in the headers and the rows streamed after them are read in
    one view of the data (`snapshots.reading`, held until the last row or the response's
    end): a change saved meanwhile is in neither."""
    name = download_name(f"tasks-{filters.directive or 'all'}-{filters.report_date}.csv")
    with ExitStack() as opened:
        snapshot = opened.enter_context(snapshots.reading())
        with snapshot.current():
            stamp = manifests.stamp_for(user)
        held = opened.pop_all()  # kept open for the rows: closed by them, or by the response
    user_id = user.id

    def chunks():
        with held, snapshot.current():
            reader = lookups.user_by_id(user_id)
            yield from copied_csv.task_csv(reader, filters)

    body = recorded_download(chunks, user_id, "tasks", "csv", name, filters.as_args(), stamp)
    response = Response(stream_with_context(body), content_type="text/csv; charset=utf-8")
    response.call_on_close(held.close)  # a response never read still gives its view back
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["X-Audit-Chain-Head"] = f"{stamp.chain_seq}:{stamp.chain_hash}"
    return response


def file_response(
    table: ReportTable, file_format: str, report: str, parameters: dict, name: str, stamp: Stamp
) -> Response:
    """A whole report file, announced in the headers; its manifest is recorded once it has
    been sent (see recorded_download). `stamp`: who made it, and the chain head read with
    the table."""
    if file_format not in report_files.FORMATS:
        abort(404)
    try:
        data = report_files.render(table, file_format, stamp)
    except report_files.PdfUnavailable as error:
        abort(503, error.args[0])  # the fonts to install, translated on the page
    file_name = download_name(f"{name}.{file_format}")
    digest = hashlib.sha256(data).hexdigest()
    body = recorded_download(
        lambda: iter((data,)), current_user.id, report, file_format, file_name, parameters, stamp
    )
    response = Response(stream_with_context(body), content_type=report_files.MIME[file_format])
    chain_head = f"{stamp.chain_seq}:{stamp.chain_hash}"
    return _announced(response, file_name, len(data), digest, chain_head)


def _announced(
    response: Response, file_name: str, size: int, digest: str | None, chain_head: str | None
) -> Response:
    """A report file's headers: its length and name, its SHA-256 with the link to its
    manifest, and the audit chain's head it reflects."""
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = content_disposition(file_name)
    if digest:
        response.headers["X-Content-SHA256"] = digest
        response.headers["Link"] = (
            f'<{url_for("reports.manifest_by_digest", digest=digest)}>; rel="describedby"'
        )
    if chain_head:
        response.headers["X-Audit-Chain-Head"] = chain_head
    return response


def report_file(order: ReportOrder) -> Response:
    """A report file asked for from a page: the CSV of its table made and sent now (a few
    hundred rows at most); the XLSX or PDF made by a background job. The browser goes
    straight to the file when it was made before (or inside this request, JOBS_EAGER), and
    otherwise to the job's page, which follows its progress."""
    if order.file_format == "csv":
        # The table and the chain head the file records, read in one view of the data.
        with snapshots.reading() as snapshot, snapshot.current():
            stamp = manifests.stamp_for(current_user)
            table = report_orders.build(current_user, order, clock.today())
        return file_response(table, "csv", order.report, order.parameters, order.name, stamp)
    job, made_before = report_jobs.ask(current_user, order)
    if job.status == DONE and (made_before or context.setting("JOBS_EAGER")):
        return redirect(url_for("jobs.job_file", job_id=job.id), 303)
    return redirect(url_for("jobs.job_page", job_id=job.id), 303)


def job_file_response(job: Job, path: Path) -> Response:
    """A finished job's file, under its name, with its digest and its manifest's link."""

    def chunks():
        with path.open("rb") as source:  # closed when the last chunk has gone
            yield from iter(lambda: source.read(1 << 16), b"")

    mime = report_files.MIME.get(path.suffix.lstrip("."), "application/octet-stream")
    response = Response(chunks(), content_type=mime)
    response.headers["Cache-Control"] = "private, no-store"
    export = job.export
    chain_head = f"{export.chain_seq}:{export.chain_hash}" if export is not None else None
    return _announced(
        response, job.file_name or path.name, path.stat().st_size, job.sha256, chain_head
    )
