"""Recurring task templates, and the link from each occurrence to its template.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 21:22:22.724448

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "recurring_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("code_prefix", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lead_unit_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("days_after_period_end", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("is_key", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "frequency IN ('monthly', 'quarterly', 'half_yearly')",
            name=op.f("ck_recurring_task_frequency_allowed"),
        ),
        sa.CheckConstraint(
            "days_after_period_end >= -27", name=op.f("ck_recurring_task_offset_range")
        ),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directive.id"],
            name=op.f("fk_recurring_task_directive_id_directive"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["lead_unit_id"],
            ["unit.id"],
            name=op.f("fk_recurring_task_lead_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_recurring_task_owner_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_task")),
        sa.UniqueConstraint(
            "directive_id", "code_prefix", name=op.f("uq_recurring_task_directive_id_code_prefix")
        ),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recurring_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_task_recurring_id"), ["recurring_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_task_recurring_id_recurring_task"),
            "recurring_task",
            ["recurring_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_task_recurring_id_recurring_task"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_task_recurring_id"))
        batch_op.drop_column("recurring_id")

    op.drop_table("recurring_task")
