"""Database engines for the register: SQLite (embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

#: SQLite reads the database through a memory map of up to this size (the file's pages straight from
#: the operating system's cache, without a read call for each page; writes still go through the WAL)
SQLITE_MMAP_BYTES = 64 * 1024**3


#: SQLite's ``synchronous`` settings a register URL may ask for (``?synchronous=full``).
SQLITE_SYNCHRONOUS = ("NORMAL", "FULL")


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``url``. SQLite gets WAL, a busy timeout and its data directory made.

    SQLite commits with ``synchronous=NORMAL`` unless the URL asks for ``?synchronous=full``:
    NORMAL (WAL) loses no committed transaction when the server process dies, but the last ones
    may be lost when the machine does (power, kernel); FULL waits for the disk at every commit,
    as PostgreSQL's ``fsync`` and ``synchronous_commit`` do."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        synchronous = str(parsed.query.get("synchronous", "normal")).upper()
        if synchronous not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"synchronous={synchronous.lower()} in the database URL: normal or full")
        parsed = parsed.difference_update_query(["synchronous"])
        kwargs.pop("pool_size", None)  # the embedded database: a connection per thread, no server to spare
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every SQLite test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA cache_size=-65536")
            cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
            if parsed.database in _CHECKPOINTED:  # a background checkpointer copies the WAL back
                cur.execute("PRAGMA wal_autocheckpoint=0")
            cur.close()

        return engine
    # no pre-ping (a round trip on every checkout, a quarter of a lookup's time): a connection the
    # server dropped fails once and is replaced; connections are renewed every half hour
    kwargs.setdefault("pool_recycle", 1800)
    # a server process answers up to 40 calls at once (its worker threads); connections past the
    # pool's size are opened for one call and closed after it (a new backend each time), so the pool
    # keeps ``pool_size`` (the setting ``db_pool_size``) and opens at most as many more for a burst
    kwargs["pool_size"] = kwargs.get("pool_size") or POOL_SIZE
    kwargs.setdefault("max_overflow", kwargs["pool_size"])
    engine = create_engine(url, **kwargs)
    event.listen(engine, "before_cursor_execute", _begin_before_writing)
    return engine


#: Execution option of a statement that only reads and takes no lock (:func:`plain_read`).
PLAIN_READ = "opencpr_plain_read"
#: Execution option of a connection whose transaction begins with its first write (:func:`begin_late`).
LATE_BEGIN = "opencpr_late_begin"


def plain_read(statement: Any) -> Any:
    """Mark ``statement`` as one that reads and takes no lock: in a transaction begun late
    (:func:`begin_late`) it may run before the ``BEGIN``, on a snapshot of its own. Under
    PostgreSQL's ``READ COMMITTED`` every statement of a transaction takes a snapshot of its own
    anyway, so for such a statement nothing changes but the round trip saved."""
    return statement.execution_options(**{PLAIN_READ: True})


def begin_late(conn: Connection) -> None:
    """PostgreSQL: begin ``conn``'s transaction with its first write instead of its first statement.

    psycopg sends ``BEGIN`` as a round trip of its own before a transaction's first statement. A
    call that writes usually reads first; here the driver runs in autocommit until a statement
    other than a :func:`plain_read` comes, and ``BEGIN`` goes out just before it — in the same
    round trip when it goes in a :class:`~opencpr.register.batch.Batch`. Every statement that is
    not marked as a plain read (a write, a lock, a savepoint) still runs inside the transaction.
    Commit and rollback work as before. On SQLite nothing changes."""
    if conn.dialect.name != "postgresql" or conn.in_transaction():
        return
    conn.execution_options(isolation_level="AUTOCOMMIT", **{LATE_BEGIN: True})


def begun_late(conn: Connection) -> bool:
    """``conn`` is in a transaction begun late (:func:`begin_late`) that has not yet sent ``BEGIN``."""
    return bool(conn.get_execution_options().get(LATE_BEGIN)) and _idle(conn.connection.driver_connection)


def begin_now(conn: Connection) -> None:
    """Send the ``BEGIN`` of a transaction begun late, if not yet sent (before statements that go
    to the driver around SQLAlchemy)."""
    if begun_late(conn):
        conn.connection.driver_connection.execute("BEGIN")


def _idle(driver: Any) -> bool:
    from psycopg import pq

    return driver.pgconn.transaction_status == pq.TransactionStatus.IDLE


def _begin_before_writing(conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any,
                          executemany: bool) -> None:
    options = context.execution_options if context is not None else conn.get_execution_options()
    if options.get(LATE_BEGIN) and not options.get(PLAIN_READ) and _idle(cursor.connection):
        cursor.connection.execute("BEGIN")


#: PostgreSQL connections a process keeps open by default (it opens up to as many more for a burst)
POOL_SIZE = 20


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


_CHECKPOINTED: set[str] = set()


class Checkpointer:
    """Copies a SQLite database's write-ahead log back into the database in a thread of its own.

    By default the connection whose commit makes the log pass 1,000 pages does the copying, in
    the middle of a request. A server instead runs this: its connections leave the log alone and
    the thread checkpoints every ``interval`` seconds (``PASSIVE``: it never waits for readers or
    writers), on another core while the requests go on. A log that has grown past ``restart_bytes``
    (writers kept adding to it between the passes) is, right after a pass, checkpointed once more
    with ``RESTART`` in the writers' turn, so the next writer starts the log from its beginning. On
    :meth:`stop` it checkpoints once more. Connections opened elsewhere (the command line, another
    program) keep SQLite's own checkpoints.
    """

    def __init__(self, database: str, interval: float = 1.0, restart_bytes: int = 64 * 1024**2) -> None:
        self.database = database
        self.interval = interval
        self.restart_bytes = restart_bytes
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> Checkpointer:
        _CHECKPOINTED.add(self.database)
        self._thread.start()
        return self

    def _checkpoint(self, mode: str = "PASSIVE") -> None:
        import sqlite3

        with contextlib.closing(sqlite3.connect(self.database, timeout=30)) as conn:
            conn.execute(f"PRAGMA wal_checkpoint({mode})")

    def _log_bytes(self) -> int:
        try:
            return os.path.getsize(f"{self.database}-wal")
        except OSError:
            return 0

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._checkpoint("PASSIVE")
                if self._log_bytes() > self.restart_bytes:
                    # what is left since the pass is little: the writers' turn is held only briefly
                    with _queue(self.database).turn():
                        self._checkpoint("RESTART")
            except Exception:  # noqa: BLE001 - a failed pass is tried again; the log only grows meanwhile
                continue

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        _CHECKPOINTED.discard(self.database)
        with contextlib.suppress(Exception):
            self._checkpoint("PASSIVE")


def background_checkpoints(engine: Engine, interval: float = 1.0) -> Checkpointer | None:
    """Start a :class:`Checkpointer` for the engine's SQLite file (None for other databases).

    Connections the engine opens from now on leave checkpoints to it; those already open are
    returned to the pool closed, so they reopen so."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    checkpointer = Checkpointer(database, interval).start()
    engine.dispose()
    return checkpointer


