"""Units' search keys: each unit's code and name folded (lower case, without diacritics),
so that the admin forms' unit search finds "Bộ Tài chính" by "bo tai chinh"; filled in for
the units already there.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-06 02:40:00

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

BATCH = 5000


def fold(text):
    """A frozen copy of domain.search_text.fold: a migration does not change with the code."""
    if not text:
        return ""
    letters = {"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}
    decomposed = unicodedata.normalize("NFD", text.translate(str.maketrans(letters)))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def upgrade():
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_key", sa.String(length=300), server_default="", nullable=False)
        )
    connection = op.get_bind()
    unit = sa.table(
        "unit", sa.column("id"), sa.column("code"), sa.column("name"), sa.column("search_key")
    )
    rows = connection.execute(sa.select(unit.c.id, unit.c.code, unit.c.name)).all()
    update = (
        sa.update(unit)
        .where(unit.c.id == sa.bindparam("unit_id"))
        .values(search_key=sa.bindparam("key"))
    )
    for start in range(0, len(rows), BATCH):
        connection.execute(
            update,
            [
                {"unit_id": id_, "key": fold(f"{code} {name}")}
                for id_, code, name in rows[start : start + BATCH]
            ],
        )


def downgrade():
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_column("search_key")
