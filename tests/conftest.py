"""Test fixtures: the register on both databases.

Tests that take the ``engine`` fixture run twice: on SQLite (a file in a temporary directory)
and on PostgreSQL (a throwaway cluster started once for the whole run, a fresh database per
test, made from a migrated template). Without PostgreSQL binaries the PostgreSQL runs are
skipped, unless ``OPENCPR_REQUIRE_POSTGRES=1`` (CI sets it), which makes them fail instead.
"""

from __future__ import annotations

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
