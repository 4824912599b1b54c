"""SOAP 1.1 wording for Serviceplatformen's services: SF6002 (CPR Abonnement,
``CprSubscriptionService``) and CPRLookup (``CprService/2``, GCTP in a string): namespaces,
prefixes, the contract files, reading a request and writing answers and faults.

Reading is lenient where the real clients are (``cpr-protocols.md`` §5.1): no XML declaration,
Latin-1 bytes without one, ``InvocationContext`` children in another namespace (they are matched
by local name), and any prefixes. It is strict where safety needs it: a document with a DOCTYPE
or an entity declaration is refused, entities are never expanded, nothing is fetched.

Writing uses the prefixes the clients index literally: ``soap`` for the envelope, ``ns2`` for
the PNR namespace and ``ns3`` for the service's namespace (``soap:Envelope`` → ``soap:Body`` →
``ns3:AddPNRSubscriptionResponse`` → ``ns3:Result``; CPRLookup: ``ns3:callGCTPCheckServiceResponse``
→ ``ns3:result``). Faults are SOAP 1.1 faults with
Serviceplatformen's ``ServiceplatformFault`` detail (``ErrorCode``, ``ErrorText``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from lxml import etree

__all__ = [
    "CONTRACT_FILES", "CPRLOOKUP_NS", "INVCTX_NS", "PNR_NS", "SERVICE_NS", "SOAP_NS", "SPF_NS", "SoapFormatError", "SoapRequest",
    "contract_file", "cprlookup_wsdl", "fault", "filters_answer", "parse_request", "result_answer", "string_answer", "wsdl",
]

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_NS = "http://serviceplatformen.dk/xml/wsdl/soap11/CprSubscriptionService/1/"
INVCTX_NS = "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/"
PNR_NS = "http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/"
SPF_NS = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/"
CPRLOOKUP_NS = "http://serviceplatformen.dk/xml/wsdl/soap11/CprService/2/"

#: The contract as Serviceplatformen publishes it (``formats/contracts/sf6002/``).
CONTRACT_FILES = ("CprSubscriptionService.wsdl", "CprSubscriptionServiceMsg.xsd", "InvocationContext_20121009.xsd",
                  "PNR_20121119.xsd")
_WSDL = CONTRACT_FILES[0]
_ADDRESS = re.compile(rb'(<soap:address\s+location=")[^"]*(")')

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_blank_text=True)
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

#: Invocation Context fields (all matched by local name).
INVOCATION_FIELDS = ("ServiceAgreementUUID", "UserSystemUUID", "UserUUID", "ServiceUUID", "OnBehalfOfUser",
                     "CallersServiceCallIdentifier", "AccountingInfo")


class SoapFormatError(ValueError):
    """A request that is not a SOAP 1.1 envelope this service can read."""


@cache
def contract_file(name: str) -> bytes:
    """One file of the SF6002 contract, as published."""
    if name not in CONTRACT_FILES:
        raise KeyError(name)
    return resources.files("opencpr.formats").joinpath("contracts", "sf6002", name).read_bytes()


def _with_address(document: bytes, address: str) -> bytes:
    safe = address.replace("&", "&amp;").replace('"', "&quot;").encode("utf-8")
    return _ADDRESS.sub(lambda m: m.group(1) + safe + m.group(2), document, count=1)


def wsdl(address: str) -> bytes:
    """The contract's WSDL with this server's address in its ``soap:address``."""
    return _with_address(contract_file(_WSDL), address)


@cache
def _cprlookup_document() -> bytes:
    return resources.files("opencpr.formats").joinpath("contracts", "cprlookup", "CprLookupService.wsdl").read_bytes()


def cprlookup_wsdl(address: str, operation: str = "callGctpService") -> bytes:
    """The project's WSDL of CPRLookup (one file, no includes) with this server's address; the older
    CprService replica names its operation ``callGCTPCheckService`` (same elements)."""
    document = _cprlookup_document()
    if operation != "callGctpService":
        document = document.replace(b'operation name="callGctpService"', f'operation name="{operation}"'.encode())
    return _with_address(document, address)


@dataclass
class SoapRequest:
    """A parsed SF6002 request: the operation (the body element's local name), the Invocation
    Context by field name, and the operation's values by local name (``PNR``, ``MunicipalityCode``,
    ``ChangeCode``, ``StartAge``, ``EndAge``, ``FilterGroup``) as the text the caller sent."""

    operation: str
    invocation: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    has_invocation_context: bool = False


def _text(body: bytes) -> str:
    """The request as text: its declared encoding, else UTF-8, else ISO-8859-1 (what AB sends)."""
    head = body[:200]
    m = re.match(rb"\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", head)
    if m:
        name = m.group(1).decode("ascii").lower()
        name = {"latin-1": "iso-8859-1", "latin1": "iso-8859-1"}.get(name, name)
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            raise SoapFormatError(f"the request is not in its declared encoding {name}") from None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("iso-8859-1")


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_request(body: bytes, namespace: str = SERVICE_NS, service: str = "CprSubscriptionService") -> SoapRequest:
    """Read a request envelope whose operation element is in ``namespace`` (SF6002's by default);
    raise SoapFormatError with a reason if it cannot be read."""
    if not body or not body.strip():
        raise SoapFormatError("the request is empty")
    if _FORBIDDEN.search(body):
        raise SoapFormatError("documents with a DOCTYPE or entity declarations are not accepted")
    text = _DECLARATION.sub("", _text(body).lstrip("\ufeff"), count=1).strip()
    try:
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapFormatError(f"the request is not well-formed XML: {exc}") from None
    if root.tag != f"{{{SOAP_NS}}}Envelope":
        raise SoapFormatError("the request is not a SOAP 1.1 envelope "
                              f"({{{SOAP_NS}}}Envelope), its root is {root.tag}")
    body_el = root.find(f"{{{SOAP_NS}}}Body")
    if body_el is None:
        raise SoapFormatError("the envelope has no soap:Body")
    operations = [c for c in body_el if isinstance(c.tag, str)]
    if len(operations) != 1:
        raise SoapFormatError(f"the soap:Body must hold one operation element, not {len(operations)}")
    op = operations[0]
    if etree.QName(op).namespace != namespace:
        raise SoapFormatError(f"the operation {op.tag} is not in the {service} namespace {namespace}")
    request = SoapRequest(etree.QName(op).localname)
    for child in op:
        name = _local(child.tag)
        if name == "InvocationContext":
            request.has_invocation_context = True
            for item in child:
                local = _local(item.tag)
                if local in INVOCATION_FIELDS:
                    request.invocation[local] = (item.text or "").strip()
        elif name == "AgeRange":
            for item in child:
                local = _local(item.tag)
                if local in ("StartAge", "EndAge"):
                    request.values[local] = (item.text or "").strip()
        elif name:
            request.values[name] = (child.text or "").strip()
    return request


# --- answers ------------------------------------------------------------------------------------

def _envelope(payload: etree._Element) -> bytes:
    env = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soap": SOAP_NS})
    body = etree.SubElement(env, f"{{{SOAP_NS}}}Body")
    body.append(payload)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def _response(operation: str) -> etree._Element:
    return etree.Element(f"{{{SERVICE_NS}}}{operation}Response", nsmap={"ns2": PNR_NS, "ns3": SERVICE_NS})


def string_answer(namespace: str, element: str, child: str, text: str) -> bytes:
    """``<ns3:<element>><ns3:<child>>text`` in an envelope (CPRLookup's answer: the GCTP answer as text)."""
    payload = etree.Element(f"{{{namespace}}}{element}", nsmap={"ns3": namespace})
    etree.SubElement(payload, f"{{{namespace}}}{child}").text = text
    return _envelope(payload)


def result_answer(operation: str, result: str) -> bytes:
    """``<ns3:<operation>Response><ns3:Result>…`` in an envelope."""
    payload = _response(operation)
    etree.SubElement(payload, f"{{{SERVICE_NS}}}Result").text = result
    return _envelope(payload)


def filters_answer(age_ranges: list[tuple[int, int]], change_codes: list[str], municipalities: list[str],
                   pnrs: list[str]) -> bytes:
    """GetAllFiltersResponse: AgeRange*, ChangeCode*, MunicipalityCode*, PNR*, in the contract's order."""
    payload = _response("GetAllFilters")
    for start, end in age_ranges:
        ar = etree.SubElement(payload, f"{{{SERVICE_NS}}}AgeRange")
        etree.SubElement(ar, f"{{{SERVICE_NS}}}StartAge").text = str(start)
        etree.SubElement(ar, f"{{{SERVICE_NS}}}EndAge").text = str(end)
    for code in change_codes:
        etree.SubElement(payload, f"{{{SERVICE_NS}}}ChangeCode").text = code
    for municipality in municipalities:
        etree.SubElement(payload, f"{{{SERVICE_NS}}}MunicipalityCode").text = municipality
    for pnr in pnrs:
        etree.SubElement(payload, f"{{{PNR_NS}}}PNR").text = pnr
    return _envelope(payload)


def fault(error_code: str, text: str, *, fault_code: str = "Server") -> bytes:
    """A SOAP 1.1 fault in Serviceplatformen's style: ``faultcode`` soap:Server (or soap:Client),
    ``faultstring`` the text, and a ``ServiceplatformFault`` detail with ``ErrorCode`` and ``ErrorText``."""
    payload = etree.Element(f"{{{SOAP_NS}}}Fault")
    etree.SubElement(payload, "faultcode").text = f"soap:{fault_code}"
    etree.SubElement(payload, "faultstring").text = text
    detail = etree.SubElement(payload, "detail")
    spf = etree.SubElement(detail, f"{{{SPF_NS}}}ServiceplatformFault", nsmap={"ns4": SPF_NS})
    error = etree.SubElement(etree.SubElement(spf, f"{{{SPF_NS}}}ErrorList"), f"{{{SPF_NS}}}Error")
    etree.SubElement(error, f"{{{SPF_NS}}}ErrorCode").text = error_code
    etree.SubElement(error, f"{{{SPF_NS}}}ErrorText").text = text
    return _envelope(payload)
