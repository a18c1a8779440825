"""Flask extensions, created unbound; create_app() binds them to an app.

The database session routes the reads of a report to the reporting replica when there is
one (REPORTS_DATABASE_URL): inside `reading_reports()`, a SELECT goes to the replica's
engine; every write, and every read outside it, goes to the primary."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Select, Table
from sqlalchemy.orm import DeclarativeBase

REPORTS_BIND = "reports"
_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


@contextmanager
def reading_reports() -> Iterator[None]:
    """Within this block, reads go to the reporting replica (if one is configured)."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, with a report's SELECTs sent to the replica."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kw: Any) -> Any:
        if (
            bind is None
            and _reading_reports.get()
            and isinstance(clause, Select)
            and not self._flushing
            and REPORTS_BIND in self._db.engines
        ):
            return self._db.engines[REPORTS_BIND]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kw)


# Named constraints, so that migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:  # every model maps one table (SQLAlchemy types it as any FROM clause)
        __table__: ClassVar[Table]


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})

# The models' base class. At run time it is Flask-SQLAlchemy's `db.Model` (built from Base:
# table names, the session's bind); a type checker cannot take a variable as a base class,
# so it sees Base, whose mapped attributes are the same.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
