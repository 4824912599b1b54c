"""The search structures of the register: folded names, name words, road names, trigram indexes.

Tables (declared in :mod:`opencpr.register.schema`, made by migration ``0004``):

* ``name_search`` — one row per name row (current and historical): the folded words of the
  name with a blank before and after each (``" jens peter mortensen "``; a word start is then
  ``LIKE '% jens%'``) and its sort form (``"mortensen jens peter"``). Infix search uses a
  trigram index on ``words``: on PostgreSQL a GIN index with ``gin_trgm_ops`` (pg_trgm), on
  SQLite the FTS5 table ``name_search_fts`` (trigram tokenizer, external content).
* ``name_word`` — each folded word of a person's names once (``in_current``: the word is in the
  current name), with the sort form of the person's current name. Its primary key
  ``(word, sort_name, pnr)`` gives prefix search its order: ``word >= 'hans' AND word < 'hans\\uffff'``.
  Each row also carries the person's filter values (migration ``0006``): ``sex``, ``birth_date``,
  ``status`` (from ``person``), ``municipality`` (of the current address) and ``country`` (the
  current citizenship), NULL when the person has none, so that the name search's filters are
  plain predicates on the rows its range scan reads.
* ``road_name`` — road names (``VEJADRNVN``) by municipality, road code and postal code, from the
  reference road table and the register's clear-written addresses.

Folding is :func:`opencpr.domain.folding.fold`; PostgreSQL folds in SQL with the same table
(:func:`~opencpr.domain.folding.sql_fold`), SQLite calls the Python function, registered on the
connection as ``opencpr_fold``. Everything is filled set-wise:

* :func:`rebuild` — all of it, from scratch (migration, bulk loads that rebuild the indexes);
* :func:`mark` / :func:`fill_since` — the persons whose name or clear-address rows were added
  after a mark (imports, smaller bulk loads);
* :func:`refresh_person` — one person, after an update service changed a name;
* :func:`refresh_filters` — the filter values of one person, after an update service changed
  their person, address or citizenship rows (or :func:`fill_filters`, set-wise).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, func, inspect, select, text
from sqlalchemy.schema import AddConstraint, DropConstraint

from opencpr.domain import reference
from opencpr.domain.folding import fold, sql_fold, sql_fold_letters, sql_squeeze
from opencpr.register.batch import Batch
from opencpr.register.schema import clear_address, name, name_search, name_word, road_name

__all__ = ["FILTER_COLUMNS", "FTS_TABLE", "TRIGRAM_INDEX", "Mark", "fill_filters", "fill_since", "mark",
           "name_forms", "rebuild", "refresh_filters", "refresh_person", "register_fold", "is_search_extra"]

#: The SQLite FTS5 table (trigram) over ``name_search.words``.
FTS_TABLE = "name_search_fts"
#: The PostgreSQL GIN (pg_trgm) index over ``name_search.words``.
TRIGRAM_INDEX = "ix_name_search_words_trgm"
#: The person's values copied into every ``name_word`` row of theirs (see :func:`_filter_values`).
FILTER_COLUMNS = ("sex", "birth_date", "status", "municipality", "country")


def is_search_extra(name_: str) -> bool:
    """True for the dialect-specific search objects that are not on the metadata (the FTS5
    table and its shadow tables, the GIN trigram index): schema comparisons skip them."""
    return name_.startswith(FTS_TABLE) or name_ == TRIGRAM_INDEX


def name_forms(first: str | None, middle: str | None, last: str | None) -> tuple[str, str]:
    """``(words, sort_name)`` of a name, as stored in ``name_search``."""
    words = " " + fold(f"{first or ''} {middle or ''} {last or ''}") + " "
    return words, fold(f"{last or ''} {first or ''} {middle or ''}")


def _postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def register_fold(conn: Connection) -> None:
    """SQLite: make ``opencpr_fold(text)`` callable on this connection (PostgreSQL folds in SQL)."""
    if not _postgresql(conn):
        conn.connection.dbapi_connection.create_function("opencpr_fold", 1, fold, deterministic=True)


def _fold(conn: Connection, expression: str) -> str:
    return sql_fold(expression) if _postgresql(conn) else f"opencpr_fold({expression})"


def _name_parts_sql(conn: Connection, where: str) -> str:
    """A subquery ``n`` of the name rows matching ``where`` (SQL on ``n``, the name table): their
    ``pnr``, ``current`` and ``id``, and the name's parts ``f``, ``m`` and ``l`` (first, middle and
    last name; empty for none), folded letter by letter on PostgreSQL (once each, for both forms
    of :func:`_name_forms_sql`)."""
    part = sql_fold_letters if _postgresql(conn) else (lambda e: f"coalesce({e}, '')")
    return (f"(SELECT n.pnr, n.\"current\", n.id, {part('n.first_name')} AS f, {part('n.middle_name')} AS m, "
            f"{part('n.last_name')} AS l FROM name n WHERE {where}) n")


def _name_forms_sql(conn: Connection) -> tuple[str, str]:
    """The words and the sort form of the name row ``n`` of :func:`_name_parts_sql`."""
    squeeze = sql_squeeze if _postgresql(conn) else (lambda e: f"opencpr_fold({e})")
    words = squeeze("n.f || ' ' || n.m || ' ' || n.l")
    return f"' ' || {words} || ' '", squeeze("n.l || ' ' || n.f || ' ' || n.m")


def _filter_values(pnr: str) -> str:
    """SQL: the :data:`FILTER_COLUMNS` of the person ``pnr`` (an SQL expression) names, in that
    order — from ``person p`` (joined by the caller), the current address and citizenship."""
    latest = "WHERE {t}.pnr = {pnr} AND {t}.\"current\" ORDER BY {t}.id DESC LIMIT 1"
    return (f"p.sex AS sex, p.birth_date AS birth_date, p.status AS status, "
            f"(SELECT a.municipality FROM address a {latest.format(t='a', pnr=pnr)}) AS municipality, "
            f"(SELECT c.country FROM citizenship c {latest.format(t='c', pnr=pnr)}) AS country")


# --- filling ------------------------------------------------------------------------------------


def _insert_names(conn: Connection, where: str, params: dict, whole: bool = False) -> int:
    """Insert ``name_search`` rows for the name rows of persons matching ``where`` (SQL on ``n``,
    the name table); return the last row id before them.

    ``whole``: every name row (a rebuild). On PostgreSQL they are then read in one sequential
    pass and sorted, not through the (PNR, id) index: after a bulk load the table is in load
    order, and reading it in index order reads its pages at random (the whole insert at 1 million
    persons: 20 s through the index, 14 s read in one pass and sorted).
    """
    before = conn.execute(select(func.coalesce(func.max(name_search.c.id), 0))).scalar_one()
    insert = text(_names_sql(conn, where))
    if whole and _postgresql(conn):
        with _planner(conn, enable_indexscan="off", enable_bitmapscan="off"):
            conn.execute(insert, params)
    else:
        conn.execute(insert, params)
    return before


def _names_sql(conn: Connection, where: str) -> str:
    """The ``INSERT`` of :func:`_insert_names`."""
    words, sort = _name_forms_sql(conn)
    return (f"INSERT INTO name_search (pnr, \"current\", words, sort_name) "
            f"SELECT n.pnr, n.\"current\", {words}, {sort} FROM {_name_parts_sql(conn, where)} ORDER BY n.pnr, n.id")


@contextmanager
def _planner(conn: Connection, **settings: str) -> Iterator[None]:
    """PostgreSQL: planner settings for the statements inside, the transaction's own after."""
    old = {k: conn.execute(text("SELECT current_setting(:k)"), {"k": k}).scalar_one() for k in settings}
    for k, v in settings.items():
        conn.execute(text("SELECT set_config(:k, :v, true)"), {"k": k, "v": v})
    try:
        yield
    finally:
        for k, v in old.items():
            conn.execute(text("SELECT set_config(:k, :v, true)"), {"k": k, "v": v})


