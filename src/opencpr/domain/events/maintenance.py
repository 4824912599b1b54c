"""Data maintenance (vedligeholdelse af data, handbook §3.2.2): correct, undo, report earlier data.

Maintenance is not an event in society but work on registered data. For each kind of data
(:data:`opencpr.access.groups.MAINTENANCE_DATA`) there are up to three operations, each an
:class:`~opencpr.domain.events.base.EventType` with ``maintenance=(kind, action)``, so the gate
checks the group's maintenance grant ``<kind>:<action>``:

* **correct** (ret nuværende eller tidligere oplysninger): the row is kept and marked ``K``
  (corrected) and a corrected copy takes its place (same current flag and period unless the data
  changes them; fields not given keep their old values);
* **undo** (fortryd): the row is kept and marked ``A`` (annulled); when it was the current row,
  the previous valid row becomes current again;
* **earlier** (indberet tidligere oplysninger): a historical period that arrived late is inserted
  in its place in the history.

The row is picked with ``STARTDATO`` (its start as ``yyyyMMdd`` or ``yyyyMMddHHmm``, as the
searches ADRESSE1, CIVST, FKIRK, NAVNE, STATSB, SEPARATION show it); without it the current
row is meant. Nothing is deleted; every operation is logged as an event.

Each kind with history is declared once in :data:`HISTORY_KINDS`; its data fields come from the
extract layouts (:func:`opencpr.domain.records.cpr_field_names`). The kinds whose rows have a
period but no current flag (protection, municipal conditions and notes, previous PNRs) are declared
once each in :data:`DATED_KINDS`; the kinds on the person row (birth registration, other person
data, the parents of a relation) below them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from opencpr.domain import reference
from opencpr.domain.codes import CHURCH, CIVIL_STATUS, EVENT, CodeTable
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    RELATIVE,
    UNKNOWN_CODE,
    DataField,
    EventType,
    FieldKind,
    Insert,
    Mark,
    PersonState,
    Plan,
    Row,
    Rule,
    Situation,
    Update,
)
from opencpr.domain.events.effects import FATHER, MOTHER, clear_address, log, spouse_marker
from opencpr.domain.events.rules import in_force, not_in_future
from opencpr.domain.records import LAYOUTS, cpr_field_names

__all__ = ["DATED_KINDS", "EVENTS", "HISTORY_KINDS", "RELATION", "Column", "DatedKind", "HistoryKind", "dated_select",
           "select_row"]

CORRECT, UNDO, EARLIER = "correct", "undo", "earlier"
MARKED = ("K", "A")  # rows set aside by a correction or an undo
MARRIED = ("G", "P")
#: Columns of a row that a corrected copy does not take over (the writer sets them anew).
_NOT_COPIED = ("id", "pnr", "authority", "registered_at", "correction")


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


def _length(table: str, column: str) -> int | None:
    for layout in LAYOUTS.values():
        if layout.table == table:
            for f in layout.fields:
                if f.column == column:
                    return f.length
    return None


def data_field(table: str, c: Column, *, required: bool = False) -> DataField:
    """The data field of a column; TEXT lengths and CPR names come from the extract layout."""
    name = c.name or _cpr_name(table, c.column)
    length = _length(table, c.column) if c.kind is FieldKind.TEXT and c.name is None else None
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

def parse_moment(raw: Any, codec: str) -> str | None:
    """A period value as the table stores it (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``); ValueError if malformed."""
    if raw is None or str(raw).strip() == "":
        return None
    digits = re.sub(r"[-T:\s]", "", str(raw).strip())
    if not digits.isdigit() or len(digits) not in (8, 12):
        raise ValueError(raw)
    day = dt.datetime.strptime(digits[:8], "%Y%m%d").date()
    hour, minute = (int(digits[8:10]), int(digits[10:12])) if len(digits) == 12 else (0, 0)
    if hour > 23 or minute > 59:
        raise ValueError(raw)
    return day.isoformat() if codec == "D" else f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def _moment_or_none(raw: Any, codec: str) -> str | None:
    try:
        return parse_moment(raw, codec)
    except ValueError:
        return None


def _well_formed(raw: Any) -> bool:
    try:
        parse_moment(raw, "T")
    except ValueError:
        return False
    return True


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


@dataclass(frozen=True)
class Selection:
    """The row a correction or an undo is about, or why there is none."""

    row: Row | None
    status: str  # ok, no_current, malformed, none, marked, ambiguous


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


def _selected(k: HistoryKind, s: Situation) -> Row | None:
    return select_row(s.person, k.table, s.data.get("start"), k.codec).row


def _selection_rules(k: HistoryKind) -> tuple[Rule, ...]:
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

def _overlaps(state: PersonState, table: str, start: str | None, end: str | None, *, skip: int | None = None) -> bool:
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


def _previous(state: PersonState, table: str, row: Row) -> Row | None:
    """The valid row before ``row``: the latest to begin no later than it."""
    start = row.get("valid_from") or ""
    earlier = [r for r in state.valid(table) if int(r["id"]) != int(row["id"]) and not r.get("current")
               and (r.get("valid_from") or "") <= start]
    return max(earlier, key=lambda r: (r.get("valid_from") or "", int(r["id"]))) if earlier else None


# --- correct ---------------------------------------------------------------------------------------

def _changes(k: HistoryKind, s: Situation, row: Row) -> dict[str, Any]:
    """The data columns the correction gives a new value, and the new period."""
    out = {p: s.data[p] for p in k.params() if s.data.get(p) not in (None, "")}
    new_start = _moment_or_none(s.data.get("new_start"), k.codec)
    new_end = _moment_or_none(s.data.get("new_end"), k.codec)
    if new_start:
        out["valid_from"] = new_start
    if new_end:
        out["valid_to"] = new_end
    return {c: v for c, v in out.items() if (row.get(c) or None) != v}


def describe_changes(row: Row, changes: Mapping[str, Any]) -> str:
    """``column: old → new`` for each change (the old values go into the log)."""
    return "; ".join(f"{c}: {row.get(c) or '-'} → {v if v not in (None, '') else '-'}" for c, v in changes.items())


def _corrected_copy(row: Row, changes: Mapping[str, Any]) -> dict[str, Any]:
    new = {c: v for c, v in row.items() if c not in _NOT_COPIED}
    new.update(changes)
    return new


def _correct_rules(k: HistoryKind) -> tuple[Rule, ...]:
    def period(s: Situation) -> tuple[str | None, str | None]:
        row = _selected(k, s) or {}
        start = _moment_or_none(s.data.get("new_start"), k.codec) or row.get("valid_from") or None
        end = _moment_or_none(s.data.get("new_end"), k.codec) or row.get("valid_to") or None
        return start, end

    def in_order(s: Situation) -> bool:
        start, end = period(s)
        return not start or not end or start <= end

    def no_overlap(s: Situation) -> bool:
        row = _selected(k, s)
        if row is None or not (s.data.get("new_start") or s.data.get("new_end")):
            return True
        start, end = period(s)
        return not _overlaps(s.person, k.table, start, end, skip=int(row["id"]))

    def open_current(s: Situation) -> bool:
        row = _selected(k, s)
        return row is None or not row.get("current") or not s.data.get("new_end")

    def changed(s: Situation) -> bool:
        row = _selected(k, s)
        return row is None or bool(_changes(k, s, row))

    return (
        *_selection_rules(k),
        Rule(INVALID, "NYSTARTDATO skal være en dato ååååmmdd eller et tidspunkt ååååmmddttmm",
             lambda s: s.data.get("new_start") is None or _well_formed(s.data["new_start"]), "NYSTARTDATO"),
        Rule(INVALID, "NYSLUTDATO skal være en dato ååååmmdd eller et tidspunkt ååååmmddttmm",
             lambda s: s.data.get("new_end") is None or _well_formed(s.data["new_end"]), "NYSLUTDATO"),
        Rule(INVALID, f"Den aktuelle {k.noun} har ingen slutdato (NYSLUTDATO kun på tidligere)", open_current,
             "NYSLUTDATO"),
        Rule(DATE_ORDER, "Startdatoen ligger efter slutdatoen", in_order, "NYSTARTDATO"),
        Rule(DATE_ORDER, f"Den rettede periode overlapper en anden {k.noun}", no_overlap, "NYSTARTDATO"),
        Rule(NO_CHANGE, f"De rettede oplysninger er de samme som den registrerede {k.noun}", changed),
        *k.extra_rules.get(CORRECT, ()),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger i fremtiden", not_in_future),
    )


def _correct(k: HistoryKind) -> Callable[[Situation], Plan]:
    def effect(s: Situation) -> Plan:
        plan = Plan()
        row = _selected(k, s)
        assert row is not None
        changes = _changes(k, s, row)
        if k.kind == "name" and "addressing_name" not in changes and changes.keys() & {
                "first_name", "middle_name", "last_name"}:
            from opencpr.domain.events.identity import addressing_name

            merged = {**row, **changes}
            changes["addressing_name"] = addressing_name(merged["first_name"] or "", merged.get("middle_name"),
                                                         merged["last_name"] or "")
        new = _corrected_copy(row, changes)
        plan.changes += [Mark(k.table, s.person.pnr, int(row["id"]), "K"), Insert(k.table, s.person.pnr, new)]
        if row.get("current"):
            _follow_current(k, s, plan, new)
        log(plan, s, summary=f"{k.noun} fra {row.get('valid_from') or '-'} rettet: {describe_changes(row, changes)}")
        return plan

    return effect


def _follow_current(k: HistoryKind, s: Situation, plan: Plan, new: Mapping[str, Any]) -> None:
    """Keep the clear-written address (record 003) in step with a current address or name."""
    if k.kind == "address" and new.get("municipality") and new.get("road"):
        plan.changes.append(clear_address(s.person, new))
    elif k.kind == "name":
        clear = s.person.one("clear_address")
        if clear is not None and new.get("addressing_name"):
            plan.changes.append(Update("clear_address", s.person.pnr, {"addressing_name": new["addressing_name"]},
                                       int(clear["id"])))


# --- undo -----------------------------------------------------------------------------------------

def _undo_rules(k: HistoryKind) -> tuple[Rule, ...]:
    return (*_selection_rules(k), *k.extra_rules.get(UNDO, ()),
            Rule(DATE_ORDER, "Hændelsesdatoen ligger i fremtiden", not_in_future))


def _undo_row(k: HistoryKind, state: PersonState, row: Row, plan: Plan) -> Row | None:
    """Mark ``row`` undone; a current row gives way to the previous valid row (returned)."""
    plan.changes.append(Mark(k.table, state.pnr, int(row["id"]), "A"))
    if not row.get("current"):
        return None
    prev = _previous(state, k.table, row)
    if prev is not None:
        plan.changes.append(Update(k.table, state.pnr, {"current": True, "valid_to": None}, int(prev["id"])))
    return prev


def _undo(k: HistoryKind) -> Callable[[Situation], Plan]:
    def effect(s: Situation) -> Plan:
        plan = Plan()
        row = _selected(k, s)
        assert row is not None
        prev = _undo_row(k, s.person, row, plan)
        if k.kind == "address" and prev is not None and prev.get("municipality") and prev.get("road"):
            plan.changes.append(clear_address(s.person, prev))
        restored = f"; {k.noun} fra {prev.get('valid_from') or '-'} er aktuel igen" if prev is not None else ""
        log(plan, s, summary=f"{k.noun} fra {row.get('valid_from') or '-'} fortrudt{restored}")
        if k.kind == "civil_status":
            _undo_on_spouse(k, s, row, plan)
        return plan

    return effect


def _spouse_pnr(row: Row | None) -> str | None:
    if row is None or row.get("civil_status") not in MARRIED:
        return None
    spouse = row.get("spouse_pnr")
    return spouse if spouse and spouse.strip("0 ") else None


def _spouse_row(spouse: PersonState, row: Row, pnr: str) -> Row | None:
    """The spouse's valid row of the same marriage or partnership (same status, start and partner)."""
    for r in spouse.valid("civil_status"):
        if (r.get("spouse_pnr") == pnr and r.get("civil_status") == row.get("civil_status")
                and (r.get("valid_from") or "")[:16] == (row.get("valid_from") or "")[:16]):
            return r
    return None


