"""Overview by PNR: ``OVERSIGT`` (oversigtsoplysninger), designed in CPR's style.

One row of markers telling which kinds of data the register holds for the person, counted from
every person table.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select, true

from opencpr.domain.codes import PERSON_STATUS
from opencpr.register import queries
from opencpr.register.schema import (
    address,
    child,
    church,
    citizenship,
    civil_status,
    contact_address,
    departure,
    disappearance,
    election,
    guardianship,
    municipal_condition,
    name,
    note,
    parental_authority,
    previous_pnr,
    protection,
    separation,
)
from opencpr.services.catalogue import AUTHORITIES, PNR_KEY, Category, Fmt, Out, SearchService
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import NOTES, find_person

__all__ = ["OVERSIGT", "SERVICES"]


_WITH_HISTORY = {"address": address, "name": name, "civil_status": civil_status, "citizenship": citizenship,
                 "church": church, "departure": departure, "disappearance": disappearance,
                 "separation": separation}

_PLAIN = {"child": child, "parental_authority": parental_authority, "guardianship": guardianship,
          "municipal_condition": municipal_condition, "note": note, "election": election,
          "previous_pnr": previous_pnr, "contact_address": contact_address}


def _counts(ctx: ServiceContext, pnr: str) -> dict[str, int]:
    """Rows per table (``<table>`` current, ``<table>:old`` historical) of the person."""
    found: dict[str, int] = {}
    for label, table in _WITH_HISTORY.items():
        query = select(table.c.current, func.count()).where(table.c.pnr == pnr).group_by(table.c.current)
        for current, count in ctx.conn.execute(query):
            found[label if current else f"{label}:old"] = count
    for label, table in _PLAIN.items():
        kept = queries.not_set_aside(table) if "correction" in table.c else ()
        found[label] = ctx.conn.execute(select(func.count()).select_from(table)
                                        .where(table.c.pnr == pnr, *kept)).scalar()
    found["ward"] = ctx.conn.execute(select(func.count()).select_from(guardianship)
                                     .where(guardianship.c.guardian_pnr == pnr)).scalar()
    found["protection:any"] = ctx.conn.execute(select(func.count()).select_from(protection)
                                               .where(protection.c.pnr == pnr,
                                                      *queries.not_set_aside(protection))).scalar()
    return found


def _oversigt(ctx: ServiceContext, pnr: str) -> Outcome:
    row = find_person(ctx, pnr)
    counts = _counts(ctx, pnr)
    has = lambda label: counts.get(label, 0) > 0  # noqa: E731
    supplementary = ctx.conn.execute(
        select(func.count()).select_from(address).where(
            address.c.pnr == pnr, address.c.current == true(),
            or_(address.c.supplementary_authority.is_not(None), address.c.supplementary_line1.is_not(None)))
    ).scalar()
    return Outcome([{
        "pnr": pnr,
        "addressing_name": queries.addressing_name(ctx.conn, pnr),
        "status": row["status"], "status_text": PERSON_STATUS.get(row["status"]),
        "has_address": has("address"), "has_previous_addresses": has("address:old"),
        "has_previous_names": has("name:old"),
        "has_civil_status": has("civil_status"), "has_previous_civil_status": has("civil_status:old"),
        "has_separations": has("separation") or has("separation:old"),
        "has_citizenship": has("citizenship"), "has_previous_citizenship": has("citizenship:old"),
        "has_church": has("church"), "has_previous_church": has("church:old"),
        "protected": bool(ctx.protections([pnr])[pnr]), "has_protection_rows": has("protection:any"),
        "has_departure": has("departure"), "has_previous_departures": has("departure:old"),
        "has_disappearance": has("disappearance"), "has_previous_disappearances": has("disappearance:old"),
        "children": counts.get("child", 0),
        "has_parental_authority": has("parental_authority"),
        "has_guardianship": has("guardianship"), "is_guardian": has("ward"),
        "has_municipal_conditions": has("municipal_condition"), "has_notes": has("note"),
        "has_election_data": has("election"), "has_previous_pnrs": has("previous_pnr"),
        "has_contact_address": has("contact_address"), "has_supplementary_address": supplementary > 0,
    }])


def _flag(name_: str, key: str, what: str) -> Out:
    return Out(name_, key, Fmt.FLAG, description=f"X if the person has {what}")


OVERSIGT = SearchService(
    "OVERSIGT", "Oversigtsoplysninger for en person",
    "One row of markers telling which kinds of data the register holds for the person.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("ADRNVN", "addressing_name", description="Current addressing name"),
        Out("STATUS", "status", t="status_text", description="Person status (STATUS) and its text"),
        _flag("AKTADRMRK", "has_address", "a current address"),
        _flag("TIDLADRMRK", "has_previous_addresses", "previous addresses"),
        _flag("TIDLNVNMRK", "has_previous_names", "previous names"),
        _flag("CIVSTMRK", "has_civil_status", "a current civil status"),
        _flag("TIDLCIVSTMRK", "has_previous_civil_status", "previous civil statuses"),
        _flag("SEPMRK", "has_separations", "separations (current or previous)"),
        _flag("STATSBMRK", "has_citizenship", "a current citizenship"),
        _flag("TIDLSTATSBMRK", "has_previous_citizenship", "previous citizenships"),
        _flag("FKIRKMRK", "has_church", "a current church relation"),
        _flag("TIDLFKIRKMRK", "has_previous_church", "previous church relations"),
        _flag("BESKYTMRK", "protected", "a protection in force today"),
        _flag("BESKYTRECMRK", "has_protection_rows", "protection records (in force or not)"),
        _flag("UDRMRK", "has_departure", "a current departure (emigrated)"),
        _flag("TIDLUDRMRK", "has_previous_departures", "previous departures"),
        _flag("FORSVMRK", "has_disappearance", "a current disappearance"),
        _flag("TIDLFORSVMRK", "has_previous_disappearances", "previous disappearances"),
        Out("ANTALBOERN", "children", description="Number of children registered (record 014)"),
        _flag("FORAELDREMYNMRK", "has_parental_authority", "parental authority records"),
        _flag("VAERGEMRK", "has_guardianship", "a guardianship record (under guardianship)"),
        _flag("VAERGEFORMRK", "is_guardian", "wards (the person is someone's guardian)"),
        _flag("KOMFORHMRK", "has_municipal_conditions", "municipal conditions"),
        _flag("NOTATMRK", "has_notes", "municipal notes"),
        _flag("VALGMRK", "has_election_data", "election data"),
        _flag("TIDLPNRMRK", "has_previous_pnrs", "previous PNRs"),
        _flag("KONTAKTADRMRK", "has_contact_address", "a contact address"),
        _flag("SUPLADRMRK", "has_supplementary_address", "a supplementary address"),
    ),
    _oversigt, groups=AUTHORITIES, notes=NOTES, example=(("PNR", "0707614285"),),
)


SERVICES = (OVERSIGT,)
