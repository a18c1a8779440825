"""Task exports: the rows behind a report, written as CSV (UTF-8 with BOM, RFC 4180 quoting,
spreadsheet formulas neutralised), streamed so that memory stays flat."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from sqlalchemy.orm import selectinload

from ..domain import timeliness as tl
from ..domain.lifecycle import STATUS_LABELS
from ..extensions import db
from ..models import Task, User
from . import as_of
from .task_queries import TaskFilters, task_list_query

CSV_HEADER = (
    "directive",
    "task_code",
    "title",
    "kind",
    "lead_unit",
    "lead_unit_name",
    "coordinating_units",
    "owner",
    "start_date",
    "deadline",
    "original_deadline",
    "status",
    "percent_done",
    "key_task",
    "timeliness",
    "days_overdue",
    "completed_on",
    "report_date",
    "judged_against",
    "urging_notices",
    "version",
)
# The kinds of the columns above, for typed spreadsheet cells.
DATE_COLUMNS = {"start_date", "deadline", "original_deadline", "completed_on", "report_date"}
COUNT_COLUMNS = {"percent_done", "days_overdue", "version"}
# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, prefixed with ' when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def task_rows(user: User, filters: TaskFilters, due_soon_days: int) -> Iterator[tuple]:
    """One tuple per task `user` may see under `filters`, in urgency order, fetched in batches;
    typed values (dates as dates, None when there is none), in the order of CSV_HEADER."""
    report_date, basis = filters.report_date, filters.deadline_basis
    record = as_of.record_columns(report_date)
    statement = task_list_query(user, filters, due_soon_days, record).options(
        selectinload(Task.urging_notices)
    )
    if record.historical:  # each task as the record stood at the end of the report date
        statement = statement.add_columns(record.status, record.deadline, record.percent_done)
    for row in db.session.execute(statement.execution_options(yield_per=500)):
        task = as_of.TaskOnDay(*row) if record.historical else row[0]
        timeliness = task.timeliness(report_date, basis)
        yield (
            task.directive.code,
            task.code,
            task.title,
            task.kind,
            task.lead_unit.code,
            task.lead_unit.name,
            "; ".join(unit.code for unit in task.coordinating_units),
            task.owner.username if task.owner else "",
            task.start_date,
            task.deadline,
            task.original_deadline,
            STATUS_LABELS[task.status],
            task.percent_done,
            "yes" if task.is_key else "no",
            tl.TIMELINESS_LABELS[timeliness] if timeliness else "Cancelled",
            task.days_overdue(report_date, basis),
            task.completed_on,
            report_date,
            basis,
            "; ".join(notice.number for notice in task.urging_notices),
            task.version,
        )


def csv_stream(rows: Iterable[tuple], header: tuple = CSV_HEADER) -> Iterator[str]:
    """CSV text in chunks: a BOM (so spreadsheet programs read UTF-8), the header, the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(header)
    yield "\ufeff" + take()
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if count % 200 == 0:
            yield take()
    rest = take()
    if rest:
        yield rest
