"""search: folded names and indexes for name, address and birth-date searches

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Tables ``name_search``, ``name_word`` and ``road_name`` (see :mod:`opencpr.register.search_index`),
indexes on ``address`` (municipality, road, house number) and ``person`` (birth date), and the
trigram index for part-of-name search: pg_trgm's GIN index on PostgreSQL, an FTS5 table with the
trigram tokenizer on SQLite. The structures are filled from the rows already in the register.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    from opencpr.register import search_index

    conn = op.get_bind()
    pg = conn.dialect.name == "postgresql"
    op.create_table(
        "name_search",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("pnr", sa.String(length=10), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("words", sa.String(length=200), nullable=False),
        sa.Column("sort_name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_name_search")),
    )
    op.create_index(op.f("ix_name_search_pnr"), "name_search", ["pnr"])
    op.create_table(
        "name_word",
        sa.Column("word", sa.String(length=60), nullable=False),
        sa.Column("sort_name", sa.String(length=200), nullable=False),
        sa.Column("pnr", sa.String(length=10), nullable=False),
        sa.Column("in_current", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("word", "sort_name", "pnr", name=op.f("pk_name_word")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_name_word_pnr"), "name_word", ["pnr"])
    op.create_table(
        "road_name",
        sa.Column("municipality", sa.String(length=4), nullable=False),
        sa.Column("road", sa.String(length=4), nullable=False),
        sa.Column("postal_code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("folded", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("municipality", "road", "postal_code", name=op.f("pk_road_name")),
    )
    op.create_index(op.f("ix_road_name_municipality_folded"), "road_name", ["municipality", "folded"])
    op.create_index(op.f("ix_road_name_postal_code_folded"), "road_name", ["postal_code", "folded"])
    op.create_index(op.f("ix_address_municipality_road_house_no"), "address",
                    ["municipality", "road", "house_no"])
    op.create_index(op.f("ix_person_birth_date"), "person", ["birth_date"])
    if pg:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX {search_index.TRIGRAM_INDEX} ON name_search USING gin (words gin_trgm_ops)")
    else:
        op.execute(f"CREATE VIRTUAL TABLE {search_index.FTS_TABLE} USING fts5(words, content='name_search', "
                   "content_rowid='id', tokenize='trigram')")
    search_index.rebuild(conn)


def downgrade() -> None:
    from opencpr.register import search_index

    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {search_index.TRIGRAM_INDEX}")
    else:
        op.execute(f"DROP TABLE IF EXISTS {search_index.FTS_TABLE}")
    op.drop_index(op.f("ix_person_birth_date"), table_name="person")
    op.drop_index(op.f("ix_address_municipality_road_house_no"), table_name="address")
    op.drop_table("road_name")
    op.drop_table("name_word")
    op.drop_table("name_search")
