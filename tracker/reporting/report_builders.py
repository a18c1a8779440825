"""The reports as ReportTables: period report, league table, directive progress and the task
list, each built from the same queries as its screen so that files and screen agree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..audit import queries as audit_queries
from ..domain import periods
from ..domain import timeliness as tl
from ..domain.text import N_, Text
from ..infra import clock
from ..infra.i18n import WORD_LABELS
from ..models import Directive, Task, Unit, User
from ..org import lookups
from ..org.lookups import UnitLabel
from . import exports, league, period_reports, task_queries
from .report_tables import COUNT, DATE, NUMBER, RATE, TEXT, Column, ReportTable
from .task_queries import TaskFilters

# The headings of the task list in XLSX and PDF files (the CSV keeps its column names).
TASK_HEADINGS = {
    "directive": N_("Directive"),
    "task_code": N_("Task code"),
    "title": N_("Title"),
    "kind": N_("Kind"),
    "lead_unit": N_("Lead unit"),
    "lead_unit_name": N_("Lead unit name"),
    "coordinating_units": N_("Coordinating units"),
    "owner": N_("Owner"),
    "start_date": N_("Start date"),
    "deadline": N_("Deadline"),
    "original_deadline": N_("Original deadline"),
    "status": N_("Status"),
    "percent_done": N_("Percent done"),
    "key_task": N_("Key task"),
    "timeliness": N_("Timeliness"),
    "days_overdue": N_("Days overdue"),
    "completed_on": N_("Completed on"),
    "report_date": N_("Report date"),
    "judged_against": N_("Judged against"),
    "urging_notices": N_("Urging notices"),
    "version": N_("Version"),
}
TASK_COLUMNS = [
    Column(
        name,
        TASK_HEADINGS[name],
        DATE if name in exports.DATE_COLUMNS else COUNT if name in exports.COUNT_COLUMNS else TEXT,
    )
    for name in exports.CSV_HEADER
]
COUNT_COLUMNS = [
    Column("completed_on_time", N_("Completed on time"), COUNT),
    Column("completed_late", N_("Completed late"), COUNT),
    Column("within_deadline", N_("Not completed, within deadline"), COUNT),
    Column("overdue", N_("Not completed, overdue"), COUNT),
]


def describe_scope(filters: TaskFilters) -> str:
    """The filters in words, for title blocks (a Text: translated where it is shown)."""
    parts = []
    if filters.directive:
        parts.append(N_("directive %(code)s").fill(code=filters.directive))
    if filters.scope:
        parts.append(N_("units under %(code)s").fill(code=filters.scope))
    if filters.unit:
        parts.append(N_("lead unit %(code)s").fill(code=filters.unit))
    if filters.key:
        parts.append(N_("key tasks only"))
    if filters.status:
        parts.append(N_("status %(status)s").fill(status=filters.status))
    if filters.timeliness:
        parts.append(N_("class %(timeliness)s").fill(timeliness=filters.timeliness))
    if filters.q:
        parts.append(N_("matching “%(words)s”").fill(words=filters.q))
    if filters.deadline_basis == "original":
        parts.append(N_("judged against original deadlines"))
    if not parts:
        return N_("all tasks the reader may see")
    joined = "; ".join(f"%(part{n})s" for n in range(len(parts)))
    return Text(joined).fill(**{f"part{n}": part for n, part in enumerate(parts)})


def _counts_summary(counts: tl.TimelinessCounts) -> list[tuple[str, object]]:
    return [
        (N_("Tasks (cancelled left out)"), counts.total),
        *((klass.label, counts.count(klass)) for klass in tl.TIMELINESS_ORDER),
        (N_("Come due"), counts.come_due),
        (N_("Completion rate"), counts.completion_rate),
        (N_("On-time rate"), counts.on_time_rate),
        (N_("Overdue rate"), counts.overdue_rate),
    ]


def _with_tasks(table: ReportTable, user: User, filters: TaskFilters) -> ReportTable:
    table.task_columns = TASK_COLUMNS
    table.task_rows = exports.task_rows(user, filters)
    table.task_counter = lambda: task_queries.count_tasks(user, filters)
    return table


def task_list(user: User, filters: TaskFilters) -> ReportTable:
    """The task list with its four-class summary (the Tasks screen and its exports)."""
    counts = task_queries.total_counts(user, filters)
    table = ReportTable(
        kind="tasks",
        title=N_("Tasks as of %(day)s").fill(day=f"{filters.day:%d/%m/%Y}"),
        scope=describe_scope(filters),
        as_of=filters.day,
        columns=[Column("measure", N_("Measure")), Column("value", N_("Tasks"), COUNT)],
        rows=[[klass.label, counts.count(klass)] for klass in tl.TIMELINESS_ORDER],
        totals=["Total", counts.total],
        summary=_counts_summary(counts),
        counts=counts,
    )
    return _with_tasks(table, user, filters)


def board(user: User, filters: TaskFilters) -> ReportTable:
    """The overdue board: the four classes per lead unit over the scope, and the overdue
    tasks behind it."""
    table = _per_unit_table(
        user,
        filters,
        kind="board",
        title=N_("Overdue board as of %(day)s").fill(day=f"{filters.day:%d/%m/%Y}"),
        order=lambda row: (-row[1].overdue, row[0].code),
    )
    overdue = filters.with_(timeliness=tl.Timeliness.OVERDUE.value)
    return _with_tasks(table, user, overdue)


def _per_unit_table(
    user: User,
    filters: TaskFilters,
    kind: str,
    title: str,
    order: Callable[[tuple[Unit, tl.TimelinessCounts]], Any],
) -> ReportTable:
    """The four classes, come due and rates per lead unit, with a Total row."""
    per_unit = task_queries.grouped_counts(user, filters, Task.lead_unit_id)
    units = lookups.units_by_id(per_unit.keys())
    rows = sorted(((units[uid], c) for uid, c in per_unit.items()), key=order)
    totals = tl.TimelinessCounts.summed(c for _, c in rows)
    return ReportTable(
        kind=kind,
        title=title,
        scope=describe_scope(filters),
        as_of=filters.day,
        columns=[
            Column("unit", N_("Lead unit")),
            Column("unit_name", N_("Unit name")),
            *UNIT_COLUMNS,
        ],
        rows=[[unit.code, unit.name, *_unit_line(counts)] for unit, counts in rows],
        totals=["Total", "", *_unit_line(totals)],
        summary=_counts_summary(totals),
        counts=totals,
    )


UNIT_COLUMNS = [
    *COUNT_COLUMNS,
    Column("come_due", N_("Come due"), COUNT),
    Column("completion_rate", N_("Completion rate"), RATE),
    Column("overdue_rate", N_("Overdue rate"), RATE),
]


def _unit_line(counts: tl.TimelinessCounts) -> list[Any]:
    return [
        *(counts.count(klass) for klass in tl.TIMELINESS_ORDER),
        counts.come_due,
        counts.completion_rate,
        counts.overdue_rate,
    ]


def directive_progress(user: User, directive: Directive, filters: TaskFilters) -> ReportTable:
    table = _per_unit_table(
        user,
        filters,
        kind="directive",
        title=N_("Progress of %(kind)s %(code)s").fill(
            kind=WORD_LABELS.get(directive.kind, directive.kind), code=directive.code
        ),
        order=lambda row: row[0].path,
    )
    return _with_tasks(table, user, filters)


def period_columns(group: str) -> list[Column]:
    """The columns of a period report with rows per lead unit or per directive."""
    return [
        Column("code", N_("Directive") if group == "directive" else N_("Lead unit")),
        Column("name", N_("Title") if group == "directive" else N_("Unit name")),
        *(
            Column(key, heading, RATE if kind == "rate" else COUNT)
            for key, heading, kind in period_reports.PERIOD_COLUMNS
        ),
    ]


def frozen_task_columns() -> list[Column]:
    """The task list of a closed period: each task as it stood at the close."""
    return [
        Column("task_code", N_("Task code")),
        Column("lead_unit", N_("Lead unit")),
        Column("status", N_("Status")),
        Column("percent_done", N_("Percent done"), COUNT),
        Column("deadline", N_("Deadline"), DATE),
        Column("timeliness", N_("Timeliness at period end")),
    ]


def period_report(
    user: User, filters: TaskFilters, start: date, end: date, group: str
) -> tuple[ReportTable, list[tuple[UnitLabel | Directive, period_reports.PeriodFigures]]]:
    """The period report table, and its rows as (unit label or directive, PeriodFigures) for
    the screen."""
    column = Task.directive_id if group == "directive" else Task.lead_unit_id
    today = clock.today()
    day = period_reports.figures_day(end, today)
    figures = period_reports.period_figures(user, filters, start, end, column, today)
    objects: list[tuple[UnitLabel | Directive, period_reports.PeriodFigures]]
    if group == "directive":
        directives = lookups.directives_by_id(figures)
        by_directive = sorted(
            ((directives[key], value) for key, value in figures.items()), key=lambda r: r[0].code
        )
        names = [(d.code, d.title) for d, _ in by_directive]
        objects = list(by_directive)
    else:
        units = lookups.unit_labels(figures.keys())  # a national report has thousands
        by_unit = sorted(
            ((units[key], value) for key, value in figures.items()), key=lambda r: r[0].path
        )
        names = [(u.code, u.name) for u, _ in by_unit]
        objects = list(by_unit)
    totals = period_reports.PeriodFigures.sum_of(value for _, value in objects)
    line = period_reports.period_values

    table = ReportTable(
        kind="period",
        title=N_("Period report, %(period)s").fill(period=periods.describe_text(start, end)),
        scope=describe_scope(filters),
        period=f"{start:%d/%m/%Y} – {end:%d/%m/%Y}",
        as_of=day,
        note=N_("Period not over: figures as of %(day)s").fill(day=f"{day:%d/%m/%Y}")
        if day < end
        else None,
        columns=period_columns(group),
        rows=[
            [code, name, *line(values)]
            for (code, name), (_, values) in zip(names, objects, strict=True)
        ],
        totals=[N_("Total"), "", *line(totals)],
        summary=[
            (heading, getattr(totals, key)) for key, heading, kind in period_reports.PERIOD_COLUMNS
        ],
        counts=tl.TimelinessCounts(
            completed_on_time=totals.completed_on_time,
            completed_late=totals.completed_late,
            within_deadline=totals.within_deadline,
            overdue=totals.overdue,
        ),
    )
    return _with_tasks(table, user, filters.with_(report_date=day)), objects


LEAGUE_COLUMNS = [
    Column("unit", N_("Unit")),
    Column("unit_name", N_("Unit name")),
    *COUNT_COLUMNS,
    Column("on_time_rate", N_("On-time rate"), RATE),
    Column("overdue_rate", N_("Overdue rate"), RATE),
    Column("average_days_overdue", N_("Average days overdue"), NUMBER),
    Column("extensions_granted", N_("Extensions granted"), COUNT),
]


def league_title(subtree: bool) -> str:
    return (
        N_("League table of units (with their sub-units)")
        if subtree
        else N_("League table of units")
    )


def league_rows(
    user: User, filters: TaskFilters, subtree: bool, sort: str, descending: bool
) -> tuple[list[league.LeagueRow], list[league.LeagueRow]]:
    """The league's rows in the chosen order (rolled up to every ancestor with `subtree`),
    and the units' own rows (what the totals add up)."""
    own_rows = league.unit_rows(user, filters)
    rows = league.sort_rows(league.rolled_up(own_rows) if subtree else own_rows, sort, descending)
    return rows, own_rows


