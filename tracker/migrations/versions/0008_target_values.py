"""Recorded values of target indicators over time.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 21:20:00.868326

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "target_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("source_note", sa.String(length=500), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_target_value_recorded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["target.id"],
            name=op.f("fk_target_value_target_id_target"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_value")),
        sa.UniqueConstraint(
            "target_id", "recorded_on", name=op.f("uq_target_value_target_id_recorded_on")
        ),
    )
    with op.batch_alter_table("target_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_target_value_target_id"), ["target_id"], unique=False)


def downgrade():
    with op.batch_alter_table("target_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_target_value_target_id"))

    op.drop_table("target_value")
