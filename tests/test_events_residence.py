"""Residence events through the gate: disappearance and re-finding, emigration and re-entry, entry with and
without a PNR, supplementary and contact address, relocation order, shared residence, EU election address,
municipal conditions and notes — each with the rows it writes and the problems its rules report; a few
through GCTP and REST, read back by the search services."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from opencpr.domain.events.addresses import in_eu
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    RELATIVE,
    REQUIRED,
    UNKNOWN_CODE,
)
from opencpr.domain.events.residence import resident_status
from opencpr.register.schema import address, person
from opencpr.services.errors import NoAccess

JENS = "0707614285"  # Jens Mortensen, Industrivænget 95,1 mf, 0851 Aalborg
HARALD = "0708614335"  # emigrated to Germany 1999-02-01, Danish citizen
HELLE = "0709614258"  # emigrated to Germany 2001-01-01
WINNIE = "0709614738"  # emigrated to Sweden 1997-09-09, a contact address ended 2005
JANNE = "1312814362"  # disappeared 1997-09-09, last at Industrivænget 2,st tv
CHILD, FATHER = "2906980013", "0709614231"  # born 1998-06-29; the father lives at Svinget 2,1 mf
ADDRESS = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7"}  # Absalonsbakken 7, Aalborg


# --- pure helpers --------------------------------------------------------------------------------------

def test_eu_membership_and_resident_status():
    assert in_eu("5180", "2014-10-27") and in_eu("5120", "1995-01-01") and not in_eu("5120", "1994-12-31")
    assert in_eu("5170", "2014-10-27") and not in_eu("5170", "2020-02-01")  # the United Kingdom left
    assert not in_eu("5110", "2014-10-27") and not in_eu("5100", "2014-10-27") and not in_eu(None, "2014-10-27")
    assert [resident_status(m, r) for m, r in (("0851", "0004"), ("0851", "9901"), ("0955", "0001"),
                                               ("0955", "9910"))] == ["01", "03", "05", "07"]


# --- A02 disappearance, A03 re-finding ---------------------------------------------------------------------

def test_disappearance_and_refinding_at_the_old_address(updater):
    receipt = updater.run("A02", JENS, "2014-10-20")
    assert receipt["where"] == "register" and receipt["persons"] == [JENS]
    state = updater.state(JENS)
    assert state.status == "70" and state.person["status_date"] == "2014-10-20T12:00"
    assert state.current("address") is None
    assert [r["valid_to"] for r in state.all("address") if r["road"] == "8512"] == ["2014-10-20T12:00"]
    gone = state.current("disappearance")
    assert gone["valid_from"] == "2014-10-20T12:00" and gone["valid_to"] is None
    clear = state.one("clear_address")
    assert clear["addressing_name"] == "Jens Mortensen" and clear["standard_address"] is None
    assert clear["municipality"] is None
    # the rules: already disappeared, in the future, before the current address
    assert updater.problems("A02", JENS, "2014-10-21") == [PERSON_STATE]
    assert updater.problems("A02", "0708610038", "2014-10-28") == [DATE_ORDER]
    assert updater.problems("A02", "0708610038", "1990-01-01") == [DATE_ORDER]
    assert updater.problems("A02", HARALD, "2014-10-20") == [PERSON_STATE]  # emigrated: no Danish residence

    # re-found without an address given: back at the address left
    assert updater.problems("A03", JENS, "2014-10-19") == [DATE_ORDER]
    assert updater.problems("A03", JENS, "2014-10-28") == [DATE_ORDER]
    assert updater.problems("A03", JENS, "2014-10-25", {"KOMKOD": "0851"}) == [REQUIRED]
    updater.run("A03", JENS, "2014-10-25")
    state = updater.state(JENS)
    assert state.status == "01" and state.current("disappearance") is None
    assert state.all("disappearance")[-1]["valid_to"] == "2014-10-25T12:00"
    back = state.current("address")
    assert (back["road"], back["house_no"], back["floor"], back["door"]) == ("8512", "095", "01", "  mf")
    assert back["valid_from"] == "2014-10-25T12:00"
    assert state.one("clear_address")["standard_address"] == "Industrivænget 95,1 mf"
    assert updater.events_of(JENS) == [("A02", None), ("A03", None)]
    assert updater.problems("A03", JENS, "2014-10-26") == [PERSON_STATE]  # not disappeared any more


def test_refinding_with_a_new_address(updater):
    assert updater.problems("A03", JANNE, "2014-10-27", {**ADDRESS, "HUSNR": "999"}) == [INVALID]
    updater.run("A03", JANNE, "2014-10-27", ADDRESS)
    state = updater.state(JANNE)
    assert state.status == "01" and state.person["status_date"] == "2014-10-27T12:00"
    gone = state.all("disappearance")[-1]
    assert gone["valid_from"].startswith("1997-09-09") and gone["valid_to"] == "2014-10-27T12:00"
    now = state.current("address")
    assert (now["municipality"], now["road"], now["house_no"]) == ("0851", "0004", "007")
    assert now["municipality_arrival"] == "2014-10-27T12:00"
    clear = state.one("clear_address")
    assert clear["standard_address"] == "Absalonsbakken 7" and clear["postal_code"] == "9293"
    assert clear["addressing_name"] == "Janne Mortensen"
    assert updater.events_of(JANNE) == [("A03", None)]


# --- A06 emigration, A04 re-entry, B11 entry with PNR -------------------------------------------------------

def test_emigration_and_re_entry(updater):
    data = {"UDR_LANDEKOD": "5110", "UDLANDADR1": "Storgata 1", "UDLANDADR2": "0155 Oslo"}
    assert updater.problems("A06", JENS, "2014-10-27", {"UDR_LANDEKOD": "5100"}) == [INVALID]
    assert updater.problems("A06", JENS, "2014-10-27", {"UDR_LANDEKOD": "5098"}) == [UNKNOWN_CODE]
    assert updater.problems("A06", JENS, "2014-10-27", {"UDLANDADR1": "Storgata 1"}) == [REQUIRED]
    assert updater.problems("A06", JENS, "1997-01-01", data) == [DATE_ORDER]  # before moving in
    assert updater.problems("A06", HARALD, "2014-10-27", data) == [PERSON_STATE]  # emigrated already
    receipt = updater.run("A06", JENS, "2014-10-27", data)
    assert receipt["where"] == "register"
    state = updater.state(JENS)
    assert state.status == "80" and state.current("address") is None
    departure = state.current("departure")
    assert (departure["exit_country"], departure["valid_from"], departure["foreign_line1"],
            departure["foreign_line2"], departure["foreign_line3"]) == (
        "5110", "2014-10-27T12:00", "Storgata 1", "0155 Oslo", None)
    assert state.one("clear_address")["standard_address"] is None
    # back again: the departure ends with the country he came from (default: where he went)
    assert updater.problems("A04", JENS, "2014-10-26", ADDRESS) == [DATE_ORDER]
    assert updater.problems("A04", JENS, "2014-10-27", {**ADDRESS, "INDR_LANDEKOD": "5100"}) == [INVALID]
    assert updater.problems("A04", JENS, "2014-10-27", {"KOMKOD": "0851"}) == [REQUIRED, REQUIRED]
    updater.run("A04", JENS, "2014-10-27", ADDRESS)
    state = updater.state(JENS)
    assert state.status == "01" and state.current("departure") is None
    ended = state.all("departure")[-1]
    assert (ended["exit_country"], ended["entry_country"], ended["valid_to"]) == ("5110", "5110", "2014-10-27T12:00")
    assert state.current("address")["road"] == "0004"
    assert state.one("clear_address")["standard_address"] == "Absalonsbakken 7"
    assert updater.events_of(JENS) == [("A06", None), ("A04", None)]
    assert updater.problems("A04", JENS, "2014-10-27", {**ADDRESS, "HUSNR": "9"}) == [PERSON_STATE]  # resident


def test_a_future_emigration_waits_in_the_pending_register(updater):
    receipt = updater.run("A06", JENS, "2014-12-01", {"UDR_LANDEKOD": "5180"})
    assert receipt["where"] == "pending" and receipt["state"] == "waiting"
    assert updater.state(JENS).status == "01"


def test_re_entry_names_the_entry_country(updater):
    updater.run("A04", HELLE, "2014-10-27", {**ADDRESS, "INDR_LANDEKOD": "5120", "ETAGE": "st"})
    state = updater.state(HELLE)
    ended = state.all("departure")[-1]
    assert (ended["exit_country"], ended["entry_country"]) == ("5180", "5120") and ended["current"] is False
    assert state.current("address")["floor"] == "st"
    assert state.one("clear_address")["standard_address"] == "Absalonsbakken 7,st"
    assert updater.problems("A04", JENS, "2014-10-27", ADDRESS) == [PERSON_STATE]  # never left
    # a municipality registers a re-entry into its own municipality, not into another one
    aalborg = updater.as_user("KOM1")
    with pytest.raises(NoAccess):
        aalborg.run("A04", WINNIE, "2014-10-27", {"KOMKOD": "0573", "VEJKOD": "5732", "HUSNR": "3"})
    assert aalborg.run("A04", WINNIE, "2014-10-27", ADDRESS)["where"] == "register"
    assert updater.state(WINNIE).current("address")["authority"] == "0851"


def test_entry_with_pnr(updater):
    data = {**ADDRESS, "INDR_LANDEKOD": "5150"}
    assert updater.problems("B11", JENS, "2014-10-27", data) == [PERSON_STATE]
    assert updater.problems("B11", JANNE, "2014-10-27", data) == [PERSON_STATE]  # disappeared: A03
    assert updater.problems("B11", HARALD, "2014-10-27", ADDRESS) == [REQUIRED]
    updater.run("B11", HARALD, "2014-10-27", data)  # emigrated: the departure ends
    harald = updater.state(HARALD)
    assert harald.status == "01" and harald.all("departure")[-1]["entry_country"] == "5150"
    # a person with a PNR given for tax purposes (status 20), without an address
    with updater.gate.engine.begin() as conn:
        conn.execute(update(person).where(person.c.pnr == "0708610038").values(status="20"))
        conn.execute(update(address).where(address.c.pnr == "0708610038").values(current=False))
    updater.run("B11", "0708610038", "2014-10-27", data)
    state = updater.state("0708610038")
    assert state.status == "01" and state.current("address")["road"] == "0004"
    entry = state.all("departure")[-1]
    assert (entry["exit_country"], entry["entry_country"], entry["valid_to"], entry["current"]) == (
        None, "5150", "2014-10-27T12:00", False)
    assert updater.events_of("0708610038") == [("B11", None)]


# --- B12 entry without PNR ----------------------------------------------------------------------------------

def test_entry_without_pnr_creates_the_person(updater):
    data = {"FOEDDATO": "19900315", "KOEN": "K", "FORNVN": "Anna Maria", "EFTERNVN": "Rossi",
            "LANDEKOD": "5150", "INDR_LANDEKOD": "5150", **ADDRESS, "ETAGE": "2", "SIDEDOER": "th"}
    receipt = updater.run("B12", None, "2014-10-27", data)
    [pnr] = receipt["persons"]
    assert pnr.startswith("150390") and int(pnr[-1]) % 2 == 0  # a woman: even last digit
    state = updater.state(pnr)
    assert (state.status, state.sex, state.birth_date, state.person["start_date"]) == (
        "01", "K", "1990-03-15", "2014-10-27")
    name = state.current("name")
    assert (name["first_name"], name["last_name"], name["addressing_name"]) == ("Anna Maria", "Rossi",
                                                                                "Anna Maria Rossi")
    assert state.current("address")["floor"] == "02"
    clear = state.one("clear_address")
    assert clear["standard_address"] == "Absalonsbakken 7,2 th" and clear["addressing_name"] == "Anna Maria Rossi"
    assert state.current("citizenship")["country"] == "5150"
    assert state.current("civil_status")["civil_status"] == "U" and state.current("church")["church"] == "U"
    entry = state.all("departure")[-1]
    assert (entry["entry_country"], entry["valid_to"]) == ("5150", "2014-10-27T12:00")
    assert updater.events_of(pnr) == [("B12", None)]
    # the rules
    assert updater.problems("B12", None, "2014-10-27", {**data, "FOEDDATO": "20141030"}) == [DATE_ORDER]
    assert updater.problems("B12", None, "2014-10-27", {**data, "KOEN": "X"}) == [UNKNOWN_CODE]
    assert updater.problems("B12", None, "2014-10-27", {**data, "INDR_LANDEKOD": "5100"}) == [INVALID]
    missing = {k: v for k, v in data.items() if k not in ("FOEDDATO", "LANDEKOD")}
    assert updater.problems("B12", None, "2014-10-27", missing) == [REQUIRED, REQUIRED]
    # a municipality registers the entry of a person into its own municipality
    aalborg = updater.as_user("KOM1")
    assert aalborg.run("B12", None, "2014-10-27", {**data, "FORNVN": "Lucia"})["where"] == "register"


# --- A07 supplementary address, A47 contact address, B08 relocation order -------------------------------------

def test_supplementary_address(updater):
    data = {"SUPLADR1": "Værelse 12", "SUPLADR2": "Plejecenter Solgården", "SLETDATO": "20150101"}
    updater.run("A07", JENS, "2014-10-27", data)
    state = updater.state(JENS)
    [current] = [r for r in state.all("address") if r["current"]]
    assert (current["supplementary_authority"], current["supplementary_line1"], current["supplementary_line2"],
            current["supplementary_start"], current["supplementary_end"]) == (
        "0003", "Værelse 12", "Plejecenter Solgården", "2014-10-27", "2015-01-01")
    assert current["road"] == "8512" and len(state.all("address")) == 4  # changed in place
    assert updater.events_of(JENS) == [("A07", None)]
    assert updater.problems("A07", JENS, "2014-10-27", data) == [NO_CHANGE]
    assert updater.problems("A07", JENS, "2014-10-27", {"SUPLADR1": "x", "SLETDATO": "20141027"}) == [DATE_ORDER]
    assert updater.problems("A07", JENS, "2014-10-27", {"SUPLADR2": "x"}) == [REQUIRED]
    assert updater.problems("A07", HARALD, "2014-10-27", {"SUPLADR1": "x"}) == [PERSON_STATE]


def test_contact_address(updater):
    first = {"KONTAKTADR1": "c/o Hansen", "KONTAKTADR2": "Box 12", "KONTAKTADR3": "Stockholm"}
    updater.run("A47", WINNIE, "2014-10-01", first)
    updater.run("A47", WINNIE, "2014-10-27", {"KONTAKTADR1": "Grantoften 4", "SLETDATO": "20160101"})
    rows = updater.state(WINNIE).all("contact_address")
    assert [(r["line1"], r["valid_from"], r["valid_to"]) for r in rows] == [
        ("Kontaktadresse Linje 1 1 1 1 1 1 1", "2001-06-30", "2005-07-15"),  # ended long ago: untouched
        ("c/o Hansen", "2014-10-01", "2014-10-27"),
        ("Grantoften 4", "2014-10-27", "2016-01-01")]
    assert rows[1]["line3"] == "Stockholm" and rows[2]["authority"] == "0003"
    assert updater.events_of(WINNIE) == [("A47", None), ("A47", None)]
    assert updater.problems("A47", WINNIE, "2014-10-20", {"KONTAKTADR1": "x"}) == [DATE_ORDER]
    assert updater.problems("A47", WINNIE, "2014-10-27", {"KONTAKTADR1": "Grantoften 4",
                                                          "SLETDATO": "20160101"}) == [NO_CHANGE]
    assert updater.problems("A47", "0101980014", "2014-10-27", {"KONTAKTADR1": "x"}) == [PERSON_STATE]  # dead


def test_relocation_order(updater):
    updater.run("B08", JENS, "2014-10-27", {"BEMAERK": "Flytte inden 2015"})
    [row] = updater.state(JENS).all("relocation_order")
    assert (row["valid_from"], row["remark"], row["authority"]) == ("2014-10-27", "Flytte inden 2015", "0003")
    assert updater.events_of(JENS) == [("B08", None)]
    assert updater.problems("B08", JENS, "2014-10-27", {"BEMAERK": "Flytte inden 2015"}) == [NO_CHANGE]
    assert updater.problems("B08", JENS, "2014-10-27", {}) == [REQUIRED]
    assert updater.problems("B08", JENS, "2014-10-27", {"BEMAERK": "x" * 41}) == [INVALID]
    assert updater.problems("B08", HARALD, "2014-10-27", {"BEMAERK": "x"}) == [PERSON_STATE]


# --- B03, B04 shared residence ------------------------------------------------------------------------------

def test_shared_residence_registered_and_ended(updater):
    assert updater.problems("B03", CHILD, "2014-10-27", {"DELTBOPPNR": JENS}) == [RELATIVE]  # not a parent
    assert updater.problems("B03", CHILD, "2014-10-27", {"DELTBOPPNR": "0101010101"}) == [INVALID]
    assert updater.problems("B03", JENS, "2014-10-27", {"DELTBOPPNR": FATHER}) == [PERSON_STATE, RELATIVE]
    assert updater.problems("B04", CHILD, "2014-10-27") == [PERSON_STATE]
    updater.run("B03", CHILD, "2014-06-01", {"DELTBOPPNR": FATHER})
    row = updater.state(CHILD).current("shared_residence")
    assert (row["other_pnr"], row["municipality"], row["road"], row["house_no"], row["floor"], row["door"]) == (
        FATHER, "0851", "8513", "002", "01", "  mf")
    assert (row["valid_from"], row["valid_to"], row["authority"]) == ("2014-06-01", None, "0003")
    assert updater.problems("B03", CHILD, "2014-10-27", {"DELTBOPPNR": FATHER}) == [PERSON_STATE]  # has one
    assert updater.events_of(CHILD) == [("B03", None)] and updater.events_of(FATHER) == []
    assert updater.problems("B04", CHILD, "2014-05-01") == [DATE_ORDER]
    updater.run("B04", CHILD, "2014-10-27")
    state = updater.state(CHILD)
    assert state.current("shared_residence") is None
    assert state.all("shared_residence")[-1]["valid_to"] == "2014-10-27"
    assert updater.events_of(CHILD) == [("B03", None), ("B04", None)]
    # an adult child, and a parent without an address
    assert updater.problems("B03", CHILD, "2016-06-29", {"DELTBOPPNR": FATHER}) == [PERSON_STATE]
    with updater.gate.engine.begin() as conn:
        conn.execute(update(address).where(address.c.pnr == FATHER).values(current=False))
    assert updater.problems("B03", CHILD, "2014-10-27", {"DELTBOPPNR": FATHER}) == [RELATIVE]


def test_a_shared_residence_ends_when_the_child_or_the_other_parent_leaves(updater, gctp):
    updater.run("B03", CHILD, "2014-06-01", {"DELTBOPPNR": FATHER})
    # the other parent emigrates: the child's second home at his address ends, a derived event on the child
    updater.run("A06", FATHER, "2014-10-01", {"UDR_LANDEKOD": "5120"})
    ended = updater.state(CHILD).all("shared_residence")[-1]
    assert ended["current"] is False and ended["valid_to"] == "2014-10-01"
    assert updater.events_of(CHILD) == [("B03", None), ("A06", "BØ")]
    assert gctp.call("DELTBOP", {"PNR": CHILD})["rows"] == []  # no current shared residence
    # the child's own emigration ends the child's shared residence
    updater.run("A04", FATHER, "2014-10-10", {"KOMKOD": "0851", "VEJKOD": "8513", "HUSNR": "2", "ETAGE": "1",
                                              "SIDEDOER": "mf", "INDR_LANDEKOD": "5120"})
    updater.run("B03", CHILD, "2014-10-11", {"DELTBOPPNR": FATHER})
    updater.run("A06", CHILD, "2014-10-20", {"UDR_LANDEKOD": "5120"})
    rows = updater.state(CHILD).all("shared_residence")
    assert [(r["valid_from"], r["valid_to"], r["current"]) for r in rows] == [
        ("2014-06-01", "2014-10-01", False), ("2014-10-11", "2014-10-20", False)]
    assert updater.events_of(FATHER)[-1] == ("A04", None)  # the child's own event is not derived on the parent


def test_a_death_ends_the_shared_residences_at_the_dead_parents_address(updater):
    updater.run("B03", CHILD, "2014-06-01", {"DELTBOPPNR": FATHER})
    updater.run("A21", FATHER, "2014-10-20")
    row = updater.state(CHILD).all("shared_residence")[-1]
    assert (row["current"], row["valid_to"]) == (False, "2014-10-20")
    assert updater.events_of(CHILD)[-1] == ("A21", "BØ")  # once, with the loss of parental authority


# --- B06 EU election address -------------------------------------------------------------------------------

def test_eu_election_address(updater):
    data = {"VALGKODE": "0002", "VALGRET_DT": "20141027", "SLETDATO": "20190527"}
    updater.run("B06", HARALD, "2014-10-27", data)
    rows = updater.state(HARALD).all("election")
    assert [(r["election_code"], r["voting_right_date"], r["valid_from"], r["valid_to"]) for r in rows] == [
        ("0001", "1999-03-10", "1999-02-01", "2001-03-10"),
        ("0002", "2014-10-27", "2014-10-27", "2019-05-27")]
    assert updater.events_of(HARALD) == [("B06", None)]
    assert updater.problems("B06", HARALD, "2014-10-27", data) == [NO_CHANGE]
    assert updater.problems("B06", WINNIE, "2014-10-27", {"VALGKODE": "0000"}) == [INVALID]
    assert updater.problems("B06", WINNIE, "2014-10-27", {"VALGKODE": "0002", "SLETDATO": "20141001"}) == [
        DATE_ORDER]
    assert updater.problems("B06", JENS, "2014-10-27", {"VALGKODE": "0002"}) == [PERSON_STATE]  # lives here
    updater.run("A06", JENS, "2014-10-27", {"UDR_LANDEKOD": "5110"})  # Norway is not in the EU
    assert updater.refusal_texts("B06", JENS, "2014-10-27", {"VALGKODE": "0002"}) == [
        "Personen bor ikke i et andet EU-land"]


# --- B13 municipal conditions, B14 municipal notes ----------------------------------------------------------

def test_municipal_conditions_and_notes(updater):
    updater.run("B13", JENS, "2014-10-27", {"KOMFORHTYP": "3", "KOMFORHKOD": "N", "BEMAERK": "Pension"})
    [row] = updater.state(JENS).all("municipal_condition")
    assert (row["condition_type"], row["condition_code"], row["valid_from"], row["remark"]) == (
        "3", "N", "2014-10-27", "Pension")
    assert updater.problems("B13", JENS, "2014-10-27", {"KOMFORHTYP": "3", "KOMFORHKOD": "N"}) == [NO_CHANGE]
    assert updater.problems("B13", JENS, "2014-10-27", {"KOMFORHTYP": "0", "KOMFORHKOD": "N"}) == [INVALID]
    assert updater.problems("B13", JENS, "2014-10-27", {"KOMFORHTYP": "12", "KOMFORHKOD": "N"}) == [INVALID]
    assert updater.problems("B13", JENS, "2014-10-27", {"KOMFORHTYP": "3"}) == [REQUIRED]

    pnr = "0707614293"  # has note 13, deleted 2003
    updater.run("B14", pnr, "2014-10-27", {"NOTATLINIE": "Første notat"})
    updater.run("B14", pnr, "2014-10-27", {"NOTATLINIE": "Andet notat", "SLETDATO": "20150101"})
    notes = [(r["note_no"], r["text"], r["valid_from"], r["valid_to"]) for r in updater.state(pnr).all("note")]
    assert notes[1:] == [("01", "Første notat", "2014-10-27", None),
                         ("02", "Andet notat", "2014-10-27", "2015-01-01")]
    assert updater.events_of(pnr) == [("B14", None), ("B14", None)]
    assert updater.problems("B14", pnr, "2014-10-27", {"NOTATLINIE": "x", "SLETDATO": "20141027"}) == [DATE_ORDER]
    assert updater.problems("B14", pnr, "2014-10-27", {"NOTATLINIE": "x" * 41}) == [INVALID]
    assert updater.problems("B14", "0101980014", "2014-10-27", {"NOTATLINIE": "x"}) == [PERSON_STATE]


# --- through GCTP and REST, read back by the searches ----------------------------------------------------------

def test_emigration_over_gctp_and_notes_over_rest(live, gctp, rest):
    from conftest import TEST_USERS
    from live import Gctp, update_request
    from opencpr.formats.gctp import read_answer

    client = Gctp(live)
    code, _, password = TEST_USERS["municipality"]
    assert client.signon(code, password)["kvit"]["v"] == "900"
    keys = {"PNR": JENS, "HDTO": "20141027"}
    data = {"UDR_LANDEKOD": "5180", "UDLANDADR1": "Berliner Strasse 5", "UDLANDADR2": "D 10115 Berlin"}
    _, _, body = client.post(update_request("A06", "initier", keys, mk="0851"))
    answer = read_answer(body)
    assert answer["kvit"]["v"] == "0", body
    ts = answer["header"]["ts"]
    _, _, body = client.post(update_request("A06", "valider", keys, {"UDR_LANDEKOD": "5100"}, ts=ts, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "5403" and "Udrejselandet kan ikke være Danmark" in body.decode(
        "iso-8859-1")
    for action in ("valider", "gem"):
        _, _, body = client.post(update_request("A06", action, keys, data, ts=ts, mk="0851"))
        assert read_answer(body)["kvit"]["v"] == "0", body
    stam = gctp.call("Stam+", {"PNR": JENS})["rows"][0]["fields"]
    assert stam["STATUS"]["v"] == "80"
    adresse = gctp.call("ADRESSE3", {"PNR": JENS})["fields"]
    assert adresse["UDRLANDEKOD"]["v"] == "5180"
    log = gctp.call("AJOURF", {"PNR": JENS, "FRA": "20141027"})
    assert [r["fields"]["HAENDELSE"]["v"] for r in log["rows"]] == ["A06"]

    # a note over REST, read back by KOMNOTAT (REST and GCTP)
    keys = {"pnr": "0708610038", "event_date": "20141027"}
    started = rest.post("/api/v1/events/B14/initiate", json=keys).json()
    refused = rest.post("/api/v1/events/B14/validate", json={**keys, "session": started["session"], "data": {}})
    assert refused.status_code == 422 and refused.json()["problems"] == [
        {"code": 4001, "field": "NOTATLINIE", "text": "NOTATLINIE skal udfyldes"}]
    note = {"NOTATLINIE": "Ring før besøg"}
    for action in ("validate", "save"):
        done = rest.post(f"/api/v1/events/B14/{action}", json={**keys, "session": started["session"], "data": note})
        assert done.status_code == 200, done.text
    found = rest.get("/api/v1/komnotat", params={"pnr": "0708610038"}).json()["records"]
    assert [(r["note_no"], r["text"]) for r in found] == [("01", "Ring før besøg")]
    row = gctp.call("KOMNOTAT", {"PNR": "0708610038"})["rows"][0]["fields"]
    assert row["NOTATLINIE"]["v"] == "Ring før besøg" and row["STARTDATO"]["v"] == "20141027"


def test_shared_residence_over_rest_read_by_deltbop(live, gctp, rest):
    keys = {"pnr": CHILD, "event_date": "20141027"}
    started = rest.post("/api/v1/events/B03/initiate", json=keys).json()
    bad = rest.post("/api/v1/events/B03/validate", json={**keys, "session": started["session"],
                                                        "data": {"DELTBOPPNR": JENS}})
    assert bad.status_code == 422 and bad.json()["problems"][0]["code"] == RELATIVE
    for action in ("validate", "save"):
        done = rest.post(f"/api/v1/events/B03/{action}", json={**keys, "session": started["session"],
                                                               "data": {"DELTBOPPNR": FATHER}})
        assert done.status_code == 200, done.text
    found = rest.get("/api/v1/deltbop", params={"pnr": CHILD}).json()["records"]
    assert [(r["other_pnr"], r["road"], r["valid_from"]) for r in found] == [(FATHER, "8513", "2014-10-27")]
    row = gctp.call("DELTBOP", {"PNR": CHILD})["rows"][0]["fields"]
    assert row["DELTBOPPNR"]["v"] == FATHER and row["DELTBOPNVN"]["v"] == "Jørgen Folmersen"
    assert row["VEJKOD"] == {"v": "8513", "t": "Svinget"} and row["STARTDATO"]["v"] == "20141027"
