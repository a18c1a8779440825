"""Period reports: what happened to the tasks in a month, quarter, half-year, nine months,
year or any date range, counted by the database per lead unit or directive.

For a period [start, end] and the record as it stood at the end of its figures' day (see
as_of): the period's last day when it is over, else today, so that a period not over is
reported as of today and a task due later in it is still within deadline:

- assigned: tasks first recorded within the period (cancelled ones included);
- due: tasks not cancelled whose deadline falls within the period, up to the figures' day;
- completed on time / late: tasks completed within the period, judged against the deadline;
- within deadline / overdue: open tasks at the period's end, as the four-class rule says;
- of the tasks due: how many were completed on time, late, or are still open (overdue) at
  the end; the rates are over the tasks due, and None when nothing fell due.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..domain import periods
from ..domain import timeliness as tl
from ..domain.lifecycle import COMPLETED
from ..domain.text import N_
from ..extensions import db
from ..models import PastPeriodFigures, Task, User
from ..models.day_end import ALL
from ..models.tally import BY_DIRECTIVE, BY_UNIT
from . import as_of, kept_counts, task_queries
from .as_of import AnySelect, SqlExpression
from .day_ends import as_date
from .task_queries import TaskFilters, apply_filters


@dataclass(frozen=True)
class PeriodFigures:
    assigned: int = 0
    due: int = 0
    completed_on_time: int = 0
    completed_late: int = 0
    within_deadline: int = 0
    overdue: int = 0
    due_completed_on_time: int = 0
    due_completed_late: int = 0
    due_overdue: int = 0

    @classmethod
    def sum_of(cls, many: Iterable[PeriodFigures]) -> PeriodFigures:
        """The figures of several groups together (in one pass: a national report adds up
        30,000 units)."""
        rows = map(attrgetter(*(f.name for f in fields(cls))), many)
        return cls(*(sum(column) for column in zip(*rows, strict=True)))

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.due_completed_on_time, self.due)

    @property
    def completion_rate(self) -> float | None:
        return _ratio(self.due_completed_on_time + self.due_completed_late, self.due)

    @property
    def overdue_rate(self) -> float | None:
        return _ratio(self.due_overdue, self.due)


# Column name, heading, kind ("count" or "rate"): what a period report shows, in order. The
# first four count what happened within the period, the next two where open tasks stood at its
# end: the headings say which, since the open tasks include those assigned before the period.
PERIOD_COLUMNS = (
    ("assigned", N_("Assigned in period"), "count"),
    ("due", N_("Due in period"), "count"),
    ("completed_on_time", N_("Completed on time in period"), "count"),
    ("completed_late", N_("Completed late in period"), "count"),
    ("within_deadline", N_("Not completed, within deadline at end"), "count"),
    ("overdue", N_("Not completed, overdue at end"), "count"),
    ("on_time_rate", N_("On-time rate (of due)"), "rate"),
    ("completion_rate", N_("Completion rate (of due)"), "rate"),
    ("overdue_rate", N_("Overdue rate (of due)"), "rate"),
)


# A PeriodFigures' values in the order of PERIOD_COLUMNS, as a tuple.
period_values = attrgetter(*(name for name, _, _ in PERIOD_COLUMNS))


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def figures_day(end: date, today: date) -> date:
    """The day a period's figures are taken on: its last day, or today while it runs."""
    return min(end, today)


def period_figures(
    user: User,
    filters: TaskFilters,
    start: date,
    end: date,
    group_column: SqlExpression,
    today: date,
) -> dict[Any, PeriodFigures]:
    """The figures of the period per value of `group_column`, for the tasks `user` may see:
    a period that is over from its stored figures where they answer (stored_figures), one
    still running with its open tasks from the kept counts where they answer
    (running_figures), else counted from the history."""
    if end < today:
        stored = stored_figures(user, filters, start, end, group_column)
        if stored is not None:
            return stored
    else:
        running = running_figures(user, filters, start, group_column, today)
        if running is not None:
            return running
    counted = counted_figures(user, filters, start, end, (group_column,), today)
    return {groups[0]: figures for groups, figures in counted.items()}


