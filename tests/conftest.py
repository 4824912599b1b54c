"""Test fixtures: the register on both databases.

Tests that take the ``engine`` fixture run twice: on SQLite (a file in a temporary directory)
and on PostgreSQL (a throwaway cluster started once for the whole run, a fresh database per
test, made from a migrated template). Without PostgreSQL binaries the PostgreSQL runs are
skipped, unless ``OPENCPR_REQUIRE_POSTGRES=1`` (CI sets it), which makes them fail instead.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os

import psycopg
import pytest

from opencpr.devdb import PostgresUnavailable, TempPostgres
from opencpr.register.db import make_engine
from opencpr.register.migrate import upgrade

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server():
    try:
        server = TempPostgres().start()
    except PostgresUnavailable as exc:
        if os.environ.get("OPENCPR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required for this run: {exc}")
        pytest.skip(str(exc))
    try:
        template_url = server.create_database("opencpr_template")
        engine = make_engine(template_url)
        upgrade(engine)
        engine.dispose()
        yield server
    finally:
        server.stop()


def _pg_database(server: TempPostgres) -> str:
    name = f"t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE opencpr_template')
    return f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """The URL of an empty, migrated register on each database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'register.sqlite'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    return _pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


# --- the demo register behind a live server ----------------------------------------------------------

#: The day the recorded GCTP answers were taken from CPR's demo service (their ``ts`` stamps).
RECORDED_DAY = dt.datetime(2014, 10, 27, 12, 0, 0)

#: Test users by security group: (user code, authority, password).
TEST_USERS = {
    "cpr-office": ("CPR1", "0003", "Cpr-office1!"),
    "municipality": ("KOM1", "0851", "Kommune-851!"),
    "church-office": ("KIRKE1", "7001", "Kirke-7001!"),
    "private-company": ("PRIV1", "0000", "Privat-0000!"),
    "citizen": ("BORGER1", "0851", "Borger-851!"),
}


def make_demo_register(engine, clock) -> None:
    """CPR's 80 demo persons, the default groups and the test users (cheap password hashes)."""
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.access.users import add_user, set_known_password
    from opencpr.register.demo import load_demo_persons
    from opencpr.services.permissions import ensure_default_groups

    load_demo_persons(engine)
    ensure_default_groups(engine, clock)
    cheap = Passwords(CHEAP)
    for group, (code, authority, password) in TEST_USERS.items():
        add_user(engine, code, authority, group, clock=clock, passwords=cheap)
        set_known_password(engine, code, password, clock=clock, passwords=cheap)


@pytest.fixture
def clock():
    from opencpr.clock import FixedClock

    return FixedClock(RECORDED_DAY)


@pytest.fixture
def demo_engine(engine, clock):
    make_demo_register(engine, clock)
    return engine


@pytest.fixture
def live(demo_engine, clock):
    """A real server (uvicorn, plain HTTP on 127.0.0.1) on the demo register; yields its port."""
    from live import running
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.app import create_app
    from opencpr.services.gate import Gate

    gate = Gate(demo_engine, clock, audit_mode="sync", passwords=Passwords(CHEAP))
    with running(create_app(demo_engine, gate=gate, run_due_every=None)) as port:
        yield port


@pytest.fixture
def gctp(live):
    """A GCTP client signed on as the CPR office's test user."""
    from live import Gctp

    client = Gctp(live)
    code, _, password = TEST_USERS["cpr-office"]
    answer = client.signon(code, password)
    assert answer["kvit"]["v"] == "900", answer
    return client


@pytest.fixture
def rest(live):
    """An HTTP client for the REST API, signed on as the CPR office's test user (bearer token)."""
    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{live}", timeout=30) as client:
        code, _, password = TEST_USERS["cpr-office"]
        answer = client.post("/api/v1/signon", json={"user_code": code, "password": password})
        assert answer.status_code == 200, answer.text
        client.headers["authorization"] = f"Bearer {answer.json()['token']}"
        yield client


@pytest.fixture
def updater(demo_engine, clock):
    """Runs events through the gate on the demo register, as the CPR office's test user (sync audit)."""
    from events_support import Updater
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.services.gate import Gate

    with Gate(demo_engine, clock, audit_mode="sync", passwords=Passwords(CHEAP)) as gate:
        yield Updater(gate)
