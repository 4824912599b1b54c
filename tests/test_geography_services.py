"""Geographic lookups, helper searches, AJOURF and KODETEKST: through GCTP and REST on a live server.

Each live test uses one server (on SQLite and on PostgreSQL) for several services, to stay fast.
"""

from __future__ import annotations

from conftest import TEST_USERS
from opencpr.services import catalogue as cat
from opencpr.services.lookups.geography import fold, name_matches


def _values(row: dict, *names: str) -> tuple:
    return tuple(row["fields"].get(n, {}).get("v") for n in names)


def _kvit(answer: dict) -> str:
    return answer["kvit"]["v"]


# --- pure --------------------------------------------------------------------------------------------


def test_names_fold_danish_aware():
    assert fold("Ålborg") == fold("AALBORG") == "ålborg"
    assert fold("Müller  Straße") == "muller strasse"
    assert fold("Sønder") != fold("Sonder")
    assert name_matches("aalborg", "Vor Frue,Aalborg")
    assert name_matches("ålb", "Aalborg")
    assert not name_matches("borg", "Aalborg")
    assert not name_matches("", "Aalborg")


def test_catalogue_declarations():
    names = ("MYNDIGHED", "VEJ", "VEJNOTAT", "DISTRIKT", "VEJHENV", "VEJSOEG", "MYNSOEG", "VEJNVN", "POSTNR",
             "MYNKODE", "AJOURF", "KODETEKST")
    for name in names:
        service = cat.find(name)
        assert service.notes == "Designed in CPR's style; not a recorded CPR answer."
        assert all(f.description for f in service.fields), name
        if name == "AJOURF":
            assert service.pnr_key == "pnr" and service.billable
            assert service.groups == ("cpr-office", "municipality")
        else:
            assert service.pnr_key is None and not service.billable
            assert service.groups == ("cpr-office", "municipality", "church-office")
    assert cat.find("VEJSOEG").describe()["requires_one_of"] == [["KOMK", "SOGN", "POST", "BYNVN"]]
    assert cat.find("VEJNVN").describe()["requires_one_of"] == [["KOMK", "POST"], ["VEJK", "VNVN"]]


# --- lookups -----------------------------------------------------------------------------------------


