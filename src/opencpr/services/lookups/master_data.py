"""Master data by PNR (stamoplysninger): the person record (001) with the current name and address,
and the person's PNRs.

* ``STAMP`` — limited master data, for private companies (``Praes r="STAMPNR"``): PNR, current PNR,
  sex, birth date, status, addressing name, address and the name-and-address-protection flag.
* ``Stam+`` — master data: names, status, birth, the Danish or foreign address, protection, with
  clear texts (status, municipality) and the list of protection types in force.
* ``START`` — start data: PNR, current PNR, status, sex, birth date, start and end of the PNR
  (startoplysninger).
* ``TIDLPNR`` — previous PNRs (tidligere personnumre).

``STAMP`` and ``Stam+`` read the register's current rows directly (person, current name, current
address, the clear-written address, a current departure's foreign address:
:data:`opencpr.register.queries.MASTER_DATA_QUERY`) and the protection rows in force today. Fields
without data are returned too, as ``None``. ``Stam+`` answers as CPR's demo service does
(``docs/fidelity.md``); ``STAMP`` has CPR's shape and fields; ``START`` and ``TIDLPNR`` are designed
in CPR's style. A PNR not in the register is :class:`PersonNotFound` (Kvit 172).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, desc, func, select

from opencpr.access.protection import NAME_AND_ADDRESS, in_force_condition
from opencpr.domain.codes import PERSON_STATUS, SEX
from opencpr.domain.names import inverted_name
from opencpr.register import queries
from opencpr.register.schema import person, previous_pnr, protection
from opencpr.services.catalogue import (
    ALL_PUBLIC,
    AUTHORITIES,
    PNR_KEY,
    Category,
    Fmt,
    Key,
    KeyType,
    Out,
    SearchService,
    Shape,
)
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.errors import PersonNotFound
from opencpr.services.lookups.common import (
    ALL_KEY,
    NOTES,
    USM,
    authority_name,
    correction,
    find_person,
)
from opencpr.services.pending import pending_mark

__all__ = ["MASTER_DATA_FIELDS", "SERVICES", "STAMP", "STAMP_FIELDS", "STAM_PLUS", "START", "TIDLPNR",
           "master_record", "read_master_data"]


_ADDRESS = ("co_name", "locality", "standard_address", "town", "postal_code", "postal_district", "municipality",
            "road", "road_name", "house_no", "floor", "door", "building_no")

_FOREIGN = ("exit_country", "foreign_line1", "foreign_line2", "foreign_line3", "foreign_line4", "foreign_line5")

STAMP_FIELDS: tuple[str, ...] = (
    "pnr", "current_pnr", "sex", "birth_date", "birth_date_uncertain", "status", "status_date",
    "addressing_name", *_ADDRESS, *_FOREIGN, "name_address_protected",
)
"""Limited master data (stamoplysninger, begrænsede data)."""

MASTER_DATA_FIELDS: tuple[str, ...] = (
    "pnr", "current_pnr", "sex", "birth_date", "birth_date_uncertain", "status", "status_text", "status_date",
    "first_name", "middle_name", "last_name", "addressing_name", "co_name", "locality", "standard_address",
    "town", "postal_code", "postal_district", "municipality", "municipality_name", "road", "road_name",
    "house_no", "floor", "door", "building_no", "exit_country", "exit_country_name", "foreign_line1",
    "foreign_line2", "foreign_line3", "foreign_line4", "foreign_line5", "name_address_protected",
    "protection_types",
)
"""Full master data (stamoplysninger): the keys of :func:`read_master_data`'s record."""


