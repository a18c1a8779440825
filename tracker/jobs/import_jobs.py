"""Imports as jobs (of tasks, or of user accounts whose invitations are mailed after the
commit): the uploaded file kept under EXPORT_DIR/imports until its job has read
it, then every row tried with the progress bar moving (rows tried of the total), the whole
apply still one transaction — committed together with the job's completion, so a worker
that dies after the import's commit cannot run it twice. A dry run, or a file with a
problem, writes nothing; either way the job keeps the import's report for its page."""

from __future__ import annotations

import secrets
from pathlib import Path

from ..domain.text import N_
from ..extensions import db
from ..infra import context, i18n
from ..models import Job, User
from ..org import imports, user_imports
from . import queue, records
from .work import Permanent, Progress

KEEP_SUFFIXES = (".csv", ".xlsx")


def upload_dir() -> Path:
    return Path(context.setting("EXPORT_DIR")) / "imports"


TASKS, USERS = "tasks", "users"


def ask(user: User, file_name: str, content: bytes, dry_run: bool, what: str = TASKS) -> Job:
    """Keep the upload and queue its import of tasks (org.imports) or user accounts
    (org.user_imports); refused at once when it is not a CSV or XLSX file."""
    suffix = Path(file_name.lower()).suffix
    if suffix not in KEEP_SUFFIXES:
        raise imports.ImportRefused(N_("Import a .csv or .xlsx file."))
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}{suffix}"
    (folder / stored).write_bytes(content)
    parameters = {"file_name": file_name[:200], "stored": stored, "dry_run": dry_run, "what": what}
    job = records.create(
        user,
        "import",
        parameters,
        i18n.current_language(),
        records.fingerprint("import", stored),
        file_name[:200],
    )
    queue.submit(job.id)
    return job


def run_file(job: Job, asker: User, progress: Progress) -> None:
    """Read the kept upload, try every row, and record the report with the job's end."""
    parameters = job.parameters
    path = upload_dir() / str(parameters["stored"])
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise Permanent(N_("The uploaded file is no longer kept; upload it again.")) from None
    users = parameters.get("what") == USERS
    try:
        rows = imports.read_rows(
            str(parameters["file_name"]),
            content,
            seconds=imports.JOB_SECONDS,
            max_rows=context.setting("IMPORT_MAX_ROWS"),
            required=user_imports.REQUIRED if users else imports.REQUIRED,
        )
    except imports.ImportRefused:
        path.unlink(missing_ok=True)  # the reason is the job's; the file is no use again
        raise
    progress.set_total(len(rows))
    tried = 0

    def one_more(count: int) -> None:
        nonlocal tried
        tried += count
        progress(tried)

    def finish(report: imports.ImportReport) -> bool:
        return records.claim_completion(
            job.id, result=_for_people(report), progress_done=report.rows
        )

    # Both imports take (actor, rows, dry_run, progress, seconds, before_commit).
    how = (bool(parameters["dry_run"]), one_more, imports.JOB_SECONDS, finish)
    invitations: list[user_imports.Invitation] = []
    if users:
        report, invitations = user_imports.run_user_import(asker, rows, *how)
    else:
        report = imports.run_import(asker, rows, *how)
    if report.written:
        # Mailed only now that the accounts are committed; a job run again after this
        # point finds the job completed and does not run (records.start).
        user_imports.send_invitations(invitations)
    else:  # a dry run, or problems: nothing was written; keep the report
        if finish(report):
            db.session.commit()
        else:
            db.session.rollback()
    path.unlink(missing_ok=True)


def _for_people(report: imports.ImportReport) -> dict[str, object]:
    """The report as its page shows it: every message and action in the asker's language
    (the job runs in it), kept as text."""
    shown = imports.report_json(report)
    shown["errors"] = [
        {"row": e.row, "column": e.column, "message": i18n.translated(e.message)}
        for e in report.errors
    ]
    shown["actions"] = [
        {"row": row, "action": i18n.translated(action)} for row, action in report.actions
    ]
    return shown