def _undo_on_spouse(k: HistoryKind, s: Situation, row: Row, plan: Plan) -> None:
    spouse = s.other(_spouse_pnr(row))
    if spouse is None:
        return
    theirs = _spouse_row(spouse, row, s.person.pnr)
    if theirs is None:
        return
    _undo_row(k, spouse, theirs, plan)
    log(plan, s, spouse.pnr, spouse_marker(row.get("civil_status")),
        summary=f"{k.noun} fra {theirs.get('valid_from') or '-'} fortrudt")


# --- earlier ---------------------------------------------------------------------------------------

def _earlier_rules(k: HistoryKind) -> tuple[Rule, ...]:
    def period(s: Situation) -> tuple[str | None, str | None]:
        return _moment_or_none(s.data.get("start"), k.codec), _moment_or_none(s.data.get("end"), k.codec)

    def in_order(s: Situation) -> bool:
        start, end = period(s)
        return not start or not end or start < end

    def before_current(s: Situation) -> bool:
        _, end = period(s)
        current = s.person.current(k.table)
        return not end or current is None or not current.get("valid_from") or end <= current["valid_from"]

    def no_overlap(s: Situation) -> bool:
        start, end = period(s)
        return not start or not end or not _overlaps(s.person, k.table, start, end)

    def after_birth(s: Situation) -> bool:
        start, _ = period(s)
        born = s.person.birth_date
        return not start or not born or born[5:7] == "00" or start[:10] >= born

    def ended(s: Situation) -> bool:
        _, end = period(s)
        return not end or end[:10] <= s.today

    return (
        Rule(INVALID, "STARTDATO skal være en dato ååååmmdd eller et tidspunkt ååååmmddttmm",
             lambda s: _well_formed(s.data.get("start")), "STARTDATO"),
        Rule(INVALID, "SLUTDATO skal være en dato ååååmmdd eller et tidspunkt ååååmmddttmm",
             lambda s: _well_formed(s.data.get("end")), "SLUTDATO"),
        Rule(DATE_ORDER, "Startdatoen skal ligge før slutdatoen", in_order, "SLUTDATO"),
        Rule(DATE_ORDER, f"Perioden skal slutte før (eller når) den aktuelle {k.noun} begynder", before_current,
             "SLUTDATO"),
        Rule(DATE_ORDER, f"Perioden overlapper en anden {k.noun}", no_overlap, "STARTDATO"),
        Rule(DATE_ORDER, "Perioden begynder før personens fødsel", after_birth, "STARTDATO"),
        Rule(DATE_ORDER, "Perioden slutter i fremtiden", ended, "SLUTDATO"),
        *k.extra_rules.get(EARLIER, ()),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger i fremtiden", not_in_future),
    )


