"""GCTP as real clients speak it (``cpr-protocols.md`` §1.11, §7), against a live server.

The request bytes are those of the public clients: the Ruby ``cpr-client`` gem (signon with
leading blanks and typographic quotes, STAMP read from ``Praes r="STAMPNR"``), CPR Broker's C#
client (a bare ``<Gctp>`` without namespace or ``<root>``, no Content-Type, a first cookie named
``TOKEN`` with a dummy value, Kvit found by ``//cpr:Kvit``), and hostile or broken documents.
"""

from __future__ import annotations

import re

import pytest
from lxml import etree

from conftest import TEST_USERS
from live import Gctp
from opencpr.formats.gctp import MAX_BODY, read_answer

CPR = {"cpr": "http://www.cpr.dk"}
CB_TOKEN = re.compile(r"[,;]?Token=(?P<token>[^;]+);")  # how CPR Broker reads the cookie

RUBY_SIGNON = """    <?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>
    <root xmlns="http://www.cpr.dk">
      <Gctp v=\u201d1.0\u201d>
        <Sik function="signon" userid="{user}" password="{password}"/>
      </Gctp>
    </root>
"""

RUBY_STAMP = """<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>
<root xmlns="http://www.cpr.dk">
  <Gctp v="1.0">
    <System r="CprSoeg">
      <Service r="STAMP">
        <CprServiceHeader r="STAMP">
          <Key>
            <Field r="PNR" v="{pnr}"/>
          </Key>
        </CprServiceHeader>
      </Service>
    </System>
  </Gctp>
</root>
"""

CB_STAM_PLUS = ('<Gctp v="1.0"><System r="CprSoeg"><Service r="Stam+"><CprServiceHeader r="Stam+"><Key>'
                '<Field r="PNR" v="{pnr}"/></Key></CprServiceHeader></Service></System></Gctp>')


def kvit(body: bytes) -> dict:
    """The receipt the way CPR Broker finds it: ``//cpr:Kvit`` in CPR's namespace, all three attributes."""
    found = etree.fromstring(body).xpath("//cpr:Kvit", namespaces=CPR)
    assert found, body
    attrs = found[0].attrib
    return {"r": attrs["r"], "v": attrs["v"], "t": attrs["t"]}


def test_ruby_client_signon_with_leading_blanks_and_typographic_quotes(live):
    code, _, password = TEST_USERS["private-company"]
    client = Gctp(live)
    body = RUBY_SIGNON.format(user=code, password=password).encode("utf-8")  # a Ruby string: UTF-8
    status, headers, answer = client.post(body, {"content-type": "text/xml", "user-agent": "CPR/1.0"})
    assert status == 200
    assert headers["content-type"].replace(" ", "").lower() == "text/xml;charset=iso-8859-1"
    assert answer.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"')
    root = etree.fromstring(answer)
    assert root.tag == "{http://www.cpr.dk}root"
    sik_kvit = root.xpath("/cpr:root/cpr:Gctp/cpr:Sik/cpr:Kvit", namespaces=CPR)[0]
    assert sik_kvit.attrib == {"r": "returKode", "t": "Signon udført", "v": "900"}
    cookie = headers["set-cookie"]
    match = CB_TOKEN.search(cookie)
    assert match and len(match["token"]) == 8 and "Expires=" in cookie


def test_ruby_client_stamp_reads_praes_and_the_session_stamp(live):
    code, _, password = TEST_USERS["private-company"]
    client = Gctp(live)
    client.signon(code, password)
    status, _, answer = client.post(RUBY_STAMP.format(pnr="0707614285"), {"content-type": "text/xml"})
    root = etree.fromstring(answer)
    assert kvit(answer) == {"r": "Ok", "v": "0", "t": ""}
    header = root.xpath("//cpr:CprServiceHeader[@r='STAMP']", namespaces=CPR)[0]
    assert re.fullmatch(r"\d{20}", header.get("ts"))
    # the gem keeps only fields that carry more than r
    fields = {f.get("r"): f.get("v") for f in root.xpath("//cpr:Praes[@r='STAMPNR']/cpr:Field", namespaces=CPR)
              if len(f.attrib) > 1}
    assert fields["PNR"] == "0707614285"
    assert fields["ADRNVN"] == "Jens Mortensen"
    assert fields["KOEN"] == "M"
    assert fields["FOEDDATO"] == "19610707"
    assert fields["STATUS"] == "01"
    assert fields["POSTNR"] == "9000"
    assert fields["STADR"] == "Industrivænget 95,1 mf"
    assert "BESKYT" not in fields  # no name and address protection


def test_ruby_client_signs_on_again_after_901(live):
    code, _, password = TEST_USERS["private-company"]
    client = Gctp(live, token="EXPIRED1")
    _, _, answer = client.post(RUBY_STAMP.format(pnr="0707614285"), {"content-type": "text/xml"})
    assert kvit(answer)["v"] == "901"
    assert client.signon(code, password)["kvit"]["v"] == "900"
    _, _, answer = client.post(RUBY_STAMP.format(pnr="0707614285"), {"content-type": "text/xml"})
    assert kvit(answer)["v"] == "0"


def test_cpr_broker_first_request_with_dummy_token_and_no_content_type(live):
    client = Gctp(live)
    body = CB_STAM_PLUS.format(pnr="0707614285").encode("iso-8859-1")
    status, _, answer = client.post(body, {"cookie": "TOKEN=ZZZxxxxxxxx"})
    assert status == 200
    assert kvit(answer) == {"r": "Fejl", "v": "901", "t": "Token kendes ikke"}


