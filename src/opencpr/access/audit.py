"""The audit trail (logning): an append-only, hash-chained record of every access.

Every lookup, search, update, self-service step, approval, subscription call, file delivery,
signon and administrative change writes one :class:`AuditEntry`: who (user code or
``CVR:<cvr>``), which authority and group, from where, which service and action, which persons
(every PNR returned or changed), when, and with what result (a Kvit code).

**Chain.** Record *n* stores ``prev_hash`` (record *n-1*'s hash, or 64 zeros for the first)
and ``hash = SHA-256(prev_hash ‖ canonical(record n))``, where the canonical serialisation
(:func:`canonical`) is the version tag ``opencpr-audit-1`` followed by each field as a netstring
(``<length>:<text>,``; ``-`` for a missing value), in a fixed order. Record numbers come from the
chain, consecutively from 1. Editing a record breaks its hash; recomputing the hash breaks the
next record's link; deleting a record leaves a gap; deleting the newest records leaves the chain
short of the head row. :func:`verify_audit` finds and names each of these.

**Appends cannot fork.** Each append locks the chain head (``audit_head``, one row): ``SELECT …
FOR UPDATE`` on PostgreSQL, a write transaction begun with ``BEGIN IMMEDIATE`` on SQLite (see
:func:`write_transaction`). Under the lock the appender reads the head, chains its records,
inserts them with their person index rows and usage counts, moves the head, and commits.

**Cheap.** :func:`append_audit` writes on the driver's cursor: on SQLite a handful of prepared
statements; on PostgreSQL one statement for any number of records (the server computes the same
hashes), which :func:`write_audit` sends in autocommit: a group is one round trip, and the head
row is locked only while that statement and its commit run. :class:`AuditWriter` writes behind:
calls that changed nothing queue their entries, which are appended in groups (one transaction per
group) before the calls are answered — see ``docs/access.md``.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from opencpr.clock import stamp
from opencpr.register.access_schema import GENESIS_HASH, audit_head, audit_person, audit_record
from opencpr.register.batch import Batch
from opencpr.register.db import begin_late, begin_now

log = logging.getLogger(__name__)

CANONICAL_VERSION = "opencpr-audit-1"

#: The record fields in the order they are hashed (after ``id``).
HASHED_FIELDS: tuple[str, ...] = (
    "at", "actor_kind", "actor", "authority", "group_name", "client", "service", "action",
    "persons", "result_code", "result_text", "detail",
)  # fmt: skip


class AuditUnavailable(RuntimeError):
    """The audit trail cannot be written: the call must not be answered."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit record before it is chained (no number or hashes yet)."""

    at: str  # when, YYYY-MM-DDTHH:MM:SS (the clock's time of the call)
    actor_kind: str  # "user", "system" (certificate), "admin" (command line)
    actor: str  # user code, or CVR:<cvr> for a system
    authority: str | None  # myndighedskode
    group_name: str | None
    client: str | None  # client address
    service: str  # service name or event code, "SIGNON", "USERS" …
    action: str  # lookup, search, event, initiate, validate, save, approve, signon …
    persons: tuple[str, ...]  # every PNR returned or changed
    result_code: int  # Kvit code, 0 = OK
    result_text: str = ""
    detail: str | None = None
    billable: bool = False  # counted for billing when result_code is 0 (not stored)

    @classmethod
    def admin(cls, now: Any, by: str, service: str, action: str, *, detail: str | None = None,
              result_code: int = 0) -> AuditEntry:
        """A record of an administrator's change (users, groups, systems)."""
        return cls(stamp(now), "admin", by[:40], None, None, None, service, action, (), result_code, "",
                   detail)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """A stored audit record."""

    id: int
    at: str
    actor_kind: str
    actor: str
    authority: str | None
    group_name: str | None
    client: str | None
    service: str
    action: str
    persons: tuple[str, ...]
    result_code: int
    result_text: str | None
    detail: str | None
    prev_hash: str
    hash: str


