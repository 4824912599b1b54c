"""Family by PNR: ``Familie+`` and ``Familie``.

* ``Familie+`` — row 0 the person (master data, current name, parental authority), rows 1..n the
  relatives in the register: the person itself, the spouse, the children and the parents.
* ``Familie`` — family with parental authority and the mother's and father's data (record 015).

``Familie+`` answers as CPR's demo service does (``docs/fidelity.md``); ``Familie`` is designed in
the same style (no recording exists). Every row about a person carries that person's PNR under
``"pnr"``, so the gate blanks the address of a person under name and address protection — the
relatives' rows too — for groups that may not see protected addresses.
"""

from __future__ import annotations

from typing import Any

from opencpr.access.protection import in_force
from opencpr.domain.codes import PARENTAL_AUTHORITY
from opencpr.register import queries
from opencpr.services.catalogue import (
    ALL_PUBLIC,
    AUTHORITIES,
    PNR_KEY,
    Category,
    Fmt,
    Out,
    SearchService,
)
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import ALL_KEY, find_person
from opencpr.services.lookups.master_data import ADDRESS_OUT, FOREIGN_OUT, MASTER_OUT, master_record
from opencpr.services.lookups.names import NAME_OUT, name_record, read_name

__all__ = ["FAMILIE", "FAMILIE_PLUS", "SERVICES"]


def _code5(code: str | None) -> str | None:
    """A 4-digit code as GCTP writes protection and parental-authority types: 5 digits (``00001``)."""
    return f"{int(code):05d}" if code and code.strip().isdigit() else None


def _custody_fields(ctx: ServiceContext, pnr: str) -> dict[str, Any]:
    """Parental authority in force, as the ``A`` and ``B`` fields of the person's row."""
    custody = [c for c in queries.custody(ctx.conn, pnr) if in_force(c["valid_from"], c["valid_to"], ctx.today)]
    out: dict[str, Any] = {"parental_authority": bool(custody)}
    for slot, item in zip("ab", [*custody[:2], None, None][:2], strict=True):
        out[f"custody_type_{slot}"] = _code5(item["type"]) if item else None
        out[f"custody_type_text_{slot}"] = PARENTAL_AUTHORITY.get(item["type"]) if item else None
        out[f"custody_from_{slot}"] = item["valid_from"] if item else None
        out[f"custody_from_uncertain_{slot}"] = ("*" if item["valid_from_uncertain"] else " ") if item else None
        out[f"custody_to_{slot}"] = item["valid_to"] if item else None
        out[f"custody_holder_{slot}"] = item["holder_pnr"] if item else None
    return out


