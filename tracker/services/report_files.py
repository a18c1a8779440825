"""Report files: a ReportTable written as CSV, XLSX or PDF.

- CSV: the table's header and rows (and a Total row), UTF-8 with BOM, formulas neutralised.
- XLSX (openpyxl, write-only so a long task list keeps memory flat): a Summary sheet (title
  block, the summary figures, the manifest's chain head), the report sheet and, when the
  report has them, a Tasks sheet; typed cells (dates as dates, rates as percentages), a bold
  header row, frozen panes and column widths.
- PDF (WeasyPrint, from templates/reports/pdf.html): A4 landscape, a title block (scope,
  period, as-of date, who generated it and when, the chain head), page numbers, the summary,
  the report table, a bar chart of the four classes and the task list.
"""

from __future__ import annotations

import io

from . import exports
from .report_tables import COUNT, DATE, NUMBER, RATE, TEXT, Column, ReportTable, Stamp, display

MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMATS = tuple(MIME)
PDF_TASK_LIMIT = 2000  # a PDF lists at most this many tasks; CSV and XLSX list them all


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot load here; the message says what to install."""


def csv_bytes(table: ReportTable) -> bytes:
    header = tuple(column.heading for column in table.columns)
    rows = [_display_row(table.columns, row) for row in table.rows]
    if table.totals is not None:
        rows.append(_display_row(table.columns, table.totals))
    return "".join(exports.csv_stream(rows, header)).encode("utf-8")


def _display_row(columns: list[Column], row: list) -> tuple:
    return tuple(display(value, column.kind) for column, value in zip(columns, row, strict=True))


def xlsx_bytes(table: ReportTable, stamp: Stamp) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def heading_row(sheet, headings) -> list:
        cells = []
        for text in headings:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            cells.append(cell)
        return cells

    def typed_row(sheet, columns: list[Column], row, strong=False) -> list:
        cells = []
        for column, value in zip(columns, row, strict=True):
            if column.kind == TEXT and value is not None:
                value = exports.neutralise(value)
            cell = WriteOnlyCell(sheet, value=value)
            if column.kind == RATE:
                cell.number_format = "0.0%"
            elif column.kind == DATE:
                cell.number_format = "DD/MM/YYYY"
            elif column.kind == NUMBER:
                cell.number_format = "0.0"
            if strong:
                cell.font = bold
            cells.append(cell)
        return cells

    summary = workbook.create_sheet("Summary")
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 70
    summary.append(heading_row(summary, [table.title]))
    for label, value in _title_block(table, stamp):
        summary.append([label, value])
    summary.append([])
    for label, value in table.summary:
        summary.append([label, value])

    report = workbook.create_sheet(_sheet_name(table.kind))
    _widths(report, table.columns)
    report.freeze_panes = "B2"
    report.append(heading_row(report, [column.heading for column in table.columns]))
    for row in table.rows:
        report.append(typed_row(report, table.columns, row))
    if table.totals is not None:
        report.append(typed_row(report, table.columns, table.totals, strong=True))

    if table.task_columns:
        tasks = workbook.create_sheet("Tasks")
        _widths(tasks, table.task_columns)
        tasks.freeze_panes = "C2"
        tasks.append(heading_row(tasks, [column.heading for column in table.task_columns]))
        for row in table.task_rows or ():
            tasks.append(typed_row(tasks, table.task_columns, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(kind: str) -> str:
    return {
        "period": "Period report",
        "league": "League table",
        "directive": "By lead unit",
        "board": "Overdue board",
    }.get(kind, "Report")


def _widths(sheet, columns: list[Column]) -> None:
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        width = max(len(column.heading) + 2, 12 if column.kind != "text" else 16)
        if column.key in ("title", "unit_name", "name"):
            width = 50
        sheet.column_dimensions[get_column_letter(index)].width = width


def _title_block(table: ReportTable, stamp: Stamp) -> list[tuple[str, str]]:
    block = [("Scope", table.scope)]
    if table.period:
        block.append(("Period", table.period))
    block += [
        ("As of", f"{table.as_of:%d/%m/%Y}"),
        ("Generated by", stamp.generated_by),
        ("Generated at (UTC)", stamp.generated_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("Audit chain head", f"event {stamp.chain_seq}, {stamp.chain_hash}"),
    ]
    return block


def pdf_bytes(table: ReportTable, stamp: Stamp) -> bytes:
    from flask import render_template

    try:
        from weasyprint import HTML
    except OSError as error:  # the system's Pango is missing
        raise PdfUnavailable(
            "PDF files need the Pango library on the server (make system-deps installs it); "
            "CSV and XLSX work without it."
        ) from error

    from ..charts import class_bars

    tasks = []
    for count, row in enumerate(table.task_rows or (), start=1):
        if count > PDF_TASK_LIMIT:
            break
        tasks.append(_display_row(table.task_columns, row))
    html = render_template(
        "reports/pdf.html",
        table=table,
        stamp=stamp,
        title_block=_title_block(table, stamp),
        rows=[_display_row(table.columns, row) for row in table.rows],
        totals=_display_row(table.columns, table.totals) if table.totals is not None else None,
        numeric={i for i, c in enumerate(table.columns) if c.kind in (COUNT, RATE, NUMBER)},
        tasks=tasks,
        task_limit=PDF_TASK_LIMIT,
        chart=class_bars(table.counts) if table.counts is not None else None,
    )
    return HTML(string=html).write_pdf()


def render(table: ReportTable, file_format: str, stamp: Stamp) -> bytes:
    if file_format == "csv":
        return csv_bytes(table)
    if file_format == "xlsx":
        return xlsx_bytes(table, stamp)
    return pdf_bytes(table, stamp)
