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
database_url          OPENCPR_DATABASE_URL       ``sqlite:///<data_dir>/opencpr.sqlite`` (``?synchronous=full``: SQLite waits for the disk at every commit)
host                  OPENCPR_HOST               ``127.0.0.1``
https_port            OPENCPR_HTTPS_PORT         ``8443`` (0: no HTTPS listener)
http_port             OPENCPR_HTTP_PORT          ``0`` (no plain HTTP unless asked)
cert_dir              OPENCPR_CERT_DIR           ``<data_dir>/certs``
server_cert           OPENCPR_SERVER_CERT        ``<cert_dir>/server.crt``
server_key            OPENCPR_SERVER_KEY         ``<cert_dir>/server.key``
ca_cert               OPENCPR_CA_CERT            ``<cert_dir>/ca.crt`` (client certificates)
gctp_env              OPENCPR_GCTP_ENV           empty (``Gctp env=`` in answers when set)
audit_mode            OPENCPR_AUDIT_MODE         ``deferred`` for the server (``sync``: durable first)
delivery_dir          OPENCPR_DELIVERY_DIR       ``<data_dir>/deliveries`` (SF6002 homes, IN/OUT)
sftp_port             OPENCPR_SFTP_PORT          ``2222`` (0: no SFTP server)
sftp_host_key         OPENCPR_SFTP_HOST_KEY      ``<data_dir>/sftp_host_key`` (made when missing)
extract_window        OPENCPR_EXTRACT_WINDOW     ``22:00-05:00`` (when the server extracts; empty: never)
extract_budget_hours  OPENCPR_EXTRACT_BUDGET_HOURS  ``5`` (a night's extraction stops after this)
retention_days        OPENCPR_RETENTION_DAYS     ``30`` (unfetched deliveries are deleted after)
unfetched_alert_days  OPENCPR_UNFETCHED_ALERT_DAYS  ``7`` (deliveries lying longer are reported)
max_body              OPENCPR_MAX_BODY           ``262144`` bytes: the largest request body, every door
max_fields            OPENCPR_MAX_FIELDS         ``200``: GCTP ``Field`` elements, REST event data keys
body_timeout          OPENCPR_BODY_TIMEOUT       ``30`` seconds to receive a whole body (then 408)
guess_failures        OPENCPR_GUESS_FAILURES     ``30`` failed tokens/signons per client and window …
guess_window          OPENCPR_GUESS_WINDOW       ``60`` seconds … before the client is refused (913/429)
hash_threads          OPENCPR_HASH_THREADS       half the CPUs (at least 1): passwords hashed at once
audit_anchor          OPENCPR_AUDIT_ANCHOR       empty; a file the server appends the chain head to
audit_anchor_key      OPENCPR_AUDIT_ANCHOR_KEY   empty; an Ed25519 private key (PEM) signing anchors
audit_anchor_every    OPENCPR_AUDIT_ANCHOR_EVERY ``300`` seconds between anchors
db_pool_size          OPENCPR_DB_POOL_SIZE       ``20``: PostgreSQL connections a server process keeps (as many more in a burst)
====================  =========================  =============================================
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

_KEYS = ("data_dir", "database_url", "host", "https_port", "http_port", "cert_dir", "server_cert", "server_key",
         "ca_cert", "gctp_env", "audit_mode", "delivery_dir", "sftp_port", "sftp_host_key", "extract_window",
         "extract_budget_hours", "retention_days", "unfetched_alert_days", "max_body", "max_fields",
         "body_timeout", "guess_failures", "guess_window", "hash_threads", "audit_anchor", "audit_anchor_key",
         "audit_anchor_every", "db_pool_size")


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
    delivery_dir: Path | None = None
    sftp_port: int = 2222
    sftp_host_key: Path | None = None
    extract_window: tuple[int, int] | None = (22 * 60, 5 * 60)  # minutes after midnight: start, end
    extract_budget_hours: float = 5.0
    retention_days: float = 30.0
    unfetched_alert_days: float = 7.0
    limits: Limits = field(default_factory=Limits)
    audit_anchor: Path | None = None
    audit_anchor_key: Path | None = None
    audit_anchor_every: float = 300.0
    db_pool_size: int = 20

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
        delivery_dir=Path(str(values["delivery_dir"])).resolve() if values.get("delivery_dir")
        else data_dir / "deliveries",
        sftp_port=_port("sftp_port", values.get("sftp_port", 2222)),
        sftp_host_key=Path(str(values["sftp_host_key"])) if values.get("sftp_host_key")
        else data_dir / "sftp_host_key",
        extract_window=_window(values.get("extract_window", "22:00-05:00")),
        extract_budget_hours=_positive("extract_budget_hours", values.get("extract_budget_hours", 5)),
        retention_days=_positive("retention_days", values.get("retention_days", 30)),
        unfetched_alert_days=_positive("unfetched_alert_days", values.get("unfetched_alert_days", 7)),
        limits=_limits(values),
        audit_anchor=Path(str(values["audit_anchor"])) if values.get("audit_anchor") else None,
        audit_anchor_key=Path(str(values["audit_anchor_key"])) if values.get("audit_anchor_key") else None,
        audit_anchor_every=float(_number("audit_anchor_every", values.get("audit_anchor_every", 300), float, 1.0)),
        db_pool_size=int(_number("db_pool_size", values.get("db_pool_size", 20), int, 1)),
    )


def _positive(name: str, value: object) -> float:
    """A number above 0 (hours, days)."""
    return float(_number(name, value, float, 1e-6))


def _window(value: object) -> tuple[int, int] | None:
    """``HH:MM-HH:MM`` as minutes after midnight (the end may be after midnight); empty: None."""
    text = str(value).strip()
    if not text:
        return None
    try:
        start, end = (part.strip() for part in text.split("-"))
        minutes = [int(p.split(":")[0]) * 60 + int(p.split(":")[1]) for p in (start, end)]
    except (ValueError, IndexError):
        raise ConfigError(f"extract_window must be HH:MM-HH:MM (e.g. 22:00-05:00), not {value!r}") from None
    if not all(0 <= m < 24 * 60 for m in minutes) or minutes[0] == minutes[1]:
        raise ConfigError(f"extract_window must be two different times of day, not {value!r}")
    return minutes[0], minutes[1]


def normalize_url(url: str) -> str:
    """A database URL as SQLAlchemy needs it: plain ``postgresql://`` URLs use psycopg 3."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
