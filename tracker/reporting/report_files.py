"""Report files: a ReportTable written as CSV, XLSX or PDF.

- CSV: the table's header and rows (and a Total row), UTF-8 with BOM, formulas neutralised.
- XLSX (XlsxWriter in constant-memory mode, so a long task list keeps memory flat): a
  Summary sheet (title block, the summary figures, the manifest's chain head), the report
  sheet and, when the report has them, a Tasks sheet; typed cells (dates as dates, rates as
  percentages), a bold header row, frozen panes and column widths.
- PDF (drawn by pdf_pages with fpdf2): A4 landscape, a title block (scope, period, as-of
  date, who generated it and when, the chain head), page numbers, the summary, the report
  table, a bar chart of the four classes and the task list (the first PDF_TASK_LIMIT).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any, BinaryIO, TypeVar

from flask_babel import gettext

from ..audit.queries import AUDITED_OBJECTS
from ..domain.audit_actions import ACTION_LABELS
from ..domain.reports import REPORT_TITLES
from ..domain.text import N_, Text
from ..infra import clock, fonts
from ..infra.i18n import format_figure, translated
from . import exports, pdf_pages
from .report_tables import (
    COUNT,
    DATE,
    NUMBER,
    RATE,
    TEXT,
    Column,
    ReportTable,
    Stamp,
    display,
    display_for_people,
)

MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMATS = tuple(MIME)
# A PDF lists at most this many tasks (CSV and XLSX list them all): a person reads the most
# urgent ones on paper; the file stays a few hundred pages at most (pdf_pages).
PDF_TASK_LIMIT = 1000
# Words of the task list that are codes in the CSV and words for people in the PDF and XLSX.
TASK_WORDS = {
    "yes": N_("Yes"),
    "no": N_("No"),
    "current": N_("Current deadline"),
    "original": N_("Original deadline"),
    "task": N_("Task"),
    "milestone": N_("Milestone"),
}
# The sheet of a report's detail rows.
DETAIL_SHEETS = {"tasks": N_("Tasks"), "events": N_("Events")}
# The columns of a task list whose words are for people (TASK_WORDS), and those that hold a
# label the catalogue translates (a status, a timeliness class).
WORD_COLUMNS = ("key_task", "judged_against", "kind")
LABEL_COLUMNS = ("status", "timeliness")
NAMED_CODES: dict[str, dict[str, Text]] = {"action": ACTION_LABELS, "object_type": AUDITED_OBJECTS}
# Widths (mm) of the PDF task list's columns, which fill the 273 mm between the margins of
# A4 landscape; a column not named is 14.5 mm (a date: 31/03/2026 on one line).
PDF_TASK_WIDTHS_MM = {
    # a code's column as wide as a long Vietnamese code at 6 pt and its 0.7 mm padding each
    # side (01-KH/BCĐTW 15.1 mm, BC57-2026Q4 14.8, BKHCN-HTQT 14.1, notice 2026/0001 11.5):
    # a code cut in two no longer reads as itself
    "directive": 17,
    "task_code": 17,
    "title": 19,
    "kind": 8.5,
    "lead_unit": 16.5,
    "lead_unit_name": 13,
    "coordinating_units": 16.5,
    "owner": 12,
    "status": 12.5,
    "percent_done": 8.5,
    "key_task": 8,
    "timeliness": 13.5,
    "days_overdue": 8.5,
    "judged_against": 12,
    "urging_notices": 13.5,
    "version": 8,
    # the audit trail's events
    "seq": 12,
    "time_utc": 30,
    "actor": 25,
    "action": 30,
    "object_type": 20,
    "object_id": 14,
    "request_id": 26,
    "change": 116,
}


class PdfUnavailable(RuntimeError):
    """The PDF's fonts are not on this server; the message says what to install."""


Progress = Callable[[int], None]  # told the number of rows written so far
RowT = TypeVar("RowT")


def rows_to_write(table: ReportTable, file_format: str) -> int:
    """How many rows the file will hold: the report's (with its total) and its tasks'."""
    tasks = table.detail_total() or 0
    if file_format == "pdf":
        tasks = min(tasks, PDF_TASK_LIMIT)
    elif file_format == "csv":
        # A report's CSV is its table; the task list's is its tasks (as the streamed one).
        return tasks if table.kind == "tasks" else len(table.rows) + (table.totals is not None)
    return len(table.rows) + (table.totals is not None) + tasks


def _counted(rows: Iterable[RowT], progress: Progress | None, already: int = 0) -> Iterator[RowT]:
    """`rows` as they are written, telling `progress` every 500 rows."""
    written = already
    for row in rows:
        yield row
        written += 1
        if progress is not None and written % 500 == 0:
            progress(written)


