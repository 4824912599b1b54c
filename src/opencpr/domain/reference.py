"""Reference data packaged with OpenCPR: authorities, municipalities, postal codes, roads.

* CPR's authority table (myndighedstabel, layout P02680) as published with CPR's demo data:
  municipalities, countries, parishes, courts and other authorities by 4-digit code.
* The 98 current municipalities (kommuner) with region and an approximate population, and
  each municipality's CVR number (the SF1520 ``kommuneCvr`` and ``AuthorityContext``).
* Danish postal codes (postnumre) with district name and municipality.
* A synthetic road register (vejregister), see :mod:`opencpr.domain.roadgen`.

All loaders read files from ``opencpr/domain/data`` once and cache the result.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NamedTuple

__all__ = [
    "AUTHORITY_TYPES",
    "COUNTRY",
    "DENMARK",
    "MUNICIPALITY",
    "NOT_A_MUNICIPALITY",
    "REGION",
    "Authority",
    "MunicipalityInfo",
    "PostalCode",
    "Road",
    "authorities",
    "authority",
    "authority_links",
    "countries",
    "is_country",
    "is_municipality",
    "load",
    "load_roads",
    "municipalities",
    "municipality_cvr",
    "municipality_for_cvr",
    "municipality_info",
    "municipality_infos",
    "parse_authority_table",
    "postal_codes",
    "postal_codes_of",
    "postal_district",
    "read_data_text",
    "region_of",
    "regions",
    "road",
    "roads",
]

MUNICIPALITY = "05"  # MYNTYP of municipalities (kommuner)
COUNTRY = "30"  # MYNTYP of country codes (landekoder)
REGION = "40"  # MYNTYP of regions and the former counties (amter)
DENMARK = "5100"

AUTHORITY_TYPES: dict[str, str] = {
    # Labels for MYNTYP values, inferred from the authorities of each type in the table.
    "00": "Diverse",
    "04": "Personregisterfører",
    "05": "Kommune",
    "07": "CPR-kontoret",
    "10": "Ret",
    "15": "Statsamt",
    "20": "Trossamfund",
    "25": "Sogn",
    "30": "Land",
    "35": "Politi",
    "40": "Region/amt",
    "45": "Told og skat",
    "50": "Datacentral",
    "55": "Session",
    "75": "Landsdel",
    "80": "Stift",
    "85": "Provsti",
}

NOT_A_MUNICIPALITY = frozenset({"0411"})
"""Type-05 codes that are not municipalities: Christiansø (0411) is administered by the state."""

GREENLAND_FROM = "0900"  # municipality codes from 0900 on are Greenlandic

_DATA = "opencpr.domain"


def read_data_text(name: str, encoding: str = "utf-8") -> str:
    """Text of a packaged data file in ``opencpr/domain/data``."""
    return (resources.files(_DATA) / "data" / name).read_text(encoding=encoding)


def _code4(code: str | int) -> str:
    """A 4-digit code from ``"851"``, ``851`` or ``"0851"``."""
    s = str(code).strip()
    return f"{int(s):04d}" if s.isdigit() else s


# --- authorities (P02680) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Authority:
    """One record 001 of CPR's authority table (myndighed)."""

    code: str  # MYNKOD, 4 digits
    type: str  # MYNTYP, 2 digits (05 municipality, 30 country, ...)
    group: str  # MYNGRP
    name: str  # MYNNVN, 20 characters
    long_name: str  # MYNNVN_XL, 60 characters
    addressee: str  # MYNADRSAT
    address_lines: tuple[str, ...]  # ADR1..ADR4, blank lines dropped
    phone: str  # MYNTLF
    fax: str  # TELEFAXNR
    email: str  # E_MAIL
    valid_from: str | None  # HAENSTART as ISO date: start of this version of the record
    valid_to: str | None  # HAENSLUT-CTMYN as ISO date; None while the authority exists
    timestamp: str | None  # TIMESTAMP as ISO date and time
    country_alpha2: str = ""  # LAND_KOD_ALFA2 (countries only)
    country_alpha3: str = ""  # LAND_KOD_ALFA3
    country_num3: str = ""  # LAND_KOD_NUM3

    def active_on(self, on: datetime.date) -> bool:
        """True unless the authority had ended by ``on``.

        Only the end date is used: ``valid_from`` is the start of the current version of the
        record (København's is 2010-09-21), not the date the authority came into being.
        """
        return self.valid_to is None or on.isoformat() < self.valid_to


