"""Schema migrations (Alembic), run from code: ``opencpr init`` and the test suite use them."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from opencpr.config import load_settings, normalize_url
from opencpr.register.db import make_engine


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "opencpr.register:migrations")
    return cfg


#: The advisory lock key migrations take on PostgreSQL (see :mod:`opencpr.register.joblock` for the others).
_MIGRATION_KEY = 0x0C9F_FFFF_FFFF


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the register's schema up to ``revision``.

    Processes that start together on one database (servers on several hosts) migrate one at a
    time: the first brings the schema up, the others wait for it and then find nothing to do. On
    PostgreSQL a transaction-level advisory lock orders them (it ends with the migration's
    transaction, or with its process); on SQLite a file lock beside the database."""
    cfg = alembic_config()
    with _sqlite_turn(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@contextlib.contextmanager
def _sqlite_turn(engine: Engine) -> Iterator[None]:
    """Held around the whole migration and its commit, so the next one reads the schema it left."""
    database = (engine.url.database or "") if engine.dialect.name == "sqlite" else ""
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    try:
        fd = os.open(f"{database}-migrate.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # a directory this process may not write: SQLite's own locking still guards
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the lock


def open_register(database_url: str | None = None, migrate: bool = True, pool_size: int | None = None) -> Engine:
    """An engine on the configured register (or ``database_url``), its schema brought up to date;
    on PostgreSQL keeping ``pool_size`` connections (default :data:`~opencpr.register.db.POOL_SIZE`)."""
    engine = make_engine(normalize_url(database_url or load_settings().database_url), pool_size=pool_size)
    if migrate:
        upgrade(engine)
    return engine
