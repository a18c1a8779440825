"""Timeliness counts kept with the tasks (models/tally.py): per lead unit and per directive,
split by key flag, the completed-on-time, completed-late and not-completed tasks, and the
not-completed tasks per deadline day; filled here from the tasks as they stand.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

SUMMARY_DAY = "1900-01-01"


def upgrade():
    op.create_table(
        "task_tally",
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("is_key", sa.Boolean(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("completed_on_time", sa.Integer(), nullable=False),
        sa.Column("completed_late", sa.Integer(), nullable=False),
        sa.Column("not_completed", sa.Integer(), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("due_day_total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "group_id", "is_key", "day", name=op.f("pk_task_tally")),
    )
    op.create_index("ix_task_tally_kind_day", "task_tally", ["kind", "day"], unique=False)
    # The same rule as models/tally.contributions, in SQL, once over the tasks as they are.
    postgres = op.get_bind().dialect.name == "postgresql"
    summary_day = f"DATE '{SUMMARY_DAY}'" if postgres else f"'{SUMMARY_DAY}'"
    for kind, column in (("u", "lead_unit_id"), ("d", "directive_id")):
        op.execute(
            f"""
            INSERT INTO task_tally (kind, group_id, is_key, day, completed_on_time,
                                    completed_late, not_completed, due, due_day_total)
            SELECT '{kind}', {column}, is_key, {summary_day},
                   SUM(CASE WHEN status = 'completed' AND completed_on <= deadline
                       THEN 1 ELSE 0 END),
                   SUM(CASE WHEN status = 'completed' AND completed_on > deadline
                       THEN 1 ELSE 0 END),
                   SUM(CASE WHEN status <> 'completed' THEN 1 ELSE 0 END),
                   0, 0
            FROM task WHERE status <> 'cancelled'
            GROUP BY {column}, is_key
            """
        )
        op.execute(
            f"""
            INSERT INTO task_tally (kind, group_id, is_key, day, completed_on_time,
                                    completed_late, not_completed, due, due_day_total)
            SELECT '{kind}', {column}, is_key, deadline, 0, 0, 0, COUNT(*), 0
            FROM task WHERE status NOT IN ('completed', 'cancelled')
            GROUP BY {column}, is_key, deadline
            """
        )


def downgrade():
    op.drop_index("ix_task_tally_kind_day", table_name="task_tally")
    op.drop_table("task_tally")
