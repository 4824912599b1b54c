"""Family events through the gate: separation, divorce, annulment, widowhood, registered partnership,
adoption, paternity, parental authority and guardianship; the results read back through CIVST,
SEPARATION, Familie, Familie+ and VAERGE over GCTP and REST."""

from __future__ import annotations

from lxml import etree

from live import update_request
from opencpr.domain.events.base import DATE_ORDER, INVALID, NO_CHANGE, PERSON_STATE, RELATIVE, REQUIRED
from opencpr.formats.gctp import read_answer

CPR = {"cpr": "http://www.cpr.dk"}
AKSEL, GITTE = "0701614011", "0709614118"  # Aksel and Gitte Sander, married
LARS, KARIN = "0707614293", "0712614382"  # Lars and Karin Henriksen, married, separated since 2008-02-01
NOT_IN_CPR = "0709614517"  # a valid PNR (Tove Andreasen's spouse) of nobody in the register


def _current(updater, pnr: str, table: str):
    return updater.state(pnr).current(table)


def _gctp_update(gctp, code: str, pnr: str, day: str, data: dict[str, str]) -> dict:
    """initier → valider → gem over GCTP (System CprAjour) as the CPR office; the answer of the save."""
    keys = {"PNR": pnr, "HDTO": day}
    _, _, body = gctp.post(update_request(code, "initier", keys, mk="0003"))
    assert read_answer(body)["kvit"]["v"] == "0", body
    ts = etree.fromstring(body).xpath("//cpr:CprServiceHeader", namespaces=CPR)[0].get("ts")
    for action in ("valider", "gem"):
        _, _, body = gctp.post(update_request(code, action, keys, data, ts=ts, mk="0003"))
        assert read_answer(body)["kvit"]["v"] == "0", body
    return read_answer(body)


def _rest_update(rest, code: str, pnr: str, day: str, data: dict[str, str]):
    keys = {"pnr": pnr, "event_date": day}
    session = rest.post(f"/api/v1/events/{code}/initiate", json=keys).json()["session"]
    checked = rest.post(f"/api/v1/events/{code}/validate", json={**keys, "session": session, "data": data})
    if checked.status_code != 200:
        return checked
    return rest.post(f"/api/v1/events/{code}/save", json={**keys, "session": session, "data": data})


# --- separation and divorce --------------------------------------------------------------------------

def test_separation_then_divorce_show_in_civst_and_separation(updater, gctp, rest):
    _gctp_update(gctp, "B18", AKSEL, "20140110", {"AEGTEPNR": GITTE})
    for pnr in (AKSEL, GITTE):
        separation = _current(updater, pnr, "separation")
        assert separation["valid_from"] == "2014-01-10" and separation["separation_ref"] == "201401101200"
        assert _current(updater, pnr, "civil_status")["separation_ref"] == "201401101200"
        assert _current(updater, pnr, "civil_status")["civil_status"] == "G"
    assert updater.problems("B18", AKSEL, "2014-02-01", {"AEGTEPNR": GITTE}) == [PERSON_STATE, RELATIVE]

    saved = _rest_update(rest, "B20", GITTE, "20141020", {"AEGTEPNR": AKSEL})
    assert saved.status_code == 200, saved.text
    assert sorted(saved.json()["receipt"]["persons"]) == [AKSEL, GITTE]
    for pnr, other in ((AKSEL, GITTE), (GITTE, AKSEL)):
        civil = _current(updater, pnr, "civil_status")
        assert (civil["civil_status"], civil["spouse_pnr"]) == ("F", other)
        assert civil["valid_from"] == "2014-10-20T12:00"
        assert _current(updater, pnr, "separation") is None
    assert updater.events_of(AKSEL) == [("B18", None), ("B20", "ÆG")]
    assert updater.events_of(GITTE) == [("B18", "ÆG"), ("B20", None)]

    rows = gctp.call("CIVST", {"PNR": AKSEL})["rows"]
    assert [(r["fields"]["CIVST"]["v"], r["fields"]["AEGTEPNR"]["v"]) for r in rows[:2]] == [("F", GITTE),
                                                                                             ("G", GITTE)]
    assert rows[0]["fields"]["CIVST"]["t"] == "Fraskilt"
    [sep] = gctp.call("SEPARATION", {"PNR": GITTE})["rows"]
    assert {k: sep["fields"][k]["v"] for k in ("SEP_HENVIS", "AEGTEPNR", "STARTDATO", "SLUTDATO")} == {
        "SEP_HENVIS": "201401101200", "AEGTEPNR": AKSEL, "STARTDATO": "20140110", "SLUTDATO": "20141020"}
    answer = rest.get("/api/v1/separation", params={"pnr": AKSEL}).json()
    assert [(r["spouse_pnr"], r["valid_to"]) for r in answer["records"]] == [(GITTE, "2014-10-20")]
    civst = rest.get("/api/v1/civst", params={"pnr": GITTE}).json()["records"]
    assert civst[0]["civil_status"] == "F" and civst[0]["spouse_pnr"] == AKSEL
    family = rest.get("/api/v1/familie-plus", params={"pnr": AKSEL}).json()["records"]
    assert (GITTE, "Andet") in [(r.get("relative_pnr"), r.get("relation")) for r in family[1:]]

    refused = _rest_update(rest, "B20", GITTE, "20141021", {"AEGTEPNR": AKSEL})
    assert refused.status_code == 422 and refused.json()["problems"][0]["code"] == PERSON_STATE


