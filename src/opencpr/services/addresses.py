"""Lookups by PNR about address and residence, church, birth and municipal data (opslag, personnummer som nøgle).

* ``ADRESSE3`` — the current address (adresse nuværende), flat, in the shape CPR answers it.
* ``ADRESSE1`` — current and previous addresses (adresse nuværende og tidligere), one row a period.
* ``BOPSAML`` — who lives at the person's current address (bopælssamling).
* ``BESKYT`` — protection records, in force and ended (beskyttelse nuværende og tidligere).
* ``CIVST`` — civil status, current and previous (civilstand nuværende og tidligere).
* ``DELTBOP`` — current shared residence (delt bopæl oplysninger nuværende).
* ``FLYTPAAB`` — relocation orders (flyttepåbud).
* ``FKIRK`` — church relation, current and previous (folkekirkeforhold nuværende og tidligere).
* ``FOEDSEL`` — birth data, occupation, guardianship (fødselsoplysninger, stilling, værgemål).
* ``FOEDREG`` — birth registration place (fødselsregistreringssted).
* ``KOMFORH`` — municipal conditions (kommunale forhold).
* ``KOMNOTAT`` — municipal notes (kommunale notater).

Only ``ADRESSE3`` (and the name ``ADRESSE1``) are known from CPR's answers; the other names and
fields are designed in CPR's style. ``docs/services-addresses.md`` describes each service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table, and_, desc, false, or_, select, true

from opencpr.access.protection import NAME_AND_ADDRESS, blank_address, in_force
from opencpr.domain import reference
from opencpr.domain.codes import CHURCH, CIVIL_STATUS, GUARDIANSHIP_RELATION, PERSON_STATUS, PROTECTION
from opencpr.register.schema import (
    address,
    church,
    civil_status,
    clear_address,
    contact_address,
    departure,
    guardianship,
    municipal_condition,
    name,
    note,
    person,
    protection,
    relocation_order,
    shared_residence,
)
from opencpr.services.catalogue import PNR_KEY, Category, Fmt, Key, KeyType, Out, SearchService, Shape
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.errors import PersonNotFound

__all__ = ["SERVICES"]

NOTES = "Designed in CPR's style; not a recorded CPR answer."
GROUPS = ("cpr-office", "municipality")
CHURCH_GROUPS = ("cpr-office", "municipality", "church-office")

ALL_KEY = Key("AKX", "all", KeyType.FLAG, description="X: all fields (accepted; every field is always sent)")
CORRECTED_KEY = Key("KORMRK", "corrected", KeyType.FLAG,
                    description="X: also history rows marked corrected (K) or undone (A); ANNKOR tells them apart")
MAX_KEY = Key("MAXA", "max_rows", KeyType.INT, low=1, high=9999, description="At most this many rows")
COUNT_KEY = Key("AIA", "count", KeyType.FLAG, description="X: show the number of rows (accepted; always counted)")

#: Corrections that take a history row out of the person's story (ANNKOR K and A).
_SET_ASIDE = ("K", "A")

#: Record keys that reveal where a protected person lives but are not among the gate's
#: ``ADDRESS_FIELDS``; the services blank them themselves for callers who may not see them.
_MORE_ADDRESS = ("authority", "authority_name", "authority_long_name", "municipality_long_name",
                 "municipality_arrival", "municipality_arrival_uncertain", "from_municipality",
                 "from_municipality_name", "moved_out", "moved_out_uncertain", "moved_in_uncertain",
                 "co_name_stamp", "foreign_stamp", "foreign_authority", "address_stamp", "registered_stamp",
                 "address_code", "previous_addresses", "previous_municipality", "supplementary_address")


# --- helpers ----------------------------------------------------------------------------------------

def _blank(value: Any) -> Any:
    """None for the register's empty values (``""`` from blank numeric fields)."""
    return None if value == "" else value


def _person(ctx: ServiceContext, pnr: str) -> Mapping[str, Any]:
    """The person row (PersonNotFound, Kvit 172, without one); names the person for the audit trail."""
    row = ctx.conn.execute(select(person).where(person.c.pnr == pnr)).mappings().first()
    if row is None:
        raise PersonNotFound()
    ctx.touch(pnr)
    return row


