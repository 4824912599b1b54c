"""Update services over GCTP and REST: the dialogue, a move read back through the search services,
conflicts, future-dated events applied by run-due."""

from __future__ import annotations

from lxml import etree

from conftest import TEST_USERS
from live import Gctp, update_request
from opencpr.formats.gctp import read_answer

CPR = {"cpr": "http://www.cpr.dk"}
JENS = "0707614285"  # Jens Mortensen, Industrivænget 95,1 mf, 0851 Aalborg


def tables(body: bytes) -> dict[str, list[dict[str, dict]]]:
    root = etree.fromstring(body)
    out = {}
    for table in root.xpath("//cpr:CprData/cpr:Rolle/cpr:Table", namespaces=CPR):
        out[table.get("r")] = [{f.get("r"): dict(f.attrib) for f in row} for row in table]
    return out


def header(body: bytes) -> dict[str, str]:
    return dict(etree.fromstring(body).xpath("//cpr:CprServiceHeader", namespaces=CPR)[0].attrib)


def actions(body: bytes) -> list[str]:
    return etree.fromstring(body).xpath("//cpr:CprServiceHeader/cpr:Table[@r='Handlinger']/cpr:Row/cpr:Field/@v",
                                        namespaces=CPR)


def municipality_client(live) -> Gctp:
    client = Gctp(live)
    code, _, password = TEST_USERS["municipality"]
    assert client.signon(code, password)["kvit"]["v"] == "900"
    return client


def test_a_move_through_the_whole_dialogue(live):
    client = municipality_client(live)
    keys = {"PNR": JENS, "HDTO": "20141027"}
    _, _, body = client.post(update_request("A01", "initier", keys, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "0", body
    ts = header(body)["ts"]
    assert len(ts) == 20 and actions(body) == ["valider", "annuller"]
    master = tables(body)["Stamdata"][0]
    assert master["ADRNVN"]["v"] == "Jens Mortensen" and master["STATUS"]["t"]
    assert tables(body)["address"][0]["VEJKOD"]["v"] == "8512"

    data = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7", "ETAGE": "2", "SIDEDOER": "tv"}
    _, _, body = client.post(update_request("A01", "valider", keys, data, ts=ts, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "0", body
    assert actions(body) == ["valider", "gem", "annuller"]
    translated = tables(body)["Data"][0]
    assert translated["KOMKOD"]["t"] == "Aalborg" and translated["VEJKOD"].get("t")
    assert translated["HUSNR"]["v"] == "007" and translated["ETAGE"]["v"] == "02"

    _, _, body = client.post(update_request("A01", "gem", keys, data, ts=ts, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "0", body
    receipt = tables(body)["Kvittering"][0]
    assert receipt["STED"]["v"] == "register" and receipt["HAENDELSE"]["v"] == "A01"

    stam = client.call("Stam+", {"PNR": JENS})
    fields = stam["rows"][0]["fields"]
    assert fields["VEJKOD"]["v"] == "0004" and fields["STADR"]["v"].endswith(" 7,2 tv")
    history = client.call("ADRESSE1", {"PNR": JENS})
    assert [r["fields"]["VEJKOD"]["v"] for r in history["rows"]][:2] == ["0004", "8512"]
    log = client.call("AJOURF", {"PNR": JENS, "FRA": "20141027"})
    assert [r["fields"]["HAENDELSE"]["v"] for r in log["rows"]] == ["A01"]


def test_invalid_move_lists_every_problem(live):
    client = municipality_client(live)
    keys = {"PNR": JENS, "HDTO": "20141027"}
    _, _, body = client.post(update_request("A01", "initier", keys, mk="0851"))
    ts = header(body)["ts"]
    _, _, body = client.post(update_request("A01", "valider", keys, {"KOMKOD": "0851", "VEJKOD": "0004",
                                                                     "HUSNR": "999"}, ts=ts, mk="0851"))
    answer = read_answer(body)
    assert answer["kvit"]["v"] == "5403"
    lines = etree.fromstring(body).xpath("//cpr:Kvit//cpr:Field[@r='Kvittxt']/@v", namespaces=CPR)
    assert any("Husnummeret findes ikke" in line for line in lines), lines
    _, _, body = client.post(update_request("A01", "valider", keys, {"KOMKOD": "9999", "HUSNR": "x"}, ts=ts,
                                            mk="0851"))
    lines = etree.fromstring(body).xpath("//cpr:Kvit//cpr:Field[@r='Kvittxt']/@v", namespaces=CPR)
    assert any(line.startswith("4003 KOMKOD") for line in lines), lines
    assert any(line.startswith("4002 HUSNR") for line in lines), lines
    assert any(line.startswith("4001 VEJKOD") for line in lines), lines
    # the keys may not change after initiation
    _, _, body = client.post(update_request("A01", "valider", {"PNR": JENS, "HDTO": "20141028"},
                                            {"KOMKOD": "0851"}, ts=ts, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "5404"
    # saving before a successful validation
    _, _, body = client.post(update_request("A01", "gem", keys, ts=ts, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "5402"
    _, _, body = client.post(update_request("A01", "annuller", keys, ts=ts, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "0"
    _, _, body = client.post(update_request("A01", "gem", keys, ts=ts, mk="0851"))
    assert read_answer(body)["kvit"]["v"] == "5401"


def test_the_same_dialogue_over_rest(live):
    import httpx

    base = f"http://127.0.0.1:{live}/api/v1"
    code, _, password = TEST_USERS["municipality"]
    token = httpx.post(f"{base}/signon", json={"user_code": code, "password": password}).json()["token"]
    with httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}) as client:
        catalogue = client.get("/events").json()
        assert {"A01", "A21", "B29"} <= {e["code"] for e in catalogue["events"]}
        keys = {"pnr": JENS, "event_date": "20141027"}
        started = client.post("/events/A01/initiate", json=keys).json()
        assert started["actions"] == ["validate", "cancel"] and started["records"][0]["addressing_name"] == \
            "Jens Mortensen"
        refused = client.post("/events/A01/validate", json={**keys, "session": started["session"],
                                                            "data": {"KOMKOD": "0851", "VEJKOD": "0004"}})
        assert refused.status_code == 422
        assert refused.json()["kvit"] == 5403
        assert refused.json()["problems"] == [{"code": 4001, "field": "HUSNR", "text": "HUSNR skal udfyldes"}]
        data = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7"}
        valid = client.post("/events/A01/validate", json={**keys, "session": started["session"], "data": data})
        assert valid.status_code == 200 and valid.json()["texts"]["municipality"] == "Aalborg"
        saved = client.post("/events/A01/save", json={**keys, "session": started["session"], "data": data})
        assert saved.status_code == 200 and saved.json()["receipt"]["where"] == "register"
        again = client.post("/events/A01/save", json={**keys, "session": started["session"], "data": data})
        assert again.status_code == 404 and again.json()["kvit"] == 5401
        varde = client.post("/events/A13/initiate", json={"pnr": "0701614038", "event_date": "20141020"})
        assert varde.status_code == 403 and varde.json()["kvit"] == 5  # lives in Varde: not the user's municipality
        other = client.post("/events/A13/initiate", json={"pnr": JENS, "event_date": "20141020",
                                                          "authority": "0573"})
        assert other.status_code == 403 and other.json()["kvit"] == 184
        unknown = client.post("/events/A13/initiate", json={"pnr": JENS, "event_date": "20141020",
                                                            "authority": "9876"})
        assert unknown.status_code == 400 and unknown.json()["kvit"] == 4
        assert client.post("/events/Z99/initiate", json=keys).json()["kvit"] == 10