def test_divorce_and_separation_rules(updater):
    def problems(code, pnr, day, spouse):
        return updater.problems(code, pnr, day, {"AEGTEPNR": spouse})

    assert problems("B20", AKSEL, "2014-10-20", KARIN) == [PERSON_STATE]  # not married to each other
    assert problems("B20", AKSEL, "2014-10-20", NOT_IN_CPR) == [RELATIVE]
    assert problems("B20", AKSEL, "2014-10-20", AKSEL) == [RELATIVE, RELATIVE]  # himself: not "another" person
    assert problems("B20", AKSEL, "2014-11-20", GITTE) == [DATE_ORDER]  # in the future
    assert problems("B20", LARS, "1980-01-01", KARIN) == [DATE_ORDER]  # before the marriage (1981-10-10)
    assert updater.problems("B20", AKSEL, "2014-10-20") == [REQUIRED]
    assert problems("B18", LARS, "2014-10-01", KARIN) == [PERSON_STATE, RELATIVE]  # already separated
    assert problems("B18", "0709614126", "2014-10-01", AKSEL) == [PERSON_STATE]  # Annette is unmarried


def test_separation_end_closes_both_separations(updater):
    assert updater.problems("B19", LARS, "2008-01-01", {"AEGTEPNR": KARIN}) == [DATE_ORDER]
    updater.run("B19", LARS, "2014-10-01", {"AEGTEPNR": KARIN})
    for pnr in (LARS, KARIN):
        state = updater.state(pnr)
        assert state.current("separation") is None
        [ended] = [r for r in state.all("separation") if r["separation_ref"] == "200808210839"]
        assert ended["valid_to"] == "2014-10-01" and ended["valid_from"] == "2008-02-01"
        assert state.current("civil_status")["civil_status"] == "G"
    assert updater.events_of(KARIN) == [("B19", "ÆG")]
    assert updater.problems("B19", LARS, "2014-10-02", {"AEGTEPNR": KARIN}) == [PERSON_STATE]


# --- annulment, widowhood --------------------------------------------------------------------------

def test_marriage_annulment_restores_the_civil_status_before(updater, gctp):
    anne, peter, jens = "0706614184", "0709614215", "0707614285"
    updater.run("B30", anne, "2014-10-01", {"AEGTEPNR": peter})
    restored = _current(updater, anne, "civil_status")  # divorced from Jens before marrying Peter
    assert (restored["civil_status"], restored["spouse_pnr"], restored["valid_to"]) == ("F", jens, None)
    assert [r["correction"] for r in updater.state(anne).all("civil_status") if r["spouse_pnr"] == peter] == ["A"]
    unmarried = _current(updater, peter, "civil_status")  # nothing registered before: unmarried
    assert unmarried["civil_status"] == "U" and unmarried["spouse_pnr"] is None
    assert updater.events_of(peter) == [("B30", "ÆG")]
    rows = gctp.call("CIVST", {"PNR": anne})["rows"]
    assert [r["fields"]["CIVST"]["v"] for r in rows] == ["F", "G"]  # the annulled marriage is set aside
    marked = gctp.call("CIVST", {"PNR": anne, "KORMRK": "X"})["rows"]
    assert "A" in [r["fields"].get("ANNKOR", {}).get("v") for r in marked]

    # a marriage entered here and annulled: both are unmarried again, from their own earlier rows
    a, b = "1307610015", "0708610038"
    updater.run("B29", a, "2014-10-25", {"AEGTEPNR": b})
    updater.run("B30", b, "2014-10-27", {"AEGTEPNR": a})
    for pnr in (a, b):
        assert _current(updater, pnr, "civil_status")["civil_status"] == "U"
    assert updater.problems("B30", a, "2014-10-27", {"AEGTEPNR": b}) == [PERSON_STATE]
    assert updater.problems("B30", LARS, "1970-01-01", {"AEGTEPNR": KARIN}) == [DATE_ORDER]


