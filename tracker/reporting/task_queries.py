"""Reading tasks: the one filtered, scoped, urgency-sorted task query behind every list,
board, report and export, and the grouped timeliness counts reports are made of."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (
    Row,
    ScalarSelect,
    Subquery,
    and_,
    case,
    false,
    func,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from ..domain import policy
from ..domain import timeliness as tl
from ..domain.days import parse_day
from ..domain.errors import InvalidInput
from ..domain.lifecycle import CANCELLED, COMPLETED, OPEN_STATUSES, STATUSES, SUBMITTED
from ..domain.roles import AUDITOR, READ_ALL_ROLES, SUPERVISOR
from ..domain.search_text import typed
from ..domain.text import N_
from ..extensions import db
from ..infra import clock, context
from ..models import Comment, Directive, ExtensionRequest, StatusUpdate, Task, Unit, User, scopes
from ..models._types import matching_words
from ..models.extension import PENDING
from ..models.tally import BY_DIRECTIVE, BY_UNIT
from ..models.unit import path_depth
from . import as_of, kept_counts
from .as_of import AnySelect, RecordColumns, SqlExpression
from .kept_counts import GroupCounts
from .pagination import FetchedPage

T = TypeVar("T")


@dataclass(frozen=True)
class TaskFilters:
    """What a task list, board or export is narrowed to. Codes, not ids: they go in URLs."""

    unit: str | None = None  # lead unit, exactly
    scope: str | None = None  # lead unit within this unit's subtree
    directive: str | None = None
    status: str | None = None
    timeliness: str | None = None  # a Timeliness value, or "due_soon"
    key: bool | None = None
    owner: str | None = None  # username
    unassigned: bool = False  # only the open tasks not yet given to anyone
    q: str | None = None
    report_date: date | None = None
    deadline_basis: str = "current"  # or "original": judge against the first deadline
    # How near a deadline makes an open task "due soon": the DUE_SOON_DAYS setting, carried
    # with the filters to every count and list instead of passed beside them.
    due_soon_days: int = field(default_factory=lambda: int(context.setting("DUE_SOON_DAYS")))

    @classmethod
    def from_args(cls, args: Mapping[str, str], default_date: date) -> TaskFilters:
        """Parse query-string arguments; a bad value raises InvalidInput naming the field."""
        errors: dict[str, list[str]] = {}
        status = args.get("status") or None
        if status is not None and status not in STATUSES:
            errors["status"] = [N_("use one of: %(choices)s").fill(choices=", ".join(STATUSES))]
        timeliness = args.get("timeliness") or None
        allowed_timeliness = [t.value for t in tl.Timeliness] + ["due_soon"]
        if timeliness is not None and timeliness not in allowed_timeliness:
            errors["timeliness"] = [
                N_("use one of: %(choices)s").fill(choices=", ".join(allowed_timeliness))
            ]
        key = _yes_or_no(args.get("key"))
        if args.get("key") and key is None:
            errors["key"] = [N_("use true or false")]
        unassigned = _yes_or_no(args.get("unassigned"))
        if args.get("unassigned") and unassigned is None:
            errors["unassigned"] = [N_("use true or false")]
        elif unassigned and args.get("owner"):
            errors["unassigned"] = [N_("choose an owner or the tasks given to no one, not both")]
        report_date = default_date
        as_of = args.get("as_of") or args.get("report_date")
        if as_of:
            try:
                report_date = parse_day(as_of)
            except ValueError:
                errors["as_of"] = [N_("use a date as dd/mm/yyyy")]
        basis = args.get("deadline") or "current"
        if basis not in DEADLINE_BASES:
            errors["deadline"] = [N_("use current or original")]
        if errors:
            field, messages = next(iter(errors.items()))
            raise InvalidInput(
                N_("Filter %(field)s: %(problem)s."),
                params={"field": field, "problem": messages[0]},
                field_errors=errors,
            )
        q = typed(args.get("q")) or None
        return cls(
            unit=args.get("unit") or None,
            scope=args.get("scope") or None,
            directive=args.get("directive") or None,
            status=status,
            timeliness=timeliness,
            key=key,
            owner=args.get("owner") or None,
            unassigned=bool(unassigned),
            q=q,
            report_date=report_date,
            deadline_basis=basis,
        )

    @property
    def day(self) -> date:
        """The day the figures are of: the report date, today when none was given."""
        return self.report_date if self.report_date is not None else clock.today()

    def with_(self, **changes: Any) -> TaskFilters:
        return replace(self, **changes)

    def of_anyone(self) -> TaskFilters:
        """The same selection whoever the tasks are given to (or none): the filters of a
        count that an owner does not narrow, such as a unit's cards or the board."""
        return replace(self, owner=None, unassigned=False)

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links and pagination)."""
        args: dict[str, str] = {}
        for name in ("unit", "scope", "directive", "status", "timeliness", "owner", "q"):
            value = getattr(self, name)
            if value:
                args[name] = value
        if self.key is not None:
            args["key"] = "1" if self.key else "0"
        if self.unassigned:
            args["unassigned"] = "1"
        if self.report_date is not None:
            args["as_of"] = self.report_date.isoformat()
        if self.deadline_basis != "current":
            args["deadline"] = self.deadline_basis
        return args


DEADLINE_BASES = ("current", "original")


def _yes_or_no(argument: str | None) -> bool | None:
    """A yes-or-no query-string argument: True, False, or None when absent or unreadable."""
    words = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
    return words.get((argument or "").lower())


# Filters on which every selected task has the same urgency rank: deadline order suffices.
SINGLE_RANK_CLASSES = {
    tl.Timeliness.OVERDUE.value,
    tl.Timeliness.COMPLETED_ON_TIME.value,
    tl.Timeliness.COMPLETED_LATE.value,
    "due_soon",
}


def counted_scope(user: User, filters: TaskFilters) -> TaskFilters:
    """The one scope rule of every report (overdue board, period report, league table,
    dashboard, closed periods): reports count the tasks *led* by the units in scope. With no
    unit chosen, a supervisor's scope is their own unit and the units under it; tasks their
    units only coordinate are visible in lists but are not counted."""
    root = policy.board_root(user)
    if root is not None and not filters.scope:
        return filters.with_(scope=root.code)
    return filters


def urgency_order(
    record: RecordColumns, report_date: date, filters: TaskFilters
) -> tuple[SqlExpression, ...]:
    """Overdue first (most overdue first), then due soon, then the rest by deadline.

    When `filters` select one class only (judged on the current deadline), the rank is the
    same for every row and the order is plain (deadline, id): an index can serve it."""
    if filters.timeliness in SINGLE_RANK_CLASSES and filters.deadline_basis == "current":
        return (record.deadline, Task.id)
    timeliness = record.timeliness(report_date)
    rank = case(
        (timeliness == tl.Timeliness.OVERDUE.value, 0),
        (record.due_soon(report_date, filters.due_soon_days), 1),
        (timeliness == tl.Timeliness.WITHIN_DEADLINE.value, 2),
        (timeliness.is_not(None), 3),
        else_=4,
    )
    return (rank, record.deadline, Task.id)


def urgency_classes(
    user: User, record: RecordColumns, filters: TaskFilters
) -> list[ColumnElement[bool]] | None:
    """The ranks of urgency_order as five conditions, in order (overdue, due soon, within
    deadline, completed, cancelled), each of which an index serves in (deadline, id) order:
    the first page of a long list is taken class by class and stops when full, instead of
    sorting every task. None when they are not the same as the ranks or not worth it:

    - judged by the original deadline, or a filter of one class (urgency_order is plain);
    - for today's record, a completion dated after the report date (see _class_condition);
    - a reader who does not see every task (their scope is a set of ids: sorting it is
      cheaper than walking the whole index for it), or words to search.

    For a past day every record that says completed counts as completed by then (as_of),
    and an open record is judged by its deadline alone: the four-class rule exactly."""
    report_date = filters.day
    if (
        filters.deadline_basis != "current"
        or filters.timeliness in SINGLE_RANK_CLASSES
        or filters.q
        or not (user.role in READ_ALL_ROLES or _sees_every_unit(user))
        or (not record.historical and _completed_after(report_date))
    ):
        return None
    still_open, deadline = record.still_open(), record.deadline
    last_soon_day = report_date + timedelta(days=filters.due_soon_days)
    return [
        and_(still_open, deadline < report_date),
        and_(still_open, deadline >= report_date, deadline <= last_soon_day),
        and_(still_open, deadline > last_soon_day),
        record.status == COMPLETED,
        record.status == CANCELLED,
    ]


def _first_page_by_class(
    user: User, filters: TaskFilters, record: RecordColumns, per_page: int
) -> list[int] | None:
    """The ids of the first page in urgency order, class by class (urgency_classes); None
    when the classes do not apply."""
    classes = urgency_classes(user, record, filters)
    if classes is None:
        return None
    ids: list[int] = []
    for condition in classes:
        statement = apply_filters(select(Task.id).select_from(Task), user, filters, record)
        statement = statement.where(condition).order_by(record.deadline, Task.id)
        ids += db.session.scalars(statement.limit(per_page - len(ids)))
        if len(ids) == per_page:
            break
    return ids


def apply_filters(
    statement: AnySelect,
    user: User,
    filters: TaskFilters,
    record: RecordColumns | None = None,
) -> AnySelect:
    """Narrow a statement over Task to what `user` may see and what `filters` ask for.

    Status, deadline and timeliness are read from `record` (as the record stood on the report
    date, see as_of); pass the same `record` the statement's own columns use."""
    report_date = filters.day
    if record is None:
        record = as_of.record_columns(report_date)
    statement = record.join(statement)
    # Narrowed to units whose tasks the user may all see, the scope clause (an OR over
    # subqueries that keeps the planner from using the indexes) is left out: same rows.
    within_view = user.role in READ_ALL_ROLES
    if filters.unit:
        unit = _unit_by_code(filters.unit)
        if unit is None:
            statement = statement.where(false())
        else:
            statement = statement.where(Task.lead_unit_id == unit.id)
            within_view = within_view or policy.sees_whole_subtree(user, unit.path)
    if filters.scope:
        root = _unit_by_code(filters.scope)
        if root is None:
            statement = statement.where(false())
        else:
            if not _every_unit_within(root.path):  # the whole tree narrows nothing
                subtree = select(Unit.id).where(Unit.path.startswith(root.path, autoescape=True))
                statement = statement.where(Task.lead_unit_id.in_(subtree))
            within_view = within_view or policy.sees_whole_subtree(user, root.path)
    if not within_view and not _sees_every_unit(user):
        statement = statement.where(scopes.task_scope_clause(user))
    if filters.directive:
        statement = statement.where(
            Task.directive_id
            == select(Directive.id).where(Directive.code == filters.directive).scalar_subquery()
        )
    if filters.status:
        statement = statement.where(record.status == filters.status)
    if filters.key is not None:
        statement = statement.where(Task.is_key.is_(filters.key))
    if filters.owner:
        statement = statement.where(
            Task.owner_id == select(User.id).where(User.username == filters.owner).scalar_subquery()
        )
    if filters.unassigned:  # waiting for someone: a closed task is given to no one any more
        # Spelt as the index of the tasks waiting (models.task.WAITING_SQL) for today.
        statement = statement.where(Task.owner_id.is_(None), record.still_open())
    if filters.timeliness:
        statement = statement.where(_class_condition(record, filters))
    return statement.where(*matching_words(Task.search_key, filters.q))


