"""Events about where a person lives: move (A01) …"""

from __future__ import annotations

from opencpr.domain import reference
from opencpr.domain.codes import Event
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    DataField,
    EventType,
    FieldKind,
    Plan,
    Rule,
    Situation,
)
from opencpr.domain.events.effects import ADDRESS_KEYS, clear_address, log, replace_current

# --- shared fields and rules ------------------------------------------------------------------------

ADDRESS_FIELDS = (
    DataField("KOMKOD", "municipality", FieldKind.MUNICIPALITY, required=True, description="Kommunekode"),
    DataField("VEJKOD", "road", FieldKind.ROAD, required=True, of="municipality", description="Vejkode"),
    DataField("HUSNR", "house_no", FieldKind.HOUSE_NO, required=True, description="Husnummer (1-999 og bogstav)"),
    DataField("ETAGE", "floor", FieldKind.FLOOR, description="Etage: st, kl eller 1-99"),
    DataField("SIDEDOER", "door", FieldKind.DOOR, description="Side/dør: tv, th, mf eller dørnummer"),
    DataField("BNR", "building_no", FieldKind.TEXT, length=4, description="Bygningsnummer"),
    DataField("CONVN", "co_name", FieldKind.TEXT, length=34, description="c/o-navn"),
)


def alive(s: Situation) -> bool:
    return not s.person.is_dead


def not_before_birth(s: Situation) -> bool:
    born = s.person.birth_date
    return not born or born[5:7] == "00" or s.date >= born


def _house_exists(s: Situation) -> bool:
    road = reference.road(s.data.get("municipality") or "", s.data.get("road") or "")
    house = s.data.get("house_no")
    if road is None or not house:
        return True  # reported by the field checks
    number = int(house[:3])
    return number <= (road.max_odd if number % 2 else road.max_even)


def _resident(s: Situation) -> bool:
    return s.person.status in ("01", "03", "05", "07")


def _not_before_current_address(s: Situation) -> bool:
    current = s.person.current("address")
    return current is None or not current.get("valid_from") or s.date >= current["valid_from"][:10]


def _new_address(s: Situation) -> bool:
    current = s.person.current("address")
    if current is None:
        return True
    return any((current.get(k) or None) != (s.data.get(k) or None) for k in ADDRESS_KEYS[:6])


# --- A01 move ---------------------------------------------------------------------------------------

def _move(s: Situation) -> Plan:
    plan = Plan()
    old = s.person.current("address")
    new = {k: s.data.get(k) for k in ADDRESS_KEYS}
    if old is not None and old.get("municipality") == new["municipality"]:
        new["municipality_arrival"] = old.get("municipality_arrival")
        new["from_municipality"] = old.get("from_municipality")
        new["from_municipality_departure"] = old.get("from_municipality_departure")
    else:
        new["municipality_arrival"] = s.moment
        if old is not None:
            new["from_municipality"] = old.get("municipality")
            new["from_municipality_departure"] = s.moment
    plan.changes += replace_current(s.person, "address", new, s.moment)
    plan.changes.append(clear_address(s.person, new))
    log(plan, s, summary=f"{s.texts.get('road', '')} {s.data['house_no']}, {s.texts.get('municipality', '')}")
    return plan


MOVE = EventType(
    Event.MOVE.value, "move", "Flytning",
    "A move to a Danish address: the current address is closed on the event date and the new one begins.",
    ADDRESS_FIELDS, _move,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(PERSON_STATE, "Personen har ikke bopæl i Danmark (brug genindrejse eller genfinding)", _resident),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før tilflytningen til den nuværende adresse",
             _not_before_current_address),
        Rule(INVALID, "Husnummeret findes ikke på vejen", _house_exists, "HUSNR"),
        Rule(NO_CHANGE, "Den nye adresse er den samme som den nuværende", _new_address),
    ),
    concerns=("address",), destination="municipality",
)

EVENTS = (MOVE,)
