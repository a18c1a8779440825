"""A task's created_at is when it was first recorded: moved back to its first history entry
where that is earlier (history written with a past date), so that period reports count the
tasks new in a period from the task rows instead of the whole history.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 15:15:00

"""

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE task SET created_at = (SELECT MIN(status_update.created_at) FROM status_update"
        " WHERE status_update.task_id = task.id)"
        " WHERE (SELECT MIN(status_update.created_at) FROM status_update"
        " WHERE status_update.task_id = task.id) < task.created_at"
    )


def downgrade():
    pass  # the earlier moment is the right one; nothing to undo
