"""Task confidentiality: normal, confidential or secret (only normal tasks are public).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 22:10:59.401433

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "confidentiality", sa.String(length=20), nullable=False, server_default="normal"
            )
        )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.alter_column("confidentiality", server_default=None)
        batch_op.create_check_constraint(
            "confidentiality_allowed", "confidentiality IN ('normal', 'confidential', 'secret')"
        )


def downgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_task_confidentiality_allowed"), type_="check")
        batch_op.drop_column("confidentiality")
