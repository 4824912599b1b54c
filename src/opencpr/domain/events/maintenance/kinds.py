"""The kinds of data with history rows (current and previous rows in one table), declared once in
:data:`HISTORY_KINDS`: address, civil status, shared residence, church, disappearance, name,
separation, citizenship, departure.

Here: what a kind is (:class:`HistoryKind`, its data columns as :class:`Column`, their fields from
the extract layouts), how the row an operation is about is selected (:func:`select_row` by
``STARTDATO``), the periods of rows, and the rules particular kinds add. The event types of these
kinds are generated in :mod:`~opencpr.domain.events.maintenance.history`. Declares no events itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opencpr.domain import reference
from opencpr.domain.codes import CHURCH, CIVIL_STATUS, CodeTable
from opencpr.domain.events.base import (
    INVALID,
    PERSON_STATE,
    UNKNOWN_CODE,
    DataField,
    FieldKind,
    PersonState,
    Row,
    Rule,
    Situation,
)
from opencpr.domain.events.maintenance.operations import (
    CORRECT,
    EARLIER,
    MARKED,
    UNDO,
    Selection,
    column_length,
)
from opencpr.domain.records import cpr_field_names

# --- the kinds of data ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """A data column of a kind, as a data field: CPR's name comes from the extract layout."""

    column: str
    kind: FieldKind = FieldKind.TEXT
    description: str = ""
    name: str | None = None  # the wire name, when the extract has none or another
    required: bool = False  # required when earlier data is reported
    codes: CodeTable | None = None
    of: str | None = None


@dataclass(frozen=True)
class HistoryKind:
    """A kind of data with current and historical rows in one table."""

    kind: str  # the maintenance name (MAINTENANCE_DATA)
    table: str
    number: int  # the number of this project's R/F/T codes
    data_title: str  # the handbook's name of the data (adressedata)
    noun: str  # one row, in Danish (adresse)
    columns: tuple[Column, ...]
    public: Mapping[str, str] = field(default_factory=dict)  # action -> CPR's public code
    search: str = ""  # the search service that shows the history (and the start dates)
    extra_rules: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)

    @property
    def codec(self) -> str:
        """``T`` when the periods are timestamps, ``D`` when they are dates (from the extract)."""
        found = cpr_field_names(self.table).get("valid_from")
        return found[1] if found else "D"

    def code(self, action: str) -> str:
        return self.public.get(action) or f"{'RFT'[(CORRECT, UNDO, EARLIER).index(action)]}{self.number:02d}"

    def params(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.columns)


def _cpr_name(table: str, column: str) -> str:
    """The field name of a column in the extract, without its record suffix (``SEP_HENVIS-SEPARATION``)."""
    name = cpr_field_names(table)[column][0]
    return name.split("-", 1)[0]


def data_field(table: str, c: Column, *, required: bool = False) -> DataField:
    """The data field of a column; TEXT lengths and CPR names come from the extract layout."""
    name = c.name or _cpr_name(table, c.column)
    length = column_length(table, c.column) if c.kind is FieldKind.TEXT and c.name is None else None
    if c.kind is FieldKind.TEXT and length is None:
        length = 34
    return DataField(name, c.column, c.kind, required=required, length=length, codes=c.codes, of=c.of,
                     description=c.description)


_ADDRESS = (
    Column("municipality", FieldKind.MUNICIPALITY, "Kommunekode", required=True),
    Column("road", FieldKind.ROAD, "Vejkode", required=True, of="municipality"),
    Column("house_no", FieldKind.HOUSE_NO, "Husnummer (1-999 og bogstav)", required=True),
    Column("floor", FieldKind.FLOOR, "Etage: st, kl eller 1-99"),
    Column("door", FieldKind.DOOR, "Side/dør: tv, th, mf eller dørnummer"),
    Column("building_no", FieldKind.TEXT, "Bygningsnummer"),
)


# --- selecting the row ---------------------------------------------------------------------------

def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def select_row(state: PersonState, table: str, start: Any, codec: str) -> Selection:
    """The row named by ``start`` (STARTDATO), or the current row when ``start`` is blank."""
    if start is None or str(start).strip() == "":
        row = state.current(table)
        return Selection(row, "ok" if row is not None else "no_current")
    key = re.sub(r"[-T:\s]", "", str(start).strip())
    if not re.fullmatch(r"\d{8}(\d{4})?", key):  # no calendar check: it must match a stored start
        return Selection(None, "malformed")
    if codec == "D":
        key = key[:8]
    found = [r for r in state.all(table) if _digits(r.get("valid_from"))[:len(key)] == key
             and len(_digits(r.get("valid_from"))) >= len(key)]
    valid = [r for r in found if r.get("correction") not in MARKED]
    if not found:
        return Selection(None, "none")
    if not valid:
        return Selection(None, "marked")
    if len(valid) > 1:
        return Selection(None, "ambiguous")
    return Selection(valid[0], "ok")


def selected_row(k: HistoryKind, s: Situation) -> Row | None:
    """The row of ``k`` the event's ``STARTDATO`` names (None when there is none: the rules report why)."""
    return select_row(s.person, k.table, s.data.get("start"), k.codec).row