def _relative_rows(ctx: ServiceContext, pnr: str, person_row: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows 1..n of Familie+ and Familie: the relatives in the register, ordered by PNR."""
    relatives = queries.relatives(ctx.conn, pnr, person_row)
    briefs = queries.briefs(ctx.conn, [p for p, _ in relatives])
    protections = ctx.protections(briefs)
    rows = []
    for relative, relation in sorted(relatives):
        brief = briefs.get(relative)
        if brief is None:  # not in the register: CPR leaves the row out
            continue
        types = protections.get(relative, frozenset())
        rows.append({
            "pnr": relative, "relative_pnr": relative, "relation": relation,
            "addressing_name": brief["addressing_name"], "status": brief["status"],
            "protection_type": _code5(min(types)) if types else None,
            "standard_address": brief["standard_address"], "postal_code": brief["postal_code"],
            "postal_district": brief["postal_district"],
        })
    return rows


_NOT_IN_FAMILY_ROW0 = ("postal_code", "postal_district", "road_name", "addressing_name_inverted",
                       "municipality_name", "exit_country_name", "status_text", "protection_types")


def _person_row0(ctx: ServiceContext, pnr: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Familie+ row 0 and the person row it was read from."""
    master = master_record(ctx, pnr)
    own = master["pnr"]
    person_row = find_person(ctx, own)
    names = name_record(ctx, own, person_row)
    row0 = {k: v for k, v in master.items() if k not in _NOT_IN_FAMILY_ROW0}
    row0.update({
        "person_pnr": own, "person_status": master["status"], "name": names["addressing_name"],
        **{k: names[k] for k in ("first_name", "first_name_marker", "middle_name", "middle_name_marker",
                                 "last_name", "last_name_marker", "name_valid_from", "name_valid_from_uncertain",
                                 "name_history", "status_date_uncertain")},
        **_custody_fields(ctx, own),
    })
    return row0, person_row


def _familie_plus(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    row0, person_row = _person_row0(ctx, pnr)
    records = [row0, *_relative_rows(ctx, row0["pnr"], person_row)]
    return Outcome(records)


def _parent(person_row: dict[str, Any], who: str) -> dict[str, Any]:
    pnr = person_row.get(f"{who}_pnr")
    return {
        f"{who}_pnr": None if not pnr or not pnr.strip("0 ") else pnr,
        f"{who}_birth_date": person_row.get(f"{who}_birth_date") or None,
        f"{who}_birth_date_uncertain": bool(person_row.get(f"{who}_birth_date_uncertain")),
        f"{who}_name": person_row.get(f"{who}_name") or None,
        f"{who}_date": person_row.get(f"{who}_date") or None,
        f"{who}_date_uncertain": bool(person_row.get(f"{who}_date_uncertain")),
    }


def _familie(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    person_row = find_person(ctx, pnr)
    own = person_row["pnr"]
    name = read_name(ctx.conn, own)
    custody = _custody_fields(ctx, own)
    holders = queries.briefs(ctx.conn, [h for h in (custody["custody_holder_a"], custody["custody_holder_b"]) if h])
    row0 = {
        "pnr": own, "person_pnr": own, "addressing_name": name["addressing_name"], "sex": person_row["sex"],
        "birth_date": person_row["birth_date"], "birth_date_uncertain": bool(person_row["birth_date_uncertain"]),
        "person_status": person_row["status"],
        **_parent(person_row, "mother"), **_parent(person_row, "father"), **custody,
        **{f"custody_holder_name_{s}": (holders.get(custody[f"custody_holder_{s}"]) or {}).get("addressing_name")
           for s in "ab"},
    }
    return Outcome([row0, *_relative_rows(ctx, own, person_row)])


# --- declarations ---------------------------------------------------------------------------------

def _custody_out(slot: str, *, designed: bool = False) -> tuple[Out, ...]:
    s = slot.upper()
    outs = [
        Out(f"CFMY_RELTYP{s}", f"custody_type_{slot}", t=f"custody_type_text_{slot}" if designed else None,
            description="Parental authority type: 00003 mother, 00004 father, 00005/00006 another holder"),
        Out(f"CFMY_STARTDATO{s}", f"custody_from_{slot}", Fmt.DATE8),
        Out(f"CFMY_STARTDATOUSM{s}", f"custody_from_uncertain_{slot}", description="* uncertain, blank certain"),
    ]
    if designed:
        outs.append(Out(f"CFMY_SLETDATO{s}", f"custody_to_{slot}", Fmt.DATE8))
    outs.append(Out(f"FORAELDRE_MYN_PNR{s}", f"custody_holder_{slot}", description="PNR of another holder"))
    if designed:
        outs.append(Out(f"FORAELDRE_MYN_ADRNVN{s}", f"custody_holder_name_{slot}"))
    return tuple(outs)


_RELATIVE_OUT = (
    Out("PNR_FOEDDATO", "relative_pnr", description="The relative's PNR"),
    Out("FAMMRK", "relation", description="Andet (the person, a spouse not married to), Ægtefælle, Barn, Mor, Far"),
    Out("CBSK_TYP", "protection_type", description="The relative's lowest protection type in force, 5 digits"),
    Out("CPST_POSTNR", "postal_code"), Out("CPSN_POSTDISTTXT", "postal_district"),
)

FAMILIE_PLUS = SearchService(
    "Familie+", "Familieoplysninger for en person",
    "Row 0: the person's master data, current name and parental authority; rows 1..n: the person itself, the "
    "spouse, the children and the parents who are in the register, ordered by PNR, with their status, name and "
    "address.",
    Category.PERSON, (PNR_KEY, ALL_KEY),
    (
        Out("PNR", "person_pnr"), *MASTER_OUT,
        Out("STATUS", "person_status"), Out("STARTDATOSTATUS", "status_date", Fmt.DATE8),
        Out("ADRNVN", "addressing_name"),
        Out("BESKYT", "name_address_protected", Fmt.FLAG, description="X: name and address protection in force"),
        *ADDRESS_OUT,
        Out("POSTNR", "postal_number", description="Postal code, 0 without a Danish address"),
        Out("STADR", "standard_address"), *FOREIGN_OUT,
        Out("CNVN_ADRNVN", "name"), *NAME_OUT,
        Out("FORAELDREMYNMRK", "parental_authority", Fmt.FLAG, description="X: parental authority is registered"),
        *_custody_out("a"), *_custody_out("b"),
        *_RELATIVE_OUT,
    ),
    _familie_plus, table="Familie+", groups=ALL_PUBLIC,
    uuid="a34cf599-26e4-4609-bfbd-2490d3d1c3ab",
    notes="Shape and fields as recorded from CPR's demo service (docs/fidelity.md).",
    example=(("PNR", "0707614285"),),
)

FAMILIE = SearchService(
    "Familie", "Familie, forældremyndighed, mor-/far-oplysninger",
    "Row 0: the person, the mother's and father's data as registered (record 015, also for parents who are not "
    "in the register) and the parental authority with its holders; rows 1..n: the relatives in the register, "
    "as in Familie+.",
    Category.PERSON, (PNR_KEY, ALL_KEY),
    (
        Out("PNR", "person_pnr"), Out("ADRNVN", "addressing_name"), Out("KOEN", "sex"),
        Out("FOEDDATO", "birth_date", Fmt.DATE8), Out("FOEDDATOUSM", "birth_date_uncertain", Fmt.FLAG, mark="*"),
        Out("STATUS", "person_status"),
        Out("MOR_PNR", "mother_pnr"), Out("MOR_FOEDDATO", "mother_birth_date", Fmt.DATE8),
        Out("MOR_FOEDDATOUSM", "mother_birth_date_uncertain", Fmt.FLAG, mark="*"), Out("MORNVN", "mother_name"),
        Out("MOR_DTO", "mother_date", Fmt.DATE8, description="Date the mother relation applies from"),
        Out("MOR_DTOUSM", "mother_date_uncertain", Fmt.FLAG, mark="*"),
        Out("FAR_PNR", "father_pnr"), Out("FAR_FOEDDATO", "father_birth_date", Fmt.DATE8),
        Out("FAR_FOEDDATOUSM", "father_birth_date_uncertain", Fmt.FLAG, mark="*"), Out("FARNVN", "father_name"),
        Out("FAR_DTO", "father_date", Fmt.DATE8, description="Date the father relation applies from"),
        Out("FAR_DTOUSM", "father_date_uncertain", Fmt.FLAG, mark="*"),
        Out("FORAELDREMYNMRK", "parental_authority", Fmt.FLAG, description="X: parental authority is registered"),
        *_custody_out("a", designed=True), *_custody_out("b", designed=True),
        Out("CNVN_STATUS", "status"), Out("STADR", "standard_address"), *_RELATIVE_OUT,
    ),
    _familie, table="Familie", groups=AUTHORITIES,
    notes="Designed in the style of Familie+ (no recorded answer exists).",
    example=(("PNR", "0101005038"),),
)


SERVICES = (FAMILIE_PLUS, FAMILIE)