def test_cpr_broker_bare_gctp_without_namespace_any_case_cookie(live):
    code, _, password = TEST_USERS["cpr-office"]
    client = Gctp(live)
    logon = f'<root xmlns="http://www.cpr.dk"><Gctp v="1.0"><Sik function="signon" userid="{code}" ' \
            f'password="{password}"/></Gctp></root>'
    _, headers, answer = client.post(logon.encode("iso-8859-1"))
    assert kvit(answer)["v"] == "900"
    token = CB_TOKEN.search(headers["set-cookie"])["token"]
    _, _, answer = client.post(CB_STAM_PLUS.format(pnr="0707614285").encode("iso-8859-1"),
                               {"cookie": f"token={token}"})
    assert kvit(answer) == {"r": "Ok", "v": "0", "t": ""}
    rows = etree.fromstring(answer).xpath("//cpr:Rolle[@r='HovedRolle']/cpr:Table/cpr:Row[not(@u)]",
                                          namespaces=CPR)
    assert len(rows) == 1
    text = answer.decode("iso-8859-1")
    assert 'v="Industrivænget 95,1 mf"' in text


def test_password_change_then_signon_with_the_new_password(live):
    code, _, password = TEST_USERS["municipality"]
    client = Gctp(live)
    new = "Nyt-Kodeord-77"
    body = (f'<root xmlns="http://www.cpr.dk"><Gctp v="1.0"><Sik function="newpass" userid="{code}" '
            f'password="{password}" newpass1="{new}"/></Gctp></root>')
    _, headers, answer = client.post(body)
    assert kvit(answer)["v"] == "900"
    assert "set-cookie" in headers
    assert client.signon(code, password)["kvit"]["v"] == "905"
    assert client.signon(code, new)["kvit"]["v"] == "900"
    bad = (f'<root xmlns="http://www.cpr.dk"><Gctp v="1.0"><Sik function="newpass" userid="{code}" '
           f'password="{new}" newpass1="short"/></Gctp></root>')
    _, _, answer = client.post(bad)
    assert kvit(answer)["v"] == "908"


@pytest.mark.parametrize("keys, code", [
    ({"PNR": "0707614286"}, "52"),  # fails modulus 11
    ({"PNR": "07076142"}, "52"),
    ({"PNR": "1705800029"}, "172"),  # valid, nobody has it
    ({"PNR": "0707614285", "FOO": "1"}, "16"),
    ({}, "17"),
])
def test_bad_keys_are_kvit_codes(gctp, keys, code):
    answer = gctp.call("Stam+", keys)
    assert answer["kvit"]["v"] == code, answer
    assert answer["kvit"]["r"] == "Fejl" and answer["kvit"]["t"]


def test_unknown_service_and_no_access(live, gctp):
    assert gctp.call("NOSUCH", {"PNR": "0707614285"})["kvit"]["v"] == "10"
    private = Gctp(live)
    code, _, password = TEST_USERS["private-company"]
    private.signon(code, password)
    answer = private.call("Stam+", {"PNR": "0707614285"})
    assert answer["kvit"]["v"] == "5"
    assert private.call("STAMP", {"PNR": "0707614285"})["kvit"]["v"] == "0"


@pytest.mark.parametrize("body, code", [
    (b"", "910"),
    (b"   ", "910"),
    (b"<root><Gctp", "910"),
    (b"not xml at all", "910"),
    (b'<root xmlns="http://www.cpr.dk"><Other/></root>', "910"),
    (b"<Html><Body/></Html>", "910"),
    (b'<Gctp v="1.0"><Sik function="format" userid="A" password="B"/></Gctp>', "910"),
    (b'<!DOCTYPE root [<!ENTITY x SYSTEM "file:///etc/passwd">]><root xmlns="http://www.cpr.dk">'
     b'<Gctp v="1.0"><Sik function="signon" userid="&x;" password="p"/></Gctp></root>', "911"),
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
     b'<Gctp v="1.0"><Sik function="signon" userid="&lol2;" password="p"/></Gctp>', "911"),
    (b'<Gctp v="1.0"><System r="CprSoeg"><Service r="Stam+"><CprServiceHeader r="Stam+"><Key>'
     b'<Field v="1"/></Key></CprServiceHeader></Service></System></Gctp>', "910"),
])
def test_broken_and_hostile_documents_get_a_kvit(gctp, body, code):
    status, headers, answer = gctp.post(body)
    assert status == 200
    assert kvit(answer)["v"] == code


def test_oversized_body_is_refused_and_the_server_keeps_answering(gctp):
    status, _, answer = gctp.post(b"<Gctp>" + b" " * (MAX_BODY + 10) + b"</Gctp>")
    assert status == 200 and kvit(answer)["v"] == "912"
    assert gctp.call("Stam+", {"PNR": "0707614285"})["kvit"]["v"] == "0"


def test_latin1_answer_and_the_root_namespace(gctp):
    _, _, answer = gctp.post(CB_STAM_PLUS.format(pnr="0707614285"))
    assert answer.startswith(b'<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>')
    assert b"Industriv\xe6nget" in answer  # æ as one ISO-8859-1 byte
    parsed = read_answer(answer)
    assert parsed["rows"][0]["fields"]["VEJADRNVN"]["v"] == "Industrivænget"