class WriterQueue:
    """Writers to one SQLite file take turns here before they begin (``BEGIN IMMEDIATE``).

    SQLite lets one writer in at a time and makes the others poll, sleeping between tries (1, 2,
    5, 10 … ms): with several server processes most of a busy writer's wait is sleep. Queued on a
    lock file (``flock``, and a thread lock within the process), the next writer starts the moment
    the last one ends. Writers that do not queue (a bulk load, the command line) still get SQLite's
    own locking: the queue orders, SQLite guards.
    """

    def __init__(self, database: str) -> None:
        self.path = f"{database}-writers.lock"
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int | None:
        if self._pid != os.getpid():  # a forked worker opens its own
            self._pid = os.getpid()
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a directory this process may not write: threads queue, processes poll
                self._fd = None
        return self._fd

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        with self._thread_lock:
            fd = self._file()
            if fd is None:
                yield
                return
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


_QUEUES: dict[str, WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


def writer_turn(engine: Engine) -> contextlib.AbstractContextManager[None]:
    """Wait for this writer's turn on a SQLite file (see :class:`WriterQueue`); elsewhere at once."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return contextlib.nullcontext()
    return _queue(database).turn()


def _queue(database: str) -> WriterQueue:
    with _QUEUES_LOCK:
        queue = _QUEUES.get(database)
        if queue is None:
            queue = _QUEUES[database] = WriterQueue(database)
    return queue
