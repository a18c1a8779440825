"""The open tasks given to no one, by unit: a unit's *Chưa giao ai* tab counts and lists
them, and a supervisor's or an admin's task list filtered to them counts them over the
whole tree. Counted from the tasks, that count read every task without an owner, open or
closed: 41 ms on PostgreSQL at 300,000 tasks (90,000 of them without an owner), 17 ms on
SQLite at 100,000, growing with the data. A partial index holds the waiting tasks alone,
by lead unit and deadline, so the count reads the index and a unit's tab its own range of
it; it leads with the owner (no one), as SQLite's planner takes an index the query narrows
over one it would read whole.

The owners' index now holds only the tasks that have one (a person's tasks are all it
serves): SQLite's planner, offered the whole index with its NULLs, read the tasks given to
no one through it rather than through the index of the waiting ones (as it did a task's
subtasks before migration 0038).

Building them takes the task table's write lock for as long as it lasts: under a second
at 300,000 tasks. An index named ix_task_waiting already there (built by hand first with
`CREATE INDEX CONCURRENTLY`) is kept.

Revision ID: 0050
Revises: 0049
Create Date: 2026-12-07 06:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0050"
down_revision = "0049"
branch_labels = None
depends_on = None

# A frozen copy of models.task.WAITING_SQL: a migration does not change with the code.
WAITING_SQL = "owner_id IS NULL AND status IN ('not_started', 'in_progress', 'submitted')"


def _owners_index(only_where_set: bool) -> None:
    where = sa.text("owner_id IS NOT NULL") if only_where_set else None
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_owner_id")
        batch_op.create_index(
            "ix_task_owner_id", ["owner_id"], postgresql_where=where, sqlite_where=where
        )


def upgrade():
    op.create_index(
        "ix_task_waiting",
        "task",
        ["owner_id", "lead_unit_id", "deadline", "id"],
        postgresql_where=sa.text(WAITING_SQL),
        sqlite_where=sa.text(WAITING_SQL),
        if_not_exists=True,
    )
    _owners_index(only_where_set=True)


def downgrade():
    _owners_index(only_where_set=False)
    op.drop_index("ix_task_waiting", table_name="task")
