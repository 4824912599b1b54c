"""Master data lookups by PNR in the catalogue: ``STAMP`` (limited) and ``Stam+`` (full master data)."""

from __future__ import annotations

from opencpr.services.catalogue import Category, Fmt, Key, KeyType, Out, SearchService, Shape
from opencpr.services.gate import Outcome, ServiceContext
from opencpr.services.lookup import STAM_PLUS_FIELDS, STAMP_FIELDS, read_master_data

PNR_KEY = Key("PNR", "pnr", KeyType.PNR, required=True, description="The person's CPR number, 10 digits")
MARK_KEY = Key("AKX", "all", KeyType.FLAG, description="X: all fields (accepted; every field is always sent)")


def _stamp(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    record = read_master_data(ctx, pnr)
    return Outcome([{f: record[f] for f in STAMP_FIELDS}])


def _stam_plus(ctx: ServiceContext, pnr: str, all: bool = False) -> Outcome:
    record = read_master_data(ctx, pnr)
    return Outcome([{f: record[f] for f in STAM_PLUS_FIELDS} | {"addressing_name_inverted": record.get(
        "addressing_name_inverted")}])


_ADDRESS_OUT = (
    Out("CONVN", "co_name", description="c/o name"),
    Out("ETAGE", "floor"),
    Out("HUSNR", "house_no", Fmt.PAD4),
    Out("SIDEDOER", "door"),
    Out("BNR", "building_no"),
    Out("KOMKOD", "municipality"),
    Out("VEJKOD", "road", t="road_name"),
    Out("BYNVN", "town"),
    Out("LOKALITET", "locality"),
    Out("POSTNR", "postal_code", t="postal_district"),
    Out("STADR", "standard_address"),
    Out("UDLANDSADR1", "foreign_line1"),
    Out("UDLANDSADR2", "foreign_line2"),
    Out("UDLANDSADR3", "foreign_line3"),
    Out("UDLANDSADR4", "foreign_line4"),
    Out("UDLANDSADR5", "foreign_line5"),
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
)

STAM_PLUS = SearchService(
    "Stam+", "Stamoplysninger for en person",
    "Full master data: names, status, birth date, current address (Danish or foreign), protection.",
    Category.PERSON, (PNR_KEY, MARK_KEY),
    (
        Out("PNR", "pnr"), Out("PNRGAELD", "current_pnr"), Out("KOEN", "sex"),
        Out("FOEDDATO", "birth_date", Fmt.DATE8), Out("FOEDDATOUSM", "birth_date_uncertain", Fmt.FLAG, mark="*"),
        Out("STATUS", "status"), Out("STARTDATOSTATUS", "status_date", Fmt.TS12),
        Out("ADRNVN", "addressing_name", t="addressing_name_inverted"),
        Out("BESKYT", "name_address_protected", Fmt.FLAG, mark="1"),
        *_ADDRESS_OUT[:11], Out("UDRLANDEKOD", "exit_country"), *_ADDRESS_OUT[11:],
        Out("CPSN_POSTDISTTXT", "postal_district"), Out("VEJADRNVN", "road_name"),
    ),
    _stam_plus, table="Stam+", groups=("cpr-office", "municipality", "church-office"),
    uuid="7baec3a5-26a5-4922-80fd-37f3bad3dfcb",
    notes="Shape and fields as recorded from CPR's demo service.",
)

SERVICES = (STAMP, STAM_PLUS)
