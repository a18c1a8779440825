"""An extension request still pending when its task was closed (completed or cancelled)
lapses: it showed "Pending" on the task for ever, though no one could decide it any more
(a closed task's deadline no longer moves). The requests already in that state lapse at
the moment their task was last changed.

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-06 17:30:00

"""

from alembic import op

revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None

CONSTRAINT = "ck_extension_request_status_allowed"


def upgrade():
    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch_op.create_check_constraint(
            "status_allowed", "status IN ('pending', 'approved', 'rejected', 'lapsed')"
        )
    op.execute(
        "UPDATE extension_request SET status = 'lapsed', decided_at = ("
        " SELECT task.updated_at FROM task WHERE task.id = extension_request.task_id)"
        " WHERE status = 'pending' AND task_id IN ("
        " SELECT id FROM task WHERE status IN ('completed', 'cancelled'))"
    )


def downgrade():
    op.execute(
        "UPDATE extension_request SET status = 'pending', decided_at = NULL WHERE status = 'lapsed'"
    )
    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch_op.create_check_constraint(
            "status_allowed", "status IN ('pending', 'approved', 'rejected')"
        )