def _tallies(record: as_of.RecordColumns, basis: str, start: date, end: date) -> dict[str, Any]:
    """Each figure of PeriodFigures as an SQL sum over the tasks' records on `end`."""
    klass = record.timeliness(end, basis)
    deadline = record.judged_deadline(basis)
    due = and_(klass.is_not(None), deadline >= start, deadline <= end)
    completed_within = and_(
        record.status == COMPLETED, record.completed_on >= start, record.completed_on <= end
    )

    def tally(condition: ColumnElement[bool]) -> SqlExpression:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return {
        "assigned": tally(_first_recorded_within(start, end)),
        "due": tally(due),
        "completed_on_time": tally(and_(completed_within, record.completed_on <= deadline)),
        "completed_late": tally(and_(completed_within, record.completed_on > deadline)),
        "within_deadline": tally(klass == tl.Timeliness.WITHIN_DEADLINE.value),
        "overdue": tally(klass == tl.Timeliness.OVERDUE.value),
        "due_completed_on_time": tally(and_(due, klass == tl.Timeliness.COMPLETED_ON_TIME.value)),
        "due_completed_late": tally(and_(due, klass == tl.Timeliness.COMPLETED_LATE.value)),
        "due_overdue": tally(and_(due, klass == tl.Timeliness.OVERDUE.value)),
    }


def _first_recorded_within(start: date, end: date) -> ColumnElement[bool]:
    return and_(
        Task.created_at >= as_of.day_end(start - timedelta(days=1)),
        Task.created_at < as_of.day_end(end),
    )


def counted_figures(
    user: User,
    filters: TaskFilters,
    start: date,
    end: date,
    group_columns: tuple[SqlExpression, ...],
    today: date,
) -> dict[tuple[Any, ...], PeriodFigures]:
    """The figures of the period per value of `group_columns`, counted from the tasks and
    their history, for the tasks `user` may see."""
    end = figures_day(end, today)
    record = as_of.record_columns(end)
    columns = _tallies(record, filters.deadline_basis, start, end).values()
    groups = len(group_columns)
    statement: AnySelect = select(*group_columns, *columns).select_from(Task)
    statement = apply_filters(
        statement, user, filters.with_(timeliness=None, report_date=end), record
    )
    statement = statement.group_by(*group_columns)
    return {
        tuple(row[:groups]): PeriodFigures(*(int(value) for value in row[groups:]))
        for row in db.session.execute(statement)
    }


# The figures of a running period that are about its open tasks at its end (today): today's
# two open classes, which the kept counts hold.
OPEN_AT_END = ("within_deadline", "overdue")
# The figures counted for a running period (the others), in PeriodFigures' order, and where
# the two open classes stand among its fields.
_COUNTED = [f.name for f in fields(PeriodFigures) if f.name not in OPEN_AT_END]
_OPEN_AT = [f.name for f in fields(PeriodFigures)].index(OPEN_AT_END[0])


def running_figures(
    user: User, filters: TaskFilters, start: date, group_column: SqlExpression, today: date
) -> dict[Any, PeriodFigures] | None:
    """The figures of [start, today] (a period still running, taken today) per value of
    `group_column`, or None when the kept counts cannot answer the selection
    (task_queries.kept_selection): the open tasks' two classes from the kept counts, and the
    other figures counted over only the tasks they can concern — first recorded, due or
    completed within the period — instead of every task. Every group holding a task is
    listed, as when counting."""
    filters = filters.with_(timeliness=None, report_date=today)
    kept = task_queries.kept_selection(user, filters, grouped_by=group_column)
    if kept is None:
        return None
    open_counts = kept_counts.per_group(kept, with_cancelled_only=True)
    record = as_of.record_columns(today)
    tallies = _tallies(record, filters.deadline_basis, start, today)
    deadline = record.judged_deadline(filters.deadline_basis)
    concerned = or_(
        _first_recorded_within(start, today),
        and_(deadline >= start, deadline <= today),
        and_(record.completed_on >= start, record.completed_on <= today),
    )
    statement: AnySelect = select(group_column, *(tallies[name] for name in _COUNTED))
    statement = apply_filters(statement.select_from(Task), user, filters, record)
    statement = statement.where(concerned).group_by(group_column)
    counted = {group: values for group, *values in db.session.execute(statement)}
    nothing = [0] * len(_COUNTED)
    return {
        group: _with_open_at_end(counted.get(group, nothing), counts)
        for group, counts in open_counts.items()
    }


