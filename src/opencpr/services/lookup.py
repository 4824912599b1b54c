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
:class:`PersonNotFound` (Kvit 172). The services are declared in the catalogue
(:mod:`opencpr.services.persons`); call them through the gate:
``gate.call(actor, catalogue.find("Stam+").spec, pnr=…)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, and_, bindparam, false, or_, select, true

from opencpr.access.protection import NAME_AND_ADDRESS, in_force
from opencpr.domain import reference
from opencpr.domain.codes import PERSON_STATUS
from opencpr.domain.pnr import InvalidPNR, parse
from opencpr.register.schema import (
    address,
    child,
    civil_status,
    clear_address,
    contact_address,
    departure,
    name,
    parental_authority,
    person,
)
from opencpr.services.contract import ServiceContext
from opencpr.services.errors import MalformedPNR, PersonNotFound

_ADDRESS = ("co_name", "locality", "standard_address", "town", "postal_code", "postal_district", "municipality",
            "road", "road_name", "house_no", "floor", "door", "building_no")
_FOREIGN = ("exit_country", "foreign_line1", "foreign_line2", "foreign_line3", "foreign_line4", "foreign_line5")

STAMP_FIELDS: tuple[str, ...] = (
    "pnr", "current_pnr", "sex", "birth_date", "birth_date_uncertain", "status", "status_date",
    "addressing_name", *_ADDRESS, *_FOREIGN, "name_address_protected",
)
"""Limited master data (stamoplysninger, begrænsede data)."""

MASTER_DATA_FIELDS: tuple[str, ...] = (
    "pnr", "current_pnr", "sex", "birth_date", "birth_date_uncertain", "status", "status_text", "status_date",
    "first_name", "middle_name", "last_name", "addressing_name", "co_name", "locality", "standard_address",
    "town", "postal_code", "postal_district", "municipality", "municipality_name", "road", "road_name",
    "house_no", "floor", "door", "building_no", "exit_country", "exit_country_name", "foreign_line1",
    "foreign_line2", "foreign_line3", "foreign_line4", "foreign_line5", "name_address_protected",
    "protection_types",
)
"""Full master data (stamoplysninger): the keys of :func:`read_master_data`'s record."""

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


# --- names, relatives and the contact address (navne3, Familie+, Familie, adresse4) -----------------

def no_pnr(value: str | None) -> bool:
    """True for a PNR field that names nobody (blank or ``0000000000``)."""
    return not value or not value.strip("0 ")


def inverted_name(first: str | None, middle: str | None, last: str | None) -> str | None:
    """``Last, First Middle`` — the clear text CPR gives an addressing name (``ADRNVN t=``)."""
    given = " ".join(p for p in (first, middle) if p)
    if not last:
        return given or None
    return f"{last}, {given}" if given else last


_NAME_QUERY = (
    select(name.c.first_name, name.c.first_name_marker, name.c.middle_name, name.c.middle_name_marker,
           name.c.last_name, name.c.last_name_marker, name.c.valid_from, name.c.valid_from_uncertain,
           name.c.addressing_name)
    .where(name.c.pnr == bindparam("pnr"), name.c.current == true())
    .order_by(name.c.id.desc())
    .limit(1)
)
_NAME_HISTORY_QUERY = select(name.c.id).where(name.c.pnr == bindparam("pnr"), name.c.current == false()).limit(1)
_PERSON_QUERY = select(person).where(person.c.pnr == bindparam("pnr"))


def read_person(conn: Connection, pnr: str) -> dict[str, Any]:
    """The person row (record 001 with 009 and 015 merged in); PersonNotFound if there is none."""
    row = conn.execute(_PERSON_QUERY, {"pnr": valid_pnr(pnr)}).mappings().first()
    if row is None:
        raise PersonNotFound()
    return dict(row)


def read_name(conn: Connection, pnr: str) -> dict[str, Any]:
    """The current name (record 008) and whether earlier names are registered (record 026).

    Keys: first_name, first_name_marker, middle_name, middle_name_marker, last_name,
    last_name_marker, name_valid_from, name_valid_from_uncertain, addressing_name,
    addressing_name_inverted, name_history. Empty values are None.
    """
    row = conn.execute(_NAME_QUERY, {"pnr": pnr}).mappings().first() or {}
    found = {k: (row.get(k) or None) for k in ("first_name", "first_name_marker", "middle_name",
                                                "middle_name_marker", "last_name", "last_name_marker",
                                                "addressing_name")}
    found["name_valid_from"] = row.get("valid_from") or None
    found["name_valid_from_uncertain"] = bool(row.get("valid_from_uncertain"))
    found["addressing_name_inverted"] = inverted_name(found["first_name"], found["middle_name"], found["last_name"])
    found["name_history"] = conn.execute(_NAME_HISTORY_QUERY, {"pnr": pnr}).first() is not None
    return found


