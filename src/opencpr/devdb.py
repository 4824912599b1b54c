"""A throwaway PostgreSQL cluster for the test suite, the benchmarks and local trials.

Uses Debian's PostgreSQL binaries (``/usr/lib/postgresql/<version>/bin``). ``initdb`` refuses to
run as root, so as root the cluster is made and run as the ``postgres`` user. The server listens
on 127.0.0.1 on a free port, with its socket in the cluster directory.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path:
    explicit = os.environ.get("OPENCPR_PG_BINDIR")
    candidates = [explicit] if explicit else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").exists():
            return Path(c)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found; "
                              "install Debian's 'postgresql' package")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempPostgres:
    """Start with :meth:`start`, stop (and remove) with :meth:`stop`; or use as a context manager."""

    def __init__(self, base_dir: str | None = None, settings: dict[str, str] | None = None):
        self.bindir = find_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="opencpr-pg-", dir=base_dir))
        self.datadir = self.root / "data"
        self.port = _free_port()
        self.settings = settings or {}
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> TempPostgres:
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        opts = {
            "listen_addresses": "'127.0.0.1'", "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'", "fsync": "off",
            "synchronous_commit": "off", "full_page_writes": "off", **self.settings,
        }
        with open(self.datadir / "postgresql.conf", "a") as conf:
            for k, v in opts.items():
                conf.write(f"{k} = {v}\n")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._run(str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port),
                         check=False).returncode == 0:
                break
            time.sleep(0.1)
        return self

    def create_database(self, name: str) -> str:
        """Create a database (with pg_trgm) and return its URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop",
                  check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> TempPostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
