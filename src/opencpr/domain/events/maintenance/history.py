"""Correct, undo and report earlier data of the kinds with history rows
(:data:`~opencpr.domain.events.maintenance.kinds.HISTORY_KINDS`): three event types per kind.

* address: A09 correct address, A10 undo address, T01 earlier address;
* civil status: R02 correct civil status, A25 undo civil status, T02 earlier civil status (an undo
  also undoes the spouse's row of the same marriage, logged with ``ÆG``/``PA``);
* shared residence: R03 correct, F03 undo, T03 earlier;
* church: R04 correct, P56 undo, T04 earlier;
* disappearance: R05 correct, F05 undo, T05 earlier;
* name: A16 correct name, A17 undo name, T08 earlier name;
* separation: P48 correct, P49 undo, T11 earlier;
* citizenship: R13 correct, F13 undo, T13 earlier;
* departure: R14 correct, F14 undo, T14 earlier.

A correction marks the row ``K`` and adds a corrected copy; an undo marks it ``A`` (a current row
gives way to the previous one); earlier data inserts a historical row in its place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from opencpr.domain.codes import EVENT
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
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
from opencpr.domain.events.effects import clear_address, log, spouse_marker
from opencpr.domain.events.maintenance.kinds import (
    HISTORY_KINDS,
    HistoryKind,
    data_field,
    overlaps,
    previous_row,
    select_row,
    selected_row,
    selection_rules,
)
from opencpr.domain.events.maintenance.operations import (
    CORRECT,
    EARLIER,
    UNDO,
    corrected_copy,
    describe_changes,
    moment_or_none,
    no_one,
    parse_moment,
    well_formed,
)
from opencpr.domain.events.rules import not_in_future
from opencpr.domain.names import addressing_name

MARRIED = ("G", "P")


# --- correct ---------------------------------------------------------------------------------------

def _changes(k: HistoryKind, s: Situation, row: Row) -> dict[str, Any]:
    """The data columns the correction gives a new value, and the new period."""
    out = {p: s.data[p] for p in k.params() if s.data.get(p) not in (None, "")}
    new_start = moment_or_none(s.data.get("new_start"), k.codec)
    new_end = moment_or_none(s.data.get("new_end"), k.codec)
    if new_start:
        out["valid_from"] = new_start
    if new_end:
        out["valid_to"] = new_end
    return {c: v for c, v in out.items() if (row.get(c) or None) != v}


def _correct_rules(k: HistoryKind) -> tuple[Rule, ...]:
    def period(s: Situation) -> tuple[str | None, str | None]:
        row = selected_row(k, s) or {}
        start = moment_or_none(s.data.get("new_start"), k.codec) or row.get("valid_from") or None
        end = moment_or_none(s.data.get("new_end"), k.codec) or row.get("valid_to") or None
        return start, end

    def in_order(s: Situation) -> bool:
        start, end = period(s)
        return not start or not end or start <= end

    def no_overlap(s: Situation) -> bool:
        row = selected_row(k, s)
        if row is None or not (s.data.get("new_start") or s.data.get("new_end")):
            return True
        start, end = period(s)
        return not overlaps(s.person, k.table, start, end, skip=int(row["id"]))

    def open_current(s: Situation) -> bool:
        row = selected_row(k, s)
        return row is None or not row.get("current") or not s.data.get("new_end")

    def changed(s: Situation) -> bool:
        row = selected_row(k, s)
        return row is None or bool(_changes(k, s, row))

    return (
        *selection_rules(k),
        Rule(INVALID, "NYSTARTDATO skal være en dato ååååmmdd eller et tidspunkt ååååmmddttmm",
             lambda s: s.data.get("new_start") is None or well_formed(s.data["new_start"]), "NYSTARTDATO"),
        Rule(INVALID, "NYSLUTDATO skal være en dato ååååmmdd eller et tidspunkt ååååmmddttmm",
             lambda s: s.data.get("new_end") is None or well_formed(s.data["new_end"]), "NYSLUTDATO"),
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
        row = selected_row(k, s)
        assert row is not None
        changes = _changes(k, s, row)
        if k.kind == "name" and "addressing_name" not in changes and changes.keys() & {
                "first_name", "middle_name", "last_name"}:
            merged = {**row, **changes}
            changes["addressing_name"] = addressing_name(merged["first_name"] or "", merged.get("middle_name"),
                                                         merged["last_name"] or "")
        new = corrected_copy(row, changes)
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
    return (*selection_rules(k), *k.extra_rules.get(UNDO, ()),
            Rule(DATE_ORDER, "Hændelsesdatoen ligger i fremtiden", not_in_future))


def _undo_row(k: HistoryKind, state: PersonState, row: Row, plan: Plan) -> Row | None:
    """Mark ``row`` undone; a current row gives way to the previous valid row (returned)."""
    plan.changes.append(Mark(k.table, state.pnr, int(row["id"]), "A"))
    if not row.get("current"):
        return None
    prev = previous_row(state, k.table, row)
    if prev is not None:
        plan.changes.append(Update(k.table, state.pnr, {"current": True, "valid_to": None}, int(prev["id"])))
    return prev


def _undo(k: HistoryKind) -> Callable[[Situation], Plan]:
    def effect(s: Situation) -> Plan:
        plan = Plan()
        row = selected_row(k, s)
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
        return moment_or_none(s.data.get("start"), k.codec), moment_or_none(s.data.get("end"), k.codec)

    def in_order(s: Situation) -> bool:
        start, end = period(s)
        return not start or not end or start < end

    def before_current(s: Situation) -> bool:
        _, end = period(s)
        current = s.person.current(k.table)
        return not end or current is None or not current.get("valid_from") or end <= current["valid_from"]

    def no_overlap(s: Situation) -> bool:
        start, end = period(s)
        return not start or not end or not overlaps(s.person, k.table, start, end)

    def after_birth(s: Situation) -> bool:
        start, _ = period(s)
        born = s.person.birth_date
        return not start or not born or born[5:7] == "00" or start[:10] >= born

    def ended(s: Situation) -> bool:
        _, end = period(s)
        return not end or end[:10] <= s.today

    return (
        Rule(INVALID, "STARTDATO skal være en dato ååååmmdd eller et tidspunkt ååååmmddttmm",
             lambda s: well_formed(s.data.get("start")), "STARTDATO"),
        Rule(INVALID, "SLUTDATO skal være en dato ååååmmdd eller et tidspunkt ååååmmddttmm",
             lambda s: well_formed(s.data.get("end")), "SLUTDATO"),
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
        related=_named_spouse if k.kind == "civil_status" else no_one, allow_future=False,
        maintenance=(k.kind, CORRECT))
    undo = EventType(
        k.code(UNDO), f"undo {k.kind.replace('_', ' ')}", EVENT.text(k.code(UNDO)),
        f"Undo a wrongly registered row of {k.table.replace('_', ' ')} data: the row is kept, marked A; an undone "
        "current row gives way to the previous one, which is current again.",
        (_SELECT,), _undo(k), rules=_undo_rules(k), concerns=(k.table,),
        related=_selected_spouse(k) if k.kind == "civil_status" else no_one,
        derived=("ÆG", "PA") if k.kind == "civil_status" else (), allow_future=False, maintenance=(k.kind, UNDO))
    earlier = EventType(
        k.code(EARLIER), f"earlier {k.kind.replace('_', ' ')}", EVENT.text(k.code(EARLIER)),
        f"Report a previous period of {k.table.replace('_', ' ')} data that arrived late: a historical row is "
        "inserted in its place in the history.",
        (*earlier_data, _START, _END), _earlier(k), rules=_earlier_rules(k), concerns=(k.table,),
        related=_named_spouse if k.kind == "civil_status" else no_one, allow_future=False,
        maintenance=(k.kind, EARLIER))
    return correct, undo, earlier


EVENTS: tuple[EventType, ...] = tuple(e for k in HISTORY_KINDS for e in _history_events(k))
