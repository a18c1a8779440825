"""Each closed period keeps the last history entry written when it was closed, so that
its *Changes since the close* are found from the entries written after it (a range of the
history's key) instead of asking every frozen task whether it moved: a national close of
160,000 tasks at 300,000 took a second to count and list them (about ten at 3 million).

Closings made before: the last entry dated at or before the close. A change of lead unit
wrote no history entry before this revision (it writes one now), so such a move made after
an earlier close and before this upgrade is no longer listed among its changes.

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-07 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("period_closing", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("history_mark", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE period_closing SET history_mark = COALESCE((SELECT MAX(status_update.id)"
        " FROM status_update WHERE status_update.created_at <= period_closing.closed_at), 0)"
    )


def downgrade():
    with op.batch_alter_table("period_closing", schema=None) as batch_op:
        batch_op.drop_column("history_mark")