def _csv_file(table: ReportTable, target: BinaryIO, progress: Progress | None) -> None:
    if table.kind == "tasks":  # the tasks themselves, as /reports/tasks.csv streams them
        for text in exports.csv_stream(_counted(table.task_rows or (), progress)):
            target.write(text.encode("utf-8"))
        return
    header = tuple(column.heading for column in table.columns)
    rows = [_display_row(table.columns, row) for row in _counted(table.rows, progress)]
    if table.totals is not None:
        rows.append(_display_row(table.columns, table.totals))
    if table.note:
        rows.append((table.note, *[""] * (len(table.columns) - 1)))
    for text in exports.csv_stream(rows, header):
        target.write(text.encode("utf-8"))


def _display_row(
    columns: list[Column],
    row: Sequence[Any],
    show: Callable[[object, str], str] = display,
) -> tuple[str, ...]:
    return tuple(show(value, column.kind) for column, value in zip(columns, row, strict=True))


class _XlsxWriter:
    """One workbook written with XlsxWriter in constant-memory mode: each row goes to a
    temporary file as soon as the next one starts, so 300,000 tasks keep memory flat (and
    take a third of the time openpyxl needs). Rows are written in order, cells by type."""

    def __init__(self, target: BinaryIO):
        import xlsxwriter

        self.book = xlsxwriter.Workbook(
            target,
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        self.formats: dict[tuple[str, bool], object] = {}
        self.layouts: dict[tuple[tuple[str, ...], bool], tuple[list[Any], list[bool]]] = {}

    def format(self, kind: str, strong: bool) -> Any:
        key = (kind, strong)
        if key not in self.formats:
            properties: dict[str, object] = {"bold": True} if strong else {}
            number_format = {RATE: "0.0%", DATE: "dd/mm/yyyy", NUMBER: "0.0"}.get(kind)
            if number_format:
                properties["num_format"] = number_format
            self.formats[key] = self.book.add_format(properties) if properties else None
        return self.formats[key]

    def sheet(
        self,
        name: str,
        columns: list[Column] | None = None,
        headings: list[str] | None = None,
        frozen: int = 0,
    ) -> Any:
        sheet = self.book.add_worksheet(name)
        for index, column in enumerate(columns or ()):
            heading = headings[index] if headings else column.heading
            width = max(len(heading) + 2, 12 if column.kind != TEXT else 16)
            if column.key in ("title", "unit_name", "name"):
                width = 50
            sheet.set_column(index, index, width)
        if frozen:
            sheet.freeze_panes(1, frozen)
        return sheet

    def layout(self, kinds: tuple[str, ...], strong: bool) -> tuple[list[Any], list[bool]]:
        """Each column's cell format, and whether it is text: worked out once per table, not
        once per row (a task list has 300,000 rows)."""
        key = (kinds, strong)
        if key not in self.layouts:
            formats = [self.format(kind, strong) for kind in kinds]
            self.layouts[key] = (formats, [kind == TEXT for kind in kinds])
        return self.layouts[key]

    def row(
        self,
        sheet: Any,
        number: int,
        values: Sequence[Any],
        kinds: tuple[str, ...],
        strong: bool = False,
    ) -> None:
        formats, texts = self.layout(kinds, strong)
        for col, value in enumerate(values):
            cell_format = formats[col]
            kind_of_value = value.__class__
            if kind_of_value is str:
                if not value:  # an empty cell
                    continue
                if texts[col] and value[0] in exports.FORMULA_TRIGGERS:
                    value = exports.neutralise(value)
                sheet.write_string(number, col, value, cell_format)
            elif value is None:
                if cell_format is not None:
                    sheet.write_blank(number, col, None, cell_format)
            elif kind_of_value is bool:
                sheet.write_boolean(number, col, value, cell_format)
            elif isinstance(value, int | float):
                sheet.write_number(number, col, value, cell_format)
            elif isinstance(value, date):
                sheet.write_datetime(number, col, value, cell_format)
            else:
                sheet.write_string(number, col, str(value), cell_format)


def _xlsx_file(
    table: ReportTable, stamp: Stamp, target: BinaryIO, progress: Progress | None
) -> None:
    """The workbook in the reader's language, as the PDF: its sheets, title, headings and
    the words of its rows (statuses, classes, yes/no); the data and figures as they are.
    (The CSV keeps the stored words and English headings: programs read it.)"""
    writer = _XlsxWriter(target)

    summary = writer.sheet(translated(N_("Summary")))
    summary.set_column(0, 0, 34)
    summary.set_column(1, 1, 70)
    writer.row(summary, 0, [translated(table.title)], (TEXT,), strong=True)
    block = [(translated(label), translated(value)) for label, value in _title_block(table, stamp)]
    figures = [(translated(label), value) for label, value in table.summary]
    for number, line in enumerate([*block, None, *figures], start=1):
        if line is not None:
            label, value = line
            writer.row(summary, number, line, (TEXT, RATE if isinstance(value, float) else TEXT))

    headings = [translated(column.heading) for column in table.columns]
    report = writer.sheet(translated(_sheet_name(table.kind)), table.columns, headings, frozen=1)
    kinds = tuple(column.kind for column in table.columns)
    writer.row(report, 0, headings, (TEXT,) * len(kinds), True)
    number = 0
    for number, row in enumerate(_counted(table.rows, progress), start=1):
        if table.kind == "tasks" and row and row[0]:  # the first column names a measure
            row = [translated(row[0]), *row[1:]]
        writer.row(report, number, row, kinds)
    if table.totals is not None:
        totals = table.totals
        totals = [translated(totals[0]), *totals[1:]] if totals[0] else totals
        writer.row(report, number + 1, totals, kinds, strong=True)

    if table.task_columns:
        headings = [translated(column.heading) for column in table.task_columns]
        name = translated(DETAIL_SHEETS[table.detail])
        tasks = writer.sheet(name, table.task_columns, headings, frozen=2)
        kinds = tuple(column.kind for column in table.task_columns)
        writer.row(tasks, 0, headings, (TEXT,) * len(kinds), strong=True)
        words = _PeoplesWords(table.task_columns)
        task_rows = _counted(table.task_rows or (), progress, len(table.rows) + 1)
        for number, task_row in enumerate(task_rows, start=1):
            writer.row(tasks, number, words.row(task_row), kinds)
    writer.book.close()


class _PeoplesWords:
    """A detail list's words in the reader's language, each translated once per file (a
    national list is 300,000 rows of a few words): a task's stored words (WORD_COLUMNS),
    its labels (LABEL_COLUMNS), and an audit event's action and kind of object, named with
    their code kept beside the name (NAMED_CODES; the CSV carries the codes alone)."""

    def __init__(self, columns: list[Column]):
        self.places = [
            (index, column.key)
            for index, column in enumerate(columns)
            if column.key in LABEL_COLUMNS
            or column.key in WORD_COLUMNS
            or column.key in NAMED_CODES
        ]
        self.known: dict[tuple[str, str], str] = {}

    def word(self, text: str, column: str) -> str:
        key = (text, column)
        if key not in self.known:
            if column in LABEL_COLUMNS:
                self.known[key] = translated(text)
            elif column in NAMED_CODES:
                name = NAMED_CODES[column].get(text)
                self.known[key] = f"{translated(name)} ({text})" if name else text
            else:
                self.known[key] = translated(TASK_WORDS[text]) if text in TASK_WORDS else text
        return self.known[key]

    def row(self, row: Sequence[Any]) -> Sequence[Any]:
        if not self.places:
            return row
        cells = list(row)
        for index, column in self.places:
            if isinstance(cells[index], str) and cells[index]:
                cells[index] = self.word(cells[index], column)
        return cells


# A workbook's sheet of the report's own rows is named by the report's title, but where those
# rows are something else: a directive's are its lead units, a task list's the four classes'
# counts (its tasks have a sheet of their own).
_SHEET_NAMES = {**REPORT_TITLES, "directive": N_("By lead unit"), "tasks": N_("Report")}


def _sheet_name(kind: str) -> Text:
    return _SHEET_NAMES.get(kind, N_("Report"))


def _title_block(table: ReportTable, stamp: Stamp) -> list[tuple[str, str]]:
    block: list[tuple[str, str]] = [(N_("Scope"), table.scope)]
    if table.period:
        block.append((N_("Period"), table.period))
    if table.note:
        block.append((N_("Note"), table.note))
    block += [
        (N_("As of"), f"{table.as_of:%d/%m/%Y}"),
        (N_("Generated by"), stamp.generated_by),
        (
            N_("Generated at"),
            f"{clock.local_time(stamp.generated_at):%d/%m/%Y %H:%M:%S} "
            f"({clock.tracker_zone().key})",
        ),
        (
            N_("Audit chain head"),
            N_("event %(seq)s, %(hash)s").fill(seq=stamp.chain_seq, hash=stamp.chain_hash),
        ),
    ]
    return block


def _pdf_file(
    table: ReportTable, stamp: Stamp, target: BinaryIO, progress: Progress | None
) -> None:
    if not fonts.fonts_found():
        raise PdfUnavailable(
            N_(
                "PDF files need the DejaVu fonts on the server (make system-deps installs "
                "fonts-dejavu-core); CSV and XLSX work without them."
            )
        )
    tasks = []
    words = _PeoplesWords(table.task_columns)
    task_rows = _counted(table.task_rows or (), progress, len(table.rows) + 1)
    for count, row in enumerate(task_rows, start=1):
        if count > PDF_TASK_LIMIT:
            break
        tasks.append(_task_cells(table.task_columns, row, words))
    title = translated(table.title)
    numeric = {i for i, c in enumerate(table.columns) if c.kind in (COUNT, RATE, NUMBER)}
    rows = [_display_row(table.columns, row, display_for_people) for row in table.rows]
    if table.kind == "tasks":  # the first column names a measure
        rows = [(translated(row[0]), *row[1:]) if row and row[0] else row for row in rows]
    totals = None
    if table.totals is not None:
        totals = _display_row(table.columns, table.totals, display_for_people)
        totals = (translated(totals[0]), *totals[1:]) if totals[0] else totals
    content = pdf_pages.PdfContent(
        title=title,
        footer=_footer(title, table.as_of),
        # Translated whole, its placeholders kept for the page numbers (pdf_pages fills them).
        page_words=gettext("Page %(page)s of %(pages)s"),
        title_block=[
            (translated(label), translated(value)) for label, value in _title_block(table, stamp)
        ],
        summary_heading=gettext("Summary"),
        summary=[(translated(label), format_figure(value)) for label, value in table.summary],
        chart_caption=gettext(
            "Tasks per timeliness class, %(total)s in all",
            total=table.counts.total if table.counts is not None else 0,
        ),
        counts=table.counts,
        columns=[translated(column.heading) for column in table.columns],
        right_aligned=numeric,
        column_weights=pdf_pages.column_weights(table.columns),
        rows=rows,
        totals=totals,
        empty_rows=gettext("No tasks in this report."),
        detail_heading=_detail_heading(table) if table.task_columns else None,
        detail_note=_detail_note(table),
        detail_columns=[translated(column.heading) for column in table.task_columns],
        detail_widths=[PDF_TASK_WIDTHS_MM.get(c.key, 14.5) for c in table.task_columns],
        detail_rows=tasks,
        empty_detail=gettext("No tasks."),
    )
    target.write(pdf_pages.draw(content))


def _footer(title: str, as_of: date) -> str:
    """The words at the foot of each page: the report's title and the day its figures are
    taken on, unless the title says that day already (a task list's does)."""
    day = f"{as_of:%d/%m/%Y}"
    return title if day in title else f"{title} · " + gettext("as of %(day)s", day=day)


def _task_cells(columns: list[Column], row: Sequence[Any], words: _PeoplesWords) -> tuple[str, ...]:
    """A detail row as the PDF shows it: statuses, classes and words in the reader's language."""
    return tuple(words.row(_display_row(columns, row, display_for_people)))


def _detail_heading(table: ReportTable) -> str:
    return str(gettext("Events") if table.detail == "events" else gettext("Tasks"))


def _detail_note(table: ReportTable) -> str | None:
    """Said above a detail list the PDF shortens (CSV and XLSX hold every row)."""
    total = table.detail_total()
    if total is None or total <= PDF_TASK_LIMIT:
        return None
    if table.detail == "events":
        return str(
            gettext(
                "The newest %(shown)s of %(total)s events; the CSV and XLSX files list them all.",
                shown=PDF_TASK_LIMIT,
                total=total,
            )
        )
    return str(
        gettext(
            "The first %(shown)s of %(total)s tasks, most urgent first; the CSV and XLSX "
            "files list them all.",
            shown=PDF_TASK_LIMIT,
            total=total,
        )
    )


def write(
    table: ReportTable,
    file_format: str,
    stamp: Stamp,
    target: BinaryIO,
    progress: Progress | None = None,
) -> None:
    """Write the report file to `target` (a file open for writing bytes), telling `progress`
    the rows written as it goes (see rows_to_write for the total)."""
    if file_format == "csv":
        _csv_file(table, target, progress)
    elif file_format == "xlsx":
        _xlsx_file(table, stamp, target, progress)
    else:
        _pdf_file(table, stamp, target, progress)


def render(table: ReportTable, file_format: str, stamp: Stamp) -> bytes:
    """The whole file in memory (for tests and small files)."""
    buffer = io.BytesIO()
    write(table, file_format, stamp, buffer)
    return buffer.getvalue()
