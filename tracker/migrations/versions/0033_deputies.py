"""Deputies: a unit leader's deputy for a date range, and the leader a history entry's actor
acted for.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-02 18:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "delegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_delegation_range_forward")),
        sa.CheckConstraint("deputy_id <> leader_id", name=op.f("ck_delegation_not_oneself")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_delegation_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["leader_id"],
            ["user_account.id"],
            name=op.f("fk_delegation_leader_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["deputy_id"],
            ["user_account.id"],
            name=op.f("fk_delegation_deputy_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_delegation_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation")),
    )
    op.create_index(op.f("ix_delegation_unit_id"), "delegation", ["unit_id"])
    op.create_index(op.f("ix_delegation_deputy_id"), "delegation", ["deputy_id"])
    with op.batch_alter_table("status_update") as batch:
        batch.add_column(sa.Column("on_behalf_of_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_status_update_on_behalf_of_id_user_account"),
            "user_account",
            ["on_behalf_of_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("status_update") as batch:
        batch.drop_constraint(
            batch.f("fk_status_update_on_behalf_of_id_user_account"), type_="foreignkey"
        )
        batch.drop_column("on_behalf_of_id")
    op.drop_index(op.f("ix_delegation_deputy_id"), table_name="delegation")
    op.drop_index(op.f("ix_delegation_unit_id"), table_name="delegation")
    op.drop_table("delegation")
