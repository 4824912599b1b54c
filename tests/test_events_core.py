"""The core events through the gate: move, death (widowhood on the spouse), marriage (both), naming."""

from __future__ import annotations

import pytest

from opencpr.domain.events.base import DATE_ORDER, INVALID, NO_CHANGE, PERSON_STATE, RELATIVE, REQUIRED
from opencpr.services import errors
from opencpr.services.errors import UpdateConflict

JENS = "0707614285"


def test_move_changes_the_address_and_logs_a01(updater):
    receipt = updater.run("A01", JENS, "2014-10-27", {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7"})
    assert receipt["where"] == "register" and receipt["persons"] == [JENS]
    state = updater.state(JENS)
    current = state.current("address")
    assert (current["municipality"], current["road"], current["house_no"]) == ("0851", "0004", "007")
    assert current["valid_from"].startswith("2014-10-27")
    old = [r for r in state.all("address") if r["road"] == "8512"][-1]
    assert old["current"] is False and old["valid_to"].startswith("2014-10-27")
    assert state.one("clear_address")["standard_address"].endswith(" 7")
    assert updater.events_of(JENS) == [("A01", None)]


def test_move_rules(updater):
    assert updater.problems("A01", JENS, "2014-10-27", {"KOMKOD": "0851"}) == [REQUIRED, REQUIRED]
    assert updater.problems("A01", JENS, "2014-10-27", {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "999"}) == [
        INVALID]
    same = {"KOMKOD": "0851", "VEJKOD": "8512", "HUSNR": "95", "ETAGE": "1", "SIDEDOER": "mf"}
    assert updater.problems("A01", JENS, "2014-10-27", same) == [NO_CHANGE]
    assert updater.problems("A01", JENS, "1990-01-01", {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7"}) == [
        DATE_ORDER]


def test_a_conflicting_save_is_refused_and_can_be_validated_again(updater):
    from opencpr.services import updates

    data = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7"}
    first = updater.initiate("A01", JENS, "2014-10-27").info["session"]
    second = updater.initiate("A01", JENS, "2014-10-27").info["session"]
    keys = {"pnr": JENS, "event_date": "2014-10-27", "authority": updater.actor.authority}
    for ts in (first, second):
        updates.step(updater.gate, updater.actor, "A01", "validate", ts=ts, data=data, **keys)
    updates.step(updater.gate, updater.actor, "A01", "save", ts=first, data=data, **keys)
    with pytest.raises(UpdateConflict) as refused:
        updates.step(updater.gate, updater.actor, "A01", "save", ts=second, data=data, **keys)
    assert refused.value.code == 5405
    assert len(updater.events_of(JENS)) == 1  # nothing of the refused save was written
    again = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "9"}
    updates.step(updater.gate, updater.actor, "A01", "validate", ts=second, data=again, **keys)
    updates.step(updater.gate, updater.actor, "A01", "save", ts=second, data=again, **keys)
    assert updater.state(JENS).current("address")["house_no"] == "009"


def test_validation_sees_a_save_made_after_the_session_began(updater):
    from opencpr.services import updates

    keys = {"pnr": JENS, "event_date": "2014-10-27", "authority": updater.actor.authority}
    data = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7"}
    waiting = updater.initiate("A01", JENS, "2014-10-27").info["session"]
    updater.run("A01", JENS, "2014-10-27", data)  # another session moves Jens there meanwhile
    with pytest.raises(errors.DataRefused) as refused:  # the same move again: nothing would change now
        updates.step(updater.gate, updater.actor, "A01", "validate", ts=waiting, data=data, **keys)
    assert [p.code for p in refused.value.problems] == [NO_CHANGE]


def test_a_save_is_refused_when_the_other_person_changed_after_validation(updater):
    from opencpr.services import updates

    a, b, c = "1307610015", "0708610038", "0708614866"
    keys = {"pnr": a, "event_date": "2014-10-25", "authority": updater.actor.authority}
    ts = updater.initiate("B29", a, "2014-10-25").info["session"]
    updates.step(updater.gate, updater.actor, "B29", "validate", ts=ts, data={"AEGTEPNR": b}, **keys)
    updater.run("B29", b, "2014-10-25", {"AEGTEPNR": c})  # the intended spouse marries someone else first
    with pytest.raises(UpdateConflict):
        updates.step(updater.gate, updater.actor, "B29", "save", ts=ts, data={"AEGTEPNR": b}, **keys)
    assert updater.state(a).current("civil_status")["civil_status"] != "G"
    with pytest.raises(errors.DataRefused):  # validated again, the marriage is refused: b is married now
        updates.step(updater.gate, updater.actor, "B29", "validate", ts=ts, data={"AEGTEPNR": b}, **keys)


def test_death_makes_the_spouse_a_widow(updater):
    wife, husband = "0708614319", None
    spouse = updater.state(wife).current("civil_status")
    assert spouse["civil_status"] == "G"
    husband = spouse["spouse_pnr"]
    updater.run("A21", husband, "2014-10-20")
    dead = updater.state(husband)
    assert dead.status == "90" and dead.current("civil_status")["civil_status"] == "D"
    assert dead.current("address") is None
    widow = updater.state(wife).current("civil_status")
    assert widow["civil_status"] == "E" and widow["spouse_pnr"] == husband
    assert updater.events_of(husband) == [("A21", None)]
    assert updater.events_of(wife) == [("A21", "ÆG")]
    assert updater.problems("A21", husband, "2014-10-21") == [PERSON_STATE]


def test_marriage_changes_both(updater):
    a, b = "1307610015", "0708610038"
    receipt = updater.run("B29", a, "2014-10-25", {"AEGTEPNR": b})
    assert set(receipt["persons"]) == {a, b}
    assert updater.state(a).current("civil_status")["spouse_pnr"] == b
    assert updater.state(b).current("civil_status")["civil_status"] == "G"
    assert updater.events_of(b) == [("B29", "ÆG")]
    assert RELATIVE in updater.problems("B29", "0707614293", "2014-10-25", {"AEGTEPNR": a})  # a is married now


def test_a_future_move_waits_and_is_applied_on_its_date(updater, clock):
    import datetime as dt

    from opencpr.access.users import job_actor
    from opencpr.services.pending import LIST_PENDING, WITHDRAW_PENDING, run_due

    data = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7"}
    receipt = updater.run("A01", JENS, "2014-11-01", data)
    assert receipt["where"] == "pending" and receipt["state"] == "waiting"
    other = updater.run("A01", "0708610038", "2014-11-03", data)  # withdrawn before its date
    assert updater.state(JENS).current("address")["road"] == "8512"  # nothing changed yet
    job = job_actor(updater.gate.engine, "run-due")
    assert run_due(updater.gate, job) == []
    assert updater.gate.call(job, WITHDRAW_PENDING, pending_id=other["pending_id"]).info["withdrawn"]
    clock.set(dt.datetime(2014, 11, 3, 1, 0))
    [result] = run_due(updater.gate, job)
    assert result.applied and result.pnr == JENS
    moved = updater.state(JENS).current("address")
    assert moved["road"] == "0004" and moved["valid_from"].startswith("2014-11-01")
    assert updater.events_of(JENS) == [("A01", None)]
    assert updater.state("0708610038").current("address")["road"] != "0004"
    states = {r["id"]: r["state"] for r in updater.gate.call(job, LIST_PENDING).info["pending"]}
    assert states == {receipt["pending_id"]: "applied", other["pending_id"]: "withdrawn"}
    assert run_due(updater.gate, job) == []  # applied once


def test_a_future_event_that_no_longer_holds_fails_on_its_date(updater, clock):
    import datetime as dt

    from opencpr.access.users import job_actor
    from opencpr.services.pending import run_due

    updater.run("A01", JENS, "2014-11-01", {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7"})
    updater.run("A21", JENS, "2014-10-27")  # dies before the move's date
    clock.set(dt.datetime(2014, 11, 2, 1, 0))
    [result] = run_due(updater.gate, job_actor(updater.gate.engine, "run-due"))
    assert not result.applied and "Personen er død" in result.problems


def test_a_name_change_is_found_by_the_name_search(updater, gctp):
    updater.run("A13", JENS, "2014-10-27", {"FORNVN": "Jens", "EFTERNVN": "Bjergskov"})
    found = gctp.call("NVNSOG2", {"NVN": "bjergskov"})
    assert [r["fields"]["PNR"]["v"] for r in found["rows"]] == [JENS]
    assert JENS not in [r["fields"]["PNR"]["v"] for r in gctp.call("NVNSOG2", {"NVN": "Jens Mortensen"})["rows"]]
    historical = gctp.call("NVNSOG2", {"NVN": "Jens Mortensen", "HNVS": "X"})
    assert JENS in [r["fields"]["PNR"]["v"] for r in historical["rows"]]
    assert gctp.call("Stam+", {"PNR": JENS})["rows"][0]["fields"]["ADRNVN"]["v"] == "Jens Bjergskov"
