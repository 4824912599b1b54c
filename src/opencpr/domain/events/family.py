"""Events about family and civil status: death (A21), marriage (B29) …"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opencpr.domain.codes import Event
from opencpr.domain.events.base import (
    DATE_ORDER,
    PERSON_STATE,
    RELATIVE,
    DataField,
    EventType,
    FieldKind,
    PersonState,
    Plan,
    Rule,
    Situation,
    Update,
)
from opencpr.domain.events.effects import (
    CHILD,
    civil_status_change,
    end_current,
    log,
    set_person,
    spouse_marker,
)
from opencpr.domain.events.residence import alive, not_before_birth

MARRIED = ("G", "P")


def spouse_of(state: PersonState) -> str | None:
    row = state.current("civil_status")
    if row and row.get("civil_status") in MARRIED:
        return row.get("spouse_pnr")
    return None


def spouse_and_children(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    found = [spouse_of(state)] + [r.get("child_pnr") for r in state.all("child")]
    return [p for p in found if p]


def named_spouse(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    return [p for p in (data.get("spouse_pnr"),) if p]


def not_in_future(s: Situation) -> bool:
    return s.date <= s.today


# --- A21 death --------------------------------------------------------------------------------------

def _death(s: Situation) -> Plan:
    plan = Plan()
    person = s.person
    plan.changes.append(set_person(person, status="90", status_date=s.moment, status_date_uncertain=False,
                                   end_date=s.date))
    plan.changes += end_current(person, "address", s.moment)
    spouse = s.other(spouse_of(person))
    current = person.current("civil_status")
    kind = current.get("civil_status") if current else None
    plan.changes += civil_status_change(person, "D", s.moment, spouse)
    log(plan, s)
    if spouse is not None and not spouse.is_dead:
        plan.changes += civil_status_change(spouse, "L" if kind == "P" else "E", s.moment, person)
        log(plan, s, spouse.pnr, spouse_marker(kind))
    for row in person.all("child"):
        child = s.other(row.get("child_pnr"))
        if child is None or child.is_dead:
            continue
        for authority in child.all("parental_authority"):
            holds = (authority.get("authority_type") == "0003" and child.mother == person.pnr) or (
                authority.get("authority_type") == "0004" and child.father == person.pnr) or (
                authority.get("holder_pnr") == person.pnr)
            if holds and not authority.get("valid_to"):
                plan.changes.append(Update("parental_authority", child.pnr, {"valid_to": s.date},
                                           int(authority["id"])))
        log(plan, s, child.pnr, CHILD)
    return plan


DEATH = EventType(
    Event.DEATH.value, "death", "Dødsfald",
    "A death: status 90 from the event date, the address ends, civil status D; a spouse becomes widow(er) "
    "(a registered partner longest living partner) and children lose the parental authority the dead person held.",
    (DataField("DOEDSSTED", "place", FieldKind.TEXT, length=34, description="Dødssted (fri tekst)"),),
    _death,
    rules=(
        Rule(PERSON_STATE, "Personen er allerede registreret som død", alive),
        Rule(DATE_ORDER, "Dødsdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, "Dødsdatoen ligger i fremtiden", not_in_future),
    ),
    concerns=("civil_status", "address"), related=spouse_and_children, derived=("ÆG", "PA", "BØ"),
    allow_future=False,
)


# --- B29 marriage -------------------------------------------------------------------------------------

def _spouse_exists(s: Situation) -> bool:
    return s.other(s.data.get("spouse_pnr")) is not None


def _spouse_alive(s: Situation) -> bool:
    spouse = s.other(s.data.get("spouse_pnr"))
    return spouse is None or not spouse.is_dead


def _not_self(s: Situation) -> bool:
    return s.data.get("spouse_pnr") != s.person.pnr


def _unmarried(state: PersonState | None) -> bool:
    if state is None:
        return True
    row = state.current("civil_status")
    return not row or row.get("civil_status") not in MARRIED


def _adult(state: PersonState | None, day: str) -> bool:
    if state is None:
        return True
    age = state.age_on(day)
    return age is None or age >= 18


def _not_related(s: Situation) -> bool:
    spouse = s.other(s.data.get("spouse_pnr"))
    if spouse is None:
        return True
    p, o = s.person, spouse
    parents = {p.mother, p.father} - {None}
    other_parents = {o.mother, o.father} - {None}
    return o.pnr not in parents and p.pnr not in other_parents and not (parents & other_parents)


def _marriage(s: Situation) -> Plan:
    plan = Plan()
    spouse = s.other(s.data["spouse_pnr"])
    assert spouse is not None
    plan.changes += civil_status_change(s.person, "G", s.moment, spouse)
    plan.changes += civil_status_change(spouse, "G", s.moment, s.person)
    log(plan, s)
    log(plan, s, spouse.pnr, "ÆG")
    return plan


MARRIAGE = EventType(
    Event.MARRIAGE.value, "marriage", "Vielse – indgåelse",
    "A marriage: both persons get civil status G from the event date, each naming the other.",
    (DataField("AEGTEPNR", "spouse_pnr", FieldKind.PNR, required=True, description="Ægtefællens personnummer"),
     DataField("VIELSESMYN", "ceremony_authority", FieldKind.AUTHORITY, description="Vielsesmyndighed")),
    _marriage,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(RELATIVE, "Ægtefællen findes ikke i CPR", _spouse_exists, "AEGTEPNR"),
        Rule(RELATIVE, "Ægtefællen er død", _spouse_alive, "AEGTEPNR"),
        Rule(RELATIVE, "En person kan ikke gifte sig med sig selv", _not_self, "AEGTEPNR"),
        Rule(PERSON_STATE, "Personen er allerede gift eller i registreret partnerskab",
             lambda s: _unmarried(s.person)),
        Rule(RELATIVE, "Ægtefællen er allerede gift eller i registreret partnerskab",
             lambda s: _unmarried(s.other(s.data.get("spouse_pnr"))), "AEGTEPNR"),
        Rule(PERSON_STATE, "Personen er under 18 år på vielsesdatoen", lambda s: _adult(s.person, s.date)),
        Rule(RELATIVE, "Ægtefællen er under 18 år på vielsesdatoen",
             lambda s: _adult(s.other(s.data.get("spouse_pnr")), s.date), "AEGTEPNR"),
        Rule(RELATIVE, "Ægteskab mellem forældre og børn eller søskende er ikke tilladt", _not_related, "AEGTEPNR"),
        Rule(DATE_ORDER, "Vielsesdatoen ligger i fremtiden", not_in_future),
    ),
    concerns=("civil_status",), related=named_spouse, derived=("ÆG",), allow_future=False,
)

EVENTS = (DEATH, MARRIAGE)
