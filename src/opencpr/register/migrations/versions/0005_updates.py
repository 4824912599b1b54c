"""update services: update sessions and the pending register

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

``update_session`` holds the dialogue of an event (initiate, validate, save, cancel);
``pending_event`` is the pending register (venteregister): future-dated events and events
waiting for approval.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "update_session",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("event_code", sa.String(length=3), nullable=False),
        sa.Column("pnr", sa.String(length=10), nullable=True),
        sa.Column("event_date", sa.String(length=10), nullable=True),
        sa.Column("authority", sa.String(length=4), nullable=True),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("keys", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=True),
        sa.Column("versions", sa.Text(), nullable=True),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=19), nullable=False),
        sa.Column("updated_at", sa.String(length=19), nullable=False),
        sa.Column("expires_at", sa.String(length=19), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_session")),
    )
    op.create_table(
        "pending_event",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("event_code", sa.String(length=3), nullable=False),
        sa.Column("pnr", sa.String(length=10), nullable=True),
        sa.Column("event_date", sa.String(length=10), nullable=False),
        sa.Column("authority", sa.String(length=4), nullable=True),
        sa.Column("municipality", sa.String(length=4), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.String(length=40), nullable=False),
        sa.Column("reported_at", sa.String(length=19), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("session_id", sa.String(length=20), nullable=True),
        sa.Column("resolved_at", sa.String(length=19), nullable=True),
        sa.Column("resolved_by", sa.String(length=40), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_event")),
    )
    with op.batch_alter_table("pending_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_event_state_event_date"), ["state", "event_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_pending_event_pnr"), ["pnr"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_event_pnr"))
        batch_op.drop_index(batch_op.f("ix_pending_event_state_event_date"))
    op.drop_table("pending_event")
    op.drop_table("update_session")
