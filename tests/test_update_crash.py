"""A process killed in the middle of saves leaves no partial event: each save is all or nothing; a
server killed in the middle of lookups and saves has recorded every lookup it answered and kept every
save it acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from opencpr.access.audit import audit_for_actor
from opencpr.access.passwords import CHEAP, Passwords
from opencpr.access.users import set_known_password
from opencpr.register.changes import read_state
from opencpr.register.schema import address, event, person

JENS = "0707614285"

SAVER = textwrap.dedent("""
    import datetime as dt, sys
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.access.users import actor_for_user
    from opencpr.clock import FixedClock
    from opencpr.register.db import make_engine
    from opencpr.services import updates
    from opencpr.services.gate import Gate

    engine = make_engine(sys.argv[1])
    gate = Gate(engine, FixedClock(dt.datetime(2014, 10, 27, 12, 0)), audit_mode="sync", passwords=Passwords(CHEAP))
    actor = actor_for_user(engine, "CPR1")
    keys = {"pnr": sys.argv[2], "event_date": "20141027", "authority": "0003"}
    n = 0
    while True:
        n += 1
        data = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": str(7 + 2 * (n % 2))}
        ts = updates.step(gate, actor, "A01", "initiate", **keys).info["session"]
        updates.step(gate, actor, "A01", "validate", ts=ts, data=data, **keys)
        updates.step(gate, actor, "A01", "save", ts=ts, data=data, **keys)
        print(n, flush=True)
""")


def test_killed_while_saving_moves(demo_engine):
    url = demo_engine.url.render_as_string(hide_password=False)
    with demo_engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(address).where(address.c.pnr == JENS)).scalar()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    saver = subprocess.Popen([sys.executable, "-c", SAVER, url, JENS], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        saved = 0
        while saved < 25:
            line = saver.stdout.readline()
            assert line, saver.stderr.read()
            saved = int(line)
            assert time.monotonic() < deadline
        time.sleep(0.037)  # somewhere inside a later save
    finally:
        saver.send_signal(signal.SIGKILL)
        saver.wait(10)
    with demo_engine.connect() as conn:
        moves = conn.execute(select(func.count()).select_from(event).where(
            event.c.pnr == JENS, event.c.event_code == "A01", event.c.source == "update")).scalar()
        rows = conn.execute(select(address).where(address.c.pnr == JENS).order_by(address.c.id)).mappings().all()
        state = read_state(conn, JENS)
    assert moves >= 25
    assert len(rows) - before == moves  # one address row per logged move, no more, no less
    assert sum(bool(r["current"]) for r in rows) == 1
    assert state.version == moves  # the person was claimed once per save
    current = state.current("address")
    assert current["house_no"] == ("009" if moves % 2 else "007")
    assert state.one("clear_address")["standard_address"].endswith(str(int(current["house_no"])))


# --- a server killed while it answers lookups and saves ---------------------------------------------------

def _serve(url: str, port: int, tmp_path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "OPENCPR_CONFIG": "",
           "OPENCPR_DATA_DIR": str(tmp_path / "data"), "OPENCPR_AUDIT_MODE": "deferred"}
    server = subprocess.Popen([sys.executable, "-m", "opencpr.cli", "serve", "--https-port", "0", "--http-port",
                               str(port), "--log-level", "warning", "--database-url", url], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        assert server.poll() is None, server.stderr.read()
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "OPENCPR_CONFIG": ""}
    return subprocess.run([sys.executable, "-m", "opencpr.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_a_killed_server_loses_no_answered_lookup_and_no_acknowledged_save(demo_engine, tmp_path):
    from conftest import TEST_USERS
    from live import Gctp, free_port

    code, _, password = TEST_USERS["cpr-office"]
    set_known_password(demo_engine, code, password, passwords=Passwords(CHEAP))  # valid by today's clock
    url = demo_engine.url.render_as_string(hide_password=False)
    with demo_engine.connect() as conn:
        pnrs = list(conn.execute(select(person.c.pnr).order_by(person.c.pnr).limit(20)).scalars())
    port = free_port()
    server = _serve(url, port, tmp_path)
    answered: Counter[tuple[str, str]] = Counter()  # (service, pnr) -> lookups answered
    saved = [0]
    stop = threading.Event()
    lock = threading.Lock()
    base = f"http://127.0.0.1:{port}"

    def rest_lookups(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            token = client.post("/api/v1/signon", json={"user_code": code, "password": password}).json()["token"]
            client.headers["authorization"] = f"Bearer {token}"
            i = n
            while not stop.is_set():
                pnr = pnrs[i % len(pnrs)]
                i += 1
                try:
                    answer = client.get("/api/v1/stam-plus", params={"pnr": pnr})
                except httpx.TransportError:
                    return
                if answer.status_code == 200:
                    with lock:
                        answered["Stam+", pnr] += 1

    def gctp_lookups() -> None:
        client = Gctp(port)
        client.signon(code, password)
        i = 0
        while not stop.is_set():
            pnr = pnrs[i % len(pnrs)]
            i += 1
            try:
                answer = client.call("STAMP", {"PNR": pnr})
            except OSError:
                return
            if answer["kvit"]["v"] == "0":
                with lock:
                    answered["STAMP", pnr] += 1

    def saves() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            token = client.post("/api/v1/signon", json={"user_code": code, "password": password}).json()["token"]
            client.headers["authorization"] = f"Bearer {token}"
            keys = {"pnr": JENS, "event_date": "20141027", "authority": "0003"}
            n = 0
            while not stop.is_set():
                n += 1
                data = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": str(7 + 2 * (n % 2))}
                try:
                    ts = client.post("/api/v1/events/A01/initiate", json=keys).json()["session"]
                    client.post("/api/v1/events/A01/validate", json={**keys, "session": ts, "data": data})
                    answer = client.post("/api/v1/events/A01/save", json={**keys, "session": ts, "data": data})
                except httpx.TransportError:
                    return
                if answer.status_code == 200:
                    saved[0] += 1

    threads = [threading.Thread(target=rest_lookups, args=(n,)) for n in range(3)]
    threads += [threading.Thread(target=gctp_lookups), threading.Thread(target=saves)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 60
        while sum(answered.values()) < 600 or saved[0] < 3:
            assert time.monotonic() < deadline and server.poll() is None, (sum(answered.values()), saved)
            time.sleep(0.05)
    finally:
        server.send_signal(signal.SIGKILL)  # in the middle of lookups and saves
        server.wait(10)
        stop.set()
        for t in threads:
            t.join(30)

    audited: Counter[tuple[str, str]] = Counter()
    for record in audit_for_actor(demo_engine, code):
        if record.result_code == 0 and record.service in ("Stam+", "STAMP"):
            for pnr in record.persons:
                audited[record.service, pnr] += 1
    lost = {k: n - audited[k] for k, n in answered.items() if audited[k] < n}
    assert not lost, f"{sum(lost.values())} answered lookups have no audit record: {lost}"
    with demo_engine.connect() as conn:
        moves = conn.execute(select(func.count()).select_from(event).where(
            event.c.pnr == JENS, event.c.event_code == "A01", event.c.source == "update")).scalar()
    assert moves >= saved[0] > 0

    server = _serve(url, port, tmp_path)  # it starts again on what the killed one left
    server.send_signal(signal.SIGTERM)
    server.wait(30)
    checked, verified = _cli("check", "--database-url", url), _cli("audit", "verify", "--database-url", url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert verified.returncode == 0 and "OK" in verified.stdout, verified.stdout + verified.stderr
