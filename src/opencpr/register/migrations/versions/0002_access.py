"""access control and audit

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Tables of :mod:`opencpr.register.access_schema`: security groups, users, password history, sessions,
subscriber systems, the audit trail (records, person index, chain head) and usage counters.
The chain head starts at record 0 with the genesis hash.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "security_group",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("permissions", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(length=19), nullable=True),
        sa.Column("updated_by", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_security_group")),
    )
    op.create_table(
        "user_account",
        sa.Column("user_code", sa.String(length=8), nullable=False),
        sa.Column("authority", sa.String(length=4), nullable=False),
        sa.Column("group_name", sa.String(length=40), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("password_set_at", sa.String(length=19), nullable=False),
        sa.Column("must_change", sa.Boolean(), nullable=False),
        sa.Column("failed_signons", sa.Integer(), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=19), nullable=False),
        sa.ForeignKeyConstraint(["group_name"], ["security_group.name"], name="fk_user_account_group_name"),
        sa.PrimaryKeyConstraint("user_code", name=op.f("pk_user_account")),
    )
    op.create_table(
        "password_history",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("user_code", sa.String(length=8), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.String(length=19), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_history")),
    )
    op.create_index(op.f("ix_password_history_user_code_id"), "password_history", ["user_code", "id"])
    op.create_table(
        "user_session",
        sa.Column("token", sa.String(length=8), nullable=False),
        sa.Column("user_code", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.String(length=19), nullable=False),
        sa.Column("expires_at", sa.String(length=19), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_user_session")),
    )
    op.create_index(op.f("ix_user_session_expires_at"), "user_session", ["expires_at"])
    op.create_table(
        "subscriber_system",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("cvr", sa.String(length=8), nullable=False),
        sa.Column("uid", sa.String(length=40), server_default="", nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("agreement_uuid", sa.String(length=36), nullable=False),
        sa.Column("group_name", sa.String(length=40), nullable=False),
        sa.Column("authority", sa.String(length=4), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=19), nullable=False),
        sa.ForeignKeyConstraint(["group_name"], ["security_group.name"],
                                name="fk_subscriber_system_group_name"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriber_system")),
        sa.UniqueConstraint("cvr", "uid", name=op.f("uq_subscriber_system_cvr_uid")),
    )
    op.create_table(
        "audit_record",
        sa.Column("id", _ID, autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=19), nullable=False),
        sa.Column("actor_kind", sa.String(length=8), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("authority", sa.String(length=4), nullable=True),
        sa.Column("group_name", sa.String(length=40), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("persons", sa.Text(), nullable=True),
        sa.Column("result_code", sa.Integer(), nullable=False),
        sa.Column("result_text", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_record")),
    )
    op.create_index(op.f("ix_audit_record_actor_id"), "audit_record", ["actor", "id"])
    op.create_table(
        "audit_person",
        sa.Column("pnr", sa.String(length=10), nullable=False),
        sa.Column("audit_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("pnr", "audit_id", name=op.f("pk_audit_person")),
        sqlite_with_rowid=False,
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "last_hash": "0" * 64}])
    op.create_table(
        "usage_counter",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("authority", sa.String(length=4), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "authority", "actor", "service", name=op.f("pk_usage_counter")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("usage_counter")
    op.drop_table("audit_head")
    op.drop_table("audit_person")
    op.drop_index(op.f("ix_audit_record_actor_id"), table_name="audit_record")
    op.drop_table("audit_record")
    op.drop_table("subscriber_system")
    op.drop_index(op.f("ix_user_session_expires_at"), table_name="user_session")
    op.drop_table("user_session")
    op.drop_index(op.f("ix_password_history_user_code_id"), table_name="password_history")
    op.drop_table("password_history")
    op.drop_table("user_account")
    op.drop_table("security_group")
