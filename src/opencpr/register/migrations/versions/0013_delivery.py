"""delivery: what is left of a delivery cut at a night's time budget

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

``delivery_rest`` holds, for a subscriber system whose delivery was cut when the night's time
budget was spent, the rest of that night's selection (after a PNR), delivered first the next night.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "delivery_rest",
        sa.Column("system_id", _ID, autoincrement=False, nullable=False),
        sa.Column("night", sa.String(length=10), nullable=False),
        sa.Column("low", _ID, nullable=False),
        sa.Column("high", _ID, nullable=False),
        sa.Column("after_pnr", sa.String(length=10), nullable=False),
        sa.Column("initial", sa.Text(), nullable=False),
        sa.Column("changed", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("system_id", name=op.f("pk_delivery_rest")),
    )


def downgrade() -> None:
    op.drop_table("delivery_rest")
