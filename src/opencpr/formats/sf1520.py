"""SF1520 PersonBaseDataExtended (versions 4 and 5) on the wire: the contract files, reading a
``PersonLookupRequest`` and writing a ``PersonLookupResponse``.

The contract is Serviceplatformen's version 4 (``formats/contracts/sf1520/``, see ``SOURCE.md``
there); version 5 is the same with the namespace ``…/PersonBaseDataExtended/5/``
(:func:`contract_files`). A served file names the files it imports by their address on this
server (``<path>?file=<name>``, :func:`served_file`), so that a client such as zeep can read the
whole contract from the WSDL's address.

The answer is written in the contract's element order, every element in the service's namespace
(``elementFormDefault="qualified"``), and only elements with a value: an element the register
has no value for is left out (they are all optional), never sent empty. It takes plain records
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


class _Writer:
    """Elements in the service's namespace, each only with a value."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def el(self, parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{self.ns}}}{name}")

    def text(self, parent: etree._Element, name: str, value: str | None) -> None:
        if value is not None:
            self.el(parent, name).text = value

    def flag(self, parent: etree._Element, name: str, value: bool | None) -> None:
        if value is not None:
            self.el(parent, name).text = "true" if value else "false"

    def uncertain(self, parent: etree._Element, name: str, value: Any, uncertain: Any, *, time: bool) -> None:
        """``usikkerhedDato(Tid)Type``: ``dato`` and ``usikkerhedsmarkering`` (``*`` when uncertain)."""
        day = _datetime(value) if time else _date(value)
        if day is None:
            return
        holder = self.el(parent, name)
        self.el(holder, "dato").text = day
        if uncertain:
            self.el(holder, "usikkerhedsmarkering").text = "*"

    def optional(self, parent: etree._Element, name: str) -> etree._Element:
        """A container that is dropped again if nothing goes into it (see :meth:`prune`)."""
        return self.el(parent, name)

    @staticmethod
    def prune(element: etree._Element) -> None:
        if len(element) == 0 and not (element.text or "").strip():
            element.getparent().remove(element)


def _persondata(w: _Writer, parent: etree._Element, p: Mapping[str, Any]) -> None:
    data = w.el(parent, "persondata")
    w.text(data, "personnummer", _text(p.get("pnr")))
    w.text(data, "gaeldendePersonnummer", _text(p.get("current_pnr")))
    addressing = _text(p.get("addressing_name"))
    parts = [_text(p.get(k)) for k in ("first_name", "middle_name", "last_name")]
    if addressing or any(parts):
        navn = w.el(data, "navn")
        w.text(navn, "personadresseringsnavn", addressing or " ".join(x for x in parts if x))
        for key, value in zip(("fornavn", "mellemnavn", "efternavn"), parts, strict=True):
            w.text(navn, key, value)
        for key, field in (("fornavnMarkering", "first_name_marker"), ("mellemnavnMarkering", "middle_name_marker"),
                           ("efternavnMarkering", "last_name_marker")):
            w.text(navn, key, _text(p.get(field)))
        w.uncertain(navn, "navnestartdato", p.get("name_valid_from"), p.get("name_valid_from_uncertain"), time=True)
    w.uncertain(data, "foedselsdato", p.get("birth_date"), p.get("birth_date_uncertain"), time=False)
    birth = w.optional(data, "foedselsregistreringsOplysninger")
    w.text(birth, "foedselsregistreringsstedKode", _int(p.get("birth_authority")))
    w.text(birth, "foedselsregistreringsstedKodeMyndighedsnavn", _text(p.get("birth_authority_name")))
    w.text(birth, "supplerendeFoedselsregistreringssted", _text(p.get("birth_authority_text")))
    w.prune(birth)
    w.uncertain(data, "startdato", p.get("start_date"), p.get("start_date_uncertain"), time=False)
    w.uncertain(data, "slutdato", p.get("end_date"), p.get("end_date_uncertain"), time=False)
    w.text(data, "alder", None if p.get("age") is None else str(int(p["age"])))
    w.text(data, "koen", p.get("sex") if p.get("sex") in ("K", "M") else None)
    w.text(data, "antalBoernUnder18", str(int(p.get("children_under_18") or 0)))
    w.text(data, "stilling", _text(p.get("occupation")))
    status = _int(p.get("status"))
    if status is not None or p.get("status_date"):
        holder = w.el(data, "status")
        w.text(holder, "status", status if status in ("1", "3", "5", "7", "20", "30", "50", "60", "70", "80", "90")
               else None)
        w.uncertain(holder, "statusdato", p.get("status_date"), p.get("status_date_uncertain"), time=True)
        w.prune(holder)
    if p.get("separated") is not None:
        holder = w.el(data, "separation")
        w.flag(holder, "separeret", bool(p["separated"]))
        w.uncertain(holder, "separationsdato", p.get("separated_from"), p.get("separated_from_uncertain"), time=True)
    if p.get("civil_status") or p.get("civil_status_from"):
        holder = w.el(data, "civilstand")
        code = p.get("civil_status")
        w.text(holder, "civilstand", code if code in ("U", "G", "F", "E", "P", "O", "L", "D") else None)
        w.uncertain(holder, "civilstandsdato", p.get("civil_status_from"), p.get("civil_status_from_uncertain"),
                    time=True)
        w.prune(holder)
    holder = w.optional(data, "statsborgerskab")
    w.text(holder, "landekode", _int(p.get("citizenship")))
    w.uncertain(holder, "statsborgerskabDato", p.get("citizenship_from"), p.get("citizenship_from_uncertain"),
                time=True)
    w.text(holder, "landekodeMyndighedsnavn", _text(p.get("citizenship_name")))
    w.prune(holder)
    g = p.get("guardianship")
    if g and _date(g.get("valid_from")):
        holder = w.el(data, "umyndiggoerelse")
        relation = _int(g.get("relation_type"))
        w.text(holder, "umyndiggorelseRelationType", relation if relation in ("0", "1", "2") else None)
        w.text(holder, "relationPersonnummer", _text(g.get("guardian_pnr")))
        w.text(holder, "relationStartdato", _date(g.get("guardian_pnr_start")))
        w.text(holder, "relationVaergenavn", _text(g.get("guardian_name")))
        w.text(holder, "relationVaergeadresseStartdato", _date(g.get("guardian_text_start")))
        w.uncertain(holder, "umyndiggoerelseStartdato", g.get("valid_from"), g.get("valid_from_uncertain"), time=False)
        w.text(holder, "umyndiggoerelseSlettedato", _date(g.get("valid_to")))
        w.flag(holder, "umyndiggjort", g.get("in_force"))
        for i in range(1, 6):
            w.text(holder, f"relationtekst{i}", _text(g.get(f"line{i}")))
    w.uncertain(data, "forsvindingsdato", p.get("disappeared"), p.get("disappeared_uncertain"), time=True)
    for name, key in (("adressebeskyttelse", "address_protection"), ("vejviserbeskyttelse", "directory_protection"),
                      ("markedsfoeringsbeskyttelse", "marketing_protection")):
        found = p.get(key)
        if found is None:
            continue
        holder = w.el(data, name)
        w.text(holder, "startdato", _date(found.get("valid_from")))
        w.text(holder, "slutdato", _date(found.get("valid_to")))
        w.flag(holder, "beskyttet", bool(found.get("protected")))


