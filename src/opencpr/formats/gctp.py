"""GCTP documents: reading requests the way CPR's server does, writing answers the way it writes them.

Requests (``cpr-protocols.md`` §1.2, §1.11) are read leniently but safely:

* the body is ISO-8859-1 unless its XML declaration says otherwise; leading blanks and the
  declaration are dropped; typographic quotes around attribute values (``v=”1.0”``, as one
  real client sends) become plain quotes;
* elements are matched by local name, so ``<root xmlns="http://www.cpr.dk">`` may be there or not;
* a document with a DOCTYPE or an entity declaration is refused (no entity expansion, no
  external entities), and so is a body over :data:`MAX_BODY`.

Answers are ISO-8859-1 with the declaration, wrapped in ``<root xmlns="http://www.cpr.dk">``,
and always carry a ``Kvit`` with all three attributes ``r``, ``t`` and ``v``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from opencpr.domain.kvit import Kvit, KvitError

NAMESPACE = "http://www.cpr.dk"
ENCODING = "iso-8859-1"
MAX_BODY = 256 * 1024  # bytes; CPR's requests are a few hundred bytes
MAX_FIELDS = 200  # Field elements in a request; CPR's requests have a handful
CONTENT_TYPE = "text/xml;charset=ISO-8859-1"
_DECLARATION_OUT = b'<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>\n'

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_ENCODING = re.compile(rb"""encoding\s*=\s*(?:["'\x93\x94]|\xe2\x80[\x9c\x9d])([A-Za-z0-9._-]+)""", re.IGNORECASE)
_FORBIDDEN = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"'})


class GctpError(KvitError):
    """A request that cannot be read as a GCTP document (Kvit 910, 911 or 912)."""

    default = Kvit.BAD_DOCUMENT


@dataclass(frozen=True)
class Signon:
    """``<Sik function="signon|newpass" userid=.. password=.. [newpass1=..]>``."""

    function: str
    userid: str
    password: str
    newpass: str | None = None
    newpass_repeated: str | None = None


@dataclass(frozen=True)
class ServiceRequest:
    """``<System r=..><Service r=..><CprServiceHeader r=.. [attrs]><Key><Field r v/>…``."""

    system: str
    service: str
    header: dict[str, str] = field(default_factory=dict)  # CprServiceHeader attributes (ts, a, mk, u, st …)
    keys: tuple[tuple[str, str], ...] = ()  # (field name, value) in document order
    data: tuple[tuple[str, str], ...] = ()  # fields outside Key (update services)


@dataclass(frozen=True)
class Request:
    version: str  # Gctp v
    signon: Signon | None = None
    service: ServiceRequest | None = None


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if _local(c) == name]


def decode(body: bytes, max_body: int = MAX_BODY) -> str:
    """The request text: decoded (declared encoding, else ISO-8859-1), declaration and leading blanks gone."""
    if len(body) > max_body:
        raise GctpError(f"{Kvit.TOO_LARGE.text} ({len(body)} bytes; højst {max_body})", kvit=Kvit.TOO_LARGE)
    stripped = body.lstrip(b" \t\r\n\xef\xbb\xbf")
    encoding = ENCODING
    declaration = _DECLARATION.match(stripped)
    if declaration:
        named = _ENCODING.search(declaration.group(0))
        if named:
            encoding = named.group(1).decode("ascii").lower()
        stripped = stripped[declaration.end():]
    if encoding in ("latin-1", "latin1", "iso8859-1", "iso_8859-1"):
        encoding = ENCODING
    try:
        text = stripped.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        try:
            text = stripped.decode("utf-8")
        except UnicodeDecodeError:
            raise GctpError(f"{Kvit.BAD_DOCUMENT.text}: ukendt tegnsæt {encoding}") from None
    # a client that writes UTF-8 typographic quotes but declares ISO-8859-1
    text = text.replace("\u00e2\u0080\u009d", '"').replace("\u00e2\u0080\u009c", '"')
    return text.translate(_QUOTES).strip()


