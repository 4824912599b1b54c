"""Municipal data by PNR: ``KOMFORH`` (kommunale forhold, record 018) and ``KOMNOTAT`` (kommunale
notater, record 019), both designed in CPR's style."""

from __future__ import annotations

from sqlalchemy import desc, or_

from opencpr.register import queries
from opencpr.register.schema import municipal_condition, note
from opencpr.services.catalogue import AUTHORITIES, PNR_KEY, Category, Fmt, Out, SearchService
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import CORRECTED_KEY, NOTES, find_person

__all__ = ["KOMFORH", "KOMNOTAT", "SERVICES"]


_KOMFORH_FIELDS = (
    Out("KOMFORHTYP", "condition_type", description="Type of municipal condition (1 digit)"),
    Out("KOMFORHKOD", "condition_code", description="The condition's code (up to 5 characters)"),
    Out("STARTDATO", "valid_from", Fmt.DATE8, description="From (yyyyMMdd)"),
    Out("STARTDATOUSM", "valid_from_uncertain", Fmt.FLAG, mark="*", description="*: the start is uncertain"),
    Out("BEMAERK", "remark", description="Remark"),
    Out("ANNKOR", "correction", description="Blank; K corrected, A undone (with KORMRK=X only)"),
)


def _komforh(ctx: ServiceContext, pnr: str, corrected: bool = False) -> Outcome:
    find_person(ctx, pnr, touch=True)
    mc = municipal_condition
    rows = queries.rows(ctx.conn, mc, pnr, mc.c.condition_type, desc(mc.c.valid_from),
                        where=queries.not_set_aside(mc, corrected))
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
    find_person(ctx, pnr, touch=True)
    n = note
    rows = queries.rows(ctx.conn, n, pnr, n.c.note_no, where=(or_(n.c.valid_to.is_(None), n.c.valid_to > ctx.today),
                                                              *queries.not_set_aside(n, corrected)))
    return Outcome([{"pnr": pnr, "note_no": r["note_no"], "text": r["text"], "valid_from": r["valid_from"],
                     "valid_to": r["valid_to"], "correction": r["correction"]} for r in rows])


# --- the declarations -----------------------------------------------------------------------------

KOMFORH = SearchService(
    "KOMFORH", "Kommunaleforhold",
    "The person's municipal conditions (record 018): type, code, start, remark. Corrected and undone "
    "conditions only with KORMRK=X.",
    Category.PERSON, (PNR_KEY, CORRECTED_KEY), _KOMFORH_FIELDS, _komforh, groups=AUTHORITIES, notes=NOTES,
    example=(("PNR", "2802363039"),),
)

KOMNOTAT = SearchService(
    "KOMNOTAT", "Kommunale notater",
    "The person's municipal notes (record 019) not yet past their deletion date. Corrected and undone notes "
    "only with KORMRK=X.",
    Category.PERSON, (PNR_KEY, CORRECTED_KEY), _KOMNOTAT_FIELDS, _komnotat, groups=AUTHORITIES, notes=NOTES,
    example=(("PNR", "0707614293"),),
)


SERVICES = (KOMFORH, KOMNOTAT)
