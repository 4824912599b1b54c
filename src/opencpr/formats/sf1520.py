"""SF1520 PersonBaseDataExtended (versions 4 and 5) on the wire: the contract files, reading a
``PersonLookupRequest`` and writing a ``PersonLookupResponse``.

The contract is Serviceplatformen's version 4 (``formats/contracts/sf1520/``, see ``SOURCE.md``
there); version 5 is the same with the namespace ``…/PersonBaseDataExtended/5/``
(:func:`contract_files`). A served file names the files it imports by their address on this
server (``<path>?file=<name>``, :func:`served_file`), so that a client such as zeep can read the
whole contract from the WSDL's address.

The answer is written in the contract's element order, every element in the service's namespace
(``elementFormDefault="qualified"``, prefix ``ns``), and only elements with a value: an element
the register has no value for is left out (they are all optional), never sent empty. It is
written as text (escaped), not built as a tree: a lookup's answer has some seventy elements. It takes plain records
(this project's field names) as :mod:`opencpr.services.person_lookup` makes them.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree

from opencpr.formats.soap import SOAP_NS, SoapFormatError, SoapRequest, parse_request

__all__ = [
    "AUTHORITY_NS", "CONTRACT", "NS_V4", "VERSIONS", "WSDL", "contract_files", "namespace", "parse",
    "response", "served_file", "wsdl",
]

NS_V4 = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/"
AUTHORITY_NS = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/"
VERSIONS = ("4", "5")

#: The contract's files, by their path in the contract folder.
CONTRACT = (
    "wsdl/context/PersonBaseDataExtendedService.wsdl", "wsdl/context/policies.wsdl",
    "PersonBaseDataExtendedServiceMsg.xsd", "xsd/PersonBaseDataExtendedServiceTypes.xsd",
    "sp/AuthorityContext_1.xsd", "sp/CallContext_1.xsd", "sp/InvocationContext_1.xsd", "sp/PNR_1.xsd",
    "sp/ServiceplatformFault_1.xsd", "sp/ServiceplatformFaultMessage_1.wsdl",
)
WSDL = CONTRACT[0]
_REFERENCE = re.compile(rb'((?:schemaLocation|location)=")([^"#]+)(")')
_ADDRESS = re.compile(rb'(<soap:address\s+location=")[^"]*(")')


def namespace(version: str) -> str:
    """The service's namespace in ``version`` (``"4"`` or ``"5"``)."""
    return NS_V4.replace("/4/", f"/{version}/")


@cache
def contract_files(version: str) -> dict[str, bytes]:
    """The contract of ``version`` by path: version 4 as published, version 5 with its namespace."""
    if version not in VERSIONS:
        raise KeyError(version)
    folder = resources.files("opencpr.formats").joinpath("contracts", "sf1520")
    files = {name: folder.joinpath(*name.split("/")).read_bytes() for name in CONTRACT}
    if version != "4":
        old, new = NS_V4.encode(), namespace(version).encode()
        files = {name: text.replace(old, new) for name, text in files.items()}
    return files


def served_file(version: str, name: str, address: str) -> bytes | None:
    """A contract file as served from ``address`` (the service's own): its imports point to
    ``address?file=<name>``, the WSDL's ``soap:address`` is ``address``. None for an unknown name."""
    document = contract_files(version).get(name)
    if document is None:
        return None
    here = posixpath.dirname(name)
    safe = address.replace("&", "&amp;").replace('"', "&quot;")

    def point(m: re.Match[bytes]) -> bytes:
        target = posixpath.normpath(posixpath.join(here, m.group(2).decode("ascii")))
        return m.group(1) + f"{safe}?file={target}".encode() + m.group(3)

    document = _REFERENCE.sub(point, document)
    if name == WSDL:
        document = _ADDRESS.sub(lambda m: m.group(1) + safe.encode() + m.group(2), document, count=1)
    return document


def wsdl(version: str, address: str) -> bytes:
    """The WSDL of ``version`` with this server's ``address``."""
    document = served_file(version, WSDL, address)
    assert document is not None
    return document


# --- the request ---------------------------------------------------------------------------------

def parse(body: bytes, version: str) -> tuple[SoapRequest, str | None]:
    """The request (operation, Invocation Context, ``PNR``) and the ``AuthorityContext``'s
    ``MunicipalityCVR`` if one is given (``""`` for an empty one); SoapFormatError if unreadable."""
    request = parse_request(body, namespace(version), f"PersonBaseDataExtended/{version}")
    if request.operation != "PersonLookupRequest":
        raise SoapFormatError(f"the body's element must be PersonLookupRequest, not {request.operation[:60]}")
    return request, (_municipality_cvr(body) if "AuthorityContext" in request.values else None)


