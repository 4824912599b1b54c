"""Configuration: one place that says where the data lives and how to reach the database.

Every setting has an environment variable (``OPENCPR_*``); the defaults give an embedded
register in ``./data`` (SQLite in WAL mode).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read the settings from the environment (``OPENCPR_DATA_DIR``, ``OPENCPR_DATABASE_URL``)."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("OPENCPR_DATA_DIR", "data")).resolve()
    url = env.get("OPENCPR_DATABASE_URL") or f"sqlite:///{data_dir / 'opencpr.sqlite'}"
    return Settings(data_dir=data_dir, database_url=normalize_url(url))


def normalize_url(url: str) -> str:
    """A database URL as SQLAlchemy needs it: plain ``postgresql://`` URLs use psycopg 3."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
