"""A task given to someone else, or taken back, tells the person who had it: a new
notification kind, task.taken_from_you. Until now it only left their list without a word.

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-07 03:45:00

"""

from alembic import op

revision = "0049"
down_revision = "0048"
branch_labels = None
depends_on = None

CONSTRAINT = "ck_notification_kind_allowed"
KINDS = (
    "'urging.issued', 'task.sent_back', 'extension.approved', 'extension.rejected', "
    "'obstacle.answered', 'task.assigned', 'deadline.changed', 'task.given_to_unit', "
    "'tasks.imported'"
)


def upgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch_op.create_check_constraint(
            "kind_allowed", f"kind IN ({KINDS}, 'task.taken_from_you')"
        )


def downgrade():
    op.execute("DELETE FROM notification WHERE kind = 'task.taken_from_you'")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch_op.create_check_constraint("kind_allowed", f"kind IN ({KINDS})")
