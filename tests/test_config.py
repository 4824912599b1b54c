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
