"""Unit: an organisation in the tree (steering committee → ministry → department → institute)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from ..domain.search_text import search_key
from ..extensions import Model
from ._types import one_line


def path_depth(path: str) -> int:
    """How far below the root a unit with this materialised path lies (the root: 0)."""
    return max(path.count("/") - 2, 0)


def path_ids(path: str) -> list[int]:
    """The ids in a materialised path, from the root down to the unit itself."""
    return [int(part) for part in path.strip("/").split("/") if part]


class Unit(Model):
    __tablename__ = "unit"
    # A subtree is found by its path's prefix (LIKE '/1/4/%'). PostgreSQL can use an index for
    # that only with the pattern operators (the path index below sorts by the database's
    # collation, which LIKE cannot use): without it every unit was read, 2.5 ms a statement
    # at 30,000 units. SQLite gets a plain second index on the path.
    __table_args__ = (
        Index("ix_unit_path_prefix", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    _lines = one_line("code", "name")
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    # Code and name folded for the admin forms' unit search (domain.search_text), kept up to
    # date on every flush.
    search_key: Mapped[str] = mapped_column(String(300), default="", server_default="")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )
    # Materialised path of ids, e.g. "/1/4/9/": a subtree is every unit whose path starts with
    # its root's path, one indexed range scan (ix_unit_path_prefix) instead of a recursive
    # query. This index gives the tree order.
    path: Mapped[str] = mapped_column(String(500), index=True, default="")

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.code")

    @property
    def depth(self) -> int:
        return path_depth(self.path)

    def is_within(self, ancestor: Unit) -> bool:
        """True when this unit is `ancestor` or lies in its subtree."""
        return bool(ancestor.path) and self.path.startswith(ancestor.path)

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


@event.listens_for(Unit, "before_insert")
@event.listens_for(Unit, "before_update")
def _keep_unit_search_key(mapper: Mapper[Unit], connection: Connection, unit: Unit) -> None:
    unit.search_key = search_key(unit.code, unit.name)
