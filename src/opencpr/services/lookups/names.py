"""Names by PNR: ``navne3`` (the current name) and ``NAVNE`` (names, current and previous).

``navne3`` answers as CPR's demo service does (``docs/fidelity.md``); its record is also the
``CNVN_*`` part of ``Familie+``'s row 0 (:func:`name_record`). ``NAVNE`` is designed in CPR's
style (field names as the extract and the recorded ``navne3`` answers write them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from opencpr.domain.names import inverted_name
from opencpr.register import queries
from opencpr.register.schema import name
from opencpr.services.catalogue import ALL_PUBLIC, PNR_KEY, Category, Fmt, Out, SearchService
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import ALL_KEY, NOTES, USM, correction, find_person

__all__ = ["NAME_OUT", "NAVNE", "NAVNE3", "SERVICES", "name_record", "read_name"]


# --- navne3: the current name ---------------------------------------------------------------------

def read_name(conn: Connection, pnr: str) -> dict[str, Any]:
    """The current name (record 008) and whether earlier names are registered (record 026).

    Keys: first_name, first_name_marker, middle_name, middle_name_marker, last_name,
    last_name_marker, addressing_name, name_valid_from, name_valid_from_uncertain,
    addressing_name_inverted, name_history. Empty values are None.
    """
    found = queries.current_name(conn, pnr)
    found["addressing_name_inverted"] = inverted_name(found["first_name"], found["middle_name"], found["last_name"],
                                                     separator=", ")
    found["name_history"] = queries.has_previous_names(conn, pnr)
    return found


def name_record(ctx: ServiceContext, pnr: str, person_row: dict[str, Any]) -> dict[str, Any]:
    """navne3's record (also the CNVN_* part of Familie+ row 0)."""
    found = read_name(ctx.conn, pnr)
    return {
        "pnr": pnr,
        **found,
        "sex": person_row["sex"],
        "status": person_row["status"],
        "status_date": person_row["status_date"] or None,
        "status_date_uncertain": bool(person_row["status_date_uncertain"]),
    }


def _navne3(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    person_row = find_person(ctx, pnr)
    return Outcome([name_record(ctx, person_row["pnr"], person_row)])


NAME_OUT = (
    Out("CNVN_FORNVN", "first_name"), Out("CNVN_FORNVNMRK", "first_name_marker"),
    Out("CNVN_MELNVN", "middle_name"), Out("CNVN_MELNVNMRK", "middle_name_marker"),
    Out("CNVN_EFTERNVN", "last_name"), Out("CNVN_EFTERNVNMRK", "last_name_marker"),
    Out("CNVN_KOEN", "sex"),
    Out("CNVN_STARTDATO", "name_valid_from", Fmt.TS12, description="Name valid from, yyyyMMddHHmm"),
    Out("CNVN_STARTDATOUSM", "name_valid_from_uncertain", Fmt.FLAG, mark="*"),
    Out("CNVN_STATUS", "status"),
    Out("CNVN_STATUSSTARTDATO", "status_date", Fmt.TS12, description="Status date, yyyyMMddHHmm"),
    Out("CNVN_STATUSDATOUSM", "status_date_uncertain", Fmt.FLAG, mark="*"),
    Out("HISTORIKMRK", "name_history", Fmt.FLAG, description="X: earlier names are registered"),
)

NAVNE3 = SearchService(
    "navne3", "Navneoplysninger for en person",
    "The person's current name: first, middle and last names with their markers, addressing name, name date, "
    "sex and status, and whether earlier names are registered.",
    Category.PERSON, (PNR_KEY, ALL_KEY),
    (Out("CNVN_ADRNVN", "addressing_name", t="addressing_name_inverted",
         description="Addressing name; t is 'Last, First Middle'"), *NAME_OUT),
    _navne3, table="navne3", groups=ALL_PUBLIC,
    uuid="e3f26293-803e-4b8f-8a15-674a4f8abaad",
    notes="Shape and fields as recorded from CPR's demo service (docs/fidelity.md); CNVN_FORNVNMRK, "
          "CNVN_EFTERNVNMRK and CNVN_STATUSDATOUSM are designed after CNVN_MELNVNMRK and CNVN_STARTDATOUSM.",
    example=(("PNR", "0707614285"),),
)


# --- NAVNE: names current and previous ------------------------------------------------------------

def _navne(ctx: ServiceContext, pnr: str) -> Outcome:
    find_person(ctx, pnr)
    records = []
    for row in queries.history(ctx.conn, name, pnr):
        parts = (row["first_name"], row["middle_name"], row["last_name"])
        records.append({
            "pnr": pnr,
            "current": bool(row["current"]),
            "first_name": row["first_name"], "first_name_marker": row["first_name_marker"],
            "middle_name": row["middle_name"], "middle_name_marker": row["middle_name_marker"],
            "last_name": row["last_name"], "last_name_marker": row["last_name_marker"],
            "addressing_name": row["addressing_name"] or " ".join(p for p in parts if p) or None,
            "addressing_name_inverted": inverted_name(*parts, separator=", "),
            "valid_from": row["valid_from"], "valid_from_uncertain": bool(row["valid_from_uncertain"]),
            "valid_to": row["valid_to"], "valid_to_uncertain": bool(row["valid_to_uncertain"]),
            **correction(row["correction"]),
        })
    return Outcome(records)


NAVNE = SearchService(
    "NAVNE", "Navne nuværende og tidligere",
    "The person's current name and previous names (newest first), with name markers, periods and "
    "correction markers.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("AKTUELMRK", "current", Fmt.FLAG, description="X on the current name"),
        Out("CNVN_FORNVN", "first_name", description="First names (fornavne)"),
        Out("CNVN_FORNVNMRK", "first_name_marker", description="First name marker (FORNVN_MRK)"),
        Out("CNVN_MELNVN", "middle_name", description="Middle name (mellemnavn)"),
        Out("CNVN_MELNVNMRK", "middle_name_marker", description="Middle name marker (MELNVN_MRK)"),
        Out("CNVN_EFTERNVN", "last_name", description="Last name (efternavn)"),
        Out("CNVN_EFTERNVNMRK", "last_name_marker", description="Last name marker (EFTERNVN_MRK)"),
        Out("CNVN_ADRNVN", "addressing_name", t="addressing_name_inverted",
            description="Addressing name (current name) or the name parts joined (previous names); "
                        "t: 'Last, First Middle'"),
        Out("CNVN_STARTDATO", "valid_from", Fmt.TS12, description="Name valid from, yyyyMMddHHmm"),
        Out("CNVN_STARTDATOUSM", "valid_from_uncertain", **USM, description="* if the start is uncertain"),
        Out("CNVN_SLUTDATO", "valid_to", Fmt.TS12, description="Name valid to, yyyyMMddHHmm (previous names)"),
        Out("CNVN_SLUTDATOUSM", "valid_to_uncertain", **USM, description="* if the end is uncertain"),
        Out("ANNKOR", "correction", t="correction_text",
            description="K corrected, A annulled, Æ technical change; blank otherwise"),
    ),
    _navne, groups=("cpr-office", "municipality", "church-office"), notes=NOTES, example=(("PNR", "0708614866"),),
)


SERVICES = (NAVNE3, NAVNE)
