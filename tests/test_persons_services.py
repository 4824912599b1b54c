"""Lookups by PNR over a live server: STAMP, Stam+, Familie+, Familie, navne3 and adresse4.

Each service through GCTP and through REST with CPR's demo persons (clock on 2014-10-27), the
Kvit answers for a person not in the register (172), a malformed PNR (52) and an unknown key
field (16), and name and address protection of a relative in Familie+. One live server per test
(the fixture's cost), so each test checks a good deal.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import insert

from opencpr.access.groups import Permissions, SecurityGroup, save_group
from opencpr.access.passwords import CHEAP, Passwords
from opencpr.access.users import add_user, set_known_password
from opencpr.register.schema import protection

MISSING = "1705800029"  # a valid CPR number nobody in the demo register has
MALFORMED = "3213451234"
EMIGRANT = "0709614738"  # status 80, Sweden, the only contact address of the demo persons
MOTHER = "0307610078"  # married to 0709614347, two children (1306814172, 1306814180)
SPOUSE = "0709614347"  # Bent Eliasen, same address as 0307610078

#: (service, system, REST slug) of every service this module covers.
SERVICES = [("STAMP", "CprSoeg", "stamp"), ("Stam+", "CprSoeg", "stam-plus"), ("Familie+", "CprSoeg", "familie-plus"),
            ("Familie", "CprSoeg", "familie"), ("navne3", "CprSoeg", "navne3"),
            ("adresse4", "KontaktAdresse", "adresse4")]


def values(row: dict) -> dict[str, str]:
    """Field name -> v of the fields that have a value."""
    return {name: f["v"] for name, f in row.items() if f.get("v")}


def has(row: dict, expected: dict[str, str]) -> bool:
    """True if the fields of ``row`` named in ``expected`` have these values."""
    found = values(row)
    return {k: found.get(k) for k in expected} == expected


def test_each_service_over_gctp(gctp):
    stamp = gctp.call("STAMP", {"PNR": "0707614285"})
    assert stamp["kvit"]["v"] == "0" and len(stamp["header"]["ts"]) == 20
    assert has(stamp["fields"], {"PNR": "0707614285", "ADRNVN": "Jens Mortensen", "HUSNR": "095 ",
                                 "STADR": "Industrivænget 95,1 mf", "POSTNR": "9000", "CONVN": "c/o Christiansen",
                                 "FOEDDATO": "19610707", "KOEN": "M"})
    assert stamp["fields"]["POSTNR"]["t"] == "Aalborg" and stamp["fields"]["BESKYT"] == {}

    stam = gctp.call("Stam+", {"PNR": EMIGRANT})
    assert stam["table"] == "Stam+"
    row = stam["rows"][0]["fields"]
    assert values(row) == {
        "PNR": EMIGRANT, "KOEN": "K", "FOEDDATO": "19610907", "STATUS": "80", "STARTDATOSTATUS": "19970909",
        "ADRNVN": "Winnie Carlson", "POSTNR": "0", "UDRLANDEKOD": "5120", "UDLANDSADR1": "Grantoften 4",
        "UDLANDSADR2": "S 45678", "UDLANDSADR3": "Sverige", "UDLANDSADR4": "Udlandsadresse linje 4 4 4 4 4 4 4",
        "UDLANDSADR5": "Udlandsadresse linje 55 55 55 55 5"}
    assert row["ADRNVN"]["t"] == "Carlson, Winnie"
    assert row["STADR"] == {} and row["VEJADRNVN"] == {}  # fields without data are sent too

    family = gctp.call("Familie+", {"PNR": MOTHER})
    rows = family["rows"]
    assert [r["k"] for r in rows] == ["0", "1", "2", "3", "4"]
    assert [(values(r["fields"]).get("PNR_FOEDDATO"), values(r["fields"]).get("FAMMRK")) for r in rows[1:]] == [
        (MOTHER, "Andet"), (SPOUSE, "Ægtefælle"), ("1306814172", "Barn"), ("1306814180", "Barn")]
    head = values(rows[0]["fields"])
    assert head["CNVN_FORNVN"] == "Monika Togliatti" and head["HISTORIKMRK"] == "X"
    assert head["CNVN_STARTDATO"] == "199802281002" and head["SIDEDOER"] == "tv" and "FAMMRK" not in head
    assert values(rows[2]["fields"]) == {"PNR_FOEDDATO": SPOUSE, "FAMMRK": "Ægtefælle", "ADRNVN": "Bent Eliasen",
                                         "CNVN_STATUS": "01", "STADR": "Industrivænget 4,1 tv",
                                         "CPST_POSTNR": "9000", "CPSN_POSTDISTTXT": "Aalborg"}
    custody = values(gctp.call("Familie+", {"PNR": "2906980013"})["rows"][0]["fields"])
    assert {k: v for k, v in custody.items() if k.startswith(("CFMY", "FORAELDRE"))} == {
        "FORAELDREMYNMRK": "X", "CFMY_RELTYPA": "00003", "CFMY_STARTDATOA": "20080101", "CFMY_STARTDATOUSMA": " ",
        "CFMY_RELTYPB": "00004", "CFMY_STARTDATOB": "20080101", "CFMY_STARTDATOUSMB": " "}

    parents = gctp.call("Familie", {"PNR": "0108610018"})
    assert parents["table"] == "Familie"
    head = values(parents["rows"][0]["fields"])
    assert head["MORNVN"] == "Udcorn,Ubhaldina" and head["MOR_FOEDDATO"] == "19370613" and "MOR_PNR" not in head
    assert head["MOR_DTO"] == "19610903" and head["FAR_DTO"] == "20000107" and "FORAELDREMYNMRK" not in head
    assert [values(r["fields"])["FAMMRK"] for r in parents["rows"][1:]] == ["Andet", "Ægtefælle"]
    holders = gctp.call("Familie", {"PNR": "0101980014"})["rows"][0]["fields"]
    assert holders["CFMY_RELTYPA"] == {"v": "00005", "t": "Anden 1"}
    assert has(holders, {"MOR_PNR": "0709614282", "FORAELDRE_MYN_PNRA": "0709614290",
                         "FORAELDRE_MYN_PNRB": "0707614293", "FORAELDRE_MYN_ADRNVNB": "Lars Henriksen"})
    assert "FORAELDRE_MYN_ADRNVNA" not in values(holders)  # the holder is not in the register

    names = gctp.call("navne3", {"PNR": "1307610015", "AKX": "X"})["rows"][0]["fields"]
    assert names["CNVN_ADRNVN"] == {"v": "Poul Junkersen", "t": "Junkersen, Poul Udt"}
    assert has(names, {"CNVN_MELNVN": "Udt", "CNVN_MELNVNMRK": "*", "CNVN_STARTDATO": "196100000000",
                       "CNVN_STARTDATOUSM": "*", "CNVN_STATUS": "01"})

    contact = gctp.call("adresse4", {"PNR": EMIGRANT}, system="KontaktAdresse")
    assert contact["table"] == "adresse4"
    assert has(contact["rows"][0]["fields"], {"CATX_ADR1": "Kontaktadresse Linje 1 1 1 1 1 1 1",
                                              "CATX_STARTDATO": "20010630", "CATX_SLETDATO": "20050715"})
    none = gctp.call("Adresse4", {"PNR": MOTHER}, system="KontaktAdresse")
    assert none["kvit"]["v"] == "0" and none["table"] == "adresse4" and none["rows"] == []

    for service, system, _ in SERVICES:
        kvits = [gctp.call(service, keys, system=system)["kvit"]["v"]
                 for keys in ({"PNR": MISSING}, {"PNR": MALFORMED}, {"PNR": MOTHER, "XYZ": "1"}, {})]
        assert kvits == ["172", "52", "16", "17"], service


def test_each_service_over_rest(rest):
    got = {}
    for service, _, slug in SERVICES:
        answer = rest.get(f"/api/v1/{slug}", params={"pnr": MOTHER})
        assert answer.status_code == 200, (service, answer.text)
        assert answer.json()["service"] == service
        got[service] = answer.json()["records"]
    assert got["STAMP"][0]["standard_address"] == "Industrivænget 4,1 tv"
    assert got["Stam+"][0]["addressing_name_inverted"] == "Eliasen, Monika Togliatti"
    assert got["Stam+"][0]["postal_number"] == "9000" and got["Stam+"][0]["door"] == "tv"
    assert [(r["pnr"], r.get("relation")) for r in got["Familie+"]] == [
        (MOTHER, None), (MOTHER, "Andet"), (SPOUSE, "Ægtefælle"), ("1306814172", "Barn"), ("1306814180", "Barn")]
    assert got["Familie"][0]["mother_pnr"] is None and got["Familie"][0]["mother_date"] == "1961-08-07"
    assert got["navne3"][0]["first_name"] == "Monika Togliatti" and got["navne3"][0]["name_history"] is True
    assert got["adresse4"] == []
    contact = rest.get("/api/v1/adresse4", params={"pnr": EMIGRANT}).json()["records"]
    assert contact[0]["contact_valid_to"] == "2005-07-15"

    for _, _, slug in SERVICES:
        statuses = [rest.get(f"/api/v1/{slug}", params=p).status_code
                    for p in ({"pnr": MISSING}, {"pnr": MALFORMED}, {"pnr": MOTHER, "xyz": "1"})]
        assert statuses == [404, 400, 400], slug
    assert rest.get("/api/v1/familie-plus", params={"pnr": MISSING}).json()["kvit"] == 172


def _protect(engine, *pnrs: str) -> None:
    with engine.begin() as conn:
        for pnr in pnrs:
            conn.execute(insert(protection).values(pnr=pnr, protection_type="0001", valid_from="2014-01-01"))


def _user_without_protected_addresses(engine, clock) -> tuple[str, str]:
    services = [s for s, _, _ in SERVICES]
    group = SecurityGroup("lookups-plain", "Opslag uden beskyttede adresser", Permissions.from_dict(
        {"search": {"services": services, "scope": "all"}, "protected_addresses": False}))
    save_group(engine, group, by="test", clock=clock)
    add_user(engine, "PLAIN1", "0851", group.name, clock=clock, passwords=Passwords(CHEAP))
    set_known_password(engine, "PLAIN1", "Plain-0851!x", clock=clock, passwords=Passwords(CHEAP))
    return "PLAIN1", "Plain-0851!x"


@pytest.fixture
def plain(live, demo_engine, clock):
    """GCTP and REST clients of a group that may not see protected addresses; SPOUSE and EMIGRANT protected."""
    from live import Gctp

    _protect(demo_engine, SPOUSE, EMIGRANT)
    code, password = _user_without_protected_addresses(demo_engine, clock)
    client = Gctp(live)
    assert client.signon(code, password)["kvit"]["v"] == "900"
    with httpx.Client(base_url=f"http://127.0.0.1:{live}", timeout=30) as http:
        token = http.post("/api/v1/signon", json={"user_code": code, "password": password}).json()["token"]
        http.headers["authorization"] = f"Bearer {token}"
        yield client, http


def test_protected_relative_has_no_address_for_groups_that_may_not_see_it(plain, live):
    from conftest import TEST_USERS
    from live import Gctp

    gctp, http = plain
    rows = gctp.call("Familie+", {"PNR": MOTHER})["rows"]
    spouse = rows[2]["fields"]
    assert values(spouse) == {"PNR_FOEDDATO": SPOUSE, "FAMMRK": "Ægtefælle", "ADRNVN": "Bent Eliasen",
                              "CNVN_STATUS": "01", "CBSK_TYP": "00001"}
    assert spouse["STADR"] == {} and spouse["CPST_POSTNR"] == {}  # the fields are there, empty
    assert values(rows[1]["fields"])["STADR"] == "Industrivænget 4,1 tv"  # the others keep theirs
    assert values(gctp.call("Familie", {"PNR": MOTHER})["rows"][2]["fields"]).get("STADR") is None

    own = values(gctp.call("Stam+", {"PNR": SPOUSE})["rows"][0]["fields"])
    assert own == {"PNR": SPOUSE, "KOEN": "M", "FOEDDATO": "19610907", "STATUS": "01", "ADRNVN": "Bent Eliasen",
                   "BESKYT": "X"}
    head = values(gctp.call("Familie+", {"PNR": SPOUSE})["rows"][0]["fields"])
    assert head["BESKYT"] == "X" and "POSTNR" not in head and "STADR" not in head
    contact = gctp.call("adresse4", {"PNR": EMIGRANT}, system="KontaktAdresse")["rows"][0]["fields"]
    assert values(contact) == {}

    records = http.get("/api/v1/familie-plus", params={"pnr": MOTHER}).json()["records"]
    assert records[2]["pnr"] == SPOUSE and records[2]["standard_address"] is None
    assert records[2]["postal_code"] is None and records[2]["addressing_name"] == "Bent Eliasen"

    # the municipality's group sees protected addresses; the private company may only use STAMP
    kom = Gctp(live)
    kom.signon(*TEST_USERS["municipality"][::2])
    shown = values(kom.call("Familie+", {"PNR": MOTHER})["rows"][2]["fields"])
    assert shown["STADR"] == "Industrivænget 4,1 tv" and shown["CBSK_TYP"] == "00001"
    assert values(kom.call("adresse4", {"PNR": EMIGRANT}, system="KontaktAdresse")["rows"][0]["fields"])
    private = Gctp(live)
    private.signon(*TEST_USERS["private-company"][::2])
    assert private.call("Familie+", {"PNR": MOTHER})["kvit"]["v"] == "5"
    stamp = private.call("STAMP", {"PNR": SPOUSE})["fields"]
    assert stamp["BESKYT"] == {"v": "1", "t": "Navne- og adresse beskyttelse"} and stamp["STADR"] == {}
