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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..domain import history_notes, lifecycle, policy
from ..domain.days import parse_day
from ..domain.errors import Conflict, DomainError
from ..domain.text import N_, field_label
from ..extensions import db
from ..models import Directive, Target, Task, Unit, User
from ..models.directive import DIRECTIVE_KINDS
from . import audit
from .directives import add_directive, add_target
from .tasks import TaskValues, add_task, apply_progress

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
STATUS_BY_LABEL = {label.lower(): status for status, label in lifecycle.STATUS_LABELS.items()}
# Service field names -> the column to blame.
FIELD_COLUMNS = {
    "code": "task_code",
    "progress": "percent_done",
    "parent": "task_code",
    "coordinating_units": "coordinating_units",
    "evidence": "status",
}
MAX_ROWS = 20000


class ImportError_(DomainError):  # noqa: N801  ImportError is a builtin
    """A file that cannot be read at all."""


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
    dry_run: bool = True
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class RowProblem(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


# --- reading files -------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def read_rows(filename: str, content: bytes) -> list[dict[str, Any]]:
    """The rows of a CSV (UTF-8, with or without BOM) or XLSX file, keyed by header."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv"):
        return _read_csv(content)
    raise ImportError_("Import a .csv or .xlsx file.")


def _read_csv(content: bytes) -> list[dict[str, Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_("The CSV file is not UTF-8 text. Save it as 'CSV UTF-8' and retry.")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return _checked(
        [{(k or "").strip(): _cell(v) for k, v in row.items()} for row in reader],
        reader.fieldnames or [],
    )


def _read_xlsx(content: bytes) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportError_(f"The XLSX file cannot be read: {error}.")
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    result = []
    for values in rows:
        if values is None or all(v is None or v == "" for v in values):
            continue
        result.append({header[i]: _cell(v) for i, v in enumerate(values) if i < len(header)})
    workbook.close()
    return _checked(result, header)


def _checked(rows: list[dict[str, Any]], header: Iterable[str]) -> list[dict[str, Any]]:
    missing = [column for column in REQUIRED if column not in set(header)]
    if missing:
        raise ImportError_(
            f"The file has no column {', '.join(missing)}. Start from the template "
            "(/admin/import/template.csv) or from a task export."
        )
    if len(rows) > MAX_ROWS:
        raise ImportError_(f"The file has {len(rows)} rows; import at most {MAX_ROWS} at once.")
    return rows


# --- values ------------------------------------------------------------------------------


def _text(row: dict, column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]  # the export's guard against formulas
    return text


def _date(row: dict, column: str) -> date | None:
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


def _int(row: dict, column: str) -> int | None:
    text = _text(row, column).rstrip("%")
    if text == "":
        return None
    try:
        return int(float(text))
    except ValueError:
        raise RowProblem(column, N_("%(value)s is not a whole number").fill(value=repr(text)))


def _bool(row: dict, column: str) -> bool:
    text = _text(row, column).lower()
    if text in ("", "no", "false", "0", "không"):
        return False
    if text in ("yes", "true", "1", "có", "x"):
        return True
    raise RowProblem(column, N_("%(value)s is not yes or no").fill(value=repr(text)))


def _status(row: dict) -> str | None:
    text = _text(row, "status")
    if not text:
        return None
    if text in lifecycle.STATUSES:
        return text
    status = STATUS_BY_LABEL.get(text.lower())
    if status is None:
        raise RowProblem("status", N_("unknown status %(value)s").fill(value=repr(text)))
    return status


def _unit(code: str, column: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise RowProblem(column, N_("unknown unit %(code)s").fill(code=repr(code)))
    return unit


# --- one row -------------------------------------------------------------------------------


def _directive(actor: User, row: dict, report: ImportReport, line: int) -> Directive:
    code = _text(row, "directive")
    directive = db.session.scalar(select(Directive).where(Directive.code == code))
    if directive is not None:
        return directive
    title = _text(row, "directive_title")
    if not title:
        raise RowProblem(
            "directive",
            N_("unknown directive %(code)s; give directive_title to create it").fill(
                code=repr(code)
            ),
        )
    if not policy.can_manage_directives(actor):
        raise RowProblem("directive", N_("only administrators create directives"))
    kind = _text(row, "directive_kind") or "plan"
    if kind not in DIRECTIVE_KINDS:
        raise RowProblem(
            "directive_kind", N_("use one of: %(choices)s").fill(choices=", ".join(DIRECTIVE_KINDS))
        )
    directive = add_directive({"code": code, "kind": kind, "title": title})
    audit.record(actor, "import.directive", directive, after={"code": code, "row": line})
    report.created["directives"] += 1
    report.actions.append((line, N_("create directive %(code)s").fill(code=code)))
    return directive


def _target(actor: User, row: dict, directive: Directive, report: ImportReport, line: int):
    code = _text(row, "target")
    if not code:
        return None
    target = db.session.scalar(
        select(Target).where(Target.directive_id == directive.id, Target.code == code)
    )
    if target is not None:
        return target
    title = _text(row, "target_title")
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


def _new_task(actor, row, directive, target, report, line) -> None:
    code = _text(row, "task_code")
    lead_code = _text(row, "lead_unit")
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
    if owner_name := _text(row, "owner"):
        owner = db.session.scalar(select(User).where(User.username == owner_name))
        if owner is None:
            raise RowProblem("owner", N_("unknown user %(name)s").fill(name=repr(owner_name)))
    coordinating = [
        _unit(c.strip(), "coordinating_units")
        for c in _text(row, "coordinating_units").replace(",", ";").split(";")
        if c.strip()
    ]
    task = add_task(
        TaskValues(
            code=code,
            title=_text(row, "title"),
            directive=directive,
            target=target,
            lead_unit=lead_unit,
            deadline=deadline,
            start_date=_date(row, "start_date"),
            coordinating_units=coordinating,
            owner=owner,
            is_key=_bool(row, "key_task"),
            kind=_text(row, "kind") or lifecycle.KIND_TASK,
        ),
        actor,
    )
    audit.record(actor, "import.task", task, after={"code": code, "row": line})
    report.created["tasks"] += 1
    report.actions.append(
        (line, N_("create task %(directive)s %(code)s").fill(directive=directive.code, code=code))
    )


def _update_task(actor, row, task: Task, report, line) -> None:
    for column, current in (("deadline", task.deadline), ("lead_unit", task.lead_unit.code)):
        given = _date(row, column) if column == "deadline" else _text(row, column)
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
    note = _text(row, "note")
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


def _row(actor: User, row: dict, report: ImportReport, line: int) -> None:
    code = _text(row, "task_code")
    if not _text(row, "directive"):
        raise RowProblem("directive", N_("required"))
    if not code:
        raise RowProblem("task_code", N_("required"))
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


def run_import(
    actor: User,
    rows: list[dict[str, Any]],
    dry_run: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Try every row; commit only when all succeed and this is not a dry run."""
    policy.require(policy.can_import(actor), N_("Imports are for administrators and supervisors."))
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    # A write first, so that the transaction is open before the first savepoint: Python's
    # sqlite3 module only begins a transaction at a write, and a savepoint taken outside
    # one would commit when released.
    audit.lock_chain()
    for index, row in enumerate(rows):
        line = index + 2  # the header is row 1
        savepoint = db.session.begin_nested()
        try:
            _row(actor, row, report, line)
            savepoint.commit()
        except RowProblem as problem:
            savepoint.rollback()
            report.errors.append(RowError(line, problem.column, problem.message))
        except DomainError as error:
            savepoint.rollback()
            fields = list(error.field_errors) or [
                "version" if isinstance(error, Conflict) else "task_code"
            ]
            column = FIELD_COLUMNS.get(fields[0], fields[0])
            report.errors.append(RowError(line, column, error.message))
        except StaleDataError:
            savepoint.rollback()
            report.errors.append(RowError(line, "version", N_("the task changed while importing")))
        if progress is not None:
            progress(1)
    if report.errors or dry_run:
        db.session.rollback()
        return report
    audit.record(
        actor,
        "import.file",
        actor,
        after={"rows": report.rows, "created": report.created, "updated": report.updated},
    )
    db.session.commit()
    report.written = True
    return report


def report_json(report: ImportReport) -> dict:
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


TEMPLATE_EXAMPLE = {
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
}


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(TEMPLATE_EXAMPLE)
    return "\ufeff" + buffer.getvalue()


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "tasks"
    sheet.append(list(COLUMNS))
    sheet.append([TEMPLATE_EXAMPLE[c] for c in COLUMNS])
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(
            12, min(40, max(len(str(c.value or "")) for c in column) + 2)
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
