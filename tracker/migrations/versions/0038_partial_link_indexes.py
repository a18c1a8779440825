"""A task's parent and recurring template are indexed only where they are set (partial
indexes, WHERE ... IS NOT NULL): almost every task has neither, and SQLite's planner, told
by ANALYZE that the whole index holds one value (NULL), scanned every task to find a task's
subtasks instead (18 ms of the task page at 100,000 tasks; 0.1 ms with the partial index).
PostgreSQL used either index; the partial ones are also smaller.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-04 22:00:00

"""

from alembic import op
from sqlalchemy import text

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

COLUMNS = ("parent_id", "recurring_id")


def _indexes(only_where_set: bool) -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        for column in COLUMNS:
            where = text(f"{column} IS NOT NULL") if only_where_set else None
            batch_op.drop_index(f"ix_task_{column}")
            batch_op.create_index(
                f"ix_task_{column}", [column], postgresql_where=where, sqlite_where=where
            )


def upgrade():
    _indexes(only_where_set=True)


def downgrade():
    _indexes(only_where_set=False)