def _iso_date(stamp: str) -> str | None:
    """``yyyyMMddHHmm`` -> ``yyyy-MM-dd``; None for zeros or blanks."""
    stamp = stamp.strip()
    if len(stamp) < 8 or not stamp.isdigit() or int(stamp[:8]) == 0:
        return None
    return f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]}"


def _iso_datetime(stamp: str) -> str | None:
    stamp = stamp.strip()
    day = _iso_date(stamp)
    if day is None:
        return None
    if len(stamp) >= 12 and stamp.isdigit():
        return f"{day}T{stamp[8:10]}:{stamp[10:12]}"
    return day


def _number(value: str) -> str:
    """A phone or fax number; ``""`` for zeros."""
    return "" if value.strip("0") == "" else value


def _field(line: str, pos: int, length: int) -> str:
    """The field at 1-based ``pos``, blank-stripped (short lines read as blank-padded)."""
    return line[pos - 1 : pos - 1 + length].strip()


def _parse_authority(line: str) -> Authority:
    alpha2 = _field(line, 413, 2)
    alpha3 = _field(line, 415, 3)
    num3 = _field(line, 418, 3)
    return Authority(
        code=_field(line, 4, 4),
        type=_field(line, 8, 2),
        group=_field(line, 10, 1),
        name=_field(line, 55, 20),
        long_name=_field(line, 253, 60),
        addressee=_field(line, 75, 34),
        address_lines=tuple(a for a in (_field(line, p, 34) for p in (109, 143, 177, 211)) if a),
        phone=_number(_field(line, 23, 8)),
        fax=_number(_field(line, 245, 8)),
        email=_field(line, 313, 100),
        valid_from=_iso_date(_field(line, 31, 12)),
        valid_to=_iso_date(_field(line, 43, 12)),
        timestamp=_iso_datetime(_field(line, 11, 12)),
        # placeholders: XX / XXX for pseudo-countries, 000 / 999 for none
        country_alpha2="" if alpha2 in ("", "XX") else alpha2,
        country_alpha3="" if alpha3 in ("", "XXX") else alpha3,
        country_num3="" if num3 in ("", "000", "999") or not num3.isdigit() else num3,
    )


class AuthorityTable(NamedTuple):
    """A parsed P02680 file."""

    authorities: dict[str, Authority]
    # record 002: municipality code -> {authority type -> code of the authority serving it}
    links: dict[str, dict[str, str]]
    production_date: str | None  # from the start record


def parse_authority_table(lines: Iterable[str]) -> AuthorityTable:
    """Parse P02680 records (one per line); unknown record types and blank lines are skipped.

    Record 000 is the start record (production date ``yyyyMMdd`` at 10), 001 an authority, 002 links a
    municipality (pos 11, 4) to the authority of a given type (pos 8, 2) serving it (pos 4, 4),
    999 the end record. Lines may be shorter than the record length (trailing blanks cut).
    """
    auths: dict[str, Authority] = {}
    links: dict[str, dict[str, str]] = {}
    produced = None
    for raw in lines:
        line = raw.rstrip("\r\n")
        kind = line[:3]
        if kind == "001" and len(line) >= 9:
            a = _parse_authority(line)
            auths[a.code] = a
        elif kind == "002" and len(line) >= 14:
            links.setdefault(_field(line, 11, 4), {})[_field(line, 8, 2)] = _field(line, 4, 4)
        elif kind == "000":
            produced = _iso_date(_field(line, 10, 8))
    return AuthorityTable(auths, links, produced)


@cache
def _authority_table() -> AuthorityTable:
    text = read_data_text("authorities-P02680.txt", encoding="iso-8859-1")
    return parse_authority_table(io.StringIO(text))