_ADDRESS_PARTS = (("husnummer", "house_no"), ("etage", "floor"), ("sidedoer", "door"),
                  ("bygningsnummer", "building_no"), ("conavn", "co_name"))


def _house(value: Any) -> str | None:
    """A house number without the register's leading zeros and blanks (``"016 "`` → ``"16"``)."""
    text = _text(value)
    if text is None:
        return None
    stripped = text.lstrip("0").strip()
    return stripped or text


def _place(w: _Writer, holder: etree._Element, a: Mapping[str, Any]) -> None:
    w.text(holder, "kommuneCvr", _text(a.get("municipality_cvr")))
    w.text(holder, "kommunekode", _int(a.get("municipality")))
    w.text(holder, "vejkode", _int(a.get("road")))
    for name, key in _ADDRESS_PARTS:
        w.text(holder, name, _house(a.get(key)) if key == "house_no" else _text(a.get(key)))


def _current_address(w: _Writer, parent: etree._Element, a: Mapping[str, Any]) -> None:
    holder = w.el(parent, "aktuelAdresse")
    _place(w, holder, a)
    for name, key in (("lokalitet", "locality"), ("bynavn", "town"), ("postnummer", "postal_code"),
                      ("postdistrikt", "postal_district"), ("vejnavn", "road_name"),
                      ("standardadresse", "standard_address"), ("adresseringsnavn", "addressing_name"),
                      ("vejadresseringsnavn", "road_name")):
        w.text(holder, name, _text(a.get(key)))
    w.uncertain(holder, "tilflytningsdato", a.get("moved_in"), a.get("moved_in_uncertain"), time=True)
    for i in range(1, 6):
        w.text(holder, f"adr{i}-supladr", _text(a.get(f"supplementary_line{i}")))
    postal = _int(a.get("postal_code"))
    if postal is not None or _text(a.get("postal_district")):
        districts = w.el(holder, "distrikter")
        w.text(districts, "postnummer", postal)
        w.text(districts, "postdistrikt", _text(a.get("postal_district")))
    w.prune(holder)


