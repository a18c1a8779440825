"""Importing directives, targets and tasks from CSV or XLSX, and progress updates in the
same format the task export writes (so a spreadsheet round-trips).

One row is one task. A row whose directive (or target) does not exist yet creates it when
`directive_title` (or `target_title`) is given. A row whose task exists updates its
progress (`status`, `percent_done`, `note`) if they differ, checked against `version`.
Every row is tried inside a savepoint of one transaction, with the same services and
policy as the screens; the transaction is committed only when no row failed and the run
is not a dry run. So nothing is written unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
import math
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..domain import history_notes, lifecycle, policy
from ..domain.days import parse_day
from ..domain.errors import Conflict, DomainError, InvalidInput
from ..domain.text import N_, Text, field_label
from ..extensions import db
from ..infra.i18n import WORD_LABELS, codes_by_word
from ..models import Directive, Target, Task, Unit, User
from ..models.directive import DIRECTIVE_KINDS
from ..work.tasks import TaskValues, add_task, apply_progress, tell_lead_units_of_import
from .directives import DirectiveValues, add_directive, add_target

# Columns read, in the order of the template. Other columns (those the export adds, such as
# lead_unit_name or timeliness) are ignored.
COLUMNS = (
    "directive",
    "directive_kind",
    "directive_title",
    "target",
    "target_title",
    "task_code",
    "title",
    "kind",
    "lead_unit",
    "coordinating_units",
    "owner",
    "start_date",
    "deadline",
    "key_task",
    "status",
    "percent_done",
    "note",
    "version",
)
REQUIRED = ("directive", "task_code")
# Service field names -> the column to blame.
FIELD_COLUMNS = {
    "code": "task_code",
    "progress": "percent_done",
    "parent": "task_code",
    "coordinating_units": "coordinating_units",
    "evidence": "status",
}
# What one import may hold and take. The upload itself is bounded by MAX_CONTENT_LENGTH;
# rows are read one by one and reading stops at the first limit reached, so a small file
# that unpacks into a million rows or a 300 MB cell is refused without being read whole.
MAX_ROWS = 20_000
MAX_CELL_CHARS = 10_000
IMPORT_SECONDS = 25  # reading and trying every row; under gunicorn's 30-second timeout
# An import run by a background job (the import page) may be larger (IMPORT_MAX_ROWS) and
# take longer; the upload is still bounded by MAX_CONTENT_LENGTH.
JOB_SECONDS = 3600
# An XLSX is a ZIP archive: its members are judged by their declared sizes first (the same
# check as evidence uploads: no zip bombs), then against these bounds, before openpyxl opens
# it. openpyxl holds the shared strings whole, so those are bounded tighter than a sheet.
XLSX_MAX_MEMBER_BYTES = 64 * 1024 * 1024
XLSX_MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024


class ImportRefused(InvalidInput):
    """A file that cannot be read at all (nothing of it is imported)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: dict[str, int] = field(
        default_factory=lambda: {"directives": 0, "targets": 0, "tasks": 0}
    )
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    actions: list[tuple[int, str]] = field(default_factory=list)
    new_tasks: list[Task] = field(default_factory=list)
    dry_run: bool = True
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class RowProblem(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


class RowProblems(Exception):
    """Every problem of a row's cells, each a RowProblem: found together, so that a row with
    a wrong day and an unknown unit is mended at once, not in two runs."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


# --- reading files -------------------------------------------------------------------------

# One row of a file: column name → the cell's value (text, or a number or date from XLSX).
Row = dict[str, Any]


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def deadline_after(seconds: float | None) -> float:
    return time.monotonic() + seconds if seconds is not None else math.inf


def too_slow(seconds: float | None) -> ImportRefused:
    """The refusal of a run past its `seconds` (never None when a deadline passed)."""
    return ImportRefused(
        N_(
            "The import took more than %(seconds)s seconds and was stopped; nothing was "
            "written. Split the file into smaller ones."
        ),
        params={"seconds": f"{seconds or 0:g}"},
    )


def read_rows(
    filename: str,
    content: bytes,
    seconds: float | None = IMPORT_SECONDS,
    max_rows: int = MAX_ROWS,
    required: tuple[str, ...] = REQUIRED,
) -> list[dict[str, Any]]:
    """The rows of a CSV (UTF-8, with or without BOM) or XLSX file, keyed by header, read
    one by one within `max_rows`, MAX_CELL_CHARS and `seconds` (None: no time limit, for the
    command line); the header must name the `required` columns (the task import's by
    default; org.user_imports names its own)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content, seconds, max_rows, required)
    if name.endswith(".csv"):
        return _read_csv(content, seconds, max_rows, required)
    raise ImportRefused(N_("Import a .csv or .xlsx file."))


