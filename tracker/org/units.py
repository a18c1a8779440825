"""Creating and changing units; keeps each unit's materialised path right."""

from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..domain import policy
from ..domain.errors import InvalidInput, NotFound
from ..domain.text import N_
from ..extensions import db
from ..models import Unit, User

UNIT_FIELDS = ("code", "name", "parent_id", "path")


def get_unit_by_code(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(N_("There is no unit with code “%(code)s”."), params={"code": code})
    return unit


def _check_code_free(code: str, unit_id: int | None = None) -> None:
    existing = db.session.scalar(select(Unit).where(Unit.code == code))
    if existing is not None and existing.id != unit_id:
        raise InvalidInput(
            N_("A unit with code “%(code)s” already exists."),
            params={"code": code},
            field_errors={"code": [N_("already in use")]},
        )


def add_unit(code: str, name: str, parent: Unit | None) -> Unit:
    """Add a unit and set its path (flush only)."""
    unit = Unit(code=code.strip(), name=name.strip(), parent=parent, path="")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    db.session.flush()
    return unit


def create_unit(actor: User | None, code: str, name: str, parent: Unit | None) -> Unit:
    if actor is not None:
        policy.require(policy.can_manage_units(actor))
    _check_code_free(code.strip())
    unit = add_unit(code, name, parent)
    audit.record(actor, "unit.create", unit, after=audit.snapshot(unit, UNIT_FIELDS))
    db.session.commit()
    return unit


def update_unit(actor: User, unit: Unit, code: str, name: str, parent: Unit | None) -> Unit:
    policy.require(policy.can_manage_units(actor))
    _check_code_free(code.strip(), unit.id)
    if parent is not None and parent.is_within(unit):
        raise InvalidInput(
            N_("A unit cannot be placed under itself or one of its own sub-units."),
            field_errors={"parent": [N_("would make a cycle")]},
        )
    before = audit.snapshot(unit, UNIT_FIELDS)
    old_path = unit.path
    unit.code, unit.name, unit.parent = code.strip(), name.strip(), parent
    new_path = f"{parent.path if parent else '/'}{unit.id}/"
    if new_path != old_path:
        # Moving a unit moves its whole subtree.
        descendants = db.session.scalars(
            select(Unit).where(Unit.path.startswith(old_path, autoescape=True))
        )
        for descendant in descendants:
            descendant.path = new_path + descendant.path[len(old_path) :]
    db.session.flush()
    audit.record(actor, "unit.update", unit, before, audit.snapshot(unit, UNIT_FIELDS))
    db.session.commit()
    return unit