def canonical_fields(fields: Sequence[object]) -> str:
    """The fields' part of the canonical serialisation: each value as a netstring
    ``<length>:<text>,`` (length in characters), ``-`` for a missing value."""
    out = []
    for value in fields:
        if value is None:
            out.append("-")
        else:
            text = value if type(value) is str else str(value)
            out.append(f"{len(text)}:{text},")
    return "".join(out)


def canonical(record_id: int, fields: Sequence[object]) -> str:
    """The canonical serialisation of record ``record_id`` with ``fields`` in HASHED_FIELDS order.

    The version tag, the record number and the fields, each as a netstring, so no two different
    records serialise alike. ``persons`` is passed as its stored text (PNRs joined by ``,``).
    """
    rid = str(record_id)
    return f"{CANONICAL_VERSION}{len(rid)}:{rid},{canonical_fields(fields)}"


def chain_hash(prev_hash: str, record_id: int, fields: Sequence[object]) -> str:
    """The hash of a record: SHA-256 over the previous hash and the canonical serialisation."""
    return hashlib.sha256((prev_hash + canonical(record_id, fields)).encode("utf-8")).hexdigest()


def _storable(value: str | None) -> str | None:
    """Text as every database stores it: a NUL (which PostgreSQL refuses) becomes U+FFFD. Client
    input reaches the trail in texts and details; one unstorable record must not stop the writer."""
    return value.replace("\x00", "\ufffd") if value and "\x00" in value else value


def _entry_fields(e: AuditEntry) -> tuple[object, ...]:
    return (e.at, e.actor_kind, _storable(e.actor), e.authority, e.group_name, _storable(e.client),
            _storable(e.service), e.action, ",".join(e.persons) if e.persons else None, e.result_code,
            _storable(e.result_text), _storable(e.detail))


# --- writing -----------------------------------------------------------------------------------

def is_sqlite(conn_or_engine: Connection | Engine) -> bool:
    return conn_or_engine.dialect.name == "sqlite"


def begin_write(conn: Connection, *, late: bool = False) -> None:
    """Begin ``conn``'s transaction as one that will write (see :func:`write_transaction`); with
    ``late``, on PostgreSQL, as one whose ``BEGIN`` waits for its first write
    (:func:`opencpr.register.db.begin_late`)."""
    if late:
        begin_late(conn)
    conn.begin()  # SQLAlchemy's transaction (nothing is sent: the drivers begin implicitly) ...
    if is_sqlite(conn):
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE")  # ... and SQLite's, as a writer


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that will write: committed on success, else rolled back.

    On SQLite the transaction begins with ``BEGIN IMMEDIATE``, taking the database's write lock
    at once, so a transaction that reads and then writes cannot fail on a stale snapshot; on
    PostgreSQL it is an ordinary transaction (appends lock the chain head row).
    """
    with engine.connect() as conn:
        begin_write(conn)
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


_SQL = {
    "head": "SELECT seq, last_hash FROM audit_head WHERE id = 1",
    "record": ("INSERT INTO audit_record (id, at, actor_kind, actor, authority, group_name, client, service, "
               "action, persons, result_code, result_text, detail, prev_hash, hash) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    "person": "INSERT INTO audit_person (pnr, audit_id) VALUES (?, ?)",
    "usage": ("INSERT INTO usage_counter (day, authority, actor, service, calls) VALUES (?, ?, ?, ?, ?) "
              "ON CONFLICT (day, authority, actor, service) DO UPDATE SET calls = usage_counter.calls + excluded.calls"),
    "move_head": "UPDATE audit_head SET seq = ?, last_hash = ? WHERE id = 1",
}

#: PostgreSQL, a group of records in one statement (one round trip; in autocommit it commits itself):
#: lock the head, chain the records (the server computes, record after record, the same hashes
#: :func:`chain_hash` computes, over the canonical texts passed in), insert them with their person
#: index rows and usage counts, move the head. No head row: nothing is written and no row returned.
#: The records, their persons and the usage counts come as three JSON arrays: three text parameters
#: for any group, which the driver passes as they are (an array per column it would convert element
#: by element).
#: Its parameters: :func:`pg_append_params`.
PG_APPEND = """
WITH RECURSIVE
old AS (SELECT seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE),
f AS (
    SELECT r.* FROM json_to_recordset(%(records)s::json)
        AS r(n bigint, at varchar, actor_kind varchar, actor varchar, authority varchar, group_name varchar,
             client varchar, service varchar, action varchar, persons text, result_code int, result_text varchar,
             detail text, canonical text)),
