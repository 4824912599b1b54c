"""Property-based fuzzing of both doors of a real server (bounded for CI; bench/fuzz.py runs longer).

GCTP: Hypothesis documents — service calls with any service, system, header, keys and data,
signons, cut and flipped bytes, DTDs, deep nesting, foreign encodings, random bytes. REST:
Schemathesis, from the server's own OpenAPI description, every operation. Every answer must come
within a time limit, never be a 5xx, never Kvit 999; the audit chain stays whole.
"""

from __future__ import annotations

import time

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from conftest import TEST_USERS, _pg_database, make_demo_register
from fuzz_support import check_gctp_answer, gctp_documents, post_gctp
from live import running
from opencpr.access.audit import verify_audit
from opencpr.access.passwords import CHEAP, Passwords
from opencpr.app import create_app
from opencpr.clock import FixedClock
from opencpr.config import Limits
from opencpr.register.db import make_engine
from opencpr.register.migrate import upgrade
from opencpr.services.gate import Gate

ANSWER_WITHIN = 5.0  # seconds, generous for a busy 2-core machine
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_server(request, tmp_path_factory):
    """One real server per database for the whole module, signed on as the CPR office."""
    from conftest import RECORDED_DAY

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'register.sqlite'}"
        engine = make_engine(url)
        upgrade(engine)
    else:
        engine = make_engine(_pg_database(request.getfixturevalue("pg_server")))
    clock = FixedClock(RECORDED_DAY)
    make_demo_register(engine, clock)
    gate = Gate(engine, clock, audit_mode="deferred", passwords=Passwords(CHEAP),
                limits=Limits(guess_failures=1_000_000))
    with running(create_app(engine, gate=gate, run_due_every=None)) as port:
        code, _, password = TEST_USERS["cpr-office"]
        token = httpx.post(f"http://127.0.0.1:{port}/api/v1/signon",
                           json={"user_code": code, "password": password}).json()["token"]
        yield port, token, engine
    gate.close()
    assert verify_audit(engine).ok
    engine.dispose()


@FUZZ
@given(document=gctp_documents)
def _gctp_property(port: int, token: str, document: bytes) -> None:
    check_gctp_answer(*post_gctp(port, document, token), ANSWER_WITHIN)


def test_gctp_answers_every_document_with_a_kvit(fuzz_server):
    port, token, _ = fuzz_server
    _gctp_property(port, token)


def check_rest_case(case, token: str) -> None:
    """One generated REST request: no 5xx, no Kvit 999, in time."""
    started = time.monotonic()
    response = case.call(headers={"authorization": f"Bearer {token}"}, timeout=ANSWER_WITHIN * 2)
    took = time.monotonic() - started
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    assert took < ANSWER_WITHIN, (case.method, case.path, took)
    if response.text.startswith("{"):
        body = response.json()
        assert body.get("kvit") != 999, (case.method, case.path, body)


def rest_cases(port: int):
    """Schemathesis cases for every operation the server's OpenAPI document describes (but signoff)."""
    schema = schemathesis.openapi.from_url(f"http://127.0.0.1:{port}/openapi.json")
    return schema.exclude(path="/api/v1/signoff").as_strategy()


def test_rest_answers_every_request_without_a_server_error(fuzz_server):
    port, token, _ = fuzz_server

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=rest_cases(port))
    def prop(case) -> None:
        check_rest_case(case, token)

    prop()
