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
audit_mode            OPENCPR_AUDIT_MODE         ``deferred`` for the server (``sync``: one transaction per call)
max_body              OPENCPR_MAX_BODY           ``262144`` bytes: the largest request body, every door
max_fields            OPENCPR_MAX_FIELDS         ``200``: GCTP ``Field`` elements, REST event data keys
body_timeout          OPENCPR_BODY_TIMEOUT       ``30`` seconds to receive a whole body (then 408)
guess_failures        OPENCPR_GUESS_FAILURES     ``30`` failed tokens/signons per client and window …
guess_window          OPENCPR_GUESS_WINDOW       ``60`` seconds … before the client is refused (913/429)
hash_threads          OPENCPR_HASH_THREADS       half the CPUs (at least 1): passwords hashed at once
audit_anchor          OPENCPR_AUDIT_ANCHOR       empty; a file the server appends the chain head to
audit_anchor_key      OPENCPR_AUDIT_ANCHOR_KEY   empty; an Ed25519 private key (PEM) signing anchors
audit_anchor_every    OPENCPR_AUDIT_ANCHOR_EVERY ``300`` seconds between anchors
====================  =========================  =============================================
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

_KEYS = ("data_dir", "database_url", "host", "https_port", "http_port", "cert_dir", "server_cert", "server_key",
         "ca_cert", "gctp_env", "audit_mode", "max_body", "max_fields", "body_timeout", "guess_failures",
         "guess_window", "hash_threads", "audit_anchor", "audit_anchor_key", "audit_anchor_every")


class ConfigError(ValueError):
    """A setting that cannot be used (the message names it)."""


def _default_hash_threads() -> int:
    return max(1, (os.cpu_count() or 2) // 2)


@dataclass(frozen=True)
class Limits:
    """What one client may send and try: the doors' protection against floods and guessing."""

    max_body: int = 256 * 1024  # bytes in a request body, on every door (GCTP answers 912, REST 413)
    max_fields: int = 200  # GCTP Field elements in a request; keys of a REST event's data
    body_timeout: float = 30.0  # seconds a client may take to send a whole body (408)
    guess_failures: int = 30  # failed tokens and signons from one client within guess_window …
    guess_window: float = 60.0  # … after which its tokens and signons are refused (913, REST 429)
    hash_threads: int = field(default_factory=_default_hash_threads)  # passwords hashed at once
    refusal_window: float = 10.0  # refused calls are recorded per client, door and code per window
    refusal_keys: int = 1000  # distinct (client, door, code) per window; the rest as one record


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
    limits: Limits = field(default_factory=Limits)
    audit_anchor: Path | None = None
    audit_anchor_key: Path | None = None
    audit_anchor_every: float = 300.0

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


def _number(name: str, value: object, kind: type, low: float) -> int | float:
    try:
        number = kind(str(value))
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {value!r}") from None
    if number < low:
        raise ConfigError(f"{name} must be at least {low}, not {number}")
    return number


def _limits(values: dict[str, object]) -> Limits:
    default = Limits()
    kinds = {"max_body": (int, 1024), "max_fields": (int, 10), "body_timeout": (float, 0.1),
             "guess_failures": (int, 1), "guess_window": (float, 1.0), "hash_threads": (int, 1)}
    given = {k: _number(k, values[k], kind, low) for k, (kind, low) in kinds.items() if k in values}
    return Limits(**{**{k: getattr(default, k) for k in kinds}, **given})


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
        limits=_limits(values),
        audit_anchor=Path(str(values["audit_anchor"])) if values.get("audit_anchor") else None,
        audit_anchor_key=Path(str(values["audit_anchor_key"])) if values.get("audit_anchor_key") else None,
        audit_anchor_every=float(_number("audit_anchor_every", values.get("audit_anchor_every", 300), float, 1.0)),
    )


def normalize_url(url: str) -> str:
    """A database URL as SQLAlchemy needs it: plain ``postgresql://`` URLs use psycopg 3."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
