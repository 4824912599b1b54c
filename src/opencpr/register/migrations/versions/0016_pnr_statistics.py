"""The statistics of the columns 0015 changed, where they are missing (PostgreSQL)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08

Changing a column's type drops its statistics, and 0015 as first written did not gather them
again: a register upgraded with it planned its queries on PNR columns blind until autovacuum
happened to analyse each table (a table that is rarely changed, never). This analyses every table
that has rows but lacks the statistics of one of its ``"C"`` columns. A register upgraded by
0015 as it is now has them all: nothing to do.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: the tables with a column in the "C" collation (0015's) and no statistics for it
_MISSING = sa.text("""
    SELECT DISTINCT c.table_name FROM information_schema.columns c
    WHERE c.table_schema = current_schema() AND c.collation_name = 'C'
      AND NOT EXISTS (SELECT FROM pg_stats s WHERE s.schemaname = c.table_schema
                      AND s.tablename = c.table_name AND s.attname = c.column_name)
    ORDER BY c.table_name""")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for (table,) in bind.execute(_MISSING).all():
        if bind.execute(sa.text(f'SELECT EXISTS (SELECT FROM "{table}")')).scalar():
            op.execute(f'ANALYZE "{table}"')


def downgrade() -> None:
    pass  # statistics are not part of the schema
