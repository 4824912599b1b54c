"""Geographic lookups (geografiske opslag) and helper searches (hjælpesøgninger) in the catalogue.

Lookups: ``MYNDIGHED`` (an authority), ``VEJ`` (a road, current and previous), ``VEJNOTAT`` (road
notes), ``DISTRIKT`` (the districts of an address) and ``VEJHENV`` (the road reference register).
Helper searches: ``VEJSOEG`` (roads by municipality, parish, postal district or town),
``MYNSOEG`` (authorities by part of the name), ``VEJNVN`` (road names), ``POSTNR`` (postal codes)
and ``MYNKODE`` (authority codes and names).

Every answer comes from the packaged reference data (:mod:`opencpr.domain.reference`): CPR's
authority table (P02680), GeoNames' postal codes and the synthetic road register. That data is
small and read once, so these services search it in memory and never touch the register. They
name no person (``pnr_key=None``) and are not billable. A key that is not well formed is Kvit 18;
a well-formed key that finds nothing is an empty table with Kvit 0.

What the reference data does not hold is answered as empty fields, never invented: the synthetic
road register has no history (no previous names, no start dates), no road notes, no town names
(bynavn), no parishes and no school, election, social or church districts per house number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from opencpr.domain import reference
from opencpr.domain.reference import AUTHORITY_TYPES, Authority, Road
from opencpr.services.catalogue import ALL_PUBLIC, Category, Fmt, Key, KeyType, Out, SearchService, Shape
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.errors import InvalidKey
from opencpr.services.lookups.common import NOTES

__all__ = ["SERVICES", "fold", "name_matches"]

PARISH = "25"  # MYNTYP of parishes (sogne)
DEFAULT_ROWS = 100
MAX_ROWS = 1000

# --- names: folding and matching -----------------------------------------------------------------

_KEEP = {"å": "\x01", "æ": "\x02", "ø": "\x03"}
_RESTORE = {v: k for k, v in _KEEP.items()}
_DANISH = str.maketrans({"ä": "æ", "ö": "ø", "ǿ": "ø"})


def fold(text: str) -> str:
    """``text`` for comparison: case-folded, accents dropped, Danish letters kept, ``aa`` read as ``å``.

    ``"Ålborg"``, ``"aalborg"`` and ``"AALBORG"`` fold alike; ``"Sønder"`` does not match ``"Sonder"``
    (ø is a letter of its own); ``"Müller"`` folds to ``"muller"``; ``ä`` and ``ö`` are read as æ and ø.
    """
    s = unicodedata.normalize("NFC", text.casefold()).translate(_DANISH).replace("aa", "å")
    for letter, mark in _KEEP.items():
        s = s.replace(letter, mark)
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    for mark, letter in _RESTORE.items():
        s = s.replace(mark, letter)
    return " ".join(s.split())


def name_matches(part: str, *names: str) -> bool:
    """True if the folded ``part`` begins a word of any of ``names`` (``"borg"`` does not match Aalborg)."""
    wanted = fold(part)
    if not wanted:
        return False
    pattern = re.compile(r"(?:^|\W)" + re.escape(wanted))
    return any(pattern.search(fold(n)) for n in names if n)


# --- shared keys and fields -----------------------------------------------------------------------

MUNICIPALITY_KEY = Key("KOMK", "municipality", KeyType.DIGITS, required=True, length=4,
                       description="Municipality code (kommunekode), up to 4 digits")
ROAD_KEY = Key("VEJK", "road", KeyType.DIGITS, required=True, length=4,
               description="Road code (vejkode), up to 4 digits")
MAX_KEY = Key("MAXA", "max_rows", KeyType.INT, low=1, high=MAX_ROWS,
              description=f"Most rows in one answer (default {DEFAULT_ROWS}, at most {MAX_ROWS})")
RESTART_KEY = Key("REST", "restart", KeyType.TEXT, length=20,
                  description="Restart key: the row key (k) of the last row of the previous answer")

_SIDES = {"U": "Ulige husnumre", "L": "Lige husnumre"}

_ROAD_OUT = (
    Out("KOMKOD", "municipality", t="municipality_name", description="Municipality code, name as text"),
    Out("VEJKOD", "road", t="road_name", description="Road code, road addressing name as text"),
)
_RANGE_OUT = (
    Out("HUSNRFRA", "house_no_from", description="First house number of the range (3 digits)"),
    Out("HUSNRTIL", "house_no_to", description="Last house number of the range (3 digits)"),
    Out("LIGEULIGE", "side", t="side_text", description="U: odd house numbers, L: even house numbers"),
)
_POSTAL_OUT = (
    Out("POSTNR", "postal_code", t="postal_district", description="Postal code, postal district as text"),
    Out("BYNVN", "town", description="Town name (bynavn); the synthetic road register has none: empty"),
)


def _municipality_name(code: str) -> str:
    a = reference.authority(code)
    return a.name if a else ""


def _authority_name(code: str | None) -> str | None:
    a = reference.authority(code) if code else None
    return a.name if a else None


def _road_record(r: Road) -> dict[str, Any]:
    return {"municipality": r.municipality, "municipality_name": _municipality_name(r.municipality),
            "road": r.code, "road_name": r.name, "postal_code": r.postal_code,
            "postal_district": reference.postal_district(r.postal_code), "town": None}


def _ranges(r: Road) -> list[dict[str, Any]]:
    """The road's house-number ranges: odd side, then even side (one empty range without numbers)."""
    out = []
    if r.max_odd:
        out.append({"house_no_from": "001", "house_no_to": f"{r.max_odd:03d}", "side": "U", "side_text": _SIDES["U"]})
    if r.max_even:
        out.append({"house_no_from": "002", "house_no_to": f"{r.max_even:03d}", "side": "L",
                    "side_text": _SIDES["L"]})
    return out or [{"house_no_from": None, "house_no_to": None, "side": None, "side_text": None}]


