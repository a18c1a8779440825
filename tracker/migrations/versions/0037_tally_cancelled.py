"""The kept counts' summary rows count the cancelled tasks too (in no timeliness class), so
that a task list's number of tasks is read from them instead of counting every task row
(at 3 million tasks a count of 130 ms on every page of the admin's list); filled here from
the tasks as they stand, and carried by the index of migration 0036.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-04 18:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

# Frozen copies: the summary row's day (models.tally.SUMMARY_DAY) and the columns the index
# of 0036 carries, with and without this one.
SUMMARY_DAY = "1900-01-01"
CARRIED = [
    "group_id",
    "is_key",
    "completed_on_time",
    "completed_late",
    "not_completed",
    "due",
    "due_day_total",
]

FILL = """
INSERT INTO task_tally (kind, group_id, is_key, day, completed_on_time, completed_late,
                        not_completed, due, due_day_total, cancelled)
SELECT '{kind}', {group}, is_key, {day}, 0, 0, 0, 0, 0, count(*)
FROM task WHERE status = 'cancelled'
GROUP BY {group}, is_key
ON CONFLICT (kind, group_id, is_key, day) DO UPDATE SET cancelled = excluded.cancelled
"""


def _index(include: list[str]) -> None:
    with op.batch_alter_table("task_tally", schema=None) as batch_op:
        batch_op.drop_index("ix_task_tally_kind_day")
        batch_op.create_index(
            "ix_task_tally_kind_day", ["kind", "day"], unique=False, postgresql_include=include
        )


def upgrade():
    with op.batch_alter_table("task_tally", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cancelled", sa.Integer(), nullable=False, server_default="0")
        )
    postgresql = op.get_bind().dialect.name == "postgresql"
    # A date literal: typed on PostgreSQL; SQLite keeps dates as ISO text.
    day = f"DATE '{SUMMARY_DAY}'" if postgresql else f"'{SUMMARY_DAY}'"
    for kind, group in (("u", "lead_unit_id"), ("d", "directive_id")):
        op.execute(FILL.format(kind=kind, group=group, day=day))
    if postgresql:
        _index([*CARRIED, "cancelled"])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _index(CARRIED)
    with op.batch_alter_table("task_tally", schema=None) as batch_op:
        batch_op.drop_column("cancelled")
