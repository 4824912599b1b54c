"""Lookups by PNR (personnummer som nøgle) for the remaining kinds of personal data.

Ten services, each keyed by ``PNR`` and answering a table (``Table r=<service name>``):

* ``NAVNE`` — names, current and previous (navne nuværende og tidligere);
* ``OVERSIGT`` — an overview of which kinds of data the person has (oversigtsoplysninger);
* ``START`` — start data: PNR, current PNR, status, sex, birth date, start and end of the PNR
  (startoplysninger);
* ``SEPARATION`` — separations, current and previous;
* ``STATSB`` — citizenship, current and previous (statsborgerret);
* ``SUPLADR`` — the supplementary address (supplerende adresse);
* ``TIDLPNR`` — previous PNRs (tidligere personnumre);
* ``VALG`` — election data and the election address (valgoplysninger, valgadresse);
* ``VALGRET`` — the voting right in general and in municipal elections on the day of the call,
  derived from the register (see :func:`voting_right`);
* ``VAERGE`` — guardianship: the person's guardian, and the persons the person is guardian for
  (værgeoplysninger).

CPR's names and answer layouts for these services are not public: they are designed in CPR's
style (field names as the extract and the recorded ``navne3`` answers write them) and say so in
their ``notes``. Every declared field is returned, empty ones too (as ``None``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, desc, func, or_, select, true

from opencpr.domain import reference
from opencpr.domain.codes import (
    ACTIVE_STATUSES,
    CORRECTION,
    GUARDIANSHIP_RELATION,
    PERSON_STATUS,
    SEX,
)
from opencpr.register.schema import (
    address,
    child,
    church,
    citizenship,
    civil_status,
    clear_address,
    contact_address,
    departure,
    disappearance,
    election,
    guardianship,
    municipal_condition,
    name,
    note,
    parental_authority,
    person,
    previous_pnr,
    protection,
    separation,
)
from opencpr.services.catalogue import PNR_KEY, Category, Fmt, Key, KeyType, Out, SearchService
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.errors import PersonNotFound

__all__ = [
    "ELECTION_CODES", "NAVNE", "OVERSIGT", "SEPARATION", "SERVICES", "START", "STATSB", "SUPLADR", "TIDLPNR",
    "VAERGE", "VALG", "VALGRET", "VoterFacts", "voting_right",
]

CORRECTED_KEY = Key("KORMRK", "corrected", KeyType.FLAG,
                    description="X: also rows marked corrected (K) or undone (A); ANNKOR tells them apart")
NOTES = "Designed in CPR's style; not a recorded CPR answer."
GROUPS = ("cpr-office", "municipality")

DANISH_CITIZENSHIP = "5100"
"""LANDEKOD of Danish citizenship (dansk indfødsret)."""

ELECTION_CODES: dict[str, str] = {
    "0001": "Optaget på valgliste under ophold i udlandet",
}
"""Texts of election codes (VALGKODE, record 020). CPR does not publish this table; the text of
0001 is inferred from the demo data, where every 0001 record starts on the day the person
emigrated and lasts two years, as a decision to keep a Dane abroad on the electoral roll does
(folketingsvalgloven § 16, stk. 3)."""


# --- shared helpers ----------------------------------------------------------------------------

def _person(ctx: ServiceContext, pnr: str) -> Mapping[str, Any]:
    row = ctx.conn.execute(select(person).where(person.c.pnr == pnr)).mappings().first()
    if row is None:
        raise PersonNotFound()
    return row


def _authority_name(code: str | None) -> str | None:
    found = reference.authority(code) if code else None
    return found.name if found else None


#: Corrections that take a row out of the person's data (ANNKOR K and A).
_SET_ASIDE = ("K", "A")


def _not_set_aside(table: Table, corrected: bool = False) -> tuple[Any, ...]:
    """The condition that leaves out rows marked K or A, unless they are asked for (KORMRK=X)."""
    return () if corrected else (or_(table.c.correction.is_(None), table.c.correction.not_in(_SET_ASIDE)),)


def _correction(code: str | None) -> dict[str, Any]:
    return {"correction": code or None, "correction_text": CORRECTION.get(code) if code else None}


def _current_name(ctx: ServiceContext, pnr: str) -> str | None:
    return ctx.conn.execute(select(name.c.addressing_name)
                            .where(name.c.pnr == pnr, name.c.current == true()).limit(1)).scalar()


def _names_of(ctx: ServiceContext, pnrs: Iterable[str]) -> dict[str, str | None]:
    wanted = [p for p in dict.fromkeys(pnrs) if p]
    if not wanted:
        return {}
    query = select(name.c.pnr, name.c.addressing_name).where(name.c.pnr.in_(wanted), name.c.current == true())
    return {p: n for p, n in ctx.conn.execute(query)}


def _history(table: Table, pnr: str):
    """Rows of a current-and-historical table: the current row first, then the newest first."""
    return (select(table).where(table.c.pnr == pnr)
            .order_by(desc(table.c.current), desc(table.c.valid_from), desc(table.c.id)))


def _day(value: str | None) -> dt.date | None:
    """A date from a stored date or timestamp; unknown month or day (``00``) count as the first."""
    if not value or len(value) < 4 or not value[:4].isdigit():
        return None
    year = int(value[:4])
    month = int(value[5:7]) if len(value) >= 7 and value[5:7].isdigit() else 0
    day = int(value[8:10]) if len(value) >= 10 and value[8:10].isdigit() else 0
    try:
        return dt.date(year, month or 1, day or 1)
    except ValueError:
        return None


def _age(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _in_force(valid_from: str | None, valid_to: str | None, day: str) -> bool:
    return (not valid_from or valid_from[:10] <= day) and (not valid_to or day < valid_to[:10])


_USM = {"fmt": Fmt.FLAG, "mark": "*"}


# --- NAVNE: names current and previous ---------------------------------------------------------

def _inverted(first: str | None, middle: str | None, last: str | None) -> str | None:
    given = " ".join(p for p in (first, middle) if p)
    if not last:
        return given or None
    return f"{last}, {given}" if given else last


def _navne(ctx: ServiceContext, pnr: str) -> Outcome:
    _person(ctx, pnr)
    records = []
    for row in ctx.conn.execute(_history(name, pnr)).mappings():
        parts = (row["first_name"], row["middle_name"], row["last_name"])
        records.append({
            "pnr": pnr,
            "current": bool(row["current"]),
            "first_name": row["first_name"], "first_name_marker": row["first_name_marker"],
            "middle_name": row["middle_name"], "middle_name_marker": row["middle_name_marker"],
            "last_name": row["last_name"], "last_name_marker": row["last_name_marker"],
            "addressing_name": row["addressing_name"] or " ".join(p for p in parts if p) or None,
            "addressing_name_inverted": _inverted(*parts),
            "valid_from": row["valid_from"], "valid_from_uncertain": bool(row["valid_from_uncertain"]),
            "valid_to": row["valid_to"], "valid_to_uncertain": bool(row["valid_to_uncertain"]),
            **_correction(row["correction"]),
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
        Out("CNVN_STARTDATOUSM", "valid_from_uncertain", **_USM, description="* if the start is uncertain"),
        Out("CNVN_SLUTDATO", "valid_to", Fmt.TS12, description="Name valid to, yyyyMMddHHmm (previous names)"),
        Out("CNVN_SLUTDATOUSM", "valid_to_uncertain", **_USM, description="* if the end is uncertain"),
        Out("ANNKOR", "correction", t="correction_text",
            description="K corrected, A annulled, Æ technical change; blank otherwise"),
    ),
    _navne, groups=("cpr-office", "municipality", "church-office"), notes=NOTES, example=(("PNR", "0708614866"),),
)


# --- OVERSIGT: overview -------------------------------------------------------------------------

_WITH_HISTORY = {"address": address, "name": name, "civil_status": civil_status, "citizenship": citizenship,
                 "church": church, "departure": departure, "disappearance": disappearance,
                 "separation": separation}
_PLAIN = {"child": child, "parental_authority": parental_authority, "guardianship": guardianship,
          "municipal_condition": municipal_condition, "note": note, "election": election,
          "previous_pnr": previous_pnr, "contact_address": contact_address}


def _counts(ctx: ServiceContext, pnr: str) -> dict[str, int]:
    """Rows per table (``<table>`` current, ``<table>:old`` historical) of the person."""
    found: dict[str, int] = {}
    for label, table in _WITH_HISTORY.items():
        query = select(table.c.current, func.count()).where(table.c.pnr == pnr).group_by(table.c.current)
        for current, count in ctx.conn.execute(query):
            found[label if current else f"{label}:old"] = count
    for label, table in _PLAIN.items():
        kept = _not_set_aside(table) if "correction" in table.c else ()
        found[label] = ctx.conn.execute(select(func.count()).select_from(table)
                                        .where(table.c.pnr == pnr, *kept)).scalar()
    found["ward"] = ctx.conn.execute(select(func.count()).select_from(guardianship)
                                     .where(guardianship.c.guardian_pnr == pnr)).scalar()
    found["protection:any"] = ctx.conn.execute(select(func.count()).select_from(protection)
                                               .where(protection.c.pnr == pnr, *_not_set_aside(protection))).scalar()
    return found


def _oversigt(ctx: ServiceContext, pnr: str) -> Outcome:
    row = _person(ctx, pnr)
    counts = _counts(ctx, pnr)
    has = lambda label: counts.get(label, 0) > 0  # noqa: E731
    supplementary = ctx.conn.execute(
        select(func.count()).select_from(address).where(
            address.c.pnr == pnr, address.c.current == true(),
            or_(address.c.supplementary_authority.is_not(None), address.c.supplementary_line1.is_not(None)))
    ).scalar()
    return Outcome([{
        "pnr": pnr,
        "addressing_name": _current_name(ctx, pnr),
        "status": row["status"], "status_text": PERSON_STATUS.get(row["status"]),
        "has_address": has("address"), "has_previous_addresses": has("address:old"),
        "has_previous_names": has("name:old"),
        "has_civil_status": has("civil_status"), "has_previous_civil_status": has("civil_status:old"),
        "has_separations": has("separation") or has("separation:old"),
        "has_citizenship": has("citizenship"), "has_previous_citizenship": has("citizenship:old"),
        "has_church": has("church"), "has_previous_church": has("church:old"),
        "protected": bool(ctx.protections([pnr])[pnr]), "has_protection_rows": has("protection:any"),
        "has_departure": has("departure"), "has_previous_departures": has("departure:old"),
        "has_disappearance": has("disappearance"), "has_previous_disappearances": has("disappearance:old"),
        "children": counts.get("child", 0),
        "has_parental_authority": has("parental_authority"),
        "has_guardianship": has("guardianship"), "is_guardian": has("ward"),
        "has_municipal_conditions": has("municipal_condition"), "has_notes": has("note"),
        "has_election_data": has("election"), "has_previous_pnrs": has("previous_pnr"),
        "has_contact_address": has("contact_address"), "has_supplementary_address": supplementary > 0,
    }])


def _flag(name_: str, key: str, what: str) -> Out:
    return Out(name_, key, Fmt.FLAG, description=f"X if the person has {what}")


OVERSIGT = SearchService(
    "OVERSIGT", "Oversigtsoplysninger for en person",
    "One row of markers telling which kinds of data the register holds for the person.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("ADRNVN", "addressing_name", description="Current addressing name"),
        Out("STATUS", "status", t="status_text", description="Person status (STATUS) and its text"),
        _flag("AKTADRMRK", "has_address", "a current address"),
        _flag("TIDLADRMRK", "has_previous_addresses", "previous addresses"),
        _flag("TIDLNVNMRK", "has_previous_names", "previous names"),
        _flag("CIVSTMRK", "has_civil_status", "a current civil status"),
        _flag("TIDLCIVSTMRK", "has_previous_civil_status", "previous civil statuses"),
        _flag("SEPMRK", "has_separations", "separations (current or previous)"),
        _flag("STATSBMRK", "has_citizenship", "a current citizenship"),
        _flag("TIDLSTATSBMRK", "has_previous_citizenship", "previous citizenships"),
        _flag("FKIRKMRK", "has_church", "a current church relation"),
        _flag("TIDLFKIRKMRK", "has_previous_church", "previous church relations"),
        _flag("BESKYTMRK", "protected", "a protection in force today"),
        _flag("BESKYTRECMRK", "has_protection_rows", "protection records (in force or not)"),
        _flag("UDRMRK", "has_departure", "a current departure (emigrated)"),
        _flag("TIDLUDRMRK", "has_previous_departures", "previous departures"),
        _flag("FORSVMRK", "has_disappearance", "a current disappearance"),
        _flag("TIDLFORSVMRK", "has_previous_disappearances", "previous disappearances"),
        Out("ANTALBOERN", "children", description="Number of children registered (record 014)"),
        _flag("FORAELDREMYNMRK", "has_parental_authority", "parental authority records"),
        _flag("VAERGEMRK", "has_guardianship", "a guardianship record (under guardianship)"),
        _flag("VAERGEFORMRK", "is_guardian", "wards (the person is someone's guardian)"),
        _flag("KOMFORHMRK", "has_municipal_conditions", "municipal conditions"),
        _flag("NOTATMRK", "has_notes", "municipal notes"),
        _flag("VALGMRK", "has_election_data", "election data"),
        _flag("TIDLPNRMRK", "has_previous_pnrs", "previous PNRs"),
        _flag("KONTAKTADRMRK", "has_contact_address", "a contact address"),
        _flag("SUPLADRMRK", "has_supplementary_address", "a supplementary address"),
    ),
    _oversigt, groups=GROUPS, notes=NOTES, example=(("PNR", "0707614285"),),
)


# --- START: start data ---------------------------------------------------------------------------

def _start(ctx: ServiceContext, pnr: str) -> Outcome:
    row = _person(ctx, pnr)
    return Outcome([{
        "pnr": pnr, "current_pnr": row["current_pnr"] or pnr,
        "status": row["status"], "status_text": PERSON_STATUS.get(row["status"]),
        "status_date": row["status_date"], "status_date_uncertain": bool(row["status_date_uncertain"]),
        "sex": row["sex"], "sex_text": SEX.get(row["sex"]),
        "birth_date": row["birth_date"], "birth_date_uncertain": bool(row["birth_date_uncertain"]),
        "start_date": row["start_date"], "start_date_uncertain": bool(row["start_date_uncertain"]),
        "end_date": row["end_date"], "end_date_uncertain": bool(row["end_date_uncertain"]),
    }])


START = SearchService(
    "START", "Startoplysninger for en person",
    "PNR, current PNR, status and its date, sex, birth date and the period of the PNR (record 001).",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("PNRGAELD", "current_pnr", description="The PNR in force (another one if the PNR was changed)"),
        Out("STATUS", "status", t="status_text", description="Person status and its text"),
        Out("STARTDATOSTATUS", "status_date", Fmt.TS12, description="Status since, yyyyMMddHHmm"),
        Out("STATUSDATOUSM", "status_date_uncertain", **_USM, description="* if the status date is uncertain"),
        Out("KOEN", "sex", t="sex_text", description="Sex: M or K"),
        Out("FOEDDATO", "birth_date", Fmt.DATE8, description="Birth date, yyyyMMdd"),
        Out("FOEDDATOUSM", "birth_date_uncertain", **_USM, description="* if the birth date is uncertain"),
        Out("STARTDATO", "start_date", Fmt.DATE8, description="Start of the PNR (START_DT-PERSON), yyyyMMdd"),
        Out("STARTDATOUSM", "start_date_uncertain", **_USM, description="* if the start date is uncertain"),
        Out("SLUTDATO", "end_date", Fmt.DATE8, description="End of the PNR (SLUT_DT-PERSON), yyyyMMdd"),
        Out("SLUTDATOUSM", "end_date_uncertain", **_USM, description="* if the end date is uncertain"),
    ),
    _start, groups=GROUPS, notes=NOTES, example=(("PNR", "0101520013"),),
)


# --- SEPARATION -------------------------------------------------------------------------------------

def _separation(ctx: ServiceContext, pnr: str) -> Outcome:
    _person(ctx, pnr)
    rows = ctx.conn.execute(_history(separation, pnr)).mappings().all()
    refs = [r["separation_ref"] for r in rows if r["separation_ref"]]
    spouses: dict[str, Mapping[str, Any]] = {}
    if refs:
        query = (select(civil_status.c.separation_ref, civil_status.c.spouse_pnr, civil_status.c.spouse_name)
                 .where(civil_status.c.pnr == pnr, civil_status.c.separation_ref.in_(refs))
                 .order_by(civil_status.c.id))
        for spouse in ctx.conn.execute(query).mappings():
            spouses[spouse["separation_ref"]] = spouse
    names = _names_of(ctx, [s["spouse_pnr"] for s in spouses.values() if s["spouse_pnr"]])
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
            **_correction(row["correction"]),
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
        Out("STARTDATOUSM", "valid_from_uncertain", **_USM, description="* if the start is uncertain"),
        Out("SLUTDATO", "valid_to", Fmt.DATE8, description="Separation end, yyyyMMdd"),
        Out("SLUTDATOUSM", "valid_to_uncertain", **_USM, description="* if the end is uncertain"),
        Out("ANNKOR", "correction", t="correction_text", description="K corrected, A annulled, Æ technical change"),
    ),
    _separation, groups=GROUPS, notes=NOTES, example=(("PNR", "0707614293"),),
)


# --- STATSB: citizenship --------------------------------------------------------------------------

def _statsb(ctx: ServiceContext, pnr: str) -> Outcome:
    _person(ctx, pnr)
    records = []
    for row in ctx.conn.execute(_history(citizenship, pnr)).mappings():
        records.append({
            "pnr": pnr, "current": bool(row["current"]),
            "country": row["country"], "country_name": _authority_name(row["country"]),
            "valid_from": row["valid_from"], "valid_from_uncertain": bool(row["valid_from_uncertain"]),
            "valid_to": row["valid_to"], "valid_to_uncertain": bool(row["valid_to_uncertain"]),
            **_correction(row["correction"]),
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
        Out("STARTDATOUSM", "valid_from_uncertain", **_USM, description="* if the start is uncertain"),
        Out("SLUTDATO", "valid_to", Fmt.TS12, description="Citizenship to, yyyyMMddHHmm"),
        Out("SLUTDATOUSM", "valid_to_uncertain", **_USM, description="* if the end is uncertain"),
        Out("ANNKOR", "correction", t="correction_text", description="K corrected, A annulled, Æ technical change"),
    ),
    _statsb, groups=GROUPS, notes=NOTES, example=(("PNR", "0101965058"),),
)


# --- SUPLADR: supplementary address ----------------------------------------------------------------

_SUPPLEMENTARY_LINES = tuple(f"supplementary_line{n}" for n in range(1, 6))


def _supladr(ctx: ServiceContext, pnr: str) -> Outcome:
    _person(ctx, pnr)
    row = ctx.conn.execute(select(address).where(address.c.pnr == pnr, address.c.current == true())
                           .order_by(desc(address.c.id)).limit(1)).mappings().first()
    record: dict[str, Any] = {"pnr": pnr, "supplementary_authority": None, "supplementary_authority_name": None,
                              **dict.fromkeys(_SUPPLEMENTARY_LINES), "supplementary_start": None,
                              "supplementary_end": None}
    if row is not None:
        for key in record:
            if key in row:
                record[key] = row[key]
        record["supplementary_authority_name"] = _authority_name(row["supplementary_authority"])
    return Outcome([record])  # the gate blanks the lines under name and address protection


SUPLADR = SearchService(
    "SUPLADR", "Supplerende adresse",
    "The supplementary address of the person's current address (record 002): the authority that "
    "registered it, five lines and its period.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("MYNKOD", "supplementary_authority", t="supplementary_authority_name",
            description="Authority of the supplementary address (START_MYNKOD-ADRTXT); t: its name"),
        *(Out(f"SUPLADR{n}", f"supplementary_line{n}", description=f"Supplementary address line {n}")
          for n in range(1, 6)),
        Out("STARTDATO", "supplementary_start", Fmt.DATE8, description="Valid from (START_DT-ADRTXT), yyyyMMdd"),
        Out("SLETDATO", "supplementary_end", Fmt.DATE8, description="Deleted on (SLET_DT-ADRTXT), yyyyMMdd"),
    ),
    _supladr, groups=GROUPS, notes=NOTES, example=(("PNR", "0709614495"),),
)


# --- TIDLPNR: previous PNRs -----------------------------------------------------------------------

def _tidlpnr(ctx: ServiceContext, pnr: str, corrected: bool = False) -> Outcome:
    _person(ctx, pnr)
    query = (select(previous_pnr).where(previous_pnr.c.pnr == pnr, *_not_set_aside(previous_pnr, corrected))
             .order_by(desc(previous_pnr.c.valid_from), desc(previous_pnr.c.id)))
    return Outcome([{
        "pnr": pnr, "old_pnr": row["old_pnr"],
        "valid_from": row["valid_from"], "valid_from_uncertain": bool(row["valid_from_uncertain"]),
        "valid_to": row["valid_to"], "valid_to_uncertain": bool(row["valid_to_uncertain"]),
        **_correction(row["correction"]),
    } for row in ctx.conn.execute(query).mappings()])


TIDLPNR = SearchService(
    "TIDLPNR", "Tidligere personnumre",
    "The PNRs the person had before (record 022), newest first, with the period each was in use. Corrected "
    "and undone rows only with KORMRK=X.",
    Category.PERSON, (PNR_KEY, CORRECTED_KEY),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("TIDLPNR", "old_pnr", description="A previous PNR"),
        Out("STARTDATO", "valid_from", Fmt.DATE8, description="The previous PNR in use from, yyyyMMdd"),
        Out("STARTDATOUSM", "valid_from_uncertain", **_USM, description="* if the start is uncertain"),
        Out("SLUTDATO", "valid_to", Fmt.DATE8, description="The previous PNR in use to, yyyyMMdd"),
        Out("SLUTDATOUSM", "valid_to_uncertain", **_USM, description="* if the end is uncertain"),
        Out("ANNKOR", "correction", t="correction_text",
            description="Blank; K corrected, A undone (with KORMRK=X only)"),
    ),
    _tidlpnr, groups=GROUPS, notes=NOTES, example=(("PNR", "0909610036"),),
)


# --- VALG: election data and election address -------------------------------------------------------

_ELECTION_ADDRESS = ("municipality", "municipality_name", "road", "road_name", "house_no", "floor", "door",
                     "building_no", "postal_code", "postal_district", "standard_address")


def _election_address(ctx: ServiceContext, pnr: str) -> dict[str, Any]:
    """The address the person votes from: the current address, else the last one before leaving."""
    query = (select(address, clear_address.c.standard_address, clear_address.c.postal_code,
                    clear_address.c.postal_district, clear_address.c.road_addressing_name)
             .select_from(address.outerjoin(clear_address, and_(clear_address.c.pnr == address.c.pnr,
                                                                address.c.current == true())))
             .where(address.c.pnr == pnr, or_(address.c.correction.is_(None), address.c.correction != "A"))
             .order_by(desc(address.c.current), desc(address.c.valid_from), desc(address.c.id)).limit(1))
    row = ctx.conn.execute(query).mappings().first()
    found: dict[str, Any] = dict.fromkeys(_ELECTION_ADDRESS)
    found["election_address_kind"] = None
    found["election_address_text"] = None
    if row is None:
        return found
    road = reference.road(row["municipality"], row["road"]) if row["municipality"] and row["road"] else None
    postal_code = row["postal_code"] or (road.postal_code if road else None)
    found.update({
        "municipality": row["municipality"], "municipality_name": _authority_name(row["municipality"]),
        "road": row["road"], "road_name": row["road_addressing_name"] or (road.name if road else None),
        "house_no": row["house_no"], "floor": row["floor"], "door": row["door"], "building_no": row["building_no"],
        "postal_code": postal_code,
        "postal_district": row["postal_district"] or (reference.postal_district(postal_code) or None
                                                      if postal_code else None),
        "standard_address": row["standard_address"],
        "election_address_kind": "A" if row["current"] else "S",
        "election_address_text": "Aktuel adresse" if row["current"] else "Seneste adresse i Danmark",
    })
    return found


def _valg(ctx: ServiceContext, pnr: str) -> Outcome:
    _person(ctx, pnr)
    place = _election_address(ctx, pnr)
    query = select(election).where(election.c.pnr == pnr).order_by(desc(election.c.valid_from), desc(election.c.id))
    records = [{
        "pnr": pnr, "election_code": row["election_code"],
        "election_code_text": ELECTION_CODES.get(row["election_code"] or ""),
        "voting_right_date": row["voting_right_date"], "valid_from": row["valid_from"], "valid_to": row["valid_to"],
        "in_force": _in_force(row["valid_from"], row["valid_to"], ctx.today), **place,
    } for row in ctx.conn.execute(query).mappings()]
    if not records:
        records = [{"pnr": pnr, "election_code": None, "election_code_text": None, "voting_right_date": None,
                    "valid_from": None, "valid_to": None, "in_force": False, **place}]
    return Outcome(records)


VALG = SearchService(
    "VALG", "Valgoplysninger, valgadresse",
    "The person's election records (record 020), newest first, each with the address the person "
    "votes from: the current address, or the last address in Denmark for a person who has left.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("VALGKODE", "election_code", t="election_code_text", description="Election code (VALGKODE) and its text"),
        Out("VALGRET_DT", "voting_right_date", Fmt.DATE8, description="Voting right date (VALGRET_DT), yyyyMMdd"),
        Out("STARTDATO", "valid_from", Fmt.DATE8, description="Election record valid from, yyyyMMdd"),
        Out("SLETDATO", "valid_to", Fmt.DATE8, description="Election record deleted on, yyyyMMdd"),
        Out("AKTUELMRK", "in_force", Fmt.FLAG, description="X if the election record is in force today"),
        Out("VALGADRMRK", "election_address_kind", t="election_address_text",
            description="A: the election address is the current address; S: the last address in Denmark"),
        Out("KOMKOD", "municipality", t="municipality_name", description="Municipality code and name"),
        Out("VEJKOD", "road", t="road_name", description="Road code and name"),
        Out("HUSNR", "house_no", Fmt.PAD4, description="House number"),
        Out("ETAGE", "floor", description="Floor"),
        Out("SIDEDOER", "door", description="Door"),
        Out("BNR", "building_no", description="Building number"),
        Out("POSTNR", "postal_code", t="postal_district", description="Postal code and district"),
        Out("STADR", "standard_address", description="Street address on one line (current address only)"),
    ),
    _valg, groups=GROUPS, notes=NOTES, example=(("PNR", "0709614738"),),
)


# --- VALGRET: voting right ------------------------------------------------------------------------

VOTING_AGE = 18
"""Grundloven § 29 and folketingsvalgloven § 1; kommunal- og regionalvalgloven § 1, stk. 1."""

RESIDENCE_YEARS = 4
"""Years of uninterrupted residence in the realm that give other foreigners the municipal vote
(kommunal- og regionalvalgloven § 1, stk. 1, nr. 4, as the law reads now; it said 3 years before)."""

GUARDIANSHIP_MUNICIPAL_VOTE_FROM = dt.date(2016, 7, 1)
"""Since 1 July 2016 persons under guardianship with deprivation of legal capacity vote in
municipal and regional elections; before, they did not."""

NORDIC_VOTERS = frozenset({"IS", "NO"})
"""Citizens of Iceland and Norway (kommunal- og regionalvalgloven § 1, stk. 1, nr. 3)."""

#: EU member states (ISO alpha-2) with the day they joined and, for the United Kingdom, the day after it left.
EU_MEMBERS: dict[str, tuple[dt.date, dt.date | None]] = {
    **dict.fromkeys(("BE", "FR", "DE", "IT", "LU", "NL"), (dt.date(1958, 1, 1), None)),
    **dict.fromkeys(("DK", "IE"), (dt.date(1973, 1, 1), None)),
    "GB": (dt.date(1973, 1, 1), dt.date(2020, 2, 1)),
    "GR": (dt.date(1981, 1, 1), None),
    **dict.fromkeys(("ES", "PT"), (dt.date(1986, 1, 1), None)),
    **dict.fromkeys(("AT", "FI", "SE"), (dt.date(1995, 1, 1), None)),
    **dict.fromkeys(("CY", "CZ", "EE", "HU", "LV", "LT", "MT", "PL", "SK", "SI"), (dt.date(2004, 5, 1), None)),
    **dict.fromkeys(("BG", "RO"), (dt.date(2007, 1, 1), None)),
    "HR": (dt.date(2013, 7, 1), None),
}

BREXIT_RESIDENCE_BY = dt.date(2020, 1, 31)
"""British citizens resident in Denmark on 31 January 2020, and since, keep the municipal vote."""


@dataclass(frozen=True)
class VoterFacts:
    """What the register says about a person, as the voting right rule needs it."""

    birth_date: dt.date | None
    status: str | None
    country: str | None  # current citizenship (LANDEKOD)
    resident_since: dt.date | None  # start of the uninterrupted residence in the realm
    deprived_of_capacity: bool  # under guardianship (record 017 in force)
    on_electoral_roll_abroad: bool  # an election record in force (a Dane abroad on the roll)


def _eu_citizen(alpha2: str, today: dt.date, facts: VoterFacts) -> bool:
    member = EU_MEMBERS.get(alpha2)
    if member is None:
        return False
    joined, left = member
    if today < joined:
        return False
    if left is None or today < left:
        return True
    return facts.resident_since is not None and facts.resident_since <= BREXIT_RESIDENCE_BY


def voting_right(facts: VoterFacts, today: dt.date) -> tuple[bool, str, bool, str]:
    """The voting right on ``today``: (general election, reason, municipal/regional election, reason).

    General elections (Grundloven § 29, folketingsvalgloven §§ 1-2): 18 years or older, Danish
    citizenship (5100), residence in the realm (status 01, 03, 05 or 07, or an election record in
    force for a Dane abroad on the electoral roll), and not under guardianship with deprivation of
    legal capacity.

    Municipal and regional elections (kommunal- og regionalvalgloven § 1): 18 years or older,
    residence in a Danish municipality (status 01 or 03), and Danish citizenship, citizenship of
    an EU member state, of Iceland or of Norway, or :data:`RESIDENCE_YEARS` years of
    uninterrupted residence in the realm; before 1 July 2016 guardianship excluded here too.
    """
    age = _age(facts.birth_date, today)
    country = facts.country or ""
    authority = reference.authority(country) if country else None
    alpha2 = authority.country_alpha2 if authority else ""
    danish = country == DANISH_CITIZENSHIP

    if age is None or age < VOTING_AGE:
        general, general_reason = False, f"Under {VOTING_AGE} år"
    elif not danish:
        general, general_reason = False, "Ikke dansk indfødsret"
    elif facts.status not in ACTIVE_STATUSES and not facts.on_electoral_roll_abroad:
        general, general_reason = False, "Ikke fast bopæl i riget"
    elif facts.deprived_of_capacity:
        general, general_reason = False, "Under værgemål med fratagelse af den retlige handleevne"
    elif facts.status in ACTIVE_STATUSES:
        general, general_reason = True, "Valgret: dansk indfødsret og fast bopæl i riget"
    else:
        general, general_reason = True, "Valgret: optaget på valgliste under ophold i udlandet"

    if age is None or age < VOTING_AGE:
        municipal, municipal_reason = False, f"Under {VOTING_AGE} år"
    elif facts.status not in ("01", "03"):
        municipal, municipal_reason = False, "Ikke fast bopæl i en dansk kommune"
    elif facts.deprived_of_capacity and today < GUARDIANSHIP_MUNICIPAL_VOTE_FROM:
        municipal, municipal_reason = False, "Under værgemål med fratagelse af den retlige handleevne"
    elif danish:
        municipal, municipal_reason = True, "Valgret: dansk indfødsret"
    elif _eu_citizen(alpha2, today, facts):
        municipal, municipal_reason = True, "Valgret: statsborger i et EU-land"
    elif alpha2 in NORDIC_VOTERS:
        municipal, municipal_reason = True, "Valgret: statsborger i Island eller Norge"
    elif facts.resident_since is not None and _age(facts.resident_since, today) >= RESIDENCE_YEARS:
        municipal, municipal_reason = True, f"Valgret: {RESIDENCE_YEARS} års uafbrudt fast bopæl i riget"
    else:
        municipal, municipal_reason = False, f"Mindre end {RESIDENCE_YEARS} års uafbrudt fast bopæl i riget"
    return general, general_reason, municipal, municipal_reason


def _resident_since(ctx: ServiceContext, pnr: str) -> dt.date | None:
    """The last entry into the realm, or else the start of the first address (annulled rows left out)."""
    not_annulled = lambda t: or_(t.c.correction.is_(None), t.c.correction != "A")  # noqa: E731
    entry = ctx.conn.execute(select(func.max(departure.c.valid_to))
                             .where(departure.c.pnr == pnr, departure.c.valid_to.is_not(None),
                                    not_annulled(departure))).scalar()
    if entry:
        return _day(entry)
    first = ctx.conn.execute(select(func.min(address.c.valid_from))
                             .where(address.c.pnr == pnr, address.c.valid_from.is_not(None),
                                    not_annulled(address))).scalar()
    return _day(first)


def _valgret(ctx: ServiceContext, pnr: str) -> Outcome:
    row = _person(ctx, pnr)
    today = dt.date.fromisoformat(ctx.today)
    country = ctx.conn.execute(select(citizenship.c.country)
                               .where(citizenship.c.pnr == pnr, citizenship.c.current == true())
                               .order_by(desc(citizenship.c.id)).limit(1)).scalar()
    guardians = ctx.conn.execute(select(guardianship.c.valid_from, guardianship.c.valid_to)
                                 .where(guardianship.c.pnr == pnr)).all()
    deprived = any(_in_force(f, t, ctx.today) for f, t in guardians)
    records = ctx.conn.execute(select(election).where(election.c.pnr == pnr)
                               .order_by(desc(election.c.valid_from), desc(election.c.id))).mappings().all()
    in_force = [r for r in records if _in_force(r["valid_from"], r["valid_to"], ctx.today)]
    latest = (in_force or records or [None])[0]
    needs_residence = country != DANISH_CITIZENSHIP and row["status"] in ("01", "03")
    facts = VoterFacts(_day(row["birth_date"]), row["status"], country,
                       _resident_since(ctx, pnr) if needs_residence else None, deprived, bool(in_force))
    general, general_reason, municipal, municipal_reason = voting_right(facts, today)
    return Outcome([{
        "pnr": pnr, "addressing_name": _current_name(ctx, pnr), "assessed_on": ctx.today,
        "age": _age(facts.birth_date, today),
        "status": row["status"], "status_text": PERSON_STATUS.get(row["status"]),
        "country": country, "country_name": _authority_name(country),
        "resident_since": facts.resident_since.isoformat() if facts.resident_since else None,
        "deprived_of_capacity": deprived,
        "election_code": latest["election_code"] if latest else None,
        "election_code_text": ELECTION_CODES.get(latest["election_code"] or "") if latest else None,
        "voting_right_date": latest["voting_right_date"] if latest else None,
        "general_election": "J" if general else "N", "general_election_reason": general_reason,
        "municipal_election": "J" if municipal else "N", "municipal_election_reason": municipal_reason,
    }])


VALGRET = SearchService(
    "VALGRET", "Valgret",
    "Whether the person has the right to vote today in general elections (folketingsvalg) and in "
    "municipal and regional elections, with the reason, derived from age, status, citizenship, "
    "residence, guardianship and election records.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("ADRNVN", "addressing_name", description="Current addressing name"),
        Out("OPGDATO", "assessed_on", Fmt.DATE8, description="The day the voting right is assessed for (today)"),
        Out("ALDER", "age", description="Age in whole years on that day"),
        Out("STATUS", "status", t="status_text", description="Person status and its text"),
        Out("LANDEKOD", "country", t="country_name", description="Current citizenship and the country's name"),
        Out("BOPAELDATO", "resident_since", Fmt.DATE8,
            description="Uninterrupted residence in the realm since (only for foreign citizens resident in Denmark)"),
        Out("UMYNDIGMRK", "deprived_of_capacity", Fmt.FLAG,
            description="X if under guardianship with deprivation of legal capacity (record 017 in force)"),
        Out("VALGKODE", "election_code", t="election_code_text",
            description="The election record in force (else the newest one)"),
        Out("VALGRET_DT", "voting_right_date", Fmt.DATE8, description="Its voting right date, yyyyMMdd"),
        Out("FTVALGRET", "general_election", t="general_election_reason",
            description="J/N: voting right in general elections (folketingsvalg); t: the reason"),
        Out("KRVALGRET", "municipal_election", t="municipal_election_reason",
            description="J/N: voting right in municipal and regional elections; t: the reason"),
    ),
    _valgret, groups=GROUPS, notes=NOTES, example=(("PNR", "0707614285"),),
)


# --- VAERGE: guardianship ---------------------------------------------------------------------------

def _vaerge(ctx: ServiceContext, pnr: str) -> Outcome:
    _person(ctx, pnr)
    query = (select(guardianship).where(or_(guardianship.c.pnr == pnr, guardianship.c.guardian_pnr == pnr))
             .order_by((guardianship.c.pnr != pnr), desc(guardianship.c.valid_from), desc(guardianship.c.id)))
    rows = ctx.conn.execute(query).mappings().all()
    names = _names_of(ctx, [r["pnr"] for r in rows] + [r["guardian_pnr"] for r in rows if r["guardian_pnr"]])
    records = []
    for row in rows:
        own = row["pnr"] == pnr
        records.append({
            "pnr": row["pnr"], "ward_name": names.get(row["pnr"]),
            "role": "U" if own else "V",
            "role_text": "Personen er under værgemål" if own else "Personen er værge",
            "in_force": _in_force(row["valid_from"], row["valid_to"], ctx.today),
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
        Out("STARTDATOUSM", "valid_from_uncertain", **_USM, description="* if the start is uncertain"),
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
    _vaerge, groups=GROUPS, notes=NOTES, example=(("PNR", "0709614126"),),
)


SERVICES = (NAVNE, OVERSIGT, START, SEPARATION, STATSB, SUPLADR, TIDLPNR, VALG, VALGRET, VAERGE)
