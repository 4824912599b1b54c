"""Configuration: one place that says where the data lives, how to reach the database, how to serve.

Every setting can come from a config file (TOML, the file named by ``OPENCPR_CONFIG`` or
``./opencpr.toml`` when it exists, keys under ``[opencpr]``) and from an environment variable
``OPENCPR_<KEY>``, which wins. The defaults give an embedded register in ``./data`` (SQLite in
WAL mode) served on ``https://127.0.0.1:8443`` with the development certificates in
``./data/certs``.

====================  =========================  =============================================
key                   environment variable       default
====================  =========================  =============================================
data_dir              OPENCPR_DATA_DIR           ``./data``
database_url          OPENCPR_DATABASE_URL       ``sqlite:///<data_dir>/opencpr.sqlite``
host                  OPENCPR_HOST               ``127.0.0.1``
https_port            OPENCPR_HTTPS_PORT         ``8443`` (0: no HTTPS listener)
http_port             OPENCPR_HTTP_PORT          ``0`` (no plain HTTP unless asked)
cert_dir              OPENCPR_CERT_DIR           ``<data_dir>/certs``
server_cert           OPENCPR_SERVER_CERT        ``<cert_dir>/server.crt``
server_key            OPENCPR_SERVER_KEY         ``<cert_dir>/server.key``
ca_cert               OPENCPR_CA_CERT            ``<cert_dir>/ca.crt`` (client certificates)
gctp_env              OPENCPR_GCTP_ENV           empty (``Gctp env=`` in answers when set)
audit_mode            OPENCPR_AUDIT_MODE         ``deferred`` for the server (``sync``: durable first)
====================  =========================  =============================================
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

_KEYS = ("data_dir", "database_url", "host", "https_port", "http_port", "cert_dir", "server_cert", "server_key",
         "ca_cert", "gctp_env", "audit_mode")


class ConfigError(ValueError):
    """A setting that cannot be used (the message names it)."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str = "127.0.0.1"
    https_port: int = 8443
    http_port: int = 0
    cert_dir: Path | None = None
    server_cert: Path | None = None
    server_key: Path | None = None
    ca_cert: Path | None = None
    gctp_env: str | None = None
    audit_mode: str = "deferred"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _file_settings(env: dict[str, str]) -> dict[str, object]:
    named = env.get("OPENCPR_CONFIG")
    path = Path(named) if named else Path("opencpr.toml")
    if not path.exists():
        if named:
            raise ConfigError(f"OPENCPR_CONFIG names {path}, which does not exist")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    section = data.get("opencpr", data)
    unknown = sorted(set(section) - set(_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown settings {unknown}; known: {list(_KEYS)}")
    return dict(section)


def _port(name: str, value: object) -> int:
    try:
        port = int(str(value))
    except ValueError:
        raise ConfigError(f"{name} must be a port number, not {value!r}") from None
    if not 0 <= port <= 65535:
        raise ConfigError(f"{name} must be a port number (0-65535), not {port}")
    return port


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read the settings from the config file and the environment (which wins)."""
    env = dict(os.environ if env is None else env)
    values: dict[str, object] = _file_settings(env)
    for key in _KEYS:
        if f"OPENCPR_{key.upper()}" in env and env[f"OPENCPR_{key.upper()}"] != "":
            values[key] = env[f"OPENCPR_{key.upper()}"]
    data_dir = Path(str(values.get("data_dir", "data"))).resolve()
    url = str(values.get("database_url") or f"sqlite:///{data_dir / 'opencpr.sqlite'}")
    cert_dir = Path(str(values["cert_dir"])).resolve() if values.get("cert_dir") else data_dir / "certs"
    audit_mode = str(values.get("audit_mode", "deferred"))
    if audit_mode not in ("sync", "deferred"):
        raise ConfigError(f"audit_mode must be sync or deferred, not {audit_mode!r}")
    return Settings(
        data_dir=data_dir,
        database_url=normalize_url(url),
        host=str(values.get("host", "127.0.0.1")),
        https_port=_port("https_port", values.get("https_port", 8443)),
        http_port=_port("http_port", values.get("http_port", 0)),
        cert_dir=cert_dir,
        server_cert=Path(str(values["server_cert"])) if values.get("server_cert") else cert_dir / "server.crt",
        server_key=Path(str(values["server_key"])) if values.get("server_key") else cert_dir / "server.key",
        ca_cert=Path(str(values["ca_cert"])) if values.get("ca_cert") else cert_dir / "ca.crt",
        gctp_env=str(values["gctp_env"]) if values.get("gctp_env") else None,
        audit_mode=audit_mode,
    )


def normalize_url(url: str) -> str:
    """A database URL as SQLAlchemy needs it: plain ``postgresql://`` URLs use psycopg 3."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
