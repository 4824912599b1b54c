"""SF1520 PersonLookup (udvidet person stamdata): one person's data as one service through the gate.

:data:`PERSON_LOOKUP` (``SF1520``) is a search service of its own, declared here as data like the
oversight services (:mod:`opencpr.services.oversight`): a security group grants it by the name
``SF1520``, every call is audited on the caller and counted for billing under that name, and the
gate applies name and address protection to its outcome as to any other.

The outcome is built from the same register reads the GCTP services use, so that the values
agree with them: the master data of ``Stam+`` (:data:`~opencpr.services.lookups.master_data.MASTER_DATA_QUERY`),
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
* ``parts["relation"]`` — spouse, mother, father, children and the holders of parental authority:
  the relative's PNR (``relative_pnr``), or else the birth date and name the person's record
  holds; no address, so no protection of the relative's applies to them. They are rows about
  the person (``pnr`` is the person's); the relatives' PNRs are named in the audit record
  (``ServiceContext.touch``);
* ``parts["note"]`` — the municipal notes in force.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, bindparam, desc, func, or_, select, true

from opencpr.access.actor import Actor
from opencpr.access.groups import Kind, Scope
from opencpr.access.protection import in_force
from opencpr.domain import reference
from opencpr.domain.codes import ACTIVE_STATUSES
from opencpr.domain.kvit import Kvit
from opencpr.register import queries
from opencpr.register.schema import (
    address,
    child,
    citizenship,
    civil_status,
    contact_address,
    departure,
    disappearance,
    guardianship,
    note,
    person,
    protection,
    separation,
)
from opencpr.register.schema import name as name_table
from opencpr.services.catalogue import PNR_KEY
from opencpr.services.contract import Outcome, ServiceContext, ServiceSpec
from opencpr.services.errors import PersonNotFound
from opencpr.services.lookups.common import authority_name, blank
from opencpr.services.lookups.master_data import MASTER_DATA_QUERY, master_data_of
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


def _latest(table: Any, *where: Any, order: tuple[Any, ...] = ()) -> Any:
    """SQL: the id of the person's latest row of ``table`` meeting ``where`` (an alias, so that
    the outer query may join the table itself): the highest id, or the first in ``order``."""
    inner = table.alias()
    found = select(inner.c.id if order else func.max(inner.c.id)).where(inner.c.pnr == person.c.pnr,
                                                                       *(w(inner) for w in where))
    if order:
        found = found.order_by(*(o(inner) for o in order), desc(inner.c.id)).limit(1)
    return found.scalar_subquery()


def _is_current(t: Any) -> Any:
    return and_(t.c.current == true(), *queries.not_set_aside(t))


#: (prefix, table, columns, the row wanted): the current rows and the latest guardianship and
#: contact address, joined to the person row in one query.
_JOINED = (
    ("name", name_table, ("first_name", "first_name_marker", "middle_name", "middle_name_marker", "last_name",
                          "last_name_marker", "addressing_name", "valid_from", "valid_from_uncertain"),
     lambda t: _latest(name_table, lambda i: i.c.current == true())),
    ("civil", civil_status, ("civil_status", "spouse_pnr", "spouse_birth_date", "spouse_birth_date_uncertain",
                             "spouse_name", "valid_from", "valid_from_uncertain"),
     lambda t: _latest(civil_status, _is_current)),
    ("sep", separation, ("valid_from", "valid_from_uncertain", "valid_to"), lambda t: _latest(separation, _is_current)),
    ("cit", citizenship, ("country", "valid_from", "valid_from_uncertain"), lambda t: _latest(citizenship, _is_current)),
    ("gone", disappearance, ("valid_from", "valid_from_uncertain", "valid_to"),
     lambda t: _latest(disappearance, _is_current)),
    ("dep", departure, ("id", "exit_country", "valid_from", "valid_from_uncertain", "valid_to", "foreign_line1",
                        "foreign_line2", "foreign_line3", "foreign_line4", "foreign_line5"),
     lambda t: _latest(departure, _is_current)),
    ("guard", guardianship, ("valid_from", "valid_from_uncertain", "valid_to", "relation_type", "guardian_pnr",
                             "guardian_pnr_start", "guardian_name", "guardian_text_start", "line1", "line2", "line3",
                             "line4", "line5"),
     lambda t: _latest(guardianship, order=(lambda i: desc(i.c.valid_from),))),
    ("contact", contact_address, ("line1", "line2", "line3", "line4", "line5", "valid_from", "valid_to"),
     lambda t: _latest(contact_address)),
)


def _person_query() -> Any:
    """Stam+'s master data statement (:data:`~opencpr.services.lookups.master_data.MASTER_DATA_QUERY`)
    with the rest of the person row and the parts of :data:`_JOINED` joined to it."""
    taken = {c.key for c in MASTER_DATA_QUERY.selected_columns}
    query = MASTER_DATA_QUERY.add_columns(*(c for c in person.c if c.key not in taken))
    for prefix, table, names, latest in _JOINED:
        alias = table.alias(f"sf_{prefix}")
        query = (query.outerjoin_from(person, alias, and_(alias.c.pnr == person.c.pnr, alias.c.id == latest(alias)))
                 .add_columns(*(alias.c[n].label(f"{prefix}_{n}") for n in names)))
    return query


#: The master data as Stam+ reads it, the rest of the person row (record 001 with 009 and 015), the
#: current name, civil status, separation, citizenship, disappearance and departure, the latest
#: guardianship and contact address, and the protections in force: one read.
_PERSON = _person_query()


_NAMES = {prefix: names for prefix, _, names, _ in _JOINED}


def _part(row: Mapping[str, Any], prefix: str) -> dict[str, Any] | None:
    """The joined row of ``prefix`` (None if the person has none)."""
    found = {n: row[f"{prefix}_{n}"] for n in _NAMES[prefix]}
    return found if any(v not in (None, "", False) for v in found.values()) else None


_ADDRESSES = (select(address).where(address.c.pnr == bindparam("pnr"), *queries.not_set_aside(address))
              .order_by(desc(address.c.current), desc(address.c.valid_from), desc(address.c.id)))
_PROTECTIONS = (select(protection.c.protection_type, protection.c.valid_from, protection.c.valid_to)
                .where(protection.c.pnr == bindparam("pnr"),
                       or_(*(protection.c.protection_type == kind for kind in PROTECTIONS.values())),
                       *queries.not_set_aside(protection))
                .order_by(protection.c.valid_from, protection.c.id))
_NOTES = (select(note.c.note_no, note.c.text, note.c.valid_from, note.c.valid_to)
          .where(note.c.pnr == bindparam("pnr"), *queries.not_set_aside(note),
                 or_(note.c.valid_to.is_(None), note.c.valid_to == "", note.c.valid_to > bindparam("day")))
          .order_by(note.c.note_no, note.c.id))
#: The children (record 014, as :func:`opencpr.register.queries.children` reads them) with the
#: status and birth date of those in the register.
_CHILDREN = (select(child.c.child_pnr, person.c.status, person.c.birth_date)
             .select_from(child.outerjoin(person, person.c.pnr == child.c.child_pnr))
             .where(child.c.pnr == bindparam("pnr"), *queries.not_set_aside(child))
             .order_by(child.c.id))


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
    return {"pnr": own, "relation": relation, "relative_pnr": pnr, **values}


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
    children: dict[str, tuple[str | None, str | None]] = {}
    for pnr, status, birth in ctx.conn.execute(_CHILDREN, {"pnr": own}):
        if not queries.no_pnr(pnr):
            children.setdefault(pnr, (status, birth))
    found.extend(_relative(own, "child", pnr) for pnr in children)
    under_18 = 0
    for status, birth in children.values():
        age = _age(birth, ctx.today)
        if status in ACTIVE_STATUSES and age is not None and age < 18:
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


def _guardianship(g: dict[str, Any] | None, today: str) -> dict[str, Any]:
    if g is None or not blank(g["valid_from"]):
        return {"guardianship": None}
    return {"guardianship": {
        "relation_type": blank(g["relation_type"]), "guardian_pnr": None if queries.no_pnr(g["guardian_pnr"])
        else g["guardian_pnr"], "guardian_pnr_start": blank(g["guardian_pnr_start"]),
        "guardian_name": blank(g["guardian_name"]), "guardian_text_start": blank(g["guardian_text_start"]),
        "valid_from": g["valid_from"], "valid_from_uncertain": bool(g["valid_from_uncertain"]),
        "valid_to": blank(g["valid_to"]), "in_force": in_force(g["valid_from"], g["valid_to"], today),
        **{f"line{i}": blank(g[f"line{i}"]) for i in range(1, 6)},
    }}


def person_lookup(ctx: ServiceContext, pnr: str) -> Outcome:
    """The SF1520 outcome of one person (PersonNotFound, Kvit 172, if the register has none)."""
    conn = ctx.conn
    row = conn.execute(_PERSON, {"pnr": pnr, "day": ctx.today}).mappings().first()
    if row is None:
        raise PersonNotFound()
    master = master_data_of(ctx, row)
    own = master["pnr"]
    # the current name as navne3 reads it (queries.current_name): empty values None
    name_ = {k: (row[f"name_{k}"] or None) for k in ("first_name", "first_name_marker", "middle_name",
                                                       "middle_name_marker", "last_name", "last_name_marker",
                                                       "addressing_name")}
    name_["name_valid_from"] = row["name_valid_from"] or None
    name_["name_valid_from_uncertain"] = bool(row["name_valid_from_uncertain"])
    civil, sep, cit, gone, dep = (_part(row, k) for k in ("civil", "sep", "cit", "gone", "dep"))
    protections = [dict(r) for r in conn.execute(_PROTECTIONS, {"pnr": own}).mappings()]
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
        **_guardianship(_part(row, "guard"), ctx.today),
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
    contact = _part(row, "contact")  # as adresse4 reads it (read_contact_address): empty values None
    if contact is not None:
        parts["contact_address"] = [{"pnr": own, **{f"contact_{k}": v or None for k, v in contact.items()}}]
    parts["relation"] = relations
    ctx.touch(*dict.fromkeys(r["relative_pnr"] for r in relations if r["relative_pnr"]))  # named in the audit record
    parts["note"] = [{"pnr": own, "note_no": r["note_no"], "text": r["text"], "valid_from": blank(r["valid_from"]),
                      "valid_to": blank(r["valid_to"])}
                     for r in conn.execute(_NOTES, {"pnr": own, "day": ctx.today}).mappings()]
    return Outcome([record], parts=parts)


def _run(ctx: ServiceContext, pnr: Any = None) -> Outcome:
    """The PNR checked as every lookup checks it (:data:`~opencpr.services.catalogue.PNR_KEY`: Kvit 52)."""
    return person_lookup(ctx, PNR_KEY.parse(pnr))


PERSON_LOOKUP = ServiceSpec(NAME, Kind.SEARCH, "lookup", _run, billable=True, pnr_key="pnr",
                            description="SF1520 PersonLookup: udvidede personstamdata for en person")
