"""Schema migrations (Alembic), run from code: ``opencpr init`` and the test suite use them."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


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
