"""Several server processes over one database, as a deployment on several hosts runs them.

Three ``opencpr serve`` processes on their own ports (standing in for hosts) share one PostgreSQL
register: a token got at one is good at the others (GCTP and REST), an update dialogue started at
one is continued at the next and saved at the third, and the change is read back at the first.
The night's job runs once however many processes reach for it: the servers' schedulers, several
``opencpr extract run`` at once, and a process killed with SIGKILL while holding the job does not
block the next one (on SQLite too). Due events of the pending register, run by two processes at
once, are applied once each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from conftest import TEST_USERS, _pg_database, make_demo_register
from live import Gctp, free_port, update_request
from opencpr.access.passwords import CHEAP, Passwords
from opencpr.access.subscribers import actor_for_system, add_system, get_system, set_subscription_setup
from opencpr.clock import FixedClock, SystemClock
from opencpr.config import Settings
from opencpr.delivery.store import DeliveryStore
from opencpr.formats.gctp import read_answer
from opencpr.register.db import make_engine
from opencpr.register.joblock import NIGHTLY, JobBusy, run_once
from opencpr.register.migrate import alembic_config, upgrade
from opencpr.register.schema import delivery, event, extraction_night, pending_event
from opencpr.scheduler import nightly_once
from opencpr.services.gate import Gate
from opencpr.services.subscriptions import filters

pytestmark = pytest.mark.slow

JENS = "0707614285"  # Jens Mortensen, Industrivænget 95,1 mf, 0851 Aalborg
MOVERS = ("0707614285", "0706614818", "0909610036")  # Jens, Lise, Gerda: all in 0851
NEW_HOME = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7", "ETAGE": "2", "SIDEDOER": "tv"}
BUSY = 75  # the exit status of a command that found the night's job held elsewhere

#: Three subscriber systems: each gets one data file and its metadata file in the first night.
SYSTEMS = {"one": {"AddMunicipalityCodeSubscription": {"MunicipalityCode": "851"}},
           "two": {"AddNoFilterSubscription": {}},
           "three": {"AddMunicipalityCodeSubscription": {"MunicipalityCode": "573"}}}


def _cli() -> list[str]:
    return [sys.executable, "-m", "opencpr.cli"]


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {**os.environ, "OPENCPR_DATA_DIR": str(tmp_path / "data"), "OPENCPR_CONFIG": "",
           "OPENCPR_DELIVERY_DIR": str(tmp_path / "deliveries"), "OPENCPR_SFTP_PORT": "0",
           "OPENCPR_EXTRACT_WINDOW": "", "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    env.pop("OPENCPR_DATABASE_URL", None)
    return env | {f"OPENCPR_{k.upper()}": v for k, v in settings.items()}


def _register(url: str) -> None:
    """The demo register (passwords set now, so they have not expired) with three subscriber systems."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        upgrade(engine)
    clock = FixedClock(SystemClock().now() - dt.timedelta(hours=1))
    make_demo_register(engine, clock)
    gate = Gate(engine, clock, audit_mode="sync")
    for number, (name, wanted) in enumerate(SYSTEMS.items(), start=1):
        system = add_system(engine, f"3000000{number}", name, clock=clock)
        user_system = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        set_subscription_setup(engine, system.id, user_system_uuid=user_system)
        invocation = {"ServiceAgreementUUID": system.agreement_uuid, "UserSystemUUID": user_system,
                      "UserUUID": str(uuid.uuid4()), "ServiceUUID": filters.SERVICE_UUID}
        actor = actor_for_system(engine, get_system(engine, system.id))
        for operation, value in wanted.items():
            gate.call(actor, filters.OPERATIONS[operation], **filters.call_keys(value, invocation))
    gate.close()
    engine.dispose()


