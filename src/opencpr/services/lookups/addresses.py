"""Addresses and residence by PNR (opslag, personnummer som nøgle).

* ``adresse4`` (system ``KontaktAdresse``) — the contact address (kontaktadresse, record 006).
* ``ADRESSE3`` — the current address (adresse nuværende), flat, in the shape CPR answers it.
* ``ADRESSE1`` — current and previous addresses (adresse nuværende og tidligere), one row a period.
* ``BOPSAML`` — who lives at the person's current address (bopælssamling).
* ``DELTBOP`` — current shared residence (delt bopæl oplysninger nuværende).
* ``FLYTPAAB`` — relocation orders (flyttepåbud).
* ``SUPLADR`` — the supplementary address (supplerende adresse).

``adresse4`` and ``ADRESSE3`` (and the name ``ADRESSE1``) are known from CPR's answers; the other
names and fields are designed in CPR's style. ``docs/services-addresses.md`` describes each service.

Record keys that reveal where a protected person lives but are not among the gate's
``ADDRESS_FIELDS`` are blanked here, on the gate's rule, for callers who may not see them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, and_, bindparam, desc, false, or_, select, true

from opencpr.access.protection import blank_address, in_force
from opencpr.domain import reference
from opencpr.domain.codes import PERSON_STATUS
from opencpr.domain.names import inverted_name
from opencpr.register import queries
from opencpr.register.schema import (
    address,
    clear_address,
    contact_address,
    departure,
    name,
    person,
    relocation_order,
    shared_residence,
)
from opencpr.services.catalogue import (
    AUTHORITIES,
    PNR_KEY,
    Category,
    Fmt,
    Key,
    KeyType,
    Out,
    SearchService,
    Shape,
)
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import (
    ALL_KEY,
    CORRECTED_KEY,
    NOTES,
    authority_name,
    authority_names,
    blank,
    find_person,
)

__all__ = ["ADRESSE1", "ADRESSE3", "ADRESSE4", "BOPSAML", "DELTBOP", "FLYTPAAB", "SERVICES", "SUPLADR",
           "house_number", "stamp20"]


MAX_KEY = Key("MAXA", "max_rows", KeyType.INT, low=1, high=9999, description="At most this many rows")

COUNT_KEY = Key("AIA", "count", KeyType.FLAG, description="X: show the number of rows (accepted; always counted)")


# --- helpers --------------------------------------------------------------------------------------

def house_number(value: str | None) -> str | None:
    """A house number as ADRESSE3 writes it: the digits zero-padded to 3, then the letter (``"002"``, ``"077A"``)."""
    text = (value or "").strip()
    if not text:
        return None
    digits = "".join(c for c in text if c.isdigit())
    letters = text[len(digits):] if text.startswith(digits) else ""
    if not digits or text != digits + letters:
        return text
    return digits.lstrip("0").zfill(3) + letters.strip()


def stamp20(moment: str | None) -> str | None:
    """A register time (``YYYY-MM-DDTHH:MM[:SS]``) as CPR's 20-digit time stamp ``yyyyMMddHHmmss`` + 6 digits."""
    if not moment:
        return None
    digits = "".join(c for c in moment if c.isdigit())
    return (digits[:14].ljust(14, "0") + "000000") if len(digits) >= 8 else None


def _roads(ctx: ServiceContext, pairs: Iterable[tuple[str | None, str | None]]) -> dict[tuple[str, str], dict]:
    """Road name and postal code for (municipality, road) pairs: the register's clear-written
    addresses first, the reference road register second."""
    wanted = {(m, r) for m, r in pairs if m and r}
    found: dict[tuple[str, str], dict] = {}
    if wanted:
        query = (select(clear_address.c.municipality, clear_address.c.road, clear_address.c.road_addressing_name,
                        clear_address.c.postal_code, clear_address.c.postal_district)
                 .where(clear_address.c.municipality.in_(sorted({m for m, _ in wanted})),
                        clear_address.c.road.in_(sorted({r for _, r in wanted})),
                        clear_address.c.road_addressing_name.is_not(None))
                 .distinct())
        for m, r, road_name, postal_code, district in ctx.conn.execute(query):
            if (m, r) in wanted and (m, r) not in found:
                found[(m, r)] = {"road_name": road_name, "postal_code": blank(postal_code),
                                 "postal_district": district}
    for m, r in wanted - set(found):
        road = reference.road(m, r)
        if road is not None:
            found[(m, r)] = {"road_name": road.name, "postal_code": road.postal_code,
                             "postal_district": reference.postal_district(road.postal_code) or None}
    return found


