"""Seal the audit trail: a hash chain over the events, its head, and on PostgreSQL a
trigger that refuses any UPDATE or DELETE of audit rows.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 21:50:00

"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
# A frozen copy of tracker.domain.audit_chain as it was when this migration was written.
HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "request_id",
)


def _canonical_time(moment):
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _hash(content, prev_hash):
    fields = {name: content[name] for name in HASHED_FIELDS}
    fields["created_at"] = _canonical_time(fields["created_at"])
    payload = json.dumps(
        {"prev": prev_hash, "event": fields},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _json(value):
    if value is None or isinstance(value, dict | list):
        return value
    return json.loads(value)


PROTECT_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_event rows are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def upgrade():
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    # Chain the events already recorded, in the order they were written.
    connection = op.get_bind()
    types = {"created_at": sa.DateTime(timezone=True), "before": sa.JSON(), "after": sa.JSON()}
    event = sa.table(
        "audit_event",
        *(sa.column(n, types.get(n)) for n in (*HASHED_FIELDS, "id", "prev_hash", "hash")),
    )
    rows = (
        connection.execute(
            sa.select(
                event.c.id,
                event.c.created_at,
                event.c.actor_id,
                event.c.actor_username,
                event.c.action,
                event.c.object_type,
                event.c.object_id,
                event.c.before,
                event.c.after,
                event.c.request_id,
            ).order_by(event.c.id)
        )
        .mappings()
        .all()
    )
    previous, seq = GENESIS, 0
    for row in rows:
        seq += 1
        content = dict(row) | {
            "seq": seq,
            "before": _json(row["before"]),
            "after": _json(row["after"]),
        }
        digest = _hash(content, previous)
        connection.execute(
            event.update()
            .where(event.c.id == row["id"])
            .values(seq=seq, prev_hash=previous, hash=digest)
        )
        previous = digest
    connection.execute(
        sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
        .insert()
        .values(id=1, seq=seq, hash=previous)
    )

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_seq"), ["seq"])

    if connection.dialect.name == "postgresql":
        op.execute(PROTECT_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_is_append_only()")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_event_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    op.drop_table("audit_head")
