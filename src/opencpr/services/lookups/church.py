"""Church by PNR: ``FKIRK`` (folkekirkeforhold nuværende og tidligere), designed in CPR's style."""

from __future__ import annotations

from opencpr.domain.codes import CHURCH
from opencpr.register import queries
from opencpr.register.schema import church
from opencpr.services.catalogue import ALL_PUBLIC, PNR_KEY, Category, Fmt, Out, SearchService
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import CORRECTED_KEY, NOTES, find_person

__all__ = ["FKIRK", "SERVICES"]


_FKIRK_FIELDS = (
    Out("FKIRK", "church", t="church_text", description="Church relation code (F member, U not a member …)"),
    Out("STARTDATO", "valid_from", Fmt.DATE8, description="From (yyyyMMdd)"),
    Out("STARTDATOUSM", "valid_from_uncertain", Fmt.FLAG, mark="*", description="*: the start is uncertain"),
    Out("SLUTDATO", "valid_to", Fmt.DATE8, description="To (yyyyMMdd); empty on the current relation"),
    Out("SLUTDATOUSM", "valid_to_uncertain", Fmt.FLAG, mark="*", description="*: the end is uncertain"),
)


def _fkirk(ctx: ServiceContext, pnr: str, corrected: bool = False) -> Outcome:
    find_person(ctx, pnr, touch=True)
    c = church
    rows = queries.history(ctx.conn, c, pnr, where=queries.not_set_aside(c, corrected))
    return Outcome([{
        "pnr": pnr, "church": r["church"], "church_text": CHURCH.get(r["church"]) if r["church"] else None,
        "valid_from": r["valid_from"], "valid_from_uncertain": bool(r["valid_from_uncertain"]),
        "valid_to": r["valid_to"], "valid_to_uncertain": bool(r["valid_to_uncertain"]), "current": bool(r["current"]),
    } for r in rows])


FKIRK = SearchService(
    "FKIRK", "Folkekirkeforhold nuværende og tidligere",
    "Relation to the national church: the current one first, then the previous ones, newest first.",
    Category.PERSON, (PNR_KEY, CORRECTED_KEY), _FKIRK_FIELDS, _fkirk, groups=ALL_PUBLIC, notes=NOTES,
    example=(("PNR", "2906980013"),),
)


SERVICES = (FKIRK,)