def _previous_address(w: _Writer, parent: etree._Element, a: Mapping[str, Any]) -> None:
    holder = w.el(parent, "adresseHistorik")
    _place(w, holder, a)
    for name, key in (("postnummer", "postal_code"), ("postdistrikt", "postal_district"), ("vejnavn", "road_name")):
        w.text(holder, name, _text(a.get(key)))
    if len(holder):  # a row blanked by protection keeps its marker, but goes out as nothing
        w.text(holder, "retFortrydMarkering", _text(a.get("correction")))
    w.uncertain(holder, "tilflytningsdato", a.get("moved_in"), a.get("moved_in_uncertain"), time=True)
    w.uncertain(holder, "fraflytningsdato", a.get("moved_out"), a.get("moved_out_uncertain"), time=True)
    w.prune(holder)


def _adresse(w: _Writer, parent: etree._Element, parts: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    data = w.optional(parent, "adresse")
    addresses = parts.get("address", ())
    for a in addresses:
        if a.get("current"):
            _current_address(w, data, a)
            break
    for d in parts.get("departure", ()):
        holder = w.el(data, "udrejseoplysninger")
        w.text(holder, "udrejselandekode", _int(d.get("exit_country")))
        w.text(holder, "udrejselandekodeMyndighedsnavn", _text(d.get("exit_country_name")))
        w.uncertain(holder, "udrejsedato", d.get("moved_out"), d.get("moved_out_uncertain"), time=True)
        for i in range(1, 6):
            w.text(holder, f"udlandsadresse{i}", _text(d.get(f"foreign_line{i}")))
        w.prune(holder)
        break
    for c in parts.get("contact_address", ()):
        holder = w.el(data, "kontaktAdresse")
        for i in range(1, 6):
            w.text(holder, f"kontaktAdr{i}", _text(c.get(f"contact_line{i}")))
        w.text(holder, "startdato", _date(c.get("contact_valid_from")))
        w.text(holder, "slettedato", _date(c.get("contact_valid_to")))
        w.prune(holder)
        break
    for a in addresses:
        if not a.get("current"):
            _previous_address(w, data, a)
    w.prune(data)


def _relation(w: _Writer, parent: etree._Element, name: str, r: Mapping[str, Any]) -> None:
    """``personRelationType``: the PNR, or else the birth date and the name as registered."""
    holder = w.el(parent, name)
    if _text(r.get("relative_pnr")):
        w.text(holder, "personnummer", _text(r.get("relative_pnr")))
        return
    w.uncertain(holder, "foedselsdato", r.get("birth_date"), r.get("birth_date_uncertain"), time=False)
    w.text(holder, "navn", _text(r.get("name")))


def _relationer(w: _Writer, parent: etree._Element, rows: Sequence[Mapping[str, Any]]) -> None:
    data = w.optional(parent, "relationer")
    by = {k: [r for r in rows if r.get("relation") == k] for k in ("spouse", "child", "mother", "father", "custody")}
    for r in by["spouse"][:1]:
        _relation(w, data, "aegtefaelle", r)
    for r in by["child"]:
        if _text(r.get("relative_pnr")):
            w.text(w.el(data, "barn"), "personnummer", _text(r.get("relative_pnr")))
    for r in by["mother"][:1]:
        _relation(w, data, "mor", r)
    for r in by["father"][:1]:
        _relation(w, data, "far", r)
    for r in by["custody"]:
        kind = _int(r.get("custody_type"))
        if kind not in ("3", "4", "5", "6"):
            continue
        holder = w.el(data, "foraeldremyndighed")
        w.text(holder, "foraeldremyndighedtype", kind)
        w.uncertain(holder, "foraeldremyndighedStartdato", r.get("valid_from"), r.get("valid_from_uncertain"),
                    time=False)
        w.text(holder, "foraeldremyndighedSletdato", _date(r.get("valid_to")))
        w.text(holder, "relationPersonnummer", _text(r.get("relative_pnr")))
        w.text(holder, "relationStartdato", _date(r.get("holder_pnr_start")))
    w.prune(data)


def response(version: str, person: Mapping[str, Any], parts: Mapping[str, Sequence[Mapping[str, Any]]]) -> bytes:
    """The ``PersonLookupResponse`` envelope of one person (the outcome's record and parts)."""
    ns = namespace(version)
    w = _Writer(ns)
    env = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soap": SOAP_NS})
    body = etree.SubElement(env, f"{{{SOAP_NS}}}Body")
    payload = etree.SubElement(body, f"{{{ns}}}PersonLookupResponse", nsmap={"ns": ns})
    _persondata(w, payload, person)
    _adresse(w, payload, parts)
    _relationer(w, payload, parts.get("relation", ()))
    for n in parts.get("note", ()):
        holder = w.el(payload, "notater")
        w.text(holder, "notanr", _int(n.get("note_no")))
        w.text(holder, "notatlinie", _text(n.get("text")))
        w.text(holder, "notatstartdato", _date(n.get("valid_from")))
        w.text(holder, "notatslettedato", _date(n.get("valid_to")))
        w.prune(holder)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")