def _municipality_cvr(body: bytes) -> str:
    """The text of ``AuthorityContext/MunicipalityCVR`` (the request was read once already)."""
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    found = root.find(f".//{{{AUTHORITY_NS}}}AuthorityContext/{{{AUTHORITY_NS}}}MunicipalityCVR")
    if found is None:
        found = root.find(f".//{{{AUTHORITY_NS}}}AuthorityContext/MunicipalityCVR")
    return (found.text or "").strip() if found is not None else ""


# --- the answer ----------------------------------------------------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")


def _date(value: Any) -> str | None:
    """``YYYY-MM-DD`` of a register date, None for none or one that is no calendar day (``1961-00-00``)."""
    text = str(value or "")[:10]
    if not _DATE.fullmatch(text):
        return None
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return None
    return text


def _datetime(value: Any) -> str | None:
    """``YYYY-MM-DDTHH:MM:SS`` of a register time; a time of day that is no time (``12:99``) is
    left out (midnight), a day that is no calendar day makes None."""
    m = _TIME.fullmatch(str(value or "").strip()[:19])
    day = _date(m.group(1)) if m else None
    if day is None:
        return None
    hour, minute, second = (int(m.group(i) or 0) for i in (2, 3, 4))
    if hour > 23 or minute > 59 or second > 59:
        hour = minute = second = 0
    return f"{day}T{hour:02d}:{minute:02d}:{second:02d}"


def _int(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return str(int(text)) if text.isascii() and text.isdigit() else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


#: Text as XML character data: the markup characters escaped, the control characters XML 1.0 cannot
#: carry left out.
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                         **{chr(c): None for c in range(32) if chr(c) not in "\t\n\r"}})


def _el(name: str, content: str | None) -> str:
    """``<ns:name>content</ns:name>``; nothing for no content (an element without a value, or a
    container that nothing went into, is left out)."""
    return f"<ns:{name}>{content}</ns:{name}>" if content else ""


def _value(name: str, value: str | None) -> str:
    return f"<ns:{name}>{value.translate(_ESCAPE)}</ns:{name}>" if value is not None else ""


def _flag(name: str, value: bool | None) -> str:
    return "" if value is None else f"<ns:{name}>{'true' if value else 'false'}</ns:{name}>"


def _uncertain(name: str, value: Any, uncertain: Any, *, time: bool) -> str:
    """``usikkerhedDato(Tid)Type``: ``dato`` and ``usikkerhedsmarkering`` (``*`` when uncertain)."""
    day = _datetime(value) if time else _date(value)
    if day is None:
        return ""
    return _el(name, f"<ns:dato>{day}</ns:dato>" + ("<ns:usikkerhedsmarkering>*</ns:usikkerhedsmarkering>"
                                                    if uncertain else ""))


_STATUSES = frozenset({"1", "3", "5", "7", "20", "30", "50", "60", "70", "80", "90"})
_CIVIL = frozenset("UGFEPOLD")


