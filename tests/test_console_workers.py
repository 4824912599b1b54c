"""The console served by several server processes on one database (``opencpr serve --workers N``).

Two applications, each with its own engine, gate and clock, stand for two workers: a form rendered
by one is accepted by the other (the CSRF key is shared through the database), and the idle
timeout of a session is the same whichever worker sees the next request.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import ExitStack

import httpx

from conftest import RECORDED_DAY, TEST_USERS
from test_console import citizen_reports_a_move


def _workers(url: str, stack: ExitStack, count: int = 2):
    from live import running
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.app import create_app
    from opencpr.clock import FixedClock
    from opencpr.register.db import make_engine
    from opencpr.services.gate import Gate

    found = []
    for _ in range(count):
        engine = make_engine(url)
        stack.callback(engine.dispose)
        clock = FixedClock(RECORDED_DAY)
        gate = stack.enter_context(Gate(engine, clock, audit_mode="sync", passwords=Passwords(CHEAP)))
        port = stack.enter_context(running(create_app(engine, gate=gate, run_due_every=None)))
        found.append((port, clock))
    return found


def _client(port: int, token: str | None = None) -> httpx.Client:
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, follow_redirects=False)
    if token:
        client.headers["cookie"] = f"opencpr_console={token}"
    return client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def test_a_form_rendered_by_one_worker_is_accepted_by_another(demo_engine, database_url):
    code, _, password = TEST_USERS["municipality"]
    with ExitStack() as stack:
        (one, _), (two, _) = _workers(database_url, stack)
        pending_id = citizen_reports_a_move(one)
        with _client(one) as signon:
            signed = signon.post("/console/signon", data={"user_code": code, "password": password})
            assert signed.status_code == 303
            token = signed.cookies["opencpr_console"]
        with _client(one, token) as first, _client(two, token) as second:
            inbox = first.get("/console/pending")
            assert f"report-{pending_id}" in inbox.text
            csrf = _csrf(inbox.text)
            assert _csrf(second.get("/console/pending").text) == csrf  # both workers derive the same token
            # the form rendered by the first worker, posted to the second
            decided = second.post(f"/console/pending/{pending_id}/reject",
                                  data={"csrf": csrf, "reason": "Adressen findes ikke"})
            assert decided.status_code == 200, decided.text
            assert f"Indberetning {pending_id} er afvist." in decided.text
            assert f"report-{pending_id}" not in first.get("/console/pending").text
            # a token of another key is still refused by both
            assert second.post(f"/console/pending/{pending_id}/approve", data={"csrf": "0" * 40}).status_code == 403
            # signoff rendered by the second, posted to the first
            off = first.post("/console/signoff", data={"csrf": _csrf(second.get("/console/").text)})
            assert off.status_code == 303 and "logget" in httpx.URL(off.headers["location"]).params["msg"]
            assert second.get("/console/pending").headers["location"].startswith("/console/signon")


def test_the_idle_timeout_holds_across_workers(demo_engine, database_url):
    code, _, password = TEST_USERS["municipality"]
    with ExitStack() as stack:
        (one, clock_one), (two, clock_two) = _workers(database_url, stack)
        with _client(one) as signon:
            token = signon.post("/console/signon", data={"user_code": code, "password": password}) \
                .cookies["opencpr_console"]
        with _client(one, token) as first, _client(two, token) as second:
            assert first.get("/console/").status_code == 200
            # 20 minutes later on the second worker: used since, not idle
            clock_two.advance(minutes=20)
            assert second.get("/console/").status_code == 200
            # 40 minutes after signon on the first worker: 20 since the last request anywhere
            clock_one.advance(minutes=40)
            assert first.get("/console/").status_code == 200
            # 31 minutes without a request, seen by the second worker: the session is over, everywhere
            clock_two.set(RECORDED_DAY + dt.timedelta(minutes=71))
            ended = second.get("/console/")
            assert ended.status_code == 303 and "30 minutter" in httpx.URL(ended.headers["location"]).params["msg"]
            clock_one.set(RECORDED_DAY + dt.timedelta(minutes=71))
            assert first.get("/console/").headers["location"].startswith("/console/signon")
