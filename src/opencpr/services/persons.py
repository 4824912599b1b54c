"""Lookups by PNR in the catalogue: master data, names, family and the contact address.

* ``STAMP`` — limited master data (private companies), ``Praes r="STAMPNR"``.
* ``Stam+`` — master data: name, status, birth, the Danish or foreign address, protection.
* ``Familie+`` — row 0 the person (master data, current name, parental authority), rows 1..n the
  relatives in the register: the person itself, the spouse, the children and the parents.
* ``Familie`` — family with parental authority and the mother's and father's data (record 015).
* ``navne3`` — the current name.
* ``adresse4`` (system ``KontaktAdresse``) — the contact address (record 006).

The answers of ``Stam+``, ``Familie+``, ``navne3`` and ``adresse4`` follow what CPR's demo service
answers for the same persons; ``docs/fidelity.md`` gives the rules field by field and
``tests/test_fidelity.py`` compares every recorded answer with ours. ``Familie`` is designed in the
same style (no recording exists).

Every row about a person carries that person's PNR under ``"pnr"``, so the gate blanks the address
of a person under name and address protection — the relatives' rows too — for groups that may not
see protected addresses. Record keys that are addresses but not among the gate's ``ADDRESS_FIELDS``
(``postal_number``, the contact address lines) are blanked here, on the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any

from opencpr.access.protection import NAME_AND_ADDRESS
from opencpr.domain.codes import PARENTAL_AUTHORITY
from opencpr.services.catalogue import (
    ALL_PUBLIC,
    AUTHORITIES,
    Category,
    Fmt,
    Key,
    KeyType,
    Out,
    SearchService,
    Shape,
)
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookup import (
    STAMP_FIELDS,
    read_briefs,
    read_contact_address,
    read_custody,
    read_master_data,
    read_name,
    read_person,
    read_relatives,
)
from opencpr.services.pending import pending_mark

PNR_KEY = Key("PNR", "pnr", KeyType.PNR, required=True, description="The person's CPR number, 10 digits")
MARK_KEY = Key("AKX", "all", KeyType.FLAG, description="X: all fields (accepted; every field is always sent)")

#: STAMP's clear text of ``BESKYT``.
PROTECTION_TEXT = "Navne- og adresse beskyttelse"

#: Address keys of these services that the gate's ``ADDRESS_FIELDS`` does not name.
_OWN_ADDRESS_KEYS = ("postal_number", "contact_line1", "contact_line2", "contact_line3", "contact_line4",
                     "contact_line5", "contact_valid_from", "contact_valid_to")


def _hide_more(ctx: ServiceContext, records: Iterable[MutableMapping[str, Any]]) -> None:
    """Blank :data:`_OWN_ADDRESS_KEYS` of protected persons for callers who may not see their address."""
    if ctx.sees_protected_addresses:
        return
    records = list(records)
    found = ctx.protections([r["pnr"] for r in records if r.get("pnr")])
    for record in records:
        if NAME_AND_ADDRESS in found.get(record.get("pnr") or "", ()):
            for key in _OWN_ADDRESS_KEYS:
                if key in record:
                    record[key] = None


def _code5(code: str | None) -> str | None:
    """A 4-digit code as GCTP writes protection and parental-authority types: 5 digits (``00001``)."""
    return f"{int(code):05d}" if code and code.strip().isdigit() else None


# --- records -------------------------------------------------------------------------------------------

def _stamp(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    record = read_master_data(ctx, pnr)
    out = {f: record[f] for f in STAMP_FIELDS}
    out["protection_text"] = PROTECTION_TEXT if record["name_address_protected"] else None
    out["pending_mark"] = pending_mark(ctx.conn, out["pnr"])  # I_VENT_MRK
    return Outcome([out])


def _master_record(ctx: ServiceContext, pnr: str) -> dict[str, Any]:
    """Stam+'s record: the master data as CPR's Stam+ writes it.

    ``current_pnr`` only when another PNR is the person's current one; ``door`` without the
    register's leading blanks; ``postal_number`` is POSTNR, always sent, ``"0"`` without a Danish
    address; ``addressing_name_inverted`` is ``Last, First Middle``.
    """
    record = read_master_data(ctx, pnr)
    own = record["pnr"]
    record["current_pnr"] = record["current_pnr"] if record["current_pnr"] != own else None
    record["door"] = (record["door"] or "").strip() or None
    record["postal_number"] = record["postal_code"] or "0"
    record["addressing_name_inverted"] = read_name(ctx.conn, own)["addressing_name_inverted"]
    return record


def _stam_plus(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    record = _master_record(ctx, pnr)
    _hide_more(ctx, [record])
    return Outcome([record])


def _names(ctx: ServiceContext, pnr: str, person_row: dict[str, Any]) -> dict[str, Any]:
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
    person_row = read_person(ctx.conn, pnr)
    return Outcome([_names(ctx, person_row["pnr"], person_row)])


def _custody_fields(ctx: ServiceContext, pnr: str) -> dict[str, Any]:
    """Parental authority in force, as the ``A`` and ``B`` fields of the person's row."""
    custody = read_custody(ctx.conn, pnr, ctx.today)
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
    relatives = read_relatives(ctx.conn, pnr, person_row)
    briefs = read_briefs(ctx.conn, [p for p, _ in relatives])
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
    master = _master_record(ctx, pnr)
    own = master["pnr"]
    person_row = read_person(ctx.conn, own)
    names = _names(ctx, own, person_row)
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
    _hide_more(ctx, records)
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
    person_row = read_person(ctx.conn, pnr)
    own = person_row["pnr"]
    name = read_name(ctx.conn, own)
    custody = _custody_fields(ctx, own)
    holders = read_briefs(ctx.conn, [h for h in (custody["custody_holder_a"], custody["custody_holder_b"]) if h])
    row0 = {
        "pnr": own, "person_pnr": own, "addressing_name": name["addressing_name"], "sex": person_row["sex"],
        "birth_date": person_row["birth_date"], "birth_date_uncertain": bool(person_row["birth_date_uncertain"]),
        "person_status": person_row["status"],
        **_parent(person_row, "mother"), **_parent(person_row, "father"), **custody,
        **{f"custody_holder_name_{s}": (holders.get(custody[f"custody_holder_{s}"]) or {}).get("addressing_name")
           for s in "ab"},
    }
    return Outcome([row0, *_relative_rows(ctx, own, person_row)])


