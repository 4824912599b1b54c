"""Master data lookups by PNR: ``STAMP`` (limited master data) and ``Stam+`` (full master data).

Both read the register's current rows directly (person, current name, current address, the
clear-written address, a current departure's foreign address) and the protection rows in force
today. Fields without data are returned too, as ``None``. Field names are this project's; the
protocol adapters map them to CPR's (``ADRNVN``, ``STADR``, ``KOMKOD`` …).

* ``STAMP`` — for private companies: PNR, current PNR, sex, birth date, status, addressing
  name, address and the name-and-address-protection flag.
* ``Stam+`` — adds first, middle and last names, clear texts (status, municipality) and the
  list of protection types in force.

A malformed PNR is :class:`MalformedPNR` (Kvit 52); a PNR not in the register is
:class:`PersonNotFound` (Kvit 172). Call them through the gate: ``gate.call(actor, STAM_PLUS, pnr=…)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, true

from opencpr.access.groups import Kind
from opencpr.access.protection import NAME_AND_ADDRESS
from opencpr.domain import reference
from opencpr.domain.codes import PERSON_STATUS
from opencpr.domain.pnr import InvalidPNR, parse
from opencpr.register.schema import address, clear_address, departure, name, person
from opencpr.services.errors import MalformedPNR, PersonNotFound
from opencpr.services.gate import Actor, Gate, Outcome, ServiceContext, ServiceSpec

_ADDRESS = ("co_name", "locality", "standard_address", "town", "postal_code", "postal_district", "municipality",
            "road", "road_name", "house_no", "floor", "door", "building_no")
_FOREIGN = ("exit_country", "foreign_line1", "foreign_line2", "foreign_line3", "foreign_line4", "foreign_line5")

STAMP_FIELDS: tuple[str, ...] = (
    "pnr", "current_pnr", "sex", "birth_date", "birth_date_uncertain", "status", "status_date",
    "addressing_name", *_ADDRESS, *_FOREIGN, "name_address_protected",
)
"""Limited master data (stamoplysninger, begrænsede data)."""

STAM_PLUS_FIELDS: tuple[str, ...] = (
    "pnr", "current_pnr", "sex", "birth_date", "birth_date_uncertain", "status", "status_text", "status_date",
    "first_name", "middle_name", "last_name", "addressing_name", "co_name", "locality", "standard_address",
    "town", "postal_code", "postal_district", "municipality", "municipality_name", "road", "road_name",
    "house_no", "floor", "door", "building_no", "exit_country", "exit_country_name", "foreign_line1",
    "foreign_line2", "foreign_line3", "foreign_line4", "foreign_line5", "name_address_protected",
    "protection_types",
)
"""Full master data (stamoplysninger)."""

_QUERY = (
    select(
        person.c.pnr, person.c.current_pnr, person.c.sex, person.c.birth_date, person.c.birth_date_uncertain,
        person.c.status, person.c.status_date,
        name.c.first_name, name.c.middle_name, name.c.last_name, name.c.addressing_name,
        address.c.municipality, address.c.road, address.c.house_no, address.c.floor, address.c.door,
        address.c.building_no, address.c.co_name,
        clear_address.c.co_name.label("clear_co_name"), clear_address.c.locality, clear_address.c.standard_address,
        clear_address.c.town, clear_address.c.postal_code, clear_address.c.postal_district,
        clear_address.c.road_addressing_name, clear_address.c.municipality.label("clear_municipality"),
        clear_address.c.road.label("clear_road"), clear_address.c.house_no.label("clear_house_no"),
        clear_address.c.floor.label("clear_floor"), clear_address.c.door.label("clear_door"),
        clear_address.c.building_no.label("clear_building_no"),
        departure.c.exit_country, departure.c.foreign_line1, departure.c.foreign_line2, departure.c.foreign_line3,
        departure.c.foreign_line4, departure.c.foreign_line5,
    )
    .select_from(
        person.outerjoin(name, and_(name.c.pnr == person.c.pnr, name.c.current == true()))
        .outerjoin(address, and_(address.c.pnr == person.c.pnr, address.c.current == true()))
        .outerjoin(clear_address, clear_address.c.pnr == person.c.pnr)
        .outerjoin(departure, and_(departure.c.pnr == person.c.pnr, departure.c.current == true()))
    )
    .where(person.c.pnr == bindparam("pnr"))
    .limit(1)
)


def _authority_name(code: str | None) -> str | None:
    found = reference.authority(code) if code else None
    return found.name if found else None


def valid_pnr(pnr: object) -> str:
    """The ten digits of a PNR key; raise MalformedPNR (Kvit 52) if it is not a valid CPR number."""
    try:
        return parse(pnr).pnr  # type: ignore[arg-type]
    except (InvalidPNR, TypeError, AttributeError):
        raise MalformedPNR(pnr) from None


def _master_data(row: Mapping[str, Any], types: frozenset[str]) -> dict[str, Any]:
    """The full master data record of a query row and the protection types in force."""
    municipality = row["municipality"] or row["clear_municipality"]
    exit_country = row["exit_country"]
    return {
        "pnr": row["pnr"],
        "current_pnr": row["current_pnr"] or row["pnr"],
        "sex": row["sex"],
        "birth_date": row["birth_date"],
        "birth_date_uncertain": bool(row["birth_date_uncertain"]),
        "status": row["status"],
        "status_text": PERSON_STATUS.get(row["status"]),
        "status_date": row["status_date"],
        "first_name": row["first_name"],
        "middle_name": row["middle_name"],
        "last_name": row["last_name"],
        "addressing_name": row["addressing_name"],
        "co_name": row["clear_co_name"] or row["co_name"],
        "locality": row["locality"],
        "standard_address": row["standard_address"],
        "town": row["town"],
        "postal_code": row["postal_code"],
        "postal_district": row["postal_district"],
        "municipality": municipality,
        "municipality_name": _authority_name(municipality),
        "road": row["road"] or row["clear_road"],
        "road_name": row["road_addressing_name"],
        "house_no": row["house_no"] or row["clear_house_no"],
        "floor": row["floor"] or row["clear_floor"],
        "door": row["door"] or row["clear_door"],
        "building_no": row["building_no"] or row["clear_building_no"],
        "exit_country": exit_country,
        "exit_country_name": _authority_name(exit_country),
        "foreign_line1": row["foreign_line1"],
        "foreign_line2": row["foreign_line2"],
        "foreign_line3": row["foreign_line3"],
        "foreign_line4": row["foreign_line4"],
        "foreign_line5": row["foreign_line5"],
        "name_address_protected": NAME_AND_ADDRESS in types,
        "protection_types": tuple(sorted(types)),
    }


def _read(conn: Connection, pnr: str,
          protections: Callable[[Iterable[str]], Mapping[str, frozenset[str]]]) -> dict[str, Any]:
    row = conn.execute(_QUERY, {"pnr": pnr}).mappings().first()
    if row is None:
        raise PersonNotFound()
    return _master_data(row, protections([pnr]).get(pnr, frozenset()))


def read_master_data(ctx: ServiceContext, pnr: str) -> dict[str, Any]:
    """The full master data record of a person (PersonNotFound if there is none)."""
    return _read(ctx.conn, valid_pnr(pnr), ctx.protections)


def _lookup(fields: tuple[str, ...], ctx: ServiceContext, pnr: str) -> Outcome:
    record = read_master_data(ctx, pnr)
    return Outcome([record if fields is STAM_PLUS_FIELDS else {f: record[f] for f in fields}])


STAMP = ServiceSpec("STAMP", Kind.SEARCH, "lookup", partial(_lookup, STAMP_FIELDS),
                    description="Stamoplysninger for en person, begrænsede data")
STAM_PLUS = ServiceSpec("Stam+", Kind.SEARCH, "lookup", partial(_lookup, STAM_PLUS_FIELDS),
                        description="Stamoplysninger for en person")

SERVICES: dict[str, ServiceSpec] = {s.name.casefold(): s for s in (STAMP, STAM_PLUS)}


def lookup(gate: Gate, actor: Actor, service: str | ServiceSpec, pnr: str) -> dict[str, Any]:
    """Look a person up with ``service`` (``"STAMP"`` or ``"Stam+"``) through the gate."""
    spec = service if isinstance(service, ServiceSpec) else SERVICES.get(service.casefold())
    if spec is None:
        raise ValueError(f"no lookup service {service!r}; known: STAMP, Stam+")
    return gate.call(actor, spec, pnr=pnr).records[0]
