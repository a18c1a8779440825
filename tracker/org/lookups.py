"""Read-only lookups the views need (records by id, choices for forms), so that routes never
touch the session themselves."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, TypeVar

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, bindparam, func, inspect, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..domain.errors import NotFound
from ..domain.roles import OFFICER, READ_ALL_ROLES, UNIT_LEADER
from ..domain.text import N_, NP_, Text
from ..domain.vietnamese_order import by_name
from ..extensions import db
from ..infra.id_lists import among
from ..models import (
    Comment,
    Directive,
    Evidence,
    ExtensionRequest,
    PeriodClosing,
    RecurringTask,
    StatusUpdate,
    Target,
    Task,
    Unit,
    UrgingNotice,
    User,
    scopes,
)
from ..models._types import matching_words
from ..models.unit import path_depth, path_ids

Model = TypeVar("Model")


def get_or_404(
    model: type[Model], record_id: int, what: str = "record", options: Sequence[Any] = ()
) -> Model:
    """The record with `record_id`, loaded with `options` (relations read in the same
    statement), or NotFound naming `what`."""
    record = db.session.get(model, record_id, options=options)
    if record is None:
        raise no_such(what)
    return record


# What a 404 names, translated with it: "Không có văn bản chỉ đạo này.", not "Không có
# directive này." (the name went into the sentence in English).
RECORD_NAMES: dict[str, Text] = {
    "record": NP_("record", "record"),
    "closed period": NP_("record", "closed period"),
    "comment": NP_("record", "comment"),
    "delegation": NP_("record", "delegation"),
    "directive": NP_("record", "directive"),
    "evidence": NP_("record", "evidence"),
    "export": NP_("record", "report file"),
    "extension request": NP_("record", "extension request"),
    "feed": NP_("record", "calendar address"),
    "import": NP_("record", "import"),
    "notification": NP_("record", "notification"),
    "target": NP_("record", "target"),
    "task": NP_("record", "task"),
    "unit": NP_("record", "unit"),
    "user": NP_("record", "user"),
}


def no_such(what: str) -> NotFound:
    """The refusal of a record that is not there (404), naming what was asked for (one of
    RECORD_NAMES) in the reader's language."""
    return NotFound(N_("There is no such %(what)s."), params={"what": RECORD_NAMES.get(what, what)})


# A task's lists that its page and an update of it read. Most tasks have none of most of
# them: whether each holds anything is read in the task's own statement (an EXISTS on an
# index each), and an empty one is known empty instead of read by a statement of its own.
# (The coordinating units were joined to the task's statement for a while: SQLite planned
# that as the join of every unit with every coordination, 11 ms at 100,000 tasks.)
TASK_LISTS = (
    "children",
    "coordinating_units",
    "evidence",
    "comments",
    "urging_notices",
    "extension_requests",
)


def _what_a_task_shows() -> Select[Any]:
    """A task with what every task page shows of it (lead unit, directive, target, owner)
    and whether each of its TASK_LISTS holds anything."""
    shown = [joinedload(Task.lead_unit), joinedload(Task.directive)]
    shown += [joinedload(Task.target), joinedload(Task.owner)]
    holds = [getattr(Task, name).any().label(name) for name in TASK_LISTS]
    return select(Task, *holds).options(*shown)


@functools.cache
def _task_shown() -> Select[Any]:
    """The statement of `task_or_404`, built once (its EXISTS, built per request, cost more
    than the database takes to answer them)."""
    return _what_a_task_shows().where(Task.id == bindparam("shown_task_id"))


@functools.cache
def _tasks_shown() -> Select[Any]:
    """The statement of `tasks_shown`: the same, for a list of ids."""
    return _what_a_task_shows().where(Task.id.in_(bindparam("shown_task_ids", expanding=True)))


def _with_its_lists(row: Any) -> Task:
    """The task of a row of `_what_a_task_shows`, its empty lists known empty."""
    task: Task = row[0]
    for name, holds_any in zip(TASK_LISTS, row[1:], strict=True):
        if not holds_any:
            set_committed_value(task, name, [])
        elif name not in inspect(task).unloaded:
            # Read earlier in this session: read again, as the database holds it now.
            db.session.expire(task, [name])
    return task


