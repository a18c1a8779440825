"""Urging notices, numbered per year, on overdue tasks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 21:08:03.966055

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "urging_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_urging_notice_sequence_positive")),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user_account.id"],
            name=op.f("fk_urging_notice_issued_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_urging_notice_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_urging_notice")),
        sa.UniqueConstraint("year", "sequence", name=op.f("uq_urging_notice_year_sequence")),
    )
    with op.batch_alter_table("urging_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_urging_notice_task_id"), ["task_id"], unique=False)


def downgrade():
    with op.batch_alter_table("urging_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_urging_notice_task_id"))

    op.drop_table("urging_notice")
