"""Report files as jobs: asked for (the same file reused while it is kept), then made by a
worker into EXPORT_DIR, hashed, and recorded — manifest, audit event and the job done — in
one transaction once the file is whole. A file is written under a temporary name and
renamed when complete, and served only once its job is done: no one ever gets half a file."""

from __future__ import annotations

import os
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from ..audit import anchors
from ..audit.queries import data_mark
from ..domain.errors import Conflict, Gone
from ..domain.text import N_
from ..extensions import db, reading_reports
from ..infra import clock, context, i18n
from ..models import Job, User
from ..models.job import DONE
from ..reporting import manifests, report_files, report_orders, snapshots
from ..reporting.report_orders import ReportOrder
from . import queue, records
from .work import Permanent, Progress


def ask(user: User, order: ReportOrder) -> tuple[Job, bool]:
    """The job making this file for this person, and whether it was there before: the one
    already made or on its way (same report, format, arguments, language and day, and no
    change to the record since), or a new one, queued."""
    language, mark = i18n.current_language(), data_mark()
    print_ = records.fingerprint(
        "report",
        order.report,
        order.file_format,
        order.parameters,
        language,
        clock.today().isoformat(),
        mark,
    )
    job = records.reusable(user, print_)
    if job is not None:
        return job, True
    parameters = {
        "report": order.report,
        "format": order.file_format,
        "arguments": order.parameters,
        "name": order.name,
        "data_mark": mark,
    }
    job = records.create(user, "report", parameters, language, print_, order.file_name)
    queue.submit(job.id)
    return job, False


def export_dir() -> Path:
    return Path(context.setting("EXPORT_DIR"))


def kept_file(job: Job) -> Path:
    """A finished job's file, to serve: Conflict while it is being made, Gone once it is
    no longer kept."""
    if job.status != DONE:
        raise Conflict(N_("The file is not ready yet; its page shows how far it has got."))
    path = file_of(job)
    if path is None:
        raise Gone(N_("This file is no longer kept; ask for the report again."))
    return path


def file_of(job: Job) -> Path | None:
    """Where a finished job's file lies, if it is still kept."""
    if job.file_path is None:
        return None
    path = export_dir() / job.file_path
    return path if path.is_file() else None


def make_file(job: Job, asker: User, progress: Progress) -> None:
    """Build the report's table, write the file with its progress, and record it."""
    parameters = job.parameters
    order = ReportOrder(
        parameters["report"], parameters["format"], parameters["arguments"], parameters["name"]
    )
    reads = replica_caught_up(int(parameters.get("data_mark", 0)))
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for earlier in folder.glob(f"{job.id}.attempt-*.part"):  # left by a worker that died
        earlier.unlink(missing_ok=True)
    final_name = f"{job.id}.{order.file_format}"
    partial = folder / f"{job.id}.attempt-{job.attempts}.part"
    try:
        # The table, its rows and the chain head the file records, read in one view of the
        # data (from the reporting replica when there is one): the head is exactly that of
        # the changes the file shows, however long it takes to make while writers go on.
        with reads, snapshots.reading() as snapshot, snapshot.current():
            try:
                stamp = manifests.stamp_for(asker)
                table = report_orders.build(asker, order, clock.today())
                progress.set_total(report_files.rows_to_write(table, order.file_format))
                with partial.open("wb") as target:
                    report_files.write(table, order.file_format, stamp, target, progress)
                    target.flush()
                    os.fsync(target.fileno())
            except report_files.PdfUnavailable as error:  # no retry makes the fonts appear
                raise Permanent(error.args[0]) from error  # the fonts to install
        with partial.open("rb") as written:
            digest = manifests.digest_of_upload(written)
        size = partial.stat().st_size
        # End the reading transaction: on SQLite a reader whose snapshot is older than the
        # progress just written could not become the writer of the completion.
        db.session.rollback()
        if not records.claim_completion(
            job.id,
            file_name=order.file_name,
            file_path=final_name,
            sha256=digest,
            size_bytes=size,
            progress_done=progress.total or 0,
        ):
            db.session.rollback()  # another attempt finished it first
            return
        os.replace(partial, folder / final_name)
        export = manifests.add_export(
            asker,
            order.report,
            order.file_format,
            order.file_name,
            order.parameters,
            digest,
            size,
            stamp,
        )
        job_row = db.session.get(Job, job.id)
        assert job_row is not None
        job_row.export_id = export.id
        db.session.commit()
    finally:
        partial.unlink(missing_ok=True)
    anchors.anchor("report.export")


REPLICA_WAIT_SECONDS = 10


def replica_caught_up(mark: int) -> AbstractContextManager[None]:
    """Reads from the reporting replica once it holds every change the file was asked
    over (the audit chain's data mark); the primary when there is no replica, or when it
    has not caught up within REPLICA_WAIT_SECONDS."""
    if not context.setting("REPORTS_DATABASE_URL"):
        return nullcontext()
    deadline = time.monotonic() + REPLICA_WAIT_SECONDS
    while True:
        with reading_reports():
            seen = data_mark()
        db.session.rollback()  # the next look sees what has been replayed since
        if seen >= mark:
            return reading_reports()
        if time.monotonic() > deadline:
            context.log().warning(
                "the reporting replica is behind: a file is made from the primary"
            )
            return nullcontext()
        time.sleep(0.2)
