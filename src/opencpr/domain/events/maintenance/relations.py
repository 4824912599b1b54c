"""Correct and undo the relations (slægtskabsdata): R12 correct relation, F12 undo relation.

The parents are on the child's person row (record 015), the child on each parent (record 014); a
parent changed gets the event with ``MO`` or ``FA``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opencpr.domain.codes import EVENT
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
    Update,
)
from opencpr.domain.events.effects import FATHER, MOTHER, log
from opencpr.domain.events.maintenance.operations import CORRECT, UNDO, describe_changes
from opencpr.domain.events.rules import in_force, not_in_future

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


EVENTS: tuple[EventType, ...] = RELATION