def _insert_words(conn: Connection, before: int, filters: bool = True, pnr: str | None = None) -> None:
    """Insert the ``name_word`` rows (and the FTS5 rows on SQLite) of the persons of the
    ``name_search`` rows after ``before`` (only ``pnr``'s, when given: rows that other transactions
    committed meanwhile are theirs), with their filter values unless not ``filters``.
    Needs ``name_search``'s index on ``pnr``."""
    new = "s.id > :before" + (" AND s.pnr = :pnr" if pnr else "")
    params = {"before": before} | ({"pnr": pnr} if pnr else {})
    conn.execute(text(_words_sql(_postgresql(conn), new, filters)), params)
    if not _postgresql(conn):
        conn.execute(text(f"INSERT INTO {FTS_TABLE} (rowid, words) SELECT id, words FROM name_search s "
                          f"WHERE {new}"), params)


def _words_sql(postgresql: bool, new: str, filters: bool) -> str:
    """The ``INSERT`` of :func:`_insert_words`: the words of the ``name_search`` rows ``new``
    selects (SQL on ``s``)."""
    if postgresql:
        split = (f"SELECT s.pnr, s.\"current\" AS cur, unnest(string_to_array(btrim(s.words), ' ')) AS word "
                 f"FROM name_search s WHERE {new}")
        any_current = "bool_or(w.cur)"
    else:
        split = (f"WITH RECURSIVE split(pnr, cur, rest, word) AS ("
                 f"SELECT s.pnr, s.\"current\", substr(s.words, 2), NULL FROM name_search s WHERE {new} "
                 f"UNION ALL SELECT pnr, cur, substr(rest, instr(rest, ' ') + 1), "
                 f"substr(rest, 1, instr(rest, ' ') - 1) FROM split WHERE instr(rest, ' ') > 0) "
                 f"SELECT pnr, cur, word FROM split")
        any_current = "max(w.cur) = 1"
    columns, values, join = "", "", ""
    if filters:
        columns = ", " + ", ".join(FILTER_COLUMNS)
        values = ", " + _filter_values("g.pnr")
        join = " LEFT JOIN person p ON p.pnr = g.pnr"
    return (f"INSERT INTO name_word (word, sort_name, pnr, in_current{columns}) "
            f"SELECT g.word, (SELECT b.sort_name FROM name_search b WHERE b.pnr = g.pnr "
            f"ORDER BY b.\"current\" DESC, b.id DESC LIMIT 1), g.pnr, g.in_current{values} "
            f"FROM (SELECT w.pnr, w.word, {any_current} AS in_current FROM ({split}) w "
            f"WHERE w.word IS NOT NULL AND w.word <> '' GROUP BY w.pnr, w.word) g{join} ORDER BY 1, 2, 3")