def _earlier(k: HistoryKind) -> Callable[[Situation], Plan]:
    def effect(s: Situation) -> Plan:
        plan = Plan()
        values: dict[str, Any] = {p: s.data.get(p) for p in k.params()}
        values |= {"valid_from": parse_moment(s.data["start"], k.codec), "valid_to": parse_moment(s.data["end"], k.codec),
                   "current": False}
        if k.kind == "civil_status":
            spouse = s.other(values.get("spouse_pnr"))
            if spouse is not None:
                name = spouse.current("name") or {}
                values["spouse_birth_date"] = values.get("spouse_birth_date") or spouse.birth_date
                values["spouse_name"] = values.get("spouse_name") or name.get("addressing_name")
        plan.changes.append(Insert(k.table, s.person.pnr, values))
        shown = ", ".join(f"{p}={v}" for p, v in values.items() if v not in (None, "", False) and p in k.params())
        log(plan, s, summary=f"tidligere {k.noun} {values['valid_from']} – {values['valid_to']}: {shown}")
        return plan

    return effect


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
        a = _address_of(s, _selected(k, s) if merge else None)
        if not a.get("municipality") or not a.get("road"):
            return True
        return reference.road(a["municipality"], a["road"]) is not None
    return check


def _house_known(k: HistoryKind, merge: bool) -> Callable[[Situation], bool]:
    def check(s: Situation) -> bool:
        if merge and not any(s.data.get(p) for p in _ADDRESS_PARAMS):
            return True  # the address is not corrected
        a = _address_of(s, _selected(k, s) if merge else None)
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
        row = _selected(k, s)
        return row is None or not row.get("current") or _previous(s.person, k.table, row) is not None
    return check


def _not_current(k: HistoryKind) -> Callable[[Situation], bool]:
    def check(s: Situation) -> bool:
        row = _selected(k, s)
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


# --- generating the event types --------------------------------------------------------------------

_SELECT = DataField("STARTDATO", "start", FieldKind.TEXT, length=16,
                    description="Rækkens startdato ååååmmdd eller ååååmmddttmm (udeladt: den aktuelle)")
_NEW_START = DataField("NYSTARTDATO", "new_start", FieldKind.TEXT, length=16,
                       description="Rettet startdato ååååmmdd eller ååååmmddttmm")
_NEW_END = DataField("NYSLUTDATO", "new_end", FieldKind.TEXT, length=16,
                     description="Rettet slutdato ååååmmdd eller ååååmmddttmm (kun tidligere rækker)")
_START = DataField("STARTDATO", "start", FieldKind.TEXT, required=True, length=16,
                   description="Periodens start ååååmmdd eller ååååmmddttmm")
_END = DataField("SLUTDATO", "end", FieldKind.TEXT, required=True, length=16,
                 description="Periodens slutning ååååmmdd eller ååååmmddttmm")


