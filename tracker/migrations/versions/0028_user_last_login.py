"""Each account's last sign-in, so that the users list shows it and dormant accounts can be
found (INACTIVE_AFTER_DAYS); filled from the browser sessions already recorded.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02 15:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE user_account SET last_login_at = (SELECT MAX(login_session.created_at)"
        " FROM login_session WHERE login_session.user_id = user_account.id)"
    )


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("last_login_at")
