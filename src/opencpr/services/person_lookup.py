"""SF1520 PersonLookup (udvidet person stamdata): one person's data as one service through the gate.

:data:`PERSON_LOOKUP` (``SF1520``) is a search service of its own, declared here as data like the
oversight services (:mod:`opencpr.services.oversight`): a security group grants it by the name
``SF1520``, every call is audited on the caller and counted for billing under that name, and the
gate applies name and address protection to its outcome as to any other.

The outcome is built from the same register reads the GCTP services use, so that the values
agree with them: the master data of ``Stam+`` (:func:`~opencpr.services.lookups.master_data.read_master_data`),
the current name of ``navne3`` (:func:`opencpr.register.queries.current_name`), the relatives and
custody of ``Familie+`` (:func:`opencpr.register.queries.custody`, the person row's record 015),
the contact address of ``adresse4`` (:func:`~opencpr.services.lookups.addresses.read_contact_address`)
and the current rows of the civil status, separation, citizenship, disappearance, departure,
guardianship and note tables (``CIVST``, ``SEPARATION``, ``STATSB``, ``FOEDSEL``, ``KOMNOTAT``).

What goes out (keys are this project's field names; :mod:`opencpr.formats.sf1520` words them):

* ``records`` — one record about the person: PNRs, sex, birth date and registration, start and
  end of the PNR, age, occupation, status, civil status, separation, citizenship, guardianship,
  disappearance, the protections with their dates, the number of active children under 18. The
  birth registration authority is among :data:`~opencpr.access.protection.HIDDEN_FIELDS`: the gate
  blanks it for a caller who may not see the person's address.
* ``parts["address"]`` — the current address (``current`` true) and the previous addresses; address
  data through and through, blanked whole for such a caller (the row stays, every value None);
* ``parts["departure"]`` — the current departure (the foreign address); ``parts["contact_address"]``
  — the contact address; both address data, blanked whole likewise;
* ``parts["relation"]`` — spouse, mother, father, children and the holders of parental authority,
  each row under the PNR of the person it names when there is one (so the audit record names
  them), else under the person's own PNR; they carry no address;
* ``parts["note"]`` — the municipal notes in force.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Connection, bindparam, desc, or_, select, true

from opencpr.access.actor import Actor
from opencpr.access.groups import Kind, Scope
from opencpr.access.protection import in_force
from opencpr.domain import reference
from opencpr.domain.codes import ACTIVE_STATUSES
from opencpr.domain.kvit import Kvit
from opencpr.register import queries
from opencpr.register.schema import (
    address,
    citizenship,
    civil_status,
    departure,
    disappearance,
    guardianship,
    note,
    person,
    protection,
    separation,
)
from opencpr.services.catalogue import PNR_KEY
from opencpr.services.contract import Outcome, ServiceContext, ServiceSpec
from opencpr.services.errors import PersonNotFound
from opencpr.services.lookups.addresses import read_contact_address
from opencpr.services.lookups.common import authority_name, blank
from opencpr.services.lookups.master_data import read_master_data
from opencpr.services.subscriptions.errors import InvalidCallParameters, SubscriptionFault

__all__ = ["NAME", "PERSON_LOOKUP", "PROTECTIONS", "SERVICE_UUID", "WrongMunicipality", "acting_for",
           "person_lookup"]

#: The permission (search service) name a security group grants SF1520 by.
NAME = "SF1520"

#: Serviceplatformen's ServiceUUID of SF1520 PersonBaseDataExtended (``cpr-protocols.md`` §5.4).
SERVICE_UUID = "e6be2436-bf35-4df2-83fe-925142825dc2"

#: The protection types SF1520 reports, by the answer's key: name and address, local directory, marketing.
PROTECTIONS = {"address_protection": "0001", "directory_protection": "0002", "marketing_protection": "0003"}

#: Civil statuses in which the registered spouse is the person's spouse or partner (aegtefaelle).
_SPOUSE_STATUSES = frozenset({"G", "P"})


class WrongMunicipality(SubscriptionFault):
    """The call's AuthorityContext names a municipality the system does not act for."""

    default = Kvit.NO_ACCESS
    error_code = "WrongMunicipality"