def _with_open_at_end(counted: list[int], open_counts: tl.TimelinessCounts) -> PeriodFigures:
    """A group's figures from the counted ones (in PeriodFigures' order, without the open
    classes) and its open tasks' two classes: by position, since a national report builds
    30,000 of them."""
    open_at_end = [getattr(open_counts, name) for name in OPEN_AT_END]
    return PeriodFigures(*counted[:_OPEN_AT], *open_at_end, *counted[_OPEN_AT:])


# --- the stored figures of periods that are over (models/past_period.py) -------------------

# The standard periods stored by the nightly run: every part of the year a period report is
# chosen by (domain.periods.PERIOD_PARTS), of this year and this many years before it.
STORED_YEARS_BACK = 2


def stored_figures(
    user: User, filters: TaskFilters, start: date, end: date, group_column: SqlExpression
) -> dict[Any, PeriodFigures] | None:
    """The stored figures of [start, end] per value of `group_column` (a lead unit or a
    directive), narrowed as `filters` ask, or None when they cannot answer: the period is
    not stored, or the selection is one the rows cannot narrow to (stored_selection)."""
    selection = task_queries.stored_selection(user, filters, grouped_by=group_column)
    if selection is None:
        return None
    period = (PastPeriodFigures.period_start == start) & (PastPeriodFigures.period_end == end)
    marked = select(PastPeriodFigures.kind).where(period, PastPeriodFigures.kind == ALL)
    if db.session.scalar(marked.limit(1)) is None:
        return None
    figures = [func.sum(getattr(PastPeriodFigures, f.name)) for f in fields(PeriodFigures)]
    statement = (
        select(PastPeriodFigures.group_id, *figures)
        .where(period, selection.condition(PastPeriodFigures))
        .group_by(PastPeriodFigures.group_id)
    )
    return {
        row[0]: PeriodFigures(*(int(value) for value in row[1:]))
        for row in db.session.execute(statement)
    }


def standard_periods(today: date, years_back: int = STORED_YEARS_BACK) -> list[tuple[date, date]]:
    """The standard periods over by `today` (their last day before it), of this year and
    `years_back` years before it."""
    found = []
    for year in range(today.year - years_back, today.year + 1):
        for part, _ in periods.PERIOD_PARTS:
            start, end = periods.parse_period(periods.chosen_period(str(year), part))
            if end < today:
                found.append((start, end))
    return sorted(set(found))


def periods_not_stored(candidates: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Those of `candidates` ((start, end) pairs) whose figures are not stored."""
    marked = select(PastPeriodFigures.period_start, PastPeriodFigures.period_end).where(
        PastPeriodFigures.kind == ALL
    )
    done = {(as_date(start), as_date(end)) for start, end in db.session.execute(marked)}
    return [period for period in candidates if period not in done]


def store(start: date, end: date, today: date) -> int:
    """Count and store the figures of [start, end] (over by `today`) for every task, per lead
    unit and per directive, split by key flag; returns the rows written. On PostgreSQL the
    table is locked first, so that a change deleting stored periods waits for this to commit
    and then deletes what it may have changed (SQLite has one writer at a time)."""
    if not end < today:
        raise ValueError("only a period that is over is stored")
    table = PastPeriodFigures.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("LOCK TABLE past_period_figures IN SHARE ROW EXCLUSIVE MODE"))
    db.session.execute(
        delete(table).where(table.c.period_start == start, table.c.period_end == end)
    )
    everything = task_queries.whole_tracker_reader()
    period = {"period_start": start, "period_end": end}
    rows: list[dict[str, Any]] = []
    unit_figures: list[PeriodFigures] = []
    for kind, column in ((BY_UNIT, Task.lead_unit_id), (BY_DIRECTIVE, Task.directive_id)):
        counted = counted_figures(
            everything, TaskFilters(report_date=end), start, end, (column, Task.is_key), today
        )
        for (group_id, is_key), figures in counted.items():
            rows.append(
                {**period, "kind": kind, "group_id": group_id, "is_key": bool(is_key)}
                | asdict(figures)
            )
            if kind == BY_UNIT:
                unit_figures.append(figures)
    total = PeriodFigures.sum_of(unit_figures)
    rows.append({**period, "kind": ALL, "group_id": 0, "is_key": False} | asdict(total))
    db.session.execute(insert(table), rows)
    return len(rows)
