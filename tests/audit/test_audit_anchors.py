"""The audit chain anchored outside the database: each period close, export manifest and
daily run appends the chain's head, signed with Ed25519, to an append-only file; a chain
emptied or recomputed behind the application's back (which the chain alone cannot see)
fails `audit verify` and /exports/verify against those anchors and against the heads that
manifests recorded; a forged anchor line does not verify; PostgreSQL refuses TRUNCATE."""

import json
import os
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tracker import audit
from tracker.audit import anchors
from tracker.domain.audit_chain import GENESIS, event_hash, first_break
from tracker.extensions import db
from tracker.org import units
from tracker.reporting import closings, manifests
from tracker.reporting.task_queries import TaskFilters

from ..conftest import ANCHOR_FILE, login
from .test_audit_chain import tamper, verify


@pytest.fixture
def trail(make, org):
    """Bộ Công Thương's admin made four units: four events."""
    admin = make.user("admin", org["ministry"], username="quan.tri")
    for code in ("Vụ KH", "Cục ĐTĐL", "Sở CT Hà Nội", "Viện NL"):
        units.create_unit(admin, code, f"Đơn vị {code}", org["ministry"])
    return admin


def anchor_lines() -> list[dict]:
    with open(ANCHOR_FILE, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def rewrite_history() -> None:
    """Edit the second event and recompute every hash after it, and the head: a chain that
    verifies against itself."""
    rows = audit.chain_rows()
    rows[1]["action"] = "unit.delete"
    statements, previous = [], GENESIS
    for row in rows:
        digest = event_hash(row, previous)
        statements.append(
            (
                "UPDATE audit_event SET action = :action, prev_hash = :prev, hash = :hash "
                "WHERE id = :id",
                {"action": row["action"], "prev": previous, "hash": digest, "id": row["id"]},
            )
        )
        previous = digest
    statements.append(
        ("UPDATE audit_head SET seq = :seq, hash = :hash", {"seq": len(rows), "hash": previous})
    )
    tamper(*statements)
    db.session.expire_all()
    head = {"seq": len(rows), "hash": previous}
    assert first_break(audit.chain_rows(), head) is None  # the chain alone is fooled


def test_the_daily_anchor_is_signed_and_verify_checks_it(app, trail):
    result = app.test_cli_runner().invoke(args=["audit", "anchor"])
    assert result.exit_code == 0 and "seq 4" in result.output
    (line,) = anchor_lines()
    assert (line["seq"], line["reason"]) == (4, "daily")
    assert line["hash"] == audit.chain_rows()[-1]["hash"]
    code, output = verify(app)
    assert code == 0
    assert "4 events, every hash verified; 1 signed anchors and 0 recorded heads match" in output


def test_a_recomputed_chain_fails_against_its_anchor(app, trail):
    anchors.anchor("daily")
    rewrite_history()
    code, output = verify(app)
    assert code != 0
    assert "records another hash at seq 4: the chain was rewritten" in output


def test_an_emptied_chain_fails_against_its_anchor(app, trail):
    anchors.anchor("daily")
    tamper(
        ("DELETE FROM audit_event", {}),
        ("UPDATE audit_head SET seq = 0, hash = :genesis", {"genesis": GENESIS}),
    )
    code, output = verify(app)
    assert code != 0
    assert "records seq 4 but the chain ends at seq 0: events were removed" in output


def test_a_forged_anchor_line_does_not_verify(app, trail):
    anchors.anchor("daily")
    (line,) = anchor_lines()
    with open(ANCHOR_FILE, "w", encoding="utf-8") as handle:  # the attacker's own head
        handle.write(json.dumps({**line, "seq": 2, "hash": audit.chain_rows()[1]["hash"]}) + "\n")
        handle.write("not json at all\n")
    code, output = verify(app)
    assert code != 0
    assert "anchor line 1" in output and "signature does not verify" in output
    assert "anchor line 2 is unreadable" in output


@pytest.mark.now("2026-06-15T09:00:00+07:00")
def test_an_export_and_a_period_close_are_anchored_and_their_heads_checked(
    app, client, trail, make, org
):
    """Without any anchor file at all, the head an export manifest and a closing recorded
    still catch a recomputed chain, on the command line and on /exports/verify."""
    make.task(org["department"], make.directive("Chỉ thị 05/CT-TTg"), code="NV 1")
    export = manifests.record_export(
        trail, "tasks", "csv", "nhiem-vu.csv", {}, "a" * 64, 10, manifests.stamp_for(trail)
    )
    closing = closings.close_period(trail, TaskFilters(), date(2026, 1, 1), date(2026, 3, 31))
    assert [line["reason"] for line in anchor_lines()] == ["report.export", "period.close"]
    assert verify(app)[0] == 0
    os.remove(ANCHOR_FILE)  # an attacker who could not touch it; the manifests remain
    rewrite_history()
    code, output = verify(app)
    assert code != 0
    assert f"export manifest {export.id} records another hash" in output
    assert f"period closing {closing.id} records another hash" in output
    login(client, trail)
    page = client.post("/exports/verify", data={"sha256": "a" * 64})
    assert page.status_code == 200
    assert "The audit chain does not verify" in page.text and "rewritten" in page.text


@pytest.mark.postgres  # TRUNCATE and its trigger are PostgreSQL's
@pytest.mark.parametrize("table", ["audit_event", "audit_head"])
def test_postgresql_refuses_truncate_of_the_trail(trail, table):
    with pytest.raises(DBAPIError, match="cannot be truncated"), db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {table} CASCADE"))
    assert len(audit.chain_rows()) == 4