def _rows(ctx: ServiceContext, table: Table, pnr: str, *order: Any, where: Iterable[Any] = ()) -> list[dict]:
    query = select(table).where(table.c.pnr == pnr, *where).order_by(*order, desc(table.c.id))
    return [dict(r) for r in ctx.conn.execute(query).mappings()]


def _authority(code: str | None) -> tuple[str | None, str | None]:
    """The (name, long name) of an authority code, from the authority table."""
    found = reference.authority(code) if code else None
    return (found.name, found.long_name or found.name) if found else (None, None)


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
                found[(m, r)] = {"road_name": road_name, "postal_code": _blank(postal_code),
                                 "postal_district": district}
    for m, r in wanted - set(found):
        road = reference.road(m, r)
        if road is not None:
            found[(m, r)] = {"road_name": road.name, "postal_code": road.postal_code,
                             "postal_district": reference.postal_district(road.postal_code) or None}
    return found


def _names(ctx: ServiceContext, pnrs: Iterable[str | None]) -> dict[str, Mapping[str, Any]]:
    """The current name rows of persons in the register, by PNR."""
    wanted = sorted({p for p in pnrs if p and p.strip("0")})
    if not wanted:
        return {}
    query = select(name).where(name.c.pnr.in_(wanted), name.c.current == true())
    return {r["pnr"]: r for r in ctx.conn.execute(query).mappings()}


def inverted_name(row: Mapping[str, Any] | None) -> str | None:
    """``Last,First Middle`` as CPR writes ``CNVN_ADRNVN``'s value."""
    if row is None or not row["last_name"]:
        return None
    given = " ".join(p for p in (row["first_name"], row["middle_name"]) if p)
    return f"{row['last_name']},{given}" if given else row["last_name"]


def _hidden(ctx: ServiceContext, *pnrs: str | None) -> bool:
    """True if the caller may not see the address of one of ``pnrs`` (name and address protection)."""
    if ctx.sees_protected_addresses:
        return False
    found = ctx.protections([p for p in pnrs if p])
    return any(NAME_AND_ADDRESS in types for types in found.values())


def _hide(record: dict[str, Any]) -> dict[str, Any]:
    blank_address(record)
    for key in _MORE_ADDRESS:
        if key in record:
            record[key] = None
    return record


def _limit(records: list[dict[str, Any]], max_rows: int | None) -> Outcome:
    shown = records[:max_rows] if max_rows else records
    return Outcome(shown, info={"count": len(records)})


def _current_address(ctx: ServiceContext, pnr: str) -> dict[str, Any] | None:
    rows = _rows(ctx, address, pnr, where=(address.c.current == true(),))
    return rows[0] if rows else None