def selection_rules(k: HistoryKind) -> tuple[Rule, ...]:
    """The rules that ``STARTDATO`` names one valid row of ``k`` (a correction and an undo check them first)."""
    def status(s: Situation) -> str:
        return select_row(s.person, k.table, s.data.get("start"), k.codec).status

    where = f" (se {k.search})" if k.search else ""
    return (
        Rule(INVALID, "STARTDATO skal være en dato ååååmmdd eller et tidspunkt ååååmmddttmm",
             lambda s: status(s) != "malformed", "STARTDATO"),
        Rule(PERSON_STATE, f"Personen har ingen aktuel {k.noun}", lambda s: status(s) != "no_current"),
        Rule(PERSON_STATE, f"STARTDATO svarer ikke til nogen {k.noun} hos personen{where}",
             lambda s: status(s) != "none", "STARTDATO"),
        Rule(PERSON_STATE, f"Den valgte {k.noun} er allerede rettet (K) eller fortrudt (A)",
             lambda s: status(s) != "marked", "STARTDATO"),
        Rule(INVALID, f"Mere end én {k.noun} begynder på STARTDATO: angiv også klokkeslæt (ååååmmddttmm)",
             lambda s: status(s) != "ambiguous", "STARTDATO"),
    )


# --- periods -------------------------------------------------------------------------------------

def overlaps(state: PersonState, table: str, start: str | None, end: str | None, *, skip: int | None = None) -> bool:
    """True if [start, end) overlaps a valid row of ``table`` (other than row ``skip``)."""
    if not start:
        return False
    for r in state.valid(table):
        if skip is not None and int(r["id"]) == skip:
            continue
        other_start, other_end = r.get("valid_from") or None, r.get("valid_to") or None
        if not other_start:
            continue  # a row without a start cannot be placed in time
        if (end is None or other_start < end) and (other_end is None or start < other_end):
            return True
    return False


def previous_row(state: PersonState, table: str, row: Row) -> Row | None:
    """The valid row before ``row``: the latest to begin no later than it."""
    start = row.get("valid_from") or ""
    earlier = [r for r in state.valid(table) if int(r["id"]) != int(row["id"]) and not r.get("current")
               and (r.get("valid_from") or "") <= start]
    return max(earlier, key=lambda r: (r.get("valid_from") or "", int(r["id"]))) if earlier else None


# --- rules of particular kinds ---------------------------------------------------------------------

_ADDRESS_PARAMS = ("municipality", "road", "house_no")


def _address_of(s: Situation, row: Row | None) -> dict[str, Any]:
    merged = dict(row or {})
    merged.update({p: v for p, v in s.data.items() if v not in (None, "") and p in
                   ("municipality", "road", "house_no", "floor", "door", "building_no")})
    return merged


def _road_known(k: HistoryKind, merge: bool) -> Callable[[Situation], bool]:
    def check(s: Situation) -> bool:
        if merge and not any(s.data.get(p) for p in _ADDRESS_PARAMS[:2]):
            return True  # the road is not corrected
        a = _address_of(s, selected_row(k, s) if merge else None)
        if not a.get("municipality") or not a.get("road"):
            return True
        return reference.road(a["municipality"], a["road"]) is not None
    return check


def _house_known(k: HistoryKind, merge: bool) -> Callable[[Situation], bool]:
    def check(s: Situation) -> bool:
        if merge and not any(s.data.get(p) for p in _ADDRESS_PARAMS):
            return True  # the address is not corrected
        a = _address_of(s, selected_row(k, s) if merge else None)
        road = reference.road(a.get("municipality") or "", a.get("road") or "")
        house = a.get("house_no")
        if road is None or not house or not house[:3].isdigit():
            return True
        number = int(house[:3])
        return number <= (road.max_odd if number % 2 else road.max_even)
    return check


def _address_rules(merge: bool) -> Callable[[HistoryKind], tuple[Rule, ...]]:
    def rules(k: HistoryKind) -> tuple[Rule, ...]:
        return (Rule(UNKNOWN_CODE, "Vejkoden findes ikke i kommunen", _road_known(k, merge), "VEJKOD"),
                Rule(INVALID, "Husnummeret findes ikke på vejen", _house_known(k, merge), "HUSNR"))
    return rules


def _has_previous(k: HistoryKind) -> Callable[[Situation], bool]:
    def check(s: Situation) -> bool:
        row = selected_row(k, s)
        return row is None or not row.get("current") or previous_row(s.person, k.table, row) is not None
    return check


def _not_current(k: HistoryKind) -> Callable[[Situation], bool]:
    def check(s: Situation) -> bool:
        row = selected_row(k, s)
        return row is None or not row.get("current")
    return check


def _spouse_in_register(s: Situation) -> bool:
    spouse = s.data.get("spouse_pnr")
    return not spouse or s.other(spouse) is not None


# --- the table of kinds ---------------------------------------------------------------------------