def acting_for(actor: Actor, municipality_cvr: str | None) -> Actor:
    """The actor of a call that names the municipality it is made for (``AuthorityContext``).

    The CVR must be a municipality's (:func:`opencpr.domain.reference.municipality_for_cvr`), else
    InvalidCallParameters. A system registered with an authority acts for that municipality only:
    another one is WrongMunicipality. A system registered without one, whose group grants SF1520
    for every person, makes the call for the municipality named: the audit record and the usage
    count carry it as the call's authority. A system without one whose group is limited to its own
    municipality is refused (WrongMunicipality): naming a municipality must never widen what a
    system may see. Without an AuthorityContext (None) the actor is unchanged.
    """
    if municipality_cvr is None:
        return actor
    if not (len(municipality_cvr) == 8 and municipality_cvr.isascii() and municipality_cvr.isdigit()):
        raise InvalidCallParameters(f"AuthorityContext/MunicipalityCVR must be 8 digits, not {municipality_cvr[:20]!r}")
    municipality = reference.municipality_for_cvr(municipality_cvr)
    if municipality is None:
        raise InvalidCallParameters(f"AuthorityContext/MunicipalityCVR {municipality_cvr} is no municipality's CVR")
    if actor.authority:
        if actor.authority != municipality:
            raise WrongMunicipality(f"the system acts for municipality {actor.authority}, not for {municipality} "
                                    f"(CVR {municipality_cvr})")
        return actor
    grant = actor.group.permissions.grant_for(Kind.SEARCH, NAME)
    if grant is not None and grant.scope is not Scope.ALL:
        raise WrongMunicipality(f"the system is registered without a municipality and its group is limited to "
                                f"its own: it cannot act for municipality {municipality}")
    return dataclasses.replace(actor, authority=municipality)


def _current(table: Any) -> Any:
    return (select(table).where(table.c.pnr == bindparam("pnr"), table.c.current == true(),
                                *queries.not_set_aside(table))
            .order_by(desc(table.c.id)).limit(1))


_CURRENT = {name_: _current(table) for name_, table in (
    ("civil_status", civil_status), ("separation", separation), ("citizenship", citizenship),
    ("disappearance", disappearance), ("departure", departure))}
_ADDRESSES = (select(address).where(address.c.pnr == bindparam("pnr"), *queries.not_set_aside(address))
              .order_by(desc(address.c.current), desc(address.c.valid_from), desc(address.c.id)))
_PROTECTIONS = (select(protection.c.protection_type, protection.c.valid_from, protection.c.valid_to)
                .where(protection.c.pnr == bindparam("pnr"), protection.c.protection_type.in_(list(PROTECTIONS.values())),
                       *queries.not_set_aside(protection))
                .order_by(protection.c.valid_from, protection.c.id))
_GUARDIANSHIP = (select(guardianship).where(guardianship.c.pnr == bindparam("pnr"))
                 .order_by(desc(guardianship.c.valid_from), desc(guardianship.c.id)).limit(1))
_NOTES = (select(note.c.note_no, note.c.text, note.c.valid_from, note.c.valid_to)
          .where(note.c.pnr == bindparam("pnr"), *queries.not_set_aside(note),
                 or_(note.c.valid_to.is_(None), note.c.valid_to == "", note.c.valid_to > bindparam("day")))
          .order_by(note.c.note_no, note.c.id))
_CHILD_PERSONS = (select(person.c.pnr, person.c.status, person.c.birth_date)
                  .where(person.c.pnr.in_(bindparam("pnrs", expanding=True))))


def _one(conn: Connection, query: Any, **params: Any) -> dict[str, Any] | None:
    row = conn.execute(query, params).mappings().first()
    return None if row is None else dict(row)


def _age(birth_date: str | None, today: str) -> int | None:
    """Whole years from ``birth_date`` to ``today`` (both ``YYYY-MM-DD``)."""
    try:
        born = dt.date.fromisoformat((birth_date or "")[:10])
        day = dt.date.fromisoformat(today)
    except ValueError:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _protection(rows: list[dict[str, Any]], kind: str, today: str) -> dict[str, Any]:
    """The protection of one type: the row in force today, else the latest; ``protected`` if in force."""
    mine = [r for r in rows if r["protection_type"] == kind]
    now = [r for r in mine if in_force(r["valid_from"], r["valid_to"], today)]
    row = (now or mine or [None])[-1]
    return {"valid_from": blank(row["valid_from"]) if row else None,
            "valid_to": blank(row["valid_to"]) if row else None, "protected": bool(now)}


