"""The sealed audit trail: every change chained by hash; `audit verify` names the first
broken row on any edit, deletion, reordering or insertion; concurrent writers still make
one chain; on PostgreSQL audit rows cannot be updated or deleted."""

import threading

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from tracker import audit
from tracker.extensions import db
from tracker.models import AuditEvent
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


def head_writes(statements: list[str]) -> int:
    return sum(1 for sql in statements if sql.lstrip().upper().startswith("UPDATE AUDIT_HEAD"))


def test_one_transaction_locks_and_writes_the_head_once_however_many_events(app, make, org):
    """An import's thousands of events in one transaction: the head row is locked by the
    first and written at the commit, not at every event (each write of one row in one
    transaction leaves a version PostgreSQL walks at the next)."""
    admin = make.user("admin", org["ministry"], username="quản_trị_viên")
    statements: list[str] = []

    def sent(conn, cursor, statement, *rest) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", sent)
    try:
        for n in range(6):
            units.add_unit(f"SỞ-ĐB-{n}", f"Sở Tư pháp Điện Biên {n}", org["ministry"])
            audit.record(admin, "unit.create", org["ministry"], after={"mã": f"SỞ-ĐB-{n}"})
        db.session.commit()
    finally:
        event.remove(Engine, "before_cursor_execute", sent)
    assert head_writes(statements) == 2  # the lock, then the head at the commit
    code, output = verify(app)
    assert code == 0 and "6 events" in output


def test_a_savepoint_rolled_back_takes_its_events_and_the_chain_goes_on(app, make, org):
    """Events in a savepoint that is rolled back are gone; the next event chains to the last
    one left, also when the lock itself was taken inside the savepoint."""
    admin = make.user("admin", org["ministry"], username="kiểm_soát_viên")
    ministry = org["ministry"]
    with db.session.begin_nested() as savepoint:  # the lock taken in it, then gone with it
        audit.record(admin, "unit.update", ministry, after={"ghi chú": "bỏ"})
        savepoint.rollback()
    audit.record(admin, "unit.update", ministry, after={"ghi chú": "một"})
    with db.session.begin_nested() as savepoint:
        audit.record(admin, "unit.update", ministry, after={"ghi chú": "hai, bỏ"})
        audit.record(admin, "unit.update", ministry, after={"ghi chú": "ba, bỏ"})
        savepoint.rollback()
    assert audit.chain_end()[0] == 1
    audit.record(admin, "unit.update", ministry, after={"ghi chú": "bốn"})
    db.session.commit()
    code, output = verify(app)
    assert code == 0 and "2 events" in output
    notes = db.session.scalars(select(AuditEvent.after).order_by(AuditEvent.seq)).all()
    assert [note["ghi chú"] for note in notes] == ["một", "bốn"]
    assert audit.chain_end()[0] == 2


def test_events_chained_together_lock_the_head_only_at_the_blocks_end(app, make, org):
    """A batch's events are described as its changes happen and chained when it ends: no
    statement touches the head until then (writers do not queue on it for the whole batch),
    then one lock, the events in the order recorded, one write of the head at the commit."""
    admin = make.user("admin", org["ministry"], username="tổng_hợp_viên")
    ministry = org["ministry"]
    statements: list[str] = []

    def sent(conn, cursor, statement, *rest) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", sent)
    try:
        with audit.chained_together():
            for note in ("Đợt một", "Đợt hai", "Đợt ba"):
                audit.record(admin, "unit.update", ministry, after={"ghi chú": note})
            assert head_writes(statements) == 0
        assert head_writes(statements) == 1  # the lock, at the block's end
        db.session.commit()
    finally:
        event.remove(Engine, "before_cursor_execute", sent)
    assert head_writes(statements) == 2
    code, output = verify(app)
    assert code == 0 and "3 events" in output
    rows = db.session.execute(
        select(AuditEvent.seq, AuditEvent.created_at, AuditEvent.after).order_by(AuditEvent.seq)
    ).all()
    assert [row.after["ghi chú"] for row in rows] == ["Đợt một", "Đợt hai", "Đợt ba"]
    assert [row.created_at for row in rows] == sorted(row.created_at for row in rows)


def test_a_savepoint_rolled_back_inside_the_block_takes_its_waiting_events(app, make, org):
    """An import tries each row in a savepoint: a refused row's events must not be chained
    with the others at the end."""
    admin = make.user("admin", org["ministry"], username="nhập_liệu_viên")
    ministry = org["ministry"]
    with audit.chained_together():
        audit.record(admin, "unit.update", ministry, after={"dòng": "2"})
        with db.session.begin_nested() as savepoint:
            audit.record(admin, "unit.update", ministry, after={"dòng": "3, bỏ"})
            audit.record(admin, "unit.update", ministry, after={"dòng": "3, bỏ nữa"})
            savepoint.rollback()
        with db.session.begin_nested():
            audit.record(admin, "unit.update", ministry, after={"dòng": "4"})
    db.session.commit()
    rows = db.session.scalars(select(AuditEvent.after).order_by(AuditEvent.seq)).all()
    assert [row["dòng"] for row in rows] == ["2", "4"]
    code, output = verify(app)
    assert code == 0 and "2 events" in output


def test_events_of_a_block_that_raises_are_not_chained(app, make, org):
    admin = make.user("admin", org["ministry"], username="người_kiểm_tra")
    with pytest.raises(RuntimeError), audit.chained_together():
        audit.record(admin, "unit.update", org["ministry"], after={"ghi chú": "bỏ"})
        raise RuntimeError("refused")
    db.session.rollback()
    audit.record(admin, "unit.update", org["ministry"], after={"ghi chú": "giữ"})
    db.session.commit()
    notes = db.session.scalars(select(AuditEvent.after).order_by(AuditEvent.seq)).all()
    assert [note["ghi chú"] for note in notes] == ["giữ"]
    code, output = verify(app)
    assert code == 0 and "1 events" in output


@pytest.mark.postgres  # the append-only trigger is PostgreSQL's
def test_postgresql_refuses_updates_and_deletes_of_audit_rows(chain):
    for sql in (
        "UPDATE audit_event SET action = 'x' WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 1",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(sql))
