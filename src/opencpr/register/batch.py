"""Statements sent together: on PostgreSQL in one round trip, in the caller's transaction.

A call that changes the register writes several rows whose statements do not depend on each
other's results: the claims of the persons' versions, the rows the event inserts, closes and
updates, the event log, the session's new state, the audit record. Sent one at a time each waits
for its answer before the next goes out. A :class:`Batch` collects them and :meth:`Batch.send`
sends them at once: on PostgreSQL in psycopg's pipeline mode (one round trip; with it the
transaction's ``BEGIN`` when the transaction was begun late, :func:`opencpr.register.db.begin_late`,
and with :meth:`Batch.commit` its ``COMMIT``); on SQLite one after another, as before (there is no
round trip to save).

Each statement's result is read after the send (:class:`Sent`), and each may carry a check that
raises the caller's own error (a claim that found another version is a conflict, not a failed
statement). The checks run in the statements' order; when the database refuses a statement, the
checks of those before it run first, so that a conflict is reported as a conflict even where the
refusal it caused (a unique index, say) came back first.

Statements are SQLAlchemy Core constructs (compiled once per statement and set of columns, as
SQLAlchemy's own cache does) or, for a statement a module writes in PostgreSQL's own SQL, a string
with psycopg's ``%(name)s`` parameters (PostgreSQL only).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

from opencpr.register.db import begun_late

__all__ = ["Batch", "Sent"]


@dataclass
class Sent:
    """What one statement of a batch gave back (after :meth:`Batch.send`)."""

    rowcount: int = -1
    rows: list[tuple] = field(default_factory=list)

    def scalar(self) -> Any:
        """The first column of the first row (None if no row came back)."""
        return self.rows[0][0] if self.rows else None


@dataclass
class _Item:
    statement: ClauseElement | str
    params: Mapping[str, Any]
    check: Callable[[Sent], None] | None
    refused: Callable[[Exception], Exception | None] | None
    sent: Sent


class Batch:
    """Statements for ``conn``'s transaction, sent together by :meth:`send` or :meth:`commit`."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgresql = conn.dialect.name == "postgresql"
        self._items: list[_Item] = []

    def __len__(self) -> int:
        return len(self._items)

    def add(self, statement: ClauseElement | str, params: Mapping[str, Any] | None = None, *,
            check: Callable[[Sent], None] | None = None,
            refused: Callable[[Exception], Exception | None] | None = None) -> Sent:
        """Queue ``statement``; its result is in the :class:`Sent` returned, once sent. ``check``
        gets that result after the send and may raise (the transaction is then the caller's to
        roll back); a batch with checks is sent before it is committed. ``refused`` gets the
        driver's error if the database refuses this statement, and may give the error to raise
        instead (the caller's own, for a refusal it asked for)."""
        if isinstance(statement, str) and not self.postgresql:
            raise TypeError("a batch takes SQL text on PostgreSQL only")
        item = _Item(statement, dict(params or {}), check, refused, Sent())
        self._items.append(item)
        return item.sent

    def send(self) -> None:
        """Send what is queued (one round trip on PostgreSQL) and run the checks."""
        items, self._items = self._items, []
        if not items:
            return
        if not self.postgresql:
            for item in items:
                result = self.conn.execute(item.statement, item.params)  # type: ignore[arg-type]
                item.sent.rowcount = result.rowcount
                item.sent.rows = [tuple(r) for r in result.fetchall()] if result.returns_rows else []
                if item.check is not None:
                    item.check(item.sent)
            return
        self._pipeline(items, commit=False)

    def commit(self) -> None:
        """Send what is queued and commit the transaction (on PostgreSQL in the same round trip).

        A statement that must not be committed unless its result passes belongs in :meth:`send`:
        the checks run when the answers are back, and here the ``COMMIT`` went with them. To stop
        a commit, the statement itself must fail in the database (see ``refused``)."""
        if any(item.check is not None for item in self._items):
            raise TypeError("a batch with checks is sent, and its checks passed, before it is committed")
        items, self._items = self._items, []
        if not self.postgresql or not items:
            self._items = items
            self.send()
            self.conn.commit()
            return
        self._pipeline(items, commit=True)
        self.conn.commit()  # SQLAlchemy's side: the driver has committed, nothing more is sent

    def _pipeline(self, items: list[_Item], commit: bool) -> None:
        import psycopg
        from psycopg import pq

        driver = self.conn.connection.driver_connection
        statements = [_compiled(self.conn, item) for item in items]
        if not self.conn.in_transaction():
            self.conn.begin()
        cursors: list[Any] = []
        failure: psycopg.Error | None = None
        try:
            with driver.pipeline():
                if begun_late(self.conn):  # the transaction's BEGIN, in this round trip
                    driver.execute("BEGIN")
                for sql, params in statements:
                    cursors.append(driver.cursor())
                    cursors[-1].execute(sql, params)
                if commit:
                    driver.execute("COMMIT")
        except psycopg.Error as exc:  # a statement refused: the checks of those before it run first
            failure = exc
        try:
            for item, cursor in zip(items, cursors, strict=False):  # fewer cursors: one refused as it went
                result = cursor.pgresult
                if result is None or result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
                    break  # the statement that failed, or one after it: not run
                item.sent.rowcount = cursor.rowcount
                item.sent.rows = cursor.fetchall() if result.status == pq.ExecStatus.TUPLES_OK else []
                if item.check is not None:
                    item.check(item.sent)
        finally:
            for cursor in cursors:
                cursor.close()
        if failure is not None:
            if driver.broken:
                self.conn.invalidate(failure)
            failed = next((n for n, c in enumerate(cursors) if c.pgresult is None
                           or c.pgresult.status == pq.ExecStatus.FATAL_ERROR), None)
            if failed is not None and items[failed].refused is not None:
                instead = items[failed].refused(failure)
                if instead is not None:
                    raise instead from failure
            sql = statements[failed][0] if failed is not None else None
            raise DBAPIError.instance(sql, None, failure, psycopg.Error,  # SQLAlchemy's IntegrityError, …
                                      connection_invalidated=driver.broken) from failure


#: Compiled statements for PostgreSQL: (statement, its parameters' names) -> SQL, bind processors, compiled.
_COMPILED: dict[tuple[Any, tuple[str, ...]], tuple[str, dict[str, Callable[[Any], Any]], Any]] = {}
_COMPILED_MAX = 2_000


def _compiled(conn: Connection, item: _Item) -> tuple[str, Mapping[str, Any]]:
    """``item``'s SQL for psycopg and its parameters, bound as SQLAlchemy binds them."""
    if isinstance(item.statement, str):
        return item.statement, item.params
    names = tuple(sorted(item.params))
    key = (item.statement, names)
    found = _COMPILED.get(key)
    if found is None:
        compiled = item.statement.compile(dialect=conn.dialect, column_keys=list(names))
        if compiled.post_compile_params:
            raise TypeError("a batch statement cannot expand a list parameter (IN): send it by itself")
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise TypeError("a batch statement cannot take column defaults computed in Python")
        processors = {k: p for k, p in compiled._bind_processors.items() if p is not None}
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        found = _COMPILED[key] = (compiled.string, processors, compiled)
    sql, processors, compiled = found
    params = compiled.construct_params(item.params)
    for name, process in processors.items():
        if name in params:
            params[name] = process(params[name])
    return sql, params