def test_myndighed_vej_vejnotat(gctp, rest):
    answer = gctp.call("MYNDIGHED", {"MYNK": "851"})
    assert _kvit(answer) == "0"
    assert answer["table"] == "MYNDIGHED"
    (row,) = answer["rows"]
    assert _values(row, "MYNKOD", "MYNTYP", "MYNNVN", "ADR2", "ADR3", "HAENSTART", "HAENSLUT") == (
        "0851", "05", "Aalborg", "Rantzausgade 6", "9000 Aalborg", "19910528", None)
    assert row["fields"]["MYNTYP"]["t"] == "Kommune"
    assert row["fields"]["TIMESTAMP"]["v"] == "200606291349"
    ended = gctp.call("MYNDIGHED", {"MYNK": "0181"})["rows"][0]
    assert _values(ended, "MYNNVN", "HAENSLUT") == ("Søllerød", "20061222")
    assert gctp.call("MYNDIGHED", {"MYNK": "9998"})["rows"] == []
    assert _kvit(gctp.call("MYNDIGHED", {"MYNK": "85A"})) == "18"
    assert _kvit(gctp.call("MYNDIGHED", {})) == "17"

    body = rest.get("/api/v1/myndighed", params={"authority": "5100"}).json()
    (record,) = body["records"]
    assert (record["authority_name"], record["authority_type_text"], record["country_alpha3"]) == (
        "Danmark", "Land", "DNK")
    assert rest.get("/api/v1/myndighed", params={"authority": "12345"}).status_code == 400

    answer = gctp.call("VEJ", {"KOMK": "0851", "VEJK": "4"})
    assert _kvit(answer) == "0"
    odd, even = answer["rows"]
    assert _values(odd, "KOMKOD", "VEJKOD", "VEJADRNVN", "HUSNRFRA", "HUSNRTIL", "LIGEULIGE", "POSTNR") == (
        "0851", "0004", "Absalonsbakken", "001", "011", "U", "9293")
    assert odd["fields"]["POSTNR"]["t"] == "Kongerslev"
    assert odd["fields"]["KOMKOD"]["t"] == "Aalborg"
    assert _values(odd, "TIDLMRK") == (None,)
    assert _values(even, "HUSNRFRA", "HUSNRTIL", "LIGEULIGE") == ("002", "010", "L")
    one_sided = gctp.call("VEJ", {"KOMK": "0851", "VEJK": "0307"})["rows"]
    assert [_values(r, "VEJADRNVN", "HUSNRTIL") for r in one_sided] == [("Banevej", "013")]
    assert gctp.call("VEJ", {"KOMK": "0851", "VEJK": "9999"})["rows"] == []
    assert _kvit(gctp.call("VEJ", {"KOMK": "0851"})) == "17"
    body = rest.get("/api/v1/vej", params={"municipality": "851", "road": "0005"}).json()
    assert {(r["road_name"], r["postal_district"], r["house_no_to"]) for r in body["records"]} == {
        ("Absalonsengen", "Aalborg SØ", "111"), ("Absalonsengen", "Aalborg SØ", "110")}
    assert rest.get("/api/v1/vej", params={"municipality": "0851"}).json()["kvit"] == 17

    answer = gctp.call("VEJNOTAT", {"KOMK": "0851", "VEJK": "0004"})
    assert (_kvit(answer), answer["rows"]) == ("0", [])
    assert rest.get("/api/v1/vejnotat", params={"municipality": "0851", "road": "4"}).json()["records"] == []
    assert rest.get("/api/v1/vejnotat", params={"road": "4"}).status_code == 400


def test_distrikt_vejhenv(gctp, rest):
    answer = gctp.call("DISTRIKT", {"KOMK": "0851", "VEJK": "0004", "HNR": "7"})
    assert _kvit(answer) == "0"
    (row,) = answer["rows"]
    assert _values(row, "VEJKOD", "LIGEULIGE", "POSTNR", "REGIONKOD", "RETSKOD", "POLITIKOD", "SOGNEKOD") == (
        "0004", "U", "9293", "1081", "1178", "1460", None)
    assert row["fields"]["REGIONKOD"]["t"] == "Region Nordjylland"
    assert row["fields"]["VEJKOD"]["t"] == "Absalonsbakken"
    assert len(gctp.call("DISTRIKT", {"KOMK": "0851", "VEJK": "0004"})["rows"]) == 2
    assert gctp.call("DISTRIKT", {"KOMK": "0851", "VEJK": "0004", "HNR": "13"})["rows"] == []  # odd side ends at 11
    assert gctp.call("DISTRIKT", {"KOMK": "0851", "VEJK": "0004", "HNR": "10B"})["rows"][0]["fields"][
        "LIGEULIGE"]["v"] == "L"
    assert _kvit(gctp.call("DISTRIKT", {"KOMK": "0851", "VEJK": "0004", "HNR": "X1"})) == "18"
    assert _kvit(gctp.call("DISTRIKT", {"VEJK": "0004"})) == "17"
    body = rest.get("/api/v1/distrikt", params={"municipality": "0851", "road": "0004", "house_no": "2"}).json()
    (record,) = body["records"]
    assert (record["side"], record["tax_office_name"], record["school_district"]) == ("L", "Aalborg Skat", None)
    assert rest.get("/api/v1/distrikt", params={"municipality": "0851", "road": "4", "house_no": "0"}).json()[
        "kvit"] == 18

    answer = gctp.call("VEJHENV", {"KOMK": "0851", "VEJK": "0020"})
    assert [_values(r, "VEJKOD", "HUSNRTIL", "POSTNR", "TILKOMKOD") for r in answer["rows"]] == [
        ("0020", "013", "9380", None), ("0020", "014", "9380", None)]
    assert answer["rows"][0]["fields"]["POSTNR"]["t"] == "Vestbjerg"
    assert _kvit(gctp.call("VEJHENV", {"KOMK": "0851", "VEJK": "ABCD"})) == "18"
    body = rest.get("/api/v1/vejhenv", params={"municipality": "0851", "road": "20"}).json()
    assert [r["postal_district"] for r in body["records"]] == ["Vestbjerg", "Vestbjerg"]
    assert rest.get("/api/v1/vejhenv", params={"municipality": "0101", "road": "9999"}).json()["records"] == []


