"""GCTP over a live server: signon, the Token cookie, a Stam+ lookup, the basic Kvit answers."""

from __future__ import annotations

from opencpr.formats.gctp import read_answer


def test_signon_sets_a_token_cookie_and_stam_plus_answers(gctp):
    answer = gctp.call("Stam+", {"PNR": "0707614285"})
    assert answer["kvit"] == {"r": "Ok", "t": "", "v": "0"}
    assert answer["table"] == "Stam+"
    row = answer["rows"][0]["fields"]
    assert row["PNR"]["v"] == "0707614285"
    assert row["STADR"]["v"] == "Industrivænget 95,1 mf"


def test_unknown_token_is_kvit_901(live):
    from live import Gctp

    client = Gctp(live, token="ZZZxxxxx")
    answer = client.call("Stam+", {"PNR": "0707614285"})
    assert answer["kvit"]["v"] == "901"


def test_bad_xml_is_a_kvit_not_a_500(gctp):
    status, headers, body = gctp.post(b"<root><Gctp")
    assert status == 200
    assert read_answer(body)["kvit"]["v"] == "910"
