"""Bulk writes into the register: COPY on PostgreSQL, executemany on SQLite.

Person bundles (``{table name: [row dict, …]}``) from the extract reader and from the
population generator go through one :class:`BulkWriter`, which buffers rows per table and flushes
them in large batches inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, Index, Table, text

from opencpr.register.schema import PERSON_TABLES, ROW_ID, TABLES

Bundle = Mapping[str, Iterable[Mapping[str, Any]]]


#: The columns a bulk write fills, per table: all but the generated row id and defaulted ones.
COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(c.name for c in table.columns
                if (c.name != ROW_ID or name == "person") and c.server_default is None)
    for name, table in TABLES.items()
}


class DuplicateRow(ValueError):
    """A bulk write met a row whose key is already in the register."""


def _detail(exc: Exception) -> str:
    diag = getattr(exc, "diag", None)
    return (getattr(diag, "message_detail", None) or "") if diag else ""


class BulkWriter:
    """Buffers rows per table and writes them in batches of ``batch_rows``."""

    def __init__(self, conn: Connection, batch_rows: int = 20_000,
                 before_flush: Callable[[], None] | None = None):
        self.conn = conn
        self.before_flush = before_flush
        self.batch_rows = batch_rows
        self.postgresql = conn.dialect.name == "postgresql"
        self._columns = COLUMNS
        self._buffers: dict[str, list[tuple]] = {name: [] for name in TABLES}
        self._pending = 0
        self._sql: dict[str, str] = {}
        self.rows_written: dict[str, int] = dict.fromkeys(TABLES, 0)

    def columns(self, table: str) -> tuple[str, ...]:
        return self._columns[table]

    def add(self, table: str, row: Mapping[str, Any]) -> None:
        """Queue one row (missing columns are NULL)."""
        self._buffers[table].append(tuple(row.get(c) for c in self._columns[table]))
        self._pending += 1
        if self._pending >= self.batch_rows:
            self.flush()

    def add_tuple(self, table: str, values: tuple) -> None:
        """Queue one row already in :meth:`columns` order (the fast path of the generator)."""
        self._buffers[table].append(values)
        self._pending += 1
        if self._pending >= self.batch_rows:
            self.flush()

    def add_bundle(self, bundle: Bundle) -> None:
        for table, rows in bundle.items():
            for row in rows:
                self.add(table, row)

    def flush(self) -> None:
        """Write everything buffered, table by table, in the register's table order."""
        if self.before_flush is not None:
            self.before_flush()
        for name, rows in self._buffers.items():
            if not rows:
                continue
            try:
                if self.postgresql:
                    self._copy(TABLES[name], self._columns[name], rows)
                else:
                    self._insert(TABLES[name], self._columns[name], rows)
            except (sqlite3.IntegrityError, psycopg.IntegrityError) as exc:
                raise DuplicateRow(f"{name}: {str(exc).splitlines()[0]}; {_detail(exc)}") from None
            self.rows_written[name] += len(rows)
            rows.clear()
        self._pending = 0

    def copy_text(self, table: str, data: str, rows: int) -> None:
        """PostgreSQL only: stream ready COPY text (tab-separated, one row per line, in
        :meth:`columns` order) into ``table``. The fast path of the population generator."""
        self.flush()
        cols = ", ".join(f'"{c}"' for c in self._columns[table])
        dbapi = self.conn.connection.dbapi_connection
        try:
            with dbapi.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                step = 1 << 22
                for i in range(0, len(data), step):
                    copy.write(data[i:i + step])
        except psycopg.IntegrityError as exc:
            raise DuplicateRow(f"{table}: {str(exc).splitlines()[0]}; {_detail(exc)}") from None
        self.rows_written[table] += rows

    def _insert(self, table: Table, columns: list[str], rows: list[tuple]) -> None:
        sql = self._sql.get(table.name)
        if sql is None:
            cols = ", ".join(f'"{c}"' for c in columns)
            sql = self._sql[table.name] = (
                f'INSERT INTO "{table.name}" ({cols}) VALUES ({", ".join("?" * len(columns))})')
        cur = self.conn.connection.dbapi_connection.cursor()
        try:
            cur.executemany(sql, rows)
        finally:
            cur.close()

    def _copy(self, table: Table, columns: list[str], rows: list[tuple]) -> None:
        dbapi = self.conn.connection.dbapi_connection
        cols = ", ".join(f'"{c}"' for c in columns)
        with dbapi.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for r in rows:
                copy.write_row(r)


def drop_secondary_indexes(conn: Connection) -> list[Index]:
    """Drop the person tables' secondary indexes (before a large bulk load into a nearly empty
    register, where building them afterwards is several times cheaper); returns them so that
    :func:`create_indexes` can build them again in the same transaction."""
    dropped = []
    for table in PERSON_TABLES:
        for ix in sorted(table.indexes, key=lambda i: i.name):
            ix.drop(conn)
            dropped.append(ix)
    return dropped


#: The least ``maintenance_work_mem`` a bulk load builds its indexes with.
BULK_MAINTENANCE_MEMORY = "512MB"


def raise_maintenance_memory(conn: Connection, at_least: str = BULK_MAINTENANCE_MEMORY) -> None:
    """PostgreSQL: ``maintenance_work_mem`` of at least ``at_least`` for the rest of the transaction
    (a cluster configured with more keeps its own: an operator's setting is never lowered)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT set_config('maintenance_work_mem', :v, true) WHERE "
                          "pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(:v)"),
                     {"v": at_least})


def create_indexes(conn: Connection, indexes: list[Index]) -> None:
    for ix in indexes:
        ix.create(conn)


def settle(engine: Engine, patience: float = 30.0) -> float:
    """Leave the register ready to serve after a bulk load; returns the seconds it took.

    PostgreSQL: ``VACUUM (FREEZE, ANALYZE)`` of the whole database, outside any transaction. The
    planner gets statistics of the new rows (without them it plans the first queries on guesses
    for an empty table), the visibility map is set (index-only scans, no hint-bit writes on the
    first reads) and the rows are frozen (no anti-wraparound vacuum rewriting every page later).
    Without it the first minutes of serving race autovacuum through the fresh tables.

    A transaction that began before the load committed (an autovacuum worker analysing a table of
    the same database, say) keeps VACUUM from marking the new rows visible to all; the person
    tables still short of it are vacuumed again, once a second, for at most ``patience`` seconds.

    SQLite has no background vacuum to race and its queries are planned from the indexes alone
    (the register keeps no ``sqlite_stat1``): nothing to do there.
    """
    started = time.perf_counter()
    if engine.dialect.name != "postgresql":
        return 0.0
    names = [t.name for t in PERSON_TABLES]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (FREEZE, ANALYZE)"))
        while True:
            short = [r.relname for r in conn.execute(
                text("SELECT relname FROM pg_class WHERE relname = ANY(:names) AND relkind = 'r' "
                     "AND relallvisible < relpages"), {"names": names})]
            if not short or time.perf_counter() - started > patience:
                break
            time.sleep(1.0)
            for name in short:
                conn.execute(text(f'VACUUM (FREEZE) "{name}"'))
    return time.perf_counter() - started