def _master_data(row: Mapping[str, Any], types: frozenset[str]) -> dict[str, Any]:
    """The full master data record of a query row and the protection types in force."""
    municipality = row["municipality"] or row["clear_municipality"]
    exit_country = row["exit_country"]
    return {
        "pnr": row["pnr"],
        "current_pnr": row["current_pnr"] or row["pnr"],
        "sex": row["sex"],
        "birth_date": row["birth_date"],
        "birth_date_uncertain": bool(row["birth_date_uncertain"]),
        "status": row["status"],
        "status_text": PERSON_STATUS.get(row["status"]),
        "status_date": row["status_date"],
        "first_name": row["first_name"],
        "middle_name": row["middle_name"],
        "last_name": row["last_name"],
        "addressing_name": row["addressing_name"],
        "co_name": row["clear_co_name"] or row["co_name"],
        "locality": row["locality"],
        "standard_address": row["standard_address"],
        "town": row["town"],
        "postal_code": row["postal_code"],
        "postal_district": row["postal_district"],
        "municipality": municipality,
        "municipality_name": authority_name(municipality),
        "road": row["road"] or row["clear_road"],
        "road_name": row["road_addressing_name"],
        "house_no": row["house_no"] or row["clear_house_no"],
        "floor": row["floor"] or row["clear_floor"],
        "door": row["door"] or row["clear_door"],
        "building_no": row["building_no"] or row["clear_building_no"],
        "exit_country": exit_country,
        "exit_country_name": authority_name(exit_country),
        "foreign_line1": row["foreign_line1"],
        "foreign_line2": row["foreign_line2"],
        "foreign_line3": row["foreign_line3"],
        "foreign_line4": row["foreign_line4"],
        "foreign_line5": row["foreign_line5"],
        "name_address_protected": NAME_AND_ADDRESS in types,
        "protection_types": tuple(sorted(types)),
    }


#: The master data and, in the same statement, the protection types in force on ``:day`` (one row
#: for ``:pnr``; a service that reads more of the person may add columns and joins to it and make
#: the master data of its row with :func:`master_data_of`).
MASTER_DATA_QUERY = queries.MASTER_DATA_QUERY.add_columns(
    select(func.aggregate_strings(protection.c.protection_type, ","))
    .where(protection.c.pnr == person.c.pnr, in_force_condition(bindparam("day")))
    .scalar_subquery().label("protections_in_force"))


def master_data_of(ctx: ServiceContext, row: Mapping[str, Any]) -> dict[str, Any]:
    """The full master data record of a row of :data:`MASTER_DATA_QUERY`; tells the call's context
    the person's protections (the gate's check reads them)."""
    types = frozenset(t for t in (row["protections_in_force"] or "").split(",") if t)
    ctx.know_protections(row["pnr"], types)
    return _master_data(row, types)


def read_master_data(ctx: ServiceContext, pnr: str) -> dict[str, Any]:
    """The full master data record of a person (PersonNotFound if there is none), in one statement."""
    row = ctx.conn.execute(MASTER_DATA_QUERY, {"pnr": pnr, "day": ctx.today}).mappings().first()
    if row is None:
        raise PersonNotFound()
    return master_data_of(ctx, row)


# --- STAMP and Stam+ ------------------------------------------------------------------------------

#: STAMP's clear text of ``BESKYT``.
PROTECTION_TEXT = "Navne- og adresse beskyttelse"