def task_or_404(task_id: int) -> Task:
    """The task with what every task page shows of it (lead unit, directive, target, owner)
    and which of its TASK_LISTS hold anything, read in one statement; or NotFound."""
    row = db.session.execute(_task_shown(), {"shown_task_id": task_id}).first()
    if row is None:
        raise no_such("task")
    return _with_its_lists(row)


def tasks_shown(task_ids: Sequence[int]) -> dict[int, Task]:
    """Each task of `task_ids` that exists, by id, as `task_or_404` reads it: one statement
    for them all (a batch of progress reports); an id with no task is left out."""
    rows = db.session.execute(_tasks_shown(), {"shown_task_ids": list(task_ids)})
    return {task.id: task for task in map(_with_its_lists, rows)}


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def every_unit_choice() -> list[tuple[int, str, str, int]]:
    """(id, code, name, depth) of every unit in tree order, for the admin forms' choosers:
    plain rows, not objects (30,000 units at 3 million tasks)."""
    rows = db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.path).order_by(Unit.path))
    return [(id_, code, name, path_depth(path)) for id_, code, name, path in rows]


def unit_count() -> int:
    return db.session.scalar(select(func.count(Unit.id))) or 0


def unit_choices_found(
    query: str | None, limit: int, chosen: Iterable[int] = ()
) -> tuple[list[tuple[int, str, str, int]], int, bool]:
    """(id, code, name, depth) rows in tree order for a unit chooser that offers what was
    searched, not every unit: the `chosen` units, and the first `limit` units whose code
    and name hold every word of `query` (with or without diacritics) — or the first
    `limit` of the tree when nothing was typed. With them, how many were found (at most
    `limit`) and whether more matched."""
    columns = (Unit.id, Unit.code, Unit.name, Unit.path)
    found = list(
        db.session.execute(
            select(*columns)
            .where(*matching_words(Unit.search_key, query))
            .order_by(Unit.path)
            .limit(limit + 1)
        )
    )
    more = len(found) > limit
    rows = found[:limit]
    count = len(rows)
    missing = sorted(set(chosen) - {row.id for row in rows})
    if missing:
        rows += db.session.execute(select(*columns).where(among(Unit.id, missing))).all()
        rows.sort(key=lambda row: row.path)
    units = [(id_, code, name, path_depth(path)) for id_, code, name, path in rows]
    return units, count, more


def visible_units(user: User, query: str | None, page: int, per_page: int) -> tuple[list[Any], int]:
    """A page of (code, name, parent_code) of the units `user` sees, in tree order — those
    whose code and name hold every word of `query` (diacritics optional) when one is given —
    and how many there are: plain rows, the parent's code joined. A national tree has
    30,000 units at 3 million tasks: all of them in one answer were 2.1 MB and 321 ms."""
    parent = aliased(Unit)
    seen = (scopes.unit_scope_clause(user), *matching_words(Unit.search_key, query))
    rows = db.session.execute(
        select(Unit.code, Unit.name, parent.code.label("parent_code"))
        .outerjoin(parent, parent.id == Unit.parent_id)
        .where(*seen)
        .order_by(Unit.path)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    total = db.session.scalar(select(func.count()).select_from(Unit).where(*seen))
    return list(rows), total or 0


def unit_choices(user: User, chosen: str | None = None) -> list[tuple[str, str, int]]:
    """(code, name, depth) of the units a unit chooser offers `user`, in tree order: their
    top units and the units right under them, the `chosen` unit's line up to the top and the
    units right under it. Not every unit: a national tree has 30,000 at 3 million tasks;
    choosing a unit (and applying) opens the level below it. Plain rows, not objects."""
    # The top units' ids read first, so that both conditions below are index lookups (with
    # a subquery in each, PostgreSQL scanned all 30,000 units).
    if user.role in READ_ALL_ROLES:
        tops = list(db.session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))))
    else:
        tops = [user.unit_id]
    offered = or_(Unit.id.in_(tops), Unit.parent_id.in_(tops))
    chosen_path = (
        db.session.scalar(select(Unit.path).where(Unit.code == chosen)) if chosen else None
    )
    if chosen_path:
        line = path_ids(chosen_path)
        offered = or_(offered, Unit.id.in_(line), Unit.parent_id == line[-1])
    rows = db.session.execute(
        select(Unit.code, Unit.name, Unit.path)
        .where(scopes.unit_scope_clause(user), offered)
        .order_by(Unit.path)
    )
    return [(code, name, path_depth(path)) for code, name, path in rows]


