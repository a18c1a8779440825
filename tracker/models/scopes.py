"""The policy's visibility rules (domain/policy.py) as SQL conditions, for lists, boards,
reports and exports that count hundreds of thousands of tasks in the database. Each mirrors
a predicate of the policy, named in its docstring; tests/test_policy.py proves they agree."""

from __future__ import annotations

from sqlalchemy import or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from ..domain.roles import ADMIN, READ_ALL_ROLES, SUPERVISOR
from .task import Task, task_coordinating_units
from .unit import Unit
from .user import User


def task_scope_clause(user: User) -> ColumnElement[bool]:
    """SQL condition on Task: the tasks `user` may see (mirrors can_view_task)."""

    if user.role in READ_ALL_ROLES:
        return Task.id.is_not(None)
    units_in_subtree = select(Unit.id).where(Unit.path.startswith(user.unit.path, autoescape=True))
    coordinated = select(task_coordinating_units.c.task_id).where(
        task_coordinating_units.c.unit_id == user.unit_id
    )
    if user.role == SUPERVISOR:
        # A supervisor's subtree holds many tasks: the database walks a list's order and
        # keeps the rows that pass (most do).
        return or_(
            Task.lead_unit_id.in_(units_in_subtree),
            Task.owner_id == user.id,
            Task.id.in_(coordinated),
        )
    # A unit leader's or officer's tasks are few: one set of ids from three indexed lookups,
    # so that a list starts from them instead of walking every open task in its order (the
    # overdue list of one office at 3 million tasks: 2.2 s → 30 ms).
    scoped = Task.__table__.alias("scoped_task")
    return Task.id.in_(
        union_all(
            select(scoped.c.id).where(scoped.c.lead_unit_id.in_(units_in_subtree)),
            select(scoped.c.id).where(scoped.c.owner_id == user.id),
            coordinated,
        )
    )


def unit_scope_clause(user: User) -> ColumnElement[bool]:
    """SQL condition on Unit: the units `user` may see (their subtree; all for admin, auditor)."""

    if user.role in READ_ALL_ROLES:
        return Unit.id.is_not(None)
    return Unit.path.startswith(user.unit.path, autoescape=True)


def verify_scope_clause(user: User) -> ColumnElement[bool]:
    """SQL condition on Task: the tasks `user` may verify once submitted (mirrors can_verify)."""

    if user.role == ADMIN:
        return Task.id.is_not(None)
    if user.role != SUPERVISOR:
        return Task.id.is_(None)
    units_in_subtree = select(Unit.id).where(Unit.path.startswith(user.unit.path, autoescape=True))
    return Task.lead_unit_id.in_(units_in_subtree)