# --- ADRESSE3 and ADRESSE1 ----------------------------------------------------------------------------

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
    who = _person(ctx, pnr)
    today = ctx.today
    current = _current_address(ctx, pnr)
    history = _rows(ctx, address, pnr, where=(address.c.current == false(),
                                              or_(address.c.correction.is_(None),
                                                  address.c.correction.not_in(_SET_ASIDE))))
    clear = ctx.conn.execute(select(clear_address).where(clear_address.c.pnr == pnr)).mappings().first() or {}
    gone = _rows(ctx, departure, pnr, where=(departure.c.current == true(),))
    gone = gone[0] if gone else None
    contacts = _rows(ctx, contact_address, pnr)
    orders = _rows(ctx, relocation_order, pnr)
    cur = current or {}
    municipality = cur.get("municipality") or clear.get("municipality")
    road = cur.get("road") or clear.get("road")
    road_info = _roads(ctx, [(municipality, road)]).get((municipality, road), {})
    mun_name, mun_long = _authority(municipality)
    registered_by = cur.get("authority") or ("0000" if current else None)
    auth_name, auth_long = _authority(registered_by)
    supplementary = bool(cur.get("supplementary_line1")) and in_force(
        cur.get("supplementary_start"), cur.get("supplementary_end"), today)
    stamp = stamp20(cur.get("registered_at"))
    record = {
        "pnr": pnr,
        "previous_addresses": bool(history),
        "contact_address": any(in_force(c["valid_from"], c["valid_to"], today) for c in contacts),
        "previous_municipality": bool(_blank(cur.get("from_municipality"))),
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
        "municipality_arrival": _blank(cur.get("municipality_arrival")),
        "municipality_arrival_uncertain": bool(cur.get("municipality_arrival_uncertain")),
        "co_name": clear.get("co_name") or cur.get("co_name"),
        "co_name_stamp": stamp if (clear.get("co_name") or cur.get("co_name")) else None,
        "town": clear.get("town"),
        "locality": clear.get("locality"),
        "postal_code": _blank(clear.get("postal_code")) or road_info.get("postal_code"),
        "postal_district": clear.get("postal_district") or road_info.get("postal_district"),
        "moved_in": _blank(cur.get("valid_from")),
        "moved_in_uncertain": bool(cur.get("valid_from_uncertain")),
        "municipality": municipality,
        "municipality_name": mun_name,
        "municipality_long_name": mun_long,
        "exit_country": _blank(gone["exit_country"]) if gone else None,
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
    mun_name, mun_long = _authority(municipality)
    registered_by = row["authority"] or "0000"  # as ADRESSE3: 0000 Ukendt Myndighed when not known
    auth_name, auth_long = _authority(registered_by)
    from_name, _ = _authority(_blank(row["from_municipality"]))
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
        "postal_code": _blank(clear.get("postal_code")) or info.get("postal_code"),
        "postal_district": clear.get("postal_district") or info.get("postal_district"),
        "municipality_arrival": _blank(row["municipality_arrival"]),
        "from_municipality": _blank(row["from_municipality"]),
        "from_municipality_name": from_name,
        "moved_in": _blank(row["valid_from"]),
        "moved_in_uncertain": bool(row["valid_from_uncertain"]),
        "moved_out": _blank(row["valid_to"]),
        "moved_out_uncertain": bool(row["valid_to_uncertain"]),
    }


def _adresse1(ctx: ServiceContext, pnr: str, all: bool = False, corrected: bool = False,
              max_rows: int | None = None, count: bool = False) -> Outcome:
    _person(ctx, pnr)
    where = () if corrected else (or_(address.c.correction.is_(None), address.c.correction.not_in(_SET_ASIDE)),)
    rows = _rows(ctx, address, pnr, desc(address.c.current), desc(address.c.valid_from), where=where)
    clear = ctx.conn.execute(select(clear_address).where(clear_address.c.pnr == pnr)).mappings().first()
    roads = _roads(ctx, [(r["municipality"], r["road"]) for r in rows])
    records = [_address_period(r, roads, clear if r["current"] else None) for r in rows]
    if _hidden(ctx, pnr):
        records = [_hide(r) for r in records]
    return _limit(records, max_rows)


# --- BOPSAML ----------------------------------------------------------------------------------------------

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
    _person(ctx, pnr)
    home = _current_address(ctx, pnr)
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
        "name_inverted": inverted_name(r),
        "addressing_name": r["addressing_name"],
        "status": r["status"],
        "status_text": PERSON_STATUS.get(r["status"]),
        "birth_date": r["birth_date"],
        "moved_in": _blank(r["valid_from"]),
    } for r in ctx.conn.execute(query).mappings()]
    return _limit(records, max_rows)


# --- BESKYT -------------------------------------------------------------------------------------------------

_BESKYT_FIELDS = (
    Out("BESKYTTYPE", "protection_code", t="protection_text",
        description="Protection type, 5 digits as GCTP writes it (00001 name and address …); t its text"),
    Out("STARTDATO", "valid_from", Fmt.DATE8, description="In force from (yyyyMMdd)"),
    Out("SLETDATO", "valid_to", Fmt.DATE8, description="Lifted on (yyyyMMdd)"),
    Out("IKRAFTMRK", "in_force", Fmt.FLAG, description="X: in force today"),
    Out("ANNKOR", "correction", description="Blank; K corrected, A undone (with KORMRK=X only)"),
)


