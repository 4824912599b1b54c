"""Protection by PNR: ``BESKYT`` (beskyttelse nuværende og tidligere), designed in CPR's style.

Every protection record of the person (record 005): name and address protection (0001), local
directory (0002), marketing (0003), research (0004), credit warning (0005). What a protection
hides from whom is the gate's business (:mod:`opencpr.access.protection`); this service lists the
records.
"""

from __future__ import annotations

from opencpr.access.protection import in_force
from opencpr.domain.codes import PROTECTION
from opencpr.register import queries
from opencpr.register.schema import protection
from opencpr.services.catalogue import AUTHORITIES, PNR_KEY, Category, Fmt, Out, SearchService
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import CORRECTED_KEY, NOTES, blank, find_person

__all__ = ["BESKYT", "SERVICES"]


_BESKYT_FIELDS = (
    Out("BESKYTTYPE", "protection_code", t="protection_text",
        description="Protection type, 5 digits as GCTP writes it (00001 name and address …); t its text"),
    Out("STARTDATO", "valid_from", Fmt.DATE8, description="In force from (yyyyMMdd)"),
    Out("SLETDATO", "valid_to", Fmt.DATE8, description="Lifted on (yyyyMMdd)"),
    Out("IKRAFTMRK", "in_force", Fmt.FLAG, description="X: in force today"),
    Out("ANNKOR", "correction", description="Blank; K corrected, A undone (with KORMRK=X only)"),
)


def _beskyt(ctx: ServiceContext, pnr: str, corrected: bool = False) -> Outcome:
    find_person(ctx, pnr, touch=True)
    records = []
    rows = queries.rows(ctx.conn, protection, pnr, protection.c.protection_type,
                        where=queries.not_set_aside(protection, corrected))
    for r in rows:
        code = r["protection_type"]
        marked = r["correction"] in queries.SET_ASIDE
        records.append({
            "pnr": pnr, "protection_type": code, "protection_code": code.zfill(5) if code else None,
            "protection_text": PROTECTION.get(code), "valid_from": r["valid_from"], "valid_to": blank(r["valid_to"]),
            "in_force": not marked and in_force(r["valid_from"], blank(r["valid_to"]), ctx.today),
            "correction": r["correction"],
        })
    # in force first (by type), then the others, the most recently lifted first
    ended = sorted((r for r in records if not r["in_force"]), key=lambda r: r["valid_to"] or "", reverse=True)
    return Outcome([r for r in records if r["in_force"]] + ended)


BESKYT = SearchService(
    "BESKYT", "Beskyttelse nuværende og tidligere",
    "Every protection record of the person: those in force today first, then the lifted ones. Corrected and "
    "undone records only with KORMRK=X.",
    Category.PERSON, (PNR_KEY, CORRECTED_KEY), _BESKYT_FIELDS, _beskyt, groups=AUTHORITIES, notes=NOTES,
    example=(("PNR", "0701614011"),),
)


SERVICES = (BESKYT,)