def _road(municipality: str, road: str) -> Road | None:
    return reference.road(municipality, road)


_HOUSE_NO = re.compile(r"0*(\d{1,3})([A-Za-zÆØÅæøå]?)")


def _house_number(raw: str | None) -> tuple[int, str] | None:
    """(number, letter) of a house number key (``"7"``, ``"007B"``); raise InvalidKey (18)."""
    if raw is None:
        return None
    m = _HOUSE_NO.fullmatch(raw.strip())
    if m is None or int(m.group(1)) == 0:
        raise InvalidKey("HNR", raw, "a house number: 1-999, optionally followed by a letter")
    return int(m.group(1)), m.group(2).upper()


def _on_road(r: Road, number: int) -> bool:
    return number <= (r.max_odd if number % 2 else r.max_even)


def _page(hits: Iterable[tuple[str, dict[str, Any]]], max_rows: int | None, restart: str | None) -> Outcome:
    """A page of (row key, record) hits sorted by key: those after ``restart``, at most ``max_rows``."""
    ordered = sorted(hits, key=lambda h: h[0])
    if restart:
        ordered = [h for h in ordered if h[0] > restart.strip()]
    limit = max_rows or DEFAULT_ROWS
    page = ordered[:limit]
    more = len(ordered) > limit
    info: dict[str, Any] = {"row_keys": [k for k, _ in page], "rows": len(page), "more": more}
    if more:
        info["restart"] = page[-1][0]
    return Outcome([r for _, r in page], info=info)


def _service(name: str, title: str, description: str, category: Category, keys: tuple[Key, ...],
             fields: tuple[Out, ...], run: Callable[..., Outcome], **extra: Any) -> SearchService:
    """A reference-data service: open to the public-authority groups, free, naming no person."""
    extra.setdefault("shape", Shape.SEARCH if category is Category.HELPER else Shape.TABLE)
    return SearchService(name, title, description, category, keys, fields, run, groups=ALL_PUBLIC,
                         billable=False, pnr_key=None, notes=NOTES, **extra)


# --- MYNDIGHED: one authority ---------------------------------------------------------------------