def _adresse4(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    own = read_person(ctx.conn, pnr)["pnr"]
    ctx.touch(own)
    found = read_contact_address(ctx.conn, own)
    if found is None:
        return Outcome([])
    record = {"pnr": own, **{f"contact_{k}": v for k, v in found.items()}}
    _hide_more(ctx, [record])
    return Outcome([record])


# --- declarations --------------------------------------------------------------------------------------

_ADDRESS_OUT = (
    Out("CONVN", "co_name", description="c/o name"),
    Out("ETAGE", "floor"),
    Out("HUSNR", "house_no", Fmt.PAD4, description="House number, 4 characters (\"016 \")"),
    Out("SIDEDOER", "door"),
    Out("BNR", "building_no"),
    Out("KOMKOD", "municipality"),
    Out("VEJKOD", "road"),
    Out("BYNVN", "town"),
    Out("LOKALITET", "locality"),
)
_FOREIGN_OUT = (
    Out("UDRLANDEKOD", "exit_country", description="Country emigrated to (emigrants)"),
    *(Out(f"UDLANDSADR{i}", f"foreign_line{i}") for i in range(1, 6)),
)
_MASTER_OUT = (
    Out("PNRGAELD", "current_pnr", description="The person's current PNR, when it is another one"),
    Out("KOEN", "sex"),
    Out("FOEDDATO", "birth_date", Fmt.DATE8),
    Out("FOEDDATOUSM", "birth_date_uncertain", Fmt.FLAG, mark="*"),
)

STAMP = SearchService(
    "STAMP", "Stamoplysninger for en person, begrænsede data",
    "Limited master data (for private companies): PNR, current PNR, sex, birth date, status, name, address, "
    "name and address protection.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr"), Out("I_VENT_MRK", "pending_mark", Fmt.FLAG), Out("ADRNVN", "addressing_name"),
        Out("KOEN", "sex"), Out("STATUS", "status"), Out("STARTDATOSTATUS", "status_date", Fmt.TS12),
        Out("PNRGAELD", "current_pnr"), Out("FOEDDATO", "birth_date", Fmt.DATE8),
        Out("FOEDDATOUSM", "birth_date_uncertain", Fmt.FLAG, mark="*"),
        Out("BESKYT", "name_address_protected", Fmt.FLAG, t="protection_text", mark="1"),
        Out("CONVN", "co_name"), Out("ETAGE", "floor"), Out("HUSNR", "house_no", Fmt.PAD4),
        Out("SIDEDOER", "door"), Out("BNR", "building_no"), Out("KOMKOD", "municipality"),
        Out("VEJKOD", "road", t="road_name"), Out("BYNVN", "town"), Out("LOKALITET", "locality"),
        Out("POSTNR", "postal_code", t="postal_district"), Out("UDR_LANDEKOD", "exit_country"),
        Out("UDLANDSADR1", "foreign_line1"), Out("UDLANDSADR2", "foreign_line2"),
        Out("UDLANDSADR3", "foreign_line3"), Out("UDLANDSADR4", "foreign_line4"),
        Out("UDLANDSADR5", "foreign_line5"), Out("STADR", "standard_address"),
    ),
    _stamp, shape=Shape.PRAES, table="STAMPNR",
    groups=("cpr-office", "municipality", "private-company"),
    notes="Shape and fields as CPR's STAMP answers (Praes r=STAMPNR).",
    example=(("PNR", "0707614285"),),
)