def _read_csv(
    content: bytes, seconds: float | None, max_rows: int, required: tuple[str, ...]
) -> list[dict[str, Any]]:
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    numbered = ((reader.line_num, values) for values in reader)
    return _within_limits(numbered, seconds, max_rows, required)


def _xlsx_archive_problem(content: bytes) -> Text | None:
    """Why the XLSX's archive may not be opened, or None."""
    from ..work.evidence import archive_within_limits

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if not archive_within_limits(archive):
                return N_("it unpacks to far more than it holds")
            for member in archive.infolist():
                limit = (
                    XLSX_MAX_SHARED_STRINGS_BYTES
                    if member.filename.lower().endswith("sharedstrings.xml")
                    else XLSX_MAX_MEMBER_BYTES
                )
                if member.file_size > limit:
                    return N_("its part %(part)s is too large").fill(part=member.filename[:80])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return N_("it is not an XLSX (ZIP) file")
    return None


def _read_xlsx(
    content: bytes, seconds: float | None, max_rows: int, required: tuple[str, ...]
) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    problem: str | None = _xlsx_archive_problem(content)
    if problem is None:
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            problem = str(error)[:200]
    if problem is not None:
        raise ImportRefused(
            N_("The XLSX file cannot be read: %(problem)s."), params={"problem": problem}
        )
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        return _within_limits(enumerate(rows, start=1), seconds, max_rows, required)
    finally:
        workbook.close()


def _within_limits(
    numbered_rows: Iterator[tuple[int, Iterable[Any]]],
    seconds: float | None,
    max_rows: int,
    required: tuple[str, ...],
) -> list[dict[str, Any]]:
    """The non-empty rows after the header, keyed by it, read one by one and stopping at
    the first limit reached or the first row the file's reader cannot read."""
    deadline = deadline_after(seconds)
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    number = 0
    while True:
        try:
            number, values = next(numbered_rows, (number, None))
        except UnicodeDecodeError:
            raise ImportRefused(
                N_("The CSV file is not UTF-8 text. Save it as 'CSV UTF-8' and retry.")
            ) from None
        except csv.Error:  # a field over the csv module's own limit (128 KB), an open quote
            raise _unreadable(number + 1, N_("a cell is too long or a quote is left open"))
        except Exception as error:  # a cell openpyxl cannot convert (0000-00-00, …)
            raise _unreadable(number + 1, str(error)[:200]) from None
        if values is None:
            break
        if header is None:
            header = _header(values, required)
            continue
        if all(value is None or value == "" for value in values):
            continue
        if len(rows) == max_rows:
            raise ImportRefused(
                N_("The file has more than %(rows)s rows; import at most %(rows)s at once."),
                params={"rows": f"{max_rows:,}"},
            )
        if time.monotonic() > deadline:
            raise too_slow(seconds)
        row = {}
        for column, value in zip(header, values, strict=False):
            _check_cell(number, column, value)
            row[column] = _cell(value)
        rows.append(row)
    if header is None:  # an empty file: not even a header
        _header((), required)
    return rows


def _header(values: Iterable[Any], required: tuple[str, ...]) -> list[str]:
    header = [str(name).strip() if name is not None else "" for name in values]
    missing = [column for column in required if column not in set(header)]
    if missing and required == REQUIRED:
        raise ImportRefused(
            N_(
                "The file has no column %(columns)s. Start from the template "
                "(/admin/import/template.csv) or from a task export."
            ),
            params={"columns": ", ".join(missing)},
        )
    if missing:
        raise ImportRefused(
            N_("The file has no column %(columns)s. Its columns: %(expected)s."),
            params={"columns": ", ".join(missing), "expected": ", ".join(required)},
        )
    return header


def _unreadable(row: int, problem: str) -> ImportRefused:
    return ImportRefused(
        N_("Row %(row)s of the file cannot be read (%(problem)s); nothing was imported."),
        params={"row": row, "problem": problem},
    )


