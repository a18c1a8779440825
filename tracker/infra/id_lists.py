"""Conditions on a long list of ids (thousands of units of a national report, a batch of
tasks of an export): one bound parameter on PostgreSQL instead of one per id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Integer, SQLColumnExpression, bindparam, func
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db


def among(column: SQLColumnExpression[Any], ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL as `= ANY(array)`, one parameter instead of thousands
    (psycopg spends longer converting 2,000 placeholders than the query takes: 3,000 units'
    labels 40 ms as IN, 6 ms as ANY)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == func.any(bindparam("ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)
