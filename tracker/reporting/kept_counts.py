"""Today's timeliness counts read from the kept counts (models/tally.py) instead of counted
from the tasks: a few thousand summary rows for the whole country.

task_queries decides when a selection may be read here (today or later, current deadlines,
no filter the kept rows do not carry, a reader who sees every task selected) and falls back
to counting the tasks otherwise; tests/reporting/test_kept_counts.py proves both give the
same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..domain import timeliness as tl
from ..extensions import db
from ..models import OverdueAtDayEnd, PastPeriodFigures, TaskTally, Unit
from .as_of import AnySelect, SqlExpression

# The four counts per value of a grouping column (a unit's or directive's id; None for
# tasks without a value, such as no target).
GroupCounts = dict[Any, tl.TimelinessCounts]


@dataclass(frozen=True)
class KeptSelection:
    """The tasks a report counts, in the terms of the kept rows."""

    kind: str  # BY_UNIT (narrowed by unit) or BY_DIRECTIVE (by directive)
    report_date: date
    is_key: bool | None = None
    unit_id: int | None = None  # lead unit exactly (BY_UNIT)
    subtree_path: str | None = None  # lead unit within this subtree (BY_UNIT)
    directive_id: int | None = None  # (BY_DIRECTIVE)

    @property
    def everything(self) -> bool:
        """Whether the selection is every task (no unit, subtree, directive or key flag)."""
        return (self.is_key, self.unit_id, self.subtree_path, self.directive_id) == (None,) * 4

    def narrow(self, statement: AnySelect) -> AnySelect:
        """`statement` over TaskTally narrowed to the selection's rows."""
        return statement.where(self.condition())

    def condition(
        self, table: type[TaskTally | OverdueAtDayEnd | PastPeriodFigures] = TaskTally
    ) -> ColumnElement[bool]:
        """The selection's rows of `table` (TaskTally, or another table of counts keyed by
        kind, group_id and is_key), as one SQL condition."""
        conditions: list[ColumnElement[bool]] = [table.kind == self.kind]
        if self.is_key is not None:
            conditions.append(table.is_key.is_(self.is_key))
        if self.unit_id is not None:
            conditions.append(table.group_id == self.unit_id)
        if self.subtree_path is not None:
            path = self.subtree_path
            subtree = select(Unit.id).where(Unit.path.startswith(path, autoescape=True))
            conditions.append(table.group_id.in_(subtree))
        if self.directive_id is not None:
            conditions.append(table.group_id == self.directive_id)
        return and_(*conditions)


def _sums() -> tuple[SqlExpression, ...]:
    return (
        func.coalesce(func.sum(TaskTally.completed_on_time), 0),
        func.coalesce(func.sum(TaskTally.completed_late), 0),
        func.coalesce(func.sum(TaskTally.not_completed), 0),
        func.coalesce(func.sum(TaskTally.due), 0),
    )


def _counts(on_time: int, late: int, not_completed: int, overdue: int) -> tl.TimelinessCounts:
    return tl.TimelinessCounts(
        completed_on_time=int(on_time),
        completed_late=int(late),
        within_deadline=int(not_completed) - int(overdue),
        overdue=int(overdue),
    )


def total(selection: KeptSelection) -> tl.TimelinessCounts:
    """The four counts over the selection on its report date: the summary rows and the
    deadline rows of days before it (whose not-completed tasks are overdue)."""
    statement = selection.narrow(select(*_sums())).where(TaskTally.day < selection.report_date)
    return _counts(*db.session.execute(statement).one())


def per_group(selection: KeptSelection, with_cancelled_only: bool = False) -> GroupCounts:
    """The four counts per unit (BY_UNIT) or per directive (BY_DIRECTIVE); groups with no
    task counted are left out, as when counting the tasks — or, `with_cancelled_only`, kept
    (with four zeros) when they hold cancelled tasks only, as a report listing every group
    with a task does."""
    cancelled = func.coalesce(func.sum(TaskTally.cancelled), 0)
    statement = (
        selection.narrow(select(TaskTally.group_id, cancelled, *_sums()))
        .where(TaskTally.day < selection.report_date)
        .group_by(TaskTally.group_id)
    )
    return {
        group: counts
        for group, cancelled_tasks, *sums in db.session.execute(statement)
        if (counts := _counts(*sums)).total or (with_cancelled_only and cancelled_tasks)
    }


def per_group_of_two(
    first: KeptSelection, second: KeptSelection
) -> tuple[GroupCounts, GroupCounts]:
    """per_group() of two selections of the same day (per unit and per directive, for the
    board) in one statement."""
    statement = (
        select(TaskTally.kind, TaskTally.group_id, *_sums())
        .where(or_(first.condition(), second.condition()))
        .where(TaskTally.day < first.report_date)
        .group_by(TaskTally.kind, TaskTally.group_id)
    )
    sides: tuple[GroupCounts, GroupCounts] = ({}, {})
    for kind, group, *sums in db.session.execute(statement):
        counts = _counts(*sums)
        if counts.total:
            sides[0 if kind == first.kind else 1][group] = counts
    return sides