def _authority_record(a: Authority) -> dict[str, Any]:
    lines = list(a.address_lines) + [None] * (4 - len(a.address_lines))
    return {
        "authority": a.code, "authority_type": a.type, "authority_type_text": AUTHORITY_TYPES.get(a.type, ""),
        "authority_group": a.group, "authority_name": a.name, "authority_long_name": a.long_name,
        "addressee": a.addressee, "address_line1": lines[0], "address_line2": lines[1],
        "address_line3": lines[2], "address_line4": lines[3], "phone": a.phone, "fax": a.fax,
        "email": a.email, "valid_from": a.valid_from, "valid_to": a.valid_to, "updated_at": a.timestamp,
        "country_alpha2": a.country_alpha2, "country_alpha3": a.country_alpha3,
        "country_num3": a.country_num3,
    }


def _myndighed(ctx: ServiceContext, authority: str) -> Outcome:
    a = reference.authority(authority)
    return Outcome([_authority_record(a)] if a else [])


_TYPE_OUT = Out("MYNTYP", "authority_type", t="authority_type_text",
                description="Authority type (05 municipality, 25 parish, 30 country …), its label as text")

MYNDIGHED = _service(
    "MYNDIGHED", "Myndighed",
    "One authority from CPR's authority table (P02680) by its 4-digit code: type, names, address, "
    "phone, e-mail and the dates of its record. Ended authorities are answered too, with their end date.",
    Category.GEOGRAPHY,
    (Key("MYNK", "authority", KeyType.DIGITS, required=True, length=4,
         description="Authority code (myndighedskode), up to 4 digits"),),
    (
        Out("MYNKOD", "authority", description="Authority code, 4 digits"),
        _TYPE_OUT,
        Out("MYNGRP", "authority_group", description="Authority group (MYNGRP) as the table holds it"),
        Out("MYNNVN", "authority_name", description="Name, at most 20 characters"),
        Out("MYNNVN_XL", "authority_long_name", description="Long name, at most 60 characters"),
        Out("MYNADRSAT", "addressee", description="Addressee line"),
        Out("ADR1", "address_line1", description="Address line 1"),
        Out("ADR2", "address_line2", description="Address line 2"),
        Out("ADR3", "address_line3", description="Address line 3"),
        Out("ADR4", "address_line4", description="Address line 4"),
        Out("MYNTLF", "phone", description="Phone number"),
        Out("TELEFAXNR", "fax", description="Fax number"),
        Out("E_MAIL", "email", description="E-mail address"),
        Out("HAENSTART", "valid_from", Fmt.DATE8, description="Start of this version of the record, yyyyMMdd"),
        Out("HAENSLUT", "valid_to", Fmt.DATE8, description="End date (the authority has ended), yyyyMMdd"),
        Out("TIMESTAMP", "updated_at", Fmt.TS12, description="When the record was last changed, yyyyMMddHHmm"),
        Out("LAND_KOD_ALFA2", "country_alpha2", description="Countries: ISO 3166 alpha-2 code"),
        Out("LAND_KOD_ALFA3", "country_alpha3", description="Countries: ISO 3166 alpha-3 code"),
        Out("LAND_KOD_NUM3", "country_num3", description="Countries: ISO 3166 numeric code"),
    ),
    _myndighed, example=(("MYNK", "0851"),),
)

# --- VEJ: a road, current and previous ----------------------------------------------------------------


def _vej(ctx: ServiceContext, municipality: str, road: str) -> Outcome:
    r = _road(municipality, road)
    if r is None:
        return Outcome([])
    base = _road_record(r) | {"full_road_name": r.name, "previous": False, "valid_from": None,
                              "valid_to": None}
    return Outcome([base | rng for rng in _ranges(r)])


VEJ = _service(
    "VEJ", "Vej nuværende og tidligere",
    "A road of the road register: its names and, per house-number range (odd and even side), postal "
    "code, postal district and town. One row per name period and range; previous names are marked. "
    "The synthetic road register has no history, so every row is current and has no start date.",
    Category.GEOGRAPHY, (MUNICIPALITY_KEY, ROAD_KEY),
    (
        *_ROAD_OUT,
        Out("VEJNVN", "full_road_name", description="Road name (vejnavn); the register holds one name"),
        Out("VEJADRNVN", "road_name", description="Road addressing name, at most 20 characters"),
        Out("TIDLMRK", "previous", Fmt.FLAG, description="X: a previous name of the road"),
        *_RANGE_OUT, *_POSTAL_OUT,
        Out("STARTDATO", "valid_from", Fmt.DATE8, description="Start of the name, yyyyMMdd (not in the register)"),
        Out("SLUTDATO", "valid_to", Fmt.DATE8, description="End of a previous name, yyyyMMdd"),
    ),
    _vej, example=(("KOMK", "0851"), ("VEJK", "0004")),
)

