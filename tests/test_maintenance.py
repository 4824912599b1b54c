"""Data maintenance: correct (K), undo (A) and report earlier data, read back through the searches."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from live import Gctp, update_request
from opencpr.domain.events import events
from opencpr.domain.events.base import DATE_ORDER, INVALID, NO_CHANGE, PERSON_STATE, REQUIRED, UNKNOWN_CODE
from opencpr.formats.gctp import read_answer
from opencpr.register.schema import event as event_table
from opencpr.services.errors import NoAccess

JENS = "0707614285"  # Jens Mortensen, Industrivænget 95,1 mf, 0851 Aalborg
ARNE, LISBETH = "0901414025", "0912414426"  # married to each other since 1961-03-13
KATE = "0708614866"  # Kate Nivarson, previous names Viggo …, citizenship 5120 then 5100
DAY = "2014-10-27"


def rows(answer: dict) -> list[dict[str, dict]]:
    assert answer["kvit"]["v"] == "0", answer["kvit"]
    return [r["fields"] for r in answer["rows"]]


def flat(answer: dict) -> dict[str, dict]:
    assert answer["kvit"]["v"] == "0", answer["kvit"]
    return answer["fields"]


def v(row: dict, name: str) -> str | None:
    return row.get(name, {}).get("v")


def by_start(state, table: str) -> list[tuple]:
    return sorted(((r["valid_from"], r["valid_to"], bool(r["current"]), r["correction"]) for r in state.all(table)),
                  key=lambda t: (t[0] or "", t[3] or ""))


def summary_of(updater, pnr: str) -> list[str]:
    with updater.gate.engine.connect() as conn:
        found = conn.execute(select(event_table.c.detail).where(event_table.c.pnr == pnr, event_table.c.source ==
                                                                 "update").order_by(event_table.c.id)).scalars()
        return [json.loads(d)["summary"] for d in found]


def test_every_maintenance_kind_is_declared_once_with_its_grant():
    maintenance = {e.maintenance: e.code for e in events().values() if e.maintenance}
    for kind in ("address", "civil_status", "shared_residence", "church", "disappearance", "name", "citizenship",
                 "separation", "departure"):
        assert {(kind, a) for a in ("correct", "undo", "earlier")} <= set(maintenance)
    assert maintenance[("address", "correct")] == "A09" and maintenance[("address", "undo")] == "A10"
    assert maintenance[("name", "correct")] == "A16" and maintenance[("name", "undo")] == "A17"
    assert maintenance[("civil_status", "undo")] == "A25" and maintenance[("church", "undo")] == "P56"
    assert maintenance[("separation", "correct")] == "P48" and maintenance[("separation", "undo")] == "P49"
    assert maintenance[("address", "earlier")] == "T01" and maintenance[("citizenship", "undo")] == "F13"
    a09 = events()["A09"]
    assert [f.name for f in a09.fields][:4] == ["STARTDATO", "KOMKOD", "VEJKOD", "HUSNR"]
    assert events()["T01"].describe()["maintenance"] == "address:earlier"
    assert events()["T02"].field_named("CIVST").required


def test_address_correct_undo_and_earlier(updater, gctp):
    # correct the current address: the old row is marked K, the corrected copy is current from the same time
    updater.run("A09", JENS, DAY, {"HUSNR": "97", "ETAGE": "2"})
    state = updater.state(JENS)
    current = state.current("address")
    assert (current["house_no"], current["floor"], current["door"], current["co_name"]) == (
        "097", "02", "  mf", "c/o Christiansen")
    assert current["valid_from"] == "1997-09-09T08:28" and current["authority"] == "0003"
    assert state.one("clear_address")["standard_address"] == "Industrivænget 97,2 mf"
    shown = rows(gctp.call("ADRESSE1", {"PNR": JENS}))
    assert [(v(r, "HUSNR"), v(r, "AKTMRK")) for r in shown] == [("097", "X"), ("101", None), ("034", None)]
    everything = rows(gctp.call("ADRESSE1", {"PNR": JENS, "KORMRK": "X"}))
    assert ("095", "K") in [(v(r, "HUSNR"), v(r, "ANNKOR")) for r in everything]
    assert "house_no: 095 → 097" in summary_of(updater, JENS)[0]

    # correct a previous address, picked by its start
    updater.run("A09", JENS, DAY, {"STARTDATO": "198010102000", "HUSNR": "35"})
    shown = rows(gctp.call("ADRESSE1", {"PNR": JENS}))
    assert [(v(r, "HUSNR"), v(r, "STARTDATO"), v(r, "SLUTDATO")) for r in shown][1] == (
        "035", "198010102000", "199709090828")

    # undo the current address: marked A, the previous address is current again
    updater.run("A10", JENS, DAY)
    shown = rows(gctp.call("ADRESSE1", {"PNR": JENS}))
    assert [(v(r, "HUSNR"), v(r, "AKTMRK"), v(r, "SLUTDATO")) for r in shown][0] == ("035", "X", None)
    everything = rows(gctp.call("ADRESSE1", {"PNR": JENS, "KORMRK": "X"}))
    assert sorted((v(r, "HUSNR"), v(r, "ANNKOR")) for r in everything if v(r, "ANNKOR")) == [
        ("006", "A"), ("095", "K"), ("097", "A"), ("101", "K")]
    assert updater.events_of(JENS) == [("A09", None), ("A09", None), ("A10", None)]

    # an earlier address that arrived late
    updater.run("T01", ARNE, DAY, {"KOMKOD": "0851", "VEJKOD": "8513", "HUSNR": "12", "STARTDATO": "19410109",
                                   "SLUTDATO": "196005052000"})
    shown = rows(gctp.call("ADRESSE1", {"PNR": ARNE}))
    assert [(v(r, "VEJKOD"), v(r, "STARTDATO"), v(r, "SLUTDATO")) for r in shown] == [
        ("1188", "199712311140", None), ("5732", "196005052000", "199712311140"),
        ("8513", "194101090000", "196005052000")]
    assert shown[2]["VEJKOD"]["t"] == "Svinget" and v(shown[2], "AKTMRK") is None


def test_address_rules(updater):
    assert updater.problems("A09", JENS, DAY, {"HUSNR": "95"}) == [NO_CHANGE]
    assert updater.problems("A09", JENS, DAY, {"HUSNR": "999"}) == [INVALID]
    assert updater.problems("A09", JENS, DAY, {"VEJKOD": "7777"}) == [UNKNOWN_CODE]
    assert updater.problems("A09", JENS, DAY, {"STARTDATO": "20000101", "HUSNR": "9"}) == [PERSON_STATE]
    assert updater.problems("A09", JENS, DAY, {"STARTDATO": "1961-07-07T12:00", "HUSNR": "9"}) == [PERSON_STATE]
    assert updater.problems("A09", JENS, DAY, {"STARTDATO": "7.7.61", "HUSNR": "9"}) == [INVALID]
    assert updater.problems("A09", JENS, DAY, {"NYSLUTDATO": "20000101"}) == [INVALID]  # current has no end
    assert updater.problems("A09", JENS, DAY, {"STARTDATO": "19801010", "NYSTARTDATO": "19700101"}) == [
        DATE_ORDER]  # would overlap the address before
    assert updater.problems("A09", JENS, "2015-01-01", {"HUSNR": "9"}) == [DATE_ORDER]
    texts = updater.refusal_texts("A09", JENS, DAY, {"STARTDATO": "20000101", "HUSNR": "9"})
    assert texts == ["STARTDATO svarer ikke til nogen adresse hos personen (se ADRESSE1)"]
    assert updater.problems("A10", "0101520013", DAY) == [PERSON_STATE]  # has no current address
    assert updater.problems("A10", ARNE, DAY, {"STARTDATO": "19600505"}) == []
    early = {"KOMKOD": "0851", "VEJKOD": "8513", "HUSNR": "12"}
    assert updater.problems("T01", ARNE, DAY, {"KOMKOD": "0851"}) == [REQUIRED] * 4
    assert updater.problems("T01", ARNE, DAY, {**early, "STARTDATO": "19500101", "SLUTDATO": "19610101"}) == [
        DATE_ORDER]  # overlaps 1960-1997
    assert updater.problems("T01", ARNE, DAY, {**early, "STARTDATO": "19500101", "SLUTDATO": "20000101"}) == [
        DATE_ORDER, DATE_ORDER]  # ends after the current address begins, and overlaps
    assert updater.problems("T01", ARNE, DAY, {**early, "STARTDATO": "19550101", "SLUTDATO": "19500101"}) == [
        DATE_ORDER]
    assert updater.problems("T01", ARNE, DAY, {**early, "STARTDATO": "19300101", "SLUTDATO": "19400101"}) == [
        DATE_ORDER]  # before the birth
    assert updater.problems("T01", ARNE, DAY, {**early, "HUSNR": "999", "STARTDATO": "19410109",
                                               "SLUTDATO": "19500101"}) == [INVALID]


def test_civil_status_undo_on_both_spouses_and_earlier(updater, gctp):
    # the marriage gets a previous civil status first, then is undone on both
    updater.run("T02", ARNE, DAY, {"CIVST": "U", "STARTDATO": "19410109", "SLUTDATO": "196103132000"})
    receipt = updater.run("A25", ARNE, DAY)
    assert set(receipt["persons"]) == {ARNE, LISBETH}
    arne = rows(gctp.call("CIVST", {"PNR": ARNE}))
    assert [(v(r, "CIVST"), v(r, "STARTDATO"), v(r, "SLUTDATO")) for r in arne] == [("U", "194101090000", None)]
    marked = rows(gctp.call("CIVST", {"PNR": ARNE, "KORMRK": "X"}))
    assert [(v(r, "CIVST"), v(r, "ANNKOR")) for r in marked] == [("U", None), ("G", "A")]
    assert rows(gctp.call("CIVST", {"PNR": LISBETH})) == []
    assert [(v(r, "CIVST"), v(r, "ANNKOR"), v(r, "AEGTEPNR")) for r in
            rows(gctp.call("CIVST", {"PNR": LISBETH, "KORMRK": "X"}))] == [("G", "A", ARNE)]
    assert updater.events_of(ARNE) == [("T02", None), ("A25", None)]
    assert updater.events_of(LISBETH) == [("A25", "ÆG")]

    # correct a previous civil status (the start of Jens's marriage)
    updater.run("R02", JENS, DAY, {"STARTDATO": "198001151200", "NYSTARTDATO": "198001161200"})
    jens = rows(gctp.call("CIVST", {"PNR": JENS, "KORMRK": "X"}))
    assert [(v(r, "CIVST"), v(r, "STARTDATO"), v(r, "ANNKOR")) for r in jens] == [
        ("F", "198010012000", None), ("G", "199802280834", "A"), ("G", "198001161200", None),
        ("G", "198001151200", "K")]
    assert updater.events_of("0706614184") == []  # a correction does not change the spouse


def test_civil_status_rules(updater):
    assert updater.problems("A25", JENS, DAY, {"STARTDATO": "199802280834"}) == [PERSON_STATE]  # already undone
    assert updater.problems("R02", JENS, DAY, {"CIVST": "F"}) == [NO_CHANGE]
    assert updater.problems("R02", JENS, DAY, {"CIVST": "X"}) == [UNKNOWN_CODE]
    assert updater.problems("R02", JENS, DAY, {"AEGTEPNR": "0101010101"}) == [INVALID]  # not a CPR number
    assert updater.problems("R02", JENS, DAY, {"AEGTEPNR": "0101709995"}) == [PERSON_STATE]  # not in the register
    assert updater.problems("T02", ARNE, DAY, {"CIVST": "U", "STARTDATO": "19410109",
                                               "SLUTDATO": "19700101"}) == [DATE_ORDER, DATE_ORDER]
    assert updater.problems("T02", ARNE, DAY, {"STARTDATO": "19410109", "SLUTDATO": "19500101"}) == [REQUIRED]


def test_church_name_and_citizenship(updater, gctp):
    # church: correct the current relation's start, report the relation before it, undo the current one
    updater.run("R04", JENS, DAY, {"NYSTARTDATO": "19900101"})
    updater.run("T04", JENS, DAY, {"FKIRK": "U", "STARTDATO": "19610707", "SLUTDATO": "19900101"})
    church = rows(gctp.call("FKIRK", {"PNR": JENS}))
    assert [(v(r, "FKIRK"), v(r, "STARTDATO"), v(r, "SLUTDATO")) for r in church] == [
        ("F", "19900101", None), ("U", "19610707", "19900101")]
    updater.run("P56", JENS, DAY)
    church = rows(gctp.call("FKIRK", {"PNR": JENS}))
    assert [(v(r, "FKIRK"), v(r, "STARTDATO"), v(r, "SLUTDATO")) for r in church] == [("U", "19610707", None)]
    assert church[0]["FKIRK"]["t"] == "Ikke medlem af folkekirken"
    assert by_start(updater.state(JENS), "church")[1:] == [("1961-07-07", None, False, "K"),
                                                          ("1990-01-01", None, False, "A")]
    assert updater.problems("T04", JENS, DAY, {"FKIRK": "F", "STARTDATO": "19700101", "SLUTDATO": "19800101"}) == [
        DATE_ORDER, DATE_ORDER]  # ends after the (now current) relation from 1961 begins, and overlaps it
    assert updater.problems("R04", JENS, DAY, {"FKIRK": "U"}) == [NO_CHANGE]

    # names: correct the current name, undo it (the previous name comes back), report an earlier one
    updater.run("A16", KATE, DAY, {"FORNVN": "Kathe"})
    assert updater.state(KATE).one("clear_address")["addressing_name"] == "Kathe Nivarson"
    names = rows(gctp.call("NAVNE", {"PNR": KATE}))
    assert (v(names[0], "CNVN_FORNVN"), v(names[0], "CNVN_ADRNVN"), v(names[0], "AKTUELMRK")) == (
        "Kathe", "Kathe Nivarson", "X")
    updater.run("A17", KATE, DAY)
    names = rows(gctp.call("NAVNE", {"PNR": KATE}))
    assert (v(names[0], "CNVN_FORNVN"), v(names[0], "CNVN_EFTERNVN"), v(names[0], "AKTUELMRK")) == (
        "Viggo", "Hermandsen Ivarson", "X")
    assert {("Kathe", "A"), ("Kate", "K")} <= {(v(r, "CNVN_FORNVN"), v(r, "ANNKOR")) for r in names}
    updater.run("T08", JENS, DAY, {"FORNVN": "Drengebarn", "EFTERNVN": "Mortensen", "STARTDATO": "19610707",
                                   "SLUTDATO": "196107072000"})
    names = rows(gctp.call("NAVNE", {"PNR": JENS}))
    assert [(v(r, "CNVN_ADRNVN"), v(r, "CNVN_STARTDATO"), v(r, "CNVN_SLUTDATO")) for r in names] == [
        ("Jens Mortensen", "196107072000", None), ("Drengebarn Mortensen", "196107070000", "196107072000")]
    assert updater.problems("A16", JENS, DAY, {"FORNVN": "Jens"}) == [NO_CHANGE]
    assert updater.problems("A17", KATE, DAY, {"STARTDATO": "19920112"}) == [INVALID]  # two names begin that day
    assert updater.problems("A17", KATE, DAY, {"STARTDATO": "199201121856"}) == [PERSON_STATE]  # all set aside

    # citizenship: correct by a stored start (even an odd one), undo the current, report an earlier one
    updater.run("R13", JENS, DAY, {"STARTDATO": "199103201299", "LANDEKOD": "5120"})
    updater.run("F13", KATE, DAY)
    kate = rows(gctp.call("STATSB", {"PNR": KATE}))
    assert [(v(r, "LANDEKOD"), v(r, "AKTUELMRK"), v(r, "SLUTDATO"), v(r, "ANNKOR")) for r in kate] == [
        ("5120", "X", None, None), ("5100", None, None, "A")]
    assert kate[0]["LANDEKOD"]["t"] == "Sverige"
    updater.run("T13", JENS, DAY, {"LANDEKOD": "5100", "STARTDATO": "19610707", "SLUTDATO": "199103201200"})
    jens = rows(gctp.call("STATSB", {"PNR": JENS}))
    assert [(v(r, "LANDEKOD"), v(r, "ANNKOR")) for r in jens] == [("5120", None), ("5100", "K"), ("5100", None)]
    assert updater.problems("T13", JENS, DAY, {"LANDEKOD": "9999", "STARTDATO": "19610707",
                                               "SLUTDATO": "19700101"}) == [UNKNOWN_CODE]


def test_separation_departure_disappearance_and_shared_residence(updater, gctp):
    sep = "0707614293"  # separated since 2008-02-01 from a marriage of 1981
    updater.run("P48", sep, DAY, {"NYSTARTDATO": "20080301"})
    updater.run("T11", sep, DAY, {"SEP_HENVIS": "200808210839", "STARTDATO": "19900101", "SLUTDATO": "19900601"})
    shown = rows(gctp.call("SEPARATION", {"PNR": sep}))
    assert [(v(r, "STARTDATO"), v(r, "SLUTDATO"), v(r, "ANNKOR"), v(r, "AKTUELMRK")) for r in shown] == [
        ("20080301", None, None, "X"), ("20080201", None, "K", None), ("19900101", "19900601", None, None)]
    updater.run("P49", sep, DAY)
    shown = rows(gctp.call("SEPARATION", {"PNR": sep}))
    assert [(v(r, "STARTDATO"), v(r, "ANNKOR"), v(r, "AKTUELMRK")) for r in shown][0] == ("19900101", None, "X")
    assert updater.events_of(sep) == [("P48", None), ("T11", None), ("P49", None)]

    # departure: correct the current foreign address; a current departure is not undone here
    gone = "0709614258"
    updater.run("R14", gone, DAY, {"UDLANDADR1": "Pflaumenstrasse 22"})
    assert v(flat(gctp.call("ADRESSE3", {"PNR": gone})), "UDLANDSADR1") == "Pflaumenstrasse 22"
    assert updater.problems("F14", gone, DAY) == [PERSON_STATE]
    back = "0702614147"  # away 1997-12-31 to 1998-02-28
    updater.run("F14", back, DAY, {"STARTDATO": "199712311515"})
    updater.run("T14", back, DAY, {"UDR_LANDEKOD": "5120", "INDR_LANDEKOD": "5120", "STARTDATO": "19900101",
                                   "SLUTDATO": "19900601"})
    assert by_start(updater.state(back), "departure") == [
        ("1990-01-01T00:00", "1990-06-01T00:00", False, None), ("1997-12-31T15:15", "1998-02-28T15:20", False, "A")]
    assert updater.problems("T14", back, DAY, {"UDR_LANDEKOD": "5120", "STARTDATO": "19900301",
                                               "SLUTDATO": "19900401"}) == [DATE_ORDER]

    # disappearance: correct when the person was found, undo a previous one, report an earlier one
    lost = "0702614074"
    updater.run("R05", lost, DAY, {"STARTDATO": "199709131653", "NYSLUTDATO": "200103011200"})
    updater.run("T05", lost, DAY, {"STARTDATO": "19950101", "SLUTDATO": "19950201"})
    assert [t for t in by_start(updater.state(lost), "disappearance") if t[3] is None] == [
        ("1995-01-01T00:00", "1995-02-01T00:00", False, None), ("1997-09-13T16:53", "2001-03-01T12:00", False, None)]
    updater.run("F05", "0701614089", DAY, {"STARTDATO": "19970909"})
    assert by_start(updater.state("0701614089"), "disappearance")[0][3] == "A"
    assert updater.problems("F05", "1312814362", DAY) == [PERSON_STATE]  # disappeared now: use refound (A03)
    assert updater.problems("R05", lost, DAY, {"STARTDATO": "19910913"}) == [PERSON_STATE]  # only a K row then

    # shared residence: report an earlier one, correct it, undo the correction
    updater.run("T03", KATE, DAY, {"DELTBOPPNR": JENS, "KOMKOD": "0851", "VEJKOD": "8513", "HUSNR": "12",
                                   "STARTDATO": "20100101", "SLUTDATO": "20120101"})
    updater.run("R03", KATE, DAY, {"STARTDATO": "20100101", "HUSNR": "14"})
    updater.run("F03", KATE, DAY, {"STARTDATO": "20100101"})
    assert [(r["house_no"], r["valid_from"], r["valid_to"], r["correction"]) for r in
            updater.state(KATE).all("shared_residence")] == [
        ("012", "2010-01-01", "2012-01-01", "K"), ("014", "2010-01-01", "2012-01-01", "A")]
    assert rows(gctp.call("DELTBOP", {"PNR": KATE})) == []
    assert updater.problems("F03", KATE, DAY) == [PERSON_STATE]  # no current shared residence
    assert updater.events_of(KATE) == [("T03", None), ("R03", None), ("F03", None)]


def test_data_without_history(updater, gctp):
    updater.run("R06", JENS, DAY, {"FOEDMYNKOD": "7001"})
    born = rows(gctp.call("FOEDREG", {"PNR": JENS}))[0]
    assert born["FOEDMYNKOD"] == {"v": "7001", "t": "Vor Frue,Kbhvn", "tl": "Vor Frue Sogn, Københavns Kommune"}
    assert summary_of(updater, JENS) == ["fødselsregistreringssted rettet: birth_authority: 8126 → 7001"]
    updater.run("F06", JENS, DAY)
    assert rows(gctp.call("FOEDREG", {"PNR": JENS})) == []
    assert updater.problems("F06", JENS, DAY) == [PERSON_STATE]

    updater.run("R10", JENS, DAY, {"STILLING": "Socialrådgiver"})
    assert v(flat(gctp.call("FOEDSEL", {"PNR": JENS})), "STILLING") == "Socialrådgiver"
    assert updater.problems("R10", JENS, DAY, {"STILLING": "Socialrådgiver"}) == [NO_CHANGE]
    updater.run("F10", JENS, DAY)
    assert v(flat(gctp.call("FOEDSEL", {"PNR": JENS})), "STILLING") is None

    protected = "0107529039"  # name and address protection 1998-01-01 to 1998-06-30
    updater.run("R15", protected, DAY, {"BESKYTTYPE": "0001", "NYSLUTDATO": "19980731"})
    shown = rows(gctp.call("BESKYT", {"PNR": protected}))
    assert ("00001", "19980101", "19980731") in [(v(r, "BESKYTTYPE"), v(r, "STARTDATO"), v(r, "SLETDATO"))
                                                 for r in shown]
    updater.run("T15", JENS, DAY, {"BESKYTTYPE": "0005", "STARTDATO": "20000101", "SLUTDATO": "20010101"})
    assert [(v(r, "BESKYTTYPE"), v(r, "SLETDATO")) for r in rows(gctp.call("BESKYT", {"PNR": JENS}))] == [
        ("00005", "20010101")]
    assert updater.problems("R15", JENS, DAY, {"BESKYTTYPE": "0001", "NYSLUTDATO": "20000101"}) == [PERSON_STATE]
    assert updater.problems("T15", JENS, DAY, {"BESKYTTYPE": "0005", "STARTDATO": "20000601",
                                               "SLUTDATO": "20020101"}) == [DATE_ORDER]

    updater.run("R07", "2802363039", DAY, {"KOMFORHTYP": "3", "BEMAERK": "Pension"})
    assert v(rows(gctp.call("KOMFORH", {"PNR": "2802363039"}))[0], "BEMAERK") == "Pension"
    assert updater.problems("R07", JENS, DAY, {"KOMFORHTYP": "3", "BEMAERK": "x"}) == [PERSON_STATE]


def test_a_municipality_may_correct_an_address_but_not_undo_a_name(updater):
    municipality = updater.as_user("KOM1")
    receipt = municipality.run("A09", JENS, DAY, {"HUSNR": "93"})
    assert receipt["where"] == "register" and updater.state(JENS).current("address")["house_no"] == "093"
    with pytest.raises(NoAccess) as refused:
        municipality.initiate("A17", JENS, DAY)
    assert refused.value.code == 5
    with pytest.raises(NoAccess):
        municipality.initiate("A09", "0701614038", DAY)  # lives in Varde, not in the user's municipality


def test_maintenance_over_gctp_and_rest(live):
    import httpx

    from conftest import TEST_USERS

    client = Gctp(live)
    code, _, password = TEST_USERS["municipality"]
    assert client.signon(code, password)["kvit"]["v"] == "900"
    keys = {"PNR": JENS, "HDTO": "20141027"}
    _, _, body = client.post(update_request("A09", "initier", keys, mk="0851"))
    answer = read_answer(body)
    assert answer["kvit"]["v"] == "0", body
    ts = answer["header"]["ts"]
    data = {"HUSNR": "91"}
    for action in ("valider", "gem"):
        _, _, body = client.post(update_request("A09", action, keys, data, ts=ts, mk="0851"))
        assert read_answer(body)["kvit"]["v"] == "0", body
    shown = client.call("ADRESSE1", {"PNR": JENS, "KORMRK": "X"})
    assert [(r["fields"]["HUSNR"]["v"], r["fields"].get("ANNKOR", {}).get("v")) for r in shown["rows"]][:2] == [
        ("091", None), ("095", "K")]
    _, _, body = client.post(update_request("A17", "initier", keys, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "5"

    base = f"http://127.0.0.1:{live}/api/v1"
    code, _, password = TEST_USERS["cpr-office"]
    token = httpx.post(f"{base}/signon", json={"user_code": code, "password": password}).json()["token"]
    with httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}) as rest:
        catalogue = {e["code"]: e for e in rest.get("/events").json()["events"]}
        assert catalogue["T13"]["maintenance"] == "citizenship:earlier"
        keys = {"pnr": KATE, "event_date": "20141027"}
        started = rest.post("/events/F13/initiate", json=keys).json()
        refused = rest.post("/events/F13/validate", json={**keys, "session": started["session"],
                                                          "data": {"STARTDATO": "20200101"}})
        assert refused.status_code == 422 and refused.json()["problems"][0]["code"] == PERSON_STATE
        valid = rest.post("/events/F13/validate", json={**keys, "session": started["session"], "data": {}})
        assert valid.status_code == 200
        saved = rest.post("/events/F13/save", json={**keys, "session": started["session"], "data": {}})
        assert saved.status_code == 200 and saved.json()["receipt"]["event"] == "F13"
        statsb = rest.get("/api/v1/statsb".removeprefix("/api/v1"), params={"pnr": KATE}).json()
        assert [(r["country"], r["current"]) for r in statsb["records"]][0] == ("5120", True)
