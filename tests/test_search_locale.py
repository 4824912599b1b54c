"""NVNSOG2 on a PostgreSQL register whose database was created with a Danish locale.

Under Danish collation ``aa`` sorts as ``å``, after ``z``. The name search folds å to ``aa`` and
finds a prefix as a range of folded words (``word >= 'hyldega' AND word < 'hyldega\\uffff'``), which
holds only in code-point order: the columns carry the ``"C"`` collation whatever the database's.
"""

from __future__ import annotations

import psycopg
import pytest

from conftest import TEST_USERS, make_demo_register
from live import Gctp, running
from opencpr.register.db import make_engine
from opencpr.register.migrate import upgrade

HYLDEGAARD = "0709614215"  # Peter Hyldegård Madsen


@pytest.fixture
def danish_engine(pg_server):
    with psycopg.connect(f"host=127.0.0.1 port={pg_server.port} user=postgres dbname=postgres",
                         autocommit=True) as conn:
        if conn.execute("SELECT FROM pg_collation WHERE collname = 'da-DK-x-icu'").fetchone() is None:
            pytest.skip("this PostgreSQL has no ICU Danish collation")
        conn.execute('DROP DATABASE IF EXISTS "danish"')
        conn.execute("CREATE DATABASE \"danish\" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu "
                     "ICU_LOCALE 'da-DK' LOCALE 'C.UTF-8'")
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{pg_server.port}/danish")
    upgrade(engine)
    yield engine
    engine.dispose()


def test_a_prefix_ending_inside_aa_is_found_under_danish_collation(danish_engine, clock):
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.app import create_app
    from opencpr.services.gate import Gate

    with danish_engine.connect() as conn:  # the database's own order is the Danish one
        assert conn.exec_driver_sql("SELECT 'hyldegaard' < 'hyldega' || chr(65535)").scalar() is False
    make_demo_register(danish_engine, clock)
    gate = Gate(danish_engine, clock, audit_mode="sync", passwords=Passwords(CHEAP))
    with running(create_app(danish_engine, gate=gate, run_due_every=None)) as port:
        client = Gctp(port)
        code, _, password = TEST_USERS["cpr-office"]
        assert client.signon(code, password)["kvit"]["v"] == "900"
        for typed in ("hyldegaard", "hyldega", "Hyldegå", "hylde"):
            found = [r["fields"]["PNR"]["v"] for r in client.call("NVNSOG2", {"NVN": typed})["rows"]]
            assert HYLDEGAARD in found, typed
