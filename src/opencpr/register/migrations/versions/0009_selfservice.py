"""self-service: the municipality's decision on a report in the pending register

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

A citizen's report waits in ``pending_event`` (state ``awaiting_approval``) until the
municipality in charge approves or rejects it. The decision is kept on the row: who decided
(``decided_by``, the caseworker's user code), when (``decided_at``), what (``decision``:
``approved`` or ``rejected``) and the reason given (``reason``). The municipality's inbox reads
the reports by municipality and state.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pending_event", sa.Column("decision", sa.String(length=10), nullable=True))
    op.add_column("pending_event", sa.Column("decided_by", sa.String(length=40), nullable=True))
    op.add_column("pending_event", sa.Column("decided_at", sa.String(length=19), nullable=True))
    op.add_column("pending_event", sa.Column("reason", sa.Text(), nullable=True))
    op.create_index(op.f("ix_pending_event_municipality_state"), "pending_event", ["municipality", "state"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_event_municipality_state"), table_name="pending_event")
    with op.batch_alter_table("pending_event") as batch:
        for column in ("reason", "decided_at", "decided_by", "decision"):
            batch.drop_column(column)