def _not_set_aside(table: Table, corrected: bool) -> tuple[Any, ...]:
    """The condition that leaves out rows marked K or A, unless they are asked for (KORMRK=X)."""
    return () if corrected else (or_(table.c.correction.is_(None), table.c.correction.not_in(_SET_ASIDE)),)


def _beskyt(ctx: ServiceContext, pnr: str, corrected: bool = False) -> Outcome:
    _person(ctx, pnr)
    records = []
    for r in _rows(ctx, protection, pnr, protection.c.protection_type, where=_not_set_aside(protection, corrected)):
        code = r["protection_type"]
        marked = r["correction"] in _SET_ASIDE
        records.append({
            "pnr": pnr, "protection_type": code, "protection_code": code.zfill(5) if code else None,
            "protection_text": PROTECTION.get(code), "valid_from": r["valid_from"], "valid_to": _blank(r["valid_to"]),
            "in_force": not marked and in_force(r["valid_from"], _blank(r["valid_to"]), ctx.today),
            "correction": r["correction"],
        })
    # in force first (by type), then the others, the most recently lifted first
    ended = sorted((r for r in records if not r["in_force"]), key=lambda r: r["valid_to"] or "", reverse=True)
    return Outcome([r for r in records if r["in_force"]] + ended)


# --- CIVST ----------------------------------------------------------------------------------------------------

_CIVST_FIELDS = (
    Out("CIVST", "civil_status", t="civil_status_text", description="Civil status code (U, G, F, E, P, O, L, D)"),
    Out("AEGTEPNR", "spouse_pnr", description="CPR number of the spouse or partner"),
    Out("AEGTEFOED_DT", "spouse_birth_date", Fmt.DATE8, description="Birth date of the spouse or partner"),
    Out("AEGTENVN", "spouse_name", description="Name of the spouse or partner"),
    Out("STARTDATO", "valid_from", Fmt.TS12, description="Start of the civil status (yyyyMMddHHmm)"),
    Out("STARTDATOUSM", "valid_from_uncertain", Fmt.FLAG, mark="*", description="*: the start is uncertain"),
    Out("SLUTDATO", "valid_to", Fmt.TS12, description="End of the civil status; empty on the current one"),
    Out("SLUTDATOUSM", "valid_to_uncertain", Fmt.FLAG, mark="*", description="*: the end is uncertain"),
    Out("ANNKOR", "correction", description="Blank; K corrected, A undone (with KORMRK=X only), Æ technical"),
)


def _civst(ctx: ServiceContext, pnr: str, corrected: bool = False) -> Outcome:
    _person(ctx, pnr)
    c = civil_status
    where = () if corrected else (or_(c.c.correction.is_(None), c.c.correction.not_in(_SET_ASIDE)),)
    rows = _rows(ctx, c, pnr, desc(c.c.current), desc(c.c.valid_from), where=where)
    spouses = {p for r in rows if (p := r["spouse_pnr"]) and p.strip("0")}
    names = _names(ctx, spouses)
    births = {p: b for p, b in ctx.conn.execute(select(person.c.pnr, person.c.birth_date)
                                                .where(person.c.pnr.in_(sorted(spouses))))} if spouses else {}
    records = []
    for r in rows:
        spouse = r["spouse_pnr"] if r["spouse_pnr"] and r["spouse_pnr"].strip("0") else None
        known = names.get(spouse or "")
        records.append({
            "pnr": pnr, "civil_status": r["civil_status"], "civil_status_text": CIVIL_STATUS.get(r["civil_status"]),
            "spouse_pnr": spouse, "spouse_birth_date": r["spouse_birth_date"] or births.get(spouse or ""),
            "spouse_name": r["spouse_name"] or (known["addressing_name"] if known else None),
            "valid_from": _blank(r["valid_from"]), "valid_from_uncertain": bool(r["valid_from_uncertain"]),
            "valid_to": _blank(r["valid_to"]), "valid_to_uncertain": bool(r["valid_to_uncertain"]),
            "correction": r["correction"], "current": bool(r["current"]),
        })
    return Outcome(records)