def _check_cell(row: int, column: str, value: Any) -> None:
    problem = None
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            problem = N_("a cell of more than %(chars)s characters")
        elif "\x00" in value:
            problem = N_("a NUL character (\\0), which no text may hold")
    elif isinstance(value, float) and not math.isfinite(value):
        problem = N_("a number that is not finite (NaN or infinity)")
    if problem:
        raise ImportRefused(
            N_("Row %(row)s, column %(column)s: %(problem)s. Nothing was imported."),
            params={
                "row": row,
                "column": column[:40],
                "problem": problem.fill(chars=f"{MAX_CELL_CHARS:,}"),
            },
        )


# --- values ------------------------------------------------------------------------------


def cell_text(row: Row, column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]  # the export's guard against formulas
    return text


def _date(row: Row, column: str) -> date | None:
    value = row.get(column)
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return parse_day(text)
    except ValueError:
        pass
    raise RowProblem(
        column, N_("%(value)s is not a date (use YYYY-MM-DD or DD/MM/YYYY)").fill(value=repr(text))
    )


def _int(row: Row, column: str) -> int | None:
    text = cell_text(row, column).rstrip("%")
    if text == "":
        return None
    try:
        return int(float(text))
    except (ValueError, OverflowError):  # "abc"; "1e309" is infinite
        raise RowProblem(column, N_("%(value)s is not a whole number").fill(value=repr(text)))


def _bool(row: Row, column: str) -> bool:
    text = cell_text(row, column).lower()
    if text in ("", "no", "false", "0", "không"):
        return False
    if text in ("yes", "true", "1", "có", "x"):
        return True
    raise RowProblem(column, N_("%(value)s is not yes or no").fill(value=repr(text)))


def _status(row: Row) -> str | None:
    text = cell_text(row, "status")
    if not text:
        return None
    if text in lifecycle.STATUSES:
        return text
    status = codes_by_word(lifecycle.STATUS_LABELS).get(text.lower())
    if status is None:
        raise RowProblem("status", N_("unknown status %(value)s").fill(value=repr(text)))
    return status


