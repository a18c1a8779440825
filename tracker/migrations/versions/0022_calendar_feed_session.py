"""Calendar feeds end when their owner's password, role, unit or active flag changes: each
feed keeps the owner's session token from when it was made (existing feeds take the
current one, so they keep working until the next such change).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 02:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE calendar_feed SET session_token = (SELECT user_account.session_token "
        "FROM user_account WHERE user_account.id = calendar_feed.user_id)"
    )


def downgrade():
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.drop_column("session_token")