# --- DELTBOP ----------------------------------------------------------------------------------------------------

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
    _person(ctx, pnr)
    s = shared_residence
    rows = _rows(ctx, s, pnr, desc(s.c.valid_from), where=(
        s.c.current == true(), or_(s.c.correction.is_(None), s.c.correction.not_in(_SET_ASIDE)),
        or_(s.c.valid_to.is_(None), s.c.valid_to == "", s.c.valid_to > ctx.today)))
    roads = _roads(ctx, [(r["municipality"], r["road"]) for r in rows])
    names = _names(ctx, [r["other_pnr"] for r in rows])
    records = []
    for r in rows:
        other = names.get(r["other_pnr"] or "")
        record = {
            "pnr": pnr, "other_pnr": r["other_pnr"], "other_name": other["addressing_name"] if other else None,
            "municipality": r["municipality"], "municipality_name": _authority(r["municipality"])[0],
            "road": r["road"], "road_name": roads.get((r["municipality"], r["road"]), {}).get("road_name"),
            "house_no": house_number(r["house_no"]), "floor": r["floor"], "door": r["door"],
            "building_no": r["building_no"], "valid_from": r["valid_from"], "valid_to": _blank(r["valid_to"]),
            "authority": r["authority"],
        }
        records.append(_hide(record) if _hidden(ctx, pnr, r["other_pnr"]) else record)
    return Outcome(records)


# --- FLYTPAAB, FKIRK ----------------------------------------------------------------------------------------------

_FLYTPAAB_FIELDS = (
    Out("STARTDATO", "valid_from", Fmt.DATE8, description="Date of the relocation order (yyyyMMdd)"),
    Out("BEMAERK", "remark", description="Remark (what the person is ordered to do)"),
    Out("MYNKOD", "authority", description="The authority that registered it"),
)


def _flytpaab(ctx: ServiceContext, pnr: str) -> Outcome:
    _person(ctx, pnr)
    rows = _rows(ctx, relocation_order, pnr, desc(relocation_order.c.valid_from))
    return Outcome([{"pnr": pnr, "valid_from": r["valid_from"], "remark": r["remark"], "authority": r["authority"]}
                    for r in rows])


_FKIRK_FIELDS = (
    Out("FKIRK", "church", t="church_text", description="Church relation code (F member, U not a member …)"),
    Out("STARTDATO", "valid_from", Fmt.DATE8, description="From (yyyyMMdd)"),
    Out("STARTDATOUSM", "valid_from_uncertain", Fmt.FLAG, mark="*", description="*: the start is uncertain"),
    Out("SLUTDATO", "valid_to", Fmt.DATE8, description="To (yyyyMMdd); empty on the current relation"),
    Out("SLUTDATOUSM", "valid_to_uncertain", Fmt.FLAG, mark="*", description="*: the end is uncertain"),
)


def _fkirk(ctx: ServiceContext, pnr: str, corrected: bool = False) -> Outcome:
    _person(ctx, pnr)
    c = church
    where = () if corrected else (or_(c.c.correction.is_(None), c.c.correction.not_in(_SET_ASIDE)),)
    rows = _rows(ctx, c, pnr, desc(c.c.current), desc(c.c.valid_from), where=where)
    return Outcome([{
        "pnr": pnr, "church": r["church"], "church_text": CHURCH.get(r["church"]) if r["church"] else None,
        "valid_from": r["valid_from"], "valid_from_uncertain": bool(r["valid_from_uncertain"]),
        "valid_to": r["valid_to"], "valid_to_uncertain": bool(r["valid_to_uncertain"]), "current": bool(r["current"]),
    } for r in rows])


# --- FOEDSEL, FOEDREG ---------------------------------------------------------------------------------------------