# --- helper searches ---------------------------------------------------------------------------------


def test_vejsoeg_vejnvn(gctp, rest):
    answer = gctp.call("VEJSOEG", {"KOMK": "0851", "POST": "9293", "MAXA": "3"})
    assert _kvit(answer) == "0"
    assert [(r["k"], *_values(r, "VEJADRNVN", "POSTNR")) for r in answer["rows"]] == [
        ("08510004", "Absalonsbakken", "9293"), ("08510080", "Agerparken", "9293"), ("08510118", "Ahornvej", "9293")]
    following = gctp.call("VEJSOEG", {"KOMK": "0851", "POST": "9293", "MAXA": "2", "REST": "08510118"})
    assert [r["k"] for r in following["rows"]] == ["08510283", "08510307"]
    assert len(gctp.call("VEJSOEG", {"POST": "9293", "MAXA": "1000"})["rows"]) == 97
    town = gctp.call("VEJSOEG", {"KOMK": "0851", "BYNVN": "kongerslev", "MAXA": "1000"})["rows"]
    assert len(town) == 97 and {r["fields"]["POSTNR"]["t"] for r in town} == {"Kongerslev"}
    assert gctp.call("VEJSOEG", {"SOGN": "8321"})["rows"] == []  # the road register holds no parishes
    assert _kvit(gctp.call("VEJSOEG", {"SOGN": "0851"})) == "18"  # not a parish
    assert _kvit(gctp.call("VEJSOEG", {"MAXA": "10"})) == "17"
    assert _kvit(gctp.call("VEJSOEG", {"KOMK": "0851", "MAXA": "0"})) == "18"
    body = rest.get("/api/v1/vejsoeg", params={"postal_code": "9293", "max_rows": "2"}).json()
    assert [r["road_name"] for r in body["records"]] == ["Absalonsbakken", "Agerparken"]
    assert body["info"]["more"] is True and body["info"]["restart"] == "08510080"
    assert rest.get("/api/v1/vejsoeg", params={"max_rows": "2"}).status_code == 400

    answer = gctp.call("VEJNVN", {"KOMK": "0851", "VNVN": "absalons"})
    assert [_values(r, "VEJKOD", "VEJADRNVN") for r in answer["rows"]][:3] == [
        ("0004", "Absalonsbakken"), ("0005", "Absalonsengen"), ("0020", "Absalonsgade")]
    assert len(answer["rows"]) == 8
    by_post = gctp.call("VEJNVN", {"POST": "9210", "VEJK": "5"})["rows"]
    assert [_values(r, "KOMKOD", "VEJADRNVN") for r in by_post] == [("0851", "Absalonsengen")]
    assert gctp.call("VEJNVN", {"POST": "9293", "VEJK": "5"})["rows"] == []
    assert _kvit(gctp.call("VEJNVN", {"KOMK": "0851"})) == "17"
    assert _kvit(gctp.call("VEJNVN", {"VNVN": "Absalonsvej"})) == "17"
    body = rest.get("/api/v1/vejnvn", params={"municipality": "0851", "road_name": "ABSALONSVEJ"}).json()
    assert [(r["road"], r["postal_district"]) for r in body["records"]] == [("0051", "Vodskov")]
    assert rest.get("/api/v1/vejnvn", params={"municipality": "0851", "road": "x"}).json()["kvit"] == 18


