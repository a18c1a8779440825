"""The database enforces the rules itself, whatever code writes to it (SQLite and PostgreSQL)."""

from datetime import date

import pytest
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import Directive, Task, Unit, User


def refused(statement) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(statement)
        db.session.flush()
    db.session.rollback()


def test_directive_code_is_unique(make):
    make.directive("57-NQ/TW")
    refused(
        insert(Directive).values(
            code="57-NQ/TW",
            kind="resolution",
            title="Again",
            issuing_body="",
            signer="",
            summary="",
            source_url="",
            visibility="internal",
            created_at=date(2026, 1, 1),
        )
    )


def test_task_rules(make, org):
    task = make.task(org["institute"], code="T-1")
    rows = (Task.id == task.id,)
    refused(update(Task).where(*rows).values(percent_done=101))
    refused(update(Task).where(*rows).values(percent_done=-1))
    refused(update(Task).where(*rows).values(status="done"))
    refused(update(Task).where(*rows).values(kind="project"))
    refused(
        update(Task).where(*rows).values(start_date=date(2026, 5, 2), deadline=date(2026, 5, 1))
    )
    refused(update(Task).where(*rows).values(status="completed"))  # without a completion day
    refused(update(Task).where(*rows).values(lead_unit_id=999_999))  # foreign key
    other = make.task(org["institute"], task.directive, code="T-2")
    refused(update(Task).where(Task.id == other.id).values(code="T-1"))


def test_user_role_is_in_the_allowed_set(make, org):
    user = make.user("officer", org["institute"])
    refused(update(User).where(User.id == user.id).values(role="superuser"))
    refused(update(User).where(User.id == user.id).values(unit_id=424242))


@pytest.mark.postgres  # JIT is PostgreSQL's
def test_postgresql_connections_do_not_compile_statements_before_running_them(app):
    """Every connection of the application, after its pool's rollbacks, runs without JIT
    (tracker._postgresql_settings: it cost more than it saved on report statements)."""
    db.session.rollback()
    assert db.session.execute(text("SHOW jit")).scalar() == "off"


@pytest.mark.postgres  # psycopg's prepared statements
def test_a_transaction_that_only_read_keeps_the_prepared_statements_and_one_that_wrote_is_undone(
    org,
):
    """The session ends every request with a rollback. One that only read now ends with
    COMMIT, keeping the statements psycopg prepared on the connection (its ROLLBACK
    deallocates them all), so a page's statements are planned once per connection; one that
    wrote is still rolled back: the row it added is not there."""
    shown = select(Unit.code).where(Unit.id == bindparam("unit_id"))
    prepared = text(
        "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT unit.code%'"
    )
    with db.engine.connect() as connection:
        for _ in range(6):  # psycopg prepares a statement at its fifth run
            connection.execute(shown, {"unit_id": org["department"].id}).one()
        assert connection.execute(prepared).scalar() == 1
        connection.rollback()
        assert connection.execute(prepared).scalar() == 1  # kept

        department = org["department"]
        connection.execute(update(Unit).where(Unit.id == department.id).values(name="Vụ Đổi Tên"))
        connection.rollback()
        name = connection.execute(select(Unit.name).where(Unit.id == department.id)).scalar()
        assert name == department.name != "Vụ Đổi Tên"