def _once_per_request(key: tuple[object, ...], compute: Callable[[], T]) -> T:
    """`compute()`, asked of the database once per request: a list page filters several
    statements (counts, a page, the due-soon count) by the same units and the same facts."""
    return context.once_per_request(("task_queries", *key), compute)


def _unit_by_code(code: str) -> Row[int, str] | None:
    """(id, path) of the unit with `code`, or None."""
    statement = select(Unit.id, Unit.path).where(Unit.code == code)
    return _once_per_request(("unit", code), lambda: db.session.execute(statement).one_or_none())


def _sees_every_unit(user: User) -> bool:
    """Whether every unit is in `user`'s subtree (the head of the only tree), so that every
    task is one they may see."""
    return _every_unit_within(user.unit.path)


def _every_unit_within(path: str) -> bool:
    """Whether the subtree at `path` holds every unit: its head is the head of a tree (a
    unit's path starts with its tree's head's) and no other tree has a head. Asked of the
    heads (an index on the parent), not of every unit: looking for a unit outside the
    subtree read all 30,000 units of a national tree that has none (3 ms a page)."""
    if path_depth(path) != 0 or not path:
        return False
    other_head = select(Unit.id).where(Unit.parent_id.is_(None), Unit.path != path).limit(1)
    return _once_per_request(("every unit", path), lambda: db.session.scalar(other_head) is None)


