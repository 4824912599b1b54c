"""Secondary events: follow-on services within the case of a primary event (a birth opens naming,
church and citizenship for the child), also to a group that may report them only so; and the
waiting system (``u="v"``)."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from live import Gctp, update_request
from opencpr.formats.gctp import read_answer
from opencpr.services import errors, updates
from opencpr.services.errors import MissingKey, NoAccess

KARIN, LARS = "0712614382", "0707614293"  # married; Karin is the mother, Lars the father
JENS = "0707614285"
BIRTH = {"KOEN": "K", "MORPNR": KARIN, "FARPNR": LARS, "FOEDMYN": "8321", "FODT_KL": "14:32"}
DAY = "2014-10-20"


def _steps(updater, code: str, pnr: str | None, data: dict, primary: str | None = None) -> dict:
    authority = updater.actor.authority
    ts = updates.step(updater.gate, updater.actor, code, "initiate", pnr=pnr, event_date=DAY, authority=authority,
                      primary=primary).info["session"]
    for action in ("validate", "save"):
        outcome = updates.step(updater.gate, updater.actor, code, action, pnr=pnr, event_date=DAY,
                               authority=authority, ts=ts, data=data)
    return outcome.info["receipt"]


def _birth(church) -> tuple[str, str]:
    receipt = _steps(church, "B23", None, BIRTH)
    return receipt["session"], receipt["persons"][0]


def test_a_birth_opens_citizenship_for_the_child_to_the_church_office(updater):
    church = updater.as_user("KIRKE1")
    receipt = _steps(church, "B23", None, BIRTH)
    ts, child = receipt["session"], receipt["persons"][0]
    offers = {o["event"]: o["persons"] for o in receipt["secondary"]}  # the follow-on events of the case
    assert set(offers) == {"A14", "A34", "B21"} and child in offers["B21"]

    # the church office may not report citizenship on its own ...
    with pytest.raises(NoAccess):
        church.initiate("B21", child, DAY)
    # ... but may as the birth's follow-on event, for the child
    receipt = _steps(church, "B21", child, {"LANDEKOD": "5120"}, primary=ts)
    assert receipt["where"] == "register"
    assert church.state(child).current("citizenship")["country"] == "5120"
    assert church.events_of(child) == [("B23", None), ("B21", None)]


def test_a_secondary_event_outside_its_case_is_refused(updater, clock):
    church = updater.as_user("KIRKE1")
    ts, child = _birth(church)
    # not a follow-on event of a birth: the church office has no way in to parental authority
    with pytest.raises(NoAccess):
        updates.step(church.gate, church.actor, "B09", "initiate", pnr=child, event_date=DAY,
                     authority=church.actor.authority, primary=ts)
    # the CPR office may report parental authority, but not as a follow-on of someone else's birth
    with pytest.raises(errors.NotSecondary) as refused:
        updates.step(updater.gate, updater.actor, "A14", "initiate", pnr=child, event_date=DAY,
                     authority=updater.actor.authority, primary=ts)
    assert refused.value.code == 5406
    # a person the birth did not concern
    with pytest.raises(errors.NotSecondary, match="indgår ikke"):
        updates.step(church.gate, church.actor, "A34", "initiate", pnr=JENS, event_date=DAY,
                     authority=church.actor.authority, primary=ts)
    # a primary event not saved yet
    waiting = church.initiate("B23", None, DAY).info["session"]
    with pytest.raises(errors.NotSecondary, match="ikke gemt"):
        updates.step(church.gate, church.actor, "A34", "initiate", pnr=child, event_date=DAY,
                     authority=church.actor.authority, primary=waiting)
    # the case is over once its window has passed
    clock.set(clock.now() + updates.SECONDARY_WINDOW + dt.timedelta(minutes=1))
    with pytest.raises(errors.NotSecondary, match="afsluttet"):
        updates.step(church.gate, church.actor, "A34", "initiate", pnr=child, event_date=DAY,
                     authority=church.actor.authority, primary=ts)
    assert church.events_of(child) == [("B23", None)]


def _header(body: bytes) -> dict[str, str]:
    return read_answer(body)["header"]


def _tables(body: bytes) -> dict[str, list[dict]]:
    root = etree.fromstring(body)
    return {t.get("r"): [{f.get("r"): dict(f.attrib) for f in row} for row in t]
            for t in root.xpath("//*[local-name()='CprData']/*[local-name()='Rolle']/*[local-name()='Table']")}


def test_secondary_events_over_gctp(live):
    from conftest import TEST_USERS

    client = Gctp(live)
    code, _, password = TEST_USERS["church-office"]
    assert client.signon(code, password)["kvit"]["v"] == "900"
    keys = {"HDTO": "20141020"}
    _, _, body = client.post(update_request("B23", "initier", keys, mk="7001"))
    ts = _header(body)["ts"]
    for action in ("valider", "gem"):
        _, _, body = client.post(update_request("B23", action, keys, BIRTH, ts=ts, mk="7001"))
        assert read_answer(body)["kvit"]["v"] == "0", body
    offers = _tables(body)["Sekundaere"]
    child = next(o["PNR"]["v"] for o in offers if o["HAENDELSE"]["v"] == "B21")
    assert {o["HAENDELSE"]["v"] for o in offers} == {"A14", "A34", "B21"}

    secondary = {"st": "S", "pt": ts}
    child_keys = {"PNR": child, "HDTO": "20141020"}
    _, _, body = client.post(update_request("B21", "initier", child_keys, mk="7001", header=secondary))
    assert read_answer(body)["kvit"]["v"] == "0", body
    assert _header(body)["st"] == "S" and _header(body)["pt"] == ts
    second = _header(body)["ts"]
    for action in ("valider", "gem"):  # later steps need not name the primary session again
        _, _, body = client.post(update_request("B21", action, child_keys, {"LANDEKOD": "5120"}, ts=second,
                                                mk="7001", header={"st": "S"}))
        assert read_answer(body)["kvit"]["v"] == "0", body
    office = Gctp(live)
    code, _, password = TEST_USERS["cpr-office"]
    assert office.signon(code, password)["kvit"]["v"] == "900"
    rows = office.call("STATSB", {"PNR": child})["rows"]
    assert [(r["fields"]["LANDEKOD"]["v"], r["fields"]["AKTUELMRK"].get("v")) for r in rows][0] == ("5120", "X")

    _, _, body = client.post(update_request("A34", "initier", child_keys, mk="7001", header={"st": "S"}))
    assert read_answer(body)["kvit"]["v"] == str(MissingKey.default.code)  # st="S" without pt
    _, _, body = client.post(update_request("A34", "initier", child_keys, mk="7001", header={"st": "Q"}))
    assert read_answer(body)["kvit"]["v"] == "18"
    _, _, body = client.post(update_request("B21", "initier", child_keys, mk="7001"))
    assert read_answer(body)["kvit"]["v"] == "5"  # as a primary event the church office has no access


def test_the_waiting_system_holds_a_saved_event_until_it_is_applied(updater):
    from opencpr.access.users import job_actor
    from opencpr.services.pending import run_due

    data = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7"}
    authority = updater.actor.authority
    keys = {"pnr": JENS, "event_date": "2014-10-27", "authority": authority}
    ts = updates.step(updater.gate, updater.actor, "A01", "initiate", **keys).info["session"]
    updates.step(updater.gate, updater.actor, "A01", "validate", ts=ts, data=data, **keys)
    receipt = updates.step(updater.gate, updater.actor, "A01", "save", ts=ts, data=data, waiting=True,
                           **keys).info["receipt"]
    assert receipt["where"] == "pending" and receipt["state"] == "waiting"
    assert updater.state(JENS).current("address")["road"] == "8512"
    [result] = run_due(updater.gate, job_actor(updater.gate.engine, "run-due"))
    assert result.applied and updater.state(JENS).current("address")["road"] == "0004"
