"""History entries carry the deadline in force, so reports can be rebuilt as of a past day.

Existing entries get the deadline the record implies: the latest extension approved at or
before the entry, else the task's original deadline.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 22:45:42.172336

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE status_update SET deadline = COALESCE(
    (SELECT er.requested_deadline FROM extension_request er
      WHERE er.task_id = status_update.task_id AND er.status = 'approved'
        AND er.decided_at <= status_update.created_at
      ORDER BY er.decided_at DESC, er.id DESC LIMIT 1),
    (SELECT t.original_deadline FROM task t WHERE t.id = status_update.task_id))
"""


def upgrade():
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline", sa.Date(), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.alter_column("deadline", existing_type=sa.Date(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_status_update_task_id"))
        batch_op.create_index(
            "ix_status_update_task_created", ["task_id", "created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.drop_index("ix_status_update_task_created")
        batch_op.create_index(batch_op.f("ix_status_update_task_id"), ["task_id"], unique=False)
        batch_op.drop_column("deadline")
