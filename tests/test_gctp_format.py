"""The GCTP writer and reader without a server: escaping, encodings, shapes."""

from __future__ import annotations

import pytest
from lxml import etree

from opencpr.formats.gctp import (
    Answer,
    FieldValue,
    GctpError,
    decode,
    parse_request,
    read_answer,
    service_answer,
)


def test_values_are_escaped_and_characters_outside_latin1_become_references():
    answer = Answer("CprSoeg", "Stam+", {"ts": "20141027120000000001"}, "table", "Stam+",
                    rows=[("0", [FieldValue("ADRNVN", 'Łukasz "Lu" <&> Ærø', t="x\ty"),
                                 FieldValue("TOM")])])
    body = service_answer("1.0", answer)
    assert b"&#321;ukasz &quot;Lu&quot; &lt;&amp;&gt; \xc6r\xf8" in body
    parsed = read_answer(body)
    assert parsed["rows"][0]["fields"]["ADRNVN"] == {"v": 'Łukasz "Lu" <&> Ærø', "t": "x\ty"}
    assert parsed["rows"][0]["fields"]["TOM"] == {}
    assert parsed["header"]["ts"] == "20141027120000000001"
    etree.fromstring(body)  # well-formed


def test_shapes():
    flat = service_answer("1.0", Answer("CprSoeg", "ADRESSE3", shape="flat", flat=[FieldValue("HUSNR", "002")]))
    assert b'<Rolle r="HovedRolle"><Field r="HUSNR" v="002"/></Rolle>' in flat
    praes = service_answer("2.0", Answer("CprSoeg", "STAMP", shape="praes", table="STAMPNR",
                                         flat=[FieldValue("PNR", "0707614285")]))
    assert b'<Gctp v="2.0">' in praes and b'<Praes r="STAMPNR"><Field r="PNR" v="0707614285"/></Praes>' in praes
    search = service_answer("1.0", Answer("CprSoeg", "ADRSOG1", shape="search", table="ADRSOEG",
                                          head=[FieldValue("BEMAERK")], summary=("K0", [FieldValue("VEJKOD", "8512")]),
                                          rows=[("K1", [FieldValue("PNR", "0812015028")])],
                                          tail=[FieldValue("SEARCH_ID", "42")]))
    parsed = read_answer(search)
    assert parsed["summary"] == {"k": "K0", "fields": {"VEJKOD": {"v": "8512"}}}
    assert parsed["rows"] == [{"k": "K1", "fields": {"PNR": {"v": "0812015028"}}}]
    assert parsed["fields"] == {"BEMAERK": {}, "SEARCH_ID": {"v": "42"}}
    empty = service_answer("1.0", Answer("KontaktAdresse", "adresse4", table="adresse4"))
    assert b'<Table r="adresse4"/>' in empty


def test_declared_encodings():
    assert decode('<?xml version="1.0" encoding="UTF-8"?><a v="æ"/>'.encode()) == '<a v="æ"/>'
    assert decode('<?xml version="1.0" encoding="ISO-8859-1"?><a v="æ"/>'.encode("iso-8859-1")) == '<a v="æ"/>'
    assert decode('<a v="æ"/>'.encode("iso-8859-1")) == '<a v="æ"/>'  # no declaration: ISO-8859-1
    with pytest.raises(GctpError):
        decode(b'<?xml version="1.0" encoding="klingon"?>\xff\xfe')


def test_key_fields_and_header_attributes_are_read_in_order():
    request = parse_request(b'<root xmlns="http://www.cpr.dk"><Gctp v="1.0"><System r="CprAjour">'
                            b'<Service r="A01"><CprServiceHeader r="A01" a="init" mk="0851" st="P" u="v">'
                            b'<Key><Field r="PNR" v="0707614285"/><Field r="HDTO" v="20141101"/></Key>'
                            b'</CprServiceHeader></Service></System></Gctp></root>')
    assert request.service is not None
    assert request.service.system == "CprAjour" and request.service.service == "A01"
    assert request.service.header == {"a": "init", "mk": "0851", "st": "P", "u": "v"}
    assert request.service.keys == (("PNR", "0707614285"), ("HDTO", "20141101"))