chain (n, id, prev_hash, hash) AS (
    SELECT 0::bigint, seq, NULL::text, last_hash::text FROM old
    UNION ALL
    SELECT c.n + 1, c.id + 1, c.hash,
           encode(sha256(convert_to(c.hash || %(tag)s || length((c.id + 1)::text)::text || ':' || (c.id + 1)::text
                                    || ',' || f.canonical, 'UTF8')), 'hex')
    FROM chain c JOIN f ON f.n = c.n + 1),
rec AS (
    INSERT INTO audit_record (id, at, actor_kind, actor, authority, group_name, client, service, action, persons,
                              result_code, result_text, detail, prev_hash, hash)
    SELECT c.id, f.at, f.actor_kind, f.actor, f.authority, f.group_name, f.client, f.service, f.action, f.persons,
           f.result_code, f.result_text, f.detail, c.prev_hash, c.hash
    FROM f JOIN chain c ON c.n = f.n),
person AS (
    INSERT INTO audit_person (pnr, audit_id)
    SELECT p.pnr, c.id FROM json_to_recordset(%(persons)s::json) AS p(pnr varchar, n bigint) JOIN chain c ON c.n = p.n),
head AS (
    UPDATE audit_head SET seq = c.id, last_hash = c.hash FROM chain c WHERE audit_head.id = 1 AND c.n = %(count)s),
counted AS (
    INSERT INTO usage_counter (day, authority, actor, service, calls)
    SELECT u.day, u.authority, u.actor, u.service, u.calls
    FROM json_to_recordset(%(usage)s::json) AS u(day varchar, authority varchar, actor varchar, service varchar,
                                                  calls bigint)
    WHERE EXISTS (SELECT FROM old)
    ON CONFLICT (day, authority, actor, service) DO UPDATE SET calls = usage_counter.calls + excluded.calls)
