"""The record model: CPR's record types (product family P12170), declared once, as data.

Each record type is a :class:`Layout`: its fields in order, each a :class:`Field` with its CPR
field name, length, codec and the register column it maps to, and the register table the record
type fills. Positions are derived from the lengths and checked against the declared record
length, so a layout cannot drift. The domain (data maintenance names CPR's fields), the register
(its tables hold the union of their record types' columns) and the extract format
(:mod:`opencpr.formats.extract`, which reads and writes the records as fixed-width text) all read
these declarations. The codecs are described in :mod:`opencpr.formats.extract`.

A newcomer looking for a record type finds it here by its number: ``LAYOUTS["012"]`` is the
civil status record (civilstand), ``LAYOUTS["002"]`` the current address, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CURRENT_AND_HISTORICAL", "LAYOUTS", "PERSON_RECORD_TYPES", "Field", "Layout", "cpr_field_names"]


@dataclass(frozen=True)
class Field:
    """One fixed-width field: CPR name, length, codec, and the register column it maps to."""

    cpr_name: str
    length: int
    codec: str
    column: str | None
    start: int = 0  # 0-based offset, filled in by Layout


@dataclass(frozen=True)
class Layout:
    """A record type of the P12170 family."""

    record_type: str
    name: str
    length: int
    fields: tuple[Field, ...]
    table: str | None
    constants: dict[str, Any] = field(default_factory=dict)

    def columns(self) -> list[str]:
        return [f.column for f in self.fields if f.column]


def _layout(record_type: str, name: str, length: int, table: str | None, fields: list[tuple],
            constants: dict[str, Any] | None = None, person_key: bool = True) -> Layout:
    built: list[Field] = [Field("RECORDTYPE", 3, "N", None, 0)]
    pos = 3
    if person_key:
        built.append(Field("PNR", 10, "A", "pnr", 3))
        pos = 13
    for cpr_name, length_, codec, column in fields:
        built.append(Field(cpr_name, length_, codec, column, pos))
        pos += length_
    if pos != length:
        raise AssertionError(f"layout {record_type}: fields add up to {pos}, record length is {length}")
    return Layout(record_type, name, length, tuple(built), table, constants or {})


_ADDR_LINES = "ADR{n}"

LAYOUTS: dict[str, Layout] = {
    lay.record_type: lay
    for lay in [
        _layout("000", "StartRecord", 35, None, [
            ("SORTFELT-10", 10, "A", "sort_field"),
            ("OPGAVENR", 6, "N", "task_number"),
            ("PRODDTO", 8, "N", "production_date"),
            ("PRODDTOFORRIG", 8, "N", "previous_production_date"),
        ], person_key=False),
        _layout("001", "PersonInformation", 106, "person", [
            ("PNRGAELD", 10, "A", "current_pnr"),
            ("STATUS", 2, "N", "status"),
            ("STATUSHAENSTART", 12, "T", "status_date"),
            ("STATUSDTO_UMRK", 1, "U", "status_date_uncertain"),
            ("KOEN", 1, "A", "sex"),
            ("FOED_DT", 10, "D", "birth_date"),
            ("FOED_DT_UMRK", 1, "U", "birth_date_uncertain"),
            ("START_DT-PERSON", 10, "D", "start_date"),
            ("START_DT_UMRK-PERSON", 1, "U", "start_date_uncertain"),
            ("SLUT_DT-PERSON", 10, "D", "end_date"),
            ("SLUT_DT_UMRK-PERSON", 1, "U", "end_date_uncertain"),
            ("STILLING", 34, "A", "occupation"),
        ]),
        _layout("002", "CurrentAddressInformation", 306, "address", [
            ("KOMKOD", 4, "N", "municipality"),
            ("VEJKOD", 4, "N", "road"),
            ("HUSNR", 4, "A", "house_no"),
            ("ETAGE", 2, "A", "floor"),
            ("SIDEDOER", 4, "A", "door"),
            ("BNR", 4, "A", "building_no"),
            ("CONVN", 34, "A", "co_name"),
            ("TILFLYDTO", 12, "T", "valid_from"),
            ("TILFLYDT_UMRK", 1, "U", "valid_from_uncertain"),
            ("TILFLYKOMDTO", 12, "T", "municipality_arrival"),
            ("TILFLYKOMDT_UMRK", 1, "U", "municipality_arrival_uncertain"),
            ("FRAFLYKOMKOD", 4, "N", "from_municipality"),
            ("FRAFLYKOMDTO", 12, "T", "from_municipality_departure"),
            ("FRAFLYKOMDT_UMRK", 1, "U", "from_municipality_departure_uncertain"),
            ("START_MYNKOD-ADRTXT", 4, "N", "supplementary_authority"),
            ("ADR1-SUPLADR", 34, "A", "supplementary_line1"),
            ("ADR2-SUPLADR", 34, "A", "supplementary_line2"),
            ("ADR3-SUPLADR", 34, "A", "supplementary_line3"),
            ("ADR4-SUPLADR", 34, "A", "supplementary_line4"),
            ("ADR5-SUPLADR", 34, "A", "supplementary_line5"),
            ("START_DT-ADRTXT", 10, "D", "supplementary_start"),
            ("SLET_DT-ADRTXT", 10, "D", "supplementary_end"),
        ], {"current": True}),
        _layout("003", "ClearWrittenAddress", 249, "clear_address", [
            ("ADRNVN", 34, "A", "addressing_name"),
            ("CONVN", 34, "A", "co_name"),
            ("LOKALITET", 34, "A", "locality"),
            ("STANDARDADR", 34, "A", "standard_address"),
            ("BYNVN", 34, "A", "town"),
            ("POSTNR", 4, "N", "postal_code"),
            ("POSTDISTTXT", 20, "A", "postal_district"),
            ("KOMKOD", 4, "N", "municipality"),
            ("VEJKOD", 4, "N", "road"),
            ("HUSNR", 4, "A", "house_no"),
            ("ETAGE", 2, "A", "floor"),
            ("SIDEDOER", 4, "A", "door"),
            ("BNR", 4, "A", "building_no"),
            ("VEJADRNVN", 20, "A", "road_addressing_name"),
        ]),
        _layout("004", "Protection", 37, "protection", [
            ("BESKYTTYPE", 4, "N", "protection_type"),
            ("START_DT-BESKYTTELSE", 10, "D", "valid_from"),
            ("SLET_DT-BESKYTTELSE", 10, "D", "valid_to"),
        ]),
        _layout("005", "CurrentDepartureData", 200, "departure", [
            ("UDR_LANDEKOD", 4, "N", "exit_country"),
            ("UDRDTO", 12, "T", "valid_from"),
            ("UDRDTO_UMRK", 1, "U", "valid_from_uncertain"),
            ("UDLANDADR1", 34, "A", "foreign_line1"),
            ("UDLANDADR2", 34, "A", "foreign_line2"),
            ("UDLANDADR3", 34, "A", "foreign_line3"),
            ("UDLANDADR4", 34, "A", "foreign_line4"),
            ("UDLANDADR5", 34, "A", "foreign_line5"),
        ], {"current": True}),
        _layout("006", "ContactAddress", 203, "contact_address", [
            ("ADR1-KONTAKTADR", 34, "A", "line1"),
            ("ADR2-KONTAKTADR", 34, "A", "line2"),
            ("ADR3-KONTAKTADR", 34, "A", "line3"),
            ("ADR4-KONTAKTADR", 34, "A", "line4"),
            ("ADR5-KONTAKTADR", 34, "A", "line5"),
            ("START_DT-ADRTXT", 10, "D", "valid_from"),
            ("SLET_DT-ADRTXT", 10, "D", "valid_to"),
        ]),
        _layout("007", "CurrentDisappearanceInformation", 26, "disappearance", [
            ("FORSVINDDTO", 12, "T", "valid_from"),
            ("FORSVINDDTO_UMRK", 1, "U", "valid_from_uncertain"),
        ], {"current": True}),
        _layout("008", "CurrentNameInformation", 193, "name", [
            ("FORNVN", 50, "A", "first_name"),
            ("FORNVN_MRK", 1, "A", "first_name_marker"),
            ("MELNVN", 40, "A", "middle_name"),
            ("MELNVN_MRK", 1, "A", "middle_name_marker"),
            ("EFTERNVN", 40, "A", "last_name"),
            ("EFTERNVN_MRK", 1, "A", "last_name_marker"),
            ("NVNHAENSTART", 12, "T", "valid_from"),
            ("HAENSTART_UMRK-NAVNE", 1, "U", "valid_from_uncertain"),
            ("ADRNVN", 34, "A", "addressing_name"),
        ], {"current": True}),
        _layout("009", "BirthRegistrationInformation", 37, "person", [
            ("START_MYNKOD-FØDESTED", 4, "A", "birth_authority"),
            ("MYNTXT-FØDESTED", 20, "A", "birth_authority_text"),
        ]),
        _layout("010", "CurrentCitizenship", 30, "citizenship", [
            ("LANDEKOD", 4, "N", "country"),
            ("HAENSTART-STATSBORGERSKAB", 12, "T", "valid_from"),
            ("HAENSTART_UMRK-STATSBORGERSKAB", 1, "U", "valid_from_uncertain"),
        ], {"current": True}),
        _layout("011", "ChurchInformation", 25, "church", [
            ("FKIRK", 1, "A", "church"),
            ("START_DT-FOLKEKIRKE", 10, "D", "valid_from"),
            ("START_DT_UMRK-FOLKEKIRKE", 1, "U", "valid_from_uncertain"),
        ], {"current": True}),
        _layout("012", "CurrentCivilStatus", 95, "civil_status", [
            ("CIVST", 1, "A", "civil_status"),
            ("AEGTEPNR", 10, "A", "spouse_pnr"),
            ("AEGTEFOED_DT", 10, "D", "spouse_birth_date"),
            ("AEGTEFOEDDT_UMRK", 1, "U", "spouse_birth_date_uncertain"),
            ("AEGTENVN", 34, "A", "spouse_name"),
            ("AEGTENVN_MRK", 1, "A", "spouse_name_marker"),
            ("HAENSTART-CIVILSTAND", 12, "T", "valid_from"),
            ("HAENSTART_UMRK-CIVILSTAND", 1, "U", "valid_from_uncertain"),
            ("SEP_HENVIS-CIVILSTAND", 12, "A", "separation_ref"),
        ], {"current": True}),
        _layout("013", "CurrentSeparation", 36, "separation", [
            ("SEP_HENVIS-SEPARATION", 12, "A", "separation_ref"),
            ("START_DT-SEPARATION", 10, "D", "valid_from"),
            ("START_DT_UMRK-SEPARATION", 1, "U", "valid_from_uncertain"),
        ], {"current": True}),
        _layout("014", "Child", 23, "child", [
            ("PNRBARN", 10, "A", "child_pnr"),
        ]),
        _layout("015", "ParentsInformation", 147, "person", [
            ("MOR_DT", 10, "D", "mother_date"),
            ("MOR_DT_UMRK", 1, "U", "mother_date_uncertain"),
            ("PNRMOR", 10, "A", "mother_pnr"),
            ("MOR_FOED_DT", 10, "D", "mother_birth_date"),
            ("MOR_FOED_DT_UMRK", 1, "U", "mother_birth_date_uncertain"),
            ("MORNVN", 34, "A", "mother_name"),
            ("MORNVN_MRK", 1, "A", "mother_name_marker"),
            ("FAR_DT", 10, "D", "father_date"),
            ("FAR_DT_UMRK", 1, "U", "father_date_uncertain"),
            ("PNRFAR", 10, "A", "father_pnr"),
            ("FAR_FOED_DT", 10, "D", "father_birth_date"),
            ("FAR_FOED_DT_UMRK", 1, "U", "father_birth_date_uncertain"),
            ("FARNVN", 34, "A", "father_name"),
            ("FARNVN_MRK", 1, "A", "father_name_marker"),
        ]),
        _layout("016", "ParentalAuthority", 58, "parental_authority", [
            ("RELTYP-FORÆLDREMYN", 4, "N", "authority_type"),
            ("START_DT-FORÆLDREMYN", 10, "D", "valid_from"),
            ("START_DT_UMRK-FORÆLDREMYN", 1, "U", "valid_from_uncertain"),
            ("SLET_DT-FORÆLDREMYN", 10, "D", "valid_to"),
            ("RELPNR", 10, "A", "holder_pnr"),
            ("START_DT-RELPNR_PNR", 10, "D", "holder_pnr_start"),
        ]),
        _layout("017", "Disempowerment", 272, "guardianship", [
            ("START_DT-UMYNDIG", 10, "D", "valid_from"),
            ("START_DT_UMRK-UMYNDIG", 1, "U", "valid_from_uncertain"),
            ("SLET_DT-UMYNDIG", 10, "D", "valid_to"),
            ("UMYN_RELTYP", 4, "N", "relation_type"),
            ("RELPNR", 10, "A", "guardian_pnr"),
            ("START_DT-RELPNR_PNR", 10, "D", "guardian_pnr_start"),
            ("RELADRSAT_RELPNR_TXT", 34, "A", "guardian_name"),
            ("START_DT-RELPNR_TXT", 10, "D", "guardian_text_start"),
            ("RELTXT1", 34, "A", "line1"),
            ("RELTXT2", 34, "A", "line2"),
            ("RELTXT3", 34, "A", "line3"),
            ("RELTXT4", 34, "A", "line4"),
            ("RELTXT5", 34, "A", "line5"),
        ]),
        _layout("018", "MunicipalConditions", 60, "municipal_condition", [
            ("KOMFORHTYP", 1, "N", "condition_type"),
            ("KOMFORHKOD", 5, "A", "condition_code"),
            ("START_DT-KOMMUNALE-FORHOLD", 10, "D", "valid_from"),
            ("START_DT_UMRK-KOMMUNALE-FORHOL", 1, "U", "valid_from_uncertain"),
            ("BEMAERK-KOMMUNALE-FORHOLD", 30, "A", "remark"),
        ]),
        _layout("019", "Notes", 75, "note", [
            ("NOTATNR", 2, "N", "note_no"),
            ("NOTATLINIE", 40, "A", "text"),
            ("START_DT-NOTAT", 10, "D", "valid_from"),
            ("SLET_DT-NOTAT", 10, "D", "valid_to"),
        ]),
        _layout("020", "ElectionInformation", 47, "election", [
            ("VALGKODE", 4, "N", "election_code"),
            ("VALGRET_DT", 10, "D", "voting_right_date"),
            ("START_DT-VALGOPLYSNINGER", 10, "D", "valid_from"),
            ("SLET_DT-VALGOPLYSNINGER", 10, "D", "valid_to"),
        ]),
        _layout("021", "RelocationOrder", 63, "relocation_order", [
            ("START_DT-FLYTTEPÅBUD", 10, "D", "valid_from"),
            ("BEMAERK-FLYTTEPÅBUD", 40, "A", "remark"),
        ]),
        _layout("022", "HistoricalPNR", 45, "previous_pnr", [
            ("PNR", 10, "A", "old_pnr"),
            ("START_DT-PERSON", 10, "D", "valid_from"),
            ("START_DT_UMRK-PERSON", 1, "U", "valid_from_uncertain"),
            ("SLUT_DT-PERSON", 10, "D", "valid_to"),
            ("SLUT_DT_UMRK-PERSON", 1, "U", "valid_to_uncertain"),
        ]),
        _layout("023", "HistoricalAddress", 96, "address", [
            ("ANNKOR", 1, "C", "correction"),
            ("KOMKOD", 4, "N", "municipality"),
            ("VEJKOD", 4, "N", "road"),
            ("HUSNR", 4, "A", "house_no"),
            ("ETAGE", 2, "A", "floor"),
            ("SIDEDOER", 4, "A", "door"),
            ("BNR", 4, "A", "building_no"),
            ("CONVN", 34, "A", "co_name"),
            ("TILFLYDTO", 12, "T", "valid_from"),
            ("TILFLYDT_UMRK", 1, "U", "valid_from_uncertain"),
            ("FRAFLYDTO", 12, "T", "valid_to"),
            ("FRAFLYDTO_UMRK", 1, "U", "valid_to_uncertain"),
        ], {"current": False}),
        _layout("024", "HistoricalDeparture", 218, "departure", [
            ("ANNKOR", 1, "C", "correction"),
            ("UDR_LANDEKOD", 4, "N", "exit_country"),
            ("UDRDTO", 12, "T", "valid_from"),
            ("UDRDTO_UMRK", 1, "U", "valid_from_uncertain"),
            ("INDR_LANDEKOD", 4, "N", "entry_country"),
            ("INDRDTO", 12, "T", "valid_to"),
            ("INDRDTO_UMRK", 1, "U", "valid_to_uncertain"),
            ("UDLANDADR1", 34, "A", "foreign_line1"),
            ("UDLANDADR2", 34, "A", "foreign_line2"),
            ("UDLANDADR3", 34, "A", "foreign_line3"),
            ("UDLANDADR4", 34, "A", "foreign_line4"),
            ("UDLANDADR5", 34, "A", "foreign_line5"),
        ], {"current": False}),
        _layout("025", "HistoricalDisappearance", 40, "disappearance", [
            ("ANNKOR", 1, "C", "correction"),
            ("FORSVINDDTO", 12, "T", "valid_from"),
            ("FORSVINDDTO_UMRK", 1, "U", "valid_from_uncertain"),
            ("GENFINDDTO", 12, "T", "valid_to"),
            ("GENFINDDTO_UMRK", 1, "U", "valid_to_uncertain"),
        ], {"current": False}),
        _layout("026", "HistoricalName", 173, "name", [
            ("ANNKOR", 1, "C", "correction"),
            ("FORNVN", 50, "A", "first_name"),
            ("FORNVN_MRK", 1, "A", "first_name_marker"),
            ("MELNVN", 40, "A", "middle_name"),
            ("MELNVN_MRK", 1, "A", "middle_name_marker"),
            ("EFTERNVN", 40, "A", "last_name"),
            ("EFTERNVN_MRK", 1, "A", "last_name_marker"),
            ("NVNHAENSTART", 12, "T", "valid_from"),
            ("HAENSTART_UMRK-NAVNE", 1, "U", "valid_from_uncertain"),
            ("NVNHAENSLUT", 12, "T", "valid_to"),
            ("HAENSLUT_UMRK-NAVNE", 1, "U", "valid_to_uncertain"),
        ], {"current": False}),
        _layout("027", "HistoricalCitizenship", 44, "citizenship", [
            ("ANNKOR", 1, "C", "correction"),
            ("LANDEKOD", 4, "N", "country"),
            ("HAENSTART-STATSBORGERSKAB", 12, "T", "valid_from"),
            ("HAENSTART_UMRK-STATSBORGERSKAB", 1, "U", "valid_from_uncertain"),
            ("HAENSLUT-STATSBORGERSKAB", 12, "T", "valid_to"),
            ("HAENSLUT_UMRK-STATSBORGERSKAB", 1, "U", "valid_to_uncertain"),
        ], {"current": False}),
        _layout("028", "HistoricalChurchInformation", 36, "church", [
            ("FKIRK", 1, "A", "church"),
            ("START_DT-FOLKEKIRKE", 10, "D", "valid_from"),
            ("START_DT_UMRK-FOLKEKIRKE", 1, "U", "valid_from_uncertain"),
            ("SLUT_DT-FOLKEKIRKE", 10, "D", "valid_to"),
            ("SLUT_DT_UMRK-FOLKEKIRKE", 1, "U", "valid_to_uncertain"),
        ], {"current": False}),
        _layout("029", "HistoricalCivilStatus", 109, "civil_status", [
            ("ANNKOR", 1, "C", "correction"),
            ("CIVST", 1, "A", "civil_status"),
            ("AEGTEPNR", 10, "A", "spouse_pnr"),
            ("AEGTEFOED_DT", 10, "D", "spouse_birth_date"),
            ("AEGTEFOEDDT_UMRK", 1, "U", "spouse_birth_date_uncertain"),
            ("AEGTENVN", 34, "A", "spouse_name"),
            ("AEGTENVN_MRK", 1, "A", "spouse_name_marker"),
            ("HAENSTART-CIVILSTAND", 12, "T", "valid_from"),
            ("HAENSTART_UMRK-CIVILSTAND", 1, "U", "valid_from_uncertain"),
            ("HAENSLUT-CIVILSTAND", 12, "T", "valid_to"),
            ("HAENSLUT_UMRK-CIVILSTAND", 1, "U", "valid_to_uncertain"),
            ("SEP_HENVIS-CIVILSTAND", 12, "A", "separation_ref"),
        ], {"current": False}),
        _layout("030", "HistoricalSeparation", 48, "separation", [
            ("ANNKOR", 1, "C", "correction"),
            ("SEP_HENVIS-SEPARATION", 12, "A", "separation_ref"),
            ("START_DT-SEPARATION", 10, "D", "valid_from"),
            ("START_DT_UMRK-SEPARATION", 1, "U", "valid_from_uncertain"),
            ("SLUT_DT-SEPARATION", 10, "D", "valid_to"),
            ("SLUT_DT_UMRK-SEPARATION", 1, "U", "valid_to_uncertain"),
        ], {"current": False}),
        _layout("099", "Events", 45, "event", [
            ("TIMESTAMPU", 12, "T", "registered_at"),
            ("HAENDELSE", 3, "A", "event_code"),
            ("AFLEDTMRK", 2, "A", "derived_marker"),
            ("FILLER", 15, "A", None),
        ]),
        _layout("910", "ErrorRecord", 157, None, [
            ("SORTFELT-10", 10, "A", "sort_field"),
            ("INDDATA", 75, "A", "input"),
            ("FEJLNR", 4, "N", "error_no"),
            ("FEJLTXT-UDTRÆK", 65, "A", "error_text"),
        ], person_key=False),
        _layout("997", "SubscriptionDeletionReceipt", 43, None, [
            ("TIMESTAMPU", 12, "T", "registered_at"),
            ("HAENDELSE", 3, "A", "event_code"),
            ("NGLKONST", 15, "A", "key_constant"),
        ]),
        _layout("999", "EndRecord", 21, None, [
            ("SORTFELT-10", 10, "A", "sort_field"),
            ("TAELLER", 8, "N", "count"),
        ], person_key=False),
    ]
}

#: The record types that describe a person, in the order a person's records are written.
PERSON_RECORD_TYPES: tuple[str, ...] = tuple(
    t for t, lay in LAYOUTS.items() if lay.table is not None
)

#: Current and historical record type of each kind of data that has both.
CURRENT_AND_HISTORICAL: dict[str, tuple[str, str]] = {
    "address": ("002", "023"),
    "departure": ("005", "024"),
    "disappearance": ("007", "025"),
    "name": ("008", "026"),
    "citizenship": ("010", "027"),
    "church": ("011", "028"),
    "civil_status": ("012", "029"),
    "separation": ("013", "030"),
}


def cpr_field_names(table: str) -> dict[str, tuple[str, str]]:
    """Register column -> (CPR field name, codec) for a table, from the layouts of its record types."""
    found: dict[str, tuple[str, str]] = {}
    for layout in LAYOUTS.values():
        if layout.table != table:
            continue
        for f in layout.fields:
            if f.column and f.column not in found:
                found[f.column] = (f.cpr_name, f.codec)
    return found
