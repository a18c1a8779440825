"""Each history entry carries the moment it stopped being the task's record in force (the
earliest moment of the task's later entries), so a past day's record is found by a condition
on each row instead of searching every task's entries for its last one.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 17:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("status_update") as batch:
        batch.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE status_update SET superseded_at = computed.until FROM ("
        " SELECT id, MIN(created_at) OVER (PARTITION BY task_id ORDER BY id DESC"
        " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS until FROM status_update"
        ") AS computed WHERE computed.id = status_update.id AND computed.until IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("status_update") as batch:
        batch.drop_column("superseded_at")
