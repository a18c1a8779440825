"""Evidence: uploaded files and links, moved out of status_update.evidence.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:44:16.052779

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("status_update_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=True),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'file' AND stored_name IS NOT NULL AND url IS NULL) "
            "OR (kind = 'link' AND url IS NOT NULL AND stored_name IS NULL)",
            name=op.f("ck_evidence_file_or_link"),
        ),
        sa.CheckConstraint("kind IN ('file', 'link')", name=op.f("ck_evidence_kind_allowed")),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["user_account.id"],
            name=op.f("fk_evidence_added_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["status_update_id"],
            ["status_update.id"],
            name=op.f("fk_evidence_status_update_id_status_update"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_evidence_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_evidence_stored_name")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_status_update_id"), ["status_update_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_task_id"), ["task_id"], unique=False)

    # Links given with earlier progress reports become evidence rows of their own.
    op.execute(
        "INSERT INTO evidence (task_id, status_update_id, kind, url, original_name, "
        "content_type, size_bytes, sha256, note, added_by_id, created_at) "
        "SELECT task_id, id, 'link', evidence, '', '', 0, '', '', actor_id, created_at "
        "FROM status_update WHERE evidence <> ''"
    )
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.drop_column("evidence")


def downgrade():
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("evidence", sa.String(length=500), nullable=False, server_default="")
        )
    op.execute(
        "UPDATE status_update SET evidence = (SELECT MIN(url) FROM evidence "
        "WHERE evidence.status_update_id = status_update.id AND evidence.kind = 'link') "
        "WHERE EXISTS (SELECT 1 FROM evidence WHERE evidence.status_update_id = status_update.id "
        "AND evidence.kind = 'link')"
    )
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.alter_column("evidence", server_default=None)

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_task_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_status_update_id"))

    op.drop_table("evidence")
