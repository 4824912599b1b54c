"""Citizenship by PNR: ``STATSB`` (statsborgerret nuværende og tidligere), designed in CPR's style."""

from __future__ import annotations

from opencpr.register import queries
from opencpr.register.schema import citizenship
from opencpr.services.catalogue import AUTHORITIES, PNR_KEY, Category, Fmt, Out, SearchService
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import NOTES, USM, authority_name, correction, find_person

__all__ = ["SERVICES", "STATSB"]


def _statsb(ctx: ServiceContext, pnr: str) -> Outcome:
    find_person(ctx, pnr)
    records = []
    for row in queries.history(ctx.conn, citizenship, pnr):
        records.append({
            "pnr": pnr, "current": bool(row["current"]),
            "country": row["country"], "country_name": authority_name(row["country"]),
            "valid_from": row["valid_from"], "valid_from_uncertain": bool(row["valid_from_uncertain"]),
            "valid_to": row["valid_to"], "valid_to_uncertain": bool(row["valid_to_uncertain"]),
            **correction(row["correction"]),
        })
    return Outcome(records)


STATSB = SearchService(
    "STATSB", "Statsborgerret nuværende og tidligere",
    "The person's current and previous citizenships (records 010 and 027), with the country's name "
    "from the authority table.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("AKTUELMRK", "current", Fmt.FLAG, description="X on the current citizenship"),
        Out("LANDEKOD", "country", t="country_name", description="Country code (LANDEKOD); t: the country's name"),
        Out("STARTDATO", "valid_from", Fmt.TS12, description="Citizenship from, yyyyMMddHHmm"),
        Out("STARTDATOUSM", "valid_from_uncertain", **USM, description="* if the start is uncertain"),
        Out("SLUTDATO", "valid_to", Fmt.TS12, description="Citizenship to, yyyyMMddHHmm"),
        Out("SLUTDATOUSM", "valid_to_uncertain", **USM, description="* if the end is uncertain"),
        Out("ANNKOR", "correction", t="correction_text", description="K corrected, A annulled, Æ technical change"),
    ),
    _statsb, groups=AUTHORITIES, notes=NOTES, example=(("PNR", "0101965058"),),
)


SERVICES = (STATSB,)
