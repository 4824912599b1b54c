"""REST/JSON over a live server: signon with a bearer token, the catalogue's routes, 4xx errors, OpenAPI."""

from __future__ import annotations

import httpx

from conftest import TEST_USERS
from opencpr.services.catalogue import catalogue


def test_stam_plus_as_json(rest):
    answer = rest.get("/api/v1/stam-plus", params={"pnr": "0707614285"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["service"] == "Stam+"
    record = body["records"][0]
    assert record["pnr"] == "0707614285"
    assert record["standard_address"] == "Industrivænget 95,1 mf"
    assert record["postal_code"] == "9000" and record["postal_district"] == "Aalborg"


def test_cpr_key_names_are_accepted_too(rest):
    assert rest.get("/api/v1/stam-plus", params={"PNR": "0707614285"}).json()["records"][0]["sex"] == "M"


def test_errors_are_json_with_kvit_and_a_4xx_status(live, rest):
    cases = [
        (rest.get("/api/v1/stam-plus", params={"pnr": "0707614286"}), 400, 52),
        (rest.get("/api/v1/stam-plus", params={"pnr": "1705800029"}), 404, 172),
        (rest.get("/api/v1/stam-plus", params={"pnr": "0707614285", "colour": "red"}), 400, 16),
        (rest.get("/api/v1/stam-plus"), 400, 17),
        (httpx.get(f"http://127.0.0.1:{live}/api/v1/stam-plus", params={"pnr": "0707614285"}), 401, 901),
        (httpx.get(f"http://127.0.0.1:{live}/api/v1/stam-plus", params={"pnr": "0707614285"},
                   headers={"authorization": "Bearer NOTATOKN"}), 401, 901),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        assert response.json()["kvit"] == code
        assert response.json()["text"]


def test_signon_refusals_and_no_access(live):
    base = f"http://127.0.0.1:{live}/api/v1"
    code, _, password = TEST_USERS["private-company"]
    wrong = httpx.post(f"{base}/signon", json={"user_code": code, "password": "Wrong-pass1!"})
    assert wrong.status_code == 401 and wrong.json()["kvit"] == 905
    unknown = httpx.post(f"{base}/signon", json={"user_code": "NOBODY", "password": "x"})
    assert unknown.status_code == 401 and unknown.json()["kvit"] == 902
    malformed = httpx.post(f"{base}/signon", json={"user": code})
    assert malformed.status_code == 422 and "kvit" in malformed.json()
    token = httpx.post(f"{base}/signon", json={"user_code": code, "password": password}).json()["token"]
    auth = {"authorization": f"Bearer {token}"}
    refused = httpx.get(f"{base}/stam-plus", params={"pnr": "0707614285"}, headers=auth)
    assert refused.status_code == 403 and refused.json()["kvit"] == 5
    allowed = httpx.get(f"{base}/stamp", params={"pnr": "0707614285"}, headers=auth)
    assert allowed.status_code == 200 and allowed.json()["records"][0]["addressing_name"] == "Jens Mortensen"
    assert httpx.post(f"{base}/signoff", headers=auth).json() == {"signed_off": True}
    assert httpx.get(f"{base}/stamp", params={"pnr": "0707614285"}, headers=auth).status_code == 401


def test_openapi_describes_every_catalogue_service(live):
    base = f"http://127.0.0.1:{live}"
    spec = httpx.get(f"{base}/openapi.json").json()
    for service in catalogue().values():
        path = spec["paths"][f"/api/v1/{service.slug}"]["get"]
        assert {p["name"] for p in path["parameters"]} == {k.param for k in service.keys}
        assert service.name in path["summary"]
    assert "/api/v1/signon" in spec["paths"]
    docs = httpx.get(f"{base}/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_published_specifications_match_the_catalogue(live):
    published = httpx.get(f"http://127.0.0.1:{live}/cpr-online-gctp/services").json()
    names = [s["name"] for s in published["services"]]
    assert names == [s.name for s in catalogue().values()]
    stam = next(s for s in published["services"] if s["name"] == "Stam+")
    assert stam["keys"][0]["name"] == "PNR" and stam["keys"][0]["required"] is True
    postnr = next(f for f in stam["fields"] if f["name"] == "POSTNR")
    assert postnr["texts"] == {"t": "postal_district"}
    assert {k["code"] for k in published["kvit"]} >= {0, 5, 16, 52, 172, 900, 901}
