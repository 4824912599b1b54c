"""Oversized, over-full and slow request bodies, from the attacker's side, on a real server.

Every door refuses a body over ``limits.max_body`` before reading it (by its Content-Length) or as
soon as the streamed bytes pass it; GCTP answers Kvit 912, REST 413. Too many fields in a GCTP
request or keys in a REST event's data are refused too; a client that sends its body too slowly is
cut off (408).
"""

from __future__ import annotations

import threading
import time

import httpx
import psutil
import pytest

from security_support import chunked, raw, server, stam, status_of

MiB = 1024 * 1024


@pytest.fixture
def guarded(demo_engine, clock):
    with server(demo_engine, clock, body_timeout=2.0, guess_failures=10_000) as (port, gate):
        yield port, gate


def test_a_declared_huge_body_is_refused_before_it_is_read(guarded):
    port, _ = guarded
    for path, want in ((b"/api/v1/signon", 413), (b"/cpr-online-gctp/gctp", 200)):
        head = (b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % (path, 29 * MiB))
        started = time.monotonic()
        answer = raw(port, head, [b"{" + b" " * 1000])  # the body never comes: the answer must not wait for it
        assert time.monotonic() - started < 5
        assert status_of(answer) == want, answer[:300]
        assert (b'"kvit": 912' in answer) if want == 413 else (b'v="912"' in answer)


def test_a_streamed_body_is_cut_off_at_the_limit(guarded):
    port, _ = guarded
    process = psutil.Process()
    before = process.memory_info().rss

    def flood(path: bytes, results: list) -> None:
        head = b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" % path
        results.append(raw(port, head, chunked(b'{"user_code": "' + b"A" * MiB for _ in range(29)), timeout=30))

    results: list[bytes] = []
    threads = [threading.Thread(target=flood, args=(p, results))
               for p in (b"/api/v1/signon", b"/api/v1/signon", b"/cpr-online-gctp/gctp")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(status_of(a) for a in results) == [200, 413, 413]
    assert all(b"912" in a for a in results)
    # three 29 MiB bodies once cost the server 300 MB; now no more than the limit each is kept (the
    # bound leaves room for what the test process itself allocates meanwhile: server and clients share it)
    assert process.memory_info().rss - before < 150 * MiB


def test_too_many_fields_or_keys_are_refused(guarded, demo_engine):
    port, _ = guarded
    fields = "".join(f'<Field r="PNR{i}" v="1"/>' for i in range(1000)).encode()
    answer = httpx.post(f"http://127.0.0.1:{port}/cpr-online-gctp/gctp",
                        content=stam().replace(b"</Key>", fields + b"</Key>"))
    assert b'v="912"' in answer.content and b"felter" in answer.content
    from conftest import TEST_USERS

    code, _, password = TEST_USERS["cpr-office"]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        token = client.post("/api/v1/signon", json={"user_code": code, "password": password}).json()["token"]
        body = {"pnr": "0707614285", "event_date": "20141027", "data": {f"K{i}": "1" for i in range(5000)}}
        refused = client.post("/api/v1/events/A01/initiate", json=body, headers={"authorization": f"Bearer {token}"})
    assert refused.status_code == 422 and refused.json()["kvit"] == 18, refused.text


def test_a_slow_body_is_cut_off(guarded):
    port, _ = guarded
    head = b"POST /api/v1/signon HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"

    def trickle():
        for _ in range(10):
            yield b"{"
            time.sleep(0.5)

    started = time.monotonic()
    answer = raw(port, head, trickle(), timeout=15)
    assert status_of(answer) == 408, answer[:300]
    assert time.monotonic() - started < 6