def _hidden(ctx: ServiceContext, *pnrs: str | None) -> bool:
    """True if the caller may not see the address of one of ``pnrs`` (see :meth:`ServiceContext.hidden`)."""
    return bool(ctx.hidden([p for p in pnrs if p]))


def _hide(record: dict[str, Any]) -> dict[str, Any]:
    return blank_address(record)


def _limit(records: list[dict[str, Any]], max_rows: int | None) -> Outcome:
    shown = records[:max_rows] if max_rows else records
    return Outcome(shown, info={"count": len(records)})


# --- adresse4: the contact address ----------------------------------------------------------------

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


def _adresse4(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    own = find_person(ctx, pnr, touch=True)["pnr"]
    found = read_contact_address(ctx.conn, own)
    if found is None:
        return Outcome([])
    record = {"pnr": own, **{f"contact_{k}": v for k, v in found.items()}}
    return Outcome([record])


# --- ADRESSE3 and ADRESSE1 ------------------------------------------------------------------------

_ADRESSE3_FIELDS = (
    Out("TIDLADRMRK", "previous_addresses", Fmt.FLAG, description="X: the person has previous addresses"),
    Out("KONTAKTADRMRK", "contact_address", Fmt.FLAG, description="X: a contact address is in force today"),
    Out("TIDLKOMMRK", "previous_municipality", Fmt.FLAG,
        description="X: the person moved in from another municipality (FRAFLYKOMKOD of the current address)"),
    Out("SUPADRMRK", "supplementary_address", Fmt.FLAG,
        description="X: a supplementary address (supplerende adresse) is in force today"),
    Out("ADRKOD", "address_code", description="1: an address in Denmark; 2: departed, a foreign address"),
    Out("TIMSTP", "registered_stamp", description="When the current address was registered (20 digits)"),
    Out("SYSTEM_TS", "system_stamp", description="When the person's record was last written (20 digits)"),
    Out("ADRTS", "address_stamp", description="Time stamp of the address (20 digits)"),
    Out("MYNKOD", "authority", t="authority_name", tl="authority_long_name",
        description="The authority that registered the address (0000 Ukendt Myndighed if not known)"),
    Out("VEJKOD", "road", t="road_name", tm="road_name", description="Road code; t/tm the road's addressing name"),
    Out("HUSNR", "house_no", description="House number, digits zero-padded to 3, then a letter (002, 077A)"),
    Out("ETAGE", "floor", description="Floor"),
    Out("SIDEDOER", "door", description="Door, leading blanks kept (\"  tv\")"),
    Out("BNR", "building_no", description="Building number"),
    Out("TILFLYKOMDATO", "municipality_arrival", Fmt.TS12, description="Moved into the municipality (yyyyMMddHHmm)"),
    Out("TILFLYKOMDATOUSM", "municipality_arrival_uncertain", Fmt.FLAG, mark="*",
        description="*: the date of moving into the municipality is uncertain"),
    Out("CONVN", "co_name", description="c/o name"),
    Out("CONVNTS", "co_name_stamp", description="Time stamp of the c/o name (that of the address; 20 digits)"),
    Out("BYNVN", "town", description="Town name (bynavn)"),
    Out("LOKALITET", "locality", description="Locality"),
    Out("POSTNR", "postal_code", t="postal_district", description="Postal code; t the postal district"),
    Out("STARTDATO", "moved_in", Fmt.TS12, description="Moved in at the address (yyyyMMddHHmm)"),
    Out("STARTDATOUSM", "moved_in_uncertain", Fmt.FLAG, mark="*", description="*: the moving-in date is uncertain"),
    Out("KOMKOD", "municipality", t="municipality_name", tl="municipality_long_name",
        description="Municipality code; t/tl its name"),
    Out("UDRLANDEKOD", "exit_country", description="Country departed to (a current departure)"),
    Out("UDLANDSADR1", "foreign_line1", description="Foreign address, line 1"),
    Out("UDLANDSADR2", "foreign_line2", description="Foreign address, line 2"),
    Out("UDLANDSADR3", "foreign_line3", description="Foreign address, line 3"),
    Out("UDLANDSADR4", "foreign_line4", description="Foreign address, line 4"),
    Out("UDLANDSADR5", "foreign_line5", description="Foreign address, line 5"),
    Out("UDLANDADR_TS", "foreign_stamp", description="When the departure was registered (20 digits)"),
    Out("UDLANDADR_MYNKOD", "foreign_authority", description="The authority that registered the departure"),
    Out("FLYTPAMRK", "relocation_order", Fmt.FLAG, description="X: the person has a relocation order (flyttepåbud)"),
)


def _adresse3(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    who = find_person(ctx, pnr, touch=True)
    today = ctx.today
    current = queries.current_address(ctx.conn, pnr)
    history = queries.rows(ctx.conn, address, pnr, where=(address.c.current == false(),
                                                          *queries.not_set_aside(address)))
    clear = queries.clear_written_address(ctx.conn, pnr) or {}
    gone = queries.rows(ctx.conn, departure, pnr, where=(departure.c.current == true(),))
    gone = gone[0] if gone else None
    contacts = queries.rows(ctx.conn, contact_address, pnr)
    orders = queries.rows(ctx.conn, relocation_order, pnr)
    cur = current or {}
    municipality = cur.get("municipality") or clear.get("municipality")
    road = cur.get("road") or clear.get("road")
    road_info = _roads(ctx, [(municipality, road)]).get((municipality, road), {})
    mun_name, mun_long = authority_names(municipality)
    registered_by = cur.get("authority") or ("0000" if current else None)
    auth_name, auth_long = authority_names(registered_by)
    supplementary = bool(cur.get("supplementary_line1")) and in_force(
        cur.get("supplementary_start"), cur.get("supplementary_end"), today)
    stamp = stamp20(cur.get("registered_at"))
    record = {
        "pnr": pnr,
        "previous_addresses": bool(history),
        "contact_address": any(in_force(c["valid_from"], c["valid_to"], today) for c in contacts),
        "previous_municipality": bool(blank(cur.get("from_municipality"))),
        "supplementary_address": supplementary,
        "address_code": "1" if current else ("2" if gone else None),
        "registered_stamp": stamp,
        "system_stamp": stamp20(who["registered_at"]),
        "address_stamp": stamp,
        "authority": registered_by,
        "authority_name": auth_name,
        "authority_long_name": auth_long,
        "road": road,
        "road_name": clear.get("road_addressing_name") or road_info.get("road_name"),
        "house_no": house_number(cur.get("house_no") or clear.get("house_no")),
        "floor": cur.get("floor") or clear.get("floor"),
        "door": cur.get("door") or clear.get("door"),
        "building_no": cur.get("building_no") or clear.get("building_no"),
        "municipality_arrival": blank(cur.get("municipality_arrival")),
        "municipality_arrival_uncertain": bool(cur.get("municipality_arrival_uncertain")),
        "co_name": clear.get("co_name") or cur.get("co_name"),
        "co_name_stamp": stamp if (clear.get("co_name") or cur.get("co_name")) else None,
        "town": clear.get("town"),
        "locality": clear.get("locality"),
        "postal_code": blank(clear.get("postal_code")) or road_info.get("postal_code"),
        "postal_district": clear.get("postal_district") or road_info.get("postal_district"),
        "moved_in": blank(cur.get("valid_from")),
        "moved_in_uncertain": bool(cur.get("valid_from_uncertain")),
        "municipality": municipality,
        "municipality_name": mun_name,
        "municipality_long_name": mun_long,
        "exit_country": blank(gone["exit_country"]) if gone else None,
        **{f"foreign_line{i}": gone[f"foreign_line{i}"] if gone else None for i in range(1, 6)},
        "foreign_stamp": stamp20(gone["registered_at"]) if gone else None,
        "foreign_authority": gone["authority"] if gone else None,
        "relocation_order": bool(orders),
    }
    return Outcome([_hide(record) if _hidden(ctx, pnr) else record])


_ADRESSE1_FIELDS = (
    Out("PNR", "pnr", description="The person's CPR number"),
    Out("AKTMRK", "current", Fmt.FLAG, description="X: the current address (the first row)"),
    Out("ANNKOR", "correction",
        description="Blank; K corrected, A undone (shown with KORMRK=X only), Æ technical change"),
    Out("MYNKOD", "authority", t="authority_name", tl="authority_long_name",
        description="The authority that registered the address (0000 Ukendt Myndighed if not known)"),
    Out("KOMKOD", "municipality", t="municipality_name", tl="municipality_long_name",
        description="Municipality code; t/tl its name"),
    Out("VEJKOD", "road", t="road_name", tm="road_name", description="Road code; t/tm the road's addressing name"),
    Out("HUSNR", "house_no", description="House number, digits zero-padded to 3, then a letter"),
    Out("ETAGE", "floor", description="Floor"),
    Out("SIDEDOER", "door", description="Door, leading blanks kept"),
    Out("BNR", "building_no", description="Building number"),
    Out("CONVN", "co_name", description="c/o name"),
    Out("BYNVN", "town", description="Town name (current address only)"),
    Out("LOKALITET", "locality", description="Locality (current address only)"),
    Out("POSTNR", "postal_code", t="postal_district", description="Postal code of the road; t the postal district"),
    Out("TILFLYKOMDATO", "municipality_arrival", Fmt.TS12,
        description="Moved into the municipality (current address only)"),
    Out("FRAFLYKOMKOD", "from_municipality", t="from_municipality_name",
        description="Municipality moved from (current address only)"),
    Out("STARTDATO", "moved_in", Fmt.TS12, description="Moved in (yyyyMMddHHmm)"),
    Out("STARTDATOUSM", "moved_in_uncertain", Fmt.FLAG, mark="*", description="*: the moving-in date is uncertain"),
    Out("SLUTDATO", "moved_out", Fmt.TS12, description="Moved out (yyyyMMddHHmm); empty on the current address"),
    Out("SLUTDATOUSM", "moved_out_uncertain", Fmt.FLAG, mark="*", description="*: the moving-out date is uncertain"),
)


def _address_period(row: Mapping[str, Any], roads: Mapping[tuple[str, str], dict],
                    clear: Mapping[str, Any] | None) -> dict[str, Any]:
    municipality, road = row["municipality"], row["road"]
    info = roads.get((municipality, road), {})
    mun_name, mun_long = authority_names(municipality)
    registered_by = row["authority"] or "0000"  # as ADRESSE3: 0000 Ukendt Myndighed when not known
    auth_name, auth_long = authority_names(registered_by)
    from_name, _ = authority_names(blank(row["from_municipality"]))
    clear = clear or {}
    return {
        "pnr": row["pnr"],
        "current": bool(row["current"]),
        "correction": row["correction"],
        "authority": registered_by,
        "authority_name": auth_name,
        "authority_long_name": auth_long,
        "municipality": municipality,
        "municipality_name": mun_name,
        "municipality_long_name": mun_long,
        "road": road,
        "road_name": clear.get("road_addressing_name") or info.get("road_name"),
        "house_no": house_number(row["house_no"]),
        "floor": row["floor"],
        "door": row["door"],
        "building_no": row["building_no"],
        "co_name": clear.get("co_name") or row["co_name"],
        "town": clear.get("town"),
        "locality": clear.get("locality"),
        "postal_code": blank(clear.get("postal_code")) or info.get("postal_code"),
        "postal_district": clear.get("postal_district") or info.get("postal_district"),
        "municipality_arrival": blank(row["municipality_arrival"]),
        "from_municipality": blank(row["from_municipality"]),
        "from_municipality_name": from_name,
        "moved_in": blank(row["valid_from"]),
        "moved_in_uncertain": bool(row["valid_from_uncertain"]),
        "moved_out": blank(row["valid_to"]),
        "moved_out_uncertain": bool(row["valid_to_uncertain"]),
    }


def _adresse1(ctx: ServiceContext, pnr: str, all: bool = False, corrected: bool = False,
              max_rows: int | None = None, count: bool = False) -> Outcome:
    find_person(ctx, pnr, touch=True)
    rows = queries.history(ctx.conn, address, pnr, where=queries.not_set_aside(address, corrected))
    clear = queries.clear_written_address(ctx.conn, pnr)
    roads = _roads(ctx, [(r["municipality"], r["road"]) for r in rows])
    records = [_address_period(r, roads, clear if r["current"] else None) for r in rows]
    if _hidden(ctx, pnr):
        records = [_hide(r) for r in records]
    return _limit(records, max_rows)


# --- BOPSAML --------------------------------------------------------------------------------------

_BOPSAML_FIELDS = (
    Out("PNR", "pnr", description="CPR number of a person living at the address"),
    Out("CNVN_ADRNVN", "name_inverted", t="addressing_name",
        description="Name as 'Last,First Middle'; t the addressing name"),
    Out("CNVN_STATUS", "status", t="status_text", description="Person status; t its text"),
    Out("FOEDDATO", "birth_date", Fmt.DATE8, description="Birth date (yyyyMMdd)"),
    Out("TILFLYDATO", "moved_in", Fmt.TS12, description="Moved in at the address (yyyyMMddHHmm)"),
)


def _same(column: Any, value: str | None) -> Any:
    return column.is_(None) if value is None else column == value


def _bopsaml(ctx: ServiceContext, pnr: str, max_rows: int | None = None) -> Outcome:
    find_person(ctx, pnr, touch=True)
    home = queries.current_address(ctx.conn, pnr)
    if home is None or _hidden(ctx, pnr):  # no address, or one the caller may not learn through others
        return Outcome([], info={"count": 0})
    a = address
    query = (
        select(a.c.pnr, a.c.valid_from, person.c.status, person.c.birth_date, name.c.first_name,
               name.c.middle_name, name.c.last_name, name.c.addressing_name)
        .select_from(a.join(person, person.c.pnr == a.c.pnr)
                     .outerjoin(name, and_(name.c.pnr == a.c.pnr, name.c.current == true())))
        .where(a.c.current == true(), a.c.municipality == home["municipality"], a.c.road == home["road"],
               _same(a.c.house_no, home["house_no"]), _same(a.c.floor, home["floor"]),
               _same(a.c.door, home["door"]), ctx.visible(a.c.pnr))
        .order_by(a.c.pnr)
    )
    records = [{
        "pnr": r["pnr"],
        "name_inverted": inverted_name(r["first_name"], r["middle_name"], r["last_name"], separator=","),
        "addressing_name": r["addressing_name"],
        "status": r["status"],
        "status_text": PERSON_STATUS.get(r["status"]),
        "birth_date": r["birth_date"],
        "moved_in": blank(r["valid_from"]),
    } for r in ctx.conn.execute(query).mappings()]
    return _limit(records, max_rows)


# --- DELTBOP --------------------------------------------------------------------------------------

_DELTBOP_FIELDS = (
    Out("PNR", "pnr", description="The child's CPR number"),
    Out("DELTBOPPNR", "other_pnr", description="CPR number of the parent at whose address the child also lives"),
    Out("DELTBOPNVN", "other_name", description="That parent's addressing name"),
    Out("KOMKOD", "municipality", t="municipality_name", description="Municipality of the shared residence"),
    Out("VEJKOD", "road", t="road_name", description="Road code; t the road's addressing name"),
    Out("HUSNR", "house_no", description="House number, digits zero-padded to 3, then a letter"),
    Out("ETAGE", "floor", description="Floor"),
    Out("SIDEDOER", "door", description="Door, leading blanks kept"),
    Out("BNR", "building_no", description="Building number"),
    Out("STARTDATO", "valid_from", Fmt.DATE8, description="Shared residence from (yyyyMMdd)"),
    Out("SLUTDATO", "valid_to", Fmt.DATE8, description="Shared residence ends (yyyyMMdd), if set"),
    Out("MYNKOD", "authority", description="The authority that registered it"),
)


def _deltbop(ctx: ServiceContext, pnr: str) -> Outcome:
    find_person(ctx, pnr, touch=True)
    s = shared_residence
    rows = queries.rows(ctx.conn, s, pnr, desc(s.c.valid_from), where=(
        s.c.current == true(), *queries.not_set_aside(s),
        or_(s.c.valid_to.is_(None), s.c.valid_to == "", s.c.valid_to > ctx.today)))
    roads = _roads(ctx, [(r["municipality"], r["road"]) for r in rows])
    names = queries.current_names(ctx.conn, [r["other_pnr"] for r in rows])
    records = []
    for r in rows:
        other = names.get(r["other_pnr"] or "")
        record = {
            "pnr": pnr, "other_pnr": r["other_pnr"], "other_name": other["addressing_name"] if other else None,
            "municipality": r["municipality"], "municipality_name": authority_names(r["municipality"])[0],
            "road": r["road"], "road_name": roads.get((r["municipality"], r["road"]), {}).get("road_name"),
            "house_no": house_number(r["house_no"]), "floor": r["floor"], "door": r["door"],
            "building_no": r["building_no"], "valid_from": r["valid_from"], "valid_to": blank(r["valid_to"]),
            "authority": r["authority"],
        }
        records.append(_hide(record) if _hidden(ctx, pnr, r["other_pnr"]) else record)
    return Outcome(records)


# --- FLYTPAAB -------------------------------------------------------------------------------------

_FLYTPAAB_FIELDS = (
    Out("STARTDATO", "valid_from", Fmt.DATE8, description="Date of the relocation order (yyyyMMdd)"),
    Out("BEMAERK", "remark", description="Remark (what the person is ordered to do)"),
    Out("MYNKOD", "authority", description="The authority that registered it"),
)


def _flytpaab(ctx: ServiceContext, pnr: str) -> Outcome:
    find_person(ctx, pnr, touch=True)
    rows = queries.rows(ctx.conn, relocation_order, pnr, desc(relocation_order.c.valid_from))
    return Outcome([{"pnr": pnr, "valid_from": r["valid_from"], "remark": r["remark"], "authority": r["authority"]}
                    for r in rows])


# --- SUPLADR: supplementary address ---------------------------------------------------------------

_SUPPLEMENTARY_LINES = tuple(f"supplementary_line{n}" for n in range(1, 6))


def _supladr(ctx: ServiceContext, pnr: str) -> Outcome:
    find_person(ctx, pnr, touch=True)
    row = queries.current_address(ctx.conn, pnr)
    record: dict[str, Any] = {"pnr": pnr, "supplementary_authority": None, "supplementary_authority_name": None,
                              **dict.fromkeys(_SUPPLEMENTARY_LINES), "supplementary_start": None,
                              "supplementary_end": None}
    if row is not None:
        for key in record:
            if key in row:
                record[key] = row[key]
        record["supplementary_authority_name"] = authority_name(row["supplementary_authority"])
    return Outcome([record])  # the gate blanks the lines under name and address protection


# --- the declarations -----------------------------------------------------------------------------

ADRESSE4 = SearchService(
    "adresse4", "Kontaktadresse",
    "The person's contact address (kontaktadresse): five lines, start date and deletion date, as registered; "
    "no rows when the person has none.",
    Category.PERSON, (PNR_KEY, ALL_KEY),
    (
        *(Out(f"CATX_ADR{i}", f"contact_line{i}") for i in range(1, 6)),
        Out("CATX_STARTDATO", "contact_valid_from", Fmt.DATE8),
        Out("CATX_SLETDATO", "contact_valid_to", Fmt.DATE8, description="Deletion date"),
    ),
    _adresse4, table="adresse4", system="KontaktAdresse", groups=AUTHORITIES,
    uuid="b7e5ee9c-1acd-41e6-b117-08a11dee6862",
    notes="Shape and fields as recorded from CPR's demo service (system KontaktAdresse, service adresse4).",
    example=(("PNR", "0709614738"),),
)


ADRESSE3 = SearchService(
    "ADRESSE3", "Adresse nuværende",
    "The current address with its marks (previous addresses, contact address, supplementary address, "
    "relocation order), the registering authority, c/o name, town, postal code and a current foreign address.",
    Category.PERSON, (PNR_KEY, ALL_KEY), _ADRESSE3_FIELDS, _adresse3, shape=Shape.FLAT, groups=AUTHORITIES,
    notes="Fields and their order as CPR's ADRESSE3 answers (flat Rolle); values from this register.",
    example=(("PNR", "1307610015"),),
)

ADRESSE1 = SearchService(
    "ADRESSE1", "Adresse nuværende og tidligere",
    "Current and previous addresses, one row per address period: the current address first, then the "
    "previous ones, newest first. Corrected and undone periods only with KORMRK=X.",
    Category.PERSON, (PNR_KEY, ALL_KEY, CORRECTED_KEY, MAX_KEY, COUNT_KEY), _ADRESSE1_FIELDS, _adresse1,
    groups=AUTHORITIES,
    notes="The service name and keys are CPR's (PNR, AKX, MAXA, AIA); the rows are designed in CPR's style, "
          "not a recorded CPR answer.",
    example=(("PNR", "0706614818"),),
)

BOPSAML = SearchService(
    "BOPSAML", "Bopælssamling",
    "Everyone living at the person's current address (same municipality, road, house number, floor and door), "
    "the person included. Persons under name and address protection are listed only to groups that see "
    "protected addresses.",
    Category.PERSON, (PNR_KEY, MAX_KEY), _BOPSAML_FIELDS, _bopsaml, groups=AUTHORITIES, address_search=True,
    notes=NOTES,
    example=(("PNR", "0707614218"),),
)

DELTBOP = SearchService(
    "DELTBOP", "Delt bopæl oplysninger nuværende",
    "The child's current shared residence: the other parent and the address; none is an empty table.",
    Category.PERSON, (PNR_KEY,), _DELTBOP_FIELDS, _deltbop, groups=AUTHORITIES, notes=NOTES,
    example=(("PNR", "2906980013"),),
)

FLYTPAAB = SearchService(
    "FLYTPAAB", "Flyttepåbud",
    "The person's relocation orders (record 021): date, remark, authority.",
    Category.PERSON, (PNR_KEY,), _FLYTPAAB_FIELDS, _flytpaab, groups=AUTHORITIES, notes=NOTES,
    example=(("PNR", "1307610015"),),
)


SUPLADR = SearchService(
    "SUPLADR", "Supplerende adresse",
    "The supplementary address of the person's current address (record 002): the authority that "
    "registered it, five lines and its period.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("MYNKOD", "supplementary_authority", t="supplementary_authority_name",
            description="Authority of the supplementary address (START_MYNKOD-ADRTXT); t: its name"),
        *(Out(f"SUPLADR{n}", f"supplementary_line{n}", description=f"Supplementary address line {n}")
          for n in range(1, 6)),
        Out("STARTDATO", "supplementary_start", Fmt.DATE8, description="Valid from (START_DT-ADRTXT), yyyyMMdd"),
        Out("SLETDATO", "supplementary_end", Fmt.DATE8, description="Deleted on (SLET_DT-ADRTXT), yyyyMMdd"),
    ),
    _supladr, groups=AUTHORITIES, notes=NOTES, example=(("PNR", "0709614495"),),
)


SERVICES = (ADRESSE4, ADRESSE3, ADRESSE1, BOPSAML, DELTBOP, FLYTPAAB, SUPLADR)