_FOEDSEL_FIELDS = (
    Out("PNR", "pnr", description="The person's CPR number"),
    Out("FOEDDATO", "birth_date", Fmt.DATE8, description="Birth date (yyyyMMdd)"),
    Out("FOEDDATOUSM", "birth_date_uncertain", Fmt.FLAG, mark="*", description="*: the birth date is uncertain"),
    Out("FOEDMYNKOD", "birth_authority", t="birth_authority_text", tl="birth_authority_name",
        description="Birth registration authority (parish or country); t the registered text, tl the authority's name"),
    Out("STILLING", "occupation", description="Occupation (stilling)"),
    Out("UMYNMRK", "under_guardianship", Fmt.FLAG, description="X: a guardianship is in force today"),
    Out("UMYN_STARTDATO", "guardianship_from", Fmt.DATE8, description="Guardianship from (yyyyMMdd)"),
    Out("UMYN_STARTDATOUSM", "guardianship_from_uncertain", Fmt.FLAG, mark="*",
        description="*: the start of the guardianship is uncertain"),
    Out("UMYN_SLETDATO", "guardianship_to", Fmt.DATE8, description="Guardianship ended (yyyyMMdd)"),
    Out("UMYN_RELTYP", "guardian_relation", t="guardian_relation_text",
        description="0000 guardian not in CPR, 0001 guardian with a CPR number, 0002 guardian with an address"),
    Out("RELPNR", "guardian_pnr", description="The guardian's CPR number"),
    Out("RELPNR_STARTDATO", "guardian_pnr_start", Fmt.DATE8, description="The guardian's CPR number from"),
    Out("RELADRSAT_RELPNR_TXT", "guardian_name", description="The guardian's name (addressee)"),
    Out("RELTXT_STARTDATO", "guardian_text_start", Fmt.DATE8, description="The guardian's address text from"),
    Out("RELTXT1", "guardian_line1", description="The guardian's address, line 1"),
    Out("RELTXT2", "guardian_line2", description="The guardian's address, line 2"),
    Out("RELTXT3", "guardian_line3", description="The guardian's address, line 3"),
    Out("RELTXT4", "guardian_line4", description="The guardian's address, line 4"),
    Out("RELTXT5", "guardian_line5", description="The guardian's address, line 5"),
)


def _foedsel(ctx: ServiceContext, pnr: str) -> Outcome:
    who = _person(ctx, pnr)
    rows = _rows(ctx, guardianship, pnr, desc(guardianship.c.valid_from))
    g = rows[0] if rows else {}
    guardian = _blank(g.get("guardian_pnr"))
    names = _names(ctx, [guardian])
    relation = _blank(g.get("relation_type"))
    record = {
        "pnr": pnr,
        "birth_date": who["birth_date"],
        "birth_date_uncertain": bool(who["birth_date_uncertain"]),
        "birth_authority": who["birth_authority"],
        "birth_authority_text": who["birth_authority_text"],
        "birth_authority_name": _authority(who["birth_authority"])[0],
        "occupation": who["occupation"],
        "under_guardianship": bool(g) and in_force(g.get("valid_from"), g.get("valid_to"), ctx.today),
        "guardianship_from": g.get("valid_from"),
        "guardianship_from_uncertain": bool(g.get("valid_from_uncertain")),
        "guardianship_to": g.get("valid_to"),
        "guardian_relation": relation,
        "guardian_relation_text": GUARDIANSHIP_RELATION.get(relation) if relation else None,
        "guardian_pnr": guardian,
        "guardian_pnr_start": g.get("guardian_pnr_start"),
        "guardian_name": g.get("guardian_name") or (names[guardian]["addressing_name"] if guardian in names else None),
        "guardian_text_start": g.get("guardian_text_start"),
        **{f"guardian_line{i}": g.get(f"line{i}") for i in range(1, 6)},
    }
    return Outcome([record])


_FOEDREG_FIELDS = (
    Out("FOEDMYNKOD", "birth_authority", t="birth_authority_name", tl="birth_authority_long_name",
        description="Birth registration authority (parish, or country for persons born abroad); t/tl its name"),
    Out("FOEDMYNTXT", "birth_authority_text", description="Birth place text as registered (MYNTXT-FØDESTED)"),
    Out("AKTMRK", "current", Fmt.FLAG, description="X: the current birth registration place"),
)


def _foedreg(ctx: ServiceContext, pnr: str) -> Outcome:
    who = _person(ctx, pnr)
    code, text = _blank(who["birth_authority"]), who["birth_authority_text"]
    if not code and not text:
        return Outcome([])
    short, long = _authority(code)
    return Outcome([{"pnr": pnr, "birth_authority": code, "birth_authority_name": short,
                     "birth_authority_long_name": long, "birth_authority_text": text, "current": True}])


