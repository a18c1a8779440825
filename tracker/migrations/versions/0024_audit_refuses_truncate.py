"""The audit trail refuses TRUNCATE on PostgreSQL: a statement-level trigger on audit_event
and audit_head raises, so emptying the trail takes dropping the trigger first, a deliberate
act of the table's owner (and still caught by the anchors outside the database). SQLite has
no TRUNCATE; its DELETE leaves the gaps and missing tail the chain and anchors detect.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 05:10:00

"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

TABLES = ("audit_event", "audit_head")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION audit_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail (%) cannot be truncated', TG_TABLE_NAME;
        END
        $$
        """
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_refuse_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate()"
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_refuse_truncate ON {table}")
    op.execute("DROP FUNCTION IF EXISTS audit_refuse_truncate()")
