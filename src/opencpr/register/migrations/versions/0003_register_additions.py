"""register additions: shared residence

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Data the extract layout does not carry but the services need: ``shared_residence`` (delt bopæl).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_residence",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("pnr", sa.String(length=10), nullable=False),
        sa.Column("other_pnr", sa.String(length=10), nullable=True),
        sa.Column("municipality", sa.String(length=4), nullable=True),
        sa.Column("road", sa.String(length=4), nullable=True),
        sa.Column("house_no", sa.String(length=4), nullable=True),
        sa.Column("floor", sa.String(length=2), nullable=True),
        sa.Column("door", sa.String(length=4), nullable=True),
        sa.Column("building_no", sa.String(length=4), nullable=True),
        sa.Column("valid_from", sa.String(length=16), nullable=True),
        sa.Column("valid_to", sa.String(length=16), nullable=True),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("correction", sa.String(length=1), nullable=True),
        sa.Column("authority", sa.String(length=4), nullable=True),
        sa.Column("registered_at", sa.String(length=19), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_residence")),
    )
    with op.batch_alter_table("shared_residence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shared_residence_pnr_id"), ["pnr", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shared_residence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shared_residence_pnr_id"))
    op.drop_table("shared_residence")
