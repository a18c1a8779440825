"""History entries by task in the order they were written: the task page shows a task's
history newest first, a page at a time, and read it through (task_id, created_at) then
sorted — or, for a task with thousands of entries (which PostgreSQL's statistics know as a
frequent value), walked the whole history's primary key backwards until it had them all:
408 ms for a task with 12,167 entries among 3 million. Through this index the page reads its
own entries and the count reads the index alone. Verifying a submission (the task's last
submitted entry) is found the same way.

Building it takes the history's write lock for as long as it lasts: about 1 s at 300,000
tasks (3 million entries), 12 s at 3 million (647 MB). An index of that name already there
(built by hand first with `CREATE INDEX CONCURRENTLY`) is kept.

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-06 05:50:00

"""

from alembic import op

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_status_update_task_id", "status_update", ["task_id", "id"], if_not_exists=True
    )


def downgrade():
    op.drop_index("ix_status_update_task_id", table_name="status_update")
