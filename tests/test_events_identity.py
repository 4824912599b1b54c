"""Events about who a person is: a PNR at birth (B23) and for persons abroad (B24-B27), reactivation (B10),
change of PNR (P03), addressing name (B02), citizenship (B21), church (A34), occupation (B22), protection (A33);
read back through the search services over GCTP and REST."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    RELATIVE,
    REQUIRED,
    UNKNOWN_CODE,
)
from opencpr.domain.pnr import generate, parse
from opencpr.register.schema import person

KARIN = "0712614382"  # Karin Henriksen, Industrivænget 2,st th, Aalborg; married to Lars; church F; Danish
LARS = "0707614293"  # Lars Henriksen, son of Lisbeth and Arne
LISBETH, ARNE = "0912414426", "0901414025"
JENS = "0707614285"  # Jens Mortensen, Industrivænget 95,1 mf; divorced; father of Janne (disappeared)
JANNE = "1312814362"
KIRSTEN = "0707614218"  # a woman
LISE = "0901414084"  # a dead woman
HELLE = "0709614258"  # a woman who emigrated to Germany
NOT_IN_REGISTER = "0505700007"
BIRTH = {"KOEN": "K", "MORPNR": KARIN, "FARPNR": LARS, "FOEDMYN": "8321", "FODT_KL": "14:32"}
ABROAD = {"FORNVN": "John", "EFTERNVN": "Smith", "FOEDDATO": "19700315", "KOEN": "M", "LANDEKOD": "5120",
          "UDR_LANDEKOD": "5120", "UDLANDADR1": "Storgatan 1", "UDLANDADR2": "S-111 22 Stockholm",
          "UDLANDADR3": "Sverige"}


def _fields(answer: dict, i: int = 0) -> dict[str, str | None]:
    assert answer["kvit"]["v"] == "0", answer["kvit"]
    return {k: f.get("v") for k, f in answer["rows"][i]["fields"].items()}


def _records(rest, slug: str, pnr: str) -> list[dict]:
    answer = rest.get(f"/api/v1/{slug}", params={"pnr": pnr})
    assert answer.status_code == 200, answer.text
    return answer.json()["records"]


def _born(updater, data: dict | None = None, date: str = "2014-10-20") -> str:
    receipt = updater.run("B23", None, date, data or BIRTH)
    assert receipt["where"] == "register"
    return receipt["persons"][0]


# --- B23 a PNR at birth ----------------------------------------------------------------------------------------

def test_a_birth_creates_the_child_and_gives_the_parents_a_child(updater, gctp, rest):
    receipt = updater.run("B23", None, "2014-10-20", BIRTH)
    child = receipt["persons"][0]
    assert set(receipt["persons"]) == {child, KARIN, LARS}
    info = parse(child)
    assert info.birth_date == dt.date(2014, 10, 20) and info.sex == "K"
    state = updater.state(child)
    p = state.person
    assert (p["status"], p["sex"], p["birth_date"], p["start_date"]) == ("01", "K", "2014-10-20", "2014-10-20")
    assert p["status_date"] == "2014-10-20T14:32" and p["birth_authority"] == "8321"
    assert p["birth_authority_text"] == "Klarup,Aalborg"
    assert (p["mother_pnr"], p["mother_name"], p["mother_birth_date"], p["mother_date"]) == (
        KARIN, "Karin Henriksen", "1961-12-07", "2014-10-20")
    assert (p["father_pnr"], p["father_name"], p["father_birth_date"]) == (LARS, "Lars Henriksen", "1961-07-07")
    home = state.current("address")
    assert (home["municipality"], home["road"], home["house_no"], home["floor"], home["door"]) == (
        "0851", "8512", "002", "st", "  th")
    assert home["valid_from"] == "2014-10-20T14:32"
    assert state.one("clear_address")["standard_address"] == "Industrivænget 2,st th"
    assert state.current("civil_status")["civil_status"] == "U"
    assert state.current("citizenship")["country"] == "5100"
    assert state.current("church")["church"] == "F"
    assert sorted(r["authority_type"] for r in state.all("parental_authority")) == ["0003", "0004"]
    for parent in (KARIN, LARS):
        assert child in [r["child_pnr"] for r in updater.state(parent).all("child")]
    assert updater.events_of(child) == [("B23", None)]
    assert updater.events_of(KARIN) == [("B23", "MO")]
    assert updater.events_of(LARS) == [("B23", "FA")]

    # the naming follows (A14, the secondary event)
    updater.run("A14", child, "2014-10-20", {"FORNVN": "Sofie", "EFTERNVN": "Henriksen"})
    stam = _fields(gctp.call("Stam+", {"PNR": child}))
    assert (stam["ADRNVN"], stam["STATUS"], stam["KOEN"], stam["FOEDDATO"]) == (
        "Sofie Henriksen", "01", "K", "20141020")
    assert (stam["KOMKOD"], stam["VEJKOD"], stam["STADR"]) == ("0851", "8512", "Industrivænget 2,st th")
    family = gctp.call("Familie+", {"PNR": child})
    row0 = _fields(family)
    assert (row0["CFMY_RELTYPA"], row0["CFMY_RELTYPB"]) == ("00003", "00004")
    relations = {f["fields"]["PNR_FOEDDATO"]["v"]: f["fields"]["FAMMRK"]["v"] for f in family["rows"][1:]}
    assert relations == {child: "Andet", KARIN: "Mor", LARS: "Far"}
    mothers = {r["relative_pnr"]: r["relation"] for r in _records(rest, "familie-plus", KARIN)[1:]}
    assert mothers[child] == "Barn" and mothers[LARS] == "Ægtefælle"
    [church] = _records(rest, "fkirk", child)
    assert church["church"] == "F" and church["valid_from"] == "2014-10-20"
    start = _records(rest, "start", child)[0]
    assert start["status"] == "01" and start["start_date"] == "2014-10-20"


def test_birth_rules(updater):
    assert updater.problems("B23", None, "2014-10-20", {}) == [REQUIRED, REQUIRED]
    assert updater.problems("B23", None, "2014-10-20", {**BIRTH, "KOEN": "X"}) == [UNKNOWN_CODE]
    for mother in (NOT_IN_REGISTER, LARS, LISE, HELLE):  # missing, a man, dead, emigrated
        assert updater.problems("B23", None, "2014-10-20", {**BIRTH, "MORPNR": mother}) == [RELATIVE], mother
    texts = updater.refusal_texts("B23", None, "2014-10-20", {**BIRTH, "MORPNR": HELLE})
    assert texts == ["Moren har ikke bopæl i Danmark"]
    for father in (NOT_IN_REGISTER, KIRSTEN):
        assert updater.problems("B23", None, "2014-10-20", {**BIRTH, "FARPNR": father}) == [RELATIVE], father
    assert updater.problems("B23", None, "2014-10-28", BIRTH) == [DATE_ORDER]
    assert updater.problems("B23", None, "2013-10-26", BIRTH) == [DATE_ORDER]
    assert updater.problems("B23", None, "2014-10-20", {**BIRTH, "FODT_KL": "25:00"}) == [INVALID]
    # without a father: parental authority with the mother only; a child of 0 is no mother
    girl = _born(updater, {"KOEN": "K", "MORPNR": KIRSTEN})
    assert [r["authority_type"] for r in updater.state(girl).all("parental_authority")] == ["0003"]
    assert updater.state(girl).person["father_pnr"] is None
    assert updater.events_of(KIRSTEN) == [("B23", "MO")]
    assert updater.refusal_texts("B23", None, "2014-10-21", {**BIRTH, "MORPNR": girl}) == [
        "Moren er ikke fyldt 12 år på fødselsdatoen"]
    updater.run("A14", girl, "2014-10-20", {"FORNVN": "Ida", "EFTERNVN": "Svanholm-Nielsen"})
    assert updater.problems("A14", girl, "2014-10-21", {"FORNVN": "Ida", "EFTERNVN": "Nielsen"}) == [PERSON_STATE]


# --- B24-B27 PNRs for persons abroad -----------------------------------------------------------------------------

def test_a_tax_pnr_creates_a_person_without_a_danish_address(updater, gctp, rest):
    receipt = updater.run("B24", None, "2014-10-27", ABROAD)
    [pnr] = receipt["persons"]
    assert pnr.startswith("150370") and parse(pnr).sex == "M"
    state = updater.state(pnr)
    assert (state.status, state.birth_date, state.person["start_date"]) == ("20", "1970-03-15", "2014-10-27")
    assert state.current("address") is None
    assert state.one("clear_address")["municipality"] == "0011"
    assert state.current("departure")["foreign_line2"] == "S-111 22 Stockholm"
    assert updater.events_of(pnr) == [("B24", None)]
    stam = _fields(gctp.call("Stam+", {"PNR": pnr}))
    assert (stam["ADRNVN"], stam["STATUS"], stam["KOMKOD"]) == ("John Smith", "20", "0011")
    assert (stam["UDLANDSADR1"], stam["UDRLANDEKOD"], stam["STADR"]) == ("Storgatan 1", "5120", None)
    [citizen] = _records(rest, "statsb", pnr)
    assert citizen["country"] == "5120" and citizen["country_name"] == "Sverige" and citizen["current"]
    [name] = _records(rest, "navne", pnr)
    assert name["addressing_name"] == "John Smith"

    seaman = updater.run("B24", None, "2014-10-27", {**ABROAD, "KOMKOD": "0010"})["persons"][0]
    assert updater.state(seaman).one("clear_address")["municipality"] == "0010"
    assert updater.problems("B24", None, "2014-10-27", {**ABROAD, "KOMKOD": "0012"}) == [UNKNOWN_CODE]
    assert updater.problems("B24", None, "2014-10-27", {**ABROAD, "FOEDDATO": "20141028"}) == [DATE_ORDER]
    assert updater.problems("B24", None, "2014-10-27", {"FORNVN": "John"}) == [REQUIRED] * 5
    assert updater.problems("B24", None, "2014-10-27", {**ABROAD, "LANDEKOD": "9999"}) == [UNKNOWN_CODE]


def test_atp_administrative_pnr_and_foreigner_number(updater):
    for code, municipality in (("B25", "0012"), ("B26", "0019"), ("B27", "0018")):
        [pnr] = updater.run(code, None, "2014-10-27", {**ABROAD, "KOEN": "K"})["persons"]
        state = updater.state(pnr)
        assert state.status == "20" and state.sex == "K", code
        assert state.one("clear_address")["municipality"] == municipality, code
        assert state.current("citizenship")["country"] == "5120"
        assert updater.events_of(pnr) == [(code, None)]
    assert updater.problems("B27", None, "2014-10-27", {**ABROAD, "LANDEKOD": "5100"}) == [INVALID]
    assert updater.problems("B25", None, "2014-10-27", {**ABROAD, "LANDEKOD": "5100"}) == []


# --- B10 reactivation ----------------------------------------------------------------------------------------------

def _annul(updater, pnr: str) -> None:
    with updater.gate.engine.begin() as conn:
        conn.execute(update(person).where(person.c.pnr == pnr).values(status="30", end_date="2014-01-01"))


def test_an_annulled_pnr_is_reactivated(updater, rest):
    assert updater.problems("B10", JENS, "2014-10-27") == [PERSON_STATE]
    _annul(updater, JENS)
    assert updater.problems("B10", JENS, "2014-10-28") == [DATE_ORDER]
    updater.run("B10", JENS, "2014-10-27")
    state = updater.state(JENS)
    assert (state.status, state.person["end_date"]) == ("01", None)
    assert state.person["status_date"].startswith("2014-10-27")
    assert updater.events_of(JENS) == [("B10", None)]
    start = _records(rest, "start", JENS)[0]
    assert start["status"] == "01" and start["end_date"] is None
    _annul(updater, HELLE)  # no Danish address, a current departure: emigrated again
    assert updater.problems("B10", HELLE, "2014-10-27", {"STATUS": "01"}) == [PERSON_STATE]
    assert updater.problems("B10", HELLE, "2014-10-27", {"STATUS": "30"}) == [UNKNOWN_CODE]
    updater.run("B10", HELLE, "2014-10-27")
    assert updater.state(HELLE).status == "80"


# --- P03 change of PNR -----------------------------------------------------------------------------------------------

def test_a_change_of_pnr_moves_the_person_and_every_relative_follows(updater, gctp, rest):
    child = _born(updater)
    street = updater.state(LARS).one("clear_address")["standard_address"]
    assert street
    receipt = updater.run("P03", LARS, "2014-10-27", {"FOEDDATO": "19610708", "KOEN": "M"})
    new = receipt["persons"][0]
    assert new.startswith("080761") and parse(new).sex == "M"
    old = updater.state(LARS)
    assert (old.status, old.person["current_pnr"], old.person["end_date"]) == ("60", new, "2014-10-27")
    assert old.current("address") is None and old.one("clear_address")["standard_address"] is None
    moved = updater.state(new)
    assert (moved.status, moved.birth_date, moved.sex, moved.person["start_date"]) == (
        "01", "1961-07-08", "M", "2014-10-27")
    assert (moved.mother, moved.father) == (LISBETH, ARNE)
    assert moved.current("name")["addressing_name"] == "Lars Henriksen"
    assert moved.current("address")["road"] == "8513"
    assert moved.one("clear_address")["standard_address"] == street
    civil = moved.current("civil_status")
    assert (civil["civil_status"], civil["spouse_pnr"]) == ("G", KARIN)
    assert [r["child_pnr"] for r in moved.all("child")] == [child]
    assert [(r["old_pnr"], r["valid_to"]) for r in moved.all("previous_pnr")] == [(LARS, "2014-10-27")]
    # the relatives point at the new PNR
    wife = updater.state(KARIN).current("civil_status")
    assert (wife["spouse_pnr"], wife["spouse_birth_date"]) == (new, "1961-07-08")
    assert (updater.state(child).father, updater.state(child).person["father_birth_date"]) == (new, "1961-07-08")
    for parent in (LISBETH, ARNE):
        kids = [r["child_pnr"] for r in updater.state(parent).all("child")]
        assert new in kids and LARS not in kids
    assert updater.events_of(new) == [("P03", None)]
    assert updater.events_of(LARS) == [("B23", "FA"), ("P03", "PT")]
    assert updater.events_of(KARIN) == [("B23", "MO"), ("P03", "PN")]
    assert updater.events_of(child) == [("B23", None), ("P03", "PN")]
    assert updater.events_of(LISBETH) == updater.events_of(ARNE) == [("P03", "PN")]

    [previous] = gctp.call("TIDLPNR", {"PNR": new})["rows"]
    assert previous["fields"]["TIDLPNR"]["v"] == LARS
    assert _fields(gctp.call("Stam+", {"PNR": LARS}))["PNRGAELD"] == new
    start = _records(rest, "start", LARS)[0]
    assert (start["status"], start["current_pnr"], start["end_date"]) == ("60", new, "2014-10-27")
    relations = {r["relative_pnr"]: r["relation"] for r in _records(rest, "familie-plus", KARIN)[1:]}
    assert relations[new] == "Ægtefælle" and LARS not in relations
    names = {r["relative_pnr"]: r["relation"] for r in _records(rest, "familie-plus", new)[1:]}
    assert names == {new: "Andet", KARIN: "Ægtefælle", child: "Barn", LISBETH: "Mor", ARNE: "Far"}


def test_a_change_of_pnr_reaches_wards_and_a_childs_second_home(updater, gctp):
    father, child, hilda = "0709614231", "2906980013", "0909610028"
    updater.run("A73", hilda, "2014-10-01", {"RELPNR": father})  # the father becomes Hilda's guardian
    updater.run("B03", child, "2014-06-01", {"DELTBOPPNR": father})  # and the child's second home is his
    receipt = updater.run("P03", father, "2014-10-27", {"FOEDDATO": "19610710", "KOEN": "M"})
    new = receipt["persons"][0] if receipt["persons"][0] != father else receipt["persons"][1]
    assert parse(new).birth_date == dt.date(1961, 7, 10)
    ward = [r for r in updater.state(hilda).all("guardianship") if not r["valid_to"]][0]
    assert ward["guardian_pnr"] == new
    assert updater.state(child).current("shared_residence")["other_pnr"] == new
    assert updater.events_of(hilda) == [("A73", None), ("P03", "PN")]
    assert updater.events_of(child)[-1] == ("P03", "PN")
    rows = gctp.call("VAERGE", {"PNR": new})["rows"]
    assert [(r["fields"]["PNR"]["v"], r["fields"]["ROLLE"]["v"]) for r in rows] == [(hilda, "V")]
    assert gctp.call("DELTBOP", {"PNR": child})["rows"][0]["fields"]["DELTBOPPNR"]["v"] == new


def test_a_change_to_a_given_pnr_and_the_rules(updater):
    given = generate(dt.date(1961, 7, 6), "M", 5)
    assert given and updater.state(given) is None
    updater.run("P03", JENS, "2014-10-27", {"NYTPNR": given})
    assert updater.state(JENS).person["current_pnr"] == given
    assert updater.state(JANNE).father == given
    assert updater.events_of(JANNE) == [("P03", "PN")]
    assert updater.events_of("0706614184") == []  # the ex-wife is married to another: nothing to change
    assert updater.problems("P03", JENS, "2014-10-27", {"FOEDDATO": "19610706", "KOEN": "M"}) == [PERSON_STATE]

    assert updater.problems("P03", LARS, "2014-10-27") == [REQUIRED]
    assert updater.problems("P03", LARS, "2014-10-27", {"FOEDDATO": "19610708"}) == [REQUIRED]
    assert updater.problems("P03", LARS, "2014-10-27", {"FOEDDATO": "19610707", "KOEN": "M"}) == [NO_CHANGE]
    assert updater.problems("P03", LARS, "2014-10-27", {"NYTPNR": KARIN}) == [RELATIVE]
    assert updater.problems("P03", LARS, "2014-10-27", {"NYTPNR": given}) == [RELATIVE]
    other = generate(dt.date(1961, 7, 8), "M", 7)
    assert updater.problems("P03", LARS, "2014-10-27", {"NYTPNR": other, "KOEN": "K"}) == [INVALID]
    assert updater.problems("P03", LARS, "2014-10-27", {"NYTPNR": "0707614286"}) == [INVALID]
    assert updater.problems("P03", LISE, "2014-10-27", {"FOEDDATO": "19410110", "KOEN": "K"}) == [PERSON_STATE]
    assert updater.problems("P03", None, "2014-10-27", {"FOEDDATO": "19410110", "KOEN": "K"}) == [REQUIRED]


# --- B02, B21, A34, B22, A33 on one person ------------------------------------------------------------------------

def test_addressing_name_citizenship_church_and_occupation(updater, gctp, rest):
    updater.run("B02", JENS, "2014-10-27", {"ADRNVN": "J. Mortensen"})
    state = updater.state(JENS)
    assert state.current("name")["addressing_name"] == "J. Mortensen"
    assert state.current("name")["first_name"] == "Jens" and len(state.all("name")) == 1
    assert state.one("clear_address")["addressing_name"] == "J. Mortensen"
    assert _records(rest, "navne", JENS)[0]["addressing_name"] == "J. Mortensen"
    assert updater.problems("B02", JENS, "2014-10-27", {"ADRNVN": "J. Mortensen"}) == [NO_CHANGE]
    assert updater.problems("B02", JENS, "2014-10-27", {"ADRNVN": "Peter Mortensen"}) == [INVALID]
    assert updater.problems("B02", JENS, "2014-10-27", {"ADRNVN": "Jens"}) == [INVALID]
    assert updater.problems("B02", JENS, "2014-10-27") == [REQUIRED]
    updater.run("A13", JENS, "2014-10-27", {"FORNVN": "Jens", "MELNVN": "Peter", "EFTERNVN": "Mortensen"})
    names = _records(rest, "navne", JENS)
    assert [(n["addressing_name"], n["current"]) for n in names] == [
        ("Jens Peter Mortensen", True), ("J. Mortensen", False)]
    assert updater.state(JENS).one("clear_address")["addressing_name"] == "Jens Peter Mortensen"
    assert updater.problems("A13", JENS, "2014-10-27", {"FORNVN": "Jens", "MELNVN": "Peter",
                                                        "EFTERNVN": "Mortensen"}) == [NO_CHANGE]

    updater.run("B21", JENS, "2014-10-27", {"LANDEKOD": "5120"})
    rows = gctp.call("STATSB", {"PNR": JENS})["rows"]
    assert [(r["fields"]["LANDEKOD"]["v"], r["fields"]["AKTUELMRK"].get("v")) for r in rows] == [
        ("5120", "X"), ("5100", None)]
    assert rows[0]["fields"]["LANDEKOD"]["t"] == "Sverige"
    assert rows[1]["fields"]["SLUTDATO"]["v"] == rows[0]["fields"]["STARTDATO"]["v"] == "201410271200"
    assert updater.problems("B21", JENS, "2014-10-27", {"LANDEKOD": "5120"}) == [NO_CHANGE]
    assert updater.problems("B21", JENS, "2014-10-27", {"LANDEKOD": "0851"}) == [UNKNOWN_CODE]
    assert updater.problems("B21", JENS, "1960-01-01", {"LANDEKOD": "5100"}) == [DATE_ORDER, DATE_ORDER]

    updater.run("A34", JENS, "2014-10-27", {"FKIRK": "U"})
    church = _records(rest, "fkirk", JENS)
    assert [(r["church"], r["current"], r["valid_to"]) for r in church][:2] == [
        ("U", True, None), ("F", False, "2014-10-27")]
    assert updater.problems("A34", JENS, "2014-10-27", {"FKIRK": "U"}) == [NO_CHANGE]
    assert updater.problems("A34", JENS, "2014-10-27", {"FKIRK": "M"}) == [UNKNOWN_CODE]

    updater.run("B22", JENS, "2014-10-27", {"STILLING": "Tømrer"})
    assert updater.state(JENS).person["occupation"] == "Tømrer"
    assert gctp.call("FOEDSEL", {"PNR": JENS})["fields"]["STILLING"]["v"] == "Tømrer"
    assert updater.problems("B22", JENS, "2014-10-27", {"STILLING": "Tømrer"}) == [NO_CHANGE]
    assert updater.problems("B22", JENS, "2014-10-27", {"STILLING": "x" * 35}) == [INVALID]
    updater.run("B22", JENS, "2014-10-27", {"STILLING": ""})
    assert updater.state(JENS).person["occupation"] is None
    assert updater.events_of(JENS) == [("B02", None), ("A13", None), ("B21", None), ("A34", None), ("B22", None), ("B22", None)]
    assert updater.problems("B22", LISE, "2014-10-27", {"STILLING": "Pensionist"}) == [PERSON_STATE]


def test_protection(updater, gctp, rest):
    updater.run("A33", JENS, "2014-10-27", {"BESKYTTYPE": "0003"})
    updater.run("A33", JENS, "2014-10-27", {"BESKYTTYPE": "0001", "SLETDTO": "20151027"})
    rows = updater.state(JENS).all("protection")
    assert [(r["protection_type"], r["valid_from"], r["valid_to"]) for r in rows] == [
        ("0003", "2014-10-27", None), ("0001", "2014-10-27", "2015-10-27")]
    beskyt = gctp.call("BESKYT", {"PNR": JENS})
    assert beskyt["kvit"]["v"] == "0"
    assert sorted(r["protection_type"] for r in _records(rest, "beskyt", JENS)) == ["0001", "0003"]
    assert _fields(gctp.call("Stam+", {"PNR": JENS}))["BESKYT"] == "X"
    assert updater.problems("A33", JENS, "2014-10-27", {"BESKYTTYPE": "0001"}) == [PERSON_STATE]
    assert updater.problems("A33", JENS, "2014-10-27", {"BESKYTTYPE": "0002", "SLETDTO": "20141027"}) == [
        DATE_ORDER]
    assert updater.problems("A33", JENS, "2014-10-27", {"BESKYTTYPE": "0009"}) == [UNKNOWN_CODE]
    assert updater.problems("A33", JENS, "2014-10-27") == [REQUIRED]
    assert updater.problems("A33", LISE, "2014-10-27", {"BESKYTTYPE": "0003"}) == [PERSON_STATE]
    assert updater.events_of(JENS) == [("A33", None), ("A33", None)]


def test_births_saved_at_the_same_moment_get_different_numbers(updater):
    import threading

    from sqlalchemy import select

    from opencpr.services import updates

    authority = updater.actor.authority
    keys = {"pnr": None, "event_date": "2014-10-20", "authority": authority}
    with updater.gate.engine.connect() as conn:  # six mothers: births to one mother would conflict on her
        mothers = conn.execute(select(person.c.pnr).where(person.c.sex == "K", person.c.status == "01",
                                                          person.c.birth_date.between("1955-01-01", "1996-12-31"))
                               .order_by(person.c.pnr).limit(6)).scalars().all()
    assert len(mothers) == 6
    sessions = []
    for mother in mothers:
        data = {"KOEN": "K", "MORPNR": mother, "FOEDMYN": "8321"}
        ts = updates.step(updater.gate, updater.actor, "B23", "initiate", **keys).info["session"]
        updates.step(updater.gate, updater.actor, "B23", "validate", ts=ts, data=data, **keys)
        sessions.append((ts, data))
    start = threading.Barrier(len(sessions))
    receipts: list = []
    failures: list = []

    def save(ts: str, data: dict) -> None:
        start.wait()
        try:
            receipts.append(updates.step(updater.gate, updater.actor, "B23", "save", ts=ts, data=data,
                                         **keys).info["receipt"])
        except Exception as exc:  # noqa: BLE001 - any failure is the test's finding
            failures.append(exc)

    threads = [threading.Thread(target=save, args=session) for session in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    children = [r["persons"][0] for r in receipts]
    assert len(set(children)) == 6 and all(parse(c).birth_date == dt.date(2014, 10, 20) for c in children)
