"""Self-service end to end over GCTP and REST: a citizen's report in the pending register, the
municipality's decision, the reporter's status and withdraw, and what a citizen user must never see.

The protection tests are written from the attacker's side: a user of a group without access to
protected addresses initiates every event it may report for a person under name and address
protection and looks for the person's address anywhere in the answer's bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from conftest import TEST_USERS
from live import Gctp, update_request
from opencpr.formats.gctp import read_answer

CPR = {"cpr": "http://www.cpr.dk"}
JENS = "0707614285"  # Jens Mortensen, Industrivænget 95,1 mf (road 8512), 0851 Aalborg
VARDE = "0701614038"  # lives in 0573 Varde
PROTECTED = "0701614011"  # 0001 from 2001-11-02 to 2004-11-02: Industrivænget 26,1 tv (road 8512, 0851)
PROTECTED_DAY = dt.datetime(2002, 6, 1, 10, 0)
CITIZEN_EVENTS = ("A01", "A06", "A07", "A47")
MOVE = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7", "ETAGE": "2", "SIDEDOER": "tv"}


def tables(body: bytes) -> dict[str, list[dict[str, dict]]]:
    root = etree.fromstring(body)
    return {t.get("r"): [{f.get("r"): dict(f.attrib) for f in row} for row in t]
            for t in root.xpath("//cpr:CprData/cpr:Rolle/cpr:Table", namespaces=CPR)}


def kvit(body: bytes) -> str:
    return read_answer(body)["kvit"]["v"]


def signed_on(port: int, group: str) -> Gctp:
    client = Gctp(port)
    code, _, password = TEST_USERS[group]
    assert client.signon(code, password)["kvit"]["v"] == "900"
    return client


@contextlib.contextmanager
def rest_client(port: int, group: str | tuple[str, str]) -> Iterator[httpx.Client]:
    code, password = (TEST_USERS[group][0], TEST_USERS[group][2]) if isinstance(group, str) else group
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=30) as client:
        answer = client.post("/signon", json={"user_code": code, "password": password})
        assert answer.status_code == 200, answer.text
        client.headers["authorization"] = f"Bearer {answer.json()['token']}"
        yield client


def add_user(engine, clock, code: str, authority: str, group: str, password: str) -> None:
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.access.users import add_user as add
    from opencpr.access.users import set_known_password

    add(engine, code, authority, group, clock=clock, passwords=Passwords(CHEAP))
    set_known_password(engine, code, password, clock=clock, passwords=Passwords(CHEAP))


def report_move(client: Gctp, pnr: str, date: str, data: dict[str, str], mk: str | None = None) -> dict:
    """A citizen's move through initier → valider → gem over GCTP; the receipt."""
    keys = {"PNR": pnr, "HDTO": date}
    _, _, body = client.post(update_request("A01", "initier", keys, mk=mk))
    assert kvit(body) == "0", body
    ts = etree.fromstring(body).xpath("//cpr:CprServiceHeader/@ts", namespaces=CPR)[0]
    _, _, body = client.post(update_request("A01", "valider", keys, data, ts=ts, mk=mk))
    assert kvit(body) == "0", body
    _, _, body = client.post(update_request("A01", "gem", keys, data, ts=ts, mk=mk))
    assert kvit(body) == "0", body
    return {k: v.get("v") for k, v in tables(body)["Kvittering"][0].items()}


def pending_call(client: Gctp, action: str, keys: dict[str, str], data: dict[str, str] | None = None) -> bytes:
    _, _, body = client.post(update_request("VENTEREG", action, keys, data))
    return body


# --- protection: every part of every answer about a person ---------------------------------------------

def _leaks(text: str) -> list[str]:
    """The protected person's address, in any of the shapes an answer could carry it."""
    return [s for s in ("8512", "Industriv", "026", "26,1", "9000") if s in text]