SELECT coalesce((SELECT id FROM chain WHERE n = 1)::text, %(missing)s)::bigint
"""
#: What :data:`PG_APPEND` fails on when the chain's head is missing: the statement fails, so that
#: nothing sent with it (a change, a ``COMMIT``) is committed without its audit record.
HEAD_MISSING = "audit_head (id 1) is missing"


def _append_pg(cur: Any, entries: Sequence[AuditEntry]) -> list[int]:
    """Chain ``entries`` on PostgreSQL in one statement (:data:`PG_APPEND`); return their numbers."""
    try:
        cur.execute(PG_APPEND, pg_append_params(entries))
    except Exception as exc:
        missing = _head_missing(exc)
        if missing is None:
            raise
        raise missing from exc
    first = int(cur.fetchone()[0])
    return list(range(first, first + len(entries)))


def _usage(entries: Sequence[AuditEntry]) -> Counter[tuple[str, str, str, str]]:
    """The billed calls among ``entries`` by (day, authority, actor, service)."""
    return Counter((e.at[:10], e.authority or "", e.actor, e.service) for e in entries
                   if e.billable and e.result_code == 0)


def pg_append_params(entries: Sequence[AuditEntry]) -> dict[str, Any]:
    """The parameters of :data:`PG_APPEND` for ``entries``."""
    records: list[dict[str, object]] = []
    persons: list[dict[str, object]] = []
    for n, e in enumerate(entries, 1):
        fields = _entry_fields(e)
        record: dict[str, object] = dict(zip(HASHED_FIELDS, fields, strict=True))
        record["n"], record["canonical"] = n, canonical_fields(fields)
        records.append(record)
        persons.extend({"pnr": pnr, "n": n} for pnr in dict.fromkeys(e.persons))
    usage = [{"day": day, "authority": authority, "actor": actor, "service": service, "calls": calls}
             for (day, authority, actor, service), calls in _usage(entries).items()]
    return {"tag": CANONICAL_VERSION, "count": len(entries), "records": _json(records), "persons": _json(persons),
            "usage": _json(usage), "missing": HEAD_MISSING}


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _many(cur: Any, statement: str, rows: list[tuple]) -> None:
    if len(rows) == 1:
        cur.execute(statement, rows[0])  # executemany costs more for a single row
    elif rows:
        cur.executemany(statement, rows)


def _write_rows(cur: Any, sql: dict[str, str], records: list[tuple], persons: list[tuple],
                usage_rows: list[tuple], head: tuple[int, str]) -> None:
    _many(cur, sql["record"], records)
    _many(cur, sql["person"], persons)
    _many(cur, sql["usage"], usage_rows)
    cur.execute(sql["move_head"], head)


def append_audit(conn: Connection, entries: Sequence[AuditEntry]) -> list[int]:
    """Chain ``entries`` onto the audit trail in ``conn``'s transaction; return their numbers.

    Also counts the billable entries that succeeded in ``usage_counter``. ``conn`` must be in a
    write transaction (:func:`write_transaction`, or the gate's); the caller commits.
    """
    if not entries:
        return []
    if not conn.in_transaction():
        # the writes below go through the driver's cursor; without a transaction begun here the
        # caller's commit would be a no-op and they would be rolled back when the connection returns
        conn.begin()
    begin_now(conn)  # the statements below go to the driver around SQLAlchemy
    dbapi = conn.connection.dbapi_connection
    cur = dbapi.cursor()
    try:
        if not is_sqlite(conn):
            return _append_pg(cur, entries)
        cur.execute(_SQL["head"])
        head = cur.fetchone()
        if head is None:
            raise AuditUnavailable("the audit chain head (audit_head id 1) is missing; run `opencpr audit verify`")
        seq, prev = int(head[0]), head[1]
        records: list[tuple] = []
        persons: list[tuple[str, int]] = []
        for e in entries:
            seq += 1
            fields = _entry_fields(e)
            digest = chain_hash(prev, seq, fields)
            records.append((seq, *fields, prev, digest))
            prev = digest
            for pnr in dict.fromkeys(e.persons):
                persons.append((pnr, seq))
        _write_rows(cur, _SQL, records, persons, [(*k, n) for k, n in _usage(entries).items()], (seq, prev))
    finally:
        cur.close()
    return [r[0] for r in records]


def append_audit_in(batch: Batch, entries: Sequence[AuditEntry]) -> None:
    """Chain ``entries`` onto the audit trail with the other statements of ``batch`` (its
    transaction's): on PostgreSQL one more statement of the batch, sent with it; on SQLite, where
    the chain's head is read first, the batch is sent and the entries appended after it."""
    if not entries:
        return
    if batch.postgresql:
        batch.add(PG_APPEND, pg_append_params(entries), refused=_head_missing)
    else:
        batch.send()
        append_audit(batch.conn, entries)


def _head_missing(exc: Exception) -> AuditUnavailable | None:
    """:class:`AuditUnavailable` if ``exc`` is :data:`PG_APPEND` failing for want of the chain's head."""
    if HEAD_MISSING in str(exc):
        return AuditUnavailable("the audit chain head (audit_head id 1) is missing; run `opencpr audit verify`")
    return None


def write_audit(engine: Engine, entries: Sequence[AuditEntry]) -> list[int]:
    """Append ``entries`` in a transaction of their own (on PostgreSQL: one statement, committed by itself)."""
    if not entries:
        return []
    if is_sqlite(engine):
        with write_transaction(engine) as conn:
            return append_audit(conn, entries)
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        dbapi.autocommit = True
        try:
            with dbapi.cursor() as cur:
                return _append_pg(cur, entries)
        finally:
            dbapi.autocommit = False


class AuditWriter:
    """Writes audit entries in groups, one transaction per group (group commit).

    :meth:`submit` queues an entry and returns its ticket; :meth:`wait` (or :meth:`wait_async`,
    for an event loop) returns once the group holding that ticket is committed. A writer thread
    takes everything queued — up to ``batch_size`` entries — and appends it in one transaction;
    while it commits, the next group gathers. A lone call pays one commit; under load many calls
    share one. The gate answers a call only after its ticket is durable, so no answered call goes
    unrecorded, even if the process is killed the moment after.

    ``interval`` is how long the writer lingers after the first entry of a group for more to
    arrive (0: none). Besides, while calls that will submit are still running (:meth:`running`
    counts them), the writer waits up to ``linger`` seconds for them to join the group — the
    database's ``commit_delay``/``commit_siblings`` idea: under load, one commit for every call
    in flight; a lone call is committed at once. If the database cannot be written the entries stay queued
    and are retried; waiters give up after ``wait_timeout`` with :class:`AuditUnavailable`, and
    when ``max_pending`` entries wait, :meth:`submit` blocks and then raises it — calls stop being
    answered rather than go unrecorded.
    """

    def __init__(self, engine: Engine, *, interval: float = 0.0, batch_size: int = 1024,
                 max_pending: int = 50_000, submit_timeout: float = 30.0, wait_timeout: float = 30.0,
                 linger: float = 0.002) -> None:
        self.engine = engine
        self.linger = linger
        self._running = 0  # calls under way that will submit an entry
        self.interval = interval
        self.batch_size = batch_size
        self.max_pending = max_pending
        self.submit_timeout = submit_timeout
        self.wait_timeout = wait_timeout
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)  # the writer thread: entries queued, calls done
        self._done = threading.Condition(self._lock)  # waiters: a group committed, room in the queue
        self._pending: list[AuditEntry] = []
        self._in_flight = 0
        self._submitted = 0  # tickets given out
        self._durable = 0  # every ticket up to this one is committed
        self._async_waiters: list[tuple[int, Any, Any]] = []  # (ticket, loop, future)
        self._thread: threading.Thread | None = None
        self._conn: Any = None  # PostgreSQL: the writer thread's own connection (see _append)
        self._idle = False  # the writer waits for a first record
        self._closing = False
        self.last_error: BaseException | None = None
        self.written = 0
        self.batches = 0

    def submit(self, entry: AuditEntry) -> int:
        """Queue ``entry``; return its ticket (for :meth:`wait`). Raise AuditUnavailable if it cannot be queued."""
        with self._lock:
            if self._closing:
                raise AuditUnavailable("the audit writer is closed")
            if len(self._pending) + self._in_flight >= self.max_pending:
                deadline = time.monotonic() + self.submit_timeout
                while len(self._pending) + self._in_flight >= self.max_pending:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or self._closing:
                        raise AuditUnavailable(f"the audit trail cannot be written: {self.last_error!r}")
                    self._done.wait(remaining)
            self._pending.append(entry)
            self._submitted += 1
            ticket = self._submitted
            if self._thread is None:
                self._start()
            # wake the writer only if it waits for work or the group is full: while it lingers for
            # running calls, the last of them to end wakes it (running), not each record
            if self._idle or len(self._pending) >= self.batch_size:
                self._work.notify()
        return ticket

    @contextlib.contextmanager
    def running(self):
        """Mark a call under way that will submit an entry: the writer waits for it to join the group."""
        with self._lock:
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    self._work.notify()

    def wait(self, ticket: int, timeout: float | None = None) -> None:
        """Return once the entry of ``ticket`` is committed; raise AuditUnavailable after ``timeout``."""
        deadline = time.monotonic() + (self.wait_timeout if timeout is None else timeout)
        with self._lock:
            while self._durable < ticket:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AuditUnavailable(f"audit record not written: {self.last_error!r}")
                self._done.wait(remaining)

    async def wait_async(self, ticket: int, timeout: float | None = None) -> None:
        """:meth:`wait` for an event loop: the loop serves other requests meanwhile."""
        import asyncio

        loop = asyncio.get_running_loop()
        with self._lock:
            if self._durable >= ticket:
                return
            future = loop.create_future()
            self._async_waiters.append((ticket, loop, future))
        try:
            await asyncio.wait_for(future, self.wait_timeout if timeout is None else timeout)
        except TimeoutError:
            raise AuditUnavailable(f"audit record not written: {self.last_error!r}") from None

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="opencpr-audit-writer", daemon=True)
        self._thread.start()
        atexit.register(_close_at_exit, weakref.ref(self))

    def _write_group(self) -> bool:
        """Write one group of queued entries in one transaction; False on failure."""
        with self._lock:
            batch, self._pending = self._pending[:self.batch_size], self._pending[self.batch_size:]
            self._in_flight = len(batch)
            last = self._durable + len(batch)
        if not batch:
            return True
        try:
            self._append(batch)
        except Exception as exc:  # the database is unreachable or refused: keep the entries, retry later
            self.last_error = exc
            log.exception("audit trail: %d records not written yet", len(batch))
            with self._lock:
                self._pending[:0] = batch
                self._in_flight = 0
                self._done.notify_all()
            return False
        self.last_error = None
        with self._lock:
            self._in_flight = 0
            self._durable = last
            self.written += len(batch)
            self.batches += 1
            ready = [w for w in self._async_waiters if w[0] <= last]
            if ready:
                self._async_waiters = [w for w in self._async_waiters if w[0] > last]
            self._done.notify_all()
        for _, loop, future in ready:
            with contextlib.suppress(RuntimeError):  # the loop has closed
                loop.call_soon_threadsafe(_resolve, future)
        return True

    def _append(self, batch: list[AuditEntry]) -> None:
        """Append ``batch`` in a transaction of its own. On PostgreSQL on the writer's own connection,
        kept in autocommit between groups: a group costs its one statement, not a checkout from the
        pool, a change of the connection's mode and a return to the pool besides. A connection that
        failed is discarded; the next group opens another."""
        if is_sqlite(self.engine):
            write_audit(self.engine, batch)
            return
        if self._conn is None:
            conn = self.engine.raw_connection()
            conn.dbapi_connection.autocommit = True
            self._conn = conn
        try:
            with self._conn.dbapi_connection.cursor() as cur:
                _append_pg(cur, batch)
        except BaseException:
            self._release(discard=True)
            raise

    def _release(self, discard: bool = False) -> None:
        """Give the writer's connection back to the engine's pool (or, if it failed, discard it)."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        with contextlib.suppress(Exception):
            if discard:
                conn.invalidate()
            else:
                conn.dbapi_connection.autocommit = False  # as every other user of the pool expects it
            conn.close()

    def _run(self) -> None:
        failures = 0
        tries_after_close = 0
        while True:
            with self._lock:
                while not self._pending and not self._closing:
                    self._idle = True
                    self._work.wait()
                    self._idle = False
                if self._closing and (not self._pending or tries_after_close >= 3):
                    lost, self._pending = self._pending, []
                    self._done.notify_all()
                    break
            if self.interval > 0 and failures == 0:
                time.sleep(self.interval)  # let the group gather
            if self.linger > 0 and failures == 0:
                deadline = time.monotonic() + self.linger
                with self._lock:  # calls still running join this group (they submit within the linger)
                    while (self._running > 0 and len(self._pending) < self.batch_size and not self._closing
                           and (remaining := deadline - time.monotonic()) > 0):
                        self._work.wait(remaining)
            ok = self._write_group()
            failures = 0 if ok else failures + 1
            tries_after_close += not ok and self._closing
            if not ok:
                time.sleep(min(5.0, 0.05 * 2 ** failures))
        self._release()
        for e in lost:
            log.critical("audit record not written: %r", e)

    def flush(self, timeout: float = 60.0) -> None:
        """Return once everything queued so far is written; raise AuditUnavailable if that fails within ``timeout``."""
        with self._lock:
            ticket = self._submitted
        self.wait(ticket, timeout)

    def close(self, timeout: float = 60.0) -> None:
        """Write what is queued and stop the writer thread."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            thread = self._thread
            self._work.notify_all()
            self._done.notify_all()
        if thread is not None:
            thread.join(timeout)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending) + self._in_flight