def test_widowhood_after_a_death_abroad(updater):
    tove = "0702614074"  # married to 0709614517, who is not in the register
    updater.run("B05", tove, "2014-09-30", {"AEGTENVN": "Ole Andreasen"})
    widow = _current(updater, tove, "civil_status")
    assert (widow["civil_status"], widow["spouse_pnr"], widow["spouse_name"]) == ("E", NOT_IN_CPR, "Ole Andreasen")
    assert widow["valid_from"] == "2014-09-30T12:00"
    assert updater.events_of(tove) == [("B05", None)]
    assert updater.problems("B05", tove, "2014-10-01") == [PERSON_STATE]  # no longer married

    bodil, harald = "0707614234", "0708614335"  # Harald has emigrated (status 80): allowed
    updater.run("B05", bodil, "2014-10-01", {"AEGTEPNR": harald})
    assert _current(updater, bodil, "civil_status")["spouse_name"] == "Harald Mikkelsen"
    assert updater.state(harald).current("civil_status")["civil_status"] == "G"  # the dead spouse is not changed

    assert updater.problems("B05", AKSEL, "2014-10-01") == [RELATIVE]  # Gitte lives here: a death event (A21)
    assert updater.problems("B05", AKSEL, "2014-10-01", {"AEGTEPNR": LARS}) == [RELATIVE, RELATIVE]
    assert updater.problems("B05", "0709614126", "2014-10-01") == [PERSON_STATE]
    assert updater.problems("B05", LARS, "1975-01-01") == [RELATIVE, DATE_ORDER]


# --- registered partnership -------------------------------------------------------------------------

def test_registered_partnership_entered_and_dissolved(updater):
    ove, ivar = "0709614401", "0709614495"
    updater.run("B15", ove, "2010-05-01", {"AEGTEPNR": ivar})
    for pnr, other in ((ove, ivar), (ivar, ove)):
        row = _current(updater, pnr, "civil_status")
        assert (row["civil_status"], row["spouse_pnr"], row["valid_from"][:10]) == ("P", other, "2010-05-01")
    assert updater.problems("B20", ove, "2014-10-01", {"AEGTEPNR": ivar}) == [PERSON_STATE]  # not married
    updater.run("B17", ivar, "2014-10-01", {"AEGTEPNR": ove})
    assert _current(updater, ove, "civil_status")["civil_status"] == "O"
    assert updater.events_of(ove) == [("B15", None), ("B17", "PA")]
    assert updater.events_of(ivar) == [("B15", "PA"), ("B17", None)]

    karina, lisbeth, henrik = "0709614304", "0709614428", "0709614169"
    assert updater.problems("B15", karina, "2013-01-01", {"AEGTEPNR": lisbeth}) == [DATE_ORDER]  # after 2012
    assert updater.problems("B15", karina, "1988-01-01", {"AEGTEPNR": lisbeth}) == [DATE_ORDER]  # before 1989
    assert updater.problems("B15", karina, "2010-01-01", {"AEGTEPNR": henrik}) == [RELATIVE]  # not the same sex
    assert updater.problems("B15", AKSEL, "2010-01-01", {"AEGTEPNR": henrik}) == [PERSON_STATE]  # married


def test_partnership_annulment(updater, rest):
    arne, asger = "0709614037", "0709614045"
    updater.run("B16", arne, "2014-10-01", {"AEGTEPNR": asger})
    assert _current(updater, arne, "civil_status")["civil_status"] == "U"
    before = _current(updater, asger, "civil_status")  # divorced from 0703614108 before the partnership
    assert (before["civil_status"], before["spouse_pnr"]) == ("F", "0703614108")
    assert updater.events_of(asger) == [("B16", "PA")]
    civst = rest.get("/api/v1/civst", params={"pnr": asger}).json()["records"]
    assert [r["civil_status"] for r in civst] == ["F"]
    assert updater.problems("B16", AKSEL, "2014-10-01", {"AEGTEPNR": GITTE}) == [PERSON_STATE]  # married, not P


