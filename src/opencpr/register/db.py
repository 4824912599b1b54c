"""Database engines for the register: SQLite (embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

#: SQLite reads the database through a memory map of up to this size (the file's pages straight from
#: the operating system's cache, without a read call for each page; writes still go through the WAL)
SQLITE_MMAP_BYTES = 64 * 1024**3


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``url``. SQLite gets WAL, a busy timeout and its data directory made."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every SQLite test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA cache_size=-65536")
            cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
            cur.close()

        return engine
    # no pre-ping (a round trip on every checkout, a quarter of a lookup's time): a connection the
    # server dropped fails once and is replaced; connections are renewed every half hour
    kwargs.setdefault("pool_recycle", 1800)
    return create_engine(url, **kwargs)


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
