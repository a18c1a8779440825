"""A report as data: title, scope, period, as-of date, typed columns, rows, totals and a
summary. The screen, CSV, XLSX and PDF of one report are all written from the same table,
so their figures cannot disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..domain.timeliness import TimelinessCounts

TEXT, COUNT, RATE, DATE, NUMBER = "text", "count", "rate", "date", "number"


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: str = TEXT  # text, count, rate (0..1 or None), date, number (one decimal)


@dataclass
class ReportTable:
    """What one report says. Values are typed: int, float, None, date or str."""

    kind: str  # "period", "league", "directive", "tasks"
    title: str  # a domain.text.Text: English as a string, translated where it is shown
    scope: str  # the filters in words: "All units", "MOST and its units, key tasks"
    as_of: date
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    totals: list[Any] | None = None
    period: str | None = None
    note: str | None = None  # a Text said beside the title: "Period not over: figures as of …"
    summary: list[tuple[str, object]] = field(default_factory=list)
    counts: TimelinessCounts | None = None  # the four classes the PDF draws as bars
    # A second table of tasks behind the report (rows of task_columns), for XLSX and PDF.
    task_columns: list[Column] = field(default_factory=list)
    task_rows: Iterable[Sequence[Any]] | None = None  # consumed once
    task_total: int | None = None
    # Counts the rows when a file needs their number (not for a page, which does not show
    # them: on a past day the count reads the history), when task_total is not given.
    task_counter: Callable[[], int] | None = None
    # What those rows are: "tasks", or "events" for the audit trail (the XLSX sheet's and the
    # PDF section's name).
    detail: str = "tasks"

    def detail_total(self) -> int | None:
        """How many detail rows there are (counted once, when first asked)."""
        if self.task_total is None and self.task_counter is not None:
            self.task_total = self.task_counter()
        return self.task_total


@dataclass(frozen=True)
class Stamp:
    """Who generated a file, when, and the head of the audit chain at that moment."""

    generated_by: str
    generated_at: datetime
    chain_seq: int
    chain_hash: str


def display(value: object, kind: str) -> str:
    """A cell as text for CSV (read by programs): rates as percentages with a point, dates as
    ISO, None as blank."""
    if value is None:
        return ""
    if kind == RATE and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if kind == NUMBER:
        return f"{value:.1f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def display_for_people(value: object, kind: str) -> str:
    """A cell as a person reads it (PDF): numbers and rates in the page's language (50,0%
    in Vietnamese), dates dd/mm/yyyy; a rate of nothing (no task came due) as "—", as the
    screen shows it, any other None as blank."""
    from ..infra.i18n import format_figure

    if value is None:
        return format_figure(None) if kind == RATE else ""
    if kind == RATE and isinstance(value, int | float):
        return format_figure(float(value))
    if kind == NUMBER:
        return format_figure(value, "0.0")
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)