def _directive_id(code: str) -> int | None:
    statement = select(Directive.id).where(Directive.code == code)
    return _once_per_request(("directive", code), lambda: db.session.scalar(statement))


def codes_naming_nothing(
    filters: TaskFilters, fields: tuple[str, ...] = ("directive", "unit", "scope")
) -> list[tuple[str, str]]:
    """(field, code) of each directive or unit code the filters name that names nothing (a
    directive's id typed for its code, a misspelt unit): a selection of it is empty, and the
    page says why rather than showing an empty list alone."""
    found = {"directive": _directive_id, "unit": _unit_by_code, "scope": _unit_by_code}
    named = ((field, getattr(filters, field)) for field in fields)
    return [(field, code) for field, code in named if code and found[field](code) is None]


def kept_selection(
    user: User, filters: TaskFilters, grouped_by: SqlExpression | None = None
) -> kept_counts.KeptSelection | None:
    """The selection in the terms of the kept counts, when they can answer it exactly: a
    report on today or later (see stored_selection), and no completion dated after the
    report date. Else None: count the tasks."""
    if filters.day < clock.today():
        return None
    selection = stored_selection(user, filters, grouped_by)
    if selection is None or _completed_after(filters.day):
        return None
    return selection


def stored_selection(
    user: User, filters: TaskFilters, grouped_by: SqlExpression | None = None
) -> kept_counts.KeptSelection | None:
    """The selection in the terms of counts stored per unit and per directive (split by key
    flag), when such rows can answer it exactly: against current deadlines, narrowed only by
    unit or subtree, directive and key flag (a directive together with units, or a grouping
    the rows do not carry, is counted from the tasks), for a reader who sees every task
    selected. Else None: count the tasks."""
    report_date = filters.day
    if (
        filters.deadline_basis != "current"
        or filters.status
        or filters.owner
        or filters.unassigned
        or filters.q
        or not any(grouped_by is known for known in (None, Task.lead_unit_id, Task.directive_id))
    ):
        return None
    within_view = user.role in READ_ALL_ROLES
    unit = scope = None
    if filters.unit:
        unit = _unit_by_code(filters.unit)
        if unit is None:
            return None
        within_view = within_view or policy.sees_whole_subtree(user, unit.path)
    if filters.scope:
        scope = _unit_by_code(filters.scope)
        if scope is None:
            return None
        within_view = within_view or policy.sees_whole_subtree(user, scope.path)
    if not within_view and not _sees_every_unit(user):
        return None
    if scope is not None and _every_unit_within(scope.path):
        scope = None  # the whole tree: no narrowing
    directive_id = _directive_id(filters.directive) if filters.directive else None
    if filters.directive and directive_id is None:
        return None
    narrowed_by_unit = unit is not None or scope is not None
    # Each task is in one unit's rows and one directive's: a selection not grouped or
    # narrowed by unit reads the directives' rows, fewer (a national tracker has ten units to
    # a directive: 7,000 rows to read for its total instead of 60,000).
    by_directive = grouped_by is Task.directive_id or (
        grouped_by is None and (directive_id is not None or not narrowed_by_unit)
    )
    if (by_directive and narrowed_by_unit) or (grouped_by is Task.lead_unit_id and directive_id):
        return None
    if by_directive:
        return kept_counts.KeptSelection(
            BY_DIRECTIVE, report_date, filters.key, directive_id=directive_id
        )
    return kept_counts.KeptSelection(
        BY_UNIT,
        report_date,
        filters.key,
        unit_id=unit.id if unit is not None else None,
        subtree_path=scope.path if scope is not None else None,
    )