def _kinds() -> tuple[HistoryKind, ...]:
    address = HistoryKind(
        "address", "address", 1, "adressedata", "adresse",
        (*_ADDRESS, Column("co_name", FieldKind.TEXT, "c/o-navn")),
        public={CORRECT: "A09", UNDO: "A10"}, search="ADRESSE1")
    civil = HistoryKind(
        "civil_status", "civil_status", 2, "civilstandsdata", "civilstand",
        (Column("civil_status", FieldKind.CHOICE, "Civilstand (U, G, F, E, P, O, L, D)", required=True,
                codes=CIVIL_STATUS),
         Column("spouse_pnr", FieldKind.PNR, "Ægtefællens eller partnerens personnummer"),
         Column("spouse_birth_date", FieldKind.DATE, "Ægtefællens fødselsdato"),
         Column("spouse_name", FieldKind.TEXT, "Ægtefællens navn")),
        public={UNDO: "A25"}, search="CIVST")
    shared = HistoryKind(
        "shared_residence", "shared_residence", 3, "delt bopæls data", "delt bopæl",
        (Column("other_pnr", FieldKind.PNR, "Personnummer på forælderen med den delte bopæl", name="DELTBOPPNR",
                required=True),
         *(Column(c.column, c.kind, c.description, name=n, required=c.required, of=c.of)
           for c, n in zip(_ADDRESS, ("KOMKOD", "VEJKOD", "HUSNR", "ETAGE", "SIDEDOER", "BNR"), strict=True))),
        search="DELTBOP")
    church = HistoryKind(
        "church", "church", 4, "folkekirkedata", "folkekirkeforhold",
        (Column("church", FieldKind.CHOICE, "Folkekirkeforhold (F, U, A, M, S)", required=True, codes=CHURCH),),
        public={UNDO: "P56"}, search="FKIRK")
    disappearance = HistoryKind("disappearance", "disappearance", 5, "forsvindings-/genfindingsdata", "forsvinding",
                                (), search="")
    name = HistoryKind(
        "name", "name", 8, "navnedata", "navn",
        (Column("first_name", FieldKind.TEXT, "Fornavn(e)", required=True),
         Column("middle_name", FieldKind.TEXT, "Mellemnavn(e)"),
         Column("last_name", FieldKind.TEXT, "Efternavn", required=True),
         Column("addressing_name", FieldKind.TEXT, "Adresseringsnavn (udeladt ved rettelse af navne: dannes igen)")),
        public={CORRECT: "A16", UNDO: "A17"}, search="NAVNE")
    separation = HistoryKind(
        "separation", "separation", 11, "separationsdata", "separation",
        (Column("separation_ref", FieldKind.TEXT, "Henvisning til civilstanden (SEP_HENVIS)"),),
        public={CORRECT: "P48", UNDO: "P49"}, search="SEPARATION")
    citizenship = HistoryKind(
        "citizenship", "citizenship", 13, "statsborgerretsdata", "statsborgerret",
        (Column("country", FieldKind.COUNTRY, "Landekode", required=True),), search="STATSB")
    departure = HistoryKind(
        "departure", "departure", 14, "udrejse-/indrejsedata", "udrejse",
        (Column("exit_country", FieldKind.COUNTRY, "Udrejseland", required=True),
         *(Column(f"foreign_line{i}", FieldKind.TEXT, f"Udlandsadresse, linje {i}") for i in range(1, 6)),
         Column("entry_country", FieldKind.COUNTRY, "Indrejseland")),
        search="ADRESSE3")
    kinds = (address, civil, shared, church, disappearance, name, separation, citizenship, departure)
    extra: dict[str, dict[str, tuple[Rule, ...]]] = {
        "address": {CORRECT: _address_rules(True)(address), EARLIER: _address_rules(False)(address),
                    UNDO: (Rule(PERSON_STATE, "Den aktuelle adresse kan ikke fortrydes uden en tidligere adresse "
                                              "(brug flytning)", _has_previous(address)),)},
        "shared_residence": {CORRECT: _address_rules(True)(shared), EARLIER: _address_rules(False)(shared)},
        "civil_status": {EARLIER: (Rule(PERSON_STATE, "Ægtefællen findes ikke i CPR", _spouse_in_register,
                                        "AEGTEPNR"),),
                         CORRECT: (Rule(PERSON_STATE, "Ægtefællen findes ikke i CPR", _spouse_in_register,
                                        "AEGTEPNR"),)},
        "departure": {UNDO: (Rule(PERSON_STATE, "Den aktuelle udrejse fortrydes ikke her: registrér genindrejse "
                                                "(A04) eller ret udrejsen", _not_current(departure)),)},
        "disappearance": {UNDO: (Rule(PERSON_STATE, "Den aktuelle forsvinding fortrydes ikke her: registrér "
                                                    "genfinding (A03) eller ret forsvindingen",
                                      _not_current(disappearance)),)},
    }
    return tuple(HistoryKind(k.kind, k.table, k.number, k.data_title, k.noun, k.columns, k.public, k.search,
                             extra.get(k.kind, {})) for k in kinds)


HISTORY_KINDS: tuple[HistoryKind, ...] = _kinds()
"""Every kind of data with history rows, declared once."""
