"""Refused calls leave a trace, and guessing is slowed down per client, on a real server.

A bad or missing token, an unknown service or field, an unreadable document, a DTD, an oversized
body and a malformed REST body are each counted per client, door and code and written to the audit
trail as one record per window. After ``guess_failures`` failed tokens or signons in its window,
a client's tokens and signons are refused without being looked at: Kvit 913 on GCTP, 429 on REST.
"""

from __future__ import annotations

import secrets

import httpx
import pytest

from conftest import TEST_USERS
from live import Gctp
from opencpr.access.audit import audit_records, verify_audit
from security_support import SIGNON_GCTP, server, stam

LIMIT = 10


@pytest.fixture
def guarded(demo_engine, clock):
    with server(demo_engine, clock, guess_failures=LIMIT, guess_window=3600) as (port, gate):
        yield port, gate


def _refusals(engine) -> dict[tuple[str, int], int]:
    found: dict[tuple[str, int], int] = {}
    for r in audit_records(engine):
        if r.action == "refused":
            calls = int(r.detail.split()[0])
            found[(r.service, r.result_code)] = found.get((r.service, r.result_code), 0) + calls
    return found


def test_token_guessing_is_throttled_and_recorded(guarded, demo_engine):
    port, gate = guarded
    base = f"http://127.0.0.1:{port}"
    statuses = []
    with httpx.Client(base_url=base) as client:
        for _ in range(200):
            answer = client.get("/api/v1/stam-plus", params={"pnr": "0707614285"},
                                headers={"authorization": f"Bearer {secrets.token_hex(4).upper()}"})
            statuses.append(answer.status_code)
        assert answer.headers.get("retry-after")
        assert answer.json()["kvit"] == 913
        # the throttled client cannot sign on either, not even with the right password
        code, _, password = TEST_USERS["cpr-office"]
        signon = client.post("/api/v1/signon", json={"user_code": code, "password": password})
        assert signon.status_code == 429
    assert statuses == [401] * LIMIT + [429] * (200 - LIMIT)
    assert Gctp(port).call("STAMP", {"PNR": "0707614285"})["kvit"]["v"] == "913"
    assert gate.flush_refusals() >= 2
    refused = _refusals(demo_engine)
    assert refused[("TOKEN", 901)] == LIMIT
    assert refused[("TOKEN", 913)] == 200 - LIMIT + 1
    assert refused[("SIGNON", 913)] == 1
    records = [r for r in audit_records(demo_engine) if r.action == "refused"]
    assert len(records) <= 4  # 201 refused calls, a handful of records
    assert verify_audit(demo_engine).ok


def test_password_guessing_is_throttled_per_client(guarded):
    port, _ = guarded
    answers = [Gctp(port).signon(f"X{i:03d}", "Gaet-1234!") for i in range(LIMIT + 5)]
    assert [a["kvit"]["v"] for a in answers] == ["902"] * LIMIT + ["913"] * 5


def test_every_kind_of_refused_call_is_recorded(guarded, demo_engine):
    port, gate = guarded
    gctp = Gctp(port)
    code, _, password = TEST_USERS["cpr-office"]
    assert gctp.signon(code, password)["kvit"]["v"] == "900"
    assert gctp.call("NOSUCH", {"PNR": "0707614285"})["kvit"]["v"] == "10"
    assert gctp.call("STAMP", {"NOSUCHKEY": "1"})["kvit"]["v"] == "16"
    post = f"http://127.0.0.1:{port}/cpr-online-gctp/gctp"
    assert b'v="910"' in httpx.post(post, content=b"<not xml").content
    assert b'v="911"' in httpx.post(post, content=b'<!DOCTYPE x [<!ENTITY a "b">]><Gctp/>').content
    assert b'v="912"' in httpx.post(post, content=stam() + b" " * (300 * 1024)).content
    assert httpx.post(f"http://127.0.0.1:{port}/api/v1/signon", json={"user_code": 7}).status_code == 422
    assert httpx.post(f"http://127.0.0.1:{port}/cpr-online-gctp/gctp",
                      content=SIGNON_GCTP.format(user=code, password=password).encode()).status_code == 200
    gate.flush_refusals()
    refused = _refusals(demo_engine)
    codes = {c for _, c in refused}
    assert {10, 16, 910, 911, 912, 422} <= codes, refused
    assert ("NOSUCH", 10) in refused and ("STAMP", 16) in refused
    assert verify_audit(demo_engine).ok
