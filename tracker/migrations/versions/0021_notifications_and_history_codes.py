"""Notifications (an outbox: shown by the bell, mailed once), each user's choice of e-mail
for them, and history entries whose system text is kept as a code and values, so that it
is read in the reader's language. The English notes written before are turned into codes.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 02:00:00

"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

DAY = r"(\d\d/\d\d/\d{4})"
# (code, English pattern of the whole note, names of its values; the rest is the person's)
PATTERNS = [
    (
        "extension.requested",
        re.compile(rf"^Extension requested: deadline {DAY} → {DAY}\. Reason: ?(.*)$", re.S),
        ("old", "new"),
    ),
    (
        "extension.approved",
        re.compile(rf"^Extension approved: deadline {DAY} → {DAY}\. ?(.*)$", re.S),
        ("old", "new"),
    ),
    ("extension.rejected", re.compile(rf"^Extension to {DAY} rejected\. ?(.*)$", re.S), ("new",)),
    ("urging.issued", re.compile(r"^Urging notice (\d{4}/\d{4}): ?(.*)$", re.S), ("number",)),
    (
        "deadline.changed_by_admin",
        re.compile(rf"^Deadline changed by an administrator: {DAY} → {DAY}\.()$", re.S),
        ("old", "new"),
    ),
]
WHOLE = {"Task assigned.": "assigned", "Updated by import.": "import.updated"}
# The English each code had, for the downgrade.
ENGLISH = {
    "assigned": "Task assigned.",
    "import.updated": "Updated by import.",
    "progress.reported": "Progress report.",
    "extension.requested": "Extension requested: deadline {old} → {new}. Reason: {note}",
    "extension.approved": "Extension approved: deadline {old} → {new}. {note}",
    "extension.rejected": "Extension to {new} rejected. {note}",
    "urging.issued": "Urging notice {number}: {note}",
    "deadline.changed_by_admin": "Deadline changed by an administrator: {old} → {new}.",
}

status_update = sa.table(
    "status_update",
    sa.column("id", sa.Integer),
    sa.column("note", sa.Text),
    sa.column("note_code", sa.String),
    sa.column("note_values", sa.JSON),
)


def upgrade():
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_state", sa.String(length=10), nullable=False),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_attempts", sa.Integer(), nullable=False),
        sa.Column("mail_error", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "kind IN ('urging.issued', 'task.sent_back', 'extension.approved', "
            "'extension.rejected', 'obstacle.answered', 'task.assigned', 'deadline.changed')",
            name=op.f("ck_notification_kind_allowed"),
        ),
        sa.CheckConstraint(
            "mail_state IN ('pending', 'sent', 'skipped')",
            name=op.f("ck_notification_mail_state_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_notification_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["user_account.id"],
            name=op.f("fk_notification_recipient_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_notification_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index("ix_notification_recipient_id", "notification", ["recipient_id"], unique=False)
    op.create_index(
        "ix_notification_unread", "notification", ["recipient_id", "read_at"], unique=False
    )
    op.create_index(
        "ix_notification_mail_state", "notification", ["mail_state", "id"], unique=False
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_notifications", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("note_values", sa.JSON(), nullable=True))

    for english, code in WHOLE.items():
        op.execute(
            status_update.update()
            .where(status_update.c.note == english)
            .values(note_code=code, note="")
        )
    connection = op.get_bind()
    prefixes = ("Extension %", "Urging notice %", "Deadline changed by an administrator: %")
    rows = connection.execute(
        sa.select(status_update.c.id, status_update.c.note).where(
            sa.or_(*(status_update.c.note.like(prefix) for prefix in prefixes))
        )
    ).all()
    for row_id, note in rows:
        for code, pattern, names in PATTERNS:
            match = pattern.match(note)
            if match:
                *values, rest = match.groups()
                connection.execute(
                    status_update.update()
                    .where(status_update.c.id == row_id)
                    .values(
                        note_code=code,
                        note_values=dict(zip(names, values, strict=True)),
                        note=rest.strip(),
                    )
                )
                break


def downgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            status_update.c.id,
            status_update.c.note,
            status_update.c.note_code,
            status_update.c.note_values,
        ).where(status_update.c.note_code.is_not(None))
    ).all()
    for row_id, note, code, values in rows:
        english = ENGLISH.get(code, "").format(note=note or "", **(values or {})).strip()
        connection.execute(
            status_update.update().where(status_update.c.id == row_id).values(note=english)
        )
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.drop_column("note_values")
        batch_op.drop_column("note_code")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("email_notifications")
    op.drop_index("ix_notification_mail_state", table_name="notification")
    op.drop_index("ix_notification_unread", table_name="notification")
    op.drop_index("ix_notification_recipient_id", table_name="notification")
    op.drop_table("notification")
