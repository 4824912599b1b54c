"""Stream persons out of the register, one bundle of rows per person, in PNR order.

Every person table is read once, sorted by (PNR, row id), and the streams are merged, so memory
stays flat whatever the size of the register. Exports and the invariant check read through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, Table, select

from opencpr.register.schema import PERSON_TABLE, PERSON_TABLES, ROW_ID, TABLES

PersonBundle = dict[str, list[dict[str, Any]]]

_FETCH = 5000


def _rows(conn: Connection, table: Table, pnrs: list[str] | None) -> Iterator[dict[str, Any]]:
    order = [table.c.pnr] if table.name == PERSON_TABLE else [table.c.pnr, table.c[ROW_ID]]
    query = select(table).order_by(*order)
    if pnrs is not None:
        query = query.where(table.c.pnr.in_(pnrs))
    result = conn.execution_options(stream_results=True, yield_per=_FETCH).execute(query)
    keys = list(result.keys())
    for partition in result.partitions(_FETCH):
        for row in partition:
            yield dict(zip(keys, row, strict=True))


def iter_person_bundles(conn: Connection, pnrs: Iterable[str] | None = None,
                        tables: Iterable[Table] = PERSON_TABLES) -> Iterator[PersonBundle]:
    """Yield ``{table: [rows]}`` for every person (or the given PNRs), in PNR order.

    Rows of other tables whose PNR has no person are skipped (``opencpr check`` reports them).
    """
    wanted = sorted(set(pnrs)) if pnrs is not None else None
    others = [t for t in tables if t.name != PERSON_TABLE]
    streams = [_rows(conn, t, wanted) for t in others]
    heads: list[dict[str, Any] | None] = [next(s, None) for s in streams]
    for person_row in _rows(conn, TABLES[PERSON_TABLE], wanted):
        pnr = person_row["pnr"]
        bundle: PersonBundle = {PERSON_TABLE: [person_row]}
        for i, stream in enumerate(streams):
            head = heads[i]
            while head is not None and head["pnr"] < pnr:
                head = next(stream, None)
            if head is not None and head["pnr"] == pnr:
                rows = bundle[others[i].name] = []
                while head is not None and head["pnr"] == pnr:
                    rows.append(head)
                    head = next(stream, None)
            heads[i] = head
        yield bundle