STAM_PLUS = SearchService(
    "Stam+", "Stamoplysninger for en person",
    "Full master data: name, status, birth date, current address (Danish or foreign), name and address "
    "protection.",
    Category.PERSON, (PNR_KEY, MARK_KEY),
    (
        Out("PNR", "pnr"), *_MASTER_OUT,
        Out("STATUS", "status"), Out("STARTDATOSTATUS", "status_date", Fmt.DATE8, description="Status date"),
        Out("ADRNVN", "addressing_name", t="addressing_name_inverted",
            description="Addressing name; t is 'Last, First Middle'"),
        Out("BESKYT", "name_address_protected", Fmt.FLAG, description="X: name and address protection in force"),
        *_ADDRESS_OUT,
        Out("POSTNR", "postal_number", t="postal_district", description="Postal code, 0 without a Danish address"),
        Out("STADR", "standard_address"), *_FOREIGN_OUT,
        Out("CPSN_POSTDISTTXT", "postal_district"), Out("VEJADRNVN", "road_name", description="Road name"),
    ),
    _stam_plus, table="Stam+", groups=ALL_PUBLIC,
    uuid="7baec3a5-26a5-4922-80fd-37f3bad3dfcb",
    notes="Shape and fields as recorded from CPR's demo service (docs/fidelity.md).",
    example=(("PNR", "0707614285"),),
)

_NAME_OUT = (
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
    Category.PERSON, (PNR_KEY, MARK_KEY),
    (Out("CNVN_ADRNVN", "addressing_name", t="addressing_name_inverted",
         description="Addressing name; t is 'Last, First Middle'"), *_NAME_OUT),
    _navne3, table="navne3", groups=ALL_PUBLIC,
    uuid="e3f26293-803e-4b8f-8a15-674a4f8abaad",
    notes="Shape and fields as recorded from CPR's demo service (docs/fidelity.md); CNVN_FORNVNMRK, "
          "CNVN_EFTERNVNMRK and CNVN_STATUSDATOUSM are designed after CNVN_MELNVNMRK and CNVN_STARTDATOUSM.",
    example=(("PNR", "0707614285"),),
)


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
    Category.PERSON, (PNR_KEY, MARK_KEY),
    (
        Out("PNR", "person_pnr"), *_MASTER_OUT,
        Out("STATUS", "person_status"), Out("STARTDATOSTATUS", "status_date", Fmt.DATE8),
        Out("ADRNVN", "addressing_name"),
        Out("BESKYT", "name_address_protected", Fmt.FLAG, description="X: name and address protection in force"),
        *_ADDRESS_OUT,
        Out("POSTNR", "postal_number", description="Postal code, 0 without a Danish address"),
        Out("STADR", "standard_address"), *_FOREIGN_OUT,
        Out("CNVN_ADRNVN", "name"), *_NAME_OUT,
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
    Category.PERSON, (PNR_KEY, MARK_KEY),
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

ADRESSE4 = SearchService(
    "adresse4", "Kontaktadresse",
    "The person's contact address (kontaktadresse): five lines, start date and deletion date, as registered; "
    "no rows when the person has none.",
    Category.PERSON, (PNR_KEY, MARK_KEY),
    (
        *(Out(f"CATX_ADR{i}", f"contact_line{i}") for i in range(1, 6)),
        Out("CATX_STARTDATO", "contact_valid_from", Fmt.DATE8),
        Out("CATX_SLETDATO", "contact_valid_to", Fmt.DATE8, description="Deletion date"),
    ),
    _adresse4, table="adresse4", system="KontaktAdresse", groups=AUTHORITIES,
    uuid="b7e5ee9c-1acd-41e6-b117-08a11dee6862",
    notes="Shape and fields as recorded from CPR's demo service (system KontaktAdresse, service adresse4).",
    example=(("PNR", "0709614738"),),
)

SERVICES = (STAMP, STAM_PLUS, FAMILIE_PLUS, FAMILIE, NAVNE3, ADRESSE4)