# --- KOMFORH, KOMNOTAT ------------------------------------------------------------------------------------------------

_KOMFORH_FIELDS = (
    Out("KOMFORHTYP", "condition_type", description="Type of municipal condition (1 digit)"),
    Out("KOMFORHKOD", "condition_code", description="The condition's code (up to 5 characters)"),
    Out("STARTDATO", "valid_from", Fmt.DATE8, description="From (yyyyMMdd)"),
    Out("STARTDATOUSM", "valid_from_uncertain", Fmt.FLAG, mark="*", description="*: the start is uncertain"),
    Out("BEMAERK", "remark", description="Remark"),
    Out("ANNKOR", "correction", description="Blank; K corrected, A undone (with KORMRK=X only)"),
)


def _komforh(ctx: ServiceContext, pnr: str, corrected: bool = False) -> Outcome:
    _person(ctx, pnr)
    mc = municipal_condition
    rows = _rows(ctx, mc, pnr, mc.c.condition_type, desc(mc.c.valid_from), where=_not_set_aside(mc, corrected))
    return Outcome([{"pnr": pnr, "condition_type": r["condition_type"], "condition_code": r["condition_code"],
                     "valid_from": r["valid_from"], "valid_from_uncertain": bool(r["valid_from_uncertain"]),
                     "remark": r["remark"], "correction": r["correction"]} for r in rows])


_KOMNOTAT_FIELDS = (
    Out("NOTATNR", "note_no", description="Note number (2 digits)"),
    Out("NOTATLINIE", "text", description="The note's text (40 characters)"),
    Out("STARTDATO", "valid_from", Fmt.DATE8, description="From (yyyyMMdd)"),
    Out("SLETDATO", "valid_to", Fmt.DATE8, description="Deleted on (yyyyMMdd)"),
    Out("ANNKOR", "correction", description="Blank; K corrected, A undone (with KORMRK=X only)"),
)


def _komnotat(ctx: ServiceContext, pnr: str, corrected: bool = False) -> Outcome:
    _person(ctx, pnr)
    n = note
    rows = _rows(ctx, n, pnr, n.c.note_no, where=(or_(n.c.valid_to.is_(None), n.c.valid_to > ctx.today),
                                                  *_not_set_aside(n, corrected)))
    return Outcome([{"pnr": pnr, "note_no": r["note_no"], "text": r["text"], "valid_from": r["valid_from"],
                     "valid_to": r["valid_to"], "correction": r["correction"]} for r in rows])


# --- the declarations ---------------------------------------------------------------------------------------------

ADRESSE3 = SearchService(
    "ADRESSE3", "Adresse nuværende",
    "The current address with its marks (previous addresses, contact address, supplementary address, "
    "relocation order), the registering authority, c/o name, town, postal code and a current foreign address.",
    Category.PERSON, (PNR_KEY, ALL_KEY), _ADRESSE3_FIELDS, _adresse3, shape=Shape.FLAT, groups=GROUPS,
    notes="Fields and their order as CPR's ADRESSE3 answers (flat Rolle); values from this register.",
    example=(("PNR", "1307610015"),),
)

ADRESSE1 = SearchService(
    "ADRESSE1", "Adresse nuværende og tidligere",
    "Current and previous addresses, one row per address period: the current address first, then the "
    "previous ones, newest first. Corrected and undone periods only with KORMRK=X.",
    Category.PERSON, (PNR_KEY, ALL_KEY, CORRECTED_KEY, MAX_KEY, COUNT_KEY), _ADRESSE1_FIELDS, _adresse1,
    groups=GROUPS,
    notes="The service name and keys are CPR's (PNR, AKX, MAXA, AIA); the rows are designed in CPR's style, "
          "not a recorded CPR answer.",
    example=(("PNR", "0706614818"),),
)

BOPSAML = SearchService(
    "BOPSAML", "Bopælssamling",
    "Everyone living at the person's current address (same municipality, road, house number, floor and door), "
    "the person included. Persons under name and address protection are listed only to groups that see "
    "protected addresses.",
    Category.PERSON, (PNR_KEY, MAX_KEY), _BOPSAML_FIELDS, _bopsaml, groups=GROUPS, address_search=True,
    notes=NOTES,
    example=(("PNR", "0707614218"),),
)

