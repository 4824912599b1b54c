"""NVNSOG2, ADRSOG1 and FOEDSOG on CPR's demo persons, through GCTP and REST, on both databases."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, insert, select, update

from live import Gctp
from opencpr.register import search_index
from opencpr.register.schema import name, name_search, name_word, protection

pytestmark = pytest.mark.usefixtures("live")


def _pnrs(answer: dict) -> list[str]:
    assert answer["kvit"]["v"] == "0", answer["kvit"]
    return [r["fields"]["PNR"]["v"] for r in answer["rows"]]


def _rest(rest, slug: str, **params) -> dict:
    got = rest.get(f"/api/v1/{slug}", params=params)
    assert got.status_code == 200, got.text
    return got.json()


def _all_pages(gctp, service: str, keys: dict[str, str]) -> list[str]:
    found: list[str] = []
    restart = None
    for _ in range(50):
        answer = gctp.call(service, {**keys, **({"REST": restart} if restart else {})})
        found += _pnrs(answer)
        if not answer["rows"]:
            break
        restart = answer["rows"][-1]["k"]
    return found


# --- NVNSOG2 -----------------------------------------------------------------------------------------


def test_name_search_prefix_all_name_parts_and_row_fields(gctp, rest):
    answer = gctp.call("NVNSOG2", {"NVN": "hans"})
    assert answer["table"] == "NAVNSOEG"
    assert _pnrs(answer) == ["0701614089", "0702614155"]  # Hans Flauenskjold, Hans-Martin Wicker
    row = answer["rows"][0]["fields"]
    assert row["CNVN_ADRNVN"] == {"v": "Flauenskjold,Hans", "t": "Hans Flauenskjold"}
    assert row["CNVN_STATUS"]["v"] == "01" and row["CNVN_KOEN"]["v"] == "M"
    assert row["STADR"]["v"] == "Industrivænget 16,1 tv"
    assert row["POSTNR"] == {"v": "9000", "t": "Aalborg"}
    assert row["FOEDMYNTXT"]["v"]
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "Mortensen", "NVN1": "Jens"})) == ["0707614285"]
    # a middle name is a name part too: "Kurt Bang Christensen"
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "bang"})) == ["0708610089"]
    # the REST answer has the same persons, with this project's field names
    body = _rest(rest, "nvnsog2", name="hans")
    assert [r["pnr"] for r in body["records"]] == ["0701614089", "0702614155"]
    assert body["records"][0]["name_inverted"] == "Flauenskjold,Hans" and body["info"]["more"] is False


def test_name_search_folds_danish_letters_and_aa(gctp, rest):
    # Jane Østerholm Fichte: Ø = oe, whatever the caller types
    for typed in ("Østerholm", "oesterholm", "ØSTERH"):
        assert _pnrs(gctp.call("NVNSOG2", {"NVN": typed})) == ["0709614592"], typed
    # Peter Hyldegård Madsen: å = aa
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "hyldegaard"})) == ["0709614215"]
    assert [r["pnr"] for r in _rest(rest, "nvnsog2", name="Hyldegård")["records"]] == ["0709614215"]
    # ü folds to u: Ulrikke Marie/Manuela Borg Hülpers
    assert sorted(_pnrs(gctp.call("NVNSOG2", {"NVN": "hulpers"}))) == ["0708610038", "0709610058"]


def test_name_search_infix(gctp, rest):
    found = _pnrs(gctp.call("NVNSOG2", {"NVN": "*holm", "MAXA": "100"}))
    assert set(found) == {"0709614592", "0709614398", "0909610036", "0707614218", "0708614319"}
    assert sorted(_pnrs(gctp.call("NVNSOG2", {"NVN": "*ldega"}))) == ["0709614215"]
    # infix and prefix together: first name Bettina, last name with "mers"
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "bettina *mers"})) == ["0709614096"]
    assert [r["pnr"] for r in _rest(rest, "nvnsog2", name="*ldega")["records"]] == ["0709614215"]


def test_name_search_historical_names_only_with_hnvs(gctp, rest):
    # Annette Ingdahl was Annette Hansen until 1979
    assert "0709614126" not in _pnrs(gctp.call("NVNSOG2", {"NVN": "hansen"}))
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "hansen", "HNVS": "X"})) == ["0709614126"]
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "annette hansen", "HNVS": "X"})) == ["0709614126"]
    # the name shown is the current one
    row = gctp.call("NVNSOG2", {"NVN": "hansen", "HNVS": "X"})["rows"][0]["fields"]
    assert row["CNVN_ADRNVN"]["t"] == "Annette Ingdahl"
    # a person with several matching names comes once
    olsen = _pnrs(gctp.call("NVNSOG2", {"NVN": "*olsen", "HNVS": "X", "MAXA": "100"}))
    assert len(olsen) == len(set(olsen)) and "0901414025" in olsen
    assert [r["pnr"] for r in _rest(rest, "nvnsog2", name="hansen", historical="X")["records"]] == ["0709614126"]


def test_name_search_filters(gctp, rest):
    eliasen = {"0307610078", "0708614246", "0709614347", "1306814172", "1306814180"}
    assert set(_pnrs(gctp.call("NVNSOG2", {"NVN": "eliasen"}))) == eliasen
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "eliasen", "KON": "M"})) == ["0709614347"]
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "eliasen", "STAF": "60"})) == ["0708614246"]
    # born 1981-06-13: 33 years old on 2014-10-27; the others were born in 1961 (53)
    assert sorted(_pnrs(gctp.call("NVNSOG2", {"NVN": "eliasen", "ALDF": "30", "ALDT": "33"}))) == [
        "1306814172", "1306814180"]
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "eliasen", "ALDT": "32"})) == []
    assert set(_pnrs(gctp.call("NVNSOG2", {"NVN": "eliasen", "ALDF": "53", "ALDT": "53"}))) == {
        "0307610078", "0708614246", "0709614347"}
    # citizenship: the Udtzens, Ulrike Udtzon and the Robert Udtzon Ullersens are German citizens (5180),
    # the Udtzon Jensens are not
    udtz = _pnrs(gctp.call("NVNSOG2", {"NVN": "udtz"}))
    assert {"0101520013", "0107529039"} <= set(udtz)
    assert sorted(_pnrs(gctp.call("NVNSOG2", {"NVN": "udtz", "STB": "5180"}))) == [
        "0101965058", "0108610069", "0709610015", "3012995007", "3112000010"]
    # municipality and region of the current address: Asta Jakobsen lives in Varde (0573, Syddanmark)
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "jakobsen", "KOMK": "0573"})) == ["0701614038"]
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "jakobsen", "KOMK": "0851"})) == []
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "jakobsen", "LDEL": "1083"})) == ["0701614038"]
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "jakobsen", "LDEL": "1081"})) == []
    body = _rest(rest, "nvnsog2", name="eliasen", sex="M")
    assert [r["pnr"] for r in body["records"]] == ["0709614347"]


def test_name_search_restart_keys_page_through_every_hit_once(gctp, rest):
    everything = _pnrs(gctp.call("NVNSOG2", {"NVN": "*sen", "MAXA": "500"}))
    assert len(everything) > 30
    paged = _all_pages(gctp, "NVNSOG2", {"NVN": "*sen", "MAXA": "7"})
    assert paged == everything
    # prefix searches page in (word, name, PNR) order
    all_u = _pnrs(gctp.call("NVNSOG2", {"NVN": "u", "MAXA": "500"}))
    assert _all_pages(gctp, "NVNSOG2", {"NVN": "u", "MAXA": "3"}) == all_u
    assert len(all_u) == len(set(all_u)) > 6
    first = gctp.call("NVNSOG2", {"NVN": "u", "MAXA": "3"})
    assert len(first["rows"]) == 3
    # REST: info says there is more and gives the key to continue with
    body = _rest(rest, "nvnsog2", name="u", max_rows="3")
    assert body["info"]["more"] is True
    following = _rest(rest, "nvnsog2", name="u", max_rows="3", restart=body["info"]["restart"])
    assert [r["pnr"] for r in body["records"] + following["records"]] == all_u[:6]


def test_name_search_count_only(gctp, rest):
    everything = _pnrs(gctp.call("NVNSOG2", {"NVN": "*sen", "MAXA": "500"}))
    status, _, raw = gctp.post(
        '<?xml version="1.0" encoding="ISO-8859-1"?><root xmlns="http://www.cpr.dk"><Gctp v="1.0">'
        '<System r="CprSoeg"><Service r="NVNSOG2"><CprServiceHeader r="NVNSOG2"><Key>'
        '<Field r="NVN" v="*sen"/><Field r="AIA" v="X"/></Key></CprServiceHeader></Service></System></Gctp></root>',
        {"content-type": "text/xml"})
    assert status == 200
    assert re.search(rb'<Table r="NAVNSOEG" aia="(\d+)"', raw).group(1) == str(len(everything)).encode()
    assert b"<Row" not in raw
    body = _rest(rest, "nvnsog2", name="*sen", count_only="X")
    assert body["records"] == [] and body["info"]["count"] == len(everything)


def test_name_search_bad_and_missing_keys(gctp, rest):
    assert gctp.call("NVNSOG2", {"KON": "M"})["kvit"]["v"] == "17"
    assert gctp.call("NVNSOG2", {"NVN": "hans", "KON": "X"})["kvit"]["v"] == "18"
    assert gctp.call("NVNSOG2", {"NVN": "*se"[:2]})["kvit"]["v"] == "18"  # infix needs 3 letters
    assert gctp.call("NVNSOG2", {"NVN": "--"})["kvit"]["v"] == "18"
    assert gctp.call("NVNSOG2", {"NVN": "hans", "ALDF": "40", "ALDT": "30"})["kvit"]["v"] == "18"
    assert gctp.call("NVNSOG2", {"NVN": "hans", "STAF": "42"})["kvit"]["v"] == "18"
    assert gctp.call("NVNSOG2", {"NVN": "hans", "LDEL": "1090"})["kvit"]["v"] == "18"
    assert gctp.call("NVNSOG2", {"NVN": "hans", "MAXA": "0"})["kvit"]["v"] == "18"
    assert gctp.call("NVNSOG2", {"NVN": "hans", "REST": "not-a-key"})["kvit"]["v"] == "18"
    got = rest.get("/api/v1/nvnsog2", params={"sex": "M"})
    assert got.status_code == 400 and got.json()["kvit"] == 17
    got = rest.get("/api/v1/nvnsog2", params={"name": "hans", "restart": "zzz"})
    assert got.status_code == 400 and got.json()["kvit"] == 18


def _unprivileged(live, engine, clock) -> Gctp:
    """A GCTP client of a group that may search but not see protected addresses."""
    from opencpr.access.groups import Permissions, SecurityGroup, save_group
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.access.users import add_user, set_known_password

    permissions = Permissions.from_dict({"search": {"services": ["NVNSOG2", "ADRSOG1"], "scope": "all"}})
    save_group(engine, SecurityGroup("search-only", "Søgning uden beskyttede adresser", permissions), by="test",
               clock=clock)
    cheap = Passwords(CHEAP)
    add_user(engine, "SOEG1", "0851", "search-only", clock=clock, passwords=cheap)
    set_known_password(engine, "SOEG1", "Soeg-0851!x", clock=clock, passwords=cheap)
    client = Gctp(live)
    assert client.signon("SOEG1", "Soeg-0851!x")["kvit"]["v"] == "900"
    return client


def test_name_search_finds_protected_persons_but_blanks_their_address(live, demo_engine, clock):
    with demo_engine.begin() as conn:
        conn.execute(insert(protection), {"pnr": "0707614285", "protection_type": "0001",
                                          "valid_from": "2014-01-01", "valid_to": None})
    client = _unprivileged(live, demo_engine, clock)
    rows = client.call("NVNSOG2", {"NVN": "jens mortensen"})["rows"]
    assert [r["fields"]["PNR"]["v"] for r in rows] == ["0707614285"]
    fields = rows[0]["fields"]
    assert fields["ADRBESKYT"]["v"] == "X" and "v" not in fields["STADR"] and "v" not in fields["POSTNR"]
    assert fields["CNVN_ADRNVN"]["t"] == "Jens Mortensen"


# --- FOEDSOG --------------------------------------------------------------------------------------------


def test_birth_date_search(gctp, rest):
    answer = gctp.call("FOEDSOG", {"FODT": "19810613"})
    assert answer["table"] == "FOEDSOEG"
    assert _pnrs(answer) == ["1306814172", "1306814180"]  # Helene and Margrethe Eliasen, by name
    assert answer["rows"][0]["fields"]["CNVN_ADRNVN"]["t"] == "Helene Eliasen"
    assert _pnrs(gctp.call("FOEDSOG", {"FODT": "19810613", "NVN": "marg"})) == ["1306814180"]
    born_0907 = _pnrs(gctp.call("FOEDSOG", {"FODT": "19610907", "MAXA": "500"}))
    assert len(born_0907) > 20
    assert _all_pages(gctp, "FOEDSOG", {"FODT": "19610907", "MAXA": "6"}) == born_0907
    men = _pnrs(gctp.call("FOEDSOG", {"FODT": "19610907", "KON": "M", "MAXA": "500"}))
    assert men and set(men) < set(born_0907) and "0709614401" in men
    assert _pnrs(gctp.call("FOEDSOG", {"FODT": "19610907", "STAF": "80"})) == ["0709614738", "0709614258"]
    # Annette Ingdahl was born 1961-09-07 and was called Hansen
    assert _pnrs(gctp.call("FOEDSOG", {"FODT": "19610907", "NVN": "hansen"})) == []
    assert _pnrs(gctp.call("FOEDSOG", {"FODT": "19610907", "NVN": "hansen", "HNVS": "X"})) == ["0709614126"]
    # birth registration authority; citizenship
    assert _pnrs(gctp.call("FOEDSOG", {"FODT": "18991230", "FOEDMYN": "5180", "STB": "5180"})) == ["3012995007"]
    assert _pnrs(gctp.call("FOEDSOG", {"FODT": "18991230", "FOEDMYN": "8333"})) == []
    body = _rest(rest, "foedsog", born="19810613", count_only="X")
    assert body["info"]["count"] == 2 and body["records"] == []
    assert gctp.call("FOEDSOG", {"KON": "M"})["kvit"]["v"] == "17"
    assert gctp.call("FOEDSOG", {"FODT": "19613107"})["kvit"]["v"] == "18"
    assert rest.get("/api/v1/foedsog", params={"born": "1961"}).status_code == 400


# --- ADRSOG1 --------------------------------------------------------------------------------------------


def test_address_search_by_road_code_and_name(gctp, rest):
    answer = gctp.call("ADRSOG1", {"VEJK": "8512", "KOMK": "0851", "HNR": "2", "ETAG": "2", "SIDO": "th"})
    assert answer["table"] == "ADRSOEG"
    assert answer["summary"]["fields"]["KOMKOD"] == {"v": "0851", "t": "Aalborg", "tl": "Aalborg"}
    assert answer["summary"]["fields"]["VEJKOD"] == {"v": "8512"}
    assert sorted(_pnrs(answer)) == ["0707614218", "0909610036", "2802363039", "3012995007", "3112000010"]
    row = answer["rows"][0]["fields"]
    assert row["HUSNR"] == {"v": "002"} and row["ETAGE"] == {"v": "02"} and row["SIDEDOER"] == {"v": "  th"}
    assert row["KOMKOD"] == {"v": "0851", "t": "Aalborg"} and row["TABMRK"] == {"v": "1"}
    assert len(row["STARTDATO"]["v"]) == 12 and "v" not in row["SLUTDATO"]
    assert "BEMAERK" in answer["fields"] and "SEARCH_ID" in answer["fields"]
    # by road name (folded, the beginning of it) and postal code
    by_name = gctp.call("ADRSOG1", {"VNVN": "industrivaeng", "POST": "9000", "HNR": "002", "ETAG": "02",
                                    "SIDO": "th"})
    assert sorted(_pnrs(by_name)) == sorted(_pnrs(answer))
    # with a name and sex
    assert _pnrs(gctp.call("ADRSOG1", {"VEJK": "8512", "KOMK": "0851", "NVN": "gerda"})) == ["0909610036"]
    assert sorted(_pnrs(gctp.call("ADRSOG1", {"VEJK": "8512", "KOMK": "0851", "HNR": "2", "KON": "M",
                                              "ETAG": "02", "SIDO": "th"}))) == ["2802363039", "3012995007"]
    body = _rest(rest, "adrsog1", road="8512", municipality="0851", house_no="2", floor="02", door="th")
    assert sorted(r["pnr"] for r in body["records"]) == sorted(_pnrs(answer))
    assert body["info"]["summary"]["road"] == "8512"


def test_address_search_previous_addresses_with_period(gctp, rest):
    # Jens Mortensen lived at Skovvej (0573/5731) 34 from 1961 and 101 from 1980 until 1997
    assert _pnrs(gctp.call("ADRSOG1", {"VEJK": "5731", "KOMK": "0573"})) == []
    answer = gctp.call("ADRSOG1", {"VEJK": "5731", "KOMK": "0573", "TIDL": "X"})
    hits = [(r["fields"]["PNR"]["v"], r["fields"]["HUSNR"]["v"], r["fields"]["TABMRK"]["v"]) for r in answer["rows"]]
    assert ("0707614285", "034", "2") in hits and ("0707614285", "101", "2") in hits
    jens = [r["fields"] for r in answer["rows"] if r["fields"]["HUSNR"]["v"] == "101"][0]
    assert jens["STARTDATO"]["v"] == "198010102000" and jens["SLUTDATO"]["v"] == "199709090828"
    # lived there in 1985: only 101 (and the neighbour at 001)
    in_1985 = gctp.call("ADRSOG1", {"VEJK": "5731", "KOMK": "0573", "PERF": "19850101", "PERT": "19851231"})
    assert sorted((r["fields"]["PNR"]["v"], r["fields"]["HUSNR"]["v"]) for r in in_1985["rows"]) == [
        ("0707614285", "101"), ("0709614401", "001")]
    body = _rest(rest, "adrsog1", road="5731", municipality="0573", previous="X")
    assert sorted({r["pnr"] for r in body["records"] if r["house_no"] in ("034", "101")}) == ["0707614285"]


def test_address_search_pages_and_counts(gctp, rest):
    everything = _pnrs(gctp.call("ADRSOG1", {"VEJK": "8512", "KOMK": "0851", "TIDL": "X", "MAXA": "500"}))
    assert len(everything) > 40
    assert _all_pages(gctp, "ADRSOG1", {"VEJK": "8512", "KOMK": "0851", "TIDL": "X", "MAXA": "9"}) == everything
    body = _rest(rest, "adrsog1", road="8512", municipality="0851", previous="X", count_only="X")
    assert body["info"]["count"] == len(everything)


def test_address_search_keys(gctp, rest):
    assert gctp.call("ADRSOG1", {"KOMK": "0851"})["kvit"]["v"] == "17"  # no road
    assert gctp.call("ADRSOG1", {"VEJK": "8512"})["kvit"]["v"] == "17"  # no postal code or municipality
    assert gctp.call("ADRSOG1", {"VEJK": "8512", "KOMK": "0851", "HNR": "12345"})["kvit"]["v"] == "18"
    assert gctp.call("ADRSOG1", {"VEJK": "85x2", "KOMK": "0851"})["kvit"]["v"] == "18"
    assert gctp.call("ADRSOG1", {"VEJK": "8512", "KOMK": "0851", "ETAG": "xx"})["kvit"]["v"] == "18"
    got = rest.get("/api/v1/adrsog1", params={"municipality": "0851"})
    assert got.status_code == 400 and got.json()["kvit"] == 17


def test_address_search_never_finds_protected_persons_for_groups_without_the_right(live, demo_engine, gctp,
                                                                                     clock):
    # Jens Mortensen (Industrivænget 95,1 mf) under name and address protection on 2014-10-27
    with demo_engine.begin() as conn:
        conn.execute(insert(protection), {"pnr": "0707614285", "protection_type": "0001",
                                          "valid_from": "2014-01-01", "valid_to": "2016-01-01"})
    keys = {"VEJK": "8512", "KOMK": "0851", "HNR": "95"}
    # the CPR office sees protected addresses: both residents, Jens marked
    office = gctp.call("ADRSOG1", keys)
    assert sorted(_pnrs(office)) == ["0707614285", "0711614354"]
    marks = {r["fields"]["PNR"]["v"]: r["fields"]["ADRBESKYT"].get("v") for r in office["rows"]}
    assert marks == {"0707614285": "X", "0711614354": None}
    # a group without protected_addresses: Jens is not found, not counted, not named by a restart key
    client = _unprivileged(live, demo_engine, clock)
    assert _pnrs(client.call("ADRSOG1", keys)) == ["0711614354"]
    assert _pnrs(client.call("ADRSOG1", {**keys, "NVN": "jens"})) == []
    whole_road = _pnrs(client.call("ADRSOG1", {"VEJK": "8512", "KOMK": "0851", "TIDL": "X", "MAXA": "500"}))
    assert "0707614285" not in whole_road and whole_road
    status, _, raw = client.post(
        '<?xml version="1.0" encoding="ISO-8859-1"?><root xmlns="http://www.cpr.dk"><Gctp v="1.0">'
        '<System r="CprSoeg"><Service r="ADRSOG1"><CprServiceHeader r="ADRSOG1"><Key><Field r="VEJK" v="8512"/>'
        '<Field r="KOMK" v="0851"/><Field r="HNR" v="95"/><Field r="AIA" v="X"/></Key></CprServiceHeader>'
        '</Service></System></Gctp></root>', {"content-type": "text/xml"})
    assert re.search(rb'aia="(\d+)"', raw).group(1) == b"1"


# --- keeping the index -------------------------------------------------------------------------------------


def test_refresh_person_after_a_name_change(demo_engine, gctp):
    with demo_engine.begin() as conn:
        conn.execute(update(name).where(name.c.pnr == "0707614285", name.c.current).values(current=False))
        conn.execute(insert(name), {"pnr": "0707614285", "first_name": "Jens", "middle_name": "Peter",
                                    "last_name": "Åbenrå-Mortensen", "current": True})
        search_index.refresh_person(conn, "0707614285")
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "Jens Mortensen"})) == ["0707614285"]
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "aabenraa peter"})) == ["0707614285"]
    assert _pnrs(gctp.call("NVNSOG2", {"NVN": "*benra"})) == ["0707614285"]
    with demo_engine.connect() as conn:
        words = conn.execute(select(name_word.c.word, name_word.c.in_current)
                             .where(name_word.c.pnr == "0707614285").order_by(name_word.c.word)).all()
        assert words == [("aabenraa", True), ("jens", True), ("mortensen", True), ("peter", True)]
        assert conn.execute(select(func.count()).select_from(name_search)
                            .where(name_search.c.pnr == "0707614285")).scalar_one() == 2


def test_full_names_find_exactly_the_persons_whose_current_name_has_every_word(demo_engine, gctp):
    """Two and three words of a name (each as a word start), against every current name of the
    register: no person missed, none too many, whichever word drives the search."""
    from opencpr.domain.folding import fold_words

    with demo_engine.connect() as conn:
        names = {r.pnr: fold_words(f"{r.first_name or ''} {r.middle_name or ''} {r.last_name or ''}")
                 for r in conn.execute(select(name.c.pnr, name.c.first_name, name.c.middle_name, name.c.last_name)
                                       .where(name.c.current))}
    searches = {(words[0], words[-1]) for words in names.values() if len(words) > 1}
    searches |= {(words[0][:3], *words[1:]) for words in names.values() if len(words) > 2}
    searches |= {(words[-1], words[0][:2]) for words in names.values() if len(words) > 1}
    assert len(searches) > 60
    for terms in sorted(searches):
        expected = sorted(p for p, words in names.items() if all(any(w.startswith(t) for w in words) for t in terms))
        assert sorted(_all_pages(gctp, "NVNSOG2", {"NVN": " ".join(terms)})) == expected, terms