# --- VEJNOTAT: road notes ---------------------------------------------------------------------------


def _vejnotat(ctx: ServiceContext, municipality: str, road: str) -> Outcome:
    return Outcome([])  # the synthetic road register holds no notes


VEJNOTAT = _service(
    "VEJNOTAT", "Vejnotater",
    "Note lines (notatlinier) of a road. The synthetic road register holds no notes: the answer is "
    "always an empty table.",
    Category.GEOGRAPHY, (MUNICIPALITY_KEY, ROAD_KEY),
    (
        *_ROAD_OUT,
        Out("NOTATNR", "note_no", description="Note number"),
        Out("NOTATLINIE", "note_line", description="Note text line"),
        Out("STARTDATO", "valid_from", Fmt.DATE8, description="Start date of the note, yyyyMMdd"),
    ),
    _vejnotat, example=(("KOMK", "0851"), ("VEJK", "0004")),
)

# --- DISTRIKT: the districts of an address ---------------------------------------------------------

#: Authority types of record 002 (authorities serving a municipality) and the record keys they fill.
_SERVING = {"40": "region", "10": "court", "35": "police", "45": "tax_office", "15": "state_administration",
            "75": "part_of_country", "55": "conscription_office"}
_UNKNOWN_DISTRICTS = ("parish", "school_district", "election_district", "social_district", "church_district")


def _districts(r: Road, rng: dict[str, Any]) -> dict[str, Any]:
    record = _road_record(r) | rng
    for name in _UNKNOWN_DISTRICTS:
        record[name] = record[name + "_name"] = None
    for typ, code in reference.authority_links(r.municipality).items():
        if typ in _SERVING:
            record[_SERVING[typ]] = code
            record[_SERVING[typ] + "_name"] = _authority_name(code)
    return record


def _distrikt(ctx: ServiceContext, municipality: str, road: str, house_no: str | None = None) -> Outcome:
    r = _road(municipality, road)
    number = _house_number(house_no)
    if r is None:
        return Outcome([])
    ranges = _ranges(r)
    if number is not None:
        if not _on_road(r, number[0]):
            return Outcome([])
        side = "U" if number[0] % 2 else "L"
        ranges = [rng for rng in ranges if rng["side"] == side]
    return Outcome([_districts(r, rng) for rng in ranges])


def _district_out(name: str, key: str, what: str) -> Out:
    return Out(name, key, t=key + "_name", description=what)


DISTRIKT = _service(
    "DISTRIKT", "Distrikter",
    "The districts of an address (municipality, road, optionally house number): per house-number range, "
    "the postal district and the authorities serving the municipality (region, court, police, tax office, "
    "state administration, part of the country, conscription) from CPR's authority table. Parish, school, "
    "election, social and church districts per address are not in the reference data: empty fields.",
    Category.GEOGRAPHY,
    (MUNICIPALITY_KEY, ROAD_KEY,
     Key("HNR", "house_no", KeyType.TEXT, length=4,
         description="House number (husnummer): 1-999 and an optional letter; blank: every range")),
    (
        *_ROAD_OUT, *_RANGE_OUT, *_POSTAL_OUT,
        _district_out("SOGNEKOD", "parish", "Parish (sogn) code and name: not in the reference data"),
        _district_out("SKOLEKOD", "school_district", "School district: not in the reference data"),
        _district_out("VALGKOD", "election_district", "Election district: not in the reference data"),
        _district_out("SOCIALKOD", "social_district", "Social district: not in the reference data"),
        _district_out("KIRKEKOD", "church_district", "Church district: not in the reference data"),
        _district_out("REGIONKOD", "region", "Region (authority type 40) serving the municipality"),
        _district_out("RETSKOD", "court", "Court district (type 10) serving the municipality"),
        _district_out("POLITIKOD", "police", "Police district (type 35) serving the municipality"),
        _district_out("SKATKOD", "tax_office", "Tax office (type 45) serving the municipality"),
        _district_out("STATSFORVKOD", "state_administration", "State administration (type 15)"),
        _district_out("LANDSDELKOD", "part_of_country", "Part of the country, landsdel (type 75)"),
        _district_out("SESSIONKOD", "conscription_office", "Conscription office, session (type 55)"),
    ),
    _distrikt, example=(("KOMK", "0851"), ("VEJK", "0004"), ("HNR", "7")),
)