def _resolve(future: Any) -> None:
    if not future.done():
        future.set_result(None)


def _close_at_exit(ref: weakref.ref[AuditWriter]) -> None:
    writer = ref()
    if writer is not None:
        writer.close()


# --- reading and verifying -----------------------------------------------------------------------

def _to_record(row: Any) -> AuditRecord:
    return AuditRecord(
        row.id, row.at, row.actor_kind, row.actor, row.authority, row.group_name, row.client, row.service,
        row.action, tuple(row.persons.split(",")) if row.persons else (), row.result_code, row.result_text,
        row.detail, row.prev_hash, row.hash)


def record_hash(record: AuditRecord) -> str:
    """The hash a stored record should carry, computed from its content and ``prev_hash``."""
    fields = (record.at, record.actor_kind, record.actor, record.authority, record.group_name, record.client,
              record.service, record.action, ",".join(record.persons) if record.persons else None,
              record.result_code, record.result_text, record.detail)
    return chain_hash(record.prev_hash, record.id, fields)


@dataclass(frozen=True, slots=True)
class AuditProblem:
    """One thing wrong with the audit trail."""

    record_id: int | None
    kind: str  # altered, relinked, missing, truncated, head, index, anchor, signature
    message: str


@dataclass(slots=True)
class AuditReport:
    """The result of :func:`verify_audit`."""

    records: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _runs(ids: Iterable[int]) -> str:
    ids = list(ids)
    return str(ids[0]) if len(ids) == 1 else f"{ids[0]}–{ids[-1]}"


