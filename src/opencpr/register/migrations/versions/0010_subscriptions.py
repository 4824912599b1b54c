"""subscriptions: SF6002 filters, the subscriber systems' setup, extraction nights and deliveries

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

``subscription_system`` holds a subscriber system's UserSystemUUID, SSH key and how far its
change extracts have come; ``subscription_filter`` its filters; ``extraction_night`` the event-log
mark each night reads up to; ``delivery`` the files put in the systems' ``IN`` folders.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "subscription_system",
        sa.Column("system_id", _ID, autoincrement=False, nullable=False),
        sa.Column("user_system_uuid", sa.String(length=36), nullable=True),
        sa.Column("ssh_public_key", sa.Text(), nullable=True),
        sa.Column("delivered_through", _ID, server_default="0", nullable=False),
        sa.Column("night", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("system_id", name=op.f("pk_subscription_system")),
    )
    op.create_table(
        "subscription_filter",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("system_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=10), nullable=False),
        sa.Column("initial_due", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.String(length=19), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_filter")),
        sa.UniqueConstraint("system_id", "kind", "value", name=op.f("uq_subscription_filter_system_id_kind_value")),
    )
    op.create_table(
        "extraction_night",
        sa.Column("night", sa.String(length=10), nullable=False),
        sa.Column("high_event_id", _ID, nullable=False),
        sa.Column("started_at", sa.String(length=19), nullable=False),
        sa.Column("finished_at", sa.String(length=19), nullable=True),
        sa.Column("stopped_by_budget", sa.Boolean(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("night", name=op.f("pk_extraction_night")),
    )
    op.create_table(
        "delivery",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("system_id", _ID, nullable=False),
        sa.Column("night", sa.String(length=10), nullable=False),
        sa.Column("task_number", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=40), nullable=False),
        sa.Column("size", _ID, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("initial_persons", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=19), nullable=False),
        sa.Column("fetched_at", sa.String(length=19), nullable=True),
        sa.Column("expired_at", sa.String(length=19), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("system_id", "file_name", name=op.f("uq_delivery_system_id_file_name")),
    )
    op.create_index(op.f("ix_delivery_fetched_at_expired_at_created_at"), "delivery",
                    ["fetched_at", "expired_at", "created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_fetched_at_expired_at_created_at"), table_name="delivery")
    for table in ("delivery", "extraction_night", "subscription_filter", "subscription_system"):
        op.drop_table(table)