def _new_pg(request) -> str:
    url = _pg_database(request.getfixturevalue("pg_server"))
    _register(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def any_register(request, tmp_path) -> str:
    if request.param == "postgresql":
        return _new_pg(request)
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    _register(url)
    return url


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _wait_healthy(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise AssertionError(f"a server did not start: {process.stderr.read() if process.stderr else ''}")
        if time.monotonic() > deadline:
            raise AssertionError("a server did not start in time")
        time.sleep(0.2)


@contextlib.contextmanager
def _serve(url: str, env: dict[str, str], count: int) -> Iterator[list[int]]:
    """``count`` processes of ``opencpr serve`` over ``url``, each on its own HTTP port."""
    ports = [free_port() for _ in range(count)]
    processes = [subprocess.Popen([*_cli(), "serve", "--database-url", url, "--http-port", str(port),
                                   "--https-port", "0", "--log-level", "warning"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for port in ports]
    try:
        for process, port in zip(processes, ports, strict=True):
            _wait_healthy(process, port)
        yield ports
    finally:
        for process in processes:
            _stop(process)


def _window_around_now() -> str:
    now = dt.datetime.now()
    return f"{now - dt.timedelta(minutes=30):%H:%M}-{now + dt.timedelta(minutes=90):%H:%M}"


@pytest.fixture(scope="module")
def cluster(request, tmp_path_factory) -> Iterator[tuple[str, Path, list[int]]]:
    """Three servers on one PostgreSQL register, each with the extraction window open now and one
    delivery directory (shared storage on real hosts); yields the URL, the directory and the ports."""
    tmp_path = tmp_path_factory.mktemp("cluster")
    url = _new_pg(request)
    env = _env(tmp_path, extract_window=_window_around_now())
    with _serve(url, env, 3) as ports:
        yield url, tmp_path / "deliveries", ports


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root / "homes")) for p in (root / "homes").rglob("*")
                  if p.is_file() and "IN" in p.parts)


def _deliveries(url: str) -> list[tuple[int, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(delivery.c.system_id, delivery.c.file_name)
                                                   .order_by(delivery.c.system_id, delivery.c.file_name))]
    finally:
        engine.dispose()


def _expected_files() -> list[str]:
    night = dt.datetime.now() - dt.timedelta(hours=12)
    name = f"D{night:%y%m%d}.L000001"
    return sorted(f"{s}/IN/{n}" for s in (1, 2, 3) for n in (name, f"{name}.metadata"))


# --- tokens and dialogues across processes ----------------------------------------------------------------

def test_a_gctp_token_from_one_process_works_at_the_others(cluster):
    _, _, (a, b, c) = cluster
    code, _, password = TEST_USERS["cpr-office"]
    at_a = Gctp(a)
    assert at_a.signon(code, password)["kvit"]["v"] == "900"
    for port in (b, c):
        other = Gctp(port, token=at_a.token)
        answer = other.call("Stam+", {"PNR": "0707614218"})
        assert answer["kvit"]["v"] == "0", answer
        assert answer["rows"][0]["fields"]["PNR"]["v"] == "0707614218"


def test_a_rest_token_from_one_process_works_at_the_others_and_ends_everywhere(cluster):
    _, _, (a, b, c) = cluster
    code, _, password = TEST_USERS["cpr-office"]
    token = httpx.post(f"http://127.0.0.1:{a}/api/v1/signon", json={"user_code": code, "password": password},
                       trust_env=False).json()["token"]
    bearer = {"authorization": f"Bearer {token}"}
    answer = httpx.get(f"http://127.0.0.1:{b}/api/v1/stam-plus", params={"pnr": "0707614218"}, headers=bearer,
                       trust_env=False)
    assert answer.status_code == 200 and answer.json()["records"][0]["pnr"] == "0707614218"
    assert httpx.post(f"http://127.0.0.1:{a}/api/v1/signoff", headers=bearer, trust_env=False).json() == {
        "signed_off": True}
    # C never saw the token before it ended: it reads the session from the database and refuses it
    ended = httpx.get(f"http://127.0.0.1:{c}/api/v1/stam-plus", params={"pnr": "0707614218"}, headers=bearer,
                      trust_env=False)
    assert ended.status_code == 401 and ended.json()["kvit"] == 901


def test_an_update_dialogue_moves_from_process_to_process(cluster):
    _, _, (a, b, c) = cluster
    code, _, password = TEST_USERS["municipality"]
    at_a = Gctp(a)
    assert at_a.signon(code, password)["kvit"]["v"] == "900"
    at_b, at_c = Gctp(b, token=at_a.token), Gctp(c, token=at_a.token)
    keys = {"PNR": JENS, "HDTO": f"{dt.date.today():%Y%m%d}"}
    _, _, body = at_a.post(update_request("A01", "initier", keys, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "0", body
    ts = _ts(body)
    _, _, body = at_b.post(update_request("A01", "valider", keys, NEW_HOME, ts=ts, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "0", body
    _, _, body = at_c.post(update_request("A01", "gem", keys, NEW_HOME, ts=ts, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "0", body
    _, _, body = at_b.post(update_request("A01", "gem", keys, NEW_HOME, ts=ts, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "5401"  # saved once: the session is over at every process
    fields = at_a.call("Stam+", {"PNR": JENS})["rows"][0]["fields"]
    assert fields["VEJKOD"]["v"] == "0004" and fields["STADR"]["v"].endswith(" 7,2 tv")


def test_the_same_dialogue_over_rest_across_processes(cluster):
    _, _, (a, b, c) = cluster
    code, _, password = TEST_USERS["municipality"]
    token = httpx.post(f"http://127.0.0.1:{c}/api/v1/signon", json={"user_code": code, "password": password},
                       trust_env=False).json()["token"]
    bearer = {"authorization": f"Bearer {token}"}
    keys = {"pnr": "0706614818", "event_date": f"{dt.date.today():%Y%m%d}"}
    data = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "9"}

    def post(port: int, action: str, body: dict) -> httpx.Response:
        return httpx.post(f"http://127.0.0.1:{port}/api/v1/events/A01/{action}", json=body, headers=bearer,
                          trust_env=False)

    started = post(c, "initiate", keys)
    assert started.status_code == 200, started.text
    session = started.json()["session"]
    assert post(a, "validate", {**keys, "session": session, "data": data}).status_code == 200
    saved = post(b, "save", {**keys, "session": session, "data": data})
    assert saved.status_code == 200 and saved.json()["receipt"]["where"] == "register"
    read = httpx.get(f"http://127.0.0.1:{c}/api/v1/stam-plus", params={"pnr": "0706614818"}, headers=bearer,
                     trust_env=False).json()["records"][0]
    assert read["standard_address"].endswith(" 9"), read


def _ts(body: bytes) -> str:
    from lxml import etree

    return etree.fromstring(body).xpath("//cpr:CprServiceHeader/@ts", namespaces={"cpr": "http://www.cpr.dk"})[0]


# --- the night's job, once ---------------------------------------------------------------------------------

def test_the_servers_schedulers_deliver_each_file_once(cluster):
    url, root, _ = cluster
    engine = make_engine(url)
    try:
        deadline = time.monotonic() + 120
        while True:  # every server looks at the clock on start; one of them runs the night
            with engine.connect() as conn:
                finished = conn.execute(select(func.count()).select_from(extraction_night)
                                        .where(extraction_night.c.finished_at.is_not(None))).scalar()
            if finished:
                break
            assert time.monotonic() < deadline, "no server ran the night's extraction"
            time.sleep(0.5)
    finally:
        engine.dispose()
    rows = _deliveries(url)
    assert [system for system, _ in rows] == [1, 2, 3]
    assert _files(root) == _expected_files()


def _extract(url: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([*_cli(), "extract", "run", "--database-url", url], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finish(run: subprocess.Popen) -> tuple[int, str, str]:
    out, err = run.communicate(timeout=180)
    return run.returncode, out, err


def test_several_extract_runs_at_once_deliver_each_file_once(request, tmp_path):
    url = _new_pg(request)
    env = _env(tmp_path)
    runs = [_extract(url, env) for _ in range(3)]
    results = [_finish(run) for run in runs]
    for status, _, err in results:
        assert status in (0, BUSY), err
        if status == BUSY:
            assert "Another process holds the night's job" in err
    assert [system for system, _ in _deliveries(url)] == [1, 2, 3]
    assert _files(tmp_path / "deliveries") == _expected_files()
    assert sum(out.count("system ") for _, out, _ in results) == 3  # each file reported by the run that made it


_PAUSED = textwrap.dedent("""
    import sys, time
    from opencpr.delivery import store as store_module

    original = store_module.DeliveryStore.publish

    def publish(self, system_id, name):
        path = original(self, system_id, name)
        if system_id == 2 and not name.endswith(".metadata"):  # mid-night: the second system's data file is out
            print("paused", flush=True)
            time.sleep(3600)
        return path

    store_module.DeliveryStore.publish = publish
    from opencpr.cli.main import app
    app(["extract", "run", "--database-url", sys.argv[1]])
""")


def test_a_run_killed_while_holding_the_night_does_not_block_the_next(any_register, tmp_path):
    env = _env(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", _PAUSED, any_register], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "paused", holder.stderr
        second = subprocess.run([*_cli(), "extract", "run", "--database-url", any_register], env=env,
                                capture_output=True, text=True, timeout=180)
        assert second.returncode == BUSY, second.stderr
        assert "Another process holds the night's job" in second.stderr and "opencpr nightly" in second.stderr
        assert "system " not in second.stdout
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    assert holder.returncode == -signal.SIGKILL
    after = subprocess.run([*_cli(), "extract", "run", "--database-url", any_register], env=env,
                           capture_output=True, text=True, timeout=180)
    assert after.returncode == 0, after.stderr
    assert [system for system, _ in _deliveries(any_register)] == [1, 2, 3]
    assert _files(tmp_path / "deliveries") == _expected_files()


def test_the_lock_is_the_same_for_the_command_line_the_scheduler_and_the_library(any_register, tmp_path):
    engine = make_engine(any_register)
    now = dt.datetime.now()
    window = ((now.hour * 60 + now.minute - 30) % 1440, (now.hour * 60 + now.minute + 90) % 1440)
    settings = Settings(tmp_path / "data", any_register, extract_window=window)
    gate = Gate(engine, SystemClock(), audit_mode="sync")
    store = DeliveryStore(tmp_path / "deliveries")
    try:
        with run_once(engine, NIGHTLY):
            with pytest.raises(JobBusy), run_once(engine, NIGHTLY):  # another connection of this process
                pass
            assert nightly_once(gate, store, settings) is False  # the scheduler's look: skipped
            run = subprocess.run([*_cli(), "extract", "run", "--database-url", any_register], env=_env(tmp_path),
                                 capture_output=True, text=True, timeout=180)
            assert run.returncode == BUSY and "Another process holds the night's job" in run.stderr
            expire = subprocess.run([*_cli(), "deliveries", "expire", "--database-url", any_register],
                                    env=_env(tmp_path), capture_output=True, text=True, timeout=180)
            assert expire.returncode == BUSY
        assert _deliveries(any_register) == []  # nobody ran the night while it was held
        assert nightly_once(gate, store, settings) is True  # released: the scheduler runs the night
    finally:
        gate.close()
        engine.dispose()
    assert [system for system, _ in _deliveries(any_register)] == [1, 2, 3]


# --- the pending register's due events, by two processes at once ----------------------------------------

def test_due_events_run_by_two_processes_are_applied_once(request, tmp_path):
    from events_support import Updater

    url = _new_pg(request)
    engine = make_engine(url)
    yesterday = FixedClock(SystemClock().now() - dt.timedelta(days=1))
    today = f"{dt.date.today():%Y%m%d}"
    with Gate(engine, yesterday, audit_mode="sync", passwords=Passwords(CHEAP)) as gate:
        for pnr in MOVERS:  # dated today, saved yesterday: waiting in the pending register until today
            receipt = Updater(gate).run("A01", pnr, today, dict(NEW_HOME, HUSNR=str(3 + MOVERS.index(pnr))))
            assert receipt["where"] == "pending", receipt
    runs = [subprocess.Popen([*_cli(), "run-due", "--database-url", url], env=_env(tmp_path),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [_finish(run) for run in runs]
    assert [status for status, _, _ in outputs] == [0, 0], outputs
    totals = [re.search(r"(\d+) applied, (\d+) failed", out + err) for _, out, err in outputs]
    assert all(totals) and sum(int(t[1]) for t in totals if t) == 3 and sum(int(t[2]) for t in totals if t) == 0
    with engine.connect() as conn:
        states = conn.execute(select(pending_event.c.state)).scalars().all()
        moves = conn.execute(select(event.c.pnr, func.count()).where(event.c.event_code == "A01",
                                                                     event.c.pnr.in_(MOVERS))
                             .group_by(event.c.pnr)).all()
    engine.dispose()
    assert states == ["applied"] * 3
    assert sorted(moves) == sorted((pnr, 1) for pnr in MOVERS)


# --- starting together ---------------------------------------------------------------------------------------

def test_processes_starting_together_on_an_empty_database_migrate_it_once(pg_server, tmp_path):
    """Without the migration's lock two of them would create the same tables at once and fail."""
    url = pg_server.create_database(f"empty_{os.getpid()}_{uuid.uuid4().hex[:8]}")
    runs = [subprocess.Popen([*_cli(), "init", "--database-url", url], env=_env(tmp_path), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [_finish(run) for run in runs]
    assert [status for status, _, _ in results] == [0, 0, 0], results
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert MigrationContext.configure(conn).get_current_revision() == head
    finally:
        engine.dispose()


def test_two_servers_over_one_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    _register(url)
    with _serve(url, _env(tmp_path), 2) as (a, b):
        code, _, password = TEST_USERS["municipality"]
        at_a = Gctp(a)
        assert at_a.signon(code, password)["kvit"]["v"] == "900"
        at_b = Gctp(b, token=at_a.token)
        keys = {"PNR": JENS, "HDTO": f"{dt.date.today():%Y%m%d}"}
        _, _, body = at_a.post(update_request("A01", "initier", keys, mk="0851"))
        ts = _ts(body)
        _, _, body = at_b.post(update_request("A01", "valider", keys, NEW_HOME, ts=ts, mk="0851"))
        assert read_answer(body)["kvit"]["v"] == "0", body
        _, _, body = at_a.post(update_request("A01", "gem", keys, NEW_HOME, ts=ts, mk="0851"))
        assert read_answer(body)["kvit"]["v"] == "0", body
        assert at_b.call("Stam+", {"PNR": JENS})["rows"][0]["fields"]["STADR"]["v"].endswith(" 7,2 tv")
