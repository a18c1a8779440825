"""Sessions expire: each browser session keeps when it was last seen, so that one idle for
SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS is over (existing rows: their start).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 02:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE login_session SET last_seen_at = created_at")


def downgrade():
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
