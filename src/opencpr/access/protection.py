"""Name and address protection (navne- og adressebeskyttelse) and the other protection flags.

A protection row (record 004) is in force on a day when ``valid_from <= day < valid_to`` (the
end date is the day it is lifted; a missing date is open) and it is not set aside by data
maintenance (marked K or A). Type ``0001`` hides the person's
address from callers whose group lacks ``protected_addresses``:

* in lookups the address fields (:data:`ADDRESS_FIELDS`) go out blank — the fields are still
  there, as CPR always returns its fields — while name, status and the protection flag stay;
* searches that find persons by address must not find them at all, so that neither a row, nor
  a count, nor a restart key reveals that a protected person lives at the address: build the
  query with :func:`visible_condition`.

Besides the address itself, what would point to it is hidden too (:data:`HIDDEN_FIELDS`): the
birth registration authority (for many persons the municipality they still live in) and the
authority of the person's events (the municipality that registered a move is the one moved to).
A dead person's last address is hidden as well when a protected person lives there today (the
survivor's address, frozen in the record of the spouse who died): :func:`dead_at_protected_homes`.
A living person at the same address who has no protection of their own is shown as CPR shows
them: protection is individual, and each member of a household applies for it.

A search filter on the municipality, region or birth authority treats a protected person's
values as unknown for such a caller: the person is not selected by them, so neither a row, a
count nor a restart key tells whether they match.

The other types (0002 local directory, 0003 marketing, 0004 research, 0005 credit warning)
are flags to show, never reasons to hide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, exists, or_, select, true

from opencpr.register.db import plain_read
from opencpr.register.schema import address, person, protection

NAME_AND_ADDRESS = "0001"

#: Correction markers of protection rows that no longer count: K (corrected: the corrected copy
#: counts instead) and A (undone).
SET_ASIDE = ("K", "A")

#: The address fields of service records (the names the services use); blanked under protection.
ADDRESS_FIELDS: frozenset[str] = frozenset({
    "co_name", "locality", "standard_address", "town", "postal_code", "postal_district", "municipality",
    "municipality_name", "road", "road_name", "house_no", "floor", "door", "building_no", "moved_in",
    "exit_country", "exit_country_name", "foreign_line1", "foreign_line2", "foreign_line3", "foreign_line4",
    "foreign_line5", "supplementary_line1", "supplementary_line2", "supplementary_line3", "supplementary_line4",
    "supplementary_line5", "moved_out", "postal_number", "contact_line1", "contact_line2", "contact_line3",
    "contact_line4", "contact_line5",
})


#: What is blanked in a record about a person the caller may not see the address of: the address
#: fields, and the fields that would point to the address (birth authority, event authority).
HIDDEN_FIELDS: frozenset[str] = ADDRESS_FIELDS | {
    # the address's other parts, times and markers
    "municipality_long_name", "municipality_arrival", "municipality_arrival_uncertain", "from_municipality",
    "from_municipality_name", "moved_out_uncertain", "moved_in_uncertain", "co_name_stamp", "foreign_stamp",
    "foreign_authority", "address_stamp", "registered_stamp", "address_code", "previous_addresses",
    "previous_municipality", "supplementary_address", "contact_valid_from", "contact_valid_to",
    # what points to the address: the authority of the person's events, the birth authority
    "authority", "authority_name", "authority_long_name",
    "birth_authority", "birth_authority_text", "birth_authority_name", "birth_authority_long_name",
}

#: Person status of the dead (CPR's status 90).
DEAD = "90"


def in_force(valid_from: str | None, valid_to: str | None, day: str) -> bool:
    """True if a protection with these dates (``YYYY-MM-DD``) is in force on ``day``."""
    return (not valid_from or valid_from[:10] <= day) and (not valid_to or day < valid_to[:10])


def types_in_force(rows: Iterable[Mapping[str, Any]], day: str) -> frozenset[str]:
    """The protection types in force on ``day`` among a person's ``protection`` rows (the rule of
    :func:`in_force_condition`, for rows already read)."""
    return frozenset(r["protection_type"] for r in rows if r.get("protection_type")
                     and (not r.get("valid_from") or r["valid_from"] <= day)
                     and (not r.get("valid_to") or r["valid_to"] > day)
                     and r.get("correction") not in SET_ASIDE)


def in_force_condition(day: Any, table: Any = protection) -> ColumnElement[bool]:
    """SQL: a row of ``table`` (the protection table or an alias) is in force on ``day``.

    A row set aside by data maintenance (``correction`` K: replaced by its corrected copy, A:
    undone) is never in force."""
    return and_(or_(table.c.valid_from.is_(None), table.c.valid_from <= day),
                or_(table.c.valid_to.is_(None), table.c.valid_to == "", table.c.valid_to > day),
                or_(table.c.correction.is_(None), and_(*(table.c.correction != m for m in SET_ASIDE))))


def protected_condition(pnr_column: ColumnElement[str], day: Any,
                        types: Iterable[str] = (NAME_AND_ADDRESS,)) -> ColumnElement[bool]:
    """SQL: the person in ``pnr_column`` has one of ``types`` in force on ``day``."""
    p = protection.alias("protection_in_force")  # an alias: the search itself may read ``protection``
    return exists().where(p.c.pnr == pnr_column, p.c.protection_type.in_(list(types)), in_force_condition(day, p))


def visible_condition(pnr_column: ColumnElement[str], day: str, sees_protected: bool) -> ColumnElement[bool]:
    """SQL for address searches: true for every person the caller may find by address.

    For a caller who sees protected addresses this is simply true; for others it excludes the
    persons under name and address protection on ``day``.
    """
    if sees_protected:
        return true()
    return and_(~protected_condition(pnr_column, day), ~dead_at_protected_home_condition(pnr_column, day))


def _same(left: ColumnElement[Any], right: ColumnElement[Any]) -> ColumnElement[bool]:
    """SQL: two address parts are the same, two blanks included."""
    return or_(left == right, and_(left.is_(None), right.is_(None)))


def dead_at_protected_home_condition(pnr_column: ColumnElement[str], day: Any) -> ColumnElement[bool]:
    """SQL: the person in ``pnr_column`` is dead and their last address is the current address of a
    person under name and address protection on ``day``."""
    dead = person.alias("dead_person")
    last = address.alias("last_address")
    home = address.alias("protected_home")
    return exists().where(
        dead.c.pnr == pnr_column, dead.c.status == DEAD,
        last.c.pnr == pnr_column, last.c.current == true(), last.c.road.is_not(None),
        home.c.current == true(), home.c.pnr != pnr_column,
        home.c.municipality == last.c.municipality, home.c.road == last.c.road,
        _same(home.c.house_no, last.c.house_no), _same(home.c.floor, last.c.floor),
        _same(home.c.door, last.c.door),
        protected_condition(home.c.pnr, day))


def dead_at_protected_homes(conn: Connection, pnrs: Iterable[str], day: str) -> set[str]:
    """Those of ``pnrs`` who are dead with a last address where a protected person lives on ``day``."""
    wanted = list(dict.fromkeys(pnrs))
    if not wanted:
        return set()
    # statements built once (their aliases and subqueries cost more to build than to run)
    query, params = (_DEAD_QUERY_ONE, {"pnr": wanted[0]}) if len(wanted) == 1 else (_DEAD_QUERY, {"pnrs": wanted})
    return set(conn.execute(query, {**params, "day": day}).scalars())


_DEAD_QUERY = select(person.c.pnr).where(person.c.pnr.in_(bindparam("pnrs", expanding=True)),
                                         person.c.status == DEAD,
                                         dead_at_protected_home_condition(person.c.pnr, bindparam("day")))
_DEAD_QUERY_ONE = select(person.c.pnr).where(person.c.pnr == bindparam("pnr"), person.c.status == DEAD,
                                             dead_at_protected_home_condition(person.c.pnr, bindparam("day")))


_TYPES_QUERY = plain_read(select(protection.c.pnr, protection.c.protection_type)
                          .where(protection.c.pnr.in_(bindparam("pnrs", expanding=True)),
                                 in_force_condition(bindparam("day"))))
_TYPES_QUERY_ONE = plain_read(select(protection.c.pnr, protection.c.protection_type)
                              .where(protection.c.pnr == bindparam("pnr"), in_force_condition(bindparam("day"))))


def protections_of(conn: Connection, pnrs: Iterable[str], day: str) -> dict[str, frozenset[str]]:
    """The protection types in force on ``day`` for each of ``pnrs`` (persons without any are left out)."""
    wanted = list(dict.fromkeys(pnrs))
    if not wanted:
        return {}
    found: dict[str, set[str]] = {}
    # one person (a lookup): a plain ``pnr = :pnr``, not an IN list rendered again at every call
    query, params = (_TYPES_QUERY_ONE, {"pnr": wanted[0]}) if len(wanted) == 1 else (_TYPES_QUERY, {"pnrs": wanted})
    for pnr, kind in conn.execute(query, {**params, "day": day}):
        found.setdefault(pnr, set()).add(kind)
    return {p: frozenset(t) for p, t in found.items()}


def blank_address(record: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Blank the address fields, and those pointing to the address (:data:`HIDDEN_FIELDS`), of a
    service record in place (the fields stay, empty)."""
    for name in HIDDEN_FIELDS.intersection(record):
        record[name] = None
    return record