def authorities() -> dict[str, Authority]:
    """All authorities by code (each code has exactly one record in CPR's table)."""
    return _authority_table().authorities


def authority_links(municipality: str | int) -> dict[str, str]:
    """Authorities serving a municipality, by authority type (e.g. ``{"40": "1081", ...}``)."""
    return dict(_authority_table().links.get(_code4(municipality), {}))


def authority(code: str | int, on: datetime.date | None = None) -> Authority | None:
    """The authority with ``code``; None if unknown, or if ``on`` is given and it had ended by then."""
    a = _authority_table().authorities.get(_code4(code))
    if a is None or (on is not None and not a.active_on(on)):
        return None
    return a


def municipalities(on: datetime.date | None = None, *, greenland: bool = False) -> list[Authority]:
    """Municipalities existing on ``on`` (default today), by code: the 98 current ones for today.

    Greenlandic municipalities are included only with ``greenland=True``; Christiansø is never.
    """
    day = on or datetime.date.today()
    return [
        a
        for code, a in sorted(_authority_table().authorities.items())
        if a.type == MUNICIPALITY
        and code not in NOT_A_MUNICIPALITY
        and (greenland or code < GREENLAND_FROM)
        and a.active_on(day)
    ]


def countries() -> list[Authority]:
    """All country codes (authority type 30), by code; includes CPR's pseudo-countries."""
    return [a for _, a in sorted(_authority_table().authorities.items()) if a.type == COUNTRY]


def is_municipality(code: str | int) -> bool:
    """True if ``code`` is a municipality code in CPR's table (any period; Greenland included)."""
    a = _authority_table().authorities.get(_code4(code))
    return a is not None and a.type == MUNICIPALITY


def is_country(code: str | int) -> bool:
    """True if ``code`` is a country code in CPR's table (e.g. 5100 Danmark)."""
    a = _authority_table().authorities.get(_code4(code))
    return a is not None and a.type == COUNTRY


# --- municipalities and regions -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MunicipalityInfo:
    """A current municipality with its region and approximate population."""

    code: str  # KOMKOD
    name: str
    region_code: str  # e.g. 1081 Region Nordjylland
    region_name: str
    population: int  # approximate (rounded public figures)


@cache
def _municipality_infos() -> dict[str, MunicipalityInfo]:
    rows = csv.DictReader(io.StringIO(read_data_text("municipalities.csv")))
    return {
        r["code"]: MunicipalityInfo(
            r["code"], r["name"], r["region_code"], r["region_name"], int(r["population"])
        )
        for r in rows
    }


def municipality_infos() -> list[MunicipalityInfo]:
    """The 98 current municipalities, by code."""
    return list(_municipality_infos().values())


def municipality_info(code: str | int) -> MunicipalityInfo | None:
    """Region and population of a current municipality."""
    return _municipality_infos().get(_code4(code))


@cache
def _municipality_cvrs() -> dict[str, str]:
    rows = csv.DictReader(io.StringIO(read_data_text("municipality-cvr.csv")))
    return {r["code"]: r["cvr"] for r in rows}


def municipality_cvr(code: str | int | None) -> str | None:
    """The CVR number of a current municipality (8 digits), None for any other code."""
    if code is None or not str(code).strip().isdigit():
        return None
    return _municipality_cvrs().get(_code4(str(code).strip()))


@cache
def _municipalities_by_cvr() -> dict[str, str]:
    return {cvr: code for code, cvr in _municipality_cvrs().items()}


def municipality_for_cvr(cvr: str) -> str | None:
    """The municipality code (KOMKOD) whose CVR number is ``cvr``, None if no municipality has it."""
    return _municipalities_by_cvr().get(cvr.strip()) if isinstance(cvr, str) else None


def region_of(municipality: str | int) -> str | None:
    """Region code (1081-1085) of a current municipality."""
    m = _municipality_infos().get(_code4(municipality))
    return m.region_code if m else None