def _selected_spouse(k: HistoryKind) -> Callable[[PersonState, Mapping[str, Any]], Sequence[str]]:
    def related(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
        found = [_spouse_pnr(select_row(state, k.table, data.get("start"), k.codec).row), data.get("spouse_pnr")]
        return [p for p in dict.fromkeys(found) if p]
    return related


def _named_spouse(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    return [p for p in (data.get("spouse_pnr"),) if p]


def _history_events(k: HistoryKind) -> tuple[EventType, ...]:
    data = tuple(data_field(k.table, c) for c in k.columns)
    earlier_data = tuple(data_field(k.table, c, required=c.required) for c in k.columns)
    correct = EventType(
        k.code(CORRECT), f"correct {k.kind.replace('_', ' ')}", EVENT.text(k.code(CORRECT)),
        f"Correct a current or previous row of {k.table.replace('_', ' ')} data: the row is kept, marked K, and a "
        "corrected copy takes its place (fields not given keep their values).",
        (_SELECT, *data, _NEW_START, _NEW_END), _correct(k), rules=_correct_rules(k), concerns=(k.table,),
        related=_named_spouse if k.kind == "civil_status" else _no_one, allow_future=False,
        maintenance=(k.kind, CORRECT))
    undo = EventType(
        k.code(UNDO), f"undo {k.kind.replace('_', ' ')}", EVENT.text(k.code(UNDO)),
        f"Undo a wrongly registered row of {k.table.replace('_', ' ')} data: the row is kept, marked A; an undone "
        "current row gives way to the previous one, which is current again.",
        (_SELECT,), _undo(k), rules=_undo_rules(k), concerns=(k.table,),
        related=_selected_spouse(k) if k.kind == "civil_status" else _no_one,
        derived=("ÆG", "PA") if k.kind == "civil_status" else (), allow_future=False, maintenance=(k.kind, UNDO))
    earlier = EventType(
        k.code(EARLIER), f"earlier {k.kind.replace('_', ' ')}", EVENT.text(k.code(EARLIER)),
        f"Report a previous period of {k.table.replace('_', ' ')} data that arrived late: a historical row is "
        "inserted in its place in the history.",
        (*earlier_data, _START, _END), _earlier(k), rules=_earlier_rules(k), concerns=(k.table,),
        related=_named_spouse if k.kind == "civil_status" else _no_one, allow_future=False,
        maintenance=(k.kind, EARLIER))
    return correct, undo, earlier


def _no_one(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    return ()


# --- kinds without history rows --------------------------------------------------------------------

def _person_changes(s: Situation, columns: Sequence[str]) -> dict[str, Any]:
    return {c: s.data[c] for c in columns if s.data.get(c) not in (None, "") and
            (s.person.person.get(c) or None) != s.data[c]}


def _person_correct(title: str, columns: Sequence[str]) -> Callable[[Situation], Plan]:
    def effect(s: Situation) -> Plan:
        plan = Plan()
        changes = _person_changes(s, columns)
        plan.changes.append(Update("person", s.person.pnr, changes))
        log(plan, s, summary=f"{title} rettet: {describe_changes(s.person.person, changes)}")
        return plan
    return effect


def _person_undo(title: str, columns: Sequence[str]) -> Callable[[Situation], Plan]:
    def effect(s: Situation) -> Plan:
        plan = Plan()
        blank = dict.fromkeys(columns)
        plan.changes.append(Update("person", s.person.pnr, blank))
        log(plan, s, summary=f"{title} fortrudt: {describe_changes(s.person.person, blank)}")
        return plan
    return effect


def _person_events(kind: str, number: int, title: str, columns: tuple[tuple[str, FieldKind, str, str], ...]
                   ) -> tuple[EventType, ...]:
    params = tuple(c[0] for c in columns)
    fields = tuple(DataField(name, column, fkind, length=_length("person", column) if fkind is FieldKind.TEXT else None,
                             description=text) for column, fkind, name, text in columns)
    registered = Rule(PERSON_STATE, f"Personen har ingen registrering af {title} at fortryde",
                      lambda s: any(s.person.person.get(c) for c in params))
    changed = Rule(NO_CHANGE, f"Oplysningerne er de samme som den registrerede {title}",
                   lambda s: bool(_person_changes(s, params)))
    future = Rule(DATE_ORDER, "Hændelsesdatoen ligger i fremtiden", not_in_future)
    return (
        EventType(f"R{number:02d}", f"correct {kind.replace('_', ' ')}", EVENT.text(f"R{number:02d}"),
                  f"Correct the {title} on the person row in place; the old values are in the event log.",
                  fields, _person_correct(title, params), rules=(changed, future), concerns=(),
                  allow_future=False, maintenance=(kind, CORRECT)),
        EventType(f"F{number:02d}", f"undo {kind.replace('_', ' ')}", EVENT.text(f"F{number:02d}"),
                  f"Undo a wrong registration of the {title}: the values are taken away (the person row has no "
                  "correction marker; the old values are in the event log).",
                  (), _person_undo(title, params), rules=(registered, future), allow_future=False,
                  maintenance=(kind, UNDO)),
    )


BIRTH_REGISTRATION = _person_events("birth_registration", 6, "fødselsregistreringssted", (
    ("birth_authority", FieldKind.AUTHORITY, "FOEDMYNKOD", "Fødselsregistreringsmyndighed (sogn eller land)"),
    ("birth_authority_text", FieldKind.TEXT, "FOEDMYNTXT", "Fødested som tekst"),
))
PERSON_DATA = _person_events("person", 10, "stilling", (
    ("occupation", FieldKind.TEXT, "STILLING", "Stilling"),
))


# --- kinds without history: rows with a period, named by a key ------------------------------------------

@dataclass(frozen=True)
class DatedKind:
    """A kind of data whose rows have a period but no current flag: protection (record 004),
    municipal conditions (018) and notes (019), previous PNRs (022).

    A row is named by its key field (the protection type, the condition type, the note number, the
    previous PNR) and ``STARTDATO`` when the key is not enough; without ``STARTDATO`` the row in
    force today is meant, else the latest. A correction marks the row K and adds a corrected copy;
    an undo marks it A; earlier data inserts a row with its period. The Danish texts of the rules
    are declared with the kind, as the nouns' genders differ.
    """

    kind: str  # the maintenance kind (MAINTENANCE_DATA): the grant is <kind>:<action>
    table: str
    codes: Mapping[str, str]  # action -> event code
    noun: str  # one row, as the log's summary names it (beskyttelse)
    key: DataField  # the field that names the row (required)
    columns: tuple[DataField, ...]  # further data: what a correction may change, what earlier data gives
    search: str  # the search service that shows the rows
    missing: str  # no row of the key (4005)
    marked: str  # the row named is already corrected or undone (4005)
    same: str  # a correction that changes nothing (4007)
    overlap: str = ""  # text when the periods of rows may not overlap ("" when they may)
    overlap_by_key: bool = True  # periods may not overlap among rows of the same key (else of the table)
    ends: bool = True  # the rows have an end (valid_to)
    end_required: bool = True  # earlier data needs SLUTDATO
    end_in_past: bool = True  # earlier data has ended by today
    after_birth: bool = True  # earlier data begins no earlier than the person's birth
    extra_rules: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)
    related: Callable[[PersonState, Mapping[str, Any]], Sequence[str]] | None = None
    what: str = ""  # the data in English, for the descriptions (default: the table's name)

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(f.param for f in self.columns)


_DATED_SELECT = DataField("STARTDATO", "start", FieldKind.TEXT, length=10,
                          description="Rækkens startdato ååååmmdd (udeladt: den, der gælder i dag, ellers den seneste)")
_DATED_NEW_START = DataField("NYSTARTDATO", "new_start", FieldKind.TEXT, length=10,
                             description="Rettet startdato ååååmmdd")
_DATED_NEW_END = DataField("NYSLUTDATO", "new_end", FieldKind.TEXT, length=10,
                           description="Rettet slutdato ååååmmdd")
_DATED_START = DataField("STARTDATO", "start", FieldKind.TEXT, required=True, length=10,
                         description="Periodens start ååååmmdd")


def _dated_end(required: bool) -> DataField:
    return DataField("SLUTDATO", "end", FieldKind.TEXT, required=required, length=10,
                     description="Periodens slutning ååååmmdd" + ("" if required else " (udeladt: åben)"))


def dated_select(k: DatedKind, s: Situation) -> Selection:
    """The row of ``k`` the data names: by the key and ``STARTDATO``, else the one in force today, else the latest."""
    wanted = s.data.get(k.key.param)
    start = _moment_or_none(s.data.get("start"), "D")
    rows = [r for r in s.person.all(k.table) if r.get(k.key.param) == wanted
            and (start is None or (r.get("valid_from") or "")[:10] == start)]
    valid = sorted((r for r in rows if r.get("correction") not in MARKED),
                   key=lambda r: (r.get("valid_from") or "", int(r["id"])))
    if not rows:
        return Selection(None, "none")
    if not valid:
        return Selection(None, "marked")
    if start is None:
        valid = [r for r in valid if in_force(r, s.today)] or valid
    return Selection(valid[-1], "ok")


def _dated_row(k: DatedKind, s: Situation) -> Row | None:
    return dated_select(k, s).row


def _dated_changes(k: DatedKind, s: Situation, row: Row) -> dict[str, Any]:
    out = {p: s.data[p] for p in k.params if s.data.get(p) not in (None, "")}
    new_start = _moment_or_none(s.data.get("new_start"), "D")
    new_end = _moment_or_none(s.data.get("new_end"), "D") if k.ends else None
    if new_start:
        out["valid_from"] = new_start
    if new_end:
        out["valid_to"] = new_end
    return {c: v for c, v in out.items() if (row.get(c) or None) != v}


def _dated_overlaps(k: DatedKind, s: Situation, start: str | None, end: str | None, skip: int | None) -> bool:
    """True if [start, end) overlaps a valid row of the same key (or of the table) other than ``skip``."""
    if not k.overlap or not start:
        return False
    for r in s.person.valid(k.table):
        if skip is not None and int(r["id"]) == skip:
            continue
        if k.overlap_by_key and r.get(k.key.param) != s.data.get(k.key.param):
            continue
        other_start, other_end = (r.get("valid_from") or "")[:10] or None, (r.get("valid_to") or "")[:10] or None
        if other_start and (end is None or other_start < end) and (other_end is None or start < other_end):
            return True
    return False


def _key_text(k: DatedKind, row: Row) -> str:
    return f"{k.noun} {row.get(k.key.param) or '-'} fra {row.get('valid_from') or '-'}"


def _dated_correct(k: DatedKind) -> Callable[[Situation], Plan]:
    def effect(s: Situation) -> Plan:
        plan = Plan()
        row = _dated_row(k, s)
        assert row is not None
        changes = _dated_changes(k, s, row)
        plan.changes += [Mark(k.table, s.person.pnr, int(row["id"]), "K"),
                         Insert(k.table, s.person.pnr, _corrected_copy(row, changes))]
        log(plan, s, summary=f"{_key_text(k, row)} rettet: {describe_changes(row, changes)}")
        return plan
    return effect


def _dated_undo(k: DatedKind) -> Callable[[Situation], Plan]:
    def effect(s: Situation) -> Plan:
        plan = Plan()
        row = _dated_row(k, s)
        assert row is not None
        plan.changes.append(Mark(k.table, s.person.pnr, int(row["id"]), "A"))
        log(plan, s, summary=f"{_key_text(k, row)} fortrudt")
        return plan
    return effect


def _dated_earlier(k: DatedKind) -> Callable[[Situation], Plan]:
    def effect(s: Situation) -> Plan:
        plan = Plan()
        values: dict[str, Any] = {k.key.param: s.data[k.key.param], **{p: s.data.get(p) for p in k.params},
                                  "valid_from": parse_moment(s.data["start"], "D")}
        if k.ends:
            values["valid_to"] = parse_moment(s.data.get("end"), "D")
        plan.changes.append(Insert(k.table, s.person.pnr, values))
        shown = ", ".join(f"{p}={values[p]}" for p in k.params if values.get(p))
        log(plan, s, summary=f"tidligere {k.noun} {values[k.key.param]} {values['valid_from']} – "
                             f"{values.get('valid_to') or '-'}" + (f": {shown}" if shown else ""))
        return plan
    return effect


def _dated_rules(k: DatedKind, action: str) -> tuple[Rule, ...]:
    def status(s: Situation) -> str:
        return dated_select(k, s).status

    def period(s: Situation) -> tuple[str | None, str | None]:
        if action == EARLIER:
            return _moment_or_none(s.data.get("start"), "D"), _moment_or_none(s.data.get("end"), "D")
        row = _dated_row(k, s) or {}
        start = _moment_or_none(s.data.get("new_start"), "D") or (row.get("valid_from") or "")[:10] or None
        end = _moment_or_none(s.data.get("new_end"), "D") or (row.get("valid_to") or "")[:10] or None
        return start, end if k.ends else None

    def in_order(s: Situation) -> bool:
        start, end = period(s)
        return not start or not end or (start < end if action == EARLIER else start <= end)

    def no_overlap(s: Situation) -> bool:
        if action == CORRECT and not (s.data.get("new_start") or s.data.get("new_end")):
            return True
        row = _dated_row(k, s) if action == CORRECT else None
        if action == CORRECT and row is None:
            return True
        start, end = period(s)
        return not _dated_overlaps(k, s, start, end, int(row["id"]) if row is not None else None)

    def changed(s: Situation) -> bool:
        row = _dated_row(k, s)
        return row is None or bool(_dated_changes(k, s, row))

    def ended(s: Situation) -> bool:
        _, end = period(s)
        return not end or end <= s.today

    def started(s: Situation) -> bool:
        start, _ = period(s)
        return not start or start <= s.today

    def after_birth(s: Situation) -> bool:
        start, _ = period(s)
        born = s.person.birth_date
        return not start or not born or born[5:7] == "00" or start >= born

    dates = Rule(INVALID, "Datoerne skal være ååååmmdd",
                 lambda s: all(s.data.get(p) is None or _well_formed(s.data[p])
                               for p in ("start", "new_start", "new_end", "end")))
    chosen = (Rule(PERSON_STATE, k.missing, lambda s: status(s) != "none", k.key.name),
              Rule(PERSON_STATE, k.marked, lambda s: status(s) != "marked", "STARTDATO"))
    overlap = (Rule(DATE_ORDER, k.overlap, no_overlap, "STARTDATO" if action == EARLIER else "NYSTARTDATO"),
               ) if k.overlap else ()
    future = Rule(DATE_ORDER, "Hændelsesdatoen ligger i fremtiden", not_in_future)
    extra = k.extra_rules.get(action, ())
    if action == CORRECT:
        return (dates, *chosen,
                *((Rule(DATE_ORDER, "Startdatoen ligger efter slutdatoen", in_order, "NYSTARTDATO"),) if k.ends else ()),
                *overlap, Rule(NO_CHANGE, k.same, changed), *extra, future)
    if action == UNDO:
        return (dates, *chosen, *extra, future)
    return (
        dates,
        *((Rule(DATE_ORDER, "Startdatoen skal ligge før slutdatoen", in_order, "SLUTDATO"),) if k.ends else ()),
        *((Rule(DATE_ORDER, "Perioden slutter i fremtiden", ended, "SLUTDATO"),) if k.end_in_past else
          (Rule(DATE_ORDER, "Startdatoen ligger i fremtiden", started, "STARTDATO"),)),
        *overlap,
        *((Rule(DATE_ORDER, "Perioden begynder før personens fødsel", after_birth, "STARTDATO"),)
          if k.after_birth else ()),
        *extra, future,
    )


def _dated_events(k: DatedKind) -> tuple[EventType, ...]:
    """The event types of a kind: one per action it declares a code for."""
    key = replace(k.key, required=True)
    optional = tuple(replace(f, required=False) for f in k.columns)
    fields = {
        CORRECT: (key, _DATED_SELECT, *optional, _DATED_NEW_START, *((_DATED_NEW_END,) if k.ends else ())),
        UNDO: (key, _DATED_SELECT),
        EARLIER: (key, *k.columns, _DATED_START, *((_dated_end(k.end_required),) if k.ends else ())),
    }
    effects = {CORRECT: _dated_correct, UNDO: _dated_undo, EARLIER: _dated_earlier}
    where = f" ({k.search})" if k.search else ""
    what = k.what or k.table.replace("_", " ")
    descriptions = {
        CORRECT: f"Correct a {what}{where}: the row is kept, marked K, and a corrected copy takes its place "
                 "(fields not given keep their values).",
        UNDO: f"Undo a wrongly registered {what}{where}: the row is kept, marked A, and counts no more.",
        EARLIER: f"Report a {what}{where} that arrived late, with its " + ("period." if k.ends else "start."),
    }
    return tuple(
        EventType(code, f"{action} {k.table.replace('_', ' ')}", EVENT.text(code), descriptions[action],
                  fields[action], effects[action](k), rules=_dated_rules(k, action), concerns=(k.table,),
                  related=k.related or _no_one, allow_future=False, maintenance=(k.kind, action))
        for action, code in k.codes.items())


# the rules of particular dated kinds

def _condition_new(s: Situation) -> bool:
    start = _moment_or_none(s.data.get("start"), "D")
    return not any(r.get("condition_type") == s.data.get("condition_type") and (r.get("valid_from") or "")[:10] == start
                   for r in s.person.valid("municipal_condition"))


def _old_pnr_not_own(s: Situation) -> bool:
    return s.data.get("old_pnr") != s.person.pnr


def _old_pnr_not_another(s: Situation) -> bool:
    """The old PNR is no other person's: not in the register, or the person's own replaced number (status 60 …)."""
    other = s.other(s.data.get("old_pnr"))
    return other is None or other.person.get("current_pnr") == s.person.pnr


def _old_pnr_new(s: Situation) -> bool:
    return not any(r.get("old_pnr") == s.data.get("old_pnr") for r in s.person.valid("previous_pnr"))


def _named_old_pnr(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    return [p for p in (data.get("old_pnr"),) if p]


def _dated_kinds() -> tuple[DatedKind, ...]:
    from opencpr.domain.codes import PROTECTION

    protection = DatedKind(
        "protection", "protection", {CORRECT: "R15", UNDO: "F15", EARLIER: "T15"}, "beskyttelse",
        DataField("BESKYTTYPE", "protection_type", FieldKind.CHOICE, required=True, codes=PROTECTION,
                  description="Beskyttelsestype (0001 navne- og adressebeskyttelse …)"),
        (), "BESKYT",
        missing="Personen har ingen beskyttelse af denne type (se BESKYT)",
        marked="Den valgte beskyttelse er allerede rettet (K) eller fortrudt (A)",
        same="Perioden er den samme som den registrerede",
        overlap="Perioden overlapper en anden beskyttelse af samme type", what="protection")
    condition = DatedKind(
        "municipal", "municipal_condition", {CORRECT: "R07", UNDO: "F07", EARLIER: "T07"}, "kommunalt forhold",
        DataField("KOMFORHTYP", "condition_type", FieldKind.DIGITS, required=True, length=1,
                  description="Type af kommunalt forhold (1 ciffer)"),
        (DataField("KOMFORHKOD", "condition_code", FieldKind.TEXT, required=True, length=5,
                   description="Forholdets kode"),
         DataField("BEMAERK", "remark", FieldKind.TEXT, length=_length("municipal_condition", "remark") or 30,
                   description="Bemærkning")),
        "KOMFORH",
        missing="Personen har intet kommunalt forhold af denne type (se KOMFORH)",
        marked="Det valgte kommunale forhold er allerede rettet (K) eller fortrudt (A)",
        same="Oplysningerne er de samme som det registrerede kommunale forhold",
        ends=False, end_required=False, end_in_past=False, what="municipal condition",
        extra_rules={EARLIER: (
            Rule(INVALID, "Typen skal være 1-9", lambda s: s.data.get("condition_type") != "0", "KOMFORHTYP"),
            Rule(NO_CHANGE, "Et kommunalt forhold af denne type er allerede registreret fra STARTDATO",
                 _condition_new, "STARTDATO"))})
    note = DatedKind(
        "municipal", "note", {CORRECT: "R16", UNDO: "F16", EARLIER: "T16"}, "notat",
        DataField("NOTATNR", "note_no", FieldKind.DIGITS, required=True, length=2, description="Notatnummer (01-99)"),
        (DataField("NOTATLINIE", "text", FieldKind.TEXT, required=True, length=40, description="Notatets tekst"),),
        "KOMNOTAT",
        missing="Personen har intet notat med dette nummer (se KOMNOTAT)",
        marked="Det valgte notat er allerede rettet (K) eller fortrudt (A)",
        same="Oplysningerne er de samme som det registrerede notat",
        overlap="Perioden overlapper et andet notat med samme nummer",
        end_required=False, end_in_past=False, what="municipal note",
        extra_rules={EARLIER: (
            Rule(INVALID, "Notatnummeret skal være 01-99", lambda s: s.data.get("note_no") != "00", "NOTATNR"),)})
    pnr = DatedKind(
        "pnr", "previous_pnr", {CORRECT: "R09", UNDO: "F09", EARLIER: "T09"}, "tidligere personnummer",
        DataField("TIDLPNR", "old_pnr", FieldKind.PNR, required=True, description="Det tidligere personnummer"),
        (), "TIDLPNR",
        missing="TIDLPNR er ikke registreret som tidligere personnummer for personen (se TIDLPNR)",
        marked="Det valgte tidligere personnummer er allerede rettet (K) eller fortrudt (A)",
        same="Perioden er den samme som den registrerede",
        overlap="Perioden overlapper et andet tidligere personnummer", overlap_by_key=False,
        after_birth=False,  # a PNR is changed when the birth date was wrong: the old one may be in use before it
        extra_rules={EARLIER: (
            Rule(INVALID, "TIDLPNR kan ikke være personens nuværende personnummer", _old_pnr_not_own, "TIDLPNR"),
            Rule(RELATIVE, "TIDLPNR er personnummer for en anden person i CPR", _old_pnr_not_another, "TIDLPNR"),
            Rule(NO_CHANGE, "TIDLPNR er allerede registreret som tidligere personnummer", _old_pnr_new,
                 "TIDLPNR"))},
        related=_named_old_pnr, what="previous PNR")
    return protection, condition, note, pnr


DATED_KINDS: tuple[DatedKind, ...] = _dated_kinds()
"""Every kind of data with dated rows but no history flag, declared once."""


# --- relations (slægtskabsdata): the parents on the person row, the child rows of the parents ----------------

#: The parent slots of record 015 on the person row: (slot, derived marker, Danish noun, CPR's prefix).
_PARENTS = (("mother", MOTHER, "mor", "MOR"), ("father", FATHER, "far", "FAR"))
_PARENT_COLUMNS = ("pnr", "birth_date", "birth_date_uncertain", "name", "name_marker", "date", "date_uncertain")


def _parent_fields() -> tuple[DataField, ...]:
    out = []
    for slot, _, noun, cpr in _PARENTS:
        out += [DataField(f"PNR{cpr}", f"{slot}_pnr", FieldKind.PNR, description=f"Personnummer på barnets {noun}"),
                DataField(f"{cpr}_FOED_DT", f"{slot}_birth_date", FieldKind.DATE,
                          description=f"Fødselsdato for barnets {noun}"),
                DataField(f"{cpr}NVN", f"{slot}_name", FieldKind.TEXT, length=34, description=f"Navn på barnets {noun}"),
                DataField(f"{cpr}_DT", f"{slot}_date", FieldKind.DATE,
                          description=f"Dato, hvorfra forholdet til barnets {noun} gælder")]
    return tuple(out)


_RELATION_FIELDS = _parent_fields()
_RELATION_PARAMS = tuple(f.param for f in _RELATION_FIELDS)


def _parents_related(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    found = [state.mother, state.father, data.get("mother_pnr"), data.get("father_pnr")]
    return [p for p in dict.fromkeys(found) if p]


def _child_rows(parent: PersonState, child: str) -> list[Row]:
    """The parent's valid child rows (record 014) of ``child``."""
    return [r for r in parent.valid("child") if r.get("child_pnr") == child]


def _relation_changes(s: Situation) -> dict[str, Any]:
    """The person-row columns the correction changes; a new parent PNR brings the parent's birth date and name."""
    given = {p: s.data[p] for p in _RELATION_PARAMS if s.data.get(p) not in (None, "")}
    for slot, *_ in _PARENTS:
        new = s.other(given.get(f"{slot}_pnr"))
        if new is not None and given[f"{slot}_pnr"] != s.person.pnr_of(f"{slot}_pnr"):
            name = new.current("name") or {}
            given.setdefault(f"{slot}_birth_date", new.birth_date)
            given.setdefault(f"{slot}_name", name.get("addressing_name"))
    return {c: v for c, v in given.items() if (s.person.person.get(c) or None) != (v or None)}


def _relation_correct(s: Situation) -> Plan:
    plan = Plan()
    child = s.person
    changes = _relation_changes(s)
    plan.changes.append(Update("person", child.pnr, changes))
    log(plan, s, summary=f"forældreoplysninger rettet: {describe_changes(child.person, changes)}")
    for slot, marker, noun, _ in _PARENTS:
        if f"{slot}_pnr" not in changes:
            continue
        old, new = s.other(child.pnr_of(f"{slot}_pnr")), s.other(changes[f"{slot}_pnr"])
        if old is not None:
            for row in _child_rows(old, child.pnr):
                plan.changes.append(Mark("child", old.pnr, int(row["id"]), "K"))
            log(plan, s, old.pnr, marker, summary=f"barnet {child.pnr} er ikke længere registreret med {noun} {old.pnr}")
        if new is not None:
            if not _child_rows(new, child.pnr):
                plan.changes.append(Insert("child", new.pnr, {"child_pnr": child.pnr}))
            log(plan, s, new.pnr, marker, summary=f"barnet {child.pnr} registreret med {noun} {new.pnr}")
    return plan


def _relation_undo(s: Situation) -> Plan:
    plan = Plan()
    child = s.person
    slot, marker, noun, _ = _slot(s)
    blank = {f"{slot}_{c}": (False if c.endswith("uncertain") else None) for c in _PARENT_COLUMNS}
    shown = {c: v for c, v in blank.items() if child.person.get(c)}
    plan.changes.append(Update("person", child.pnr, blank))
    log(plan, s, summary=f"{noun} fortrudt: {describe_changes(child.person, shown)}")
    parent = s.other(child.pnr_of(f"{slot}_pnr"))
    if parent is not None:
        for row in _child_rows(parent, child.pnr):
            plan.changes.append(Mark("child", parent.pnr, int(row["id"]), "A"))
        log(plan, s, parent.pnr, marker, summary=f"barnet {child.pnr} fortrudt som barn af {noun} {parent.pnr}")
    return plan


def _slot(s: Situation) -> tuple[str, str, str, str]:
    return _PARENTS[0] if s.data.get("parent") == "MOR" else _PARENTS[1]


def _has_parent(s: Situation) -> bool:
    slot = _slot(s)[0]
    return bool(s.person.pnr_of(f"{slot}_pnr") or s.person.person.get(f"{slot}_name")
                or s.person.person.get(f"{slot}_birth_date"))


def _parent_without_authority(s: Situation) -> bool:
    """The parent undone holds no parental authority over the child (0003 mother, 0004 father, or as holder)."""
    slot = _slot(s)[0]
    parent = s.person.pnr_of(f"{slot}_pnr")
    kind = "0003" if slot == "mother" else "0004"
    return not any(in_force(r, s.date) and (r.get("authority_type") == kind or
                                                (parent and r.get("holder_pnr") == parent))
                   for r in s.person.valid("parental_authority"))


def _parent_rules(slot: str, noun: str, cpr: str) -> tuple[Rule, ...]:
    param = f"{slot}_pnr"
    word = "Moderen" if slot == "mother" else "Faderen"

    def other(s: Situation) -> PersonState | None:
        return s.other(s.data.get(param))

    def older(s: Situation) -> bool:
        if s.data.get(param) == s.person.pnr:
            return True  # refused as the person itself
        born = s.data.get(f"{slot}_birth_date") or (other(s).birth_date if other(s) is not None else None)
        return not born or not s.person.birth_date or born < s.person.birth_date

    def dated(s: Situation) -> bool:
        day = s.data.get(f"{slot}_date")
        born = s.person.birth_date
        return not day or ((not born or born[5:7] == "00" or day >= born) and day <= s.today)

    rules = [
        Rule(RELATIVE, f"{word} findes ikke i CPR",
             lambda s: s.data.get(param) in (None, s.person.pnr) or other(s) is not None, f"PNR{cpr}"),
        Rule(RELATIVE, f"{word} kan ikke være personen selv", lambda s: s.data.get(param) != s.person.pnr,
             f"PNR{cpr}"),
        Rule(RELATIVE, f"{word} er ikke ældre end barnet", older, f"PNR{cpr}"),
        Rule(DATE_ORDER, f"{cpr}_DT ligger før barnets fødselsdato eller i fremtiden", dated, f"{cpr}_DT"),
    ]
    if slot == "mother":
        rules.append(Rule(RELATIVE, f"{word} skal være en kvinde",
                          lambda s: other(s) is None or not other(s).sex or other(s).sex == "K", f"PNR{cpr}"))
    return tuple(rules)


def _two_parents(s: Situation) -> bool:
    mother = s.data.get("mother_pnr") or s.person.mother
    father = s.data.get("father_pnr") or s.person.father
    return not mother or mother != father


def _relation_events() -> tuple[EventType, ...]:
    future = Rule(DATE_ORDER, "Hændelsesdatoen ligger i fremtiden", not_in_future)
    correct = EventType(
        "R12", "correct relation", EVENT.text("R12"),
        "Correct the mother's or father's data on the person row (record 015) in place — the old values are in "
        "the event log. A corrected parent PNR moves the child row (record 014): the old parent's row is marked "
        "K, the new parent gets one; the new parent's birth date and name are taken from the register unless "
        "given. Logged on each parent changed with MO or FA.",
        _RELATION_FIELDS, _relation_correct,
        rules=(*(r for slot, _, noun, cpr in _PARENTS for r in _parent_rules(slot, noun, cpr)),
               Rule(INVALID, "Mor og far kan ikke være samme person", _two_parents, "PNRFAR"),
               Rule(NO_CHANGE, "Oplysningerne er de samme som de registrerede forældreoplysninger",
                    lambda s: bool(_relation_changes(s))),
               future),
        concerns=(), related=_parents_related, derived=(MOTHER, FATHER), allow_future=False,
        maintenance=("relation", CORRECT))
    undo = EventType(
        "F12", "undo relation", EVENT.text("F12"),
        "Undo a wrongly registered mother or father: the parent's data on the person row (record 015) is cleared "
        "(the old values are in the event log) and the parent's child row (record 014) is marked A. Logged on "
        "the parent with MO or FA.",
        (DataField("FORAELDER", "parent", FieldKind.CHOICE, required=True, choices=("MOR", "FAR"),
                   description="Forælderen, der fortrydes: MOR eller FAR"),),
        _relation_undo,
        rules=(Rule(PERSON_STATE, "Personen har ingen registreret forælder af denne slags (se Familie)", _has_parent,
                    "FORAELDER"),
               Rule(PERSON_STATE, "Forælderen har forældremyndighed over barnet: registrér forældremyndigheden "
                                  "først (B09)", _parent_without_authority, "FORAELDER"),
               future),
        concerns=(), related=_parents_related, derived=(MOTHER, FATHER), allow_future=False,
        maintenance=("relation", UNDO))
    return correct, undo


RELATION = _relation_events()


EVENTS: tuple[EventType, ...] = (
    *(e for k in HISTORY_KINDS for e in _history_events(k)),
    *BIRTH_REGISTRATION, *PERSON_DATA, *(e for k in DATED_KINDS for e in _dated_events(k)), *RELATION,
)
