"""Indexes for the overdue list at national scale: open tasks in deadline order (partial),
and completion days (the check that the overdue list may use the former).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26 02:52:26.229477

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# A frozen copy of models.task.OPEN_STATUS_SQL: a migration does not change with the code.
OPEN_STATUS_SQL = "status IN ('not_started', 'in_progress', 'submitted')"


def upgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index("ix_task_completed_on", ["completed_on"], unique=False)
        batch_op.create_index(
            "ix_task_open_deadline",
            ["deadline", "id"],
            unique=False,
            postgresql_where=sa.text(OPEN_STATUS_SQL),
            sqlite_where=sa.text(OPEN_STATUS_SQL),
        )


def downgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_open_deadline")
        batch_op.drop_index("ix_task_completed_on")