class UnitLabel(NamedTuple):
    """What a report row shows of a unit, and its place in the tree (rows sort by it)."""

    id: int
    code: str
    name: str
    path: str


class DirectiveLabel(NamedTuple):
    """What a report row shows of a directive."""

    id: int
    code: str
    title: str


# The columns each label is read from, id and code first (reporting.group_rows ranks by them).
UNIT_LABEL_COLUMNS = (Unit.id, Unit.code, Unit.name, Unit.path)
DIRECTIVE_LABEL_COLUMNS = (Directive.id, Directive.code, Directive.title)

Label = TypeVar("Label", UnitLabel, DirectiveLabel)


# From this many ids on, `labels` reads every row's label columns and keeps the wanted ones:
# for a national table (the league's 30,000 units at 3 million tasks) one pass over the
# table took 55-70 ms where an index probe per id took 90-220 ms.
WHOLE_TABLE_FROM = 10_000


def labels(
    columns: tuple[Any, ...], label: type[Label], ids: Iterable[int | None]
) -> dict[int, Label]:
    """{id: its label}, read from `columns` (the id first) of the records with those ids:
    plain rows for tables of thousands of units or directives."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    if len(wanted) >= WHOLE_TABLE_FROM:
        kept = set(wanted)
        rows = db.session.execute(select(*columns))
        return {row[0]: label(*row) for row in rows if row[0] in kept}
    rows = db.session.execute(select(*columns).where(among(columns[0], wanted)))
    return {row[0]: label(*row) for row in rows}


def unit_labels(ids: Iterable[int | None]) -> dict[int, UnitLabel]:
    """{id: its code and name}: plain rows for tables of thousands of units."""
    return labels(UNIT_LABEL_COLUMNS, UnitLabel, ids)


def units_by_id(ids: Iterable[int | None]) -> dict[int, Unit]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {u.id: u for u in db.session.scalars(select(Unit).where(among(Unit.id, wanted)))}


def directive_labels() -> list[tuple[int, str]]:
    """(id, "code — title") of every directive by code, for the admin forms' choosers:
    plain rows, not records (3,000 directives at 3 million tasks)."""
    rows = db.session.execute(
        select(Directive.id, Directive.code, Directive.title).order_by(Directive.code)
    )
    return [(id_, f"{code} — {title}") for id_, code, title in rows]


def public_directives() -> list[Directive]:
    """The directives marked public, by code (the public pages list only those)."""
    return list(
        db.session.scalars(
            select(Directive).where(Directive.visibility == "public").order_by(Directive.code)
        )
    )


def directive_choices(user: User, chosen: str | None = None) -> list[Any]:
    """The directives' codes, in order, for the directive filter of lists and reports: rows
    with `code`, not records. A unit leader or officer is offered the directives of the tasks
    they see (and the one `chosen`), not a national tracker's thousands; everyone else every
    directive."""
    statement = select(Directive.code)
    if user.role in (UNIT_LEADER, OFFICER):
        theirs = Directive.id.in_(select(Task.directive_id).where(scopes.task_scope_clause(user)))
        statement = statement.where(or_(theirs, Directive.code == chosen) if chosen else theirs)
    return list(db.session.execute(statement.order_by(Directive.code)))


def directives_by_id(ids: Iterable[int]) -> dict[int, Directive]:
    wanted = list(ids)
    if not wanted:
        return {}
    return {d.id: d for d in db.session.scalars(select(Directive).where(Directive.id.in_(wanted)))}


def directive_page(page: int, per_page: int) -> Pagination:
    return db.paginate(
        select(Directive).order_by(Directive.issued_on.desc(), Directive.code),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def targets_of(directive_id: int | None) -> list[Any]:
    """(id, code, title) of the directive's targets, by code: what a task of it may serve."""
    return list(
        db.session.execute(
            select(Target.id, Target.code, Target.title)
            .where(Target.directive_id == directive_id)
            .order_by(Target.code)
        )
    )


