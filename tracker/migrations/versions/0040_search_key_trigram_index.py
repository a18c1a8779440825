"""The quick search finds a word anywhere in a task's or directive's search key
(`LIKE '%word%'`) through a trigram index on PostgreSQL (the pg_trgm extension, a GIN
index), instead of reading every task: a task code among 3 million tasks took 1.2 s, and
80 ms at 300,000. SQLite has no such index and keeps reading every row.

pg_trgm ships with PostgreSQL and is a trusted extension (PostgreSQL 13 and later): the
database's owner may create it. Where the role running the migration may not, this
migration stops with PostgreSQL's error; a superuser's `CREATE EXTENSION pg_trgm` in the
tracker's database, then `flask db upgrade` again, goes on. Building the index takes the
tasks' write lock for as long as it lasts (seconds at 300,000 tasks, about a minute at 3
million). The downgrade drops the indexes and leaves the extension (other schemas may use
it).

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-06 01:00:00

"""

from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None

TABLES = ("task", "directive")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES:
        op.create_index(
            f"ix_{table}_search_key_trgm",
            table,
            ["search_key"],
            postgresql_using="gin",
            postgresql_ops={"search_key": "gin_trgm_ops"},
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.drop_index(f"ix_{table}_search_key_trgm", table_name=table)