def league_table(
    user: User, filters: TaskFilters, subtree: bool, sort: str, descending: bool
) -> ReportTable:
    """The league table as a report file says it: every row, the totals and a summary."""
    rows, own_rows = league_rows(user, filters, subtree, sort, descending)
    totals = league.LeagueFigures()
    for row in own_rows:
        totals.add(row)

    def line(row: league.LeagueFigures) -> list[Any]:
        return [
            *(row.counts.count(klass) for klass in tl.TIMELINESS_ORDER),
            row.counts.on_time_rate,
            row.counts.overdue_rate,
            row.average_days_overdue,
            row.extensions_granted,
        ]

    return ReportTable(
        kind="league",
        title=league_title(subtree),
        scope=describe_scope(filters),
        as_of=filters.day,
        columns=LEAGUE_COLUMNS,
        rows=[[row.unit.code, row.unit.name, *line(row)] for row in rows],
        totals=[N_("Total"), "", *line(totals)],
        summary=_counts_summary(totals.counts),
        counts=totals.counts,
    )


# The audit trail's events as a report's detail rows (XLSX sheet "Events", PDF section).
AUDIT_COLUMNS = [
    Column("seq", N_("Seq"), COUNT),
    Column("time_utc", N_("When")),
    Column("actor", N_("Actor")),
    Column("action", N_("Action")),
    Column("object_type", N_("Object")),
    Column("object_id", N_("Object id"), COUNT),
    Column("request_id", N_("Request id")),
    Column("change", N_("Change")),
]
CHANGE_CHARS = 2000  # a cell shows this much of an event's before and after


def audit_trail(filters: audit_queries.AuditFilters) -> ReportTable:
    """The audit trail's events that `filters` select, newest first, with their count."""
    total = audit_queries.count(filters)
    shown = ", ".join(f"{name} {value}" for name, value in filters.as_args().items())
    table = ReportTable(
        kind="audit",
        title=N_("Audit trail"),
        scope=shown or N_("Every event"),
        as_of=clock.today(),
        columns=[Column("measure", N_("Measure")), Column("value", N_("Events"), COUNT)],
        rows=[[N_("Events"), total]],
    )
    table.task_columns = AUDIT_COLUMNS
    table.task_rows = (
        (seq, when, actor, action, kind, object_id, request_id, _change(before, after))
        for seq, when, actor, action, kind, object_id, before, after, request_id, *_hashes in (
            audit_queries.csv_rows(filters)
        )
    )
    table.task_total = total
    table.detail = "events"
    return table


def _change(before: object, after: object) -> str:
    """An event's before and after (JSON text, or blank) as one cell."""
    text = f"{before} → {after}" if before and after else str(before or after)
    return text if len(text) <= CHANGE_CHARS else text[: CHANGE_CHARS - 1] + "…"
