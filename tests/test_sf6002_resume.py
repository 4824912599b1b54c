"""A night's extraction killed with SIGKILL in the middle resumes and writes the same bytes as an
uninterrupted run; a spent time budget stops it, and the next night delivers the rest."""

from __future__ import annotations

import datetime as dt
import filecmp
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from opencpr.access.subscribers import actor_for_system, add_system, get_system, set_subscription_setup
from opencpr.clock import FixedClock
from opencpr.delivery.extraction import run_extraction
from opencpr.delivery.store import DeliveryStore
from opencpr.register.db import make_engine
from opencpr.services.gate import Gate
from opencpr.services.subscriptions import filters

NIGHT = dt.date(2014, 10, 27)
AT = dt.datetime(2014, 10, 27, 23, 0)


def _subscribe(gate, name, cvr, **wanted):
    engine = gate.engine
    system = add_system(engine, cvr, name, clock=gate.clock)
    user_system = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    set_subscription_setup(engine, system.id, user_system_uuid=user_system)
    invocation = {"ServiceAgreementUUID": system.agreement_uuid, "UserSystemUUID": user_system,
                  "UserUUID": str(uuid.uuid4()), "ServiceUUID": filters.SERVICE_UUID}
    actor = actor_for_system(engine, get_system(engine, system.id))
    for operation, value in wanted.items():
        gate.call(actor, filters.OPERATIONS[operation], **filters.call_keys(value, invocation))
    return system.id


@pytest.fixture
def register(tmp_path, clock):
    """The demo register on SQLite (a file that can be copied) with three subscriber systems."""
    from conftest import make_demo_register
    from opencpr.register.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    make_demo_register(engine, clock)
    gate = Gate(engine, FixedClock(AT), audit_mode="sync")
    _subscribe(gate, "one", "30000001", AddMunicipalityCodeSubscription={"MunicipalityCode": "851"})
    _subscribe(gate, "two", "30000002", AddNoFilterSubscription={})
    _subscribe(gate, "three", "30000003", AddMunicipalityCodeSubscription={"MunicipalityCode": "573"})
    engine.dispose()
    return tmp_path / "register.sqlite"


_KILLER = textwrap.dedent("""
    import datetime as dt, os, signal, sys
    from opencpr.clock import FixedClock
    from opencpr.delivery import store as store_module
    from opencpr.delivery.extraction import run_extraction
    from opencpr.register.db import make_engine
    from opencpr.services.gate import Gate

    published = []
    original = store_module.DeliveryStore.publish

    def publish(self, system_id, name):
        path = original(self, system_id, name)
        published.append(name)
        if system_id == 2 and not name.endswith(".metadata"):  # the second system's data file is in IN/
            os.kill(os.getpid(), signal.SIGKILL)
        return path

    store_module.DeliveryStore.publish = publish
    gate = Gate(make_engine(sys.argv[1]), FixedClock(dt.datetime(2014, 10, 27, 23, 0)), audit_mode="sync")
    run_extraction(gate, store_module.DeliveryStore(sys.argv[2]), night=dt.date(2014, 10, 27))
""")


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "homes").rglob("*") if p.is_file())


@pytest.mark.slow
def test_killed_with_sigkill_resumes_byte_identical(register, tmp_path):
    copy = tmp_path / "uninterrupted.sqlite"
    shutil.copy(register, copy)
    whole = tmp_path / "whole"
    gate = Gate(make_engine(f"sqlite:///{copy}"), FixedClock(AT), audit_mode="sync")
    run_extraction(gate, DeliveryStore(whole), night=NIGHT)

    killed = tmp_path / "killed"
    child = subprocess.run([sys.executable, "-c", _KILLER, f"sqlite:///{register}", str(killed)],
                           capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": "src"})
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert (killed / "homes" / "2" / "IN" / "D141027.L000001").exists()  # data file there, metadata not yet
    assert not (killed / "homes" / "2" / "IN" / "D141027.L000001.metadata").exists()
    gate = Gate(make_engine(f"sqlite:///{register}"), FixedClock(AT), audit_mode="sync")
    report = run_extraction(gate, DeliveryStore(killed), night=NIGHT)
    assert [d.system_id for d in report.delivered] == [2, 3]  # the first system was finished before the kill
    assert _files(killed) == _files(whole) and len(_files(whole)) == 6
    for name in _files(whole):
        assert filecmp.cmp(whole / name, killed / name, shallow=False), name


def test_the_budget_stops_the_night_and_the_next_night_delivers_the_rest(register, tmp_path):
    gate = Gate(make_engine(f"sqlite:///{register}"), FixedClock(AT), audit_mode="sync")
    store = DeliveryStore(tmp_path / "d")
    ticks = iter(range(0, 1000, 10))  # every look at the clock: 10 seconds later
    report = run_extraction(gate, store, night=NIGHT, budget_seconds=25, seconds=lambda: next(ticks))
    assert report.stopped_by_budget and [d.system_id for d in report.delivered] == [1, 2]
    assert report.systems_left == 1 and not (store.root / "homes" / "3").exists()
    again = run_extraction(gate, store, night=NIGHT)  # the same night, looked at again: nothing more tonight
    assert again.already_finished and again.delivered == []
    gate.clock.set(dt.datetime(2014, 10, 28, 23, 0))
    nxt = run_extraction(gate, store, night=dt.date(2014, 10, 28))
    assert [d.system_id for d in nxt.delivered] == [3]
    assert [p.name for p in sorted((store.root / "homes" / "3" / "IN").iterdir())] == [
        "D141028.L000001", "D141028.L000001.metadata"]