# --- VEJHENV: the road reference register -----------------------------------------------------------


def _vejhenv(ctx: ServiceContext, municipality: str, road: str) -> Outcome:
    r = _road(municipality, road)
    if r is None:
        return Outcome([])
    refs = {"parish": None, "parish_name": None, "to_municipality": None, "to_road": None,
            "from_municipality": None, "from_road": None, "valid_from": None}
    return Outcome([_road_record(r) | rng | refs for rng in _ranges(r)])


VEJHENV = _service(
    "VEJHENV", "Vejhenvisningsregister",
    "The road reference register for a road: per house-number range the postal district, town and parish "
    "it refers to, and where the road continues from or into another municipality. The synthetic road "
    "register has no towns, parishes or continuations: those fields are empty.",
    Category.GEOGRAPHY, (MUNICIPALITY_KEY, ROAD_KEY),
    (
        *_ROAD_OUT, *_RANGE_OUT, *_POSTAL_OUT,
        _district_out("SOGNEKOD", "parish", "Parish (sogn) code and name: not in the reference data"),
        Out("TILKOMKOD", "to_municipality", description="Municipality the road continues into"),
        Out("TILVEJKOD", "to_road", description="Road code it continues as"),
        Out("FRAKOMKOD", "from_municipality", description="Municipality the road comes from"),
        Out("FRAVEJKOD", "from_road", description="Road code it comes from"),
        Out("STARTDATO", "valid_from", Fmt.DATE8, description="Start of the reference, yyyyMMdd"),
    ),
    _vejhenv, example=(("KOMK", "0851"), ("VEJK", "0020")),
)

# --- helper searches -----------------------------------------------------------------------------------


def _roads_of(municipality: str | None, postal_code: str | None) -> list[Road]:
    if municipality is not None:
        found = reference.roads(municipality)
    elif postal_code is not None:
        p = reference.postal_codes().get(postal_code)
        found = reference.roads(p.municipality) if p else []
    else:
        found = [r for m in reference.municipality_infos() for r in reference.roads(m.code)]
    return [r for r in found if postal_code is None or r.postal_code == postal_code]


def _road_hit(r: Road) -> tuple[str, dict[str, Any]]:
    return r.municipality + r.code, _road_record(r)


def _vejsoeg(ctx: ServiceContext, municipality: str | None = None, parish: str | None = None,
             postal_code: str | None = None, town: str | None = None, max_rows: int | None = None,
             restart: str | None = None) -> Outcome:
    if parish is not None:
        a = reference.authority(parish)
        if a is None or a.type != PARISH:
            raise InvalidKey("SOGN", parish, "a parish code (authority type 25)")
        # the road register holds no parishes: no road can be found by one
        return _page([], max_rows, restart)
    roads = _roads_of(municipality, postal_code)
    if town is not None:
        codes = {p.code for p in reference.postal_codes().values() if name_matches(town, p.district)}
        roads = [r for r in roads if r.postal_code in codes]
    return _page((_road_hit(r) for r in roads), max_rows, restart)


_ROAD_HIT_OUT = (
    *_ROAD_OUT,
    Out("VEJADRNVN", "road_name", description="Road addressing name"),
    Out("POSTNR", "postal_code", t="postal_district", description="Postal code, postal district as text"),
)