# --- adoption, paternity, parental authority -------------------------------------------------------

def test_adoption_by_a_stepmother_and_by_a_couple(updater, gctp, rest):
    ulrik, bettina = "2906980013", "0709614096"  # Ulrik's father Jørgen is married to Bettina
    updater.run("B01", ulrik, "2014-10-01", {"PNRMOR": bettina})
    state = updater.state(ulrik)
    assert state.mother == bettina and state.father == "0709614231"
    assert state.person["mother_name"] == "Bettina Folmersen" and state.person["mother_date"] == "2014-10-01"
    authority = {(r["authority_type"], r["valid_from"], r["valid_to"]) for r in state.all("parental_authority")}
    assert authority == {("0003", "2008-01-01", "2014-10-01"), ("0004", "2008-01-01", None),
                         ("0003", "2014-10-01", None)}
    assert [r["child_pnr"] for r in updater.state(bettina).all("child")] == [ulrik]
    assert updater.events_of(bettina) == [("B01", "MO")] and updater.events_of(ulrik) == [("B01", None)]
    row0 = gctp.call("Familie", {"PNR": ulrik})["rows"][0]["fields"]
    assert row0["MOR_PNR"]["v"] == bettina and row0["MORNVN"]["v"] == "Bettina Folmersen"
    assert {row0["CFMY_RELTYPA"]["v"], row0["CFMY_RELTYPB"]["v"]} == {"00003", "00004"}
    relatives = rest.get("/api/v1/familie-plus", params={"pnr": bettina}).json()["records"][1:]
    assert (ulrik, "Barn") in [(r["relative_pnr"], r["relation"]) for r in relatives]

    child = "0101005038"  # Annette Ingdahl's and Klaus Henriksen's daughter, adopted by Gitte and Aksel
    updater.run("B01", child, "2014-10-20", {"PNRMOR": GITTE, "PNRFAR": AKSEL})
    state = updater.state(child)
    assert (state.mother, state.father) == (GITTE, AKSEL)
    assert sorted(r["authority_type"] for r in state.all("parental_authority")) == ["0003", "0004"]
    assert updater.events_of(AKSEL) == [("B01", "FA")] and updater.events_of(GITTE) == [("B01", "MO")]
    relatives = gctp.call("Familie+", {"PNR": child})["rows"][1:]
    found = {r["fields"]["PNR_FOEDDATO"]["v"]: r["fields"]["FAMMRK"]["v"] for r in relatives}
    assert found[GITTE] == "Mor" and found[AKSEL] == "Far" and "0709614126" not in found

    assert updater.problems("B01", child, "2014-10-27", {"PNRMOR": GITTE}) == [NO_CHANGE]
    assert updater.problems("B01", child, "2014-10-27") == [REQUIRED]
    assert updater.problems("B01", child, "2014-10-27", {"PNRMOR": LARS}) == [RELATIVE]  # a man as mother
    assert updater.problems("B01", child, "2014-10-27", {"PNRFAR": "3006980014"}) == [RELATIVE]  # 16
    assert updater.problems("B01", child, "1999-01-01", {"PNRFAR": LARS}) == [DATE_ORDER]
    assert updater.problems("B01", "0101980014", "2014-10-27", {"PNRFAR": LARS}) == [PERSON_STATE]  # dead


def test_paternity_with_joint_parental_authority(updater, rest):
    helmer, ove = "2802980011", "0709614401"  # Helmer has no registered father
    updater.run("B07", helmer, "2014-10-01", {"PNRFAR": ove, "FAELLESMYN": "X"})
    state = updater.state(helmer)
    assert state.father == ove and state.person["father_name"] == "Ove Brammer"
    assert state.person["father_date"] == "2014-10-01" and state.person["father_birth_date"] == "1961-09-07"
    assert sorted((r["authority_type"], r["valid_from"]) for r in state.all("parental_authority")) == [
        ("0003", "2014-10-01"), ("0004", "2014-10-01")]
    assert [r["child_pnr"] for r in updater.state(ove).all("child")] == [helmer]
    assert updater.events_of(ove) == [("B07", "FA")]
    family = rest.get("/api/v1/familie", params={"pnr": helmer}).json()["records"]
    assert family[0]["father_pnr"] == ove and family[0]["father_name"] == "Ove Brammer"
    assert (ove, "Far") in [(r["relative_pnr"], r["relation"]) for r in family[1:]]

    assert updater.problems("B07", helmer, "2014-10-02", {"PNRFAR": LARS}) == [PERSON_STATE]  # has a father
    assert updater.problems("B07", "0909970016", "2014-10-02", {"PNRFAR": LARS}) == [PERSON_STATE]
    assert updater.problems("B07", "3006980014", "2014-10-02", {"PNRFAR": KARIN}) == [PERSON_STATE, RELATIVE]


