"""``opencpr serve`` as a user runs it: HTTPS with development certificates made on first start, plain
HTTP on request, GCTP signon and lookup over real TLS, verified against the development CA."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from live import free_port
from opencpr.bootstrap import DEMO_PASSWORD, DEMO_USER

SIGNON = (f'<root xmlns="http://www.cpr.dk"><Gctp v="1.0"><Sik function="signon" userid="{DEMO_USER}" '
          f'password="{DEMO_PASSWORD}"/></Gctp></root>').encode("iso-8859-1")
STAM = (b'<Gctp v="1.0"><System r="CprSoeg"><Service r="Stam+"><CprServiceHeader r="Stam+"><Key>'
        b'<Field r="PNR" v="0707614285"/></Key></CprServiceHeader></Service></System></Gctp>')


def _cli() -> list[str]:
    return [sys.executable, "-m", "opencpr.cli"]


def _wait_until_up(server: subprocess.Popen, port: int) -> None:
    """Return once the server answers ``/healthz`` on plain HTTP ``port``; fail if it exits or takes a minute."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert server.poll() is None, server.stderr.read()
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)


@pytest.mark.slow
def test_serve_https_and_http_on_the_demo_register(tmp_path: Path):
    env = {**os.environ, "OPENCPR_DATA_DIR": str(tmp_path / "data"), "OPENCPR_CONFIG": ""}
    env.pop("OPENCPR_DATABASE_URL", None)
    built = subprocess.run([*_cli(), "demo", "--persons", "20"], env=env, capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr
    assert DEMO_USER in built.stderr and DEMO_PASSWORD in built.stderr
    https_port, http_port = free_port(), free_port()
    server = subprocess.Popen([*_cli(), "serve", "--https-port", str(https_port), "--http-port", str(http_port),
                               "--log-level", "warning"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        ca = tmp_path / "data" / "certs" / "ca.crt"
        _wait_until_up(server, http_port)
        assert ca.exists() and (tmp_path / "data" / "certs" / "server.crt").exists()
        context = ssl.create_default_context(cafile=str(ca))
        with httpx.Client(base_url=f"https://localhost:{https_port}", verify=context, trust_env=False) as client:
            signon = client.post("/cpr-online-gctp/gctp", content=SIGNON)
            assert b'v="900"' in signon.content
            token = signon.headers["set-cookie"].split(";")[0]
            answer = client.post("/cpr-online-gctp/gctp", content=STAM, headers={"cookie": token})
            assert b'<Kvit r="Ok" t="" v="0"/>' in answer.content
            assert "Industriv\xe6nget 95,1 mf".encode("iso-8859-1") in answer.content
        with pytest.raises(httpx.ConnectError):  # a client that does not trust the development CA
            httpx.get(f"https://localhost:{https_port}/healthz", verify=True, trust_env=False)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    assert server.returncode in (0, 130, -signal.SIGINT), server.stderr.read()  # 130: stopped by SIGINT


def test_the_servers_sqlite_log_is_copied_back_by_its_checkpointer(tmp_path):
    import shutil
    import sqlite3
    import time

    from sqlalchemy import text

    from opencpr.register.db import background_checkpoints, make_engine

    path = tmp_path / "register.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    checkpointer = background_checkpoints(engine, interval=0.05)
    assert checkpointer is not None
    try:
        with engine.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0  # left to the thread
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1), (2), (3)"))
        time.sleep(0.5)
        # the database file alone (without its log) holds the rows once they are checkpointed
        shutil.copy(path, tmp_path / "copy.sqlite")
        with sqlite3.connect(tmp_path / "copy.sqlite") as copy:
            assert copy.execute("SELECT count(*) FROM t").fetchone()[0] == 3
    finally:
        checkpointer.stop()
        engine.dispose()
    other = make_engine(f"sqlite:///{path}")  # after stop, connections checkpoint themselves again
    with other.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    other.dispose()


def _established(pid: int, port: int) -> int:
    """TCP connections process ``pid`` holds that were accepted on ``port`` (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads the connections from /proc")
def test_several_server_processes_share_the_connections(tmp_path: Path):
    """With ``--workers 2`` a few long-lived connections (an update client's four, a load balancer's
    pool) are spread over both processes, not all taken by the one that accepted first."""
    env = {**os.environ, "OPENCPR_DATA_DIR": str(tmp_path / "data"), "OPENCPR_CONFIG": ""}
    env.pop("OPENCPR_DATABASE_URL", None)
    built = subprocess.run([*_cli(), "demo", "--persons", "20"], env=env, capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr
    port = free_port()
    server = subprocess.Popen([*_cli(), "serve", "--https-port", "0", "--http-port", str(port), "--workers", "2",
                               "--log-level", "warning"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    clients: list[socket.socket] = []
    try:
        _wait_until_up(server, port)
        # opened together and kept open (keep-alive), as a client's connection pool opens them
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
        for client in clients:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        for client in clients:
            assert client.recv(4096).startswith(b"HTTP/1.1 200")
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        workers = [int(p) for p in children if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
        held = [_established(pid, port) for pid in workers]
        assert len(workers) == 2 and sum(held) == 16 and min(held) >= 1, held
    finally:
        for client in clients:
            client.close()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()


def test_the_server_runs_its_event_loops_on_uvloop():
    """uvicorn[standard] installs uvloop, but uvicorn only picks it when it runs the loop itself;
    `opencpr serve` runs its own (on asyncio's, Stam+ answered about a sixth fewer lookups)."""
    import asyncio

    import uvloop

    from opencpr.server import _run_loop

    seen = []

    async def which() -> None:
        seen.append(type(asyncio.get_running_loop()))

    _run_loop(which())
    assert seen == [uvloop.Loop]


def test_the_reference_tables_are_read_before_the_first_request(tmp_path):
    """The authority table and the roads take about half a second to read; read on first use, the
    first requests after a start waited for them, each thread that asked reading them again."""
    code = (
        "from opencpr.domain import reference\n"
        "from opencpr.register.db import make_engine\n"
        "tables = (reference._authority_table, reference._roads, reference.postal_codes)\n"
        "assert [t.cache_info().currsize for t in tables] == [0, 0, 0]\n"
        "from opencpr.app import create_app\n"
        f"create_app(make_engine('sqlite:///{tmp_path / 'register.sqlite'}'), run_due_every=None)\n"
        "print([t.cache_info().currsize for t in tables])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[1, 1, 1]"