def _stamp(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    record = read_master_data(ctx, pnr)
    out = {f: record[f] for f in STAMP_FIELDS}
    out["protection_text"] = PROTECTION_TEXT if record["name_address_protected"] else None
    out["pending_mark"] = pending_mark(ctx.conn, out["pnr"])  # I_VENT_MRK
    return Outcome([out])


def master_record(ctx: ServiceContext, pnr: str) -> dict[str, Any]:
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
    record["addressing_name_inverted"] = inverted_name(record["first_name"], record["middle_name"],
                                                      record["last_name"], separator=", ")
    return record


def _stam_plus(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    record = master_record(ctx, pnr)
    return Outcome([record])


ADDRESS_OUT = (
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

FOREIGN_OUT = (
    Out("UDRLANDEKOD", "exit_country", description="Country emigrated to (emigrants)"),
    *(Out(f"UDLANDSADR{i}", f"foreign_line{i}") for i in range(1, 6)),
)

MASTER_OUT = (
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
    Category.PERSON, (PNR_KEY, ALL_KEY),
    (
        Out("PNR", "pnr"), *MASTER_OUT,
        Out("STATUS", "status"), Out("STARTDATOSTATUS", "status_date", Fmt.DATE8, description="Status date"),
        Out("ADRNVN", "addressing_name", t="addressing_name_inverted",
            description="Addressing name; t is 'Last, First Middle'"),
        Out("BESKYT", "name_address_protected", Fmt.FLAG, description="X: name and address protection in force"),
        *ADDRESS_OUT,
        Out("POSTNR", "postal_number", t="postal_district", description="Postal code, 0 without a Danish address"),
        Out("STADR", "standard_address"), *FOREIGN_OUT,
        Out("CPSN_POSTDISTTXT", "postal_district"), Out("VEJADRNVN", "road_name", description="Road name"),
    ),
    _stam_plus, table="Stam+", groups=ALL_PUBLIC,
    uuid="7baec3a5-26a5-4922-80fd-37f3bad3dfcb",
    notes="Shape and fields as recorded from CPR's demo service (docs/fidelity.md).",
    example=(("PNR", "0707614285"),),
)


# --- START: start data ----------------------------------------------------------------------------

def _start(ctx: ServiceContext, pnr: str) -> Outcome:
    row = find_person(ctx, pnr)
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
        Out("STATUSDATOUSM", "status_date_uncertain", **USM, description="* if the status date is uncertain"),
        Out("KOEN", "sex", t="sex_text", description="Sex: M or K"),
        Out("FOEDDATO", "birth_date", Fmt.DATE8, description="Birth date, yyyyMMdd"),
        Out("FOEDDATOUSM", "birth_date_uncertain", **USM, description="* if the birth date is uncertain"),
        Out("STARTDATO", "start_date", Fmt.DATE8, description="Start of the PNR (START_DT-PERSON), yyyyMMdd"),
        Out("STARTDATOUSM", "start_date_uncertain", **USM, description="* if the start date is uncertain"),
        Out("SLUTDATO", "end_date", Fmt.DATE8, description="End of the PNR (SLUT_DT-PERSON), yyyyMMdd"),
        Out("SLUTDATOUSM", "end_date_uncertain", **USM, description="* if the end date is uncertain"),
    ),
    _start, groups=AUTHORITIES, notes=NOTES, example=(("PNR", "0101520013"),),
)


# --- TIDLPNR: previous PNRs -----------------------------------------------------------------------

_CORRECTED_KEY = Key("KORMRK", "corrected", KeyType.FLAG,
                     description="X: also rows marked corrected (K) or undone (A); ANNKOR tells them apart")


def _tidlpnr(ctx: ServiceContext, pnr: str, corrected: bool = False) -> Outcome:
    find_person(ctx, pnr)
    query = (select(previous_pnr).where(previous_pnr.c.pnr == pnr, *queries.not_set_aside(previous_pnr, corrected))
             .order_by(desc(previous_pnr.c.valid_from), desc(previous_pnr.c.id)))
    return Outcome([{
        "pnr": pnr, "old_pnr": row["old_pnr"],
        "valid_from": row["valid_from"], "valid_from_uncertain": bool(row["valid_from_uncertain"]),
        "valid_to": row["valid_to"], "valid_to_uncertain": bool(row["valid_to_uncertain"]),
        **correction(row["correction"]),
    } for row in ctx.conn.execute(query).mappings()])


TIDLPNR = SearchService(
    "TIDLPNR", "Tidligere personnumre",
    "The PNRs the person had before (record 022), newest first, with the period each was in use. Corrected "
    "and undone rows only with KORMRK=X.",
    Category.PERSON, (PNR_KEY, _CORRECTED_KEY),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("TIDLPNR", "old_pnr", description="A previous PNR"),
        Out("STARTDATO", "valid_from", Fmt.DATE8, description="The previous PNR in use from, yyyyMMdd"),
        Out("STARTDATOUSM", "valid_from_uncertain", **USM, description="* if the start is uncertain"),
        Out("SLUTDATO", "valid_to", Fmt.DATE8, description="The previous PNR in use to, yyyyMMdd"),
        Out("SLUTDATOUSM", "valid_to_uncertain", **USM, description="* if the end is uncertain"),
        Out("ANNKOR", "correction", t="correction_text",
            description="Blank; K corrected, A undone (with KORMRK=X only)"),
    ),
    _tidlpnr, groups=AUTHORITIES, notes=NOTES, example=(("PNR", "0909610036"),),
)


SERVICES = (STAMP, STAM_PLUS, START, TIDLPNR)
