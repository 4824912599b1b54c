"""A process killed in the middle of saves leaves no partial event: each save is all or nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from sqlalchemy import func, select

from opencpr.register.changes import read_state
from opencpr.register.schema import address, event

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