VEJSOEG = _service(
    "VEJSOEG", "Veje ud fra kommune, sognedistrikt, postdistrikt eller bynavn",
    "Roads by municipality (KOMK), parish (SOGN), postal code (POST) or town (BYNVN), combined with AND; "
    "at least one is required. The synthetic road register has no parishes (a valid parish code finds no "
    "road) and no town names (BYNVN matches the beginning of a word of the postal district name, which "
    "for most Danish towns is the town). Rows in order of municipality and road code; the row key is "
    "municipality and road code (8 digits).",
    Category.HELPER,
    (Key("KOMK", "municipality", KeyType.DIGITS, length=4, description="Municipality code"),
     Key("SOGN", "parish", KeyType.DIGITS, length=4, description="Parish code (authority type 25)"),
     Key("POST", "postal_code", KeyType.DIGITS, length=4, description="Postal code"),
     Key("BYNVN", "town", KeyType.TEXT, length=34, description="Town name or its beginning"),
     MAX_KEY, RESTART_KEY),
    _ROAD_HIT_OUT, _vejsoeg, table="VEJSOEG",
    requires_one_of=(("municipality", "parish", "postal_code", "town"),), example=(("KOMK", "0851"), ("POST", "9293"), ("MAXA", "3")),
)


def _authority_hits(authorities: Iterable[Authority]) -> list[tuple[str, dict[str, Any]]]:
    return [(a.code, {"authority": a.code, "authority_type": a.type,
                      "authority_type_text": AUTHORITY_TYPES.get(a.type, ""), "authority_name": a.name,
                      "authority_long_name": a.long_name, "valid_to": a.valid_to}) for a in authorities]


def _mynsoeg(ctx: ServiceContext, name: str, authority_type: str | None = None, ended: bool = False,
             max_rows: int | None = None, restart: str | None = None) -> Outcome:
    today = ctx.today
    found = [a for a in reference.authorities().values()
             if (authority_type is None or a.type == authority_type)
             and (ended or a.valid_to is None or a.valid_to > today)
             and name_matches(name, a.name, a.long_name)]
    return _page(_authority_hits(found), max_rows, restart)


_AUTHORITY_HIT_OUT = (
    Out("MYNKOD", "authority", description="Authority code"),
    _TYPE_OUT,
    Out("MYNNVN", "authority_name", description="Name, at most 20 characters"),
    Out("MYNNVN_XL", "authority_long_name", description="Long name"),
    Out("HAENSLUT", "valid_to", Fmt.DATE8, description="End date of an ended authority, yyyyMMdd"),
)

MYNSOEG = _service(
    "MYNSOEG", "Myndigheder ud fra en del af myndighedsnavnet",
    "Authorities whose name or long name has a word beginning with the given text (case and accents "
    "ignored, æ, ø and å kept as letters, aa read as å), optionally of one authority type. Authorities that "
    "have ended are left out unless HIST=X. Rows by authority code; the row key is the code.",
    Category.HELPER,
    (Key("MYNNVN", "name", KeyType.TEXT, required=True, length=60, description="Part of the authority's name"),
     Key("MYNTYP", "authority_type", KeyType.DIGITS, length=2, description="Authority type, 2 digits"),
     Key("HIST", "ended", KeyType.FLAG, description="X: include authorities that have ended"),
     MAX_KEY, RESTART_KEY),
    _AUTHORITY_HIT_OUT, _mynsoeg, table="MYNSOEG", example=(("MYNNVN", "ålborg"),),
)


def _vejnvn(ctx: ServiceContext, municipality: str | None = None, postal_code: str | None = None,
            road: str | None = None, road_name: str | None = None, max_rows: int | None = None,
            restart: str | None = None) -> Outcome:
    roads = _roads_of(municipality, postal_code)
    if road is not None:
        roads = [r for r in roads if r.code == road]
    if road_name is not None:
        roads = [r for r in roads if name_matches(road_name, r.name)]
    return _page((_road_hit(r) for r in roads), max_rows, restart)


