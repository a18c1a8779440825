"""Directives and their targets: create and edit (admins)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from .. import audit
from ..domain import policy
from ..domain.errors import InvalidInput, NotFound, first_problem
from ..domain.numbers import measure_problem
from ..domain.text import N_
from ..extensions import db
from ..infra import clock
from ..models import Directive, Target, TargetValue, User
from ..models.directive import DIRECTIVE_KINDS, VISIBILITIES


@dataclass(frozen=True)
class DirectiveValues:
    """What a directive is made or edited with, from a form, an import row or seed data
    (as TaskValues is for a task)."""

    code: str
    kind: str
    title: str
    issuing_body: str = ""
    signer: str = ""
    issued_on: date | None = None
    summary: str = ""
    source_url: str = ""
    visibility: str = "internal"


DIRECTIVE_FIELDS = tuple(each.name for each in fields(DirectiveValues))
TARGET_FIELDS = (
    "code",
    "title",
    "indicator",
    "baseline_value",
    "target_value",
    "unit_of_measure",
    "due_on",
)


def get_directive_by_code(code: str) -> Directive:
    directive = db.session.scalar(select(Directive).where(Directive.code == code))
    if directive is None:
        raise NotFound(N_("There is no directive with code “%(code)s”."), params={"code": code})
    return directive


def _check_directive(values: DirectiveValues, directive_id: int | None) -> None:
    errors: dict[str, list[str]] = {}
    code = values.code
    if not code:
        errors["code"] = [N_("required")]
    else:
        existing = db.session.scalar(select(Directive).where(Directive.code == code))
        if existing is not None and existing.id != directive_id:
            errors["code"] = [N_("a directive with code “%(code)s” already exists").fill(code=code)]
    if values.kind not in DIRECTIVE_KINDS:
        errors["kind"] = [N_("use one of: %(choices)s").fill(choices=", ".join(DIRECTIVE_KINDS))]
    if values.visibility not in VISIBILITIES:
        errors["visibility"] = [N_("use one of: %(choices)s").fill(choices=", ".join(VISIBILITIES))]
    if not values.title:
        errors["title"] = [N_("required")]
    if errors:
        raise first_problem(errors)


def add_directive(values: DirectiveValues) -> Directive:
    _check_directive(values, None)
    directive = Directive(**asdict(values))
    db.session.add(directive)
    db.session.flush()
    return directive


def create_directive(actor: User, values: DirectiveValues) -> Directive:
    policy.require(policy.can_manage_directives(actor))
    directive = add_directive(values)
    audit.record(
        actor, "directive.create", directive, after=audit.snapshot(directive, DIRECTIVE_FIELDS)
    )
    db.session.commit()
    return directive


def update_directive(actor: User, directive: Directive, values: DirectiveValues) -> Directive:
    policy.require(policy.can_manage_directives(actor))
    _check_directive(values, directive.id)
    before = audit.snapshot(directive, DIRECTIVE_FIELDS)
    for name, value in asdict(values).items():
        setattr(directive, name, value)
    db.session.flush()
    audit.record(
        actor, "directive.update", directive, before, audit.snapshot(directive, DIRECTIVE_FIELDS)
    )
    db.session.commit()
    return directive


def _check_target(directive: Directive, values: dict[str, Any], target_id: int | None) -> None:
    code = values.get("code", "")
    if not code or not values.get("title"):
        raise InvalidInput(N_("A target needs a code and a title."))
    existing = db.session.scalar(
        select(Target).where(Target.directive_id == directive.id, Target.code == code)
    )
    if existing is not None and existing.id != target_id:
        raise InvalidInput(
            N_("Directive %(directive)s already has a target “%(code)s”."),
            params={"directive": directive.code, "code": code},
            field_errors={"code": [N_("already in use in this directive")]},
        )
    for field in ("baseline_value", "target_value"):
        value = values.get(field)
        if value is not None and (problem := measure_problem(Decimal(value))) is not None:
            raise InvalidInput(problem, field_errors={field: [problem]})


def add_target(directive: Directive, values: dict[str, Any]) -> Target:
    _check_target(directive, values, None)
    target = Target(directive=directive, **{k: v for k, v in values.items() if k in TARGET_FIELDS})
    db.session.add(target)
    db.session.flush()
    return target


def create_target(actor: User, directive: Directive, values: dict[str, Any]) -> Target:
    policy.require(policy.can_manage_directives(actor))
    target = add_target(directive, values)
    audit.record(actor, "target.create", target, after=audit.snapshot(target, TARGET_FIELDS))
    db.session.commit()
    return target


def update_target(actor: User, target: Target, values: dict[str, Any]) -> Target:
    policy.require(policy.can_manage_directives(actor))
    _check_target(target.directive, values, target.id)
    before = audit.snapshot(target, TARGET_FIELDS)
    for field in TARGET_FIELDS:
        if field in values:
            setattr(target, field, values[field])
    db.session.flush()
    audit.record(actor, "target.update", target, before, audit.snapshot(target, TARGET_FIELDS))
    db.session.commit()
    return target


def record_target_value(
    actor: User, target: Target, recorded_on: date | None, value: Decimal | None, source: str
) -> TargetValue:
    """Record the indicator's value on a date (one value per target and date)."""
    policy.require(
        policy.can_record_target_value(actor), N_("Only supervisors and admins record values.")
    )
    errors: dict[str, list[str]] = {}
    if recorded_on is None:
        errors["recorded_on"] = [N_("give the date the value was measured")]
    elif recorded_on > clock.today():
        errors["recorded_on"] = [N_("a value cannot be recorded for a future date")]
    if value is None:
        errors["value"] = [N_("give the measured value")]
    elif (problem := measure_problem(value)) is not None:
        errors["value"] = [problem]
    if not errors:
        clash = db.session.scalar(
            select(TargetValue.id).where(
                TargetValue.target_id == target.id, TargetValue.recorded_on == recorded_on
            )
        )
        if clash is not None:
            errors["recorded_on"] = [
                N_("a value for %(day)s is already recorded").fill(day=f"{recorded_on:%d/%m/%Y}")
            ]
    if errors:
        raise first_problem(errors, N_("The value was not recorded: %(problem)s."))
    row = TargetValue(
        target=target,
        recorded_on=recorded_on,
        value=value,
        source_note=(source or "").strip()[:500],
        recorded_by=actor,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "target.value_recorded",
        row,
        after=audit.snapshot(row, ("target_id", "recorded_on", "value", "source_note")),
    )
    db.session.commit()
    return row