def _completed_after(report_date: date) -> bool:
    """Whether any task's completion is dated after `report_date` (see _class_condition)."""
    later = select(Task.id).where(Task.status == COMPLETED, Task.completed_on > report_date)
    return _once_per_request(
        ("completed after", report_date), lambda: db.session.scalar(later.limit(1)) is not None
    )


def _class_condition(record: RecordColumns, filters: TaskFilters) -> ColumnElement[Any]:
    """The tasks of the class `filters.timeliness` asks for (or the due-soon ones).

    For overdue and due-soon tasks of today's record it is written so that an index serves
    it: open, and past the deadline (overdue) or within `filters.due_soon_days` of it.
    That is the same set as the rule of timeliness_sql exactly when no task was completed
    after the report date, which one indexed lookup checks first (a completion is dated the
    day it happens, so there never is one; if there were, the rule itself is used)."""
    report_date, basis = filters.day, filters.deadline_basis
    if (
        filters.timeliness in (tl.Timeliness.OVERDUE.value, "due_soon")
        and not record.historical
        and not _completed_after(report_date)
    ):
        still_open, deadline = record.still_open(), record.judged_deadline(basis)
        if filters.timeliness == "due_soon":
            last_day = report_date + timedelta(days=filters.due_soon_days)
            return and_(still_open, deadline >= report_date, deadline <= last_day)
        return and_(still_open, deadline < report_date)
    if filters.timeliness == "due_soon":
        return record.due_soon(report_date, filters.due_soon_days, basis)
    return record.timeliness(report_date, basis) == filters.timeliness