def _persondata(p: Mapping[str, Any]) -> str:
    out = [_value("personnummer", _text(p.get("pnr"))), _value("gaeldendePersonnummer", _text(p.get("current_pnr")))]
    addressing = _text(p.get("addressing_name"))
    parts = [_text(p.get(k)) for k in ("first_name", "middle_name", "last_name")]
    if addressing or any(parts):
        out.append(_el("navn", "".join((
            _value("personadresseringsnavn", addressing or " ".join(x for x in parts if x)),
            *(_value(k, v) for k, v in zip(("fornavn", "mellemnavn", "efternavn"), parts, strict=True)),
            _value("fornavnMarkering", _text(p.get("first_name_marker"))),
            _value("mellemnavnMarkering", _text(p.get("middle_name_marker"))),
            _value("efternavnMarkering", _text(p.get("last_name_marker"))),
            _uncertain("navnestartdato", p.get("name_valid_from"), p.get("name_valid_from_uncertain"), time=True)))))
    out.append(_uncertain("foedselsdato", p.get("birth_date"), p.get("birth_date_uncertain"), time=False))
    out.append(_el("foedselsregistreringsOplysninger", "".join((
        _value("foedselsregistreringsstedKode", _int(p.get("birth_authority"))),
        _value("foedselsregistreringsstedKodeMyndighedsnavn", _text(p.get("birth_authority_name"))),
        _value("supplerendeFoedselsregistreringssted", _text(p.get("birth_authority_text")))))))
    out.append(_uncertain("startdato", p.get("start_date"), p.get("start_date_uncertain"), time=False))
    out.append(_uncertain("slutdato", p.get("end_date"), p.get("end_date_uncertain"), time=False))
    out.append(_value("alder", None if p.get("age") is None else str(int(p["age"]))))
    out.append(_value("koen", p.get("sex") if p.get("sex") in ("K", "M") else None))
    out.append(_value("antalBoernUnder18", str(int(p.get("children_under_18") or 0))))
    out.append(_value("stilling", _text(p.get("occupation"))))
    status = _int(p.get("status"))
    out.append(_el("status", _value("status", status if status in _STATUSES else None)
                   + _uncertain("statusdato", p.get("status_date"), p.get("status_date_uncertain"), time=True)))
    if p.get("separated") is not None:
        out.append(_el("separation", _flag("separeret", bool(p["separated"]))
                       + _uncertain("separationsdato", p.get("separated_from"), p.get("separated_from_uncertain"),
                                    time=True)))
    code = p.get("civil_status")
    out.append(_el("civilstand", _value("civilstand", code if code in _CIVIL and code else None)
                   + _uncertain("civilstandsdato", p.get("civil_status_from"), p.get("civil_status_from_uncertain"),
                                time=True)))
    out.append(_el("statsborgerskab", "".join((
        _value("landekode", _int(p.get("citizenship"))),
        _uncertain("statsborgerskabDato", p.get("citizenship_from"), p.get("citizenship_from_uncertain"), time=True),
        _value("landekodeMyndighedsnavn", _text(p.get("citizenship_name")))))))
    g = p.get("guardianship")
    if g and _date(g.get("valid_from")):
        relation = _int(g.get("relation_type"))
        out.append(_el("umyndiggoerelse", "".join((
            _value("umyndiggorelseRelationType", relation if relation in ("0", "1", "2") else None),
            _value("relationPersonnummer", _text(g.get("guardian_pnr"))),
            _value("relationStartdato", _date(g.get("guardian_pnr_start"))),
            _value("relationVaergenavn", _text(g.get("guardian_name"))),
            _value("relationVaergeadresseStartdato", _date(g.get("guardian_text_start"))),
            _uncertain("umyndiggoerelseStartdato", g.get("valid_from"), g.get("valid_from_uncertain"), time=False),
            _value("umyndiggoerelseSlettedato", _date(g.get("valid_to"))),
            _flag("umyndiggjort", g.get("in_force")),
            *(_value(f"relationtekst{i}", _text(g.get(f"line{i}"))) for i in range(1, 6))))))
    out.append(_uncertain("forsvindingsdato", p.get("disappeared"), p.get("disappeared_uncertain"), time=True))
    for name, key in (("adressebeskyttelse", "address_protection"), ("vejviserbeskyttelse", "directory_protection"),
                      ("markedsfoeringsbeskyttelse", "marketing_protection")):
        found = p.get(key)
        if found is not None:
            out.append(_el(name, _value("startdato", _date(found.get("valid_from")))
                           + _value("slutdato", _date(found.get("valid_to")))
                           + _flag("beskyttet", bool(found.get("protected")))))
    return _el("persondata", "".join(out))


def _house(value: Any) -> str | None:
    """A house number without the register's leading zeros and blanks (``"016 "`` → ``"16"``)."""
    text = _text(value)
    if text is None:
        return None
    stripped = text.lstrip("0").strip()
    return stripped or text


def _place(a: Mapping[str, Any]) -> str:
    return "".join((
        _value("kommuneCvr", _text(a.get("municipality_cvr"))), _value("kommunekode", _int(a.get("municipality"))),
        _value("vejkode", _int(a.get("road"))), _value("husnummer", _house(a.get("house_no"))),
        _value("etage", _text(a.get("floor"))), _value("sidedoer", _text(a.get("door"))),
        _value("bygningsnummer", _text(a.get("building_no"))), _value("conavn", _text(a.get("co_name")))))


def _current_address(a: Mapping[str, Any]) -> str:
    postal = _int(a.get("postal_code"))
    district = _text(a.get("postal_district"))
    return _el("aktuelAdresse", "".join((
        _place(a),
        *(_value(name, _text(a.get(key))) for name, key in (
            ("lokalitet", "locality"), ("bynavn", "town"), ("postnummer", "postal_code"),
            ("postdistrikt", "postal_district"), ("vejnavn", "road_name"), ("standardadresse", "standard_address"),
            ("adresseringsnavn", "addressing_name"), ("vejadresseringsnavn", "road_name"))),
        _uncertain("tilflytningsdato", a.get("moved_in"), a.get("moved_in_uncertain"), time=True),
        *(_value(f"adr{i}-supladr", _text(a.get(f"supplementary_line{i}"))) for i in range(1, 6)),
        _el("distrikter", _value("postnummer", postal) + _value("postdistrikt", district)))))