@pytest.mark.parametrize("event", CITIZEN_EVENTS)
def test_a_citizen_initiating_for_a_protected_person_gets_no_address(live, clock, event):
    clock.set(PROTECTED_DAY)
    client = signed_on(live, "citizen")
    _, _, body = client.post(update_request(event, "initier", {"PNR": PROTECTED, "HDTO": "20020601"}))
    assert kvit(body) == "0", body
    found = tables(body)
    assert found["Stamdata"][0]["BESKYT"]["v"] == "X" and found["Stamdata"][0]["ADRNVN"]["v"]
    assert "address" in found or "contact_address" in found  # the current data is there ...
    text = body.decode("iso-8859-1")
    assert _leaks(text.split("</CprServiceHeader>", 1)[1]) == [], text  # ... with nothing of the address in it

    with rest_client(live, "citizen") as rest:
        answer = rest.post(f"/events/{event}/initiate", json={"pnr": PROTECTED, "event_date": "20020601"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["records"][0]["name_address_protected"] is True
        current = answer.json()["current"]
        assert current and all(row["pnr"] == PROTECTED for rows in current.values() for row in rows)
        shown = {k: v for k, v in answer.json().items() if k != "session"}  # a ts is digits that may match
        assert _leaks(json.dumps(shown, ensure_ascii=False)) == [], shown


def test_any_group_without_protected_addresses_gets_none_and_the_municipality_sees_it(live, clock, demo_engine):
    from opencpr.access.groups import SecurityGroup
    from opencpr.services.permissions import parse, save_group

    save_group(demo_engine, SecurityGroup("moves-only", "Flytninger uden adgang til beskyttede adresser", parse(
        {"event": {"services": list(CITIZEN_EVENTS), "scope": "all"}})), by="test")
    add_user(demo_engine, clock, "FLYT1", "0851", "moves-only", "Flyt-0851!x")
    clock.set(PROTECTED_DAY)
    with rest_client(live, ("FLYT1", "Flyt-0851!x")) as rest:
        for event in CITIZEN_EVENTS:
            answer = rest.post(f"/events/{event}/initiate", json={"pnr": PROTECTED, "event_date": "20020601"})
            shown = {k: v for k, v in answer.json().items() if k != "session"}
            assert answer.status_code == 200 and _leaks(json.dumps(shown, ensure_ascii=False)) == [], shown
    with rest_client(live, "municipality") as rest:  # a group with access sees the address as before
        answer = rest.post("/events/A01/initiate", json={"pnr": PROTECTED, "event_date": "20020601"})
        assert answer.json()["current"]["address"][0]["road"] == "8512"


def test_a_report_on_a_protected_person_is_blank_to_a_reporter_without_access(live, clock):
    clock.set(PROTECTED_DAY)
    client = signed_on(live, "citizen")
    receipt = report_move(client, PROTECTED, "20020601", MOVE)
    body = pending_call(client, "status", {"VENTEID": receipt["VENTEID"]})
    assert kvit(body) == "0"
    row = tables(body)["Venteregister"][0]
    assert row["STATUS"]["v"] == "waiting" and "v" not in row["DATA"]  # the new address stays hidden
    with rest_client(live, "municipality") as rest:  # the municipality in charge sees what would change
        [report] = rest.get("/pending/inbox").json()["reports"]
        assert report["data"]["VEJKOD"] == "0004" and report["before"]["address"][0]["road"] == "8512"


# --- the citizen's scope: the municipality of residence decides ------------------------------------------

def test_the_municipality_of_residence_whatever_the_request_says(live):
    client = signed_on(live, "citizen")
    _, _, body = client.post(update_request("A13", "initier", {"PNR": JENS, "HDTO": "20141027"}))
    assert kvit(body) == "5"  # not a citizen's event
    _, _, body = client.post(update_request("A01", "initier", {"PNR": JENS, "HDTO": "20141027"}, mk="0101"))
    assert kvit(body) == "184" and "bopælskommunen 0851" in read_answer(body)["kvit"]["t"]
    # a person in Varde reported by a provider whose own authority is Aalborg: Varde decides
    with rest_client(live, "citizen") as rest:
        keys = {"pnr": VARDE, "event_date": "20141027"}
        started = rest.post("/events/A47/initiate", json=keys).json()
        data = {"KONTAKTADR1": "Postboks 12", "KONTAKTADR2": "6800 Varde"}
        assert rest.post("/events/A47/validate", json={**keys, "session": started["session"],
                                                       "data": data}).status_code == 200
        saved = rest.post("/events/A47/save", json={**keys, "session": started["session"], "data": data}).json()
        assert saved["receipt"]["where"] == "pending" and saved["receipt"]["municipality"] == "0573"
    with rest_client(live, "municipality") as aalborg:
        assert aalborg.get("/pending/inbox").json()["reports"] == []
        refused = aalborg.post(f"/pending/reports/{saved['receipt']['pending_id']}/approve")
        assert refused.status_code == 403 and refused.json()["kvit"] == 5


# --- the dialogue to the decision ----------------------------------------------------------------------------

def test_a_reported_move_approved_by_the_municipality_is_applied_on_its_date(live, clock, demo_engine):
    from opencpr.bootstrap import job_gate
    from opencpr.services.pending import run_due

    citizen = signed_on(live, "citizen")
    kommune = signed_on(live, "municipality")
    receipt = report_move(citizen, JENS, "20141101", MOVE)  # the register's day is 2014-10-27
    assert receipt["STED"] == "pending" and receipt["VENTEID"]
    stamp = kommune.call("STAMP", {"PNR": JENS})
    assert stamp["fields"]["I_VENT_MRK"]["v"] == "X"  # a report is waiting

    body = pending_call(kommune, "indbakke", {})
    [row] = tables(body)["Venteregister"]
    assert row["VENTEID"]["v"] == receipt["VENTEID"] and "VEJKOD=0004" in row["EFTER"]["v"]
    assert "8512" in row["FOER"]["v"] and "v" not in row.get("PROBLEMER", {})

    body = pending_call(kommune, "godkend", {"VENTEID": receipt["VENTEID"]})
    assert kvit(body) == "0", body
    assert tables(body)["Venteregister"][0]["STATUS"]["v"] == "approved"
    assert tables(body)["Venteregister"][0]["AFGJORTAF"]["v"] == TEST_USERS["municipality"][0]
    assert kommune.call("Stam+", {"PNR": JENS})["rows"][0]["fields"]["VEJKOD"]["v"] == "8512"  # not yet

    clock.set(dt.datetime(2014, 11, 1, 0, 5))
    gate, job = job_gate(demo_engine, "run-due", clock)
    with gate:
        assert [r.applied for r in run_due(gate, job)] == [True]
    kommune, citizen = signed_on(live, "municipality"), signed_on(live, "citizen")  # days later: sign on again
    assert kommune.call("Stam+", {"PNR": JENS})["rows"][0]["fields"]["VEJKOD"]["v"] == "0004"
    log = kommune.call("AJOURF", {"PNR": JENS, "FRA": "20141101"})
    assert [r["fields"]["HAENDELSE"]["v"] for r in log["rows"]] == ["A01"]
    assert "v" not in kommune.call("STAMP", {"PNR": JENS})["fields"]["I_VENT_MRK"]
    body = pending_call(citizen, "status", {"VENTEID": receipt["VENTEID"]})
    assert tables(body)["Venteregister"][0]["TILSTAND"]["v"] == "applied"


def test_over_rest_approve_now_reject_with_a_reason_and_withdraw(live, demo_engine, clock):
    add_user(demo_engine, clock, "BORGER2", "0851", "citizen", "Borger-852!x")
    with rest_client(live, "citizen") as citizen, rest_client(live, "municipality") as kommune:
        ids = []
        for _ in range(3):
            keys = {"pnr": JENS, "event_date": "20141027"}
            started = citizen.post("/events/A01/initiate", json=keys).json()
            assert started["records"][0]["addressing_name"] == "Jens Mortensen"
            citizen.post("/events/A01/validate", json={**keys, "session": started["session"], "data": MOVE})
            saved = citizen.post("/events/A01/save", json={**keys, "session": started["session"], "data": MOVE})
            ids.append(saved.json()["receipt"]["pending_id"])
        first, second, third = ids
        assert [r["status"] for r in citizen.get("/pending/reports").json()["reports"]] == ["waiting"] * 3

        with rest_client(live, ("BORGER2", "Borger-852!x")) as other:  # another provider's reports are not its own
            assert other.get("/pending/reports").json()["reports"] == []
            assert other.get(f"/pending/reports/{third}").status_code == 403
            assert other.post(f"/pending/reports/{third}/withdraw").status_code == 403
        assert citizen.post(f"/pending/reports/{first}/approve").json()["kvit"] == 5  # a citizen decides nothing

        assert citizen.post(f"/pending/reports/{third}/withdraw").json()["reports"][0]["status"] == "withdrawn"
        assert kommune.post(f"/pending/reports/{third}/approve").json()["kvit"] == 5408

        missing = kommune.post(f"/pending/reports/{second}/reject", json={"reason": " "})
        assert missing.status_code == 400 and missing.json()["kvit"] == 17
        rejected = kommune.post(f"/pending/reports/{second}/reject",
                                json={"reason": "Adressen er en erhvervsadresse"}).json()["reports"][0]
        assert rejected["status"] == "rejected" and rejected["decided_by"] == "KOM1"

        approved = kommune.post(f"/pending/reports/{first}/approve").json()
        assert approved["receipt"]["where"] == "register" and approved["reports"][0]["state"] == "applied"
        seen = {r["pending_id"]: r for r in citizen.get("/pending/reports").json()["reports"]}
        assert seen[first]["status"] == "approved"
        assert seen[second]["status"] == "rejected" and seen[second]["reason"] == "Adressen er en erhvervsadresse"
        assert seen[third]["status"] == "withdrawn"
        stam = kommune.get("/stam-plus", params={"pnr": JENS}).json()["records"][0]
        assert stam["road"] == "0004"


def test_a_report_that_no_longer_validates_shows_the_caseworker_why(live, clock):
    citizen = signed_on(live, "citizen")
    receipt = report_move(citizen, JENS, "20141027", MOVE)
    office = signed_on(live, "cpr-office")  # the person dies before the municipality decides
    keys = {"PNR": JENS, "HDTO": "20141027"}
    _, _, body = office.post(update_request("A21", "initier", keys, mk="0003"))
    ts = etree.fromstring(body).xpath("//cpr:CprServiceHeader/@ts", namespaces=CPR)[0]
    for step in ("valider", "gem"):
        _, _, body = office.post(update_request("A21", step, keys, {}, ts=ts, mk="0003"))
        assert kvit(body) == "0", body
    kommune = signed_on(live, "municipality")
    row = tables(pending_call(kommune, "indbakke", {}))["Venteregister"][0]
    assert row["PROBLEMER"]["v"].startswith("4005")
    body = pending_call(kommune, "godkend", {"VENTEID": receipt["VENTEID"]})
    assert kvit(body) == "5403"
    lines = etree.fromstring(body).xpath("//cpr:Kvit//cpr:Field[@r='Kvittxt']/@v", namespaces=CPR)
    assert lines and lines[0].startswith("4005"), lines
    body = pending_call(citizen, "status", {"VENTEID": receipt["VENTEID"]})
    assert tables(body)["Venteregister"][0]["STATUS"]["v"] == "waiting"  # still the municipality's to decide


def test_another_municipality_and_the_cli(live, demo_engine, clock, database_url):
    from typer.testing import CliRunner

    from opencpr.cli import app

    add_user(demo_engine, clock, "KOM2", "0573", "municipality", "Kommune-573!")
    citizen = signed_on(live, "citizen")
    receipt = report_move(citizen, JENS, "20141027", MOVE)
    varde = Gctp(live)
    assert varde.signon("KOM2", "Kommune-573!")["kvit"]["v"] == "900"
    assert kvit(pending_call(varde, "godkend", {"VENTEID": receipt["VENTEID"]})) == "5"
    assert kvit(pending_call(varde, "afvis", {"VENTEID": receipt["VENTEID"]}, {"BEGRUNDELSE": "x"})) == "5"
    assert tables(pending_call(varde, "indbakke", {}))["Venteregister"] == []

    runner = CliRunner()
    refused = runner.invoke(app, ["pending", "reject", receipt["VENTEID"], "--user", "KOM2", "--reason", "nej",
                                  "--database-url", database_url])
    assert refused.exit_code == 1 and "Kvit 5" in refused.output
    done = runner.invoke(app, ["pending", "reject", receipt["VENTEID"], "--user", "KOM1", "--reason",
                               "Flytningen er allerede anmeldt", "--database-url", database_url])
    assert done.exit_code == 0, done.output
    row = tables(pending_call(citizen, "status", {"VENTEID": receipt["VENTEID"]}))["Venteregister"][0]
    assert row["STATUS"]["v"] == "rejected" and row["BEGRUNDELSE"]["v"] == "Flytningen er allerede anmeldt"
    assert row["AFGJORTAF"]["v"] == "KOM1"


def test_a_report_number_out_of_range_is_unknown_not_a_server_error(rest):
    # found by the REST fuzzer: a number past the id column's range once answered 500
    for number in ("9223372036854775808", "99999999999999999999999", "0"):
        got = rest.get(f"/api/v1/pending/reports/{number}")
        assert got.status_code in (404, 422), (number, got.status_code, got.text)
        assert got.status_code != 404 or got.json()["kvit"] == 5407
    assert rest.post("/api/v1/pending/reports/9223372036854775808/withdraw").status_code in (404, 422)


def test_a_report_number_no_database_can_hold_is_refused_not_a_server_error(live):
    """Found by fuzzing: an ``after`` beyond bigint reached PostgreSQL and failed there (HTTP 500)."""
    with rest_client(live, "municipality") as rest:
        too_large = "43581503526657096239038857216"
        assert rest.get(f"/pending/inbox?after={too_large}").status_code == 422
        assert rest.get(f"/pending/reports/{too_large}").status_code == 422
        assert rest.post(f"/pending/reports/{2**63}/approve").status_code == 422
        assert rest.get(f"/pending/inbox?after={2**63 - 1}").json()["reports"] == []
