"""console across server processes: a shared CSRF key and the console's last request per session

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02

``server_key`` holds secrets the first server process makes and every process reads (the
console's CSRF key), so that a form rendered by one worker is accepted by another.
``user_session.console_seen`` is the console's last request on a session: its 30-minute idle
timeout holds whichever worker answers.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_key",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=19), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_key")),
    )
    op.add_column("user_session", sa.Column("console_seen", sa.String(length=19), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("console_seen")
    op.drop_table("server_key")