def verify_audit(engine: Engine, *, batch: int = 5000, anchors: Iterable[Any] | None = None,
                 public_key: Any = None) -> AuditReport:
    """Check the whole chain and the person index; name every record edited, relinked or deleted.

    With ``anchors`` (:mod:`opencpr.access.anchor`) the chain must also reach every anchored head
    with the anchored hash (and, with ``public_key``, every anchor must be signed by it).
    """
    report = _verify_chain(engine, batch)
    if anchors is not None:
        from opencpr.access.anchor import check_anchors

        for seq, kind, message in check_anchors(engine, anchors, public_key):
            report.problems.append(AuditProblem(seq, kind, message))
    return report


def _verify_chain(engine: Engine, batch: int) -> AuditReport:
    report = AuditReport()
    problems = report.problems
    with engine.connect() as conn:
        head = conn.execute(select(audit_head.c.seq, audit_head.c.last_hash).where(audit_head.c.id == 1)).first()
        index = conn.execution_options(yield_per=batch).execute(
            select(audit_person.c.audit_id, audit_person.c.pnr).order_by(audit_person.c.audit_id, audit_person.c.pnr))
        index_rows = iter(index)
        pending_index = next(index_rows, None)
        rows = conn.execution_options(yield_per=batch).execute(select(audit_record).order_by(audit_record.c.id))
        expected_id, prev_hash = 1, GENESIS_HASH
        last: AuditRecord | None = None
        last_altered = False
        for row in rows:
            rec = _to_record(row)
            report.records += 1
            gap = rec.id != expected_id
            if gap:
                problems.append(AuditProblem(rec.id, "missing", f"record{'s' if rec.id - expected_id > 1 else ''} "
                                             f"{_runs(range(expected_id, rec.id))} deleted: "
                                             f"record {rec.id} follows record {expected_id - 1}"))
            altered = record_hash(rec) != rec.hash
            if altered:
                problems.append(AuditProblem(rec.id, "altered",
                                             f"record {rec.id} was altered: its content does not match its hash"))
            elif not gap and rec.prev_hash != prev_hash:
                problems.append(AuditProblem(
                    rec.id - 1, "relinked",
                    f"record {rec.id - 1} was rewritten with a recomputed hash "
                    f"(record {rec.id} is chained to a different hash)"))
            # the person index must name exactly the record's persons
            indexed: list[str] = []
            while pending_index is not None and pending_index[0] < rec.id:
                problems.append(AuditProblem(pending_index[0], "index",
                                             f"person index names {pending_index[1]} for record "
                                             f"{pending_index[0]}, which does not name that person"))
                pending_index = next(index_rows, None)
            while pending_index is not None and pending_index[0] == rec.id:
                indexed.append(pending_index[1])
                pending_index = next(index_rows, None)
            if sorted(indexed) != sorted(set(rec.persons)):
                problems.append(AuditProblem(rec.id, "index",
                                             f"person index of record {rec.id} differs from its persons "
                                             f"(index {sorted(indexed)}, record {sorted(set(rec.persons))})"))
            expected_id, prev_hash, last, last_altered = rec.id + 1, rec.hash, rec, altered
        while pending_index is not None:
            problems.append(AuditProblem(pending_index[0], "index",
                                         f"person index names record {pending_index[0]}, which does not exist"))
            pending_index = next(index_rows, None)
    if head is None:
        problems.append(AuditProblem(None, "head", "the chain head (audit_head) is missing"))
        return report
    report.head_seq, report.head_hash = int(head.seq), head.last_hash
    last_id = last.id if last else 0
    if report.head_seq > last_id:
        problems.append(AuditProblem(last_id + 1, "truncated",
                                     f"record{'s' if report.head_seq - last_id > 1 else ''} "
                                     f"{_runs(range(last_id + 1, report.head_seq + 1))} deleted from the end: "
                                     f"the chain head says the trail ends at {report.head_seq}"))
    elif report.head_seq < last_id:
        problems.append(AuditProblem(report.head_seq + 1, "head",
                                     f"records after {report.head_seq} are not covered by the chain head "
                                     f"(added outside the chain, or the head was reset)"))
    elif last is not None and last.hash != report.head_hash and not last_altered:
        problems.append(AuditProblem(last.id, "relinked",
                                     f"record {last.id} was rewritten with a recomputed hash "
                                     f"(the chain head holds a different hash)"))
    return report


