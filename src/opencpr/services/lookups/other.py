"""Other lookups (andet) in the catalogue: ``AJOURF`` (the updates made on a person in a time interval)
and ``KODETEKST`` (the texts of CPR's codes).

``AJOURF`` reads the register's event log (``event``, one row per event on one person, with CPR's
TIMESTAMPU as ``registered_at``); a person not in the register is Kvit 172, a person without events
in the interval an empty table. ``KODETEKST`` answers from the code tables
(:mod:`opencpr.domain.codes`) and the authority table (:mod:`opencpr.domain.reference`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import bindparam, select

from opencpr.domain import codes, reference
from opencpr.domain.reference import AUTHORITY_TYPES
from opencpr.register.schema import ROW_ID, event, person
from opencpr.services.catalogue import (
    ALL_PUBLIC,
    AUTHORITIES,
    PNR_KEY,
    Category,
    Fmt,
    Key,
    KeyType,
    Out,
    SearchService,
)
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.errors import InvalidKey, PersonNotFound
from opencpr.services.lookups.common import NOTES

__all__ = ["AJOURF", "CODE_TYPES", "KODETEKST", "SERVICES", "code_texts"]


# --- AJOURF: updates on a person in an interval ------------------------------------------------------


def _moment(name: str, raw: str | None, *, end: bool) -> str | None:
    """``yyyyMMdd`` or ``yyyyMMddHHmm`` as ``YYYY-MM-DDTHH:MM``; a date alone is 00:00, or 23:59 for the end."""
    if raw is None:
        return None
    digits = "".join(c for c in raw if c not in "-: T")
    for fmt, width in (("%Y%m%d%H%M", 12), ("%Y%m%d", 8)):
        if len(digits) == width and digits.isdigit():
            try:
                moment = dt.datetime.strptime(digits, fmt)
            except ValueError:
                break
            if width == 8 and end:
                moment = moment.replace(hour=23, minute=59)
            return moment.strftime("%Y-%m-%dT%H:%M")
    raise InvalidKey(name, raw, "yyyyMMdd or yyyyMMddHHmm")


_PERSON = select(person.c.pnr).where(person.c.pnr == bindparam("pnr"))
_EVENTS = (
    select(event.c.registered_at, event.c.event_code, event.c.derived_marker, event.c.event_date,
           event.c.authority)
    .where(event.c.pnr == bindparam("pnr"), event.c.registered_at >= bindparam("since"),
           event.c.registered_at <= bindparam("until"))
    .order_by(event.c.registered_at, event.c[ROW_ID])
)


def _ajourf(ctx: ServiceContext, pnr: str, since: str, until: str | None = None) -> Outcome:
    start = _moment("FRA", since, end=False)
    stop = _moment("TIL", until, end=True) or "9999-12-31T23:59"
    if start > stop:
        raise InvalidKey("TIL", until, "a moment not before FRA")
    if ctx.conn.execute(_PERSON, {"pnr": pnr}).first() is None:
        raise PersonNotFound()
    # registered_at may carry seconds: compare up to the end of the last minute
    rows = ctx.conn.execute(_EVENTS, {"pnr": pnr, "since": start, "until": stop + ":59"}).all()
    records = []
    for at, code, marker, day, authority in rows:
        a = reference.authority(authority) if authority else None
        records.append({
            "pnr": pnr, "registered_at": at, "event_code": code, "event_text": codes.EVENT.text(code),
            "derived_marker": marker or None,
            "derived_marker_text": codes.DERIVED_MARKER.text(marker) if marker else None,
            "event_date": day, "authority": authority or None, "authority_name": a.name if a else None,
        })
    return Outcome(records, detail=f"FRA={start} TIL={stop if until else ''}")


AJOURF = SearchService(
    "AJOURF", "Ajourføringer som er sket på en person i et givet tids-interval",
    "The updates (events) registered on a person from FRA to TIL (TIL blank: up to now), in the order they "
    "were registered: time, event code and text, derived marker (the relation of a person changed by "
    "another's event), the date the event took effect and the authority, where known.",
    Category.OTHER,
    (PNR_KEY,
     Key("FRA", "since", KeyType.TEXT, required=True, length=16,
         description="From: yyyyMMdd (from 00:00) or yyyyMMddHHmm, inclusive"),
     Key("TIL", "until", KeyType.TEXT, length=16,
         description="To: yyyyMMdd (through 23:59) or yyyyMMddHHmm, inclusive; blank: no end")),
    (
        Out("PNR", "pnr", description="The person's CPR number"),
        Out("TIMESTAMPU", "registered_at", Fmt.TS12, description="When the event was registered, yyyyMMddHHmm"),
        Out("HAENDELSE", "event_code", t="event_text", description="Event code (hændelseskode), its text"),
        Out("AFLEDTMRK", "derived_marker", t="derived_marker_text",
            description="Derived marker: blank for the person's own event, else the relation (ÆG, MO, FA …)"),
        Out("HAENDDATO", "event_date", Fmt.TS12,
            description="When the event took effect, yyyyMMdd or yyyyMMddHHmm (not in extract record 099)"),
        Out("MYNKOD", "authority", t="authority_name", description="Authority that registered it, its name"),
    ),
    _ajourf, table="AJOURF", groups=AUTHORITIES, pnr_key="pnr", notes=NOTES,
    example=(("PNR", "0101005038"), ("FRA", "20011112"), ("TIL", "20011112")),
)

# --- KODETEKST: texts of codes -------------------------------------------------------------------------

Row = dict[str, Any]


def _table_rows(table: codes.CodeTable) -> Callable[[], Iterable[Row]]:
    def rows() -> Iterable[Row]:
        for code, text in table.items():
            yield {"code": code, "text": text, "long_text": table.long(code), "short_text": table.short(code)}
    return rows


def _authority_rows(authority_type: str) -> Callable[[], Iterable[Row]]:
    def rows() -> Iterable[Row]:
        for code, a in sorted(reference.authorities().items()):
            if a.type == authority_type:
                yield {"code": code, "text": a.name, "long_text": a.long_name, "short_text": a.name,
                       "valid_to": a.valid_to}
    return rows


def _authority_type_rows() -> Iterable[Row]:
    for code, text in AUTHORITY_TYPES.items():
        yield {"code": code, "text": text, "long_text": text, "short_text": text}


def _postal_rows() -> Iterable[Row]:
    for code, p in sorted(reference.postal_codes().items()):
        yield {"code": code, "text": p.district, "long_text": p.district, "short_text": p.district}


def _zfill(width: int) -> Callable[[str], str]:
    def normalize(code: str) -> str:
        return code.zfill(width) if code.isdigit() else code
    return normalize


def _code_types() -> dict[str, tuple[Callable[[], Iterable[Row]], Callable[[str], str]]]:
    found: dict[str, tuple[Callable[[], Iterable[Row]], Callable[[str], str]]] = {}
    for table in codes.TABLES.values():
        found[table.field] = found[table.name] = (_table_rows(table), table.normalize)
    for names, rows, width in (
        (("MYNTYP", "authority_type"), _authority_type_rows, 2),
        (("KOMKOD", "municipality"), _authority_rows(reference.MUNICIPALITY), 4),
        (("LANDEKOD", "country"), _authority_rows(reference.COUNTRY), 4),
        (("REGION", "region"), _authority_rows(reference.REGION), 4),
        (("SOGN", "parish"), _authority_rows("25"), 4),
        (("POSTNR", "postal_code"), _postal_rows, 4),
    ):
        for name in names:
            found[name] = (rows, _zfill(width))
    return found


#: Code types by the name a client gives (CPR's field name, or this project's table name):
#: the rows of the table and the normaliser of a code.
CODE_TYPES = _code_types()


def code_texts(code_type: str, code: str | None = None) -> list[Row]:
    """The codes of ``code_type`` with their texts (only ``code``, normalised, if given)."""
    rows, normalize = CODE_TYPES[code_type]
    wanted = normalize(code.strip()) if code is not None else None
    return [dict(r, code_type=code_type) for r in rows() if wanted is None or r["code"] == wanted]


def _kodetekst(ctx: ServiceContext, code_type: str, code: str | None = None) -> Outcome:
    return Outcome(code_texts(code_type, code))


KODETEKST = SearchService(
    "KODETEKST", "Tekster på diverse koder",
    "The texts of CPR's codes: one table (KODETYPE, by CPR's field name or this project's table name: "
    "STATUS, CIVST, FKIRK, BESKYTTYPE, RELTYP-FORÆLDREMYN, UMYN_RELTYP, KOEN, ANNKOR, AFLEDTMRK, HAENDELSE, "
    "MYNTYP, KOMKOD, LANDEKOD, REGION, SOGN, POSTNR), every code or only KODE. Municipalities, countries, "
    "regions and parishes come from CPR's authority table, ended ones included.",
    Category.OTHER,
    (Key("KODETYPE", "code_type", KeyType.CHOICE, required=True, choices=tuple(CODE_TYPES),
         description="Which code table"),
     Key("KODE", "code", KeyType.TEXT, length=5, description="One code; blank: every code of the table")),
    (Out("KODE", "code", t="text", tl="long_text", ts="short_text",
         description="The code; its text, long text and short text"),),
    _kodetekst, table="KODETEKST", groups=ALL_PUBLIC, billable=False, pnr_key=None, notes=NOTES,
    example=(("KODETYPE", "CIVST"),),
)

SERVICES = (AJOURF, KODETEKST)