def _insert_all_words(conn: Connection) -> None:
    """PostgreSQL, a full rebuild: every ``name_word`` row from every ``name_search`` row, the same
    rows :func:`_insert_words` makes, set-wise and without an index probe per word:

    1. one row per person (a temporary table, not written to the WAL) with the sort name of
       their latest current name and their filter values, from sorted passes over
       ``name_search``, ``person``, ``address`` and ``citizenship`` joined by PNR;
    2. each person's words, joined to that row once; the primary key is built after the rows
       are in (one sort) instead of kept row by row.
    """
    conn.execute(text(
        "CREATE TEMPORARY TABLE search_person AS "
        "SELECT b.pnr, b.sort_name, p.sex, p.birth_date, p.status, a.municipality, c.country "
        "FROM (SELECT DISTINCT ON (pnr) pnr, sort_name FROM name_search "
        "      ORDER BY pnr, \"current\" DESC, id DESC) b "
        "LEFT JOIN person p ON p.pnr = b.pnr "
        "LEFT JOIN (SELECT DISTINCT ON (pnr) pnr, municipality FROM address WHERE \"current\" "
        "           ORDER BY pnr, id DESC) a ON a.pnr = b.pnr "
        "LEFT JOIN (SELECT DISTINCT ON (pnr) pnr, country FROM citizenship WHERE \"current\" "
        "           ORDER BY pnr, id DESC) c ON c.pnr = b.pnr"))
    conn.execute(text("ANALYZE search_person"))
    conn.execute(DropConstraint(name_word.primary_key))
    conn.execute(text(
        f"INSERT INTO name_word (word, sort_name, pnr, in_current, {', '.join(FILTER_COLUMNS)}) "
        "SELECT g.word, f.sort_name, g.pnr, g.in_current, f.sex, f.birth_date, f.status, f.municipality, f.country "
        "FROM (SELECT w.pnr, w.word, bool_or(w.cur) AS in_current FROM ("
        "  SELECT s.pnr, s.\"current\" AS cur, unnest(string_to_array(btrim(s.words), ' ')) AS word "
        "  FROM name_search s) w WHERE w.word IS NOT NULL AND w.word <> '' GROUP BY w.pnr, w.word) g "
        "JOIN search_person f ON f.pnr = g.pnr ORDER BY 1, 2, 3"))
    conn.execute(AddConstraint(name_word.primary_key))
    conn.execute(text("DROP TABLE search_person"))


