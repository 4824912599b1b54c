"""Correct and undo the kinds of data on the person row without history: the birth registration
(R06 correct birth registration, F06 undo birth registration) and the other person data, the
occupation (R10 correct person, F10 undo person).

The person row is changed in place (it has no correction marker); the old values are in the log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from opencpr.domain.codes import EVENT
from opencpr.domain.events.base import (
    DATE_ORDER,
    NO_CHANGE,
    PERSON_STATE,
    DataField,
    EventType,
    FieldKind,
    Plan,
    Rule,
    Situation,
    Update,
)
from opencpr.domain.events.effects import log
from opencpr.domain.events.maintenance.operations import CORRECT, UNDO, column_length, describe_changes
from opencpr.domain.events.rules import not_in_future

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
    fields = tuple(DataField(name, column, fkind, length=column_length("person", column) if fkind is FieldKind.TEXT else None,
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


EVENTS: tuple[EventType, ...] = (*BIRTH_REGISTRATION, *PERSON_DATA)
