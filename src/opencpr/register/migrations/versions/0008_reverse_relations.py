"""reverse relations: indexes on the PNRs that name another person

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

A person is named on other persons' rows as their guardian (``guardianship.guardian_pnr``), as
the holder of their parental authority (``parental_authority.holder_pnr``) and as the parent
whose address is a child's second home (``shared_residence.other_pnr``). An event that changes
the person (a change of PNR) reads those rows by the person's PNR: each column gets an index.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_INDEXES = (("guardianship", "guardian_pnr"), ("parental_authority", "holder_pnr"),
            ("shared_residence", "other_pnr"))


def upgrade() -> None:
    for table, column in _INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def downgrade() -> None:
    for table, column in reversed(_INDEXES):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
