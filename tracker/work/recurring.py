"""Recurring tasks: templates, and `flask --app app recurring run`, which creates every
occurrence whose period has begun and does not exist yet (idempotent: the occurrence's code,
e.g. BC57-2026Q1, is unique within its directive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from .. import audit
from ..domain import periods, policy
from ..domain.errors import DomainError, first_problem
from ..domain.text import N_
from ..extensions import db
from ..infra import context
from ..models import RecurringTask, Task, User
from .tasks import TaskValues, add_task

# Each occurrence is titled "<the template's title> (<its period>)", the period's label
# 7 characters (2026-03, 2026Q1, 2026H1): a template's title leaves room for it within a
# task title's length, or its occurrences could not be made.
MOST_TITLE_LENGTH: int = Task.__table__.c.title.type.length - len(" (2026-03)")  # type: ignore[attr-defined]

TEMPLATE_FIELDS = (
    "directive_id",
    "code_prefix",
    "title",
    "lead_unit_id",
    "owner_id",
    "frequency",
    "days_after_period_end",
    "starts_on",
    "is_key",
    "active",
)


def create_template(actor: User, **values: Any) -> RecurringTask:
    policy.require(
        policy.can_manage_directives(actor), N_("Only administrators set up recurring tasks.")
    )
    errors: dict[str, list[str]] = {}
    if values.get("frequency") not in periods.FREQUENCIES:
        errors["frequency"] = [
            N_("use one of: %(choices)s").fill(choices=", ".join(periods.FREQUENCIES))
        ]
    if not (values.get("code_prefix") or "").strip():
        errors["code_prefix"] = [N_("required")]
    if not (values.get("title") or "").strip():
        errors["title"] = [N_("required")]
    elif len(values["title"]) > MOST_TITLE_LENGTH:
        errors["title"] = [N_("at most %(count)s characters").fill(count=MOST_TITLE_LENGTH)]
    if not -27 <= int(values.get("days_after_period_end") or 0) <= 365:
        errors["days_after_period_end"] = [N_("between -27 and 365 days")]
    directive = values.get("directive")
    if directive is not None and db.session.scalar(
        select(RecurringTask.id).where(
            RecurringTask.directive_id == directive.id,
            RecurringTask.code_prefix == values.get("code_prefix"),
        )
    ):
        errors["code_prefix"] = [N_("this directive already has a recurring task with that prefix")]
    if errors:
        raise first_problem(errors)
    template = RecurringTask(**values)
    db.session.add(template)
    db.session.flush()
    audit.record(
        actor, "recurring.create", template, after=audit.snapshot(template, TEMPLATE_FIELDS)
    )
    db.session.commit()
    return template


@dataclass
class Occurrence:
    code: str
    label: str
    start: date
    deadline: date


def occurrences_due(template: RecurringTask, today: date) -> list[Occurrence]:
    """Every occurrence whose period has begun by `today`, from the template's start."""
    if today < template.starts_on:
        return []
    result = []
    for start, end in periods.periods_between(template.starts_on, today, template.frequency):
        deadline = end + timedelta(days=template.days_after_period_end)
        period = periods.label(start, template.frequency)
        code = f"{template.code_prefix}-{period}"
        result.append(Occurrence(code, period, max(start, template.starts_on), deadline))
    return result


def run(today: date) -> list[Task]:
    """Create the missing occurrences of every active template; returns the new tasks."""
    created: list[Task] = []
    templates = db.session.scalars(
        select(RecurringTask).where(RecurringTask.active).order_by(RecurringTask.id)
    ).all()
    for template in templates:
        try:
            created += _make_occurrences(template, today)
            db.session.commit()
        except DomainError as refused:
            # A template saved before its title was held to the task rules (a line break,
            # no room for the period): its occurrences cannot be made, the others' can.
            db.session.rollback()
            context.log().warning(
                "Recurring task %s (%s) makes no occurrence: %s",
                template.id,
                template.code_prefix,
                refused.message,
            )
    return created


def _make_occurrences(template: RecurringTask, today: date) -> list[Task]:
    """The missing occurrences of `template` up to `today` (flush only)."""
    created: list[Task] = []
    existing = set(
        db.session.scalars(
            select(Task.code).where(
                Task.directive_id == template.directive_id,
                Task.recurring_id == template.id,
            )
        )
    )
    for occurrence in occurrences_due(template, today):
        if occurrence.code in existing:
            continue
        if db.session.scalar(
            select(Task.id).where(
                Task.directive_id == template.directive_id, Task.code == occurrence.code
            )
        ):
            continue  # a task with that code was made by hand: leave it alone
        task = add_task(
            TaskValues(
                code=occurrence.code,
                title=f"{template.title} ({occurrence.label})",
                description=template.description,
                directive=template.directive,
                lead_unit=template.lead_unit,
                owner=template.owner,
                start_date=occurrence.start,
                deadline=max(occurrence.deadline, occurrence.start),
                is_key=template.is_key,
            ),
            None,
        )
        task.recurring_id = template.id
        db.session.flush()
        audit.record(
            None,
            "recurring.occurrence",
            task,
            after={"template": template.id, "code": task.code},
        )
        created.append(task)
    return created