def regions() -> dict[str, str]:
    """Region code -> name."""
    return {
        m.region_code: m.region_name
        for m in sorted(_municipality_infos().values(), key=lambda m: m.region_code)
    }


# --- postal codes ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostalCode:
    """A Danish postal code (postnummer)."""

    code: str  # POSTNR, 4 digits
    district: str  # POSTDISTTXT, max 20 characters
    municipality: str  # KOMKOD of the municipality it lies in
    street_addresses: bool  # False for post-office box, company and other special codes


@cache
def postal_codes() -> dict[str, PostalCode]:
    """All postal codes by code."""
    rows = csv.DictReader(io.StringIO(read_data_text("postal-codes.csv")))
    return {
        r["postal_code"]: PostalCode(
            r["postal_code"], r["district"], r["municipality"], r["street_addresses"] == "1"
        )
        for r in rows
    }


def postal_district(code: str | int) -> str:
    """District name of a postal code (e.g. ``"Aalborg"`` for 9000); ``""`` if unknown."""
    p = postal_codes().get(_code4(code))
    return p.district if p else ""


@cache
def _postal_by_municipality() -> dict[str, tuple[PostalCode, ...]]:
    out: dict[str, list[PostalCode]] = {}
    for p in postal_codes().values():
        out.setdefault(p.municipality, []).append(p)
    return {k: tuple(v) for k, v in out.items()}


def postal_codes_of(municipality: str | int, *, street_only: bool = False) -> list[PostalCode]:
    """Postal codes in a municipality, by code (only those used for street addresses if asked)."""
    codes = _postal_by_municipality().get(_code4(municipality), ())
    return [p for p in codes if p.street_addresses or not street_only]


# --- roads -------------------------------------------------------------------------------------


class Road(NamedTuple):
    """A road (vej) in the synthetic road register."""

    municipality: str  # KOMKOD
    code: str  # VEJKOD, 0001-9899
    name: str  # VEJADRNVN, max 20 characters
    postal_code: str  # POSTNR
    max_odd: int  # highest odd house number, 0 if none
    max_even: int  # highest even house number, 0 if none

    def house_numbers(self) -> list[int]:
        """All house numbers on the road, ascending."""
        return sorted([*range(1, self.max_odd + 1, 2), *range(2, self.max_even + 1, 2)])


ROAD_FILE = "roads-synthetic.csv"
ROAD_HEADER = ("municipality", "road_code", "name", "postal_code", "max_odd", "max_even")


def load_roads(text: str) -> dict[str, dict[str, Road]]:
    """Parse the road CSV text into municipality -> road code -> Road."""
    out: dict[str, dict[str, Road]] = {}
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(header) != ROAD_HEADER:
        raise ValueError(f"{ROAD_FILE}: unexpected header {header!r}")
    for m, code, name, post, odd, even in reader:
        out.setdefault(m, {})[code] = Road(m, code, name, post, int(odd), int(even))
    return out


DEMO_ROAD_FILE = "roads-demo.csv"


@cache
def _roads() -> dict[str, dict[str, Road]]:
    """The synthetic road register, with the roads CPR's demo persons live on (``roads-demo.csv``)."""
    found = load_roads(read_data_text(ROAD_FILE))
    for municipality, roads_of in load_roads(read_data_text(DEMO_ROAD_FILE)).items():
        found.setdefault(municipality, {}).update(roads_of)
    return found


def roads(municipality: str | int) -> list[Road]:
    """Roads of a municipality, by road code."""
    return list(_roads().get(_code4(municipality), {}).values())


def road(municipality: str | int, road_code: str | int) -> Road | None:
    """One road, or None."""
    return _roads().get(_code4(municipality), {}).get(_code4(road_code))


def load() -> None:
    """Read every reference table now (each is read once, on first use, and kept): a server calls
    this before its first request, which would otherwise wait for the tables — in every thread
    that asks for one before the first has finished reading it."""
    for table in (_authority_table, _municipality_infos, _municipality_cvrs, _municipalities_by_cvr, postal_codes,
                  _postal_by_municipality, _roads):
        table()