def parse_request(body: bytes, *, max_body: int = MAX_BODY, max_fields: int = MAX_FIELDS) -> Request:
    """Read a GCTP request; raise :class:`GctpError` with the Kvit code to answer.

    A body over ``max_body`` bytes, or with more than ``max_fields`` ``Field`` elements (or four
    times as many elements of any kind), is refused with Kvit 912.
    """
    text = decode(body, max_body)
    if not text:
        raise GctpError(f"{Kvit.BAD_DOCUMENT.text}: forespørgslen er tom")
    if _FORBIDDEN.search(text):
        raise GctpError(kvit=Kvit.DTD_REFUSED)
    try:
        root = etree.fromstring(text, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise GctpError(f"{Kvit.BAD_DOCUMENT.text}: {exc}"[:200]) from None
    elements = fields = 0
    for element in root.iter():
        elements += 1
        fields += _local(element) == "Field"
    if fields > max_fields or elements > 4 * max_fields + 20:
        raise GctpError(f"{Kvit.TOO_LARGE.text}: {fields} felter og {elements} elementer; højst {max_fields} felter",
                        kvit=Kvit.TOO_LARGE)
    if _local(root) == "root":
        found = _children(root, "Gctp")
        if not found:
            raise GctpError(f"{Kvit.BAD_DOCUMENT.text}: <Gctp> mangler")
        gctp = found[0]
    elif _local(root) == "Gctp":
        gctp = root
    else:
        raise GctpError(f"{Kvit.BAD_DOCUMENT.text}: rodelementet skal være <root> eller <Gctp>, ikke <{_local(root)}>")
    version = gctp.get("v") or "1.0"
    sik = _children(gctp, "Sik")
    if sik:
        s = sik[0]
        function = (s.get("function") or "").strip().lower()
        if function not in ("signon", "newpass"):
            raise GctpError(f"{Kvit.BAD_DOCUMENT.text}: Sik function skal være signon eller newpass")
        userid = s.get("userid") if s.get("userid") is not None else s.get("ui")
        password = s.get("password") if s.get("password") is not None else s.get("pw")
        newpass = s.get("newpass1") if s.get("newpass1") is not None else s.get("npw")
        return Request(version, signon=Signon(function, userid or "", password or "", newpass,
                                              s.get("newpass2")))
    systems = _children(gctp, "System")
    if not systems:
        raise GctpError(f"{Kvit.BAD_DOCUMENT.text}: hverken <Sik> eller <System>")
    system = systems[0]
    services = _children(system, "Service")
    if not services:
        raise GctpError(f"{Kvit.BAD_DOCUMENT.text}: <Service> mangler")
    service = services[0]
    name = (service.get("r") or "").strip()
    headers = _children(service, "CprServiceHeader")
    header = headers[0] if headers else None
    if not name and header is not None:
        name = (header.get("r") or "").strip()
    if not name:
        raise GctpError(f"{Kvit.BAD_DOCUMENT.text}: servicens navn (Service r) mangler")
    keys: list[tuple[str, str]] = []
    attrs: dict[str, str] = {}
    if header is not None:
        attrs = {k: v for k, v in header.attrib.items() if k != "r"}
        for key in _children(header, "Key"):
            keys.extend(_fields(key))
    data: list[tuple[str, str]] = []
    for part in service:
        if _local(part) in ("CprData", "Data"):
            data.extend(_fields_deep(part))
    return Request(version, service=ServiceRequest((system.get("r") or "").strip(), name, attrs, tuple(keys),
                                                   tuple(data)))


def _fields(parent: etree._Element) -> list[tuple[str, str]]:
    out = []
    for f in _children(parent, "Field"):
        r = f.get("r")
        if r is None:
            raise GctpError(f"{Kvit.BAD_DOCUMENT.text}: <Field> uden r")
        out.append((r, f.get("v") or ""))
    return out


def _fields_deep(parent: etree._Element) -> list[tuple[str, str]]:
    return [(f.get("r") or "", f.get("v") or "") for f in parent.iter() if _local(f) == "Field"]


# --- answers ------------------------------------------------------------------------------------------
#
# Answers are written as text (the shapes are fixed and small): several times faster than building
# an element tree, which matters at thousands of lookups a second.

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;",
                          "\r": "&#13;", **{chr(c): None for c in range(32) if c not in (9, 10, 13)}})


def _attr(value: str) -> str:
    return value.translate(_ESCAPES)


def _open(version: str, env: str | None) -> list[str]:
    env_attr = f' env="{_attr(env)}"' if env else ""
    return [f'<root xmlns="{NAMESPACE}"><Gctp v="{_attr(version or "1.0")}"{env_attr}>']


