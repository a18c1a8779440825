"""The sealed audit trail: every change chained by hash; `audit verify` names the first
broken row on any edit, deletion, reordering or insertion; concurrent writers still make
one chain; on PostgreSQL audit rows cannot be updated or deleted."""

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tracker import audit
from tracker.extensions import db
from tracker.org import units


@pytest.fixture
def chain(make, org):
    """A few real changes, so the chain has some length."""
    admin = make.user("admin", org["ministry"])
    for code in ("C1", "C2", "C3", "C4"):
        units.create_unit(admin, code, f"Unit {code}", org["ministry"])
    return admin


def verify(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def tamper(*statements: str | tuple[str, dict]) -> None:
    """Change audit rows behind the application's back, as a database owner could (on
    PostgreSQL with the append-only trigger set aside): SQL text, or (SQL, values)."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
            )
        for statement in statements:
            sql, values = statement if isinstance(statement, tuple) else (statement, {})
            connection.execute(text(sql), values)
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
            )


def test_a_whole_chain_verifies(app, chain):
    code, output = verify(app)
    assert code == 0 and "The audit trail is whole: 4 events" in output


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE audit_event SET action = 'unit.delete' WHERE seq = 2", "seq 2): its content"),
        ("UPDATE audit_event SET after = NULL WHERE seq = 3", "seq 3): its content"),
        ("DELETE FROM audit_event WHERE seq = 2", "expected seq 2"),
        ("DELETE FROM audit_event WHERE seq = 4", "head records seq 4"),
        ("UPDATE audit_event SET seq = seq + 100 WHERE seq = 1", "expected seq 1"),
    ],
)
def test_any_tampering_is_found(app, chain, sql, message):
    tamper(sql)
    code, output = verify(app)
    assert code != 0
    assert "the audit trail is broken: " in output and message in output


def test_a_forged_row_with_its_own_hash_is_found(app, chain):
    # A row inserted at the end, even hashed correctly, does not match the head.
    rows = audit.chain_rows()
    last = rows[-1]
    from tracker.domain.audit_chain import event_hash

    forged = dict(last, seq=last["seq"] + 1, action="user.create")
    digest = event_hash(forged, last["hash"])
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_event (seq, prev_hash, hash, created_at, actor_username, "
                "action, object_type, object_id, request_id) VALUES (:seq, :prev, :hash, "
                ":created, 'system', 'user.create', 'unit', 1, 'cli')"
            ),
            {
                "seq": forged["seq"],
                "prev": last["hash"],
                "hash": digest,
                "created": last["created_at"],
            },
        )
    code, output = verify(app)
    assert code != 0 and "seq 5" in output


def test_concurrent_writers_make_one_chain(app, make, org):
    admin = make.user("admin", org["ministry"])
    admin_id, parent_id = admin.id, org["ministry"].id
    errors = []

    def write(prefix: str) -> None:
        with app.app_context():
            try:
                from tracker.models import Unit, User

                actor = db.session.get(User, admin_id)
                parent = db.session.get(Unit, parent_id)
                for n in range(5):
                    units.create_unit(actor, f"{prefix}{n}", f"Unit {prefix}{n}", parent)
            except Exception as error:  # noqa: BLE001  reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(p,)) for p in ("X", "Y", "Z")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    code, output = verify(app)
    assert code == 0 and "15 events" in output


@pytest.mark.postgres  # the append-only trigger is PostgreSQL's
def test_postgresql_refuses_updates_and_deletes_of_audit_rows(chain):
    for sql in (
        "UPDATE audit_event SET action = 'x' WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 1",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(sql))
