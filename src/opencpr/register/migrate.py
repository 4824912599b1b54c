"""Schema migrations (Alembic), run from code: ``opencpr init`` and the test suite use them."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from opencpr.config import load_settings, normalize_url
from opencpr.register.db import make_engine


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "opencpr.register:migrations")
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the register's schema up to ``revision``."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def open_register(database_url: str | None = None, migrate: bool = True) -> Engine:
    """An engine on the configured register (or ``database_url``), its schema brought up to date."""
    engine = make_engine(normalize_url(database_url or load_settings().database_url))
    if migrate:
        upgrade(engine)
    return engine
