"""Directive (the source document) and its Targets."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Numeric, String, Text, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from ..domain.search_text import search_key
from ..extensions import Model, db
from ._types import one_line, prose, search_key_index, sql_in, utcnow
from .user import User

DIRECTIVE_KINDS = ("resolution", "directive", "decision", "conclusion", "plan", "regulation")
VISIBILITIES = ("internal", "public")


class Directive(Model):
    __tablename__ = "directive"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(DIRECTIVE_KINDS)}", name="kind_allowed"),
        CheckConstraint(f"visibility IN {sql_in(VISIBILITIES)}", name="visibility_allowed"),
        search_key_index("directive"),
    )

    _prose = prose("issuing_body", "signer", "summary")
    id: Mapped[int] = mapped_column(primary_key=True)
    _lines = one_line("code", "title")
    code: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    # Code and title folded for search (domain.search_text), kept up to date on every flush.
    search_key: Mapped[str] = mapped_column(String(600), default="", server_default="")
    issuing_body: Mapped[str] = mapped_column(String(255), default="")
    signer: Mapped[str] = mapped_column(String(255), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    visibility: Mapped[str] = mapped_column(String(20), default="internal")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    targets: Mapped[list[Target]] = relationship(back_populates="directive", order_by="Target.code")

    def __repr__(self) -> str:
        return f"<Directive {self.code}>"


@event.listens_for(Directive, "before_insert")
@event.listens_for(Directive, "before_update")
def _keep_directive_search_key(
    mapper: Mapper[Directive], connection: Connection, directive: Directive
) -> None:
    directive.search_key = search_key(directive.code, directive.title)


class Target(Model):
    """A goal inside a directive, with an optional measurable indicator."""

    __tablename__ = "target"
    __table_args__ = (db.UniqueConstraint("directive_id", "code"),)

    _prose = prose("indicator", "unit_of_measure")
    id: Mapped[int] = mapped_column(primary_key=True)
    _lines = one_line("code", "title")
    directive_id: Mapped[int] = mapped_column(
        ForeignKey("directive.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    indicator: Mapped[str] = mapped_column(String(255), default="")
    baseline_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    unit_of_measure: Mapped[str] = mapped_column(String(40), default="")
    due_on: Mapped[date | None] = mapped_column(Date)

    directive: Mapped[Directive] = relationship(back_populates="targets")
    values: Mapped[list[TargetValue]] = relationship(
        back_populates="target", order_by="TargetValue.recorded_on"
    )

    def __repr__(self) -> str:
        return f"<Target {self.code}>"


class TargetValue(Model):
    """A measured value of a target's indicator on a date, with its source."""

    __tablename__ = "target_value"
    __table_args__ = (db.UniqueConstraint("target_id", "recorded_on"),)

    _prose = prose("source_note")
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id", ondelete="CASCADE"), index=True)
    recorded_on: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    source_note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    target: Mapped[Target] = relationship(back_populates="values")
    recorded_by: Mapped[User | None] = relationship()