def user_page(page: int, per_page: int, statement: Select[tuple[User]] | None = None) -> Pagination:
    """A page of users (of `statement` over User, by default all), by username."""
    statement = select(User).order_by(User.username) if statement is None else statement
    return db.paginate(
        statement.options(selectinload(User.unit)),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def unit_page(page: int, per_page: int) -> Pagination:
    return db.paginate(
        select(Unit).order_by(Unit.path), page=page, per_page=per_page, error_out=False
    )


def tasks_of(directive_id: int | None, leaving_out: int | None = None) -> list[Any]:
    """(id, code, title) of the directive's tasks but `leaving_out`, by code: the tasks a
    task of it may be placed under (a national tracker's other directives hold hundreds of
    thousands more)."""
    return list(
        db.session.execute(
            select(Task.id, Task.code, Task.title)
            .where(Task.directive_id == directive_id, Task.id != (leaving_out or 0))
            .order_by(Task.code)
        )
    )


def people_of(unit_id: int | None) -> list[Any]:
    """(id, name, username) of the unit's active people, in Vietnamese alphabetical order of
    their names: whom a task it leads is usually given to."""
    people = db.session.execute(
        select(User.id, User.name, User.username).where(User.unit_id == unit_id, User.active)
    )
    return sorted(people, key=by_name)


# A task page shows this many history entries at a time, newest first: a task reported on
# every working day has hundreds, and the page grew with them (385 entries: 53 ms).
HISTORY_PER_PAGE = 50


def task_history_statement(task_id: int, page: int) -> Select[tuple[StatusUpdate, int]]:
    """Page `page` of a task's history entries, newest written first, each with its actor and
    with how many entries the task has. Both are read through the history's index by task and
    id (ix_status_update_task_id): the page stops after its entries, and the count reads the
    index alone. A count over the page's own rows (a window) read every entry of the task
    first, and PostgreSQL walked the whole history backwards for a task with thousands of
    them: 408 ms for 12,167 entries among 3 million."""
    return (
        select(StatusUpdate, _history_count(task_id).scalar_subquery())
        .options(joinedload(StatusUpdate.actor))
        .where(StatusUpdate.task_id == task_id)
        .order_by(StatusUpdate.id.desc())
        .offset((page - 1) * HISTORY_PER_PAGE)
        .limit(HISTORY_PER_PAGE)
    )


def _history_count(task_id: int) -> Select[int]:
    """How many history entries the task has (read off the history's index by task)."""
    return select(func.count()).select_from(StatusUpdate).where(StatusUpdate.task_id == task_id)


def task_history(task: Task, page: int = 1) -> tuple[list[StatusUpdate], int, int]:
    """Page `page` of the task's history entries, newest first, HISTORY_PER_PAGE to a page,
    each with its actor and with how many entries there are (both in the same statement:
    task_history_statement) and its evidence — handed out from the task's own evidence,
    which the task page shows anyway, instead of read a second time. Returns (entries,
    entries in all, the page shown: the last one for a page past the end)."""

    def fetch(number: int) -> list[Any]:
        return list(db.session.execute(task_history_statement(task.id, number)))

    rows = fetch(page)
    if not rows and page > 1:  # past the end: the last page
        in_all = db.session.scalar(_history_count(task.id))
        page = max(math.ceil((in_all or 0) / HISTORY_PER_PAGE), 1)
        rows = fetch(page)
    entries = [entry for entry, _ in rows]
    by_entry: dict[int, list[Evidence]] = {}
    for evidence in task.evidence:  # in id order, as each entry's evidence is
        if evidence.status_update_id is not None:
            by_entry.setdefault(evidence.status_update_id, []).append(evidence)
    for entry in entries:
        set_committed_value(entry, "evidence", by_entry.get(entry.id, []))
    return entries, int(rows[0][1]) if rows else 0, page


COMMENTS_PER_PAGE = 50


class Discussion(NamedTuple):
    """A page of a task's discussion and what a reader must not miss beyond it."""

    messages: list[Comment]  # in written order
    in_all: int
    page: int  # counted from the first message
    open_elsewhere: list[Comment]  # difficulties still unanswered, on other pages


def task_discussion(task: Task, page: int | None) -> Discussion:
    """Page `page` of the task's messages in written order, COMMENTS_PER_PAGE to a page,
    each with its author and answerer; None, or a page past the end: the last (newest).
    A task discussed for years holds thousands of messages (1,000 made its page 83 ms and
    250 KB). Difficulties not yet answered on other pages come with it: whoever must answer
    them arrives from the verification queue at the newest page."""
    in_all = comments_count(task)
    last = max(math.ceil(in_all / COMMENTS_PER_PAGE), 1)
    page = last if page is None else min(page, last)
    messages = comments_page(task, page, COMMENTS_PER_PAGE) if in_all else []
    open_elsewhere: list[Comment] = []
    if in_all > len(messages):
        open_elsewhere = list(
            db.session.scalars(
                select(Comment)
                .options(*_COMMENT_PEOPLE)
                .where(
                    Comment.task_id == task.id,
                    Comment.is_open_obstacle,
                    Comment.id.not_in([message.id for message in messages]),
                )
                .order_by(Comment.id)
            )
        )
    return Discussion(messages, in_all, page, open_elsewhere)


_COMMENT_PEOPLE = (joinedload(Comment.author), joinedload(Comment.answered_by))


# A task's lists the API pages, each in the order the task page shows it.
TaskItem = TypeVar("TaskItem", Evidence, ExtensionRequest, UrgingNotice)
_TASK_ITEM_ORDER: dict[type, Any] = {
    Evidence: Evidence.id,
    ExtensionRequest: ExtensionRequest.id.desc(),
    UrgingNotice: UrgingNotice.id,
}


def task_items_page(
    task: Task, model: type[TaskItem], page: int, per_page: int
) -> tuple[list[TaskItem], int]:
    """Page `page` of the task's evidence, extension requests or urging notices (empty past
    the end), and how many it holds."""
    of_task = model.task_id == task.id
    items = db.session.scalars(
        select(model)
        .where(of_task)
        .order_by(_TASK_ITEM_ORDER[model])
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    total = db.session.scalar(select(func.count()).select_from(model).where(of_task))
    return list(items), total or 0


def comments_count(task: Task) -> int:
    """How many messages the task's discussion holds (none read when known empty)."""
    if "comments" not in inspect(task).unloaded and not task.comments:
        return 0
    statement = select(func.count()).select_from(Comment).where(Comment.task_id == task.id)
    return db.session.scalar(statement) or 0


def comments_page(task: Task, page: int, per_page: int) -> list[Comment]:
    """Page `page` of the task's messages in written order, each with its author and
    answerer (empty past the end)."""
    return list(
        db.session.scalars(
            select(Comment)
            .options(*_COMMENT_PEOPLE)
            .where(Comment.task_id == task.id)
            .order_by(Comment.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )


def refresh(record: object) -> None:
    """Drop what this request changed and read `record` again (after a refused write)."""
    db.session.rollback()
    db.session.refresh(record)


def refresh_all() -> None:
    """Drop what this request changed (after a refused write)."""
    db.session.rollback()


CodedRecord = TypeVar("CodedRecord", Directive, Target, Task, Unit)


def by_code(model: type[CodedRecord], code: str, **where: object) -> CodedRecord | None:
    """The record of `model` with this code (and the other column values given), or None."""
    statement = select(model).where(model.code == code)
    for column, value in where.items():
        statement = statement.where(getattr(model, column) == value)
    return db.session.scalar(statement)


def user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def people_by_id(user_ids: Sequence[int]) -> dict[int, User]:
    """Each person of `user_ids` that exists, by id, in one statement (the owners chosen on
    a page of several tasks)."""
    if not user_ids:
        return {}
    found = db.session.scalars(select(User).where(User.id.in_(set(user_ids))))
    return {person.id: person for person in found}


def directive_by_code(code: str) -> Directive | None:
    return db.session.scalar(select(Directive).where(Directive.code == code))


def closing_by_id(closing_id: int) -> PeriodClosing | None:
    return db.session.get(PeriodClosing, closing_id)


def task_by_id(task_id: int) -> Task | None:
    return db.session.get(Task, task_id)


def recurring_page(page: int, per_page: int) -> Pagination:
    """A page of the recurring task templates, in the order they were made. A national
    programme's monthly report for every unit is a template per unit: thousands."""
    return db.paginate(
        select(RecurringTask)
        .options(selectinload(RecurringTask.directive), selectinload(RecurringTask.lead_unit))
        .order_by(RecurringTask.id),
        page=page,
        per_page=per_page,
        error_out=False,
    )