def _unit(code: str, column: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise RowProblem(column, N_("unknown unit %(code)s").fill(code=repr(code)))
    return unit


def _known_units(row: Row) -> None:
    """The lead and coordinating units the row names exist."""
    if lead_code := cell_text(row, "lead_unit"):
        _unit(lead_code, "lead_unit")
    for code in cell_text(row, "coordinating_units").replace(",", ";").split(";"):
        if code.strip():
            _unit(code.strip(), "coordinating_units")


def _known_owner(row: Row) -> None:
    if (name := cell_text(row, "owner")) and db.session.scalar(
        select(User.id).where(User.username == name)
    ) is None:
        raise RowProblem("owner", N_("unknown user %(name)s").fill(name=repr(name)))


def _percent(row: Row) -> None:
    percent = _int(row, "percent_done")
    if percent is not None and not lifecycle.percent_in_range(percent):
        raise RowProblem("percent_done", N_("must be between 0 and 100"))


def _kind(row: Row) -> str:
    """The task's kind: a code (task, milestone) or its label in either language; a task
    when the cell is empty."""
    text = cell_text(row, "kind")
    if not text or text in lifecycle.TASK_KINDS:
        return text or lifecycle.KIND_TASK
    kinds = {kind: WORD_LABELS[kind] for kind in lifecycle.TASK_KINDS}
    kind = codes_by_word(kinds).get(text.lower())
    if kind is None:
        raise RowProblem(
            "kind", N_("use one of: %(choices)s").fill(choices=", ".join(lifecycle.TASK_KINDS))
        )
    return kind


# Each cell read on its own, before the row is built, so that a row's problems are all told
# at once; the building (_row) reads them again, with what depends on the task and the actor.
CELL_CHECKS: tuple[Callable[[Row], object], ...] = (
    lambda row: _date(row, "start_date"),
    lambda row: _date(row, "deadline"),
    _percent,
    lambda row: _int(row, "version"),
    lambda row: _bool(row, "key_task"),
    _status,
    _kind,
    _known_units,
    _known_owner,
)


def _cell_problems(row: Row) -> list[RowProblem]:
    problems = []
    for check in CELL_CHECKS:
        try:
            check(row)
        except RowProblem as problem:
            problems.append(problem)
    return problems


# --- one row -------------------------------------------------------------------------------


def _directive(actor: User, row: Row, report: ImportReport, line: int) -> Directive:
    code = cell_text(row, "directive")
    directive = db.session.scalar(select(Directive).where(Directive.code == code))
    if directive is not None:
        return directive
    title = cell_text(row, "directive_title")
    if not title:
        raise RowProblem(
            "directive",
            N_("unknown directive %(code)s; give directive_title to create it").fill(
                code=repr(code)
            ),
        )
    if not policy.can_manage_directives(actor):
        raise RowProblem("directive", N_("only administrators create directives"))
    kind = cell_text(row, "directive_kind") or "plan"
    if kind not in DIRECTIVE_KINDS:
        raise RowProblem(
            "directive_kind", N_("use one of: %(choices)s").fill(choices=", ".join(DIRECTIVE_KINDS))
        )
    directive = add_directive(DirectiveValues(code=code, kind=kind, title=title))
    audit.record(actor, "import.directive", directive, after={"code": code, "row": line})
    report.created["directives"] += 1
    report.actions.append((line, N_("create directive %(code)s").fill(code=code)))
    return directive


def _target(
    actor: User, row: Row, directive: Directive, report: ImportReport, line: int
) -> Target | None:
    code = cell_text(row, "target")
    if not code:
        return None
    target = db.session.scalar(
        select(Target).where(Target.directive_id == directive.id, Target.code == code)
    )
    if target is not None:
        return target
    title = cell_text(row, "target_title")
    if not title:
        raise RowProblem(
            "target",
            N_("unknown target %(code)s; give target_title to create it").fill(code=repr(code)),
        )
    if not policy.can_manage_directives(actor):
        raise RowProblem("target", N_("only administrators create targets"))
    target = add_target(directive, {"code": code, "title": title})
    audit.record(actor, "import.target", target, after={"code": code, "row": line})
    report.created["targets"] += 1
    report.actions.append(
        (line, N_("create target %(directive)s %(code)s").fill(directive=directive.code, code=code))
    )
    return target


def _new_task(
    actor: User,
    row: Row,
    directive: Directive,
    target: Target | None,
    report: ImportReport,
    line: int,
) -> None:
    code = cell_text(row, "task_code")
    lead_code = cell_text(row, "lead_unit")
    if not lead_code:
        raise RowProblem("lead_unit", N_("required for a new task"))
    lead_unit = _unit(lead_code, "lead_unit")
    deadline = _date(row, "deadline")
    if deadline is None:
        raise RowProblem("deadline", N_("required for a new task"))
    if not policy.can_create_task(actor, lead_unit):
        raise RowProblem(
            "lead_unit", N_("you may not create tasks led by %(unit)s").fill(unit=lead_unit.code)
        )
    owner = None
    if owner_name := cell_text(row, "owner"):
        owner = db.session.scalar(select(User).where(User.username == owner_name))
        if owner is not None and not policy.can_assign_owner(actor, owner):  # known: _known_owner
            raise RowProblem(
                "owner",
                N_("%(name)s is not in your units: a task's owner is someone of your units.").fill(
                    name=owner.username
                ),
            )
    coordinating = [
        _unit(c.strip(), "coordinating_units")
        for c in cell_text(row, "coordinating_units").replace(",", ";").split(";")
        if c.strip()
    ]
    task = add_task(
        TaskValues(
            code=code,
            title=cell_text(row, "title"),
            directive=directive,
            target=target,
            lead_unit=lead_unit,
            deadline=deadline,
            start_date=_date(row, "start_date"),
            coordinating_units=coordinating,
            owner=owner,
            is_key=_bool(row, "key_task"),
            kind=_kind(row),
        ),
        actor,
    )
    audit.record(actor, "import.task", task, after={"code": code, "row": line})
    report.created["tasks"] += 1
    report.new_tasks.append(task)
    report.actions.append(
        (line, N_("create task %(directive)s %(code)s").fill(directive=directive.code, code=code))
    )


def _update_task(actor: User, row: Row, task: Task, report: ImportReport, line: int) -> None:
    for column, current in (("deadline", task.deadline), ("lead_unit", task.lead_unit.code)):
        given = _date(row, column) if column == "deadline" else cell_text(row, column)
        if given not in (None, "") and given != current:
            raise RowProblem(
                column,
                N_(
                    "an import does not change the %(field)s of an existing task "
                    "(deadlines move by extension)"
                ).fill(field=field_label(column)),
            )
    status = _status(row) or task.status
    percent = _int(row, "percent_done")
    note = cell_text(row, "note")
    if status == task.status and (percent is None or percent == task.percent_done) and not note:
        report.unchanged += 1
        return
    version = _int(row, "version")
    if version is None:
        raise RowProblem("version", N_("required to update an existing task (export it first)"))
    apply_progress(
        actor, task, version, status, percent, note, note_code=history_notes.IMPORT_UPDATED
    )
    report.updated += 1
    report.actions.append(
        (
            line,
            N_("update progress of %(directive)s %(code)s").fill(
                directive=task.directive.code, code=task.code
            ),
        )
    )


def _row(actor: User, row: Row, report: ImportReport, line: int) -> None:
    code = cell_text(row, "task_code")
    if not cell_text(row, "directive"):
        raise RowProblem("directive", N_("required"))
    if not code:
        raise RowProblem("task_code", N_("required"))
    problems = _cell_problems(row)
    try:
        directive = _directive(actor, row, report, line)
        target = _target(actor, row, directive, report, line)
        task = db.session.scalar(
            select(Task).where(Task.directive_id == directive.id, Task.code == code)
        )
        if task is None:
            _new_task(actor, row, directive, target, report, line)
        else:
            _update_task(actor, row, task, report, line)
        db.session.flush()
    except RowProblem as problem:  # told with the cells' problems, once
        told = {(p.column, p.message) for p in problems}
        raise RowProblems(
            problems + ([problem] if (problem.column, problem.message) not in told else [])
        ) from None
    except DomainError:
        if problems:  # a cell read wrong is the first thing to mend
            raise RowProblems(problems) from None
        raise
    if problems:  # cells the building did not need (a new task's percent) are refused too
        raise RowProblems(problems)


def run_import(
    actor: User,
    rows: list[dict[str, Any]],
    dry_run: bool = True,
    progress: Callable[[int], None] | None = None,
    seconds: float | None = IMPORT_SECONDS,
    before_commit: Callable[[ImportReport], bool] | None = None,
) -> ImportReport:
    """Try every row; commit only when all succeed and this is not a dry run (run_rows)."""
    policy.require(policy.can_import(actor), N_("Imports are for administrators and supervisors."))
    report = ImportReport(rows=len(rows), dry_run=dry_run)

    def blame(error: DomainError) -> str:
        fields = list(error.field_errors) or [
            "version" if isinstance(error, Conflict) else "task_code"
        ]
        return FIELD_COLUMNS.get(fields[0], fields[0])

    return run_rows(
        actor,
        rows,
        report,
        lambda row, line: _row(actor, row, report, line),
        blame,
        "import.file",
        lambda: {"rows": report.rows, "created": report.created, "updated": report.updated},
        progress,
        seconds,
        before_commit,
        lambda: tell_lead_units_of_import(actor, report.new_tasks),
    )


def run_rows(
    actor: User,
    rows: list[dict[str, Any]],
    report: ImportReport,
    try_row: Callable[[dict[str, Any], int], None],
    blame: Callable[[DomainError], str],
    action: str,
    summary: Callable[[], dict[str, Any]],
    progress: Callable[[int], None] | None,
    seconds: float | None,
    before_commit: Callable[[ImportReport], bool] | None,
    written_with: Callable[[], None] | None = None,
) -> ImportReport:
    """The all-or-nothing run every import shares: each row tried by `try_row(row, line)`
    inside a savepoint of one transaction, its refusal kept as a row error (`blame` names the
    column of a service's refusal); committed, with what `written_with()` adds (the
    notifications of the import) and an audit event `action` of `summary()`, only when no
    row failed and this is not a dry run. Past `seconds` (None: no limit) the run
    stops, writes nothing and raises ImportRefused. `before_commit` (a background job
    recording its completion) runs inside the import's transaction just before it commits;
    when it answers False nothing is written."""
    if db.session.get_bind().dialect.name == "sqlite":
        # A write first, so that the transaction is open before the first savepoint: Python's
        # sqlite3 module only begins a transaction at a write, and a savepoint taken outside
        # one would commit when released. (SQLite's writers queue on the whole database for
        # the import anyway; on PostgreSQL the head is locked only at its end, below.)
        audit.lock_chain()
    with audit.chained_together():
        if not _tried_every_row(rows, report, try_row, blame, progress, seconds):
            return report
        if written_with is not None:
            written_with()
        audit.record(actor, action, actor, after=summary())
    report.written = True
    if before_commit is not None and not before_commit(report):
        db.session.rollback()
        report.written = False
        return report
    db.session.commit()
    return report


def _tried_every_row(
    rows: list[dict[str, Any]],
    report: ImportReport,
    try_row: Callable[[dict[str, Any], int], None],
    blame: Callable[[DomainError], str],
    progress: Callable[[int], None] | None,
    seconds: float | None,
) -> bool:
    """`run_rows`' loop: each row in its savepoint; False (all rolled back) when a row was
    refused or this is a dry run."""
    deadline = deadline_after(seconds)
    for index, row in enumerate(rows):
        line = index + 2  # the header is row 1
        if time.monotonic() > deadline:
            db.session.rollback()
            raise too_slow(seconds)
        savepoint = db.session.begin_nested()
        try:
            try_row(row, line)
            db.session.flush()
            savepoint.commit()
        except RowProblem as problem:
            savepoint.rollback()
            report.errors.append(RowError(line, problem.column, problem.message))
        except RowProblems as found:
            savepoint.rollback()
            report.errors.extend(RowError(line, p.column, p.message) for p in found.problems)
        except DomainError as error:
            savepoint.rollback()
            report.errors.append(RowError(line, blame(error), error.message))
        except StaleDataError:
            savepoint.rollback()
            report.errors.append(RowError(line, "version", N_("the task changed while importing")))
        if progress is not None:
            progress(1)
    if report.errors or report.dry_run:
        db.session.rollback()
        return False
    return True


def report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "rows": report.rows,
        "dry_run": report.dry_run,
        "written": report.written,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "actions": [{"row": row, "action": action} for row, action in report.actions],
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors],
    }