def test_paternity_rules_for_a_child_without_father(updater):
    # an unmarried mother's child: no joint authority unless agreed
    helmer = "2802980011"
    assert updater.problems("B07", helmer, "2014-10-02", {"PNRFAR": KARIN}) == [RELATIVE]  # a woman
    assert updater.problems("B07", helmer, "2014-10-02", {"PNRFAR": NOT_IN_CPR}) == [RELATIVE]
    assert updater.problems("B07", helmer, "1990-01-01", {"PNRFAR": LARS}) == [DATE_ORDER]
    assert updater.problems("B07", helmer, "2014-10-02", {"PNRFAR": "3112970079"}) == [RELATIVE]  # 16
    updater.run("B07", helmer, "2014-10-02", {"PNRFAR": LARS})
    assert updater.state(helmer).all("parental_authority") == ()


def test_parental_authority_changes(updater, gctp):
    uffe, mother, father = "3112970079", "1303814074", "0712614455"  # Uffe: 0003 (mother) since 2008
    updater.run("B09", uffe, "2014-10-01", {"RELTYP1": "0003", "RELTYP2": "0004"})
    rows = updater.state(uffe).all("parental_authority")
    assert [(r["authority_type"], r["valid_from"], r["valid_to"]) for r in rows] == [
        ("0003", "2008-01-01", None), ("0004", "2014-10-01", None)]
    assert updater.events_of(father) == [("B09", "FA")] and updater.events_of(mother) == []
    assert updater.problems("B09", uffe, "2014-10-02", {"RELTYP1": "0004", "RELTYP2": "0003"}) == [NO_CHANGE]

    karina = "0709614304"
    updater.run("B09", uffe, "2014-10-20", {"RELTYP1": "0005", "RELPNR1": karina})
    rows = updater.state(uffe).all("parental_authority")
    assert [(r["authority_type"], r["valid_to"], r["holder_pnr"]) for r in rows] == [
        ("0003", "2014-10-20", None), ("0004", "2014-10-20", None), ("0005", None, karina)]
    assert updater.events_of(mother) == [("B09", "MO")]
    row0 = gctp.call("Familie+", {"PNR": uffe})["rows"][0]["fields"]
    assert row0["FORAELDREMYNMRK"]["v"] == "X"
    assert row0["CFMY_RELTYPA"]["v"] == "00005" and row0["FORAELDRE_MYN_PNRA"]["v"] == karina
    assert "CFMY_RELTYPB" not in row0 or not row0["CFMY_RELTYPB"].get("v")

    assert updater.problems("B09", "0707614285", "2014-10-20", {"RELTYP1": "0004"}) == [PERSON_STATE,
                                                                                         RELATIVE]  # adult
    assert updater.problems("B09", uffe, "2014-10-21", {"RELTYP1": "0005"}) == [INVALID]
    assert updater.problems("B09", uffe, "2014-10-21", {"RELTYP1": "0004", "RELPNR1": karina}) == [INVALID]
    assert updater.problems("B09", uffe, "2014-10-21", {"RELTYP1": "0006", "RELPNR1": NOT_IN_CPR}) == [RELATIVE]
    assert updater.problems("B09", uffe, "2014-10-21", {"RELTYP1": "0003", "RELTYP2": "0003"}) == [INVALID]
    assert updater.problems("B09", uffe, "2014-10-21", {"RELTYP1": "0009"}) == [4003]
    assert updater.problems("B09", "2802980011", "2014-10-21", {"RELTYP1": "0004"}) == [RELATIVE]  # no father
    assert updater.problems("B09", uffe, "2014-11-21", {"RELTYP1": "0003"}) == [DATE_ORDER]


# --- guardianship -----------------------------------------------------------------------------------

