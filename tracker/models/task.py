"""Task (or milestone), its coordinating units, and its append-only StatusUpdate history."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Update,
    bindparam,
    event,
    func,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, Session, UOWTransaction, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from ..domain import history_notes
from ..domain import timeliness as tl
from ..domain.lifecycle import COMPLETED, CONFIDENTIALITY, OPEN_STATUSES, STATUSES, TASK_KINDS
from ..domain.search_text import search_key
from ..domain.text import Text as ShownText
from ..extensions import Model, db
from ._types import aware, one_line, prose, search_key_index, sql_in, utcnow
from .comment import Comment
from .directive import Directive, Target
from .evidence import Evidence
from .extension import APPROVED, PENDING, ExtensionRequest
from .unit import Unit
from .urging import UrgingNotice
from .user import User

# Tasks not yet completed or cancelled, as SQL (for the partial index and the queries
# that use it).
OPEN_STATUS_SQL = f"status IN {sql_in(OPEN_STATUSES)}"
# Open tasks given to no one yet, waiting for their unit's leader to give them: the partial
# index of them (the filter spells the same two terms, task_queries.apply_filters).
WAITING_SQL = f"owner_id IS NULL AND {OPEN_STATUS_SQL}"
# The same for a history entry's status after it.
OPEN_ENTRY_SQL = f"new_status IN {sql_in(OPEN_STATUSES)}"


task_coordinating_units = Table(
    "task_coordinating_unit",
    db.metadata,
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Task(Model):
    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("directive_id", "code"),
        CheckConstraint("percent_done BETWEEN 0 AND 100", name="percent_range"),
        CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status_allowed"),
        CheckConstraint(f"kind IN {sql_in(TASK_KINDS)}", name="kind_allowed"),
        CheckConstraint("deadline >= start_date", name="deadline_after_start"),
        CheckConstraint(
            f"(status = '{COMPLETED}' AND completed_on IS NOT NULL) "
            f"OR (status <> '{COMPLETED}' AND completed_on IS NULL)",
            name="completed_on_iff_completed",
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("weight BETWEEN 1 AND 1000", name="weight_range"),
        CheckConstraint(
            f"confidentiality IN {sql_in(CONFIDENTIALITY)}", name="confidentiality_allowed"
        ),
        Index("ix_task_lead_unit_deadline", "lead_unit_id", "deadline"),
        # A task's subtasks, a template's occurrences and a person's tasks: almost every task
        # has neither of the first two, and SQLite's planner takes a full index of NULLs for
        # useless (migration 0038); it read the tasks given to no one through the owners'
        # index instead of the index of the tasks waiting (migration 0050).
        *(
            Index(
                f"ix_task_{column}",
                column,
                postgresql_where=text(f"{column} IS NOT NULL"),
                sqlite_where=text(f"{column} IS NOT NULL"),
            )
            for column in ("parent_id", "recurring_id", "owner_id")
        ),
        Index("ix_task_status_deadline", "status", "deadline"),
        # Open tasks in deadline order: the overdue list and its deep pages walk this index
        # (the query spells OPEN_STATUS_SQL exactly, so SQLite sees the index applies).
        Index(
            "ix_task_open_deadline",
            "deadline",
            "id",
            postgresql_where=text(OPEN_STATUS_SQL),
            sqlite_where=text(OPEN_STATUS_SQL),
        ),
        Index("ix_task_completed_on", "completed_on"),
        # The open tasks waiting to be given, by unit: what a unit's tab counts and lists, and
        # the whole tree's count read from the index alone (migration 0050). It leads with
        # the owner (no one) so that SQLite, which prefers an index its query narrows, sees
        # that this one serves `owner_id IS NULL`.
        Index(
            "ix_task_waiting",
            "owner_id",
            "lead_unit_id",
            "deadline",
            "id",
            postgresql_where=text(WAITING_SQL),
            sqlite_where=text(WAITING_SQL),
        ),
        search_key_index("task"),
    )

    _prose = prose("description", "source_clause")
    id: Mapped[int] = mapped_column(primary_key=True)
    _lines = one_line("code", "title")
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(500))
    # Code and title folded for search (domain.search_text), kept up to date on every flush.
    search_key: Mapped[str] = mapped_column(String(600), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # The clause of the source document the task comes from, e.g. "Section III.2".
    source_clause: Mapped[str] = mapped_column(String(120), default="")
    # active_history on the columns the kept counts depend on (models/tally.py): a change
    # made after the row was expired still knows the value it replaces.
    directive_id: Mapped[int] = mapped_column(
        ForeignKey("directive.id", ondelete="RESTRICT"), index=True, active_history=True
    )
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("target.id", ondelete="SET NULL"), index=True
    )
    # Indexed where set (__table_args__).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="RESTRICT"))
    # The recurring template this task is an occurrence of, if any (indexed where set).
    recurring_id: Mapped[int | None] = mapped_column(
        ForeignKey("recurring_task.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(20), default="task")
    lead_unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), active_history=True
    )
    # Indexed where set (__table_args__); the tasks without one, where open, by ix_task_waiting.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    start_date: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date, active_history=True)
    original_deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="not_started", active_history=True)
    percent_done: Mapped[int] = mapped_column(SmallInteger, default=0)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)
    # normal, confidential or secret: only normal tasks of public directives are ever public.
    confidentiality: Mapped[str] = mapped_column(String(20), default="normal")
    # Share of this task in its parent's percent done (children count equally by default).
    weight: Mapped[int] = mapped_column(SmallInteger, default=1)
    # When a supervisor verified completion (UTC), and that day in TRACKER_TIMEZONE: timeliness
    # compares calendar days, and a stored day keeps the SQL expression portable.
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_on: Mapped[date | None] = mapped_column(Date, active_history=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # When the task was first recorded: never after its first history entry (kept so by
    # _keep_first_recorded below), so that "new in a period" reads the task row, not the
    # history.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    directive: Mapped[Directive] = relationship()
    target: Mapped[Target | None] = relationship()
    parent: Mapped[Task | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Task]] = relationship(back_populates="parent", order_by="Task.code")
    lead_unit: Mapped[Unit] = relationship()
    owner: Mapped[User | None] = relationship()
    coordinating_units: Mapped[list[Unit]] = relationship(
        secondary=task_coordinating_units, order_by="Unit.code"
    )
    updates: Mapped[list[StatusUpdate]] = relationship(
        back_populates="task", order_by="StatusUpdate.id.desc()"
    )
    evidence: Mapped[list[Evidence]] = relationship(order_by="Evidence.id")
    comments: Mapped[list[Comment]] = relationship(order_by="Comment.id")
    urging_notices: Mapped[list[UrgingNotice]] = relationship(order_by="UrgingNotice.id")
    extension_requests: Mapped[list[ExtensionRequest]] = relationship(
        order_by="ExtensionRequest.id.desc()"
    )

    # Every flush that changes the row bumps `version` and checks the old one in its WHERE
    # clause, so two writers racing on the same version cannot both win.
    __mapper_args__ = {"version_id_col": version}

    def judged_deadline(self, basis: str = "current") -> date:
        return self.original_deadline if basis == "original" else self.deadline

    def timeliness(self, report_date: date, basis: str = "current") -> tl.Timeliness | None:
        """Timeliness on `report_date`, against the current or the original deadline."""
        return tl.classify(self.status, self.judged_deadline(basis), self.completed_on, report_date)

    def is_due_soon(self, report_date: date, due_soon_days: int) -> bool:
        return tl.is_due_soon(
            self.status, self.deadline, self.completed_on, report_date, due_soon_days
        )

    def days_overdue(self, report_date: date, basis: str = "current") -> int:
        if self.timeliness(report_date, basis) is not tl.Timeliness.OVERDUE:
            return 0
        return tl.days_overdue(self.judged_deadline(basis), report_date)

    @property
    def times_extended(self) -> int:
        return sum(1 for request in self.extension_requests if request.status == APPROVED)

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        return next((r for r in self.extension_requests if r.status == PENDING), None)

    @property
    def extended(self) -> bool:
        return self.deadline != self.original_deadline

    def __repr__(self) -> str:
        return f"<Task {self.code}>"


@event.listens_for(Task, "before_insert")
@event.listens_for(Task, "before_update")
def _keep_task_search_key(mapper: Mapper[Task], connection: Connection, task: Task) -> None:
    task.search_key = search_key(task.code, task.title)


class StatusUpdate(Model):
    """One progress report or status change; rows are only ever added."""

    __tablename__ = "status_update"
    __table_args__ = (
        Index("ix_status_update_task_created", "task_id", "created_at"),
        # A task's entries still in force after a moment (superseded_at null or later): what
        # each new entry supersedes (_supersede_by_one_entry) is found in it, instead of by
        # reading every entry of the task's history.
        Index("ix_status_update_task_superseded", "task_id", "superseded_at"),
        # A task's entries in the order they were written: the task page's history, newest
        # first, a page at a time (lookups.task_history_statement), and its last submission.
        Index("ix_status_update_task_id", "task_id", "id"),
        # Open entries in deadline order, with the moments that say when each was in force:
        # the first page of a past day's list walks it, most overdue first, and stops.
        Index(
            "ix_status_update_open_deadline",
            "deadline",
            "task_id",
            postgresql_include=["created_at", "superseded_at"],
            postgresql_where=text(OPEN_ENTRY_SQL),
            sqlite_where=text(OPEN_ENTRY_SQL),
        ),
        CheckConstraint("new_percent BETWEEN 0 AND 100", name="percent_range"),
        CheckConstraint(f"new_status IN {sql_in(STATUSES)}", name="status_allowed"),
    )

    _prose = prose("note")
    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed with created_at (ix_status_update_task_created): a task's history, and its
    # entry in force on a past day, are one index range.
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The leader the actor acted for as deputy (models.user.Delegation), if so.
    on_behalf_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The earliest moment of any later entry of the same task (None for the newest): the
    # entry is the record in force from created_at until then, so a past day's record is
    # found by one condition on each row (reporting.as_of) instead of the task's last entry
    # searched for among all of them. Kept by `mark_superseded` at every flush that adds or
    # re-dates entries.
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str] = mapped_column(String(20))
    old_percent: Mapped[int | None] = mapped_column(SmallInteger)
    new_percent: Mapped[int] = mapped_column(SmallInteger)
    # The deadline in force after this entry. With new_status and new_percent it makes each
    # entry a full record of the task's state, so reports can be rebuilt as of any past day.
    # Filled from the task at flush time when the writer does not give it.
    deadline: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    # What the system says of this entry, as a code and values (domain.history_notes).
    note_code: Mapped[str | None] = mapped_column(String(40))
    note_values: Mapped[dict[str, object] | None] = mapped_column(JSON)

    task: Mapped[Task] = relationship(back_populates="updates")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="status_update", order_by="Evidence.id"
    )

    @property
    def system_note(self) -> ShownText | None:
        """What the system says of this entry (a Text, translated where shown), or None."""
        return history_notes.words(self.note_code, self.note_values)


def history_note(
    task: Task,
    actor: User | None,
    code: str,
    values: Mapping[str, object] | None = None,
    note: str = "",
) -> StatusUpdate:
    """A history entry that changes neither status nor percent (an extension step, an
    urging notice, a deadline moved by an administrator); added to the session. `code` and
    `values` say what happened (domain.history_notes); `note` is what a person wrote."""
    entry = StatusUpdate(
        task=task,
        actor=actor,
        old_status=task.status,
        new_status=task.status,
        old_percent=task.percent_done,
        new_percent=task.percent_done,
        note=note,
        note_code=code,
        note_values=dict(values) if values is not None else None,
    )
    db.session.add(entry)
    return entry


@event.listens_for(Session, "before_flush")
def _stamp_entry_deadline(
    session: Session, flush_context: UOWTransaction, instances: object
) -> None:
    """Give every new history entry the deadline its task has at this moment, and the
    leader its actor acted for as deputy (User.principal_for)."""
    for entry in session.new:
        if not isinstance(entry, StatusUpdate):
            continue
        task = entry.task or session.get(Task, entry.task_id)
        if task is None:  # refused by the database (task_id is not null)
            continue
        if entry.deadline is None:
            entry.deadline = task.deadline
        if entry.actor is not None and entry.on_behalf_of_id is None:
            principal = entry.actor.principal_for(task.lead_unit_id)
            if principal is not None:
                entry.on_behalf_of_id = principal.id


@event.listens_for(Session, "before_flush")
def _keep_first_recorded(
    session: Session, flush_context: UOWTransaction, instances: object
) -> None:
    """A history entry dated before its task's created_at (history written with a past
    date: the demo, a test) moves created_at back to it: a task is first recorded at its
    first entry. Entries dated by default are written after their task, never before."""
    for entry in (*session.new, *session.dirty):
        if not isinstance(entry, StatusUpdate):
            continue
        task = entry.task or session.get(Task, entry.task_id)
        if entry.created_at is None and task is not None and task in session.new:
            # A new task's first entry: the same moment, to the microsecond.
            task.created_at = task.created_at or utcnow()
            entry.created_at = task.created_at
        if entry.created_at is None:
            continue
        if task is None or task.created_at is None:
            continue
        if aware(entry.created_at) < aware(task.created_at):
            _move_created_at(session, task, entry.created_at)


def mark_superseded(connection: Connection, task_ids: Iterable[int] | None = None) -> None:
    """Give each history entry of `task_ids` (every task when None) the earliest moment of
    the task's later entries as its `superseded_at`. Later means written later (a higher
    id), whatever moment it carries, so an entry dated in the past supersedes from that
    moment: the record in force at a moment is the last entry written before it."""
    entries = StatusUpdate.__table__
    batches: list[list[int] | None] = (
        [None] if task_ids is None else list(_batches(sorted(task_ids), 5000))
    )
    for batch in batches:
        until = func.min(entries.c.created_at).over(
            partition_by=entries.c.task_id, order_by=entries.c.id.desc(), rows=(None, -1)
        )
        query = select(entries.c.id, until.label("until"))
        if batch is not None:
            query = query.where(entries.c.task_id.in_(batch))
        computed = query.subquery("computed")
        connection.execute(
            update(entries)
            .where(
                entries.c.id == computed.c.id,
                entries.c.superseded_at.is_distinct_from(computed.c.until),
            )
            .values(superseded_at=computed.c.until)
        )


def _batches(values: list[int], size: int) -> list[list[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


@functools.cache
def _supersede_by_one_entry() -> Update:
    """`mark_superseded` for the one entry written last: its moment is folded into its
    task's earlier entries (their superseded_at is the earliest moment of the entries
    written after them, so the new one lowers it or sets it where there was none), without
    reading the task's whole history: the entries it changes are found through
    ix_status_update_task_superseded.

    The id is compared as `id + 0`, which no index answers. PostgreSQL plans a statement
    the driver has prepared (from its fifth run on a connection) once for any values, and
    for that plan `id < below_id` looked selective enough to read the task's entries through
    ix_status_update_task_id (task_id, id) — every entry of the task at every update: 1.1 ms
    for a task reported on 738 times, against 0.1 ms through the entries in force."""
    entries = StatusUpdate.__table__
    moment = bindparam("new_moment", type_=entries.c.created_at.type)
    return (
        update(entries)
        .where(
            entries.c.task_id == bindparam("of_task"),
            entries.c.id + 0 < bindparam("below_id"),
            or_(entries.c.superseded_at.is_(None), entries.c.superseded_at > moment),
        )
        .values(superseded_at=moment)
    )


@event.listens_for(Session, "after_flush")
def _keep_superseded(session: Session, flush_context: UOWTransaction) -> None:
    """Entries added or re-dated in this flush change when their task's earlier entries
    stop being in force: one entry added (a task's update) is folded in, anything else
    recomputed for its tasks."""
    added = [entry for entry in session.new if isinstance(entry, StatusUpdate)]
    task_ids = {
        entry.task_id
        for entry in session.dirty
        if isinstance(entry, StatusUpdate) and inspect(entry).attrs.created_at.history.has_changes()
    }
    if len(added) == 1 and not task_ids:
        entry = added[0]
        session.connection().execute(
            _supersede_by_one_entry(),
            {"of_task": entry.task_id, "below_id": entry.id, "new_moment": entry.created_at},
        )
    elif added or task_ids:
        mark_superseded(session.connection(), task_ids | {entry.task_id for entry in added})


def _move_created_at(session: Session, task: Task, moment: datetime) -> None:
    """Set created_at without counting as an edit of the task: a stored task is written by
    a statement of its own, so its version (what editors compare) stays as it was."""
    if task in session.new:
        task.created_at = moment
        return
    table = Task.__table__
    session.connection().execute(
        table.update().where(table.c.id == task.id).values(created_at=moment)
    )
    set_committed_value(task, "created_at", moment)
