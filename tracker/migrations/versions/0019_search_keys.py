"""Search keys: each task's and directive's code and title folded (lower case, without
diacritics), so that "nghi quyet" finds "Nghị quyết"; filled in for the rows already there.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26 03:20:00

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BATCH = 5000


def fold(text):
    """A frozen copy of domain.search_text.fold: a migration does not change with the code."""
    if not text:
        return ""
    text = text.translate(str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ø": "o", "ł": "l"}))
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def fill(table_name: str) -> None:
    connection = op.get_bind()
    table = sa.table(
        table_name, sa.column("id"), sa.column("code"), sa.column("title"), sa.column("search_key")
    )
    rows = connection.execute(sa.select(table.c.id, table.c.code, table.c.title)).all()
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values(search_key=sa.bindparam("key"))
    )
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        connection.execute(
            update,
            [{"row_id": id_, "key": fold(f"{code} {title}")} for id_, code, title in batch],
        )


def upgrade():
    for table_name in ("directive", "task"):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("search_key", sa.String(length=600), server_default="", nullable=False)
            )
        fill(table_name)


def downgrade():
    for table_name in ("task", "directive"):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column("search_key")
