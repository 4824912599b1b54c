"""What the fuzzers send (Hypothesis strategies) and what every answer must be; shared by
tests/test_fuzz.py (bounded, in CI) and bench/fuzz.py (the long run)."""

from __future__ import annotations

import http.client
import time

from hypothesis import strategies as st

from opencpr.formats.gctp import read_answer

SERVICES = ["STAMP", "Stam+", "Familie+", "navne3", "ADRESSE3", "adresse4", "ADRSOG1", "NVNSOG2", "A01", "NOSUCH",
            "", "stam+", "PRIV"]
FIELDS = ["PNR", "pnr", "KOMK", "VEJK", "HNR", "NVN", "FNVN", "FOEDDTO", "MAXA", "HDTO", "mk", "X", ""]
SYSTEMS = ["CprSoeg", "CprAjour", "KontaktAdresse", "", "x"]
PNRS = ["0707614285", "0101965058", "070761-4285", "0000000000", "1234567890", "abc", "", "07076142850"]

_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
_value = st.one_of(st.sampled_from(PNRS), _text, st.integers(-10**12, 10**12).map(str))


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


@st.composite
def gctp_service(draw) -> bytes:
    service = draw(st.one_of(st.sampled_from(SERVICES), _text))
    system = draw(st.sampled_from(SYSTEMS))
    fields = draw(st.lists(st.tuples(st.one_of(st.sampled_from(FIELDS), _text), _value), max_size=6))
    header = draw(st.dictionaries(st.sampled_from(["ts", "a", "mk", "st", "pt", "u"]), _text, max_size=3))
    data = draw(st.lists(st.tuples(st.sampled_from(["KOMKOD", "VEJKOD", "HUSNR", "x"]), _value), max_size=4))
    attrs = "".join(f' {k}="{_attr(v)}"' for k, v in header.items())
    keys = "".join(f'<Field r="{_attr(k)}" v="{_attr(v)}"/>' for k, v in fields)
    body = "".join(f'<Field r="{_attr(k)}" v="{_attr(v)}"/>' for k, v in data)
    doc = (f'<Gctp v="1.0"><System r="{_attr(system)}"><Service r="{_attr(service)}">'
           f'<CprServiceHeader r="{_attr(service)}"{attrs}><Key>{keys}</Key></CprServiceHeader>'
           + (f'<CprData><Rolle r="HovedRolle">{body}</Rolle></CprData>' if data else "")
           + "</Service></System></Gctp>")
    if draw(st.booleans()):
        doc = f'<root xmlns="http://www.cpr.dk">{doc}</root>'
    encoding = draw(st.sampled_from(["iso-8859-1", "utf-8", "nonsense"]))
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>' if draw(st.booleans()) else ""
    raw = (declaration + doc).encode("utf-8" if encoding == "utf-8" else "iso-8859-1", "xmlcharrefreplace")
    return draw(_mutated(raw))


@st.composite
def gctp_signon(draw) -> bytes:
    function = draw(st.sampled_from(["signon", "newpass", "", "x"]))
    user, password = draw(_text), draw(_text)
    extra = f' newpass1="{_attr(draw(_text))}"' if function == "newpass" else ""
    doc = (f'<Gctp v="1.0"><Sik function="{function}" userid="{_attr(user)}" password="{_attr(password)}"{extra}/>'
           f'</Gctp>')
    return draw(_mutated(doc.encode("utf-8")))


def _mutated(raw: bytes):
    """The document, or it cut, with bytes flipped, with a DTD, or nested deep."""
    return st.one_of(
        st.just(raw),
        st.integers(0, len(raw)).map(lambda n: raw[:n]),
        st.tuples(st.integers(0, max(0, len(raw) - 1)), st.binary(min_size=1, max_size=4))
        .map(lambda t: raw[:t[0]] + t[1] + raw[t[0] + len(t[1]):]),
        st.just(b'<!DOCTYPE r [<!ENTITY x "y">]>' + raw),
        st.integers(1, 3000).map(lambda n: b"<a>" * n + raw + b"</a>" * n),
    )


gctp_documents = st.one_of(gctp_service(), gctp_signon(), st.binary(max_size=300))


def post_gctp(port: int, body: bytes, token: str | None, timeout: float = 10.0) -> tuple[int, bytes, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"content-type": "text/xml"}
        if token:
            headers["cookie"] = f"Token={token}"
        conn.request("POST", "/cpr-online-gctp/gctp", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), time.monotonic() - started
    finally:
        conn.close()


def check_gctp_answer(status: int, answer: bytes, took: float, limit: float) -> None:
    """HTTP 200, a readable answer with a Kvit that is not 999, within ``limit`` seconds."""
    assert status == 200, (status, answer[:300])
    kvit = read_answer(answer)["kvit"]
    assert kvit["v"] != "999", answer[:500]
    assert took < limit, took