_BRIEF_QUERY = (
    select(person.c.pnr, person.c.status, name.c.addressing_name, clear_address.c.standard_address,
           clear_address.c.postal_code, clear_address.c.postal_district)
    .select_from(
        person.outerjoin(name, and_(name.c.pnr == person.c.pnr, name.c.current == true()))
        .outerjoin(clear_address, clear_address.c.pnr == person.c.pnr)
    )
    .where(person.c.pnr.in_(bindparam("pnrs", expanding=True)))
)


def read_briefs(conn: Connection, pnrs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Status, addressing name and clear-written address of each of ``pnrs`` that is in the register."""
    wanted = list(dict.fromkeys(pnrs))
    found: dict[str, dict[str, Any]] = {}
    if not wanted:
        return found
    for row in conn.execute(_BRIEF_QUERY, {"pnrs": wanted}).mappings():
        found.setdefault(row["pnr"], {k: (row[k] or None) for k in (
            "status", "addressing_name", "standard_address", "postal_code", "postal_district")})
    return found


_SPOUSE_QUERY = (
    select(civil_status.c.civil_status, civil_status.c.spouse_pnr)
    .where(civil_status.c.pnr == bindparam("pnr"), civil_status.c.current == true())
    .order_by(civil_status.c.id.desc())
    .limit(1)
)
#: The children of record 014, without the rows set aside by data maintenance (K corrected, A undone).
_CHILDREN_QUERY = (select(child.c.child_pnr)
                   .where(child.c.pnr == bindparam("pnr"),
                          or_(child.c.correction.is_(None), child.c.correction.not_in(("K", "A"))))
                   .order_by(child.c.id))
_CUSTODY_QUERY = (
    select(parental_authority.c.authority_type, parental_authority.c.valid_from,
           parental_authority.c.valid_from_uncertain, parental_authority.c.valid_to,
           parental_authority.c.holder_pnr)
    .where(parental_authority.c.pnr == bindparam("pnr"))
    .order_by(parental_authority.c.authority_type, parental_authority.c.id)
)

#: Civil statuses (CIVST) in which the registered spouse is a spouse (Ægtefælle); in every
#: other (registered partnership, divorced, widowed, dead …) the row is "Andet".
MARRIED = frozenset({"G"})


def read_relatives(conn: Connection, pnr: str, person_row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(PNR, relation) of the person's relatives: the person itself (``Andet``), the spouse of the
    current civil status (``Ægtefælle`` when married, else ``Andet``), the children (``Barn``,
    record 014) and the parents (``Mor``/``Far``, record 015). Each PNR once, the first role wins."""
    found: dict[str, str] = {pnr: "Andet"}
    civil = conn.execute(_SPOUSE_QUERY, {"pnr": pnr}).first()
    if civil is not None and not no_pnr(civil.spouse_pnr):
        found.setdefault(civil.spouse_pnr, "Ægtefælle" if civil.civil_status in MARRIED else "Andet")
    for (child_pnr,) in conn.execute(_CHILDREN_QUERY, {"pnr": pnr}):
        if not no_pnr(child_pnr):
            found.setdefault(child_pnr, "Barn")
    for key, relation in (("mother_pnr", "Mor"), ("father_pnr", "Far")):
        if not no_pnr(person_row.get(key)):
            found.setdefault(person_row[key], relation)
    return list(found.items())


def read_custody(conn: Connection, pnr: str, day: str) -> list[dict[str, Any]]:
    """The parental authority (forældremyndighed, record 016) in force on ``day``, by type."""
    out = []
    for row in conn.execute(_CUSTODY_QUERY, {"pnr": pnr}).mappings():
        if not in_force(row["valid_from"], row["valid_to"], day):
            continue
        out.append({"type": row["authority_type"], "valid_from": row["valid_from"] or None,
                    "valid_from_uncertain": bool(row["valid_from_uncertain"]), "valid_to": row["valid_to"] or None,
                    "holder_pnr": None if no_pnr(row["holder_pnr"]) else row["holder_pnr"]})
    return out


_CONTACT_QUERY = (
    select(contact_address.c.line1, contact_address.c.line2, contact_address.c.line3, contact_address.c.line4,
           contact_address.c.line5, contact_address.c.valid_from, contact_address.c.valid_to)
    .where(contact_address.c.pnr == bindparam("pnr"))
    .order_by(contact_address.c.id.desc())
    .limit(1)
)


def read_contact_address(conn: Connection, pnr: str) -> dict[str, Any] | None:
    """The person's contact address (kontaktadresse, record 006) as the register holds it, or None."""
    row = conn.execute(_CONTACT_QUERY, {"pnr": pnr}).mappings().first()
    return None if row is None else {k: (v or None) for k, v in row.items()}
