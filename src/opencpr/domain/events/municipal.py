"""Events about the municipality's own data on a person: municipal conditions (B13) and municipal
notes (B14).

Neither changes a relative: they log no derived events. Correcting, undoing and reporting earlier
rows of these kinds is data maintenance (:mod:`opencpr.domain.events.maintenance.dated`).
"""

from __future__ import annotations

from opencpr.domain.codes import Event
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    DataField,
    EventType,
    FieldKind,
    Insert,
    PersonState,
    Plan,
    Rule,
    Situation,
)
from opencpr.domain.events.effects import log
from opencpr.domain.events.rules import alive, not_before_birth, open_rows, valid_to_after_date

# --- B13 municipal conditions, B14 municipal notes -----------------------------------------------------------

def _municipal_condition(s: Situation) -> Plan:
    plan = Plan([Insert("municipal_condition", s.person.pnr, {
        "condition_type": s.data["condition_type"], "condition_code": s.data["condition_code"],
        "valid_from": s.date, "valid_from_uncertain": False, "remark": s.data.get("remark")})])
    log(plan, s, summary=f"{s.data['condition_type']} {s.data['condition_code']}")
    return plan


def _new_condition(s: Situation) -> bool:
    return not any(r.get("condition_type") == s.data.get("condition_type")
                   and r.get("condition_code") == s.data.get("condition_code")
                   for r in s.person.valid("municipal_condition"))


MUNICIPAL_CONDITIONS = EventType(
    Event.MUNICIPAL_CONDITIONS.value, "municipal conditions", "Kommunale forhold",
    "A municipal condition of the person (kommunale forhold: a type, a code and a remark) from the event date.",
    (DataField("KOMFORHTYP", "condition_type", FieldKind.DIGITS, required=True, length=1,
               description="Type af kommunalt forhold (1-9)"),
     DataField("KOMFORHKOD", "condition_code", FieldKind.TEXT, required=True, length=5,
               description="Kode for forholdet"),
     DataField("BEMAERK", "remark", FieldKind.TEXT, length=30, description="Bemærkning")),
    _municipal_condition,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(INVALID, "Typen skal være 1-9", lambda s: s.data.get("condition_type") != "0", "KOMFORHTYP"),
        Rule(NO_CHANGE, "Forholdet er allerede registreret", _new_condition),
    ),
    concerns=("municipal_condition",), reads=("municipal_condition",),
)


def next_note_no(state: PersonState, day: str) -> str | None:
    """The lowest note number (01-99) no note in force on ``day`` uses; None when all are used."""
    used = {int(r["note_no"]) for r in open_rows(state, "note", day) if str(r.get("note_no") or "").isdigit()}
    return next((f"{n:02d}" for n in range(1, 100) if n not in used), None)


def _note(s: Situation) -> Plan:
    number = next_note_no(s.person, s.date)
    plan = Plan([Insert("note", s.person.pnr, {"note_no": number, "text": s.data["text"], "valid_from": s.date,
                                               "valid_to": s.data.get("valid_to")})])
    log(plan, s, summary=f"{number} {s.data['text']}")
    return plan


MUNICIPAL_NOTES = EventType(
    Event.MUNICIPAL_NOTES.value, "municipal notes", "Kommunale notater",
    "A note line on the person (40 characters) under the next free note number, from the event date; "
    "an end (deletion) date may be given.",
    (DataField("NOTATLINIE", "text", FieldKind.TEXT, required=True, length=40, description="Notatets tekst"),
     DataField("SLETDATO", "valid_to", FieldKind.DATE, description="Notatet slettes den")),
    _note,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, "Slutdatoen skal ligge efter startdatoen", valid_to_after_date, "SLETDATO"),
        Rule(PERSON_STATE, "Personen har allerede 99 gældende notater",
             lambda s: next_note_no(s.person, s.date) is not None),
    ),
    concerns=("note",), reads=("note",),
)


EVENTS = (MUNICIPAL_CONDITIONS, MUNICIPAL_NOTES)
