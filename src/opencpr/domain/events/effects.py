"""Building blocks of event effects (pure): replace current data, derive the clear-written address,
take an address in lines from the data, change a civil status on both partners, log derived events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opencpr.domain import reference
from opencpr.domain.events.base import Change, Close, Insert, LogEntry, PersonState, Plan, Situation, Update

#: What a relative is to the primary person, as CPR's derived marker (AFLEDTMRK).
SPOUSE, PARTNER, CHILD, MOTHER, FATHER = "ÆG", "PA", "BØ", "MO", "FA"

ADDRESS_KEYS = ("municipality", "road", "house_no", "floor", "door", "building_no", "co_name")


def replace_current(state: PersonState, table: str, values: Mapping[str, Any], moment: str,
                    *, keep: tuple[str, ...] = ()) -> list[Change]:
    """Close the current row of ``table`` at ``moment`` and add a new current row from ``moment``.

    ``keep`` names columns copied from the old row when ``values`` does not give them.
    """
    changes: list[Change] = []
    old = state.current(table)
    new = dict(values)
    if old is not None:
        for column in keep:
            new.setdefault(column, old.get(column))
        changes.append(Close(table, state.pnr, int(old["id"]), moment))
    new.setdefault("valid_from", moment)
    new["current"] = True
    changes.append(Insert(table, state.pnr, new))
    return changes


def end_current(state: PersonState, table: str, moment: str) -> list[Change]:
    """Close the current row of ``table`` (if any) at ``moment``."""
    old = state.current(table)
    return [Close(table, state.pnr, int(old["id"]), moment)] if old is not None else []


def standard_address(road_name: str, house_no: str | None, floor: str | None, door: str | None) -> str:
    """One-line address as CPR writes it: ``Skovvej 77 A``, ``Egemarksvej 3,5 th``, ``Vestergade 12,st tv``."""
    house = house_no or ""
    number = house[:3].lstrip("0") or "0"
    text = f"{road_name} {number}"
    if len(house) > 3 and house[3:].strip():
        text += house[3:].strip()
    if floor:
        text += "," + (floor if not floor.isdigit() else str(int(floor)))
        if door and door.strip():
            text += " " + door.strip()
    elif door and door.strip():
        text += ", " + door.strip()
    return text[:34]


def clear_address(state: PersonState, address: Mapping[str, Any]) -> Change:
    """Record 003 (the clear-written address) for a Danish address, replacing the person's one row."""
    road = reference.road(address["municipality"], address["road"])
    name = road.name if road else ""
    postal = road.postal_code if road else None
    values = {
        "co_name": address.get("co_name"), "locality": None,
        "standard_address": standard_address(name, address.get("house_no"), address.get("floor"),
                                             address.get("door")),
        "town": None, "postal_code": postal, "postal_district": reference.postal_district(postal) if postal else None,
        "municipality": address["municipality"], "road": address["road"], "house_no": address.get("house_no"),
        "floor": address.get("floor"), "door": address.get("door"), "building_no": address.get("building_no"),
        "road_addressing_name": name,
    }
    old = state.one("clear_address")
    if old is None:
        name_row = state.current("name")
        values["addressing_name"] = name_row.get("addressing_name") if name_row else None
        return Insert("clear_address", state.pnr, values)
    return Update("clear_address", state.pnr, values, int(old["id"]))


def address_lines(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The five lines of an address in lines (``<prefix>1`` … ``<prefix>5``) from the event's data."""
    return {f"{prefix}{n}": data.get(f"{prefix}{n}") for n in range(1, 6)}


def set_person(state: PersonState, **values: Any) -> Change:
    return Update("person", state.pnr, values)


def civil_status_change(state: PersonState, code: str, moment: str, spouse: PersonState | None,
                        separation_ref: str | None = None) -> list[Change]:
    """Close the current civil status and register ``code`` from ``moment`` (with the spouse's data)."""
    values: dict[str, Any] = {"civil_status": code, "valid_from": moment, "separation_ref": separation_ref}
    if spouse is not None:
        name = spouse.current("name")
        values |= {"spouse_pnr": spouse.pnr, "spouse_birth_date": spouse.birth_date,
                   "spouse_name": name.get("addressing_name") if name else None}
    return replace_current(state, "civil_status", values, moment)


def log(plan: Plan, situation: Situation, pnr: str | None = None, marker: str | None = None,
        summary: str = "") -> None:
    plan.log.append(LogEntry(pnr or situation.person.pnr, situation.code, marker, summary))


def spouse_marker(civil_status: str | None) -> str:
    return PARTNER if civil_status in ("P", "O", "L") else SPOUSE


def end_shared_residence(state: PersonState, day: str) -> list[Change]:
    """End the person's current shared residence (a child's second home) on ``day``."""
    return [Close("shared_residence", state.pnr, int(r["id"]), day) for r in state.all("shared_residence")
            if r.get("current") and r.get("correction") not in ("K", "A")]


def end_children_shared_residence(plan: Plan, situation: Situation, parent: PersonState, day: str,
                                  *, logged: frozenset[str] = frozenset()) -> None:
    """End the shared residences children have at ``parent``'s address (the parent dies, disappears
    or leaves the country), each on the child as a derived event (BØ) unless already ``logged``."""
    for pnr in dict.fromkeys(r.get("child_pnr") for r in parent.valid("child")):
        child = situation.other(pnr)
        if child is None:
            continue
        ended = [c for c in end_shared_residence(child, day)
                 if any(int(r["id"]) == c.row_id and r.get("other_pnr") == parent.pnr
                        for r in child.all("shared_residence"))]
        if ended:
            plan.changes.extend(ended)
            if child.pnr not in logged:
                log(plan, situation, child.pnr, CHILD, summary=f"delt bopæl hos {parent.pnr} ophører")


def children(state: PersonState, data: Mapping[str, Any]) -> list[str]:
    """The person's children (the relatives whose shared residence may be at the person's address)."""
    return [p for p in dict.fromkeys(r.get("child_pnr") for r in state.valid("child")) if p]
