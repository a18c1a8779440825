"""Open history entries in deadline order (partial), with the moments each was in force:
the first page of a task list as of a past day reads it class by class.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03 17:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

# A frozen copy of models.task.OPEN_ENTRY_SQL: a migration does not change with the code.
OPEN_ENTRY_SQL = "new_status IN ('not_started', 'in_progress', 'submitted')"


def upgrade():
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.create_index(
            "ix_status_update_open_deadline",
            ["deadline", "task_id"],
            unique=False,
            postgresql_include=["created_at", "superseded_at"],
            postgresql_where=sa.text(OPEN_ENTRY_SQL),
            sqlite_where=sa.text(OPEN_ENTRY_SQL),
        )


def downgrade():
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.drop_index("ix_status_update_open_deadline")
