"""The CPR extract format ("udtræk"), product family P12170.

Every record type is declared once, as data: its fields in order, each with its CPR field
name, length, codec and the register column it maps to. Positions are derived from the lengths
and checked against the declared record length, so a layout cannot drift.

Codecs (how a fixed-width field becomes a register value and back):

* ``A``  alphanumeric: trailing blanks are padding (``None`` when empty); leading blanks are kept
  (``SIDEDOER`` is ``"  tv"``).
* ``N``  numeric: zero-padded on the left; all zeros means "no value" (``None``); an all-blank
  field is kept as ``""`` so that it is written back blank.
* ``T``  timestamp ``yyyyMMddHHmm`` (numeric): stored as ``YYYY-MM-DDTHH:MM``; incomplete dates
  keep their ``00`` month/day.
* ``D``  date ``yyyy-MM-dd`` (alphanumeric): stored as it stands.
* ``U``  uncertainty marker: ``*`` is ``True``, blank ``False``.
* ``C``  correction marker ``ANNKOR``: blank is ``None``, else ``K``, ``A`` or ``Æ``.

The physical format is ISO-8859-1, one full-length record per line (records written by
:func:`format_record` are always padded to their full length). The reader accepts one record per
line (with trailing blanks trimmed or not) and one continuous stream without separators.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

ENCODING = "iso-8859-1"


class ExtractError(ValueError):
    """A record that does not follow its layout. Carries the line number and record type."""

    def __init__(self, message: str, line: int | None = None, record_type: str | None = None):
        where = []
        if line is not None:
            where.append(f"line {line}")
        if record_type:
            where.append(f"record {record_type}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.line = line
        self.record_type = record_type
        self.reason = message


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


# --- codecs -----------------------------------------------------------------------------------

def _decode(codec: str, raw: str) -> Any:
    if codec == "A" or codec == "D":
        value = raw.rstrip()
        return value or None
    if codec == "N":
        if not raw.strip():
            return ""
        if not raw.isdigit():
            raise ValueError(f"not numeric: {raw!r}")
        return None if raw.count("0") == len(raw) else raw
    if codec == "T":
        if not raw.strip():
            return ""
        if not raw.isdigit():
            raise ValueError(f"not a timestamp (yyyyMMddHHmm): {raw!r}")
        if raw == "000000000000":
            return None
        return f"{raw[0:4]}-{raw[4:6]}-{raw[6:8]}T{raw[8:10]}:{raw[10:12]}"
    if codec == "U":
        if raw == "*":
            return True
        if raw == " ":
            return False
        raise ValueError(f"uncertainty marker must be '*' or blank, not {raw!r}")
    if codec == "C":
        if raw == " ":
            return None
        if raw in ("K", "A", "Æ"):
            return raw
        raise ValueError(f"correction marker must be blank, K, A or Æ, not {raw!r}")
    raise AssertionError(codec)


def _encode(codec: str, value: Any, length: int) -> str:
    if codec == "A" or codec == "D":
        text = "" if value is None else str(value)
        return text[:length].ljust(length)
    if codec == "N":
        if value is None:
            return "0" * length
        text = str(value)
        if text == "":
            return " " * length
        return text.rjust(length, "0")[-length:]
    if codec == "T":
        if value is None:
            return "000000000000"
        if value == "":
            return " " * 12
        text = str(value)
        return text[0:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16]
    if codec == "U":
        return "*" if value else " "
    if codec == "C":
        return value or " "
    raise AssertionError(codec)


def format_timestamp(value: str | None) -> str:
    """A register timestamp (``YYYY-MM-DDTHH:MM``) as the extract's ``yyyyMMddHHmm``."""
    return _encode("T", value, 12)


# --- records ----------------------------------------------------------------------------------

@dataclass
class Record:
    """One parsed record: its type, the person it is about, and its values by register column."""

    record_type: str
    pnr: str | None
    values: dict[str, Any]
    line: int | None = None


def parse_record(text: str, line: int | None = None) -> Record:
    """Parse one record (its text without line end). Trailing blanks may have been trimmed."""
    record_type = text[:3]
    layout = LAYOUTS.get(record_type)
    if layout is None:
        raise ExtractError(f"unknown record type {record_type!r}", line, record_type or None)
    if len(text) > layout.length and text[layout.length:].strip():
        raise ExtractError(
            f"record is {len(text)} characters long, the layout has {layout.length}", line, record_type)
    text = text[: layout.length].ljust(layout.length)
    values: dict[str, Any] = {}
    pnr = None
    for f in layout.fields[1:]:
        raw = text[f.start: f.start + f.length]
        try:
            value = _decode(f.codec, raw)
        except ValueError as exc:
            raise ExtractError(f"field {f.cpr_name} (position {f.start + 1}): {exc}", line,
                               record_type) from None
        if f.column == "pnr":
            pnr = value
            if layout.table is not None and (value is None or len(value) != 10 or not value.isdigit()):
                raise ExtractError(f"PNR {raw!r} is not 10 digits", line, record_type)
            continue
        if f.column:
            values[f.column] = value
    return Record(record_type, pnr, values, line)


