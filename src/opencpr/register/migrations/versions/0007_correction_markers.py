"""correction markers: child, previous PNR, municipal conditions and notes, protection

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Data maintenance (handbook §3.2.2) keeps a corrected row marked ``K`` and an undone row marked
``A``. The tables of kinds without history rows had no place for the marker: ``child`` (record
014), ``previous_pnr`` (022), ``municipal_condition`` (018), ``note`` (019) and ``protection``
(004) get a nullable ``correction`` column (blank on every existing row).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TABLES = ("child", "previous_pnr", "municipal_condition", "note", "protection")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column("correction", sa.String(length=1), nullable=True))


def downgrade() -> None:
    for table in reversed(_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("correction")
