"""Configuration: a TOML file, environment variables that win over it, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from opencpr.config import ConfigError, load_settings


def test_defaults_give_an_embedded_register_in_data(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings({})
    assert s.database_url == f"sqlite:///{tmp_path / 'data' / 'opencpr.sqlite'}"
    assert (s.host, s.https_port, s.http_port) == ("127.0.0.1", 8443, 0)
    assert s.server_cert == tmp_path / "data" / "certs" / "server.crt"


def test_file_then_environment(tmp_path: Path):
    config = tmp_path / "opencpr.toml"
    config.write_text('[opencpr]\nhttps_port = 9443\nhttp_port = 9080\ndatabase_url = "postgresql://u@h/db"\n'
                      'gctp_env = "Demo"\n', encoding="utf-8")
    s = load_settings({"OPENCPR_CONFIG": str(config), "OPENCPR_HTTP_PORT": "7080"})
    assert (s.https_port, s.http_port, s.gctp_env) == (9443, 7080, "Demo")
    assert s.database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("text, env, message", [
    ("[opencpr]\nport = 1\n", {}, "unknown settings"),
    ("[opencpr]\nhttps_port = 'x'\n", {}, "port number"),
    ("", {"OPENCPR_HTTP_PORT": "70000"}, "0-65535"),
    ("", {"OPENCPR_AUDIT_MODE": "sometimes"}, "sync or deferred"),
    ("[opencpr\n", {}, "opencpr.toml"),
])
def test_bad_settings_say_what_is_wrong(tmp_path: Path, text, env, message):
    config = tmp_path / "opencpr.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings({"OPENCPR_CONFIG": str(config), **env})


def test_a_named_config_file_must_exist(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"OPENCPR_CONFIG": str(tmp_path / "missing.toml")})


def test_the_database_pool_size_reaches_the_servers_engine(tmp_path: Path):
    """``db_pool_size`` is what each server process keeps open on PostgreSQL (as many again in a burst)."""
    from opencpr.bootstrap import open_engine

    config = tmp_path / "opencpr.toml"
    config.write_text("[opencpr]\ndb_pool_size = 6\n", encoding="utf-8")
    assert load_settings({"OPENCPR_CONFIG": str(config)}).db_pool_size == 6
    assert load_settings({"OPENCPR_CONFIG": str(config), "OPENCPR_DB_POOL_SIZE": "8"}).db_pool_size == 8
    assert load_settings({}).db_pool_size == 20
    with pytest.raises(ConfigError, match="db_pool_size must be at least 1"):
        load_settings({"OPENCPR_DB_POOL_SIZE": "0"})
    engine = open_engine("postgresql://u@127.0.0.1:1/db", migrate=False, pool_size=8)  # nothing connects yet
    assert (engine.pool.size(), engine.pool._max_overflow) == (8, 8)
    assert open_engine("postgresql://u@127.0.0.1:1/db", migrate=False).pool.size() == 20
    assert open_engine(f"sqlite:///{tmp_path / 'r.sqlite'}", migrate=False, pool_size=8).pool.size() == 5


def test_a_sqlite_register_can_wait_for_the_disk_at_every_commit(tmp_path):
    """``?synchronous=full`` on a SQLite URL: every commit waits for the disk (durable when the
    machine stops, as PostgreSQL is); without it, SQLite's WAL default NORMAL."""
    from sqlalchemy import text

    from opencpr.register.db import make_engine

    for query, expected in (("", 1), ("?synchronous=full", 2), ("?synchronous=NORMAL", 1)):
        engine = make_engine(f"sqlite:///{tmp_path / 'register.sqlite'}{query}")
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar() == expected
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert engine.url.database == str(tmp_path / "register.sqlite")
        engine.dispose()
    with pytest.raises(ValueError, match="synchronous=off in the database URL: normal or full"):
        make_engine(f"sqlite:///{tmp_path / 'register.sqlite'}?synchronous=off")
