"""Reading the audit trail: filters (actor, unit, object, action, date range), pages, and
the CSV export of the same selection."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from ..domain.audit_chain import canonical_time
from ..domain.days import parse_day
from ..domain.errors import InvalidInput
from ..domain.numbers import whole_number
from ..domain.text import N_
from ..extensions import db
from ..infra import clock
from ..models import AuditEvent, Directive, RecurringTask, Target, Task, Unit, User
from .chain_head import chain_end

# The kinds of object the trail records events about (the model's name in lower case), as
# the trail's filter offers them: chosen by name in the reader's language, not typed as the
# stored code (a Vietnamese auditor who typed "nhiệm vụ" found nothing).
AUDITED_OBJECTS = {
    "task": N_("Task"),
    "directive": N_("Directive"),
    "target": N_("Target"),
    "targetvalue": N_("Target value"),
    "unit": N_("Unit"),
    "user": N_("Account"),
    "extensionrequest": N_("Extension request"),
    "comment": N_("Comment"),
    "evidence": N_("Evidence"),
    "urgingnotice": N_("Urging notice"),
    "recurringtask": N_("Recurring task"),
    "reportexport": N_("Report file"),
    "periodclosing": N_("Period closing"),
    "delegation": N_("Delegation"),
    "calendarfeed": N_("Calendar feed"),
    "apitoken": N_("API token"),
}


@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None
    unit: str | None = None  # the actor's unit
    object_type: str | None = None
    object_id: int | None = None
    action: str | None = None  # a prefix: "task." finds every task action
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditFilters:
        errors: dict[str, list[str]] = {}
        dates = {}
        for name in ("date_from", "date_to"):
            raw = args.get(name) or ""
            try:
                dates[name] = parse_day(raw) if raw else None
            except ValueError:
                errors[name] = [N_("use a date as dd/mm/yyyy")]
        object_id = args.get("object_id") or ""
        if object_id and whole_number(object_id) is None:
            errors["object_id"] = [N_("a whole number")]
        if errors:
            field, messages = next(iter(errors.items()))
            raise InvalidInput(
                N_("Filter %(field)s: %(problem)s."),
                params={"field": field, "problem": messages[0]},
                field_errors=errors,
            )
        return cls(
            actor=(args.get("actor") or "").strip() or None,
            unit=(args.get("unit") or "").strip() or None,
            object_type=(args.get("object_type") or "").strip() or None,
            object_id=int(object_id) if object_id else None,
            action=(args.get("action") or "").strip() or None,
            **dates,
        )

    def as_args(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v not in (None, "")}


def _day_start(day: date) -> datetime:
    """Midnight of `day` in TRACKER_TIMEZONE, in UTC."""
    return datetime.combine(day, time(), tzinfo=clock.tracker_zone()).astimezone(UTC)


def audit_query(filters: AuditFilters) -> Select[AuditEvent]:
    statement = select(AuditEvent)
    if filters.actor:
        statement = statement.where(AuditEvent.actor_username == filters.actor)
    if filters.unit:
        statement = statement.where(
            AuditEvent.actor_id.in_(
                select(User.id).join(Unit, Unit.id == User.unit_id).where(Unit.code == filters.unit)
            )
        )
    if filters.object_type:
        statement = statement.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        statement = statement.where(AuditEvent.object_id == filters.object_id)
    if filters.action:
        statement = statement.where(AuditEvent.action.startswith(filters.action, autoescape=True))
    if filters.date_from:
        statement = statement.where(AuditEvent.created_at >= _day_start(filters.date_from))
    if filters.date_to:
        statement = statement.where(
            AuditEvent.created_at < _day_start(filters.date_to + timedelta(days=1))
        )
    if filters.date_from or filters.date_to:
        # Newest first by the moment (the same order as the chain's, the clock permitting:
        # each event's moment is taken while its writer holds the chain's head), so that the
        # dated range is read backwards from its end through ix_audit_event_created_at.
        # Ordered by seq alone, PostgreSQL walked every later event to reach a past day:
        # 3.9 s for a day 300 days back in a trail of 3 million events.
        return statement.order_by(AuditEvent.created_at.desc(), AuditEvent.seq.desc())
    return statement.order_by(AuditEvent.seq.desc())


def paginate(filters: AuditFilters, page: int, per_page: int) -> Pagination:
    return db.paginate(audit_query(filters), page=page, per_page=per_page, error_out=False)


# The fields of recorded changes that hold another record's id, by the kind of record, and
# the kinds of object an event is about that have a code: the trail names these records by
# their code (a person by their username) as it reads now, and by the id when one is gone.
REFERENCE_FIELDS = {
    "directive_id": "directive",
    "lead_unit_id": "unit",
    "unit_id": "unit",
    "owner_id": "user",
    "parent_id": "task",
    "task_id": "task",
    "target_id": "target",
    "recurring_id": "recurringtask",
    "template": "recurringtask",  # an occurrence's template (recurring.occurrence)
}
_CODES = {
    "directive": Directive.code,
    "unit": Unit.code,
    "user": User.username,
    "task": Task.code,
    "target": Target.code,
    "recurringtask": RecurringTask.code_prefix,
}


def referenced_codes(events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """{(kind, id): code} of the records a page of events names — in their changes
    (REFERENCE_FIELDS) or as their object — read with one query per kind of record."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_type in _CODES and event.object_id is not None:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
        for recorded in (event.before or {}, event.after or {}):
            for field, kind in REFERENCE_FIELDS.items():
                value = recorded.get(field)
                if isinstance(value, int) and not isinstance(value, bool):
                    wanted.setdefault(kind, set()).add(value)
    codes = {}
    for kind, ids in wanted.items():
        code = _CODES[kind]
        table_id = code.class_.id
        for row_id, row_code in db.session.execute(
            select(table_id, code).where(table_id.in_(sorted(ids)))
        ):
            codes[(kind, row_id)] = row_code
    return codes


CSV_HEADER = (
    "seq",
    "time_utc",
    "actor",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "request_id",
    "prev_hash",
    "hash",
)


def csv_rows(filters: AuditFilters) -> Iterator[tuple[object, ...]]:
    statement = audit_query(filters).execution_options(yield_per=1000)
    for event in db.session.scalars(statement):
        yield (
            event.seq,
            canonical_time(event.created_at) + "Z",
            event.actor_username,
            event.action,
            event.object_type,
            event.object_id if event.object_id is not None else "",
            json.dumps(event.before, ensure_ascii=False, sort_keys=True) if event.before else "",
            json.dumps(event.after, ensure_ascii=False, sort_keys=True) if event.after else "",
            event.request_id,
            event.prev_hash,
            event.hash,
        )


# Events that record a reading of the record, not a change of it.
READING_ACTIONS = ("report.export",)


def data_mark() -> int:
    """The sequence number of the last event that changed the record (exports and sign-ins
    change nothing a report shows): two report files asked for at the same mark, on the same
    day, with the same arguments, are the same file."""
    statement = select(func.max(AuditEvent.seq)).where(
        AuditEvent.action.not_in(READING_ACTIONS), AuditEvent.action.not_like("auth.%")
    )
    return db.session.scalar(statement) or 0


def chain_length() -> int:
    """How many events the sealed trail holds (the head's sequence number, as this
    transaction sees it)."""
    return chain_end()[0]


def count(filters: AuditFilters) -> int:
    """How many events `filters` select."""
    statement = select(func.count()).select_from(audit_query(filters).order_by(None).subquery())
    return db.session.scalar(statement) or 0