def _finish(parts: list[str]) -> bytes:
    parts.append("</Gctp></root>")
    return _DECLARATION_OUT + "".join(parts).encode(ENCODING, "xmlcharrefreplace")


def _kvit(parts: list[str], code: int, text: str, r: str | None = None, lines: Sequence[str] = ()) -> None:
    """``<Kvit r t v>`` with all three attributes (clients dereference them without checks)."""
    if r is None:
        r = "Ok" if code == 0 else "Fejl"
    head = f'<Kvit r="{_attr(r)}" t="{_attr(text)}" v="{code}"'
    if not lines:
        parts.append(head + "/>")
        return
    parts.append(head + '><Table r="Kvittxt">')
    for i, line in enumerate(lines):
        parts.append(f'<Row k="{i}"><Field r="Kvittxt" v="{_attr(line)}"/></Row>')
    parts.append("</Table></Kvit>")


def _header(parts: list[str], system: str, service: str, header: Mapping[str, str] | None) -> None:
    attrs = "".join(f' {k}="{_attr(v)}"' for k, v in (header or {}).items() if k != "r")
    parts.append(f'<System r="{_attr(system)}"><Service r="{_attr(service)}">'
                 f'<CprServiceHeader r="{_attr(service)}"{attrs}/>')


def signon_answer(version: str, code: int, text: str, env: str | None = None) -> bytes:
    """``<Gctp><Sik><Kvit r="returKode" t=.. v=..>`` (signon and newpass)."""
    parts = _open(version, env)
    parts.append("<Sik>")
    _kvit(parts, code, text, "returKode")
    parts.append("</Sik>")
    return _finish(parts)