def _previous_address(a: Mapping[str, Any]) -> str:
    content = "".join((_place(a), _value("postnummer", _text(a.get("postal_code"))),
                       _value("postdistrikt", _text(a.get("postal_district"))),
                       _value("vejnavn", _text(a.get("road_name")))))
    if content:  # a row blanked by protection keeps its marker, but goes out as nothing
        content += _value("retFortrydMarkering", _text(a.get("correction")))
    content += (_uncertain("tilflytningsdato", a.get("moved_in"), a.get("moved_in_uncertain"), time=True)
                + _uncertain("fraflytningsdato", a.get("moved_out"), a.get("moved_out_uncertain"), time=True))
    return _el("adresseHistorik", content)


def _adresse(parts: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    addresses = parts.get("address", ())
    out = [next((_current_address(a) for a in addresses if a.get("current")), "")]
    for d in parts.get("departure", ())[:1]:
        out.append(_el("udrejseoplysninger", "".join((
            _value("udrejselandekode", _int(d.get("exit_country"))),
            _value("udrejselandekodeMyndighedsnavn", _text(d.get("exit_country_name"))),
            _uncertain("udrejsedato", d.get("moved_out"), d.get("moved_out_uncertain"), time=True),
            *(_value(f"udlandsadresse{i}", _text(d.get(f"foreign_line{i}"))) for i in range(1, 6))))))
    for c in parts.get("contact_address", ())[:1]:
        out.append(_el("kontaktAdresse", "".join((
            *(_value(f"kontaktAdr{i}", _text(c.get(f"contact_line{i}"))) for i in range(1, 6)),
            _value("startdato", _date(c.get("contact_valid_from"))),
            _value("slettedato", _date(c.get("contact_valid_to")))))))
    out.extend(_previous_address(a) for a in addresses if not a.get("current"))
    return _el("adresse", "".join(out))


def _relation(name: str, r: Mapping[str, Any]) -> str:
    """``personRelationType``: the PNR, or else the birth date and the name as registered."""
    pnr = _text(r.get("relative_pnr"))
    if pnr:
        return _el(name, _value("personnummer", pnr))
    return _el(name, _uncertain("foedselsdato", r.get("birth_date"), r.get("birth_date_uncertain"), time=False)
               + _value("navn", _text(r.get("name"))))


def _relationer(rows: Sequence[Mapping[str, Any]]) -> str:
    by: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        by.setdefault(str(r.get("relation")), []).append(r)
    out = [_relation("aegtefaelle", r) for r in by.get("spouse", [])[:1]]
    out.extend(_el("barn", _value("personnummer", _text(r.get("relative_pnr")))) for r in by.get("child", []))
    out.extend(_relation("mor", r) for r in by.get("mother", [])[:1])
    out.extend(_relation("far", r) for r in by.get("father", [])[:1])
    for r in by.get("custody", []):
        kind = _int(r.get("custody_type"))
        if kind in ("3", "4", "5", "6"):
            out.append(_el("foraeldremyndighed", "".join((
                _value("foraeldremyndighedtype", kind),
                _uncertain("foraeldremyndighedStartdato", r.get("valid_from"), r.get("valid_from_uncertain"),
                           time=False),
                _value("foraeldremyndighedSletdato", _date(r.get("valid_to"))),
                _value("relationPersonnummer", _text(r.get("relative_pnr"))),
                _value("relationStartdato", _date(r.get("holder_pnr_start")))))))
    return _el("relationer", "".join(out))


def _notes(rows: Sequence[Mapping[str, Any]]) -> str:
    return "".join(_el("notater", "".join((
        _value("notanr", _int(n.get("note_no"))), _value("notatlinie", _text(n.get("text"))),
        _value("notatstartdato", _date(n.get("valid_from"))), _value("notatslettedato", _date(n.get("valid_to"))))))
        for n in rows)


def response(version: str, person: Mapping[str, Any], parts: Mapping[str, Sequence[Mapping[str, Any]]]) -> bytes:
    """The ``PersonLookupResponse`` envelope of one person (the outcome's record and parts), UTF-8."""
    payload = (_persondata(person) + _adresse(parts) + _relationer(parts.get("relation", ()))
               + _notes(parts.get("note", ())))
    return (f"<?xml version='1.0' encoding='UTF-8'?>\n<soap:Envelope xmlns:soap=\"{SOAP_NS}\"><soap:Body>"
            f"<ns:PersonLookupResponse xmlns:ns=\"{namespace(version)}\">{payload}</ns:PersonLookupResponse>"
            "</soap:Body></soap:Envelope>").encode()
