"""Reads of the register that several services share: a person, their current name and address,
their relatives and custody, the master data row.

Plain SQLAlchemy Core reads given a connection. They decide nothing about who may see what: name
and address protection, permissions and the audit trail belong to the services and the gate
(:mod:`opencpr.services.gate`). A person that is not in the register is ``None`` (or an empty
answer); the services say what that means (Kvit 172).

Rows marked by data maintenance as corrected (``K``) or undone (``A``) are out of the person's
story: :func:`not_set_aside` is the condition that leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    Connection,
    RowMapping,
    Table,
    and_,
    bindparam,
    desc,
    false,
    literal_column,
    or_,
    select,
    true,
)

from opencpr.register.schema import (
    address,
    child,
    civil_status,
    clear_address,
    departure,
    name,
    parental_authority,
    person,
)

__all__ = [
    "MARRIED", "MASTER_DATA_QUERY", "SET_ASIDE", "addressing_name", "addressing_names", "briefs", "children",
    "clear_written_address", "current_address",
    "current_name", "current_names", "custody", "has_previous_names", "history", "no_pnr",
    "not_set_aside", "person_row", "relatives", "rows",
]

#: Corrections that take a row out of the person's data (ANNKOR K and A).
SET_ASIDE = ("K", "A")


def not_set_aside(table: Table, corrected: bool = False) -> tuple[Any, ...]:
    """The condition that leaves out rows marked K or A, unless they are asked for (KORMRK=X)."""
    if corrected:
        return ()
    # plain comparisons with the markers written into the SQL: an IN list is rendered again at
    # every execution, and bound markers are parameters to build at every execution
    column = table.c.correction
    return (or_(column.is_(None), and_(*(column != literal_column(f"'{marker}'") for marker in SET_ASIDE))),)


def no_pnr(value: str | None) -> bool:
    """True for a PNR field that names nobody (blank or ``0000000000``)."""
    return not value or not value.strip("0 ")


# --- rows of a person -------------------------------------------------------------------------------

_PERSON_QUERY = select(person).where(person.c.pnr == bindparam("pnr"))


def person_row(conn: Connection, pnr: str) -> dict[str, Any] | None:
    """The person row (record 001 with 009 and 015 merged in), or None."""
    row = conn.execute(_PERSON_QUERY, {"pnr": pnr}).mappings().first()
    return None if row is None else dict(row)


def rows(conn: Connection, table: Table, pnr: str, *order: Any, where: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """The person's rows of ``table`` in ``order``, then the newest row first."""
    query = select(table).where(table.c.pnr == pnr, *where).order_by(*order, desc(table.c.id))
    return [dict(r) for r in conn.execute(query).mappings()]


