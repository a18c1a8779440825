"""Tasks an import gives a unit tell its leaders, once per import: a new notification kind,
tasks.imported. Imports are how a national plan's hundreds of tasks arrive, and until now
they told only the owners they named.

Revision ID: 0048
Revises: 0047
Create Date: 2026-12-07 01:40:00

"""

from alembic import op

revision = "0048"
down_revision = "0047"
branch_labels = None
depends_on = None

CONSTRAINT = "ck_notification_kind_allowed"
KINDS = (
    "'urging.issued', 'task.sent_back', 'extension.approved', 'extension.rejected', "
    "'obstacle.answered', 'task.assigned', 'deadline.changed', 'task.given_to_unit'"
)


def upgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch_op.create_check_constraint("kind_allowed", f"kind IN ({KINDS}, 'tasks.imported')")


def downgrade():
    op.execute("DELETE FROM notification WHERE kind = 'tasks.imported'")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch_op.create_check_constraint("kind_allowed", f"kind IN ({KINDS})")