def format_record(record_type: str, pnr: str | None, values: dict[str, Any]) -> str:
    """Write one record, full length, from register values (missing columns are empty)."""
    layout = LAYOUTS[record_type]
    parts = [record_type]
    for f in layout.fields[1:]:
        if f.column == "pnr":
            parts.append(_encode("A", pnr, 10))
        else:
            parts.append(_encode(f.codec, values.get(f.column) if f.column else None, f.length))
    return "".join(parts)


def iter_lines(stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    """Records of an extract as (line number, text), from either physical variant.

    A file with line ends yields one record per line. A continuous stream (one long line holding
    many records) is cut by each record type's length; CR/LF between records are skipped.
    """
    line_no = 0
    for raw in stream:
        line_no += 1
        text = raw.decode(ENCODING).rstrip("\r\n")
        if not text.strip():
            continue
        layout = LAYOUTS.get(text[:3])
        if layout is not None and len(text) > layout.length and text[layout.length:].strip():
            # continuous stream: cut it into records by length
            pos = 0
            while pos < len(text):
                lay = LAYOUTS.get(text[pos:pos + 3])
                if lay is None:
                    yield line_no, text[pos:]
                    break
                yield line_no, text[pos:pos + lay.length]
                pos += lay.length
                while pos < len(text) and text[pos] in "\r\n":
                    pos += 1
        else:
            yield line_no, text


def read_records(stream: IO[bytes]) -> Iterator[Record]:
    """Parse every record of an extract (start and end records included)."""
    for line_no, text in iter_lines(stream):
        yield parse_record(text, line_no)


def start_record(task_number: int, production_date: str, previous_date: str | None = None) -> str:
    """The 000 record: ``production_date`` and ``previous_date`` as ``yyyyMMdd``."""
    return format_record("000", None, {
        "sort_field": "0000000000",
        "task_number": f"{task_number:06d}",
        "production_date": production_date,
        "previous_production_date": previous_date,
    })


def end_record(count: int) -> str:
    """The 999 record; ``count`` is the number of records between 000 and 999."""
    return format_record("999", None, {"sort_field": "9999999999", "count": f"{count:08d}"})


def write_extract(out: IO[bytes], records: Iterable[str], task_number: int, production_date: str,
                  previous_date: str | None = None) -> int:
    """Write a whole extract: 000, the records, 999 with their count. Returns the count."""
    out.write((start_record(task_number, production_date, previous_date) + "\n").encode(ENCODING))
    count = 0
    for rec in records:
        out.write((rec + "\n").encode(ENCODING))
        count += 1
    out.write((end_record(count) + "\n").encode(ENCODING))
    return count


# --- compiled writers -------------------------------------------------------------------------

def _n(value: Any, length: int) -> str:
    if value is None:
        return "0" * length
    if value == "":
        return " " * length
    return str(value).rjust(length, "0")[-length:]


def _t(value: Any) -> str:
    if value is None:
        return "000000000000"
    if value == "":
        return "            "
    return value[0:4] + value[5:7] + value[8:10] + value[11:13] + value[14:16]


def compile_formatter(record_type: str, columns: list[str]):
    """A fast writer of one record type from row tuples whose columns are ``columns``.

    Returns ``f(pnr, row) -> str`` equal to :func:`format_record` for the same values; the
    exporter uses it to write millions of records without building a dict per row.
    """
    layout = LAYOUTS[record_type]
    index = {c: i for i, c in enumerate(columns)}
    parts = [repr(record_type)]
    for f in layout.fields[1:]:
        if f.column == "pnr":
            parts.append("pnr")
            continue
        i = index.get(f.column) if f.column else None
        if i is None:
            parts.append(repr(_encode(f.codec, None, f.length)))
        elif f.codec in ("A", "D"):
            parts.append(f"format(r[{i}] or '', '<{f.length}.{f.length}')")
        elif f.codec == "N":
            parts.append(f"_n(r[{i}], {f.length})")
        elif f.codec == "T":
            parts.append(f"_t(r[{i}])")
        elif f.codec == "U":
            parts.append(f"('*' if r[{i}] else ' ')")
        else:  # C
            parts.append(f"(r[{i}] or ' ')")
    source = f"def _format(pnr, r):\n    return ''.join(({', '.join(parts)},))\n"
    namespace: dict[str, Any] = {"_n": _n, "_t": _t}
    exec(compile(source, f"<extract formatter {record_type}>", "exec"), namespace)  # noqa: S102
    return namespace["_format"]


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