# The template's example row, in the language of the one who downloads it: a Vietnamese
# plan's data is Vietnamese (its days written dd/mm/yyyy, which the import reads as it reads
# yyyy-mm-dd); the columns' names are the program's and stay as they are.
TEMPLATE_EXAMPLES = {
    "vi": {
        "directive": "71/NQ-CP",
        "directive_kind": "resolution",
        "directive_title": "Chương trình hành động của Chính phủ thực hiện Nghị quyết 57",
        "target": "MT1",
        "target_title": "100% nghị định hướng dẫn được ban hành trước ngày 31/3/2026",
        "task_code": "CT-01",
        "title": "Xây dựng nghị định về dữ liệu số",
        "kind": "task",
        "lead_unit": "BKHCN",
        "coordinating_units": "BCT; TTDLQG",
        "owner": "",
        "start_date": "05/01/2026",
        "deadline": "31/03/2026",
        "key_task": "có",
        "status": "",
        "percent_done": "",
        "note": "",
        "version": "",
    },
    "en": {
        "directive": "71/NQ-CP",
        "directive_kind": "resolution",
        "directive_title": "Government action programme for Resolution 57",
        "target": "MT1",
        "target_title": "100% of guiding decrees issued before 31 March 2026",
        "task_code": "CT-01",
        "title": "Draft the decree on digital data",
        "kind": "task",
        "lead_unit": "BKHCN",
        "coordinating_units": "BCT; TTDLQG",
        "owner": "",
        "start_date": "2026-01-05",
        "deadline": "2026-03-31",
        "key_task": "yes",
        "status": "",
        "percent_done": "",
        "note": "",
        "version": "",
    },
}


def template_example(language: str) -> dict[str, str]:
    """The task template's example row in `language` (English for one it does not have)."""
    return TEMPLATE_EXAMPLES.get(language, TEMPLATE_EXAMPLES["en"])


def template_csv(columns: tuple[str, ...], example: dict[str, str]) -> str:
    """An import's template as CSV (UTF-8 with BOM, for spreadsheets): its header and one
    example row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(example)
    return "\ufeff" + buffer.getvalue()


def template_xlsx(example: dict[str, str]) -> bytes:
    """The task import's template as a workbook: its header and the example row."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "tasks"
    sheet.append(list(COLUMNS))
    sheet.append([example[c] for c in COLUMNS])
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(
            12, min(40, max(len(str(c.value or "")) for c in column) + 2)
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