def history(conn: Connection, table: Table, pnr: str, where: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """The person's rows of a current-and-historical table: the current row first, then the newest first."""
    return rows(conn, table, pnr, desc(table.c.current), desc(table.c.valid_from), where=where)


# --- master data ---------------------------------------------------------------------------------------

#: The person row joined with the current name, the current address, the clear-written address (its
#: columns that the address also has are labelled ``clear_…``) and a current departure's foreign
#: address: one row for ``:pnr`` (services add columns to it).
MASTER_DATA_QUERY = (
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


# --- names ---------------------------------------------------------------------------------------------

_NAME_QUERY = (
    select(name.c.first_name, name.c.first_name_marker, name.c.middle_name, name.c.middle_name_marker,
           name.c.last_name, name.c.last_name_marker, name.c.valid_from, name.c.valid_from_uncertain,
           name.c.addressing_name)
    .where(name.c.pnr == bindparam("pnr"), name.c.current == true())
    .order_by(name.c.id.desc())
    .limit(1)
)
_NAME_HISTORY_QUERY = select(name.c.id).where(name.c.pnr == bindparam("pnr"), name.c.current == false()).limit(1)


def current_name(conn: Connection, pnr: str) -> dict[str, Any]:
    """The current name (record 008), every key present, empty values None.

    Keys: first_name, first_name_marker, middle_name, middle_name_marker, last_name,
    last_name_marker, addressing_name, name_valid_from, name_valid_from_uncertain.
    """
    row = conn.execute(_NAME_QUERY, {"pnr": pnr}).mappings().first() or {}
    found = {k: (row.get(k) or None) for k in ("first_name", "first_name_marker", "middle_name",
                                                "middle_name_marker", "last_name", "last_name_marker",
                                                "addressing_name")}
    found["name_valid_from"] = row.get("valid_from") or None
    found["name_valid_from_uncertain"] = bool(row.get("valid_from_uncertain"))
    return found


def has_previous_names(conn: Connection, pnr: str) -> bool:
    """True if earlier names of the person are registered (record 026)."""
    return conn.execute(_NAME_HISTORY_QUERY, {"pnr": pnr}).first() is not None


def addressing_name(conn: Connection, pnr: str) -> str | None:
    """The addressing name of the person's current name, as the register holds it."""
    return conn.execute(select(name.c.addressing_name)
                        .where(name.c.pnr == pnr, name.c.current == true()).limit(1)).scalar()


def current_names(conn: Connection, pnrs: Iterable[str | None]) -> dict[str, RowMapping]:
    """The current name rows of persons in the register, by PNR (PNRs that name nobody are skipped)."""
    wanted = sorted({p for p in pnrs if p and p.strip("0")})
    if not wanted:
        return {}
    query = select(name).where(name.c.pnr.in_(wanted), name.c.current == true())
    return {r["pnr"]: r for r in conn.execute(query).mappings()}


def addressing_names(conn: Connection, pnrs: Iterable[str | None]) -> dict[str, str | None]:
    """The addressing names of the current names of persons in the register, by PNR."""
    return {p: row["addressing_name"] for p, row in current_names(conn, pnrs).items()}


_BRIEF_QUERY = (
    select(person.c.pnr, person.c.status, name.c.addressing_name, clear_address.c.standard_address,
           clear_address.c.postal_code, clear_address.c.postal_district)
    .select_from(
        person.outerjoin(name, and_(name.c.pnr == person.c.pnr, name.c.current == true()))
        .outerjoin(clear_address, clear_address.c.pnr == person.c.pnr)
    )
    .where(person.c.pnr.in_(bindparam("pnrs", expanding=True)))
)


def briefs(conn: Connection, pnrs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Status, addressing name and clear-written address of each of ``pnrs`` that is in the register."""
    wanted = list(dict.fromkeys(pnrs))
    found: dict[str, dict[str, Any]] = {}
    if not wanted:
        return found
    for row in conn.execute(_BRIEF_QUERY, {"pnrs": wanted}).mappings():
        found.setdefault(row["pnr"], {k: (row[k] or None) for k in (
            "status", "addressing_name", "standard_address", "postal_code", "postal_district")})
    return found


# --- addresses -----------------------------------------------------------------------------------------

def current_address(conn: Connection, pnr: str) -> dict[str, Any] | None:
    """The person's current address row (record 002; the newest, should there be two), or None."""
    found = rows(conn, address, pnr, where=(address.c.current == true(),))
    return found[0] if found else None


def clear_written_address(conn: Connection, pnr: str) -> RowMapping | None:
    """The person's clear-written address (adresse i klar tekst, record 025), or None."""
    return conn.execute(select(clear_address).where(clear_address.c.pnr == pnr)).mappings().first()


# --- relatives and custody -----------------------------------------------------------------------------

_SPOUSE_QUERY = (
    select(civil_status.c.civil_status, civil_status.c.spouse_pnr)
    .where(civil_status.c.pnr == bindparam("pnr"), civil_status.c.current == true())
    .order_by(civil_status.c.id.desc())
    .limit(1)
)
#: The children of record 014, without the rows set aside by data maintenance (K corrected, A undone).
_CHILDREN_QUERY = (select(child.c.child_pnr)
                   .where(child.c.pnr == bindparam("pnr"), *not_set_aside(child))
                   .order_by(child.c.id))
_CUSTODY_QUERY = (
    select(parental_authority.c.authority_type, parental_authority.c.valid_from,
           parental_authority.c.valid_from_uncertain, parental_authority.c.valid_to,
           parental_authority.c.holder_pnr, parental_authority.c.holder_pnr_start)
    .where(parental_authority.c.pnr == bindparam("pnr"))
    .order_by(parental_authority.c.authority_type, parental_authority.c.id)
)

#: Civil statuses (CIVST) in which the registered spouse is a spouse (Ægtefælle); in every
#: other (registered partnership, divorced, widowed, dead …) the row is "Andet".
MARRIED = frozenset({"G"})


def relatives(conn: Connection, pnr: str, person_data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(PNR, relation) of the person's relatives: the person itself (``Andet``), the spouse of the
    current civil status (``Ægtefælle`` when married, else ``Andet``), the children (``Barn``,
    record 014) and the parents (``Mor``/``Far``, record 015, from ``person_data``, the person row). Each PNR
    once, the first role wins."""
    found: dict[str, str] = {pnr: "Andet"}
    civil = conn.execute(_SPOUSE_QUERY, {"pnr": pnr}).first()
    if civil is not None and not no_pnr(civil.spouse_pnr):
        found.setdefault(civil.spouse_pnr, "Ægtefælle" if civil.civil_status in MARRIED else "Andet")
    for (child_pnr,) in conn.execute(_CHILDREN_QUERY, {"pnr": pnr}):
        if not no_pnr(child_pnr):
            found.setdefault(child_pnr, "Barn")
    for key, relation in (("mother_pnr", "Mor"), ("father_pnr", "Far")):
        if not no_pnr(person_data.get(key)):
            found.setdefault(person_data[key], relation)
    return list(found.items())


def children(conn: Connection, pnr: str) -> list[str]:
    """The PNRs of the person's children (record 014), once each, in the register's order; rows set
    aside by data maintenance and PNRs that name nobody are left out."""
    found = (child_pnr for (child_pnr,) in conn.execute(_CHILDREN_QUERY, {"pnr": pnr}))
    return list(dict.fromkeys(p for p in found if not no_pnr(p)))


def custody(conn: Connection, pnr: str) -> list[dict[str, Any]]:
    """The parental authority rows (forældremyndighed, record 016), by type, in force or not.

    Keys: type, valid_from, valid_from_uncertain, valid_to, holder_pnr (None for a parent),
    holder_pnr_start (the holder's PNR registered from)."""
    return [{"type": row["authority_type"], "valid_from": row["valid_from"] or None,
             "valid_from_uncertain": bool(row["valid_from_uncertain"]), "valid_to": row["valid_to"] or None,
             "holder_pnr": None if no_pnr(row["holder_pnr"]) else row["holder_pnr"],
             "holder_pnr_start": row["holder_pnr_start"] or None}
            for row in conn.execute(_CUSTODY_QUERY, {"pnr": pnr}).mappings()]
