"""Lookups by PNR about address, residence, protection, civil status, church, birth and municipal data.

Every service is called through GCTP and through REST on a live server over CPR's demo persons
(the clock stands at 2014-10-27). Rows the demo data lacks (a shared residence, a protection in
force, a note not yet deleted) are inserted by the tests.
"""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import insert

from opencpr.access.groups import Permissions, SecurityGroup, save_group
from opencpr.access.passwords import CHEAP, Passwords
from opencpr.access.users import add_user, set_known_password
from opencpr.register.schema import note, protection, shared_residence
from opencpr.services.catalogue import Shape, find, service_names
from opencpr.services.lookups.addresses import house_number, stamp20

MISSING = "1705800029"  # a valid CPR number nobody in the demo register has
MALFORMED = "3213611234"  # day 32
MOVER = "0706614818"  # Lise Kofoed-Svendsen: Industrivænget 4,2 th; history with a K and an A row
JENS = "0707614285"  # Jens Mortensen: Industrivænget 95,1 mf, c/o Christiansen; divorced
KIRSTEN = "0707614218"  # lives at 0851/8512/002/02/  th with four others
GERDA = "0909610036"  # one of Kirsten's co-residents
CO_RESIDENTS = ["0707614218", "0909610036", "2802363039", "3012995007", "3112000010"]

#: The services these tests cover, in the catalogue's order (declared in opencpr.services.lookups:
#: addresses, protection, civil_status, church, birth and municipal).
NAMES = ["ADRESSE3", "ADRESSE1", "BOPSAML", "BESKYT", "CIVST", "DELTBOP", "FLYTPAAB", "FKIRK", "FOEDSEL", "FOEDREG",
         "KOMFORH", "KOMNOTAT"]
SERVICES = tuple(find(n) for n in NAMES)


def _fields(answer: dict) -> dict[str, dict]:
    return answer["fields"]


def _v(fields: dict, name: str) -> str | None:
    return fields[name].get("v")


def _rows(answer: dict) -> list[dict]:
    return [r["fields"] for r in answer["rows"]]