def task_list_query(
    user: User, filters: TaskFilters, record: RecordColumns | None = None
) -> AnySelect:
    """Tasks `user` may see matching `filters`, most urgent first, with what lists show loaded."""
    record = record or as_of.record_columns(filters.day)
    statement = select(Task).options(
        joinedload(Task.lead_unit),
        joinedload(Task.owner),
        joinedload(Task.directive),
        selectinload(Task.coordinating_units),
    )
    statement = apply_filters(statement, user, filters, record)
    return statement.order_by(*urgency_order(record, filters.day, filters))


MAX_PER_PAGE = 200


def paginate_tasks(user: User, filters: TaskFilters, page: int, per_page: int) -> FetchedPage:
    """A page of tasks; for a past report date, as they stood then (as_of.TaskOnDay).

    The page's ids are chosen first from a narrow query (task ids only, which an index can
    serve even deep in the list), then those tasks are loaded with what lists show."""
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
    record = as_of.record_columns(filters.day)
    first_page = _first_page_by_class(user, filters, record, per_page) if page == 1 else None
    if first_page is not None:
        ids, total = first_page, count_tasks(user, filters)
    else:
        # For a past day the records in force are found once for the page and its total (a
        # count over the window): finding them is most of the cost, twice was twice it.
        counted_with_page = record.historical
        columns = (Task.id, func.count().over()) if counted_with_page else (Task.id,)
        ids_query = apply_filters(
            select(*columns).select_from(Task), user, filters, record
        ).order_by(*urgency_order(record, filters.day, filters))
        rows = db.session.execute(ids_query.limit(per_page).offset((page - 1) * per_page)).all()
        ids = [row[0] for row in rows]
        total = rows[0][1] if counted_with_page and rows else count_tasks(user, filters)
    loaded = (
        {
            task.id: task
            for task in db.session.scalars(
                select(Task)
                .options(
                    joinedload(Task.lead_unit),
                    joinedload(Task.owner),
                    joinedload(Task.directive),
                    selectinload(Task.coordinating_units),
                )
                .where(Task.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    tasks = [loaded[task_id] for task_id in ids]
    return FetchedPage(as_of.tasks_on_day(tasks, filters.day), total, page, per_page)


def _classified(user: User, filters: TaskFilters, *columns: SqlExpression) -> Subquery:
    """A subquery of (columns..., klass) over the selected tasks, cancelled ones left out.

    Grouping happens outside it: on PostgreSQL a CASE with bound parameters written again in
    GROUP BY is not recognised as the same expression."""
    record = as_of.record_columns(filters.day)
    timeliness = record.timeliness(filters.day, filters.deadline_basis)
    statement = select(*columns, timeliness.label("klass")).select_from(Task)
    # The class filter does not narrow counts: the counts are the classes themselves.
    statement = apply_filters(statement, user, filters.with_(timeliness=None), record)
    return statement.where(timeliness.is_not(None)).subquery()


def grouped_counts(user: User, filters: TaskFilters, group_column: SqlExpression) -> GroupCounts:
    """The four timeliness counts per value of `group_column`, read from the kept counts
    where they answer (see kept_selection), else counted by the database."""
    kept = kept_selection(user, filters, grouped_by=group_column)
    if kept is not None:
        return kept_counts.per_group(kept)
    return _count_per_group(_classified(user, filters, group_column.label("grp")))


def grouped_counts_by_two(
    user: User, filters: TaskFilters, first_column: SqlExpression, second_column: SqlExpression
) -> tuple[GroupCounts, GroupCounts]:
    """grouped_counts() by two columns at once: on PostgreSQL in one pass over the tasks
    (GROUPING SETS), elsewhere in two; each from the kept counts where they answer."""
    kept = [kept_selection(user, filters, grouped_by=c) for c in (first_column, second_column)]
    if kept[0] is not None and kept[1] is not None and kept[0].kind != kept[1].kind:
        return kept_counts.per_group_of_two(kept[0], kept[1])
    if any(kept) or db.session.get_bind().dialect.name != "postgresql":
        return (
            grouped_counts(user, filters, first_column),
            grouped_counts(user, filters, second_column),
        )
    inner = _classified(user, filters, first_column.label("first"), second_column.label("second"))
    statement = select(
        inner.c.first, inner.c.second, inner.c.klass, func.count(), func.grouping(inner.c.first)
    ).group_by(
        func.grouping_sets(
            tuple_(inner.c.first, inner.c.klass), tuple_(inner.c.second, inner.c.klass)
        )
    )
    raw: tuple[dict[Any, dict[str, int]], dict[Any, dict[str, int]]] = ({}, {})
    for first, second, klass, count, first_rolled_up in db.session.execute(statement):
        side, group = (raw[1], second) if first_rolled_up else (raw[0], first)
        side.setdefault(group, {})[klass] = count
    first_counts, second_counts = (
        {group: tl.TimelinessCounts.from_mapping(counts) for group, counts in side.items()}
        for side in raw
    )
    return first_counts, second_counts


def _count_per_group(inner: Subquery) -> GroupCounts:
    """Count a subquery of (grp, klass) rows into the four classes per group."""
    statement = select(inner.c.grp, inner.c.klass, func.count()).group_by(
        inner.c.grp, inner.c.klass
    )
    raw: dict[object, dict[str, int]] = {}
    for group, klass, count in db.session.execute(statement):
        raw.setdefault(group, {})[klass] = count
    return {group: tl.TimelinessCounts.from_mapping(counts) for group, counts in raw.items()}


def total_counts(user: User, filters: TaskFilters) -> tl.TimelinessCounts:
    """The four timeliness counts over everything `filters` select."""
    kept = kept_selection(user, filters)
    if kept is not None:
        return kept_counts.total(kept)
    inner = _classified(user, filters)
    statement = select(inner.c.klass, func.count()).group_by(inner.c.klass)
    return tl.TimelinessCounts.from_mapping(dict(db.session.execute(statement).all()))


def whole_tracker_reader() -> User:
    """A reader who sees every task (not stored): for the tracker's own figures, such as
    /metrics and the stored figures of past periods."""
    return User(username="", name="", role=AUDITOR, active=True)


def tracker_wide_counts(report_date: date) -> tl.TimelinessCounts:
    """Every task's class on `report_date`, as a reader of the whole tracker counts them
    (the service's own measurements, /metrics)."""
    return total_counts(whole_tracker_reader(), TaskFilters(report_date=report_date))


def _kept_class_count(user: User, filters: TaskFilters) -> int | None:
    """How many tasks of the class `filters.timeliness` asks for (one of the four, or due
    soon; with none, every task), read from the kept counts where they answer the rest of
    the selection; else None."""
    kept = kept_selection(user, filters.with_(timeliness=None))
    if kept is None:
        return None
    if filters.timeliness is None:
        return kept_counts.tasks(kept)
    if filters.timeliness == "due_soon":
        return kept_counts.due_soon(kept, filters.due_soon_days)
    return kept_counts.total(kept).count(tl.Timeliness(filters.timeliness))


def count_tasks(user: User, filters: TaskFilters) -> int:
    """How many tasks `user` may see match `filters`. Today: from the kept counts where they
    answer. For a past day with no condition on the record (status, class), the tasks
    recorded by the day's end: the same tasks as those with an entry in force then, without
    finding the entries (as_of.recorded_by). (Given to no one asks whether the record is
    open, a condition on it.)"""
    kept = _kept_class_count(user, filters)
    if kept is not None:
        return kept
    statement = select(func.count(Task.id)).select_from(Task)
    record = as_of.record_columns(filters.day)
    conditions_on_record = filters.status or filters.timeliness or filters.unassigned
    if record.historical and record.moment and not conditions_on_record:
        statement = apply_filters(statement, user, filters, as_of.CURRENT)
        return db.session.scalar(statement.where(as_of.recorded_by(record.moment))) or 0
    return db.session.scalar(apply_filters(statement, user, filters, record)) or 0


def due_soon_count(user: User, filters: TaskFilters) -> int:
    return count_tasks(user, filters.with_(timeliness="due_soon"))


def _submitted_at() -> ScalarSelect[Any]:
    return (
        select(func.max(StatusUpdate.created_at))
        .where(StatusUpdate.task_id == Task.id, StatusUpdate.new_status == SUBMITTED)
        .correlate(Task)
        .scalar_subquery()
    )


def _verify_scope(user: User) -> ColumnElement[bool]:
    """The tasks `user` may verify (scopes.verify_scope_clause), for the supervisor's queues:
    a supervisor at the head of the tree may verify every task, so no units are listed
    (SQLite walked every task of the tree's 1,000 units by lead unit instead of the few
    submitted ones: 250 ms at 100,000 tasks)."""
    if user.role == SUPERVISOR and _sees_every_unit(user):
        return true()
    return scopes.verify_scope_clause(user)


def paginate_awaiting_verification(
    user: User, page: int, per_page: int
) -> tuple[Pagination, dict[int, datetime]]:
    """Submitted tasks `user` may verify, oldest submission first; and when each was
    submitted, for the tasks on the page: (pagination, {task id: moment})."""
    statement = (
        select(Task)
        .options(joinedload(Task.lead_unit), joinedload(Task.owner), joinedload(Task.directive))
        .where(Task.status == SUBMITTED, _verify_scope(user))
        .order_by(_submitted_at(), Task.id)
    )
    pagination = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    ids = [task.id for task in pagination.items]
    moments = (
        dict(
            db.session.execute(
                select(StatusUpdate.task_id, func.max(StatusUpdate.created_at))
                .where(StatusUpdate.task_id.in_(ids), StatusUpdate.new_status == SUBMITTED)
                .group_by(StatusUpdate.task_id)
            ).all()
        )
        if ids
        else {}
    )
    return pagination, moments


def pending_extensions(user: User, limit: int = 200) -> list[tuple[ExtensionRequest, Task]]:
    """Extension requests awaiting a decision `user` may take, oldest first."""
    statement = (
        select(ExtensionRequest)
        .join(Task, Task.id == ExtensionRequest.task_id)
        .options(joinedload(ExtensionRequest.requested_by))
        .where(ExtensionRequest.status == PENDING, _verify_scope(user))
        .where(Task.status.in_(OPEN_STATUSES))
        .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
        .limit(limit)
    )
    requests = list(db.session.scalars(statement))
    tasks = (
        {
            t.id: t
            for t in db.session.scalars(
                select(Task)
                .options(joinedload(Task.lead_unit))
                .where(Task.id.in_([r.task_id for r in requests]))
            )
        }
        if requests
        else {}
    )
    return [(request, tasks[request.task_id]) for request in requests]


def open_obstacles(user: User, limit: int = 200) -> list[tuple[Comment, Task]]:
    """Difficulties reported on tasks `user` supervises, still unanswered, oldest first:
    [(comment, task)]."""
    statement = (
        select(Comment, Task)
        .join(Task, Task.id == Comment.task_id)
        .options(joinedload(Comment.author), joinedload(Task.lead_unit))
        .where(Comment.is_open_obstacle)
        .where(_verify_scope(user))
        .order_by(Comment.created_at, Comment.id)
        .limit(limit)
    )
    return [(comment, task) for comment, task in db.session.execute(statement)]


def public_task_clause(directive_id: int) -> ColumnElement[bool]:
    """The tasks of a public directive that may be shown to anyone: normal confidentiality
    only, so confidential and secret tasks are in no list and no count."""
    return (Task.directive_id == directive_id) & (Task.confidentiality == "normal")


def public_counts(directive_id: int, group_column: SqlExpression, report_date: date) -> GroupCounts:
    """Four-class counts of a public directive's public tasks, per `group_column`."""
    timeliness = as_of.CURRENT.timeliness(report_date)
    inner = (
        select(group_column.label("grp"), timeliness.label("klass"))
        .select_from(Task)
        .where(public_task_clause(directive_id), timeliness.is_not(None))
        .subquery()
    )
    return _count_per_group(inner)


def public_completed(directive_id: int, limit: int = 200) -> list[Task]:
    """Completed public tasks with their evidence, latest first."""
    return list(
        db.session.scalars(
            select(Task)
            .options(joinedload(Task.lead_unit), selectinload(Task.evidence))
            .where(public_task_clause(directive_id), Task.status == COMPLETED)
            .order_by(Task.completed_on.desc(), Task.id)
            .limit(limit)
        )
    )


def timeline_page(user: User, directive: Directive, page: int, per_page: int) -> Pagination:
    """One page of a directive's tasks that `user` may see, in the timeline's order: by
    target (tasks without one last), then deadline and code."""
    return db.paginate(
        select(Task)
        .options(joinedload(Task.target), joinedload(Task.lead_unit))
        .where(Task.directive_id == directive.id, scopes.task_scope_clause(user))
        .order_by(Task.target_id.is_(None), Task.target_id, Task.deadline, Task.code),
        page=page,
        per_page=per_page,
        error_out=False,
    )