def _fill_names(conn: Connection, where: str, params: dict, pnr: str | None = None) -> None:
    _insert_words(conn, _insert_names(conn, where, params), pnr=pnr)


def _fill_roads(conn: Connection, where: str, params: dict) -> None:
    """Insert the road names of clear-written addresses matching ``where`` (SQL on ``c``) that
    ``road_name`` does not have yet."""
    folded = _fold(conn, "min(c.road_addressing_name)")
    conn.execute(text(
        f"INSERT INTO road_name (municipality, road, postal_code, name, folded) "
        f"SELECT c.municipality, c.road, coalesce(c.postal_code, ''), min(c.road_addressing_name), {folded} "
        f"FROM clear_address c WHERE {where} AND c.municipality IS NOT NULL AND c.road IS NOT NULL "
        f"AND c.road_addressing_name IS NOT NULL AND c.road_addressing_name <> '' "
        f"AND NOT EXISTS (SELECT 1 FROM road_name r WHERE r.municipality = c.municipality AND r.road = c.road "
        f"AND r.postal_code = coalesce(c.postal_code, '')) "
        f"GROUP BY c.municipality, c.road, coalesce(c.postal_code, '')"), params)


def _reference_roads(conn: Connection) -> None:
    rows = []
    seen: set[tuple[str, str, str]] = set()
    for m in reference.municipality_infos():
        for r in reference.roads(m.code):
            key = (r.municipality, r.code, r.postal_code or "")
            if key not in seen:
                seen.add(key)
                rows.append({"municipality": key[0], "road": key[1], "postal_code": key[2], "name": r.name,
                             "folded": fold(r.name)})
    if rows:
        conn.execute(road_name.insert(), rows)


def _has_filter_columns(conn: Connection) -> bool:
    return FILTER_COLUMNS[0] in {c["name"] for c in inspect(conn).get_columns("name_word")}


def rebuild(conn: Connection) -> None:
    """Empty and fill every search structure from the register (set-wise, indexes built after)."""
    register_fold(conn)
    pg = _postgresql(conn)
    conn.execute(name_word.delete())
    conn.execute(name_search.delete())
    conn.execute(road_name.delete())
    for ix in (*name_search.indexes, *name_word.indexes):
        ix.drop(conn)
    if pg:
        conn.execute(text(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}"))
    else:
        conn.execute(text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')"))
    before = _insert_names(conn, "1 = 1", {}, whole=True)
    for ix in name_search.indexes:
        ix.create(conn)
    # migration 0004 rebuilds before 0006 adds the filter columns
    if pg and _has_filter_columns(conn):
        _insert_all_words(conn)
    else:
        _insert_words(conn, before, filters=_has_filter_columns(conn))
    for ix in name_word.indexes:
        ix.create(conn)
    _reference_roads(conn)
    _fill_roads(conn, "1 = 1", {})
    if pg:
        conn.execute(text(f"CREATE INDEX {TRIGRAM_INDEX} ON name_search USING gin (words gin_trgm_ops)"))
    else:
        conn.execute(text("PRAGMA analysis_limit = 1000"))
    # the searches' plans depend on these tables' statistics: after a bulk load there are none yet
    for table in _ANALYZED:
        conn.execute(text(f'ANALYZE "{table}"'))


#: Tables the searches read, analysed after a rebuild.
_ANALYZED = ("name_search", "name_word", "road_name", "person", "address", "citizenship", "protection",
             "clear_address")


@dataclass(frozen=True)
class Mark:
    """The last name and clear-address row ids before a load."""

    name_id: int
    clear_address_id: int


def mark(conn: Connection) -> Mark:
    """Where the register's name and clear-address rows stand now (see :func:`fill_since`)."""
    return Mark(conn.execute(select(func.coalesce(func.max(name.c.id), 0))).scalar_one(),
                conn.execute(select(func.coalesce(func.max(clear_address.c.id), 0))).scalar_one())


def _delete_persons(conn: Connection, where: str, params: dict) -> None:
    """Remove the search rows of the persons ``where`` selects (SQL on ``x.pnr``)."""
    if not _postgresql(conn):
        conn.execute(text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, words) "
                          f"SELECT 'delete', x.id, x.words FROM name_search x WHERE {where}"), params)
    for statement in _deletes_sql(where):
        conn.execute(text(statement), params)