def test_mynsoeg_postnr_mynkode(gctp, rest):
    answer = gctp.call("MYNSOEG", {"MYNNVN": "ålborg", "MYNTYP": "05"})
    assert [(r["k"], *_values(r, "MYNNVN", "MYNTYP")) for r in answer["rows"]] == [("0851", "Aalborg", "05")]
    parishes = gctp.call("MYNSOEG", {"MYNNVN": "Aalborg", "MYNTYP": "25", "MAXA": "500"})["rows"]
    assert ("8374", "Hasseris,Aalborg") in [_values(r, "MYNKOD", "MYNNVN") for r in parishes]
    assert gctp.call("MYNSOEG", {"MYNNVN": "Søllerød", "MYNTYP": "05"})["rows"] == []  # ended in 2006
    ended = gctp.call("MYNSOEG", {"MYNNVN": "SØLLERØD", "HIST": "X"})["rows"]
    assert ("0181", "20061222") in [_values(r, "MYNKOD", "HAENSLUT") for r in ended]
    assert _kvit(gctp.call("MYNSOEG", {"MYNTYP": "05"})) == "17"
    assert _kvit(gctp.call("MYNSOEG", {"MYNNVN": "Aalborg", "MYNTYP": "5X"})) == "18"
    body = rest.get("/api/v1/mynsoeg", params={"name": "danmark", "authority_type": "30"}).json()
    assert [(r["authority"], r["authority_name"]) for r in body["records"]] == [("5100", "Danmark")]

    answer = gctp.call("POSTNR", {"PDIS": "aalborg"})
    assert [_values(r, "POSTNR", "POSTDISTTXT", "GADEADRMRK") for r in answer["rows"]] == [
        ("9000", "Aalborg", "X"), ("9100", "Aalborg", None), ("9200", "Aalborg SV", "X"),
        ("9210", "Aalborg SØ", "X"), ("9220", "Aalborg Øst", "X")]
    assert answer["rows"][0]["fields"]["KOMKOD"]["t"] == "Aalborg"
    assert gctp.call("POSTNR", {"POST": "0001"})["rows"] == []
    assert _kvit(gctp.call("POSTNR", {})) == "17"
    assert _kvit(gctp.call("POSTNR", {"POST": "90000"})) == "18"
    body = rest.get("/api/v1/postnr", params={"postal_code": "9293"}).json()
    assert [(r["postal_district"], r["municipality"]) for r in body["records"]] == [("Kongerslev", "0851")]

    answer = gctp.call("MYNKODE", {"MYNK": "5100"})
    assert [_values(r, "MYNKOD", "MYNNVN", "MYNTYP") for r in answer["rows"]] == [("5100", "Danmark", "30")]
    assert "0181" in [r["k"] for r in gctp.call("MYNKODE", {"MYNNVN": "Søllerød"})["rows"]]
    assert _kvit(gctp.call("MYNKODE", {})) == "17"
    body = rest.get("/api/v1/mynkode", params={"authority": "0851", "name": "aalb"}).json()
    assert [r["authority_name"] for r in body["records"]] == ["Aalborg"]
    assert rest.get("/api/v1/mynkode", params={"authority": "0851", "name": "odense"}).json()["records"] == []


# --- AJOURF and KODETEKST -------------------------------------------------------------------------------