def _address_row(pnr: str, row: dict[str, Any], master: dict[str, Any] | None) -> dict[str, Any]:
    """An address row: the current one with the clear-written parts of the master data, a previous
    one with the road's name and postal code from the road register."""
    municipality, road = blank(row["municipality"]), blank(row["road"])
    found = {
        "pnr": pnr, "id": row["id"], "current": bool(row["current"]), "correction": row["correction"],
        "municipality": municipality, "municipality_cvr": reference.municipality_cvr(municipality),
        "road": road, "house_no": blank(row["house_no"]), "floor": blank(row["floor"]),
        "door": (row["door"] or "").strip() or None, "building_no": blank(row["building_no"]),
        "co_name": blank(row["co_name"]),
        "moved_in": blank(row["valid_from"]), "moved_in_uncertain": bool(row["valid_from_uncertain"]),
        "moved_out": blank(row["valid_to"]), "moved_out_uncertain": bool(row["valid_to_uncertain"]),
    }
    if master is not None:  # the current address: as Stam+ gives it
        found.update({k: master[k] for k in ("co_name", "locality", "town", "postal_code", "postal_district",
                                             "road_name", "standard_address", "house_no", "floor",
                                             "building_no")})
        found["door"] = (master["door"] or "").strip() or None
        found["addressing_name"] = master["addressing_name"]
        found.update({f"supplementary_line{i}": blank(row[f"supplementary_line{i}"]) for i in range(1, 6)})
    else:
        known = reference.road(municipality, road) if municipality and road else None
        found.update({"road_name": known.name if known else None,
                      "postal_code": known.postal_code if known else None,
                      "postal_district": (reference.postal_district(known.postal_code) or None) if known else None})
    return found


def _relative(own: str, relation: str, pnr: str | None, **values: Any) -> dict[str, Any]:
    return {"pnr": pnr or own, "relation": relation, "relative_pnr": pnr, **values}


def _relations(ctx: ServiceContext, own: str, row: dict[str, Any], civil: dict[str, Any] | None
               ) -> tuple[list[dict[str, Any]], int]:
    """The relation rows (spouse, children, mother, father, parental authority) and the number of
    the person's active children under 18."""
    found: list[dict[str, Any]] = []
    if civil is not None and civil["civil_status"] in _SPOUSE_STATUSES:
        spouse = None if queries.no_pnr(civil["spouse_pnr"]) else civil["spouse_pnr"]
        if spouse or civil["spouse_birth_date"] or civil["spouse_name"]:
            found.append(_relative(own, "spouse", spouse, birth_date=blank(civil["spouse_birth_date"]),
                                   birth_date_uncertain=bool(civil["spouse_birth_date_uncertain"]),
                                   name=blank(civil["spouse_name"])))
    children = queries.children(ctx.conn, own)
    found.extend(_relative(own, "child", child) for child in children)
    under_18 = 0
    if children:
        for child in ctx.conn.execute(_CHILD_PERSONS, {"pnrs": children}).mappings():
            age = _age(child["birth_date"], ctx.today)
            if child["status"] in ACTIVE_STATUSES and age is not None and age < 18:
                under_18 += 1
    for who, relation in (("mother", "mother"), ("father", "father")):
        pnr = None if queries.no_pnr(row.get(f"{who}_pnr")) else row[f"{who}_pnr"]
        birth, name_ = blank(row.get(f"{who}_birth_date")), blank(row.get(f"{who}_name"))
        if pnr or birth or name_:
            found.append(_relative(own, relation, pnr, birth_date=birth,
                                   birth_date_uncertain=bool(row.get(f"{who}_birth_date_uncertain")), name=name_))
    for custody in queries.custody(ctx.conn, own):
        found.append(_relative(own, "custody", custody["holder_pnr"], custody_type=custody["type"],
                               valid_from=custody["valid_from"], valid_from_uncertain=custody["valid_from_uncertain"],
                               valid_to=custody["valid_to"], holder_pnr_start=custody.get("holder_pnr_start")))
    return found, under_18


def _guardianship(ctx: ServiceContext, own: str) -> dict[str, Any]:
    g = _one(ctx.conn, _GUARDIANSHIP, pnr=own)
    if g is None or not blank(g["valid_from"]):
        return {"guardianship": None}
    return {"guardianship": {
        "relation_type": blank(g["relation_type"]), "guardian_pnr": None if queries.no_pnr(g["guardian_pnr"])
        else g["guardian_pnr"], "guardian_pnr_start": blank(g["guardian_pnr_start"]),
        "guardian_name": blank(g["guardian_name"]), "guardian_text_start": blank(g["guardian_text_start"]),
        "valid_from": g["valid_from"], "valid_from_uncertain": bool(g["valid_from_uncertain"]),
        "valid_to": blank(g["valid_to"]), "in_force": in_force(g["valid_from"], g["valid_to"], ctx.today),
        **{f"line{i}": blank(g[f"line{i}"]) for i in range(1, 6)},
    }}


