"""search filters: the name search's filter values on name_word

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

``name_word`` gets the person's ``sex``, ``birth_date``, ``status``, the ``municipality`` of the
current address and the ``country`` of the current citizenship (NULL when there is none), so that
NVNSOG2's filters are plain predicates on the rows its primary-key range scan reads instead of
joins into ``person``, ``address`` and ``citizenship`` per candidate. The columns are filled with
one set-wise ``UPDATE … FROM`` (:func:`opencpr.register.search_index.fill_filters`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (("sex", 1), ("birth_date", 10), ("status", 2), ("municipality", 4), ("country", 4))


def upgrade() -> None:
    from opencpr.register import search_index

    for column, length in _COLUMNS:
        op.add_column("name_word", sa.Column(column, sa.String(length=length), nullable=True))
    conn = op.get_bind()
    search_index.fill_filters(conn, "1 = 1", {})
    op.execute("ANALYZE name_word")


def downgrade() -> None:
    for column, _ in reversed(_COLUMNS):
        op.drop_column("name_word", column)