BESKYT = SearchService(
    "BESKYT", "Beskyttelse nuværende og tidligere",
    "Every protection record of the person: those in force today first, then the lifted ones. Corrected and "
    "undone records only with KORMRK=X.",
    Category.PERSON, (PNR_KEY, CORRECTED_KEY), _BESKYT_FIELDS, _beskyt, groups=GROUPS, notes=NOTES,
    example=(("PNR", "0701614011"),),
)

CIVST = SearchService(
    "CIVST", "Civilstand nuværende og tidligere",
    "Civil status: the current one first, then the previous ones, newest first, with the spouse or partner.",
    Category.PERSON, (PNR_KEY, CORRECTED_KEY), _CIVST_FIELDS, _civst, groups=GROUPS, notes=NOTES,
    example=(("PNR", "0707614285"),),
)

DELTBOP = SearchService(
    "DELTBOP", "Delt bopæl oplysninger nuværende",
    "The child's current shared residence: the other parent and the address; none is an empty table.",
    Category.PERSON, (PNR_KEY,), _DELTBOP_FIELDS, _deltbop, groups=GROUPS, notes=NOTES,
    example=(("PNR", "2906980013"),),
)

FLYTPAAB = SearchService(
    "FLYTPAAB", "Flyttepåbud",
    "The person's relocation orders (record 021): date, remark, authority.",
    Category.PERSON, (PNR_KEY,), _FLYTPAAB_FIELDS, _flytpaab, groups=GROUPS, notes=NOTES,
    example=(("PNR", "1307610015"),),
)

FKIRK = SearchService(
    "FKIRK", "Folkekirkeforhold nuværende og tidligere",
    "Relation to the national church: the current one first, then the previous ones, newest first.",
    Category.PERSON, (PNR_KEY, CORRECTED_KEY), _FKIRK_FIELDS, _fkirk, groups=CHURCH_GROUPS, notes=NOTES,
    example=(("PNR", "2906980013"),),
)

FOEDSEL = SearchService(
    "FOEDSEL", "Fødselsoplysninger, stilling, værgemål",
    "Birth date, birth registration authority, occupation and the latest guardianship with the guardian.",
    Category.PERSON, (PNR_KEY,), _FOEDSEL_FIELDS, _foedsel, shape=Shape.FLAT, groups=GROUPS, notes=NOTES,
    example=(("PNR", "0709614126"),),
)

FOEDREG = SearchService(
    "FOEDREG", "Fødselsregistreringssted nuværende og tidligere",
    "The birth registration place (record 009) with the authority's name. The register holds the current "
    "place only, so there are no previous rows.",
    Category.PERSON, (PNR_KEY,), _FOEDREG_FIELDS, _foedreg, groups=CHURCH_GROUPS, notes=NOTES,
    example=(("PNR", "3012995007"),),
)

KOMFORH = SearchService(
    "KOMFORH", "Kommunaleforhold",
    "The person's municipal conditions (record 018): type, code, start, remark. Corrected and undone "
    "conditions only with KORMRK=X.",
    Category.PERSON, (PNR_KEY, CORRECTED_KEY), _KOMFORH_FIELDS, _komforh, groups=GROUPS, notes=NOTES,
    example=(("PNR", "2802363039"),),
)

KOMNOTAT = SearchService(
    "KOMNOTAT", "Kommunale notater",
    "The person's municipal notes (record 019) not yet past their deletion date. Corrected and undone notes "
    "only with KORMRK=X.",
    Category.PERSON, (PNR_KEY, CORRECTED_KEY), _KOMNOTAT_FIELDS, _komnotat, groups=GROUPS, notes=NOTES,
    example=(("PNR", "0707614293"),),
)

SERVICES = (ADRESSE3, ADRESSE1, BOPSAML, BESKYT, CIVST, DELTBOP, FLYTPAAB, FKIRK, FOEDSEL, FOEDREG, KOMFORH,
            KOMNOTAT)
