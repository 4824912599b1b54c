"""Deliveries fetched with OpenSSH's own ``sftp`` client in batch mode with the subscriber's key:
list, GET and DELETE in ``IN/``; nothing outside the home, no other system's files, no writes into
``IN/``; deleting both files marks the delivery fetched; retention and the unfetched report."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import shutil
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from opencpr.access.subscribers import actor_for_system, add_system, get_system, set_subscription_setup
from opencpr.delivery.extraction import run_extraction
from opencpr.delivery.monitoring import expire, unfetched
from opencpr.delivery.sftp import start_sftp_server
from opencpr.delivery.store import DeliveryStore
from opencpr.register.schema import delivery
from opencpr.services.gate import Gate
from opencpr.services.subscriptions import filters

pytestmark = pytest.mark.skipif(shutil.which("sftp") is None or shutil.which("ssh-keygen") is None,
                                reason="OpenSSH's client (Debian's openssh-client) is not installed")


def _keypair(directory: Path, name: str) -> Path:
    key = directory / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key


def _subscribe(gate: Gate, name: str, cvr: str, ssh_key: Path, municipality: str) -> tuple[int, str]:
    engine = gate.engine
    system = add_system(engine, cvr, name, clock=gate.clock)
    user_system = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    set_subscription_setup(engine, system.id, user_system_uuid=user_system,
                           ssh_public_key=ssh_key.with_suffix(".pub").read_text())
    invocation = {"ServiceAgreementUUID": system.agreement_uuid, "UserSystemUUID": user_system,
                  "UserUUID": str(uuid.uuid4()), "ServiceUUID": filters.SERVICE_UUID}
    gate.call(actor_for_system(engine, get_system(engine, system.id)),
              filters.OPERATIONS["AddMunicipalityCodeSubscription"],
              **filters.call_keys({"MunicipalityCode": municipality}, invocation))
    return system.id, user_system


@contextlib.contextmanager
def _sftp_server(engine, store, host_key: Path, clock):
    loop = asyncio.new_event_loop()
    started = threading.Event()
    box: dict = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        box["acceptor"] = loop.run_until_complete(start_sftp_server(engine, store, "127.0.0.1", 0, host_key, clock))
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(20)
    try:
        yield box["acceptor"].sockets[0].getsockname()[1]
    finally:
        loop.call_soon_threadsafe(box["acceptor"].close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def _sftp(port: int, user: str, key: Path, commands: str, cwd: Path) -> subprocess.CompletedProcess:
    batch = cwd / "batch.txt"
    batch.write_text(commands)
    return subprocess.run(["sftp", "-b", str(batch), "-i", str(key), "-P", str(port),
                           "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                           "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
                           f"{user}@127.0.0.1"], cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_get_and_delete_with_openssh_sftp_and_nothing_else(demo_engine, clock, tmp_path):
    gate = Gate(demo_engine, clock, audit_mode="sync")
    store = DeliveryStore(tmp_path / "deliveries")
    keys = tmp_path / "keys"
    keys.mkdir()
    varde_key, aalborg_key = _keypair(keys, "varde"), _keypair(keys, "aalborg")
    varde, varde_user = _subscribe(gate, "varde", "20000001", varde_key, "573")
    aalborg, aalborg_user = _subscribe(gate, "aalborg", "20000002", aalborg_key, "851")
    clock.set(dt.datetime(2014, 10, 27, 23, 0))
    run_extraction(gate, store, night=dt.date(2014, 10, 27))
    work = tmp_path / "client"
    work.mkdir()
    with _sftp_server(demo_engine, store, tmp_path / "host_key", clock) as port:
        listed = _sftp(port, varde_user, varde_key, "ls -1 IN\nls -1 /\n", work)
        assert listed.returncode == 0, listed.stderr
        assert "D141027.L000001" in listed.stdout and "D141027.L000001.metadata" in listed.stdout
        got = _sftp(port, varde_user, varde_key, "get IN/D141027.L000001 data\nget IN/D141027.L000001.metadata meta\n",
                    work)
        assert got.returncode == 0, got.stderr
        assert (work / "data").read_bytes() == (store.inbox(varde) / "D141027.L000001").read_bytes()
        # refused: another system's key, writes into IN, paths outside the home, other systems' files
        assert _sftp(port, varde_user, aalborg_key, "ls\n", work).returncode != 0
        (work / "upload.txt").write_text("hello")
        assert _sftp(port, varde_user, varde_key, "put upload.txt IN/upload.txt\n", work).returncode != 0
        assert not (store.inbox(varde) / "upload.txt").exists()
        assert _sftp(port, varde_user, varde_key, "put upload.txt OUT/upload.txt\n", work).returncode == 0
        assert (store.home(varde) / "OUT" / "upload.txt").read_text() == "hello"
        assert _sftp(port, varde_user, varde_key, f"get ../{aalborg}/IN/D141027.L000001 stolen\n", work).returncode != 0
        assert _sftp(port, varde_user, varde_key, "get /../../../etc/passwd stolen\n", work).returncode != 0
        assert not (work / "stolen").exists()
        assert _sftp(port, varde_user, varde_key, "rm OUT/upload.txt\n", work).returncode != 0
        assert _sftp(port, varde_user, varde_key, "rename IN/D141027.L000001 IN/x\n", work).returncode != 0
        assert _sftp(port, varde_user, varde_key, "mkdir IN/x\n", work).returncode != 0
        # delete the data file, then the metadata file: the delivery is fetched
        assert _sftp(port, varde_user, varde_key, "rm IN/D141027.L000001\n", work).returncode == 0
        with demo_engine.connect() as conn:
            assert conn.execute(select(delivery.c.fetched_at).where(delivery.c.system_id == varde)).scalar() is None
        assert _sftp(port, varde_user, varde_key, "rm IN/D141027.L000001.metadata\n", work).returncode == 0
    with demo_engine.connect() as conn:
        fetched = dict(conn.execute(select(delivery.c.system_id, delivery.c.fetched_at)).all())
    assert fetched[varde] is not None and fetched[aalborg] is None
    assert (store.inbox(aalborg) / "D141027.L000001").exists()
    # the unfetched report and retention
    clock.set(dt.datetime(2014, 11, 10, 12, 0))
    lying = unfetched(demo_engine, days=7, clock=clock)
    assert [(x.system_id, x.file_name) for x in lying] == [(aalborg, "D141027.L000001")] and lying[0].days > 13
    assert expire(demo_engine, store, days=30, clock=clock) == []
    clock.set(dt.datetime(2014, 11, 27, 0, 0))
    assert expire(demo_engine, store, days=30, clock=clock) == [f"{aalborg}/IN/D141027.L000001"]
    assert list(store.inbox(aalborg).iterdir()) == []
    assert unfetched(demo_engine, days=7, clock=clock) == []
