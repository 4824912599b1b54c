"""Birth by PNR: ``FOEDSEL`` (fødselsoplysninger, stilling, værgemål) and ``FOEDREG``
(fødselsregistreringssted), both designed in CPR's style."""

from __future__ import annotations

from sqlalchemy import desc

from opencpr.access.protection import in_force
from opencpr.domain.codes import GUARDIANSHIP_RELATION
from opencpr.register import queries
from opencpr.register.schema import guardianship
from opencpr.services.catalogue import (
    ALL_PUBLIC,
    AUTHORITIES,
    PNR_KEY,
    Category,
    Fmt,
    Out,
    SearchService,
    Shape,
)
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import NOTES, authority_names, blank, find_person

__all__ = ["FOEDREG", "FOEDSEL", "SERVICES"]


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
    who = find_person(ctx, pnr, touch=True)
    rows = queries.rows(ctx.conn, guardianship, pnr, desc(guardianship.c.valid_from))
    g = rows[0] if rows else {}
    guardian = blank(g.get("guardian_pnr"))
    names = queries.current_names(ctx.conn, [guardian])
    relation = blank(g.get("relation_type"))
    record = {
        "pnr": pnr,
        "birth_date": who["birth_date"],
        "birth_date_uncertain": bool(who["birth_date_uncertain"]),
        "birth_authority": who["birth_authority"],
        "birth_authority_text": who["birth_authority_text"],
        "birth_authority_name": authority_names(who["birth_authority"])[0],
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
    who = find_person(ctx, pnr, touch=True)
    code, text = blank(who["birth_authority"]), who["birth_authority_text"]
    if not code and not text:
        return Outcome([])
    short, long = authority_names(code)
    return Outcome([{"pnr": pnr, "birth_authority": code, "birth_authority_name": short,
                     "birth_authority_long_name": long, "birth_authority_text": text, "current": True}])


# --- the declarations -----------------------------------------------------------------------------

FOEDSEL = SearchService(
    "FOEDSEL", "Fødselsoplysninger, stilling, værgemål",
    "Birth date, birth registration authority, occupation and the latest guardianship with the guardian.",
    Category.PERSON, (PNR_KEY,), _FOEDSEL_FIELDS, _foedsel, shape=Shape.FLAT, groups=AUTHORITIES, notes=NOTES,
    example=(("PNR", "0709614126"),),
)

FOEDREG = SearchService(
    "FOEDREG", "Fødselsregistreringssted nuværende og tidligere",
    "The birth registration place (record 009) with the authority's name. The register holds the current "
    "place only, so there are no previous rows.",
    Category.PERSON, (PNR_KEY,), _FOEDREG_FIELDS, _foedreg, groups=ALL_PUBLIC, notes=NOTES,
    example=(("PNR", "3012995007"),),
)


SERVICES = (FOEDSEL, FOEDREG)
