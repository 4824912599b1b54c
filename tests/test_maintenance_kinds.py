"""Data maintenance of protection, municipal conditions and notes, previous PNRs and parents.

Each operation runs the whole update dialogue through the gate on CPR's demo persons; what it
did is read back through the search services over GCTP (BESKYT, STAMP, KOMFORH, KOMNOTAT,
TIDLPNR, Familie, Familie+) and from the event log, and the cases its rules refuse are checked
by their problem codes.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from live import Gctp
from opencpr.domain.events import events
from opencpr.domain.events.base import DATE_ORDER, INVALID, NO_CHANGE, PERSON_STATE, RELATIVE, REQUIRED
from opencpr.register.schema import event as event_table

JENS = "0707614285"  # Jens Mortensen, Industrivænget 95,1 mf, Aalborg; no protection, no municipal data
URI = "2802363039"  # Uri Ullermann: municipal condition 3 (N, pension) from 2000-06-30
ARNE, LISBETH = "0901414025", "0912414426"  # parents of Karin and of Mogens
KARIN = "0709610058"  # a daughter of Arne and Lisbeth, born 1961-09-07
MOGENS = "0707614293"  # a son of Arne and Lisbeth; his note 13 was deleted on 2003-01-01
GUNNAR = "0904414131"  # Gunnar Holgersen, born 1941, father of one child (0710614393)
ALEXANDRA = "3112420028"  # Alexandra Urmani, born 1942
RENUMBERED = "0909610036"  # had PNR 0709614398 from 1961-09-07 to 2001-11-07 (that number: status 60)
OLD_PNR = "0709614398"
NOT_IN_CPR = "0707614005"  # a valid PNR of Jens's birth date that nobody in the register has
DAY = "2014-10-27"


def rows(answer: dict) -> list[dict[str, dict]]:
    assert answer["kvit"]["v"] == "0", answer["kvit"]
    return [r["fields"] for r in answer["rows"]]


def v(row: dict, name: str) -> str | None:
    return row.get(name, {}).get("v")


def summaries(updater, pnr: str) -> list[str]:
    with updater.gate.engine.connect() as conn:
        found = conn.execute(select(event_table.c.detail).where(event_table.c.pnr == pnr, event_table.c.source ==
                                                                 "update").order_by(event_table.c.id)).scalars()
        return [json.loads(d)["summary"] for d in found]


def marked(state, table: str) -> list[tuple]:
    return [(r.get("correction"), r.get("valid_from"), r.get("valid_to")) for r in state.all(table)]


def test_the_new_kinds_are_declared_with_their_grants():
    maintenance = {e.code: e.maintenance for e in events().values() if e.maintenance}
    expected = {
        "R07": ("municipal", "correct"), "F07": ("municipal", "undo"), "T07": ("municipal", "earlier"),
        "R16": ("municipal", "correct"), "F16": ("municipal", "undo"), "T16": ("municipal", "earlier"),
        "R09": ("pnr", "correct"), "F09": ("pnr", "undo"), "T09": ("pnr", "earlier"),
        "R12": ("relation", "correct"), "F12": ("relation", "undo"),
        "R15": ("protection", "correct"), "F15": ("protection", "undo"), "T15": ("protection", "earlier"),
    }
    assert {c: maintenance.get(c) for c in expected} == expected
    assert "T12" not in events()  # the register holds no history of parents: nothing to report earlier
    assert events()["F15"].title == "Fortryd beskyttelsesdata"
    assert [f.name for f in events()["T09"].fields] == ["TIDLPNR", "STARTDATO", "SLUTDATO"]
    assert [f.name for f in events()["F12"].fields] == ["FORAELDER"]
    assert events()["R12"].derived == ("MO", "FA")


# --- protection ---------------------------------------------------------------------------------------------

def test_undo_protection_takes_it_away_and_it_protects_no_more(updater, gctp, live):
    from conftest import TEST_USERS

    private = Gctp(live)
    assert private.signon(*TEST_USERS["private-company"][::2])["kvit"]["v"] == "900"
    updater.run("A33", JENS, DAY, {"BESKYTTYPE": "0001"})
    hidden = private.call("STAMP", {"PNR": JENS})["fields"]
    assert v(hidden, "BESKYT") == "1" and hidden["STADR"] == {}

    receipt = updater.run("F15", JENS, DAY, {"BESKYTTYPE": "0001"})
    assert receipt["event"] == "F15"
    assert rows(gctp.call("BESKYT", {"PNR": JENS})) == []
    [undone] = rows(gctp.call("BESKYT", {"PNR": JENS, "KORMRK": "X"}))
    assert (v(undone, "BESKYTTYPE"), v(undone, "STARTDATO"), v(undone, "ANNKOR"), v(undone, "IKRAFTMRK")) == (
        "00001", "20141027", "A", None)
    shown = private.call("STAMP", {"PNR": JENS})["fields"]
    assert shown["BESKYT"] == {} and v(shown, "STADR") == "Industrivænget 95,1 mf"
    assert v(rows(gctp.call("Stam+", {"PNR": JENS}))[0], "BESKYT") is None
    assert updater.events_of(JENS) == [("A33", None), ("F15", None)]
    assert summaries(updater, JENS)[-1] == "beskyttelse 0001 fra 2014-10-27 fortrudt"
    assert marked(updater.state(JENS), "protection") == [("A", "2014-10-27", None)]

    # the undone row is set aside: it cannot be undone again, and protection can be given anew
    assert updater.refusal_texts("F15", JENS, DAY, {"BESKYTTYPE": "0001"}) == [
        "Den valgte beskyttelse er allerede rettet (K) eller fortrudt (A)"]
    assert updater.problems("A33", JENS, DAY, {"BESKYTTYPE": "0001"}) == []


def test_an_undone_protection_hides_the_address_from_address_searches_no_more(updater, demo_engine, live):
    from opencpr.access.groups import Permissions, SecurityGroup, save_group
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.access.users import add_user, set_known_password

    save_group(demo_engine, SecurityGroup("lookup-plain", "Opslag uden beskyttede adresser", Permissions.from_dict(
        {"search": {"services": ["BOPSAML", "ADRESSE3"], "scope": "all"}, "protected_addresses": False})),
        by="test")
    cheap = Passwords(CHEAP)
    add_user(demo_engine, "PLAIN1", "0851", "lookup-plain", passwords=cheap)
    set_known_password(demo_engine, "PLAIN1", "Plain-0851!x", passwords=cheap)
    plain = Gctp(live)
    assert plain.signon("PLAIN1", "Plain-0851!x")["kvit"]["v"] == "900"
    neighbour = "0711614354"  # shares Industrivænget 95,1 mf with Jens

    updater.run("A33", JENS, DAY, {"BESKYTTYPE": "0001"})
    assert [v(r, "PNR") for r in rows(plain.call("BOPSAML", {"PNR": neighbour}))] == [neighbour]
    assert v(plain.call("ADRESSE3", {"PNR": JENS})["fields"], "VEJKOD") is None
    updater.run("F15", JENS, DAY, {"BESKYTTYPE": "0001"})
    assert [v(r, "PNR") for r in rows(plain.call("BOPSAML", {"PNR": neighbour}))] == [JENS, neighbour]
    assert v(plain.call("ADRESSE3", {"PNR": JENS})["fields"], "VEJKOD") == updater.state(JENS).current("address")[
        "road"]


def test_undo_protection_rules(updater):
    protected = "0107529039"  # protections 0001, 0002, 0004 from 1998-01-01 to 1998-06-30
    assert updater.problems("F15", protected, DAY, {"BESKYTTYPE": "0003"}) == [PERSON_STATE]  # none of the type
    assert updater.problems("F15", protected, DAY, {"BESKYTTYPE": "0001", "STARTDATO": "19990101"}) == [
        PERSON_STATE]  # none begins then
    assert updater.problems("F15", protected, DAY, {"BESKYTTYPE": "0001", "STARTDATO": "1.1.98"}) == [INVALID]
    assert updater.problems("F15", protected, "2015-01-01", {"BESKYTTYPE": "0001"}) == [DATE_ORDER]
    assert updater.problems("F15", protected, DAY) == [REQUIRED]
    updater.run("F15", protected, DAY, {"BESKYTTYPE": "0002", "STARTDATO": "19980101"})
    assert [(r["protection_type"], r["correction"]) for r in updater.state(protected).all("protection")] == [
        ("0001", None), ("0002", "A"), ("0004", None)]


def test_correct_protection_keeps_the_old_row_marked_k(updater, gctp):
    protected = "0107529039"
    updater.run("R15", protected, DAY, {"BESKYTTYPE": "0001", "NYSTARTDATO": "19971201"})
    shown = [(v(r, "BESKYTTYPE"), v(r, "STARTDATO"), v(r, "SLETDATO"), v(r, "ANNKOR"))
             for r in rows(gctp.call("BESKYT", {"PNR": protected, "KORMRK": "X"})) if v(r, "BESKYTTYPE") == "00001"]
    assert sorted(shown, key=lambda t: t[3] or "") == [("00001", "19971201", "19980630", None),
                                                       ("00001", "19980101", "19980630", "K")]
    assert [v(r, "STARTDATO") for r in rows(gctp.call("BESKYT", {"PNR": protected}))
            if v(r, "BESKYTTYPE") == "00001"] == ["19971201"]
    # the corrected copy is the one further maintenance takes
    assert updater.problems("R15", protected, DAY, {"BESKYTTYPE": "0001", "NYSTARTDATO": "19971201"}) == [
        NO_CHANGE]
    assert updater.problems("R15", protected, DAY, {"BESKYTTYPE": "0001", "STARTDATO": "19980101",
                                                    "NYSLUTDATO": "19990101"}) == [PERSON_STATE]  # the K row


# --- municipal conditions -----------------------------------------------------------------------------------

def test_municipal_conditions_correct_undo_and_earlier(updater, gctp):
    # correct: the old condition stays, marked K
    updater.run("R07", URI, DAY, {"KOMFORHTYP": "3", "BEMAERK": "Folkepension"})
    [now] = rows(gctp.call("KOMFORH", {"PNR": URI}))
    assert (v(now, "KOMFORHKOD"), v(now, "STARTDATO"), v(now, "BEMAERK"), v(now, "ANNKOR")) == (
        "N", "20000630", "Folkepension", None)
    everything = rows(gctp.call("KOMFORH", {"PNR": URI, "KORMRK": "X"}))
    assert sorted((v(r, "BEMAERK"), v(r, "ANNKOR")) for r in everything) == [
        ("Folkepension", None), ("Tekst til komforh3/pension", "K")]

    # undo: the condition was registered wrongly; KOMFORH shows nothing, with KORMRK=X the A row
    updater.run("F07", URI, DAY, {"KOMFORHTYP": "3"})
    assert rows(gctp.call("KOMFORH", {"PNR": URI})) == []
    assert sorted(v(r, "ANNKOR") for r in rows(gctp.call("KOMFORH", {"PNR": URI, "KORMRK": "X"}))) == ["A", "K"]
    assert updater.problems("F07", URI, DAY, {"KOMFORHTYP": "3"}) == [PERSON_STATE]  # nothing left to undo
    assert updater.problems("B13", URI, DAY, {"KOMFORHTYP": "3", "KOMFORHKOD": "N"}) == []  # may be given anew
    assert updater.events_of(URI) == [("R07", None), ("F07", None)]

    # earlier: a condition from before, with its own start
    updater.run("T07", JENS, DAY, {"KOMFORHTYP": "3", "KOMFORHKOD": "N", "BEMAERK": "Førtidspension",
                                   "STARTDATO": "20100101"})
    [early] = rows(gctp.call("KOMFORH", {"PNR": JENS}))
    assert (v(early, "KOMFORHTYP"), v(early, "KOMFORHKOD"), v(early, "STARTDATO"), v(early, "BEMAERK")) == (
        "3", "N", "20100101", "Førtidspension")
    assert updater.events_of(JENS) == [("T07", None)]
    assert summaries(updater, JENS) == [
        "tidligere kommunalt forhold 3 2010-01-01 – -: condition_code=N, remark=Førtidspension"]


def test_municipal_condition_rules(updater):
    early = {"KOMFORHTYP": "3", "KOMFORHKOD": "N"}
    assert updater.problems("T07", JENS, DAY, {**early, "STARTDATO": "20150101"}) == [DATE_ORDER]  # future
    assert updater.problems("T07", JENS, DAY, {**early, "STARTDATO": "19500101"}) == [DATE_ORDER]  # before birth
    assert updater.problems("T07", JENS, DAY, {**early, "KOMFORHTYP": "0", "STARTDATO": "20100101"}) == [INVALID]
    assert updater.problems("T07", JENS, DAY, {"KOMFORHTYP": "3", "STARTDATO": "20100101"}) == [REQUIRED]
    assert updater.problems("T07", URI, DAY, {**early, "STARTDATO": "20000630"}) == [NO_CHANGE]  # already there
    assert updater.problems("F07", JENS, DAY, {"KOMFORHTYP": "3"}) == [PERSON_STATE]
    assert updater.problems("F07", URI, DAY, {"KOMFORHTYP": "3", "STARTDATO": "20010101"}) == [PERSON_STATE]
    assert updater.problems("R07", URI, DAY, {"KOMFORHTYP": "3", "KOMFORHKOD": "N"}) == [NO_CHANGE]
    assert updater.problems("F07", URI, "2015-01-01", {"KOMFORHTYP": "3"}) == [DATE_ORDER]


# --- municipal notes ----------------------------------------------------------------------------------------

def test_municipal_notes_correct_undo_and_earlier(updater, gctp):
    updater.run("B14", MOGENS, DAY, {"NOTATLINIE": "Ring foer besoeg", "SLETDATO": "20160101"})
    updater.run("R16", MOGENS, DAY, {"NOTATNR": "1", "NOTATLINIE": "Ring før besøg"})
    [note] = rows(gctp.call("KOMNOTAT", {"PNR": MOGENS}))
    assert (v(note, "NOTATNR"), v(note, "NOTATLINIE"), v(note, "STARTDATO"), v(note, "SLETDATO")) == (
        "01", "Ring før besøg", "20141027", "20160101")
    assert sorted((v(r, "NOTATLINIE"), v(r, "ANNKOR")) for r in rows(gctp.call(
        "KOMNOTAT", {"PNR": MOGENS, "KORMRK": "X"}))) == [("Ring foer besoeg", "K"), ("Ring før besøg", None)]

    # a note written on the wrong person is undone: gone from KOMNOTAT, and its number is free again
    updater.run("F16", MOGENS, DAY, {"NOTATNR": "01"})
    assert rows(gctp.call("KOMNOTAT", {"PNR": MOGENS})) == []
    assert [v(r, "ANNKOR") for r in rows(gctp.call("KOMNOTAT", {"PNR": MOGENS, "KORMRK": "X"}))] == ["A", "K"]
    updater.run("B14", MOGENS, DAY, {"NOTATLINIE": "Nyt notat"})
    assert [(v(r, "NOTATNR"), v(r, "NOTATLINIE")) for r in rows(gctp.call("KOMNOTAT", {"PNR": MOGENS}))] == [
        ("01", "Nyt notat")]

    # a note that was made earlier, reported late: in force from its start
    updater.run("T16", MOGENS, DAY, {"NOTATNR": "5", "NOTATLINIE": "Henvendelse om bolig", "STARTDATO": "20140601",
                                     "SLUTDATO": "20150601"})
    shown = [(v(r, "NOTATNR"), v(r, "STARTDATO"), v(r, "SLETDATO")) for r in rows(gctp.call("KOMNOTAT",
                                                                                          {"PNR": MOGENS}))]
    assert shown == [("01", "20141027", None), ("05", "20140601", "20150601")]
    assert updater.events_of(MOGENS) == [("B14", None), ("R16", None), ("F16", None), ("B14", None),
                                         ("T16", None)]
    assert summaries(updater, MOGENS)[1] == "notat 01 fra 2014-10-27 rettet: text: Ring foer besoeg → Ring før besøg"


def test_municipal_note_rules(updater):
    late = {"NOTATLINIE": "x", "STARTDATO": "20020101", "SLUTDATO": "20040101"}
    assert updater.problems("T16", MOGENS, DAY, {**late, "NOTATNR": "13"}) == [DATE_ORDER]  # note 13 then
    assert updater.problems("T16", MOGENS, DAY, {**late, "NOTATNR": "12"}) == []
    assert updater.problems("T16", MOGENS, DAY, {**late, "NOTATNR": "00"}) == [INVALID]
    assert updater.problems("T16", MOGENS, DAY, {**late, "NOTATNR": "12", "STARTDATO": "20050101"}) == [
        DATE_ORDER]  # starts after its end
    assert updater.problems("T16", MOGENS, DAY, {"NOTATNR": "12", "NOTATLINIE": "x", "STARTDATO": "20150101"}) == [
        DATE_ORDER]  # starts in the future
    assert updater.problems("T16", MOGENS, DAY, {"NOTATNR": "12", "STARTDATO": "20100101"}) == [REQUIRED]
    assert updater.problems("R16", MOGENS, DAY, {"NOTATNR": "42", "NOTATLINIE": "x"}) == [PERSON_STATE]
    assert updater.problems("R16", MOGENS, DAY, {"NOTATNR": "13", "NYSTARTDATO": "20050101"}) == [
        DATE_ORDER]  # would begin after its deletion date
    assert updater.problems("R16", MOGENS, DAY, {"NOTATNR": "13", "NOTATLINIE": "x" * 41}) == [INVALID]
    assert updater.problems("R16", MOGENS, DAY, {"NOTATNR": "13"}) == [NO_CHANGE]


# --- previous PNRs ------------------------------------------------------------------------------------------

def test_previous_pnr_correct_undo_and_report_again(updater, gctp):
    updater.run("R09", RENUMBERED, DAY, {"TIDLPNR": OLD_PNR, "NYSTARTDATO": "19610909"})
    [now] = rows(gctp.call("TIDLPNR", {"PNR": RENUMBERED}))
    assert (v(now, "TIDLPNR"), v(now, "STARTDATO"), v(now, "SLUTDATO")) == (OLD_PNR, "19610909", "20011107")
    assert [(v(r, "STARTDATO"), v(r, "ANNKOR")) for r in rows(gctp.call("TIDLPNR", {"PNR": RENUMBERED,
                                                                                   "KORMRK": "X"}))] == [
        ("19610909", None), ("19610907", "K")]

    # undone: TIDLPNR shows no previous PNR; the A row with KORMRK=X
    updater.run("F09", RENUMBERED, DAY, {"TIDLPNR": OLD_PNR})
    assert rows(gctp.call("TIDLPNR", {"PNR": RENUMBERED})) == []
    assert [v(r, "ANNKOR") for r in rows(gctp.call("TIDLPNR", {"PNR": RENUMBERED, "KORMRK": "X"}))] == ["A", "K"]
    assert updater.problems("F09", RENUMBERED, DAY, {"TIDLPNR": OLD_PNR}) == [PERSON_STATE]  # nothing left

    # reported again as earlier data: the old number is the person's own (status 60, pointing here)
    updater.run("T09", RENUMBERED, DAY, {"TIDLPNR": OLD_PNR, "STARTDATO": "19610907", "SLUTDATO": "20011107"})
    [again] = rows(gctp.call("TIDLPNR", {"PNR": RENUMBERED}))
    assert (v(again, "TIDLPNR"), v(again, "STARTDATO"), v(again, "SLUTDATO"), v(again, "ANNKOR")) == (
        OLD_PNR, "19610907", "20011107", None)
    assert updater.events_of(RENUMBERED) == [("R09", None), ("F09", None), ("T09", None)]
    assert summaries(updater, RENUMBERED)[0] == (
        f"tidligere personnummer {OLD_PNR} fra 1961-09-07 rettet: valid_from: 1961-09-07 → 1961-09-09")

    # a previous PNR nobody in the register has, reported late
    updater.run("T09", JENS, DAY, {"TIDLPNR": NOT_IN_CPR, "STARTDATO": "19610707", "SLUTDATO": "19680101"})
    assert [(v(r, "TIDLPNR"), v(r, "SLUTDATO")) for r in rows(gctp.call("TIDLPNR", {"PNR": JENS}))] == [
        (NOT_IN_CPR, "19680101")]


def test_previous_pnr_rules(updater):
    late = {"STARTDATO": "19610707", "SLUTDATO": "19680101"}
    assert updater.problems("T09", JENS, DAY, {**late, "TIDLPNR": "0101010101"}) == [INVALID]  # not a CPR number
    assert updater.refusal_texts("T09", JENS, DAY, {**late, "TIDLPNR": MOGENS}) == [
        "TIDLPNR er personnummer for en anden person i CPR"]
    assert updater.problems("T09", JENS, DAY, {**late, "TIDLPNR": MOGENS}) == [RELATIVE]
    assert updater.problems("T09", JENS, DAY, {**late, "TIDLPNR": JENS}) == [INVALID]  # the person's own
    assert updater.problems("T09", RENUMBERED, DAY, {"TIDLPNR": OLD_PNR, "STARTDATO": "19610907",
                                                     "SLUTDATO": "20011107"}) == [DATE_ORDER, NO_CHANGE]
    assert updater.problems("T09", RENUMBERED, DAY, {"TIDLPNR": NOT_IN_CPR, "STARTDATO": "19900101",
                                                     "SLUTDATO": "19950101"}) == [DATE_ORDER]  # overlaps
    assert updater.problems("T09", JENS, DAY, {**late, "TIDLPNR": NOT_IN_CPR, "SLUTDATO": "20150101"}) == [
        DATE_ORDER]  # ends in the future
    assert updater.problems("T09", JENS, DAY, {"TIDLPNR": NOT_IN_CPR, "STARTDATO": "19610707"}) == [REQUIRED]
    assert updater.problems("R09", JENS, DAY, {"TIDLPNR": NOT_IN_CPR, "NYSTARTDATO": "19610707"}) == [
        PERSON_STATE]
    assert updater.problems("R09", RENUMBERED, DAY, {"TIDLPNR": OLD_PNR, "NYSTARTDATO": "19610907"}) == [
        NO_CHANGE]
    assert updater.problems("R09", RENUMBERED, DAY, {"TIDLPNR": OLD_PNR, "NYSTARTDATO": "20050101"}) == [
        DATE_ORDER]  # after its end
    assert updater.problems("F09", JENS, DAY, {"TIDLPNR": NOT_IN_CPR}) == [PERSON_STATE]


# --- parents (slægtskab) ------------------------------------------------------------------------------------

def relatives(gctp, pnr: str) -> dict[str, str]:
    return {v(r, "PNR_FOEDDATO"): v(r, "FAMMRK") for r in rows(gctp.call("Familie+", {"PNR": pnr}))[1:]}


def test_correct_the_father_moves_the_child_between_the_fathers(updater, gctp):
    assert relatives(gctp, ARNE)[KARIN] == "Barn" and KARIN not in relatives(gctp, GUNNAR)
    receipt = updater.run("R12", KARIN, DAY, {"PNRFAR": GUNNAR})
    assert set(receipt["persons"]) == {KARIN, ARNE, GUNNAR}
    row0 = rows(gctp.call("Familie", {"PNR": KARIN}))[0]
    assert (v(row0, "FAR_PNR"), v(row0, "FAR_FOEDDATO"), v(row0, "FARNVN"), v(row0, "FAR_DTO")) == (
        GUNNAR, "19410409", "Gunnar Holgersen", "19611111")  # the date of the relation is kept
    assert v(row0, "MOR_PNR") == LISBETH
    assert relatives(gctp, KARIN)[GUNNAR] == "Far" and ARNE not in relatives(gctp, KARIN)
    assert relatives(gctp, GUNNAR)[KARIN] == "Barn"
    assert KARIN not in relatives(gctp, ARNE) and relatives(gctp, ARNE)[MOGENS] == "Barn"
    assert [(r["child_pnr"], r["correction"]) for r in updater.state(ARNE).all("child")] == [
        (MOGENS, None), (KARIN, "K")]
    assert updater.events_of(KARIN) == [("R12", None)]
    assert updater.events_of(ARNE) == [("R12", "FA")] and updater.events_of(GUNNAR) == [("R12", "FA")]
    assert summaries(updater, KARIN)[0].startswith(f"forældreoplysninger rettet: father_pnr: {ARNE} → {GUNNAR}")

    # a correction of the dates only changes the person row: no parent is changed
    updater.run("R12", KARIN, DAY, {"MOR_DT": "19610907"})
    assert v(rows(gctp.call("Familie", {"PNR": KARIN}))[0], "MOR_DTO") == "19610907"
    assert updater.events_of(KARIN) == [("R12", None), ("R12", None)] and updater.events_of(LISBETH) == []


def test_undo_the_mother_clears_her_and_her_child_row(updater, gctp):
    updater.run("F12", KARIN, DAY, {"FORAELDER": "MOR"})
    row0 = rows(gctp.call("Familie", {"PNR": KARIN}))[0]
    assert v(row0, "MOR_PNR") is None and v(row0, "MOR_DTO") is None and v(row0, "FAR_PNR") == ARNE
    assert LISBETH not in relatives(gctp, KARIN) and KARIN not in relatives(gctp, LISBETH)
    assert relatives(gctp, LISBETH)[MOGENS] == "Barn"
    assert [(r["child_pnr"], r["correction"]) for r in updater.state(LISBETH).all("child")
            if r["child_pnr"] == KARIN] == [(KARIN, "A")]
    assert updater.events_of(KARIN) == [("F12", None)] and updater.events_of(LISBETH) == [("F12", "MO")]
    assert summaries(updater, KARIN)[0] == f"mor fortrudt: mother_pnr: {LISBETH} → -; mother_date: 1961-11-09 → -"
    assert updater.problems("F12", KARIN, DAY, {"FORAELDER": "MOR"}) == [PERSON_STATE]  # no mother now

    # the mother is registered again by correction: she gets a new child row
    updater.run("R12", KARIN, DAY, {"PNRMOR": LISBETH, "MOR_DT": "19610907"})
    assert relatives(gctp, LISBETH)[KARIN] == "Barn"
    assert v(rows(gctp.call("Familie", {"PNR": KARIN}))[0], "MORNVN") == "Lisbeth Henriksen"
    assert updater.events_of(LISBETH) == [("F12", "MO"), ("R12", "MO")]


def test_relation_rules(updater):
    assert updater.problems("R12", KARIN, DAY, {"PNRMOR": GUNNAR}) == [RELATIVE]  # a man as mother
    assert updater.problems("R12", KARIN, DAY, {"PNRFAR": NOT_IN_CPR}) == [RELATIVE]
    assert updater.problems("R12", KARIN, DAY, {"PNRFAR": KARIN}) == [RELATIVE]
    assert updater.problems("R12", KARIN, DAY, {"PNRFAR": "3112970079"}) == [RELATIVE]  # born 1997
    assert updater.problems("R12", KARIN, DAY, {"PNRMOR": ALEXANDRA, "PNRFAR": ALEXANDRA}) == [INVALID]
    assert updater.refusal_texts("R12", KARIN, DAY, {"PNRFAR": LISBETH}) == [
        "Mor og far kan ikke være samme person"]
    assert updater.problems("R12", KARIN, DAY, {"PNRFAR": ARNE}) == [NO_CHANGE]
    assert updater.problems("R12", KARIN, DAY) == [NO_CHANGE]
    assert updater.problems("R12", KARIN, DAY, {"FAR_DT": "19600101"}) == [DATE_ORDER]  # before her birth
    assert updater.problems("R12", KARIN, DAY, {"FAR_FOED_DT": "19700101"}) == [RELATIVE]  # younger than she
    assert updater.problems("R12", KARIN, DAY, {"PNRFAR": "123"}) == [INVALID]
    assert updater.problems("R12", KARIN, "2015-01-01", {"FAR_DT": "19610907"}) == [DATE_ORDER]
    assert updater.problems("F12", KARIN, DAY, {"FORAELDER": "BROR"}) == [4003]
    assert updater.problems("F12", KARIN, DAY) == [REQUIRED]
    # Ulrik's parents hold the parental authority: it is changed first (B09), then a parent may be undone
    ulrik = "2906980013"
    assert updater.refusal_texts("F12", ulrik, DAY, {"FORAELDER": "FAR"}) == [
        "Forælderen har forældremyndighed over barnet: registrér forældremyndigheden først (B09)"]
    assert updater.problems("F12", "2802980011", DAY, {"FORAELDER": "FAR"}) == [PERSON_STATE]  # no father


def test_a_municipality_may_maintain_municipal_data_and_protection_but_not_parents(updater):
    import pytest

    from opencpr.services.errors import NoAccess

    municipality = updater.as_user("KOM1")
    municipality.run("T07", JENS, DAY, {"KOMFORHTYP": "3", "KOMFORHKOD": "N", "STARTDATO": "20100101"})
    municipality.run("F07", JENS, DAY, {"KOMFORHTYP": "3"})
    assert updater.events_of(JENS) == [("T07", None), ("F07", None)]
    for code in ("R12", "F12", "T09"):
        with pytest.raises(NoAccess) as refused:
            municipality.initiate(code, JENS, DAY)
        assert refused.value.code == 5


# --- the rows set aside elsewhere: overview, extract, the register check, the migration ---------------------

def test_rows_set_aside_leave_the_overview_the_extract_and_the_check(updater, gctp):
    import io

    from opencpr.register.check import check_register
    from opencpr.register.exporter import export_extract

    engine = updater.gate.engine
    before = {(x.pnr, x.rule) for x in check_register(engine).examples}
    assert v(rows(gctp.call("OVERSIGT", {"PNR": ARNE}))[0], "ANTALBOERN") == "2"
    assert v(rows(gctp.call("OVERSIGT", {"PNR": GUNNAR}))[0], "ANTALBOERN") == "1"
    updater.run("R12", KARIN, DAY, {"PNRFAR": GUNNAR})
    updater.run("F09", RENUMBERED, DAY, {"TIDLPNR": OLD_PNR})
    updater.run("A33", JENS, DAY, {"BESKYTTYPE": "0005"})
    updater.run("F15", JENS, DAY, {"BESKYTTYPE": "0005"})

    assert v(rows(gctp.call("OVERSIGT", {"PNR": ARNE}))[0], "ANTALBOERN") == "1"
    assert v(rows(gctp.call("OVERSIGT", {"PNR": GUNNAR}))[0], "ANTALBOERN") == "2"
    assert v(rows(gctp.call("OVERSIGT", {"PNR": RENUMBERED}))[0], "TIDLPNRMRK") is None
    assert v(rows(gctp.call("OVERSIGT", {"PNR": JENS}))[0], "BESKYTRECMRK") is None

    out = io.BytesIO()
    export_extract(engine, out, pnrs=[ARNE, GUNNAR, RENUMBERED, JENS], workers=0)
    records = out.getvalue().decode("iso-8859-1").splitlines()
    children = {(r[3:13], r[13:23]) for r in records if r.startswith("014")}
    assert (ARNE, KARIN) not in children and (GUNNAR, KARIN) in children and (ARNE, MOGENS) in children
    assert not any(r.startswith("022" + RENUMBERED) for r in records)
    assert not any(r.startswith("004" + JENS) for r in records)

    assert {(x.pnr, x.rule) for x in check_register(engine).examples} <= before


def test_migration_0007_downgrades_and_upgrades(engine):
    from alembic import command
    from sqlalchemy import inspect

    from opencpr.register.migrate import alembic_config, upgrade
    from opencpr.register.schema import MARKED_TABLES

    def marked_tables() -> set[str]:
        found = inspect(engine)
        return {t for t in MARKED_TABLES if "correction" in {c["name"] for c in found.get_columns(t)}}

    assert marked_tables() == set(MARKED_TABLES)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    assert marked_tables() == set()
    upgrade(engine)
    assert marked_tables() == set(MARKED_TABLES)