def audit_for_person(engine: Engine, pnr: str, *, limit: int | None = None) -> list[AuditRecord]:
    """Who looked up or changed ``pnr``: the records naming that person, oldest first."""
    query = (select(audit_record).join(audit_person, audit_person.c.audit_id == audit_record.c.id)
             .where(audit_person.c.pnr == pnr).order_by(audit_record.c.id))
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [_to_record(r) for r in conn.execute(query)]


def person_trail(conn: Connection, pnr: str, *, before: int | None = None, limit: int = 100) -> list[AuditRecord]:
    """The records naming ``pnr``, newest first: at most ``limit``, numbered below ``before`` if given
    (the next page of a long trail)."""
    query = (select(audit_record).join(audit_person, audit_person.c.audit_id == audit_record.c.id)
             .where(audit_person.c.pnr == pnr).order_by(audit_record.c.id.desc()).limit(limit))
    if before is not None:
        query = query.where(audit_record.c.id < before)
    return [_to_record(r) for r in conn.execute(query)]


def audit_for_actor(engine: Engine, actor: str, *, limit: int | None = None) -> list[AuditRecord]:
    """What a user code (or ``CVR:<cvr>``) did, oldest first."""
    query = select(audit_record).where(audit_record.c.actor == actor).order_by(audit_record.c.id)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [_to_record(r) for r in conn.execute(query)]


def audit_records(engine: Engine, *, after: int = 0, limit: int | None = None) -> list[AuditRecord]:
    """Records with numbers above ``after``, oldest first."""
    query = select(audit_record).where(audit_record.c.id > after).order_by(audit_record.c.id)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [_to_record(r) for r in conn.execute(query)]