def test_guardianship_placed_changed_and_ended(updater, gctp, rest):
    hilda, lisbeth = "0909610028", "0709614428"  # Hilda's earlier guardianship ended in 2009
    updater.run("A73", hilda, "2014-10-01", {"RELPNR": lisbeth})
    row = [r for r in updater.state(hilda).all("guardianship") if not r["valid_to"]][0]
    assert (row["valid_from"], row["relation_type"], row["guardian_pnr"]) == ("2014-10-01", "0001", lisbeth)
    assert updater.events_of(lisbeth) == [("A73", "VÆ")]
    rows = gctp.call("VAERGE", {"PNR": lisbeth})["rows"]
    assert [(r["fields"]["PNR"]["v"], r["fields"]["ROLLE"]["v"]) for r in rows] == [(hilda, "V")]
    assert rows[0]["fields"]["AKTUELMRK"]["v"] == "X"

    updater.run("B28", hilda, "2014-10-20", {"RELADRSAT": "Advokat Jens Holm", "RELTXT1": "Bredgade 1",
                                              "RELTXT2": "1260 København K"})
    answer = rest.get("/api/v1/vaerge", params={"pnr": hilda}).json()["records"]
    current = [r for r in answer if r["in_force"]][0]
    assert current["relation_type"] == "0002" and current["guardian_name"] == "Advokat Jens Holm"
    assert current["guardian_line1"] == "Bredgade 1" and current["valid_from"] == "2014-10-01"
    assert current["guardian_text_start"] == "2014-10-20" and current["guardian_pnr"] is None
    assert updater.events_of(lisbeth) == [("A73", "VÆ"), ("B28", "VÆ")]  # the former guardian
    assert rest.get("/api/v1/vaerge", params={"pnr": lisbeth}).json()["records"] == []
    assert updater.problems("B28", hilda, "2014-10-21", {"RELADRSAT": "Advokat Jens Holm",
                                                          "RELTXT1": "Bredgade 1",
                                                          "RELTXT2": "1260 København K"}) == [NO_CHANGE]

    updater.run("B32", hilda, "2014-10-27")
    assert all(r["valid_to"] for r in updater.state(hilda).all("guardianship"))
    assert not any(r["fields"]["AKTUELMRK"].get("v") for r in gctp.call("VAERGE", {"PNR": hilda})["rows"])
    assert updater.events_of(hilda) == [("A73", None), ("B28", None), ("B32", None)]
    assert updater.problems("B32", hilda, "2014-10-27") == [PERSON_STATE]
    assert updater.problems("B28", hilda, "2014-10-27", {"RELPNR": lisbeth}) == [PERSON_STATE]


def test_guardianship_rules(updater):
    annette, gunnar, karina = "0709614126", "0904414131", "0709614304"  # Annette's guardian is Gunnar
    assert updater.problems("A73", annette, "2014-10-01", {"RELPNR": karina}) == [PERSON_STATE]
    assert updater.problems("A73", "2802980011", "2014-10-01", {"RELPNR": karina}) == [PERSON_STATE]  # minor
    assert updater.problems("A73", LARS, "2014-10-01") == [REQUIRED]
    assert updater.problems("A73", LARS, "2014-10-01", {"RELPNR": karina, "RELADRSAT": "X"}) == [INVALID,
                                                                                                   REQUIRED]
    assert updater.problems("A73", LARS, "2014-10-01", {"RELADRSAT": "Advokat Holm"}) == [REQUIRED]
    assert updater.problems("A73", LARS, "2014-10-01", {"RELPNR": karina, "RELTXT1": "Bredgade 1"}) == [INVALID]
    assert updater.problems("A73", LARS, "2014-10-01", {"RELPNR": NOT_IN_CPR}) == [RELATIVE]
    assert updater.problems("A73", LARS, "2014-10-01", {"RELPNR": "3112970079"}) == [RELATIVE]  # a minor
    assert updater.problems("A73", LARS, "2014-11-01", {"RELPNR": karina}) == [DATE_ORDER]
    assert updater.problems("B28", annette, "2014-10-01", {"RELPNR": gunnar}) == [NO_CHANGE]
    assert updater.problems("B28", annette, "1999-01-01", {"RELPNR": karina}) == [PERSON_STATE]  # not yet
    updater.run("B28", annette, "2014-10-01", {"RELPNR": karina})
    row = updater.state(annette).all("guardianship")[-1]
    assert (row["guardian_pnr"], row["guardian_pnr_start"], row["valid_from"]) == (karina, "2014-10-01",
                                                                                  "2000-02-28")
    assert updater.events_of(karina) == [("B28", "VÆ")] and updater.events_of(gunnar) == [("B28", "VÆ")]
