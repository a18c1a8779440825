"""The task CSV written by PostgreSQL: every cell of `exports.task_rows` made by the database
(labels, timeliness, days overdue, joined coordinating units and urging notices, the formula
guard of `exports.neutralise`) and streamed out with `COPY (query) TO STDOUT`, one row per
message, so that the export costs what `COPY` costs and still starts at the first row.

The bytes are those `exports.csv_stream` writes from `exports.task_rows`, which stays the
writer on SQLite and the one the XLSX reads (tests/reporting/test_copied_csv.py compares the
two on PostgreSQL): an empty cell is NULL (COPY quotes an empty string, the csv module does
not), dates are ISO text, and each row ends in CRLF (COPY ends it with LF; a line break
inside a quoted cell is left as it was written)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, String, case, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ..domain import timeliness as tl
from ..domain.lifecycle import STATUS_LABELS
from ..extensions import db
from ..models import Directive, Task, Unit, UrgingNotice, User, task_coordinating_units
from . import as_of
from .as_of import AnySelect, SqlExpression
from .exports import FORMULA_TRIGGERS, csv_stream, task_rows
from .task_queries import TaskFilters, apply_filters, urgency_order

if TYPE_CHECKING:
    import psycopg

# Rows gathered into one chunk of the response.
ROWS_PER_CHUNK = 500
TRIGGER_CODES = tuple(ord(trigger) for trigger in FORMULA_TRIGGERS)


def applies() -> bool:
    """Whether the database can write the CSV itself (PostgreSQL's COPY)."""
    return db.session.get_bind().dialect.name == "postgresql"


def neutralised(text: SqlExpression) -> ColumnElement[Any]:
    """`exports.neutralise` in SQL over a text column: NULL when empty, prefixed with ' when
    a spreadsheet would run it as a formula (its first character's code is a trigger's)."""
    return func.nullif(
        case((func.ascii(text).in_(TRIGGER_CODES), literal("'", String) + text), else_=text), ""
    )


def iso_day(value: SqlExpression) -> ColumnElement[Any]:
    return func.to_char(value, "YYYY-MM-DD")


def task_csv_statement(user: User, filters: TaskFilters) -> AnySelect:
    """The rows of the task CSV, every cell as the file shows it, in urgency order."""
    report_date, basis = filters.day, filters.deadline_basis
    record = as_of.record_columns(report_date)
    owner = aliased(User)
    coordinating_unit = aliased(Unit)
    coordinating = (
        select(
            task_coordinating_units.c.task_id,
            func.string_agg(
                coordinating_unit.code, aggregate_order_by(literal("; "), coordinating_unit.code)
            ).label("codes"),
        )
        .join(coordinating_unit, coordinating_unit.id == task_coordinating_units.c.unit_id)
        .group_by(task_coordinating_units.c.task_id)
        .subquery("coordinating")
    )
    notices = (
        select(
            UrgingNotice.task_id,
            func.string_agg(
                UrgingNotice.number_sql(), aggregate_order_by(literal("; "), UrgingNotice.id)
            ).label("numbers"),
        )
        .group_by(UrgingNotice.task_id)
        .subquery("notices")
    )
    judged = record.judged_deadline(basis)
    timeliness = record.timeliness(report_date, basis)
    labels = {each.value: label for each, label in tl.TIMELINESS_LABELS.items()}
    statement: AnySelect = (
        select(
            neutralised(Directive.code),
            neutralised(Task.code),
            neutralised(Task.title),
            neutralised(Task.kind),
            neutralised(Unit.code),
            neutralised(Unit.name),
            neutralised(coordinating.c.codes),
            neutralised(owner.username),
            iso_day(Task.start_date),
            iso_day(record.deadline),
            iso_day(Task.original_deadline),
            case(STATUS_LABELS, value=record.status),
            record.percent_done,
            case((Task.is_key, "yes"), else_="no"),
            case(labels, value=timeliness, else_="Cancelled"),
            case(
                (
                    timeliness == tl.Timeliness.OVERDUE.value,
                    literal(report_date, Date) - judged,
                ),
                else_=0,
            ),
            iso_day(record.completed_on),
            literal(report_date.isoformat(), String),
            literal(basis, String),
            neutralised(notices.c.numbers),
            Task.version,
        )
        .select_from(Task)
        .join(Directive, Directive.id == Task.directive_id)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .outerjoin(owner, owner.id == Task.owner_id)
        .outerjoin(coordinating, coordinating.c.task_id == Task.id)
        .outerjoin(notices, notices.c.task_id == Task.id)
    )
    statement = apply_filters(statement, user, filters, record)
    return statement.order_by(*urgency_order(record, report_date, filters))


def copied_rows(user: User, filters: TaskFilters) -> Iterator[bytes]:
    """The CSV's rows (no header), UTF-8, CRLF-ended, in chunks, as COPY sends them."""
    connection = db.session.connection()
    compiled = task_csv_statement(user, filters).compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    copy_sql = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)"
    driver: psycopg.Connection[Any] = connection.connection.driver_connection  # type: ignore[assignment]
    batch: list[bytes] = []
    with driver.cursor() as cursor, cursor.copy(copy_sql, compiled.params) as copy:
        # One message per row (PostgreSQL's COPY TO): its last byte is the row's LF.
        for message in copy:
            batch.append(bytes(message[:-1]) + b"\r\n")
            if len(batch) == ROWS_PER_CHUNK:
                yield b"".join(batch)
                batch.clear()
    if batch:
        yield b"".join(batch)


def task_csv(user: User, filters: TaskFilters) -> Iterator[bytes]:
    """The whole task CSV, UTF-8 bytes in chunks: written by the database's COPY on
    PostgreSQL, by the csv module from `task_rows` elsewhere."""
    if not applies():
        for text in csv_stream(task_rows(user, filters)):
            yield text.encode("utf-8")
        return
    yield next(csv_stream(())).encode("utf-8")  # the BOM and the header
    yield from copied_rows(user, filters)
