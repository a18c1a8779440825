"""Deputies: a unit leader (or an admin for them) names a person of the same unit to act with
the leader's rights on the unit's tasks for a date range (models.user.Delegation). The
delegation is in force from its first to its last day in TRACKER_TIMEZONE, ends by itself,
and can be ended early by the leader, the deputy or an admin. Each request applies the
delegations in force to the person signed in (`apply`), which the policy reads; every action
then shows "<deputy> on behalf of <leader>" in the history and the audit trail
(User.principal_for). Naming and ending are audited; supervisors see the delegations in
force in their subtree.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Date, SQLColumnExpression, bindparam, exists, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from .. import audit
from ..domain import policy
from ..domain.errors import InvalidInput, first_problem
from ..domain.roles import ADMIN, SUPERVISOR
from ..domain.text import N_
from ..domain.vietnamese_order import by_name
from ..extensions import db
from ..infra import clock
from ..models import Delegation, Unit, User

LONGEST_DAYS = 366
SNAPSHOT = ("unit_id", "leader_id", "deputy_id", "starts_on", "ends_on")


def _in_force_today() -> tuple[ColumnElement[bool], ...]:
    """The delegations in force today, as conditions on Delegation; today is taken when the
    statement runs, so that a statement built once (the signed-in user's) asks each day."""
    today = bindparam("deputising_day", callable_=lambda: clock.today(), type_=Date)
    return (
        Delegation.ended_at.is_(None),
        Delegation.starts_on <= today,
        Delegation.ends_on >= today,
    )


def any_in_force(deputy_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """Whether a delegation to `deputy_id` (a column of the statement that reads the person
    signed in) is in force today: read with them, so that the many who are nobody's deputy
    cost no second statement per request (apply's `deputising`)."""
    return exists().where(Delegation.deputy_id == deputy_id, *_in_force_today())


def apply(user: User, deputising: bool = True) -> User:
    """Give `user` the delegations in force today (User.deputy_for); returns `user`. With
    `deputising` False (read by the caller with the user, see any_in_force()) there are none
    to read."""
    if not deputising:
        user.deputy_for = {}
        return user
    rows = db.session.scalars(
        select(Delegation)
        .options(joinedload(Delegation.leader))
        .where(Delegation.deputy_id == user.id, *_in_force_today())
    ).all()
    user.deputy_for = {
        row.unit_id: row.leader
        for row in rows
        if row.leader.active and row.leader.unit_id == row.unit_id
    }
    return user


def name_deputy(
    actor: User, leader: User, deputy: User | None, starts_on: date | None, ends_on: date | None
) -> Delegation:
    """Name `deputy` for `leader` from `starts_on` to `ends_on` (committed)."""
    policy.require(policy.can_name_deputy(actor, leader))
    today = clock.today()
    errors: dict[str, list[str]] = {}
    if deputy is None or not deputy.active:
        errors["deputy"] = [N_("choose an active person of the unit")]
    elif deputy.id == leader.id or deputy.unit_id != leader.unit_id:
        errors["deputy"] = [N_("the deputy must be another person of the leader's unit")]
    if starts_on is None or starts_on < today:
        errors["starts_on"] = [N_("give the first day, today or later")]
    if ends_on is None or (starts_on is not None and ends_on < starts_on):
        errors["ends_on"] = [N_("give the last day, on or after the first")]
    elif starts_on is not None and (ends_on - starts_on) > timedelta(days=LONGEST_DAYS):
        errors["ends_on"] = [N_("a delegation lasts at most a year")]
    if errors:
        raise first_problem(errors)
    assert deputy is not None and starts_on is not None and ends_on is not None
    delegation = Delegation(
        unit_id=leader.unit_id,
        leader_id=leader.id,
        deputy_id=deputy.id,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by_id=actor.id,
    )
    db.session.add(delegation)
    db.session.flush()
    audit.record(actor, "delegation.create", delegation, after=audit.snapshot(delegation, SNAPSHOT))
    db.session.commit()
    return delegation


def can_end(actor: User, delegation: Delegation) -> bool:
    return actor.active and (
        actor.role == ADMIN or actor.id in (delegation.leader_id, delegation.deputy_id)
    )


def end(actor: User, delegation: Delegation) -> None:
    """End a delegation before its last day (committed)."""
    policy.require(can_end(actor, delegation))
    if delegation.ended_at is not None or delegation.ends_on < clock.today():
        raise InvalidInput(N_("This delegation is already over."))
    delegation.ended_at = clock.now()
    audit.record(actor, "delegation.end", delegation, after={"ended_at": delegation.ended_at})
    db.session.commit()


def visible_to(user: User) -> list[Delegation]:
    """The delegations `user` sees, newest first: an admin all; a supervisor those in force
    or to come in their subtree; anyone else those they lead or deputise in."""
    statement = (
        select(Delegation)
        .options(joinedload(Delegation.leader), joinedload(Delegation.deputy))
        .order_by(Delegation.starts_on.desc(), Delegation.id.desc())
        .limit(200)
    )
    if user.role == SUPERVISOR:
        subtree = select(Unit.id).where(Unit.path.startswith(user.unit.path, autoescape=True))
        statement = statement.where(
            Delegation.unit_id.in_(subtree),
            Delegation.ended_at.is_(None),
            Delegation.ends_on >= clock.today(),
        )
    elif user.role != ADMIN:
        statement = statement.where(
            (Delegation.leader_id == user.id) | (Delegation.deputy_id == user.id)
        )
    return list(db.session.scalars(statement).unique())


def candidates(leader: User) -> list[User]:
    """Who may be named: the active people of the leader's unit but the leader, in
    Vietnamese alphabetical order of their names."""
    people = db.session.scalars(
        select(User).where(
            User.unit_id == leader.unit_id, User.active.is_(True), User.id != leader.id
        )
    )
    return sorted(people, key=by_name)