def error_answer(version: str, code: int, text: str, *, system: str | None = None, service: str | None = None,
                 header: Mapping[str, str] | None = None, env: str | None = None,
                 lines: Sequence[str] = ()) -> bytes:
    """An error receipt, inside ``System/Service`` when the request named them."""
    parts = _open(version, env)
    if service is not None:
        _header(parts, system or "CprSoeg", service, header)
    _kvit(parts, code, text, lines=lines)
    if service is not None:
        parts.append("</Service></System>")
    return _finish(parts)


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One ``<Field r v t tl tm ts/>`` of an answer; None and empty values are left out."""

    name: str
    v: str | None = None
    t: str | None = None
    tl: str | None = None
    tm: str | None = None
    ts: str | None = None


def _write_fields(parts: list[str], fields: Iterable[FieldValue]) -> None:
    for f in fields:
        text = f'<Field r="{_attr(f.name)}"'
        if f.v:
            text += f' v="{_attr(f.v)}"'
        if f.t:
            text += f' t="{_attr(f.t)}"'
        if f.tl:
            text += f' tl="{_attr(f.tl)}"'
        if f.tm:
            text += f' tm="{_attr(f.tm)}"'
        if f.ts:
            text += f' ts="{_attr(f.ts)}"'
        parts.append(text + "/>")


@dataclass
class Answer:
    """A service answer, protocol-shaped: what :func:`service_answer` writes."""

    system: str
    service: str
    header: dict[str, str] = field(default_factory=dict)
    shape: str = "table"  # table | flat | praes | search
    table: str = ""
    rows: list[tuple[str, list[FieldValue]]] = field(default_factory=list)  # (row key, fields)
    flat: list[FieldValue] = field(default_factory=list)  # flat fields (FLAT, PRAES)
    head: list[FieldValue] = field(default_factory=list)
    summary: tuple[str, list[FieldValue]] | None = None
    tail: list[FieldValue] = field(default_factory=list)
    table_attrs: dict[str, str] = field(default_factory=dict)


def service_answer(version: str, answer: Answer, env: str | None = None) -> bytes:
    parts = _open(version, env)
    _header(parts, answer.system, answer.service, answer.header)
    parts.append('<CprData u="O"><Rolle r="HovedRolle">')
    if answer.shape == "flat":
        _write_fields(parts, answer.flat)
    elif answer.shape == "praes":
        parts.append(f'<Praes r="{_attr(answer.table)}">')
        _write_fields(parts, answer.flat)
        parts.append("</Praes>")
    else:
        _write_fields(parts, answer.head)
        attrs = "".join(f' {k}="{_attr(v)}"' for k, v in answer.table_attrs.items())
        rows = answer.rows
        if not rows and answer.summary is None:
            parts.append(f'<Table r="{_attr(answer.table)}"{attrs}/>')
        else:
            parts.append(f'<Table r="{_attr(answer.table)}"{attrs}>')
            if answer.summary is not None:
                key, fields = answer.summary
                parts.append(f'<Row u="B" k="{_attr(key)}">')
                _write_fields(parts, fields)
                parts.append("</Row>")
            for key, fields in rows:
                parts.append(f'<Row k="{_attr(key)}">')
                _write_fields(parts, fields)
                parts.append("</Row>")
            parts.append("</Table>")
        _write_fields(parts, answer.tail)
    parts.append("</Rolle></CprData>")
    _kvit(parts, 0, "", "Ok")
    parts.append("</Service></System>")
    return _finish(parts)


def read_answer(body: bytes) -> dict[str, Any]:
    """A GCTP answer as plain data (for tests and clients): kvit, header, flat fields and table rows."""
    root = etree.fromstring(body, _PARSER)
    out: dict[str, Any] = {"kvit": None, "header": {}, "fields": {}, "rows": [], "summary": None, "table": None}
    for el in root.iter():
        name = _local(el)
        if name == "Kvit" and out["kvit"] is None:
            out["kvit"] = {"r": el.get("r"), "t": el.get("t"), "v": el.get("v")}
        elif name == "CprServiceHeader":
            out["header"] = dict(el.attrib)
        elif name == "Table" and out["table"] is None and el.getparent() is not None \
                and _local(el.getparent()) == "Rolle":
            out["table"] = el.get("r")
        elif name == "Row" and el.getparent() is not None and _local(el.getparent()) == "Table" \
                and _local(el.getparent().getparent()) == "Rolle":
            fields = {f.get("r"): {a: f.get(a) for a in ("v", "t", "tl", "tm", "ts") if f.get(a) is not None}
                      for f in el if _local(f) == "Field"}
            if el.get("u"):
                out["summary"] = {"k": el.get("k"), "fields": fields}
            else:
                out["rows"].append({"k": el.get("k"), "fields": fields})
        elif name == "Field" and el.getparent() is not None and _local(el.getparent()) in ("Rolle", "Praes"):
            out["fields"][el.get("r")] = {a: el.get(a) for a in ("v", "t", "tl", "tm", "ts") if el.get(a) is not None}
    return out


def fields_of(pairs: Iterable[tuple[str, Any]]) -> list[FieldValue]:
    return [FieldValue(n, None if v is None else str(v)) for n, v in pairs]


@dataclass
class UpdateAnswer:
    """An update service's answer: the header with its table of possible actions, then data tables."""

    system: str
    service: str
    header: dict[str, str] = field(default_factory=dict)
    actions: list[tuple[str, str]] = field(default_factory=list)  # (action as on the wire, text)
    tables: list[tuple[str, list[list[FieldValue]]]] = field(default_factory=list)  # (table name, rows)


def update_answer(version: str, answer: UpdateAnswer, env: str | None = None) -> bytes:
    """``CprServiceHeader`` with ``Table r="Handlinger"`` (the next actions), ``CprData`` with the tables."""
    parts = _open(version, env)
    attrs = "".join(f' {k}="{_attr(v)}"' for k, v in answer.header.items() if k != "r")
    parts.append(f'<System r="{_attr(answer.system)}"><Service r="{_attr(answer.service)}">'
                 f'<CprServiceHeader r="{_attr(answer.service)}"{attrs}>')
    parts.append('<Table r="Handlinger">')
    for i, (action, text) in enumerate(answer.actions):
        parts.append(f'<Row k="{i}">')
        _write_fields(parts, [FieldValue("HANDLING", action, text)])
        parts.append("</Row>")
    parts.append("</Table></CprServiceHeader>")
    parts.append('<CprData u="O"><Rolle r="HovedRolle">')
    for name, rows in answer.tables:
        if not rows:
            parts.append(f'<Table r="{_attr(name)}"/>')
            continue
        parts.append(f'<Table r="{_attr(name)}">')
        for i, fields in enumerate(rows):
            parts.append(f'<Row k="{i}">')
            _write_fields(parts, fields)
            parts.append("</Row>")
        parts.append("</Table>")
    parts.append("</Rolle></CprData>")
    _kvit(parts, 0, "", "Ok")
    parts.append("</Service></System>")
    return _finish(parts)