VEJNVN = _service(
    "VEJNVN", "Vejnavn ud fra kommunekode eller postnr. og vejkode eller del af vejnavn",
    "Road names from a municipality code or a postal code, and a road code or part of the road name (a word "
    "of the name beginning with the text; case and accents ignored). Rows by municipality and road code; "
    "the row key is municipality and road code.",
    Category.HELPER,
    (Key("KOMK", "municipality", KeyType.DIGITS, length=4, description="Municipality code"),
     Key("POST", "postal_code", KeyType.DIGITS, length=4, description="Postal code"),
     Key("VEJK", "road", KeyType.DIGITS, length=4, description="Road code"),
     Key("VNVN", "road_name", KeyType.TEXT, length=40, description="Part of the road name"),
     MAX_KEY, RESTART_KEY),
    _ROAD_HIT_OUT, _vejnvn, table="VEJNVN",
    requires_one_of=(("municipality", "postal_code"), ("road", "road_name")), example=(("KOMK", "0851"), ("VNVN", "absalons")),
)


def _postnr(ctx: ServiceContext, postal_code: str | None = None, district: str | None = None,
            max_rows: int | None = None, restart: str | None = None) -> Outcome:
    hits = []
    for p in reference.postal_codes().values():
        if postal_code is not None and p.code != postal_code:
            continue
        if district is not None and not name_matches(district, p.district):
            continue
        hits.append((p.code, {"postal_code": p.code, "postal_district": p.district,
                              "municipality": p.municipality, "municipality_name": _municipality_name(p.municipality),
                              "street_addresses": p.street_addresses}))
    return _page(hits, max_rows, restart)


POSTNR = _service(
    "POSTNR", "Postnr. og -distriktnavn ud fra postnr. eller del af postdistriktnavn",
    "Postal codes and district names from a postal code or part of the district name (a word of the name "
    "beginning with the text). Rows by postal code; the row key is the code.",
    Category.HELPER,
    (Key("POST", "postal_code", KeyType.DIGITS, length=4, description="Postal code"),
     Key("PDIS", "district", KeyType.TEXT, length=20, description="Part of the postal district name"),
     MAX_KEY, RESTART_KEY),
    (
        Out("POSTNR", "postal_code", description="Postal code"),
        Out("POSTDISTTXT", "postal_district", description="Postal district name, at most 20 characters"),
        Out("KOMKOD", "municipality", t="municipality_name", description="Municipality it lies in"),
        Out("GADEADRMRK", "street_addresses", Fmt.FLAG,
            description="X: used for street addresses (not a post-office box or company code)"),
    ),
    _postnr, table="POSTNR", requires_one_of=(("postal_code", "district"),), example=(("PDIS", "aalborg"),),
)


def _mynkode(ctx: ServiceContext, authority: str | None = None, name: str | None = None,
             max_rows: int | None = None, restart: str | None = None) -> Outcome:
    found = [a for a in reference.authorities().values()
             if (authority is None or a.code == authority)
             and (name is None or name_matches(name, a.name, a.long_name))]
    hits = [(k, {f: r[f] for f in ("authority", "authority_name", "authority_type", "authority_type_text")})
            for k, r in _authority_hits(found)]
    return _page(hits, max_rows, restart)


MYNKODE = _service(
    "MYNKODE", "Myndighedskode og -navn ud fra myndighedskode eller del af myndighedsnavn",
    "Authority codes and names from an authority code or part of the name (a word of the name or long name "
    "beginning with the text), ended authorities included. Rows by code; the row key is the code.",
    Category.HELPER,
    (Key("MYNK", "authority", KeyType.DIGITS, length=4, description="Authority code"),
     Key("MYNNVN", "name", KeyType.TEXT, length=60, description="Part of the authority's name"),
     MAX_KEY, RESTART_KEY),
    (
        Out("MYNKOD", "authority", description="Authority code"),
        Out("MYNNVN", "authority_name", description="Name, at most 20 characters"),
        _TYPE_OUT,
    ),
    _mynkode, table="MYNKODE", requires_one_of=(("authority", "name"),), example=(("MYNNVN", "Aalborg"), ("MAXA", "5")),
)

SERVICES = (MYNDIGHED, VEJ, VEJNOTAT, DISTRIKT, VEJHENV, VEJSOEG, MYNSOEG, VEJNVN, POSTNR, MYNKODE)