def _rest(rest: httpx.Client, service: str, **params: str) -> dict:
    answer = rest.get(f"/api/v1/{find(service).slug}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


# --- the catalogue ------------------------------------------------------------------------------------

def test_declarations():
    assert [n for n in service_names() if n in NAMES] == NAMES
    for service in SERVICES:
        assert service.keys[0].name == "PNR" and service.keys[0].required
        assert find(service.name) is service
        assert service.table_name == service.name
        assert all(f.description for f in service.fields), service.name
        if service.name not in ("ADRESSE3", "ADRESSE1"):
            assert service.notes == "Designed in CPR's style; not a recorded CPR answer."
        church = service.name in ("FKIRK", "FOEDREG")
        assert service.groups == (("cpr-office", "municipality", "church-office") if church
                                  else ("cpr-office", "municipality"))
    assert find("BOPSAML").address_search
    assert find("ADRESSE3").shape is Shape.FLAT
    sample = ["TIDLADRMRK", "KONTAKTADRMRK", "TIDLKOMMRK", "SUPADRMRK", "ADRKOD", "TIMSTP", "SYSTEM_TS", "ADRTS",
              "MYNKOD", "VEJKOD", "HUSNR", "ETAGE", "SIDEDOER", "BNR", "TILFLYKOMDATO", "TILFLYKOMDATOUSM", "CONVN",
              "CONVNTS", "BYNVN", "LOKALITET", "POSTNR", "STARTDATO", "STARTDATOUSM", "KOMKOD", "UDRLANDEKOD",
              "UDLANDSADR1", "UDLANDSADR2", "UDLANDSADR3", "UDLANDSADR4", "UDLANDSADR5", "UDLANDADR_TS",
              "UDLANDADR_MYNKOD", "FLYTPAMRK"]
    assert [f.name for f in find("ADRESSE3").fields] == sample


def test_house_numbers_and_stamps():
    assert house_number("002") == "002" and house_number("2") == "002" and house_number("77A") == "077A"
    assert house_number("077A") == "077A" and house_number(None) is None
    assert stamp20("1993-11-22T13:39:17") == "19931122133917000000"
    assert stamp20("2000-02-28T13:08") == "20000228130800000000"


# --- addresses -----------------------------------------------------------------------------------------

def test_adresse3_current_address(gctp, rest):
    answer = gctp.call("ADRESSE3", {"PNR": MOVER, "AKX": "X"})
    assert answer["kvit"] == {"r": "Ok", "t": "", "v": "0"}
    assert answer["table"] is None and answer["rows"] == []
    f = _fields(answer)
    assert list(f) == [o.name for o in find("ADRESSE3").fields]  # every field, in the sample's order
    assert _v(f, "TIDLADRMRK") == "X" and _v(f, "TIDLKOMMRK") == "X" and _v(f, "SUPADRMRK") == "X"
    assert _v(f, "KONTAKTADRMRK") is None and _v(f, "FLYTPAMRK") is None
    assert _v(f, "ADRKOD") == "1"
    assert f["MYNKOD"] == {"v": "0000", "t": "Ukendt Myndighed", "tl": "Ukendt Myndighed"}
    assert f["VEJKOD"] == {"v": "8512", "t": "Industrivænget", "tm": "Industrivænget"}
    assert _v(f, "HUSNR") == "004" and _v(f, "ETAGE") == "02" and _v(f, "SIDEDOER") == "  th"
    assert _v(f, "TILFLYKOMDATO") == "199709091437" and _v(f, "STARTDATO") == "199709091437"
    assert _v(f, "BYNVN") == "Hasseris" and f["POSTNR"] == {"v": "9000", "t": "Aalborg"}
    assert f["KOMKOD"] == {"v": "0851", "t": "Aalborg", "tl": "Aalborg"}
    assert re.fullmatch(r"\d{20}", _v(f, "TIMSTP")) and _v(f, "ADRTS") == _v(f, "TIMSTP")
    assert _v(f, "UDRLANDEKOD") is None and _v(f, "CONVN") is None

    jens = _fields(gctp.call("ADRESSE3", {"PNR": JENS}))
    assert _v(jens, "CONVN") == "c/o Christiansen" and _v(jens, "CONVNTS") == _v(jens, "TIMSTP")
    assert _v(jens, "HUSNR") == "095" and _v(jens, "SIDEDOER") == "  mf" and _v(jens, "SUPADRMRK") is None
    relocated = _fields(gctp.call("ADRESSE3", {"PNR": "1307610015"}))
    assert _v(relocated, "FLYTPAMRK") == "X" and _v(relocated, "HUSNR") == "002" and _v(relocated, "ETAGE") == "st"

    body = _rest(rest, "ADRESSE3", pnr=MOVER)
    assert body["service"] == "ADRESSE3"
    record = body["records"][0]
    assert record["pnr"] == MOVER and record["road_name"] == "Industrivænget" and record["house_no"] == "004"
    assert record["moved_in"] == "1997-09-09T14:37" and record["previous_addresses"] is True
    assert record["relocation_order"] is False


def test_adresse1_current_and_previous(gctp, rest):
    answer = gctp.call("ADRESSE1", {"PNR": MOVER, "AKX": "X", "MAXA": "100", "AIA": "X"})
    assert answer["kvit"]["v"] == "0" and answer["table"] == "ADRESSE1"
    rows = _rows(answer)
    assert [r["HUSNR"]["v"] for r in rows] == ["004", "057", "056"]  # current, then newest first; K and A left out
    current, previous = rows[0], rows[1]
    assert _v(current, "AKTMRK") == "X" and _v(current, "SLUTDATO") is None and _v(current, "BYNVN") == "Hasseris"
    assert current["FRAFLYKOMKOD"] == {"v": "0571", "t": "Ribe"}
    assert _v(previous, "AKTMRK") is None and previous["KOMKOD"] == {"v": "0571", "t": "Ribe", "tl": "Ribe"}
    assert _v(previous, "STARTDATO") == "199201011301" and _v(previous, "SLUTDATO") == "199709091437"
    assert all(set(r) == {o.name for o in find("ADRESSE1").fields} for r in rows)

    everything = _rows(gctp.call("ADRESSE1", {"PNR": MOVER, "KORMRK": "X"}))
    assert [(r["HUSNR"]["v"], r.get("ANNKOR", {}).get("v")) for r in everything] == [
        ("004", None), ("004", "K"), ("060", "A"), ("057", None), ("056", None)]
    assert _v(everything[1], "SIDEDOER") == "  tv" and _v(everything[1], "CONVN") == "c/o Deleuran"
    assert len(_rows(gctp.call("ADRESSE1", {"PNR": MOVER, "MAXA": "1"}))) == 1

    body = _rest(rest, "ADRESSE1", pnr=JENS)
    assert [r["road"] for r in body["records"]] == ["8512", "5731", "5731"]
    assert body["records"][0]["road_name"] == "Industrivænget" and body["records"][0]["current"] is True
    assert body["records"][1]["moved_out"] == "1997-09-09T08:28" and body["info"] == {"count": 3}


def test_errors_on_every_service(gctp, rest):
    for service in SERVICES:
        assert gctp.call(service.name, {"PNR": MISSING})["kvit"]["v"] == "172", service.name
        assert gctp.call(service.name, {"PNR": MALFORMED})["kvit"]["v"] == "52", service.name
        assert gctp.call(service.name, {})["kvit"]["v"] == "17", service.name
        assert gctp.call(service.name, {"PNR": JENS, "NIX": "1"})["kvit"]["v"] == "16", service.name
        missing = rest.get(f"/api/v1/{service.slug}", params={"pnr": MISSING})
        assert missing.status_code == 404 and missing.json()["kvit"] == 172, service.name
        malformed = rest.get(f"/api/v1/{service.slug}", params={"pnr": MALFORMED})
        assert malformed.status_code == 400 and malformed.json()["kvit"] == 52, service.name
    assert gctp.call("ADRESSE1", {"PNR": JENS, "MAXA": "x"})["kvit"]["v"] == "18"


# --- residence collection, protection --------------------------------------------------------------------

def _unprotected_user(engine, live):
    """A user in a group that may use the lookups but does not see protected addresses."""
    from live import Gctp

    save_group(engine, SecurityGroup("lookup-plain", "Opslag uden beskyttede adresser", Permissions.from_dict(
        {"search": {"services": ["BOPSAML", "ADRESSE3", "ADRESSE1", "DELTBOP"], "scope": "all"},
         "protected_addresses": False})), by="test")
    cheap = Passwords(CHEAP)
    add_user(engine, "PLAIN1", "0851", "lookup-plain", passwords=cheap)
    set_known_password(engine, "PLAIN1", "Plain-0851!x", passwords=cheap)
    client = Gctp(live)
    assert client.signon("PLAIN1", "Plain-0851!x")["kvit"]["v"] == "900"
    return client


def test_bopsaml_lists_who_lives_at_the_address(gctp, rest):
    answer = gctp.call("BOPSAML", {"PNR": KIRSTEN})
    assert answer["kvit"]["v"] == "0" and answer["table"] == "BOPSAML"
    rows = _rows(answer)
    assert [r["PNR"]["v"] for r in rows] == CO_RESIDENTS
    gerda = rows[1]
    assert gerda["CNVN_ADRNVN"] == {"v": "Holmstad,Gerda", "t": "Gerda Holmstad"}
    assert gerda["CNVN_STATUS"] == {"v": "01", "t": "Aktiv, bopæl i dansk folkeregister"}
    assert _v(gerda, "FOEDDATO") == "19610909" and _v(gerda, "TILFLYDATO") == "199802281033"
    assert rows[3]["CNVN_ADRNVN"] == {"v": "Udtzen,Ulrik Emmerich", "t": "Ulrik Emmerich Udtzen"}

    body = _rest(rest, "BOPSAML", pnr=JENS)  # Jens shares Industrivænget 95,1 mf with one other person
    assert [r["pnr"] for r in body["records"]] == ["0707614285", "0711614354"]
    assert body["records"][0]["name_inverted"] == "Mortensen,Jens"


def test_bopsaml_hides_a_protected_co_resident(demo_engine, live, gctp, rest):
    with demo_engine.begin() as conn:  # no demo protection of type 0001 is in force on 2014-10-27
        conn.execute(insert(protection).values(pnr=GERDA, protection_type="0001", valid_from="2014-01-01",
                                               valid_to="2099-01-01"))
    plain = _unprotected_user(demo_engine, live)
    shown = [r["PNR"]["v"] for r in _rows(plain.call("BOPSAML", {"PNR": KIRSTEN}))]
    assert shown == [p for p in CO_RESIDENTS if p != GERDA]
    # the protected person's own residence collection shows nobody
    hidden = plain.call("BOPSAML", {"PNR": GERDA})
    assert hidden["kvit"]["v"] == "0" and hidden["rows"] == []
    # ... and her address goes out blank, every field still there
    address = _fields(plain.call("ADRESSE3", {"PNR": GERDA}))
    assert len(address) == len(find("ADRESSE3").fields)
    assert [name for name, v in address.items() if v] == ["SYSTEM_TS"]  # about the person, not the address
    periods = _rows(plain.call("ADRESSE1", {"PNR": GERDA}))
    assert periods and all(not r.get("VEJKOD") and not r.get("STARTDATO") for r in periods)
    # groups that see protected addresses see her
    assert GERDA in [r["PNR"]["v"] for r in _rows(gctp.call("BOPSAML", {"PNR": KIRSTEN}))]
    assert _v(_fields(gctp.call("ADRESSE3", {"PNR": GERDA})), "VEJKOD") == "8512"
    assert GERDA in [r["pnr"] for r in _rest(rest, "BOPSAML", pnr=KIRSTEN)["records"]]


# --- protection, civil status ------------------------------------------------------------------------------

def test_beskyt(gctp, rest):
    rows = _rows(gctp.call("BESKYT", {"PNR": "0701614011"}))
    assert [(r["BESKYTTYPE"]["v"], r.get("IKRAFTMRK", {}).get("v")) for r in rows] == [
        ("00002", "X"), ("00003", "X"), ("00004", "X"), ("00001", None)]
    assert rows[3]["BESKYTTYPE"]["t"] == "Navne- og adressebeskyttelse"
    assert _v(rows[3], "STARTDATO") == "20011102" and _v(rows[3], "SLETDATO") == "20041102"
    body = _rest(rest, "BESKYT", pnr="0709614452")
    assert [(r["protection_type"], r["in_force"], r["valid_to"]) for r in body["records"]] == [
        ("0001", False, "2010-12-31"), ("0002", False, "2010-06-30")]
    assert gctp.call("BESKYT", {"PNR": JENS})["rows"] == []


def test_civst(gctp, rest):
    rows = _rows(gctp.call("CIVST", {"PNR": KIRSTEN}))
    assert [(r["CIVST"]["v"], r["CIVST"]["t"]) for r in rows] == [("G", "Gift"), ("F", "Fraskilt"), ("G", "Gift")]
    first = rows[0]
    assert _v(first, "AEGTEPNR") == "0708614319" and _v(first, "AEGTENVN") == "Christian Svanholm-Nielsen"
    assert _v(first, "AEGTEFOED_DT") == "19610807" and _v(first, "STARTDATO") == "199709091315"
    assert _v(first, "SLUTDATO") is None and _v(rows[1], "SLUTDATO") == "199709091315"
    corrected = _rows(gctp.call("CIVST", {"PNR": KIRSTEN, "KORMRK": "X"}))
    assert [r.get("ANNKOR", {}).get("v") for r in corrected] == [None, "K", None, None]

    body = _rest(rest, "CIVST", pnr=JENS)  # the undone marriage (A) is left out
    assert [(r["civil_status"], r["spouse_name"]) for r in body["records"]] == [
        ("F", "Anne Mortensen"), ("G", "Anne Mortensen")]


# --- shared residence, relocation order ------------------------------------------------------------------------

def test_deltbop(demo_engine, gctp, rest):
    child, parent = "2906980013", "0709614231"
    common = {"pnr": child, "other_pnr": parent, "municipality": "0851", "road": "8513", "house_no": "002",
              "floor": "01", "door": "  mf"}
    with demo_engine.begin() as conn:
        conn.execute(insert(shared_residence), [
            {**common, "valid_from": "2012-05-01", "valid_to": None, "current": True, "correction": None,
             "authority": "0851"},
            {**common, "valid_from": "2005-01-01", "valid_to": "2010-01-01", "current": True, "correction": None,
             "authority": "0851"},  # ended
            {**common, "valid_from": "2011-01-01", "valid_to": None, "current": True, "correction": "A",
             "authority": "0851"},  # undone
        ])
    answer = gctp.call("DELTBOP", {"PNR": child})
    assert answer["kvit"]["v"] == "0" and answer["table"] == "DELTBOP"
    [row] = _rows(answer)
    assert _v(row, "PNR") == child and _v(row, "DELTBOPPNR") == parent
    assert _v(row, "DELTBOPNVN") == "Jørgen Folmersen"
    assert row["KOMKOD"] == {"v": "0851", "t": "Aalborg"} and row["VEJKOD"] == {"v": "8513", "t": "Svinget"}
    assert _v(row, "HUSNR") == "002" and _v(row, "SIDEDOER") == "  mf" and _v(row, "STARTDATO") == "20120501"
    assert _v(row, "MYNKOD") == "0851" and _v(row, "SLUTDATO") is None
    body = _rest(rest, "DELTBOP", pnr=child)
    assert [(r["other_pnr"], r["valid_from"]) for r in body["records"]] == [(parent, "2012-05-01")]
    # none: an empty table, not an error
    empty = gctp.call("DELTBOP", {"PNR": JENS})
    assert empty["kvit"]["v"] == "0" and empty["rows"] == []
    assert _rest(rest, "DELTBOP", pnr=JENS)["records"] == []


def test_flytpaab(gctp, rest):
    [row] = _rows(gctp.call("FLYTPAAB", {"PNR": "1307610015"}))
    assert _v(row, "STARTDATO") == "20001231" and _v(row, "BEMAERK") == "Flytte inden 2005"
    assert _rest(rest, "FLYTPAAB", pnr="1307610015")["records"][0]["remark"] == "Flytte inden 2005"
    assert gctp.call("FLYTPAAB", {"PNR": JENS})["rows"] == []


# --- church, birth --------------------------------------------------------------------------------------------

def test_fkirk(gctp, rest, live):
    from conftest import TEST_USERS
    from live import Gctp

    rows = _rows(gctp.call("FKIRK", {"PNR": "2906980013"}))
    assert [r["FKIRK"] for r in rows] == [{"v": "U", "t": "Ikke medlem af folkekirken"},
                                          {"v": "A", "t": "Ikke medlem af folkekirken (kode A)"}]
    assert _v(rows[0], "STARTDATO") == "19980629" and _v(rows[0], "SLUTDATO") is None
    assert _v(rows[1], "SLUTDATO") == "19980629"
    body = _rest(rest, "FKIRK", pnr=JENS)
    assert [(r["church"], r["valid_from"]) for r in body["records"]] == [("F", "1961-07-07")]
    # the church office may use FKIRK and FOEDREG, not the address lookups
    church = Gctp(live)
    code, _, password = TEST_USERS["church-office"]
    assert church.signon(code, password)["kvit"]["v"] == "900"
    assert church.call("FKIRK", {"PNR": JENS})["kvit"]["v"] == "0"
    assert church.call("FOEDREG", {"PNR": JENS})["kvit"]["v"] == "0"
    assert church.call("ADRESSE3", {"PNR": JENS})["kvit"]["v"] == "5"


def test_foedsel(gctp, rest):
    f = _fields(gctp.call("FOEDSEL", {"PNR": "0909610028"}))  # a guardian with an address, ended 2009
    assert list(f) == [o.name for o in find("FOEDSEL").fields]
    assert _v(f, "FOEDDATO") == "19610909" and _v(f, "STILLING") == "Servitrice"
    assert f["FOEDMYNKOD"] == {"v": "8893", "tl": "Farup,Esbjerg"}
    assert _v(f, "UMYNMRK") is None and _v(f, "UMYN_STARTDATO") == "20010630" and _v(f, "UMYN_SLETDATO") == "20090701"
    assert f["UMYN_RELTYP"] == {"v": "0002", "t": "Værge med adresse (uden personnummer)"}
    assert _v(f, "RELADRSAT_RELPNR_TXT") == "Dieter Planckhardt" and _v(f, "RELTXT2") == "D 13579 Celle"
    assert _v(f, "RELTXT3") == "Tyskland" and _v(f, "RELPNR") is None

    ward = _fields(gctp.call("FOEDSEL", {"PNR": "0709614126"}))  # a guardian with a CPR number, in force
    assert _v(ward, "UMYNMRK") == "X" and _v(ward, "RELPNR") == "0904414131"
    assert ward["UMYN_RELTYP"]["v"] == "0001" and _v(ward, "RELADRSAT_RELPNR_TXT")

    body = _rest(rest, "FOEDSEL", pnr="3012995007")
    record = body["records"][0]
    assert record["birth_date"] == "1899-12-30" and record["birth_date_uncertain"] is True
    assert record["birth_authority"] == "5180" and record["birth_authority_text"] == "Ostpreussen"
    assert record["occupation"] == "Pensionist" and record["guardian_relation"] is None
    assert _fields(gctp.call("FOEDSEL", {"PNR": "3012995007"}))["FOEDDATOUSM"] == {"v": "*"}


def test_foedreg(gctp, rest):
    [row] = _rows(gctp.call("FOEDREG", {"PNR": "3012995007"}))
    assert row["FOEDMYNKOD"] == {"v": "5180", "t": "Tyskland,Forb.Rep", "tl": "Tyskland,Forb.Rep"}
    assert _v(row, "FOEDMYNTXT") == "Ostpreussen" and _v(row, "AKTMRK") == "X"
    body = _rest(rest, "FOEDREG", pnr="0909610028")
    assert [(r["birth_authority"], r["birth_authority_long_name"]) for r in body["records"]] == [
        ("8893", "Farup Sogn, Esbjerg Kommune")]


# --- municipal conditions and notes ---------------------------------------------------------------------------

def test_komforh(gctp, rest):
    [row] = _rows(gctp.call("KOMFORH", {"PNR": "2802363039"}))
    assert _v(row, "KOMFORHTYP") == "3" and _v(row, "KOMFORHKOD") == "N" and _v(row, "STARTDATO") == "20000630"
    assert _v(row, "BEMAERK") == "Tekst til komforh3/pension"
    assert _rest(rest, "KOMFORH", pnr="2802363039")["records"][0]["condition_code"] == "N"
    assert gctp.call("KOMFORH", {"PNR": JENS})["rows"] == []


def test_komnotat(demo_engine, gctp, rest):
    pnr = "0707614293"  # the demo note was deleted on 2003-01-01
    assert gctp.call("KOMNOTAT", {"PNR": pnr})["rows"] == []
    with demo_engine.begin() as conn:
        conn.execute(insert(note), [
            {"pnr": pnr, "note_no": "01", "text": "Henvendelse om bolig", "valid_from": "2014-06-01",
             "valid_to": "2016-06-01"},
            {"pnr": pnr, "note_no": "03", "text": "Aftale om møde", "valid_from": "2014-09-01", "valid_to": None},
        ])
    rows = _rows(gctp.call("KOMNOTAT", {"PNR": pnr}))
    assert [(_v(r, "NOTATNR"), _v(r, "NOTATLINIE"), _v(r, "SLETDATO")) for r in rows] == [
        ("01", "Henvendelse om bolig", "20160601"), ("03", "Aftale om møde", None)]
    body = _rest(rest, "KOMNOTAT", pnr=pnr)
    assert [r["text"] for r in body["records"]] == ["Henvendelse om bolig", "Aftale om møde"]


@pytest.mark.parametrize("service", ["ADRESSE3", "BOPSAML", "KOMNOTAT"])
def test_municipality_group_may_use_them(service, live):
    from conftest import TEST_USERS
    from live import Gctp

    client = Gctp(live)
    code, _, password = TEST_USERS["municipality"]
    assert client.signon(code, password)["kvit"]["v"] == "900"
    assert client.call(service, {"PNR": JENS})["kvit"]["v"] == "0"
