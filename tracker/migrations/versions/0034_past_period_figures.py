"""The period report's figures of periods that are over, stored per lead unit and per
directive (models/past_period.py): written by the scheduler, deleted by changes that may
alter them. Empty at first: period reports count from the history until the first run.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-03 08:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

FIGURES = (
    "assigned",
    "due",
    "completed_on_time",
    "completed_late",
    "within_deadline",
    "overdue",
    "due_completed_on_time",
    "due_completed_late",
    "due_overdue",
)


def upgrade():
    op.create_table(
        "past_period_figures",
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("is_key", sa.Boolean(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES),
        sa.PrimaryKeyConstraint(
            "period_start",
            "period_end",
            "kind",
            "group_id",
            "is_key",
            name=op.f("pk_past_period_figures"),
        ),
    )


def downgrade():
    op.drop_table("past_period_figures")