def test_ajourf(gctp, rest, live):
    answer = gctp.call("AJOURF", {"PNR": "0101005038", "FRA": "20011112", "TIL": "20011112"})
    assert _kvit(answer) == "0"
    assert answer["table"] == "AJOURF"
    rows = [_values(r, "PNR", "TIMESTAMPU", "HAENDELSE", "AFLEDTMRK") for r in answer["rows"]]
    assert rows == [("0101005038", "200111120929", "A36", None), ("0101005038", "200111120936", "A37", None)]
    assert answer["rows"][0]["fields"]["HAENDELSE"]["t"] == "Hændelse A36"
    later = gctp.call("AJOURF", {"PNR": "0101005038", "FRA": "200111120930"})["rows"]
    assert [r["fields"]["HAENDELSE"]["v"] for r in later] == ["A37"]
    assert gctp.call("AJOURF", {"PNR": "0101005038", "FRA": "20020101"})["rows"] == []
    assert _kvit(gctp.call("AJOURF", {"PNR": "0101005038"})) == "17"
    assert _kvit(gctp.call("AJOURF", {"PNR": "0101005038", "FRA": "20011340"})) == "18"
    assert _kvit(gctp.call("AJOURF", {"PNR": "0101005038", "FRA": "20011113", "TIL": "20011112"})) == "18"
    assert _kvit(gctp.call("AJOURF", {"PNR": "3201005038", "FRA": "20011112"})) == "52"
    assert _kvit(gctp.call("AJOURF", {"PNR": "0707614307", "FRA": "20011112"})) == "172"

    body = rest.get("/api/v1/ajourf", params={"pnr": "0101005038", "since": "200111120900",
                                              "until": "200111120930"}).json()
    assert [(r["registered_at"][:16], r["event_code"], r["event_text"]) for r in body["records"]] == [
        ("2001-11-12T09:29", "A36", "Hændelse A36")]
    assert rest.get("/api/v1/ajourf", params={"pnr": "0101005038"}).status_code == 400
    assert rest.get("/api/v1/ajourf", params={"pnr": "0707614307", "since": "2001"}).status_code == 400

    from live import Gctp

    church = Gctp(live)
    code, _, password = TEST_USERS["church-office"]
    assert _kvit(church.signon(code, password)) == "900"
    assert _kvit(church.call("AJOURF", {"PNR": "0101005038", "FRA": "20011112"})) == "5"
    assert _kvit(church.call("MYNDIGHED", {"MYNK": "0851"})) == "0"


def test_kodetekst(gctp, rest):
    answer = gctp.call("KODETEKST", {"KODETYPE": "CIVST"})
    assert _kvit(answer) == "0"
    texts = {r["fields"]["KODE"]["v"]: r["fields"]["KODE"]["t"] for r in answer["rows"]}
    assert texts["G"] == "Gift" and texts["U"] == "Ugift" and len(texts) == 8
    (status,) = gctp.call("KODETEKST", {"KODETYPE": "status", "KODE": "1"})["rows"]
    assert status["fields"]["KODE"] == {"v": "01", "t": "Aktiv, bopæl i dansk folkeregister", "ts": "Aktiv",
                                        "tl": "Aktiv, bopæl i dansk folkeregister"}
    (event,) = gctp.call("KODETEKST", {"KODETYPE": "HAENDELSE", "KODE": "a01"})["rows"]
    assert (event["fields"]["KODE"]["v"], event["fields"]["KODE"]["t"]) == ("A01", "Flytning")
    (municipality,) = gctp.call("KODETEKST", {"KODETYPE": "KOMKOD", "KODE": "851"})["rows"]
    assert (municipality["fields"]["KODE"]["v"], municipality["fields"]["KODE"]["t"]) == ("0851", "Aalborg")
    (kind,) = gctp.call("KODETEKST", {"KODETYPE": "MYNTYP", "KODE": "25"})["rows"]
    assert kind["fields"]["KODE"]["t"] == "Sogn"
    assert gctp.call("KODETEKST", {"KODETYPE": "CIVST", "KODE": "Q"})["rows"] == []
    assert _kvit(gctp.call("KODETEKST", {"KODE": "G"})) == "17"
    assert _kvit(gctp.call("KODETEKST", {"KODETYPE": "SKONUMMER"})) == "18"

    body = rest.get("/api/v1/kodetekst", params={"code_type": "country", "code": "5100"}).json()
    assert [(r["code"], r["text"]) for r in body["records"]] == [("5100", "Danmark")]
    body = rest.get("/api/v1/kodetekst", params={"code_type": "BESKYTTYPE"}).json()
    assert [r["code"] for r in body["records"]] == ["0001", "0002", "0003", "0004", "0005"]
    assert rest.get("/api/v1/kodetekst", params={"code_type": "nope"}).json()["kvit"] == 18
