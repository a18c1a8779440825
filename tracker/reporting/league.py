"""League table: units ranked by how they carry out their tasks on a report date.

Per lead unit the four timeliness counts, the on-time and overdue rates (over the tasks that
have come due), the average days overdue of the overdue tasks and the extensions granted by
the report date. `rolled_up` gives each unit a row adding up its own tasks and those of every
unit below it. The database does the counting per unit; the roll-up to ancestors adds those
per-unit sums along the materialised paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, case, cast, func, literal, select

from ..domain import timeliness as tl
from ..extensions import db
from ..models import ExtensionRequest, Task, User
from ..models.extension import APPROVED
from ..models.unit import path_ids
from ..org import lookups
from . import as_of, kept_counts, task_queries
from .as_of import SqlExpression
from .task_queries import TaskFilters, apply_filters


@dataclass(kw_only=True)
class LeagueFigures:
    """The league's figures of some tasks: a unit's, or the total row's."""

    counts: tl.TimelinessCounts = field(default_factory=tl.TimelinessCounts)
    days_overdue_total: int = 0
    extensions_granted: int = 0

    @property
    def average_days_overdue(self) -> float | None:
        return None if not self.counts.overdue else self.days_overdue_total / self.counts.overdue

    def add(self, other: LeagueFigures) -> None:
        self.counts = self.counts + other.counts
        self.days_overdue_total += other.days_overdue_total
        self.extensions_granted += other.extensions_granted


@dataclass(kw_only=True)
class LeagueRow(LeagueFigures):
    """A unit's line of the league table (the unit as a plain label: a national table has
    thousands)."""

    unit: lookups.UnitLabel


# Sort keys a reader may choose: name → (value of a row, larger-is-worse?).
SORT_KEYS = {
    "unit": lambda row: row.unit.path,
    "on_time_rate": lambda row: _none_last(row.counts.on_time_rate),
    "overdue_rate": lambda row: _none_last(row.counts.overdue_rate),
    "overdue": lambda row: row.counts.overdue,
    "average_days_overdue": lambda row: _none_last(row.average_days_overdue),
    "extensions_granted": lambda row: row.extensions_granted,
    "completed_on_time": lambda row: row.counts.completed_on_time,
}
DEFAULT_SORT = "overdue_rate"


def _none_last(value: float | None) -> float:
    return -1.0 if value is None else value


@dataclass
class _UnitTally:
    """A unit's figures while they are counted: tasks per class, days overdue, extensions."""

    counts: dict[str, int] = field(default_factory=dict)
    late_days: int = 0
    extensions: int = 0


def days_between(later: date, column: SqlExpression) -> SqlExpression:
    """Whole days from `column` (a date) to `later`, in the database's own date arithmetic."""
    if db.engine.dialect.name == "sqlite":
        return func.julianday(later.isoformat()) - func.julianday(column)
    return cast(literal(later), Date) - column


def unit_rows(user: User, filters: TaskFilters) -> list[LeagueRow]:
    """One row per lead unit that has tasks `user` may see, its own tasks only; from the
    kept counts where they answer (task_queries.kept_selection), else counted."""
    kept = task_queries.kept_selection(user, filters, grouped_by=Task.lead_unit_id)
    if kept is not None:
        return _kept_unit_rows(user, filters, kept)
    report_date = filters.day
    record = as_of.record_columns(report_date)
    klass = record.timeliness(report_date, filters.deadline_basis)
    overdue = klass == tl.Timeliness.OVERDUE.value
    inner = apply_filters(
        select(
            Task.id.label("task_id"),
            Task.lead_unit_id.label("unit_id"),
            klass.label("klass"),
            case(
                (
                    overdue,
                    days_between(report_date, record.judged_deadline(filters.deadline_basis)),
                ),
                else_=0,
            ).label("late_days"),
        ).select_from(Task),
        user,
        filters.with_(timeliness=None),
        record,
    ).subquery()
    per_unit: dict[int, _UnitTally] = {}
    counting = (
        select(inner.c.unit_id, inner.c.klass, func.count(), func.sum(inner.c.late_days))
        .where(inner.c.klass.is_not(None))
        .group_by(inner.c.unit_id, inner.c.klass)
    )
    for unit_id, klass_value, count, late_days in db.session.execute(counting):
        entry = per_unit.setdefault(unit_id, _UnitTally())
        entry.counts[klass_value] = count
        entry.late_days += int(late_days or 0)
    granted = (
        select(inner.c.unit_id, func.count())
        .join(ExtensionRequest, ExtensionRequest.task_id == inner.c.task_id)
        .where(
            ExtensionRequest.status == APPROVED,
            ExtensionRequest.decided_at < as_of.day_end(report_date),
        )
        .group_by(inner.c.unit_id)
    )
    for unit_id, count in db.session.execute(granted):
        per_unit.setdefault(unit_id, _UnitTally()).extensions = count
    units = lookups.unit_labels(per_unit.keys())
    return [
        LeagueRow(
            unit=units[unit_id],
            counts=tl.TimelinessCounts.from_mapping(entry.counts),
            days_overdue_total=round(entry.late_days),
            extensions_granted=entry.extensions,
        )
        for unit_id, entry in per_unit.items()
    ]


def _kept_unit_rows(
    user: User, filters: TaskFilters, kept: kept_counts.KeptSelection
) -> list[LeagueRow]:
    figures = kept_counts.per_group_with_overdue_days(kept, days_between)
    granted = apply_filters(
        select(Task.lead_unit_id, func.count())
        .select_from(ExtensionRequest)
        .join(Task, Task.id == ExtensionRequest.task_id)
        .where(
            ExtensionRequest.status == APPROVED,
            ExtensionRequest.decided_at < as_of.day_end(filters.day),
        ),
        user,
        filters.with_(timeliness=None),
    ).group_by(Task.lead_unit_id)
    extensions: dict[int, int] = dict(db.session.execute(granted).all())
    unit_ids = figures.keys() | extensions.keys()
    units = lookups.unit_labels(unit_ids)
    rows = []
    for unit_id in unit_ids:
        # A unit may have only extensions, of cancelled tasks: no counts.
        counts, late_days = figures.get(unit_id, (tl.TimelinessCounts(), 0))
        rows.append(
            LeagueRow(
                unit=units[unit_id],
                counts=counts,
                days_overdue_total=late_days,
                extensions_granted=extensions.get(unit_id, 0),
            )
        )
    return rows


def rolled_up(own: list[LeagueRow]) -> list[LeagueRow]:
    """Each unit's row plus the rows of every unit below it (ancestors get rows too)."""
    ancestor_ids = {unit_id for row in own for unit_id in path_ids(row.unit.path)}
    units = lookups.unit_labels(ancestor_ids)
    totals = {unit_id: LeagueRow(unit=units[unit_id]) for unit_id in ancestor_ids}
    for row in own:
        for unit_id in path_ids(row.unit.path):
            totals[unit_id].add(row)
    return list(totals.values())


def sort_rows(rows: list[LeagueRow], key: str, descending: bool) -> list[LeagueRow]:
    """Rows by the chosen key (ties by unit), best or worst first."""
    by_unit = sorted(rows, key=SORT_KEYS["unit"])
    return sorted(by_unit, key=SORT_KEYS.get(key, SORT_KEYS[DEFAULT_SORT]), reverse=descending)