#: Kinds of person data that are address data through and through: a protected person's row of one
#: of them goes out with every value blank (only the keys in :data:`ROW_KEYS` stay).
ADDRESS_DATA: frozenset[str] = frozenset({
    "address", "clear_address", "contact_address", "departure", "shared_residence", "supplementary_address",
})

#: What a blanked row keeps: whose it is and which row it is, never what it says.
ROW_KEYS: frozenset[str] = frozenset({"pnr", "id", "current", "correction"})

#: Parts whose named fields hold another part's data (a report's data, before and after): blanked whole.
NESTED_DATA: dict[str, frozenset[str]] = {
    "pending_report": frozenset({"data", "texts", "before", "after"}),
}


def blank_part(kind: str, row: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Blank a protected person's row of a declared person-data part (``Outcome.parts``) in place.

    Rows of address data (:data:`ADDRESS_DATA`) lose every value but their keys; a part with
    nested data (:data:`NESTED_DATA`) loses that data whole; any other part loses its address
    fields (:data:`ADDRESS_FIELDS`), as a record does.
    """
    if kind in ADDRESS_DATA:
        for name in row:
            if name not in ROW_KEYS:
                row[name] = None
        return row
    for name in NESTED_DATA.get(kind, ()):
        if name in row:
            row[name] = None
    return blank_address(row)


def hides_address(types: Iterable[str], sees_protected: bool) -> bool:
    """True if a person with protection ``types`` in force must have the address hidden."""
    return not sees_protected and NAME_AND_ADDRESS in types


def apply_protection(records: Iterable[MutableMapping[str, Any]], protections: Mapping[str, frozenset[str]],
                     sees_protected: bool) -> int:
    """Blank the addresses of protected persons among ``records``; return how many were blanked."""
    if sees_protected:
        return 0
    blanked = 0
    for record in records:
        if NAME_AND_ADDRESS in protections.get(record.get("pnr") or "", ()):
            blank_address(record)
            blanked += 1
    return blanked
