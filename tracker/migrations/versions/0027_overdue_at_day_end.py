"""Overdue counts at the end of past days, stored for the dashboard's trend
(models/day_end.py): written by the scheduler, deleted by changes that may alter them.
Empty at first: the trend counts from the history until the first scheduled run.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "overdue_at_day_end",
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("is_key", sa.Boolean(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "group_id", "is_key", "day", name=op.f("pk_overdue_at_day_end")
        ),
    )


def downgrade():
    op.drop_table("overdue_at_day_end")
