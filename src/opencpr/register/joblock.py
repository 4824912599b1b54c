"""Jobs that run once across every process on one database: :func:`run_once`.

Several server processes (``opencpr serve`` on several ports or hosts) share one register, and
each looks at the clock for the night's job (extraction, retention, the unfetched report); the
command line (``opencpr extract run``) may start it by hand. The job must run in one of them at a
time, and a process that dies holding it must not block the next one:

* **PostgreSQL**: a session-level advisory lock (``pg_try_advisory_lock``) taken on a connection
  of its own, in autocommit (idle, not idle in a transaction, for the job's hours), and held
  until the job ends. It belongs to the database session, so it goes with the process: when a
  process is killed its connection closes and the server drops the lock at once (a host that
  vanishes without closing its connections: when TCP keepalive gives the connection up, see
  ``tcp_keepalives_idle`` on the server). The connection carries the holder's name as its
  ``application_name``, so the one that does not get the lock can say who has it.
* **SQLite**: an ``flock`` on a file beside the database (``<database>-<job>.lock``). SQLite is
  used by processes on one host (its own locking does not hold over a network file system), so
  a lock the kernel keeps for them is enough, and the kernel drops it when its holder dies — a
  lock row with a lease in the database would keep a killed holder's job blocked until the lease
  runs out, and would need a heartbeat while the job runs. The holder's name is written into
  the file. An in-memory database is seen by one process only: a lock within the process.

Taking the lock never waits: the caller that does not get it gets :class:`JobBusy` and skips.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import socket
import threading
import zlib
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, text

__all__ = ["JobBusy", "NIGHTLY", "holder_name", "run_once"]

#: The night's job: SF6002 extraction, retention of unfetched deliveries and their report.
NIGHTLY = "nightly"

#: This register's advisory lock keys for jobs (+ a CRC of the job's name); PNR allocation uses
#: ``0x0C9E_0000_0000`` + ddmmyy (:mod:`opencpr.services.apply`).
_JOB_KEYS = 0x0C9F_0000_0000

_LOCAL: dict[tuple[str, str], threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()


class JobBusy(Exception):
    """Another process holds the job (``holder``: its name, when it can be found)."""

    def __init__(self, job: str, holder: str | None) -> None:
        self.job = job
        self.holder = holder
        super().__init__(f"another process holds the job {job!r}" + (f" ({holder})" if holder else ""))


def holder_name(job: str) -> str:
    """How this process names itself as a job's holder: the job, the host and the process id."""
    return f"opencpr {job} {socket.gethostname()} pid {os.getpid()}"


def _key(job: str) -> int:
    return _JOB_KEYS + zlib.crc32(job.encode("utf-8"))


@contextlib.contextmanager
def run_once(engine: Engine, job: str) -> Iterator[None]:
    """Hold ``job`` for the block, across every process on the engine's database; raise
    :class:`JobBusy` at once if another process (or another thread of this one) holds it."""
    if engine.dialect.name == "postgresql":
        with _advisory(engine, job):
            yield
    else:
        database = engine.url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            with _in_process(str(engine.url), job):
                yield
        else:
            with _file_lock(f"{database}-{job}.lock", job):
                yield


# --- PostgreSQL: a session-level advisory lock ------------------------------------------------------------

@contextlib.contextmanager
def _advisory(engine: Engine, job: str) -> Iterator[None]:
    key = _key(job)
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
        if not got:
            raise JobBusy(job, _advisory_holder(conn, key))
        conn.execute(text("SELECT set_config('application_name', :name, false)"),
                     {"name": holder_name(job)[:63]})
    except BaseException:
        conn.invalidate()  # the session closes: whatever it held goes with it
        conn.close()
        raise
    try:
        yield
    finally:
        # closing the session drops the lock (and the name); the connection is not pooled again
        with contextlib.suppress(Exception):
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        conn.invalidate()
        conn.close()


def _advisory_holder(conn: Connection, key: int) -> str | None:
    """The application name of the session holding the advisory lock ``key`` (None if unseen)."""
    try:
        row = conn.execute(text(
            "SELECT a.application_name, a.client_addr, a.backend_start FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            "AND l.classid::bigint = :high AND l.objid::bigint = :low "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
            {"high": key >> 32, "low": key & 0xFFFF_FFFF}).first()
    except Exception:  # no right to read the statistics: the lock is held all the same
        return None
    if row is None:
        return None
    name = row.application_name or "a session"
    where = f" from {row.client_addr}" if row.client_addr else ""
    since = f", connected since {row.backend_start:%Y-%m-%d %H:%M:%S}" if row.backend_start else ""
    return f"{name}{where}{since}"


# --- SQLite: a file lock beside the database ----------------------------------------------------------------

@contextlib.contextmanager
def _file_lock(path: str, job: str) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise JobBusy(job, _file_holder(fd)) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{holder_name(job)}, since {dt.datetime.now():%Y-%m-%d %H:%M:%S}\n".encode(), 0)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _file_holder(fd: int) -> str | None:
    try:
        found = os.pread(fd, 512, 0).decode("utf-8", "replace").strip()
    except OSError:
        return None
    return found or None


@contextlib.contextmanager
def _in_process(database: str, job: str) -> Iterator[None]:
    with _LOCAL_GUARD:
        lock = _LOCAL.setdefault((database, job), threading.Lock())
    if not lock.acquire(blocking=False):
        raise JobBusy(job, "another thread of this process")
    try:
        yield
    finally:
        lock.release()
