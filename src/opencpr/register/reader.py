"""Stream persons out of the register, one bundle of rows per person, in PNR order.

Every person table is read once, sorted by (PNR, row id), and the streams are merged, so memory
stays flat whatever the size of the register. :func:`iter_person_rows` yields plain tuples (the
exporter's fast path); :func:`iter_person_bundles` yields rows as dicts (the invariant check).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, Table, select

from opencpr.register.schema import PERSON_TABLE, PERSON_TABLES, ROW_ID, TABLES

PersonBundle = dict[str, list[dict[str, Any]]]

_FETCH = 5000
#: PNRs named in one query; a longer list is read in sorted slices of this many.
_PNRS_PER_QUERY = 20_000


def table_columns(table: Table) -> list[str]:
    """The columns in the order the reader returns them (PNR first)."""
    return ["pnr", *(c.name for c in table.columns if c.name != "pnr")]


def _rows(conn: Connection, table: Table, pnrs: list[str] | None,
          pnr_range: tuple[str, str | None] | None = None) -> Iterator[tuple]:
    order = [table.c.pnr] if table.name == PERSON_TABLE else [table.c.pnr, table.c[ROW_ID]]
    query = select(*(table.c[c] for c in table_columns(table))).order_by(*order)
    if pnrs is not None:
        query = query.where(table.c.pnr.in_(pnrs))
    if pnr_range is not None:
        low, high = pnr_range
        query = query.where(table.c.pnr >= low)
        if high is not None:
            query = query.where(table.c.pnr < high)
    result = conn.execution_options(stream_results=True, yield_per=_FETCH).execute(query)
    for partition in result.partitions(_FETCH):
        yield from partition


def iter_person_rows(conn: Connection, pnrs: Iterable[str] | None = None,
                     tables: Iterable[Table] = PERSON_TABLES,
                     pnr_range: tuple[str, str | None] | None = None,
                     ) -> Iterator[tuple[tuple, dict[str, list[tuple]]]]:
    """Yield ``(person row, {table: [rows]})`` for every person (or the given PNRs), in PNR order.

    ``pnr_range`` is ``(low, high)``: persons with ``low <= PNR < high`` (``high`` None: no end).
    Rows are tuples in :func:`table_columns` order. Rows of other tables whose PNR has no person
    are skipped (``opencpr check`` reports them).
    """
    wanted = sorted(set(pnrs)) if pnrs is not None else None
    if wanted is not None and len(wanted) > _PNRS_PER_QUERY:
        # the PNRs in sorted slices, one query per table each (a statement has at most 65,535
        # parameters on PostgreSQL): the persons still come out in PNR order
        tables = list(tables)
        for i in range(0, len(wanted), _PNRS_PER_QUERY):
            yield from iter_person_rows(conn, wanted[i:i + _PNRS_PER_QUERY], tables, pnr_range)
        return
    others = [t for t in tables if t.name != PERSON_TABLE]
    names = [t.name for t in others]
    streams = [_rows(conn, t, wanted, pnr_range) for t in others]
    heads: list[tuple | None] = [next(s, None) for s in streams]
    for person_row in _rows(conn, TABLES[PERSON_TABLE], wanted, pnr_range):
        pnr = person_row[0]
        found: dict[str, list[tuple]] = {}
        for i, stream in enumerate(streams):
            head = heads[i]
            if head is None or head[0] > pnr:
                continue
            while head is not None and head[0] < pnr:
                head = next(stream, None)
            if head is not None and head[0] == pnr:
                rows = found[names[i]] = []
                while head is not None and head[0] == pnr:
                    rows.append(head)
                    head = next(stream, None)
            heads[i] = head
        yield person_row, found


def iter_person_bundles(conn: Connection, pnrs: Iterable[str] | None = None,
                        tables: Iterable[Table] = PERSON_TABLES) -> Iterator[PersonBundle]:
    """Yield ``{table: [row dicts]}`` for every person (or the given PNRs), in PNR order."""
    columns = {t.name: table_columns(t) for t in PERSON_TABLES}
    person_columns = columns[PERSON_TABLE]
    for person_row, found in iter_person_rows(conn, pnrs, tables):
        bundle: PersonBundle = {PERSON_TABLE: [dict(zip(person_columns, person_row, strict=True))]}
        for name, rows in found.items():
            cols = columns[name]
            bundle[name] = [dict(zip(cols, r, strict=True)) for r in rows]
        yield bundle
