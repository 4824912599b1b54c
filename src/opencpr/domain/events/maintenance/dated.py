"""Correct, undo and report earlier data of the kinds whose rows have a period but no current flag,
each row named by a key (:class:`DatedKind`, declared once each in :data:`DATED_KINDS`):

* protection (record 004, key BESKYTTYPE): R15 correct, F15 undo, T15 earlier protection;
* municipal conditions (018, key KOMFORHTYP): R07 correct, F07 undo, T07 earlier municipal condition;
* municipal notes (019, key NOTATNR): R16 correct, F16 undo, T16 earlier note;
* previous PNRs (022, key TIDLPNR): R09 correct, F09 undo, T09 earlier previous PNR.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from opencpr.domain.codes import EVENT, PROTECTION
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    RELATIVE,
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
)
from opencpr.domain.events.effects import log
from opencpr.domain.events.maintenance.operations import (
    CORRECT,
    EARLIER,
    MARKED,
    UNDO,
    Selection,
    column_length,
    corrected_copy,
    describe_changes,
    moment_or_none,
    no_one,
    parse_moment,
    well_formed,
)
from opencpr.domain.events.rules import in_force, not_in_future

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
    start = moment_or_none(s.data.get("start"), "D")
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
    new_start = moment_or_none(s.data.get("new_start"), "D")
    new_end = moment_or_none(s.data.get("new_end"), "D") if k.ends else None
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
                         Insert(k.table, s.person.pnr, corrected_copy(row, changes))]
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
            return moment_or_none(s.data.get("start"), "D"), moment_or_none(s.data.get("end"), "D")
        row = _dated_row(k, s) or {}
        start = moment_or_none(s.data.get("new_start"), "D") or (row.get("valid_from") or "")[:10] or None
        end = moment_or_none(s.data.get("new_end"), "D") or (row.get("valid_to") or "")[:10] or None
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
                 lambda s: all(s.data.get(p) is None or well_formed(s.data[p])
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
                  related=k.related or no_one, allow_future=False, maintenance=(k.kind, action))
        for action, code in k.codes.items())


# the rules of particular dated kinds

def _condition_new(s: Situation) -> bool:
    start = moment_or_none(s.data.get("start"), "D")
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
         DataField("BEMAERK", "remark", FieldKind.TEXT, length=column_length("municipal_condition", "remark") or 30,
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


EVENTS: tuple[EventType, ...] = tuple(e for k in DATED_KINDS for e in _dated_events(k))