def person_lookup(ctx: ServiceContext, pnr: str) -> Outcome:
    """The SF1520 outcome of one person (PersonNotFound, Kvit 172, if the register has none)."""
    master = read_master_data(ctx, pnr)
    own = master["pnr"]
    row = queries.person_row(ctx.conn, own)
    if row is None:  # pragma: no cover - the master data read found the person
        raise PersonNotFound()
    conn = ctx.conn
    name_ = queries.current_name(conn, own)
    current = {k: _one(conn, q, pnr=own) for k, q in _CURRENT.items()}
    protections = [dict(r) for r in conn.execute(_PROTECTIONS, {"pnr": own}).mappings()]
    civil, sep, cit, gone, dep = (current[k] for k in ("civil_status", "separation", "citizenship",
                                                      "disappearance", "departure"))
    relations, under_18 = _relations(ctx, own, row, civil)
    record: dict[str, Any] = {
        "pnr": own, "current_pnr": master["current_pnr"],
        **{k: name_[k] for k in ("first_name", "first_name_marker", "middle_name", "middle_name_marker",
                                 "last_name", "last_name_marker", "addressing_name", "name_valid_from",
                                 "name_valid_from_uncertain")},
        "birth_date": blank(row["birth_date"]), "birth_date_uncertain": bool(row["birth_date_uncertain"]),
        "birth_authority": blank(row["birth_authority"]), "birth_authority_text": blank(row["birth_authority_text"]),
        "birth_authority_name": authority_name(blank(row["birth_authority"])),
        "start_date": blank(row["start_date"]), "start_date_uncertain": bool(row["start_date_uncertain"]),
        "end_date": blank(row["end_date"]), "end_date_uncertain": bool(row["end_date_uncertain"]),
        "age": _age(row["birth_date"], ctx.today), "sex": blank(row["sex"]), "children_under_18": under_18,
        "occupation": blank(row["occupation"]),
        "status": blank(row["status"]), "status_date": blank(row["status_date"]),
        "status_date_uncertain": bool(row["status_date_uncertain"]),
        "separated": None if sep is None else not blank(sep["valid_to"]),
        "separated_from": None if sep is None else blank(sep["valid_from"]),
        "separated_from_uncertain": bool(sep and sep["valid_from_uncertain"]),
        "civil_status": civil["civil_status"] if civil else None,
        "civil_status_from": blank(civil["valid_from"]) if civil else None,
        "civil_status_from_uncertain": bool(civil and civil["valid_from_uncertain"]),
        "citizenship": blank(cit["country"]) if cit else None,
        "citizenship_name": authority_name(blank(cit["country"])) if cit else None,
        "citizenship_from": blank(cit["valid_from"]) if cit else None,
        "citizenship_from_uncertain": bool(cit and cit["valid_from_uncertain"]),
        **_guardianship(ctx, own),
        "disappeared": blank(gone["valid_from"]) if gone and not blank(gone["valid_to"]) else None,
        "disappeared_uncertain": bool(gone and gone["valid_from_uncertain"]),
        **{key: _protection(protections, kind, ctx.today) for key, kind in PROTECTIONS.items()},
    }
    addresses = [_address_row(own, a, master if a["current"] else None)
                 for a in conn.execute(_ADDRESSES, {"pnr": own}).mappings()]
    parts: dict[str, list[dict[str, Any]]] = {"address": addresses}
    if dep is not None and not blank(dep["valid_to"]):
        parts["departure"] = [{
            "pnr": own, "id": dep["id"], "exit_country": blank(dep["exit_country"]),
            "exit_country_name": authority_name(blank(dep["exit_country"])),
            "moved_out": blank(dep["valid_from"]), "moved_out_uncertain": bool(dep["valid_from_uncertain"]),
            **{f"foreign_line{i}": blank(dep[f"foreign_line{i}"]) for i in range(1, 6)},
        }]
    contact = read_contact_address(conn, own)
    if contact is not None:
        parts["contact_address"] = [{"pnr": own, **{f"contact_{k}": v for k, v in contact.items()}}]
    parts["relation"] = relations
    parts["note"] = [{"pnr": own, "note_no": r["note_no"], "text": r["text"], "valid_from": blank(r["valid_from"]),
                      "valid_to": blank(r["valid_to"])}
                     for r in conn.execute(_NOTES, {"pnr": own, "day": ctx.today}).mappings()]
    return Outcome([record], parts=parts)


def _run(ctx: ServiceContext, pnr: Any = None) -> Outcome:
    """The PNR checked as every lookup checks it (:data:`~opencpr.services.catalogue.PNR_KEY`: Kvit 52)."""
    return person_lookup(ctx, PNR_KEY.parse(pnr))


PERSON_LOOKUP = ServiceSpec(NAME, Kind.SEARCH, "lookup", _run, billable=True, pnr_key="pnr",
                            description="SF1520 PersonLookup: udvidede personstamdata for en person")
