"""Events about who a person is: naming (A14), name change (A13) …"""

from __future__ import annotations

from opencpr.domain.codes import Event
from opencpr.domain.events.base import (
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
from opencpr.domain.events.effects import log, replace_current
from opencpr.domain.events.residence import alive

NAME_FIELDS = (
    DataField("FORNVN", "first_name", FieldKind.TEXT, required=True, length=50, description="Fornavn(e)"),
    DataField("MELNVN", "middle_name", FieldKind.TEXT, length=40, description="Mellemnavn(e)"),
    DataField("EFTERNVN", "last_name", FieldKind.TEXT, required=True, length=40, description="Efternavn"),
    DataField("ADRNVN", "addressing_name", FieldKind.TEXT, length=34,
              description="Adresseringsnavn (udeladt: dannes af navnene)"),
)


def addressing_name(first: str, middle: str | None, last: str) -> str:
    """ADRNVN: the name as written on a letter, at most 34 characters (middle names as initials if needed)."""
    full = f"{first} {middle} {last}" if middle else f"{first} {last}"
    if len(full) <= 34:
        return full
    if middle:
        short_middle = " ".join(w[0] for w in middle.split())
        full = f"{first} {short_middle} {last}"
        if len(full) <= 34:
            return full
    parts = first.split()
    first_short = " ".join([parts[0], *(w[0] for w in parts[1:])])
    return (f"{first_short} {last}")[:34]


def _changed(s: Situation) -> bool:
    current = s.person.current("name")
    if current is None:
        return True
    return any((current.get(k) or None) != (s.data.get(k) or None) for k in ("first_name", "middle_name", "last_name"))


def _name(s: Situation) -> Plan:
    plan = Plan()
    data = s.data
    name = addressing_name(data["first_name"], data.get("middle_name"), data["last_name"])
    values = {"first_name": data["first_name"], "middle_name": data.get("middle_name"), "last_name": data["last_name"],
              "addressing_name": data.get("addressing_name") or name}
    plan.changes += replace_current(s.person, "name", values, s.moment)
    clear = s.person.one("clear_address")
    if clear is not None:
        plan.changes.append(Update("clear_address", s.person.pnr, {"addressing_name": values["addressing_name"]},
                                   int(clear["id"])))
    log(plan, s, summary=values["addressing_name"])
    return plan


NAMING = EventType(
    Event.NAMING.value, "naming", "Navngivning",
    "The first naming of a person (after a birth or an entry): the names begin on the event date.",
    NAME_FIELDS, _name,
    rules=(Rule(PERSON_STATE, "Personen er død", alive),
           Rule(PERSON_STATE, "Personen er allerede navngivet (brug navneændring)",
                lambda s: s.person.current("name") is None or not s.person.current("name").get("first_name"))),
    concerns=("name",),
)

NAME_CHANGE = EventType(
    Event.NAME_CHANGE.value, "name change", "Navneændring",
    "A change of first, middle or last name: the current names end and the new ones begin on the event date.",
    NAME_FIELDS, _name,
    rules=(Rule(PERSON_STATE, "Personen er død", alive),
           Rule(NO_CHANGE, "Navnene er de samme som de nuværende", _changed)),
    concerns=("name",),
)

EVENTS = (NAMING, NAME_CHANGE)
