"""Deliveries lying unfetched, seen by the CPR office over REST and in the console: a delivery made
ten days ago by the clock is listed with its system, file, time and age, a fresh one is not; a
group without ``SF6002-MONITOR`` (a municipality's caseworker, a subscriber system) is refused;
every look, refused or not, is in the audit trail."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator

import httpx
import pytest

from conftest import RECORDED_DAY, TEST_USERS
from opencpr.access.audit import audit_for_actor
from opencpr.access.subscribers import actor_for_system, add_system, get_system, set_subscription_setup
from opencpr.clock import FixedClock
from opencpr.delivery.extraction import run_extraction
from opencpr.delivery.monitoring import unfetched
from opencpr.delivery.store import DeliveryStore
from opencpr.services.errors import NoAccess
from opencpr.services.gate import Gate
from opencpr.services.permissions import SUBSCRIPTION_SERVICES
from opencpr.services.subscriptions import filters
from opencpr.services.subscriptions.monitoring import MONITOR, UNFETCHED

JENS = "0707614285"


def _subscribe(gate: Gate, name: str, cvr: str, pnr: str) -> int:
    engine = gate.engine
    system = add_system(engine, cvr, name, clock=gate.clock)
    user_system = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    set_subscription_setup(engine, system.id, user_system_uuid=user_system)
    invocation = {"ServiceAgreementUUID": system.agreement_uuid, "UserSystemUUID": user_system,
                  "UserUUID": str(uuid.uuid4()), "ServiceUUID": filters.SERVICE_UUID}
    actor = actor_for_system(engine, get_system(engine, system.id))
    gate.call(actor, filters.OPERATIONS["AddPNRSubscription"], **filters.call_keys({"PNR": pnr}, invocation))
    return system.id


@pytest.fixture
def lying(demo_engine, clock, tmp_path):
    """An old delivery (made ten days before the recorded day) and a fresh one (two hours before)."""
    gate = Gate(demo_engine, clock, audit_mode="sync")
    store = DeliveryStore(tmp_path / "deliveries")
    clock.set(RECORDED_DAY - dt.timedelta(days=10))
    old = _subscribe(gate, "Gammelt sagssystem", "40000001", JENS)
    assert len(run_extraction(gate, store).delivered) == 1
    clock.set(RECORDED_DAY - dt.timedelta(hours=2))
    fresh = _subscribe(gate, "Nyt sagssystem", "40000002", JENS)
    assert [d.system_id for d in run_extraction(gate, store).delivered] == [fresh]
    clock.set(RECORDED_DAY)
    return old, fresh


@contextlib.contextmanager
def _client(port: int, group: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        code, _, password = TEST_USERS[group]
        answer = client.post("/api/v1/signon", json={"user_code": code, "password": password})
        assert answer.status_code == 200, answer.text
        client.headers["authorization"] = f"Bearer {answer.json()['token']}"
        yield client


def test_the_cpr_office_sees_the_old_delivery_over_rest(lying, live, demo_engine):
    old, fresh = lying
    with _client(live, "cpr-office") as client:
        answer = client.get("/api/v1/deliveries/unfetched")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["days"] == 7 and body["count"] == 1
        (d,) = body["deliveries"]
        assert d["system_id"] == old and d["system"] == "Gammelt sagssystem" and d["cvr"] == "40000001"
        assert d["file_name"] == "D141017.L000001" and d["delivered_at"] == "2014-10-17T12:00:00"
        assert d["age_days"] == 10.0 and d["persons"] == 1
        # a lower threshold shows the fresh one too; a bad one is refused
        every = client.get("/api/v1/deliveries/unfetched", params={"days": "0.05"}).json()["deliveries"]
        assert [x["system_id"] for x in every] == [old, fresh] and every[1]["age_days"] == 0.1
        assert client.get("/api/v1/deliveries/unfetched", params={"days": "-1"}).status_code == 400
    # the CLI and the log read the same
    assert [(x.system_id, x.file_name, x.days) for x in unfetched(demo_engine, days=7, clock=FixedClock(RECORDED_DAY))] \
        == [(old, "D141017.L000001", 10.0)]
    looks = [r for r in audit_for_actor(demo_engine, TEST_USERS["cpr-office"][0]) if r.service == MONITOR]
    assert len(looks) == 3 and [r.result_code for r in looks] == [0, 0, 18] and looks[0].persons == ()


def test_a_group_without_the_permission_is_refused(lying, live, demo_engine, clock):
    with _client(live, "municipality") as client:
        answer = client.get("/api/v1/deliveries/unfetched")
        assert answer.status_code == 403 and answer.json()["kvit"] == 5
        assert "deliveries" not in answer.json()
    refused = [r for r in audit_for_actor(demo_engine, TEST_USERS["municipality"][0]) if r.service == MONITOR]
    assert [r.result_code for r in refused] == [5]
    # a subscriber system's group grants SF6002, not the look at every system's deliveries
    old, _ = lying
    gate = Gate(demo_engine, clock, audit_mode="sync")
    with pytest.raises(NoAccess):
        gate.call(actor_for_system(demo_engine, get_system(demo_engine, old)), UNFETCHED, days=7)
    assert MONITOR in SUBSCRIPTION_SERVICES


@contextlib.contextmanager
def _console(port: int, group: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, follow_redirects=False) as client:
        code, _, password = TEST_USERS[group]
        assert client.post("/console/signon", data={"user_code": code, "password": password}).status_code == 303
        yield client


def test_the_console_page(lying, live, demo_engine):
    with _console(live, "cpr-office") as client:
        home = client.get("/console/")
        assert 'href="/console/deliveries"' in home.text  # in the menu
        page = client.get("/console/deliveries")
        assert page.status_code == 200
        assert "D141017.L000001" in page.text and "Gammelt sagssystem" in page.text
        assert "2014-10-17T12:00:00" in page.text and "10.0" in page.text
        assert "Nyt sagssystem" not in page.text
        assert "Nyt sagssystem" in client.get("/console/deliveries", params={"days": "0.05"}).text
    with _console(live, "municipality") as client:
        assert 'href="/console/deliveries"' not in client.get("/console/").text
        page = client.get("/console/deliveries")
        assert page.status_code == 403 and "D141017" not in page.text and "Ingen adgang" in page.text
    with httpx.Client(base_url=f"http://127.0.0.1:{live}", timeout=30, follow_redirects=False) as client:
        assert client.get("/console/deliveries").headers["location"] == "/console/signon"
    services = [r.service for r in audit_for_actor(demo_engine, TEST_USERS["municipality"][0])]
    assert MONITOR in services
