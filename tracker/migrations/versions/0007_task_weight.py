"""Task weight: the share of a subtask in its parent's percent done.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 21:15:23.354322

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("weight", sa.SmallInteger(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.alter_column("weight", server_default=None)
        batch_op.create_check_constraint("weight_range", "weight BETWEEN 1 AND 1000")


def downgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_task_weight_range"), type_="check")
        batch_op.drop_column("weight")
