"""Civil status by PNR: ``CIVST`` (civilstand nuværende og tidligere) and ``SEPARATION``
(separationer nuværende og tidligere), both designed in CPR's style."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from opencpr.domain.codes import CIVIL_STATUS
from opencpr.register import queries
from opencpr.register.schema import civil_status, person, separation
from opencpr.services.catalogue import AUTHORITIES, PNR_KEY, Category, Fmt, Out, SearchService
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import CORRECTED_KEY, NOTES, USM, blank, correction, find_person

__all__ = ["CIVST", "SEPARATION", "SERVICES"]


# --- CIVST ----------------------------------------------------------------------------------------

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
    find_person(ctx, pnr, touch=True)
    c = civil_status
    rows = queries.history(ctx.conn, c, pnr, where=queries.not_set_aside(c, corrected))
    spouses = {p for r in rows if (p := r["spouse_pnr"]) and p.strip("0")}
    names = queries.current_names(ctx.conn, spouses)
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
            "valid_from": blank(r["valid_from"]), "valid_from_uncertain": bool(r["valid_from_uncertain"]),
            "valid_to": blank(r["valid_to"]), "valid_to_uncertain": bool(r["valid_to_uncertain"]),
            "correction": r["correction"], "current": bool(r["current"]),
        })
    return Outcome(records)


CIVST = SearchService(
    "CIVST", "Civilstand nuværende og tidligere",
    "Civil status: the current one first, then the previous ones, newest first, with the spouse or partner.",
    Category.PERSON, (PNR_KEY, CORRECTED_KEY), _CIVST_FIELDS, _civst, groups=AUTHORITIES, notes=NOTES,
    example=(("PNR", "0707614285"),),
)


# --- SEPARATION -----------------------------------------------------------------------------------

def _separation(ctx: ServiceContext, pnr: str) -> Outcome:
    find_person(ctx, pnr)
    rows = queries.history(ctx.conn, separation, pnr)
    refs = [r["separation_ref"] for r in rows if r["separation_ref"]]
    spouses: dict[str, Mapping[str, Any]] = {}
    if refs:
        query = (select(civil_status.c.separation_ref, civil_status.c.spouse_pnr, civil_status.c.spouse_name)
                 .where(civil_status.c.pnr == pnr, civil_status.c.separation_ref.in_(refs))
                 .order_by(civil_status.c.id))
        for spouse in ctx.conn.execute(query).mappings():
            spouses[spouse["separation_ref"]] = spouse
    names = queries.addressing_names(ctx.conn, [s["spouse_pnr"] for s in spouses.values() if s["spouse_pnr"]])
    records = []
    for row in rows:
        spouse = spouses.get(row["separation_ref"] or "")
        spouse_pnr = spouse["spouse_pnr"] if spouse else None
        records.append({
            "pnr": pnr, "current": bool(row["current"]), "separation_ref": row["separation_ref"],
            "spouse_pnr": spouse_pnr,
            "spouse_name": (spouse["spouse_name"] if spouse else None) or names.get(spouse_pnr or ""),
            "valid_from": row["valid_from"], "valid_from_uncertain": bool(row["valid_from_uncertain"]),
            "valid_to": row["valid_to"], "valid_to_uncertain": bool(row["valid_to_uncertain"]),
            **correction(row["correction"]),
        })
    return Outcome(records)


SEPARATION = SearchService(
    "SEPARATION", "Separationer nuværende og tidligere",
    "The person's current and previous separations (records 013 and 030), with the spouse of the "
    "marriage the separation refers to.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("AKTUELMRK", "current", Fmt.FLAG, description="X on the current separation"),
        Out("SEP_HENVIS", "separation_ref", description="Separation reference (SEP_HENVIS): the civil status it "
                                                        "belongs to"),
        Out("AEGTEPNR", "spouse_pnr", description="The spouse's PNR, from the civil status the separation refers to"),
        Out("AEGTENVN", "spouse_name", description="The spouse's name"),
        Out("STARTDATO", "valid_from", Fmt.DATE8, description="Separation start, yyyyMMdd"),
        Out("STARTDATOUSM", "valid_from_uncertain", **USM, description="* if the start is uncertain"),
        Out("SLUTDATO", "valid_to", Fmt.DATE8, description="Separation end, yyyyMMdd"),
        Out("SLUTDATOUSM", "valid_to_uncertain", **USM, description="* if the end is uncertain"),
        Out("ANNKOR", "correction", t="correction_text", description="K corrected, A annulled, Æ technical change"),
    ),
    _separation, groups=AUTHORITIES, notes=NOTES, example=(("PNR", "0707614293"),),
)


SERVICES = (CIVST, SEPARATION)
