"""Guardianship by PNR: ``VAERGE`` (værgeoplysninger), designed in CPR's style.

The person's guardianship (record 017: the guardian by PNR or by name and address) and, if the
person is a guardian, one row for each person the person is guardian for.
"""

from __future__ import annotations

from sqlalchemy import desc, or_, select

from opencpr.access.protection import in_force
from opencpr.domain.codes import GUARDIANSHIP_RELATION
from opencpr.register import queries
from opencpr.register.schema import guardianship
from opencpr.services.catalogue import AUTHORITIES, PNR_KEY, Category, Fmt, Out, SearchService
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import NOTES, USM, find_person

__all__ = ["SERVICES", "VAERGE"]


def _vaerge(ctx: ServiceContext, pnr: str) -> Outcome:
    find_person(ctx, pnr)
    query = (select(guardianship).where(or_(guardianship.c.pnr == pnr, guardianship.c.guardian_pnr == pnr))
             .order_by((guardianship.c.pnr != pnr), desc(guardianship.c.valid_from), desc(guardianship.c.id)))
    rows = ctx.conn.execute(query).mappings().all()
    names = queries.addressing_names(ctx.conn, [r["pnr"] for r in rows]
                                     + [r["guardian_pnr"] for r in rows if r["guardian_pnr"]])
    records = []
    for row in rows:
        own = row["pnr"] == pnr
        records.append({
            "pnr": row["pnr"], "ward_name": names.get(row["pnr"]),
            "role": "U" if own else "V",
            "role_text": "Personen er under værgemål" if own else "Personen er værge",
            "in_force": in_force(row["valid_from"], row["valid_to"], ctx.today),
            "relation_type": row["relation_type"],
            "relation_type_text": GUARDIANSHIP_RELATION.get(row["relation_type"]) if row["relation_type"] else None,
            "valid_from": row["valid_from"], "valid_from_uncertain": bool(row["valid_from_uncertain"]),
            "valid_to": row["valid_to"],
            "guardian_pnr": row["guardian_pnr"], "guardian_pnr_start": row["guardian_pnr_start"],
            "guardian_name": row["guardian_name"] or names.get(row["guardian_pnr"] or ""),
            "guardian_text_start": row["guardian_text_start"],
            **{f"guardian_line{n}": row[f"line{n}"] for n in range(1, 6)},
        })
    return Outcome(records)


VAERGE = SearchService(
    "VAERGE", "Værgeoplysninger",
    "The person's guardianship (record 017: the guardian by PNR or by name and address) and, if "
    "the person is a guardian, one row for each person the person is guardian for.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The PNR of the person under guardianship (the looked-up person, or a ward)"),
        Out("UMYNDIGNVN", "ward_name", description="The addressing name of the person under guardianship"),
        Out("ROLLE", "role", t="role_text",
            description="U: the looked-up person is under guardianship; V: the looked-up person is the guardian"),
        Out("AKTUELMRK", "in_force", Fmt.FLAG, description="X if the guardianship is in force today"),
        Out("UMYN_RELTYP", "relation_type", t="relation_type_text",
            description="Guardian relation type: 0000 not in CPR, 0001 by PNR, 0002 by name and address"),
        Out("STARTDATO", "valid_from", Fmt.DATE8, description="Guardianship from (START_DT-UMYNDIG), yyyyMMdd"),
        Out("STARTDATOUSM", "valid_from_uncertain", **USM, description="* if the start is uncertain"),
        Out("SLETDATO", "valid_to", Fmt.DATE8, description="Guardianship ended (SLET_DT-UMYNDIG), yyyyMMdd"),
        Out("RELPNR", "guardian_pnr", description="The guardian's PNR (relation type 0001)"),
        Out("RELPNR_STARTDATO", "guardian_pnr_start", Fmt.DATE8, description="The guardian's PNR from, yyyyMMdd"),
        Out("RELADRSAT", "guardian_name",
            description="The guardian's name (RELADRSAT_RELPNR_TXT, or the current name of a guardian with PNR)"),
        Out("RELADRSAT_STARTDATO", "guardian_text_start", Fmt.DATE8,
            description="The guardian's name and address from, yyyyMMdd"),
        *(Out(f"RELTXT{n}", f"guardian_line{n}", description=f"The guardian's address line {n} (RELTXT{n})")
          for n in range(1, 6)),
    ),
    _vaerge, groups=AUTHORITIES, notes=NOTES, example=(("PNR", "0709614126"),),
)


SERVICES = (VAERGE,)
