"""PNR columns and the name search's ordered words in the "C" collation (PostgreSQL)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

On PostgreSQL these columns are now compared byte by byte (SQLite compares bytes already:
nothing changes there):

* every column that holds a CPR number. Ten digits sort the same in any collation, and the
  database locale's comparison made each PNR index slower to build after a bulk load and to
  probe on every lookup. They change together, so that a join of one PNR column to another keeps
  using the index on either side;
* the name search's folded words and sort names (``name_word.word``, ``name_word.sort_name``,
  ``name_search.sort_name``), whose prefix ranges and order rely on code-point order. They had it
  only in a database created with a code-point locale (C, C.UTF-8); under da_DK ``aa`` sorted as
  ``å`` and a prefix range missed names.

The rows are not rewritten (the types stay ``varchar``), but every index on these columns is
built again: on a register of millions of persons the upgrade takes minutes. Changing a column's
type drops its statistics, so each table is analysed again afterwards (without, the planner
guesses, and a lookup on a register of a million persons took half a second). Registers upgraded
before that was done get their statistics back from 0016.
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_PNR = 10
#: (table, ((column, varchar length), …)) compared byte by byte, as of this revision.
COLUMNS: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = (
    ("person", (("pnr", _PNR), ("current_pnr", _PNR), ("mother_pnr", _PNR), ("father_pnr", _PNR))),
    ("address", (("pnr", _PNR),)), ("clear_address", (("pnr", _PNR),)), ("protection", (("pnr", _PNR),)),
    ("departure", (("pnr", _PNR),)), ("contact_address", (("pnr", _PNR),)), ("disappearance", (("pnr", _PNR),)),
    ("name", (("pnr", _PNR),)), ("citizenship", (("pnr", _PNR),)), ("church", (("pnr", _PNR),)),
    ("civil_status", (("pnr", _PNR), ("spouse_pnr", _PNR))), ("separation", (("pnr", _PNR),)),
    ("child", (("pnr", _PNR), ("child_pnr", _PNR))), ("parental_authority", (("pnr", _PNR), ("holder_pnr", _PNR))),
    ("guardianship", (("pnr", _PNR), ("guardian_pnr", _PNR))), ("municipal_condition", (("pnr", _PNR),)),
    ("note", (("pnr", _PNR),)), ("election", (("pnr", _PNR),)), ("relocation_order", (("pnr", _PNR),)),
    ("previous_pnr", (("pnr", _PNR), ("old_pnr", _PNR))), ("event", (("pnr", _PNR),)),
    ("name_search", (("pnr", _PNR), ("sort_name", 200))),
    ("name_word", (("word", 60), ("sort_name", 200), ("pnr", _PNR))),
    ("shared_residence", (("pnr", _PNR), ("other_pnr", _PNR))), ("update_session", (("pnr", _PNR),)),
    ("pending_event", (("pnr", _PNR),)), ("delivery_rest", (("after_pnr", _PNR),)), ("audit_person", (("pnr", _PNR),)),
)  # fmt: skip


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COLUMNS:
        changes = ", ".join(f'ALTER COLUMN "{c}" TYPE varchar({n}) COLLATE {collation}' for c, n in columns)
        op.execute(f'ALTER TABLE "{table}" {changes}')
        op.execute(f'ANALYZE "{table}"')  # the type change dropped these columns' statistics


def upgrade() -> None:
    _collate('"C"')


def downgrade() -> None:
    _collate('"default"')
