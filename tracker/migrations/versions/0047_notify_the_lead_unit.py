"""A task given to a unit (created by hand or through the API, or moved to another lead
unit) tells the unit's leaders: a new notification kind, task.given_to_unit. Until now only
the owner named was told, and most tasks are created without one — the leader, who gives
the task to someone, learnt of it from the unit's list.

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-07 01:10:00

"""

from alembic import op

revision = "0047"
down_revision = "0046"
branch_labels = None
depends_on = None

CONSTRAINT = "ck_notification_kind_allowed"
KINDS = (
    "'urging.issued', 'task.sent_back', 'extension.approved', 'extension.rejected', "
    "'obstacle.answered', 'task.assigned', 'deadline.changed'"
)


def upgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch_op.create_check_constraint("kind_allowed", f"kind IN ({KINDS}, 'task.given_to_unit')")


def downgrade():
    op.execute("DELETE FROM notification WHERE kind = 'task.given_to_unit'")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch_op.create_check_constraint("kind_allowed", f"kind IN ({KINDS})")