def per_group_with_overdue_days(
    selection: KeptSelection, days_between: Callable[[date, SqlExpression], SqlExpression]
) -> dict[int, tuple[tl.TimelinessCounts, int]]:
    """per_group(), with each group's days past the deadline summed over its overdue tasks,
    in one statement: each deadline row's tasks are overdue by the days from their deadline,
    and a summary row keeps its folded tasks' deadlines as a total (models/tally.py).
    `days_between(later, column)` is the database's date arithmetic (league.days_between)."""
    late_days = func.sum(
        TaskTally.due * days_between(selection.report_date, TaskTally.day) - TaskTally.due_day_total
    )
    statement = (
        selection.narrow(select(TaskTally.group_id, *_sums(), late_days))
        .where(TaskTally.day < selection.report_date)
        .group_by(TaskTally.group_id)
    )
    figures = {
        group: (_counts(*sums), round(days or 0))
        for group, *sums, days in db.session.execute(statement)
    }
    return {group: pair for group, pair in figures.items() if pair[0].total}


def tasks(selection: KeptSelection) -> int:
    """How many tasks the selection holds, cancelled ones included (a list's number)."""
    counted = (
        TaskTally.completed_on_time
        + TaskTally.completed_late
        + TaskTally.not_completed
        + TaskTally.cancelled
    )
    statement = selection.narrow(select(func.coalesce(func.sum(counted), 0))).where(
        TaskTally.day < selection.report_date
    )
    return int(db.session.scalar(statement) or 0)


def due_soon(selection: KeptSelection, due_soon_days: int) -> int:
    """Not-completed tasks due from the report date to `due_soon_days` days after it."""
    last_day = selection.report_date + timedelta(days=due_soon_days)
    statement = selection.narrow(select(func.coalesce(func.sum(TaskTally.due), 0))).where(
        TaskTally.day >= selection.report_date, TaskTally.day <= last_day
    )
    return int(db.session.scalar(statement) or 0)


@dataclass(frozen=True)
class RankedGroups:
    """One slice of a selection's groups in rank order, with what every group adds up to."""

    rows: list[tuple[Any, tl.TimelinessCounts]]  # (the group's label row, its counts)
    groups: int  # groups with a task counted, in all
    totals: tl.TimelinessCounts  # over all of them


def ranked(
    selection: KeptSelection,
    label_columns: tuple[Any, ...],
    worst_first: bool,
    offset: int,
    limit: int,
) -> RankedGroups:
    """per_group() sorted, cut and labelled by the database: the groups with a task counted,
    by code (`label_columns` are the group's id, joined to the kept rows' group_id, its code,
    then what else the row shows) or, `worst_first`, by overdue tasks (most first) then code;
    from `offset`, at most `limit` of them, each with its label row; with the number of
    groups and their totals over every group (in the same statement). A page of a national
    table then reads one statement and builds `limit` rows, not 30,000. Codes sort by code
    point, as Python sorts them (group_rows ranks counted groups that way)."""
    on_time, late, not_completed, overdue = (
        func.sum(TaskTally.completed_on_time),
        func.sum(TaskTally.completed_late),
        func.sum(TaskTally.not_completed),
        func.sum(TaskTally.due),
    )
    sums = (
        selection.narrow(
            select(
                TaskTally.group_id,
                on_time.label("on_time"),
                late.label("late"),
                not_completed.label("not_completed"),
                overdue.label("overdue"),
            )
        )
        .where(TaskTally.day < selection.report_date)
        .group_by(TaskTally.group_id)
        .having(on_time + late + not_completed > 0)
        .cte("sums")
    )
    figures = (sums.c.on_time, sums.c.late, sums.c.not_completed, sums.c.overdue)
    every_group = select(
        func.count().label("groups"),
        *(func.sum(figure).label(f"all_{figure.name}") for figure in figures),
    ).subquery()
    group_id, code = label_columns[:2]
    on_postgresql = db.session.get_bind().dialect.name == "postgresql"
    if worst_first and on_postgresql:
        # The page's few groups (see below) are labelled one by one through the primary
        # key; joined, PostgreSQL read and hashed every group's row to label fifty of them
        # (30,000 units: 12 of a national board's 56 ms). LIMIT 1 keeps the lateral
        # subquery from being merged back into a join. SQLite has no LATERAL, and needs
        # none: it joins by looking each group up by its key.
        labels = (
            select(*label_columns).where(group_id == sums.c.group_id).limit(1).lateral("labels")
        )
        labelled: list[Any] = list(labels.c)
        statement = (
            select(*labelled, *figures, *every_group.c).select_from(sums).join(labels, true())
        )
        group_id, code = labelled[:2]
    else:
        statement = select(*label_columns, *figures, *every_group.c).join_from(
            sums, group_id.class_, group_id == sums.c.group_id
        )
    if on_postgresql:
        code = code.collate("C")  # SQLite compares text by code point already
    statement = (
        statement.join(every_group, true())
        .order_by(*([sums.c.overdue.desc()] if worst_first else []), code, group_id)
        .offset(offset)
        .limit(limit)
    )
    if worst_first:
        # Only the groups that can be on the page are labelled and sorted by code: those with
        # at least as many overdue tasks as the page's last group has (a national board
        # labels fifty units, not 30,000); all of them when there are fewer groups.
        last_on_page = (
            select(sums.c.overdue)
            .order_by(sums.c.overdue.desc())
            .offset(offset + limit - 1)
            .limit(1)
            .scalar_subquery()
        )
        statement = statement.where(sums.c.overdue >= func.coalesce(last_on_page, sums.c.overdue))
    width = len(label_columns)
    rows, groups, totals = [], 0, _counts(0, 0, 0, 0)
    for row in db.session.execute(statement):
        rows.append((row[:width], _counts(*row[width : width + 4])))
        groups, totals = row[width + 4], _counts(*row[width + 5 :])
    return RankedGroups(rows, int(groups), totals)