def _deletes_sql(where: str) -> tuple[str, str]:
    """The ``DELETE`` statements of :func:`_delete_persons` (the words, then the names)."""
    return (f"DELETE FROM name_word WHERE pnr IN (SELECT x.pnr FROM name_search x WHERE {where})",
            f"DELETE FROM name_search WHERE id IN (SELECT x.id FROM name_search x WHERE {where})")


def fill_since(conn: Connection, since: Mark) -> None:
    """Bring the search structures up to date for every person with name or clear-address rows
    added after ``since`` (set-wise; persons already indexed are indexed again)."""
    register_fold(conn)
    params = {"after": since.name_id}
    changed = "x.pnr IN (SELECT pnr FROM name WHERE id > :after)"
    _delete_persons(conn, changed, params)
    conn.execute(text("DELETE FROM name_word WHERE pnr IN (SELECT pnr FROM name WHERE id > :after)"), params)
    _fill_names(conn, "n.pnr IN (SELECT pnr FROM name WHERE id > :after)", params)
    _fill_roads(conn, "c.id > :after", {"after": since.clear_address_id})


def refresh_person(conn: Connection, pnr: str) -> None:
    """Index one person's names again (call after changing a name row or its ``current`` flag)."""
    register_fold(conn)
    _delete_persons(conn, "x.pnr = :pnr", {"pnr": pnr})
    conn.execute(name_word.delete().where(name_word.c.pnr == pnr))
    _fill_names(conn, "n.pnr = :pnr", {"pnr": pnr}, pnr=pnr)


def refresh_person_in(batch: Batch, pnr: str) -> None:
    """:func:`refresh_person` as statements more of ``batch``, after the rows it writes (on
    SQLite the batch is sent and the person indexed at once)."""
    if not batch.postgresql:
        batch.send()
        refresh_person(batch.conn, pnr)
        return
    global _REFRESH
    if _REFRESH is None:  # refresh_person's statements, the same SQL
        _REFRESH = (*(text(d) for d in _deletes_sql("x.pnr = :pnr")),
                    name_word.delete().where(name_word.c.pnr == bindparam("pnr")),
                    text(_names_sql(batch.conn, "n.pnr = :pnr")),
                    # the person's rows are gone: every row of theirs in name_search now is one inserted here
                    text(_words_sql(True, "s.pnr = :pnr", True)))
    for statement in _REFRESH:
        batch.add(statement, {"pnr": pnr})


#: The statements of :func:`refresh_person_in` on PostgreSQL (made once).
_REFRESH: tuple[Any, ...] | None = None


def fill_filters(conn: Connection, where: str, params: dict) -> None:
    """Copy the filter values of the persons ``where`` selects (SQL on ``p``, the person table)
    into their ``name_word`` rows (one set-wise ``UPDATE … FROM``)."""
    conn.execute(_fill_filters_statement(where, _postgresql(conn)), params)


@cache
def _fill_filters_statement(where: str, postgresql: bool):
    """The ``UPDATE`` of :func:`fill_filters`; it leaves alone the words whose values are already right."""
    columns = ", ".join(f"{c} = f.{c}" for c in FILTER_COLUMNS)
    differs = " IS DISTINCT FROM " if postgresql else " IS NOT "
    changed = " OR ".join(f"name_word.{c}{differs}f.{c}" for c in FILTER_COLUMNS)
    return text(f"UPDATE name_word SET {columns} FROM (SELECT p.pnr, {_filter_values('p.pnr')} FROM person p "
                f"WHERE {where}) f WHERE name_word.pnr = f.pnr AND ({changed})")


def refresh_filters(conn: Connection, pnr: str) -> None:
    """Copy one person's sex, birth date, status, municipality and citizenship into their name
    words again (call after changing their person row, current address or citizenship)."""
    fill_filters(conn, "p.pnr = :pnr", {"pnr": pnr})


def refresh_filters_in(batch: Batch, pnr: str) -> None:
    """:func:`refresh_filters` as one statement more of ``batch``."""
    batch.add(_fill_filters_statement("p.pnr = :pnr", batch.postgresql), {"pnr": pnr})
