"""Events about where a person lives, and the person status that goes with it: move (A01),
disappearance (A02) and re-finding (A03), emigration (A06) and re-entry (A04), entry with and
without a PNR (B11, B12).

Each settles the person at a Danish address or takes the person away from one (:func:`settle`,
:func:`blank_clear_address`). A disappearance or an emigration ends the person's own shared
residence and those children have at the person's address (derived marker ``BØ``); the other events
change no relative.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opencpr.domain import reference
from opencpr.domain.codes import SEX, Event
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    REQUIRED,
    Change,
    Close,
    DataField,
    EventRefused,
    EventType,
    FieldKind,
    Insert,
    NewPerson,
    PersonState,
    Plan,
    Problem,
    Row,
    Rule,
    Situation,
    Update,
)
from opencpr.domain.events.effects import (
    ADDRESS_KEYS,
    CHILD,
    address_lines,
    children,
    clear_address,
    end_children_shared_residence,
    end_current,
    end_shared_residence,
    log,
    replace_current,
    set_person,
)
from opencpr.domain.events.rules import (
    alive,
    day_of,
    emigrated,
    not_before_birth,
    not_before_current_address,
    not_in_future,
    resident,
    resident_if_alive,
)
from opencpr.domain.names import addressing_name

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

#: The address fields where an address is optional (re-finding): the same fields, none required.
OPTIONAL_ADDRESS_FIELDS = tuple(
    DataField(f.name, f.param, f.kind, False, f.length, f.choices, f.codes, f.of, f.description + " (valgfri)")
    for f in ADDRESS_FIELDS
)

ENTRY_COUNTRY = DataField("INDR_LANDEKOD", "entry_country", FieldKind.COUNTRY,
                          description="Landekode for det land, personen kommer fra")

DENMARK = reference.DENMARK


def _house_exists(s: Situation) -> bool:
    road = reference.road(s.data.get("municipality") or "", s.data.get("road") or "")
    house = s.data.get("house_no")
    if road is None or not house:
        return True  # reported by the field checks
    number = int(house[:3])
    return number <= (road.max_odd if number % 2 else road.max_even)


def _new_address(s: Situation) -> bool:
    current = s.person.current("address")
    if current is None:
        return True
    return any((current.get(k) or None) != (s.data.get(k) or None) for k in ADDRESS_KEYS[:6])


def resident_status(municipality: str | None, road: str | None) -> str:
    """The person status of someone living at a Danish address: 01, 03 for a special road code
    (9900-9999), 05 and 07 in Greenland."""
    special = bool(road) and str(road).isdigit() and int(str(road)) >= 9900
    greenland = bool(municipality) and str(municipality) >= reference.GREENLAND_FROM
    return ("07" if special else "05") if greenland else ("03" if special else "01")


# --- building blocks of the address events --------------------------------------------------------------

#: The tables settling at an address reads: the address, the clear-written address, the name (its addressing name).
_SETTLE_READS = ("address", "clear_address", "name")

_CLEAR_ADDRESS_BLANK = ("co_name", "locality", "standard_address", "town", "postal_code", "postal_district",
                        "municipality", "road", "house_no", "floor", "door", "building_no", "road_addressing_name")


def blank_clear_address(state: PersonState) -> list[Change]:
    """The clear-written address of a person who no longer lives at a Danish address: only the name stays."""
    old = state.one("clear_address")
    if old is None:
        return []
    return [Update("clear_address", state.pnr, dict.fromkeys(_CLEAR_ADDRESS_BLANK), int(old["id"]))]


def settle(s: Situation, state: PersonState, address: Mapping[str, Any]) -> list[Change]:
    """Register ``state`` at a Danish ``address`` from the event's moment: the current address ends,
    the new one begins (with the arrival in the municipality) and the clear-written address follows."""
    old = state.current("address")
    new = {k: address.get(k) for k in ADDRESS_KEYS}
    if old is not None and old.get("municipality") == new["municipality"]:
        new["municipality_arrival"] = old.get("municipality_arrival")
        new["from_municipality"] = old.get("from_municipality")
        new["from_municipality_departure"] = old.get("from_municipality_departure")
    else:
        new["municipality_arrival"] = s.moment
        if old is not None:
            new["from_municipality"] = old.get("municipality")
            new["from_municipality_departure"] = s.moment
    return [*replace_current(state, "address", new, s.moment), clear_address(state, new)]


def _address_summary(s: Situation, address: Mapping[str, Any] | None = None) -> str:
    address = address or s.data
    road = reference.road(address.get("municipality") or "", address.get("road") or "")
    place = reference.authority(address.get("municipality") or "")
    return f"{road.name if road else address.get('road')} {address.get('house_no')}, {place.name if place else ''}"


def _becomes_resident(s: Situation, address: Mapping[str, Any]) -> Change:
    return set_person(s.person, status=resident_status(address.get("municipality"), address.get("road")),
                      status_date=s.moment, status_date_uncertain=False)


def _end_departure(s: Situation) -> list[Change]:
    """End the current departure on entry (INDRDTO), with the country the person comes from."""
    departure = s.person.current("departure")
    if departure is None:
        country = s.data.get("entry_country")
        return [Insert("departure", s.person.pnr, {"entry_country": country, "valid_to": s.moment,
                                                   "current": False})] if country else []
    country = s.data.get("entry_country") or departure.get("exit_country")
    return [Update("departure", s.person.pnr, {"entry_country": country}, int(departure["id"])),
            Close("departure", s.person.pnr, int(departure["id"]), s.moment)]


def _not_from_denmark(s: Situation) -> bool:
    return s.data.get("entry_country") != DENMARK


# --- A01 move ---------------------------------------------------------------------------------------

def _move(s: Situation) -> Plan:
    plan = Plan(settle(s, s.person, s.data))
    log(plan, s, summary=f"{s.texts.get('road', '')} {s.data['house_no']}, {s.texts.get('municipality', '')}")
    return plan


MOVE = EventType(
    Event.MOVE.value, "move", "Flytning",
    "A move to a Danish address: the current address is closed on the event date and the new one begins.",
    ADDRESS_FIELDS, _move,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(PERSON_STATE, "Personen har ikke bopæl i Danmark (brug genindrejse eller genfinding)", resident),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før tilflytningen til den nuværende adresse",
             not_before_current_address),
        Rule(INVALID, "Husnummeret findes ikke på vejen", _house_exists, "HUSNR"),
        Rule(NO_CHANGE, "Den nye adresse er den samme som den nuværende", _new_address),
    ),
    concerns=("address",), destination="municipality", reads=_SETTLE_READS,
    secondary=(Event.SUPPLEMENTARY_ADDRESS.value, Event.SHARED_RESIDENCE.value),
)


# --- A02 disappearance, A03 re-finding -------------------------------------------------------------------

def _disappearance(s: Situation) -> Plan:
    person = s.person
    plan = Plan([set_person(person, status="70", status_date=s.moment, status_date_uncertain=False),
                 *end_current(person, "address", s.moment), *blank_clear_address(person),
                 Insert("disappearance", person.pnr, {"valid_from": s.moment, "current": True}),
                 *end_shared_residence(person, s.date)])
    log(plan, s)
    end_children_shared_residence(plan, s, person, s.date)
    return plan


DISAPPEARANCE = EventType(
    Event.DISAPPEARANCE.value, "disappearance", "Forsvinding",
    "A person has disappeared: status 70 from the event date, the current address ends and a disappearance "
    "begins; a shared residence of the person ends, and so do those children have at the person's address (BØ).",
    (), _disappearance,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(PERSON_STATE, "Personen er allerede registreret som forsvundet", lambda s: s.person.status != "70"),
        Rule(PERSON_STATE, "Personen har ikke bopæl i Danmark",
             lambda s: s.person.status in ("70", "90") or resident(s)),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før tilflytningen til den nuværende adresse",
             not_before_current_address),
        Rule(DATE_ORDER, "Forsvindingsdatoen ligger i fremtiden", not_in_future),
    ),
    concerns=("address", "disappearance"), allow_future=False, related=children, derived=(CHILD,),
    reads=("address", "clear_address", "shared_residence", "child"),
)


def _address_given(data: Mapping[str, Any]) -> bool:
    return any(data.get(k) for k in ADDRESS_KEYS)


def previous_address(state: PersonState) -> Row | None:
    """The address the person left last (not current, not corrected or undone): the latest moved-out date."""
    rows = [r for r in state.valid("address") if not r.get("current")]
    return max(rows, key=lambda r: (r.get("valid_to") or r.get("valid_from") or "", r["id"]), default=None)


def _whole_address(s: Situation) -> bool:
    return not _address_given(s.data) or all(s.data.get(k) for k in ("municipality", "road", "house_no"))


def _some_address(s: Situation) -> bool:
    return _address_given(s.data) or previous_address(s.person) is not None


def _refound_address(s: Situation) -> dict[str, Any]:
    if _address_given(s.data):
        return {k: s.data.get(k) for k in ADDRESS_KEYS}
    old = previous_address(s.person)
    if old is None:
        raise EventRefused(Problem(REQUIRED, "Personen har ingen tidligere adresse: adressen skal udfyldes", "KOMKOD"))
    return {k: old.get(k) for k in ADDRESS_KEYS}


def _disappeared(s: Situation) -> bool:
    return s.person.is_dead or (s.person.status == "70" and s.person.current("disappearance") is not None)


def _not_before_disappearance(s: Situation) -> bool:
    row = s.person.current("disappearance")
    return row is None or not row.get("valid_from") or s.date >= day_of(row["valid_from"])


def _refinding(s: Situation) -> Plan:
    person = s.person
    address = _refound_address(s)
    plan = Plan([*end_current(person, "disappearance", s.moment), _becomes_resident(s, address),
                 *settle(s, person, address)])
    log(plan, s, summary=_address_summary(s, address))
    return plan


REFINDING = EventType(
    Event.REFOUND.value, "re-finding", "Genfinding",
    "A disappeared person is found again: the disappearance ends, the status becomes 01 (03 on a special road "
    "code) and the person lives at the address given, or else again at the last address before disappearing.",
    OPTIONAL_ADDRESS_FIELDS, _refinding,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(PERSON_STATE, "Personen er ikke registreret som forsvundet", _disappeared),
        Rule(DATE_ORDER, "Genfindingsdatoen ligger før forsvindingsdatoen", _not_before_disappearance),
        Rule(DATE_ORDER, "Genfindingsdatoen ligger i fremtiden", not_in_future),
        Rule(REQUIRED, "Adressen skal udfyldes helt: KOMKOD, VEJKOD og HUSNR", _whole_address, "KOMKOD"),
        Rule(REQUIRED, "Personen har ingen tidligere adresse: adressen skal udfyldes", _some_address, "KOMKOD"),
        Rule(INVALID, "Husnummeret findes ikke på vejen", _house_exists, "HUSNR"),
    ),
    concerns=("disappearance", "address"), destination="municipality", allow_future=False,
    reads=("disappearance", *_SETTLE_READS),
)


# --- A06 emigration, A04 re-entry, B11 entry with PNR ------------------------------------------------------

def _emigration(s: Situation) -> Plan:
    person = s.person
    departure = {"exit_country": s.data["exit_country"], **address_lines(s.data, "foreign_line")}
    plan = Plan([set_person(person, status="80", status_date=s.moment, status_date_uncertain=False),
                 *end_current(person, "address", s.moment), *blank_clear_address(person),
                 *replace_current(person, "departure", departure, s.moment),
                 *end_shared_residence(person, s.date)])
    log(plan, s, summary=s.texts.get("exit_country", s.data["exit_country"]))
    end_children_shared_residence(plan, s, person, s.date)
    return plan


EMIGRATION = EventType(
    Event.EMIGRATION.value, "emigration", "Udrejse",
    "A person leaves Denmark: status 80 from the event date, the current address ends and a departure "
    "to the exit country begins, with the address abroad; a shared residence of the person ends, and so do "
    "those children have at the person's address (BØ). A future date waits in the pending register.",
    (DataField("UDR_LANDEKOD", "exit_country", FieldKind.COUNTRY, required=True,
               description="Landekode for det land, personen rejser til"),
     *(DataField(f"UDLANDADR{n}", f"foreign_line{n}", FieldKind.TEXT, length=34,
                 description=f"Adresse i udlandet, linje {n}") for n in range(1, 6))),
    _emigration,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(PERSON_STATE, "Personen har ikke bopæl i Danmark", resident_if_alive),
        Rule(INVALID, "Udrejselandet kan ikke være Danmark", lambda s: s.data.get("exit_country") != DENMARK,
             "UDR_LANDEKOD"),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, "Udrejsedatoen ligger før tilflytningen til den nuværende adresse",
             not_before_current_address),
    ),
    concerns=("address", "departure"), related=children, derived=(CHILD,),
    reads=("address", "clear_address", "departure", "shared_residence", "child"),
    secondary=(Event.CONTACT_ADDRESS.value,),
)


def _not_before_departure(s: Situation) -> bool:
    row = s.person.current("departure")
    return row is None or not row.get("valid_from") or s.date >= day_of(row["valid_from"])


def _entry(s: Situation) -> Plan:
    plan = Plan([*_end_departure(s), _becomes_resident(s, s.data), *settle(s, s.person, s.data)])
    log(plan, s, summary=_address_summary(s))
    return plan


_ENTRY_RULES = (
    Rule(PERSON_STATE, "Personen er død", alive),
    Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
    Rule(DATE_ORDER, "Indrejsedatoen ligger før udrejsedatoen", _not_before_departure),
    Rule(INVALID, "Indrejselandet kan ikke være Danmark", _not_from_denmark, "INDR_LANDEKOD"),
    Rule(INVALID, "Husnummeret findes ikke på vejen", _house_exists, "HUSNR"),
)

REENTRY = EventType(
    Event.REENTRY.value, "re-entry", "Genindrejse",
    "An emigrated person (status 80) comes back: the departure ends with the country the person comes from "
    "(by default the exit country), the status becomes 01 (03 on a special road code) and the new Danish "
    "address begins.",
    (*ADDRESS_FIELDS, ENTRY_COUNTRY), _entry,
    rules=(Rule(PERSON_STATE, "Personen er ikke registreret som udrejst", emigrated), *_ENTRY_RULES),
    concerns=("departure", "address"), destination="municipality", reads=("departure", *_SETTLE_READS),
    secondary=(Event.CITIZENSHIP.value, Event.CHURCH_AND_OCCUPATION.value),
)


def _may_enter(s: Situation) -> bool:
    return s.person.is_dead or s.person.status in ("20", "80")


ENTRY_WITH_PNR = EventType(
    Event.ENTRY_WITH_PNR.value, "entry with PNR", "Indrejse med personnummer",
    "A person who has a CPR number but does not live in Denmark (status 20, or 80 emigrated) takes up "
    "residence: a current departure ends (else the entry is recorded with the country the person comes "
    "from), the status becomes 01 (03 on a special road code) and the Danish address begins.",
    (*ADDRESS_FIELDS, DataField(ENTRY_COUNTRY.name, ENTRY_COUNTRY.param, ENTRY_COUNTRY.kind, required=True,
                                description=ENTRY_COUNTRY.description)),
    _entry,
    rules=(
        Rule(PERSON_STATE, "Personen skal være uden bopæl i Danmark (status 20) eller udrejst (status 80); "
             "en forsvundet person genfindes (A03)", _may_enter),
        *_ENTRY_RULES,
    ),
    concerns=("departure", "address"), destination="municipality", reads=("departure", *_SETTLE_READS),
    secondary=(Event.CITIZENSHIP.value, Event.CHURCH_AND_OCCUPATION.value, Event.CONTACT_ADDRESS.value),
)


# --- B12 entry without PNR -------------------------------------------------------------------------------

def _entry_without_pnr(s: Situation) -> Plan:
    pnr = s.data.get("new_pnr")
    if not pnr:
        raise EventRefused(Problem(PERSON_STATE, "Der er ikke tildelt et personnummer"))
    data = s.data
    name = addressing_name(data["first_name"], data.get("middle_name"), data["last_name"])
    address = {k: data.get(k) for k in ADDRESS_KEYS}
    person = PersonState(pnr, {"pnr": pnr, "status": None},
                         {"name": ({"current": True, "addressing_name": name},)})
    plan = Plan([NewPerson(pnr, {
        "status": resident_status(address["municipality"], address["road"]), "status_date": s.moment,
        "status_date_uncertain": False, "sex": data["sex"], "birth_date": data["birth_date"],
        "birth_date_uncertain": False, "start_date": s.date, "start_date_uncertain": False, "current_pnr": None,
    })])
    plan.changes.append(Insert("name", pnr, {
        "first_name": data["first_name"], "middle_name": data.get("middle_name"), "last_name": data["last_name"],
        "addressing_name": name, "valid_from": s.moment, "current": True}))
    plan.changes += [*settle(s, person, address),
                     Insert("citizenship", pnr, {"country": data["country"], "valid_from": s.moment, "current": True}),
                     Insert("civil_status", pnr, {"civil_status": "U", "valid_from": s.moment, "current": True}),
                     Insert("church", pnr, {"church": "U", "valid_from": s.date, "current": True}),
                     Insert("departure", pnr, {"entry_country": data["entry_country"], "valid_to": s.moment,
                                               "current": False})]
    log(plan, s, pnr, summary=f"{name}, {_address_summary(s, address)}")
    return plan


def _born_before_entry(s: Situation) -> bool:
    born = s.data.get("birth_date")
    return not born or born <= s.date


ENTRY_WITHOUT_PNR = EventType(
    Event.ENTRY_WITHOUT_PNR.value, "entry without PNR", "Indrejse uden personnummer",
    "A person who has never had a CPR number takes up residence in Denmark: a new CPR number is given from "
    "the birth date and sex, and the person is registered with status 01, names, the Danish address, "
    "citizenship, the country of entry, civil status U (unmarried) and no membership of the national church.",
    (DataField("FOEDDATO", "birth_date", FieldKind.DATE, required=True, description="Fødselsdato"),
     DataField("KOEN", "sex", FieldKind.CHOICE, required=True, codes=SEX, description="Køn: M mand, K kvinde"),
     DataField("FORNVN", "first_name", FieldKind.TEXT, required=True, length=50, description="Fornavn(e)"),
     DataField("MELNVN", "middle_name", FieldKind.TEXT, length=40, description="Mellemnavn(e)"),
     DataField("EFTERNVN", "last_name", FieldKind.TEXT, required=True, length=40, description="Efternavn"),
     DataField("LANDEKOD", "country", FieldKind.COUNTRY, required=True, description="Statsborgerskab (landekode)"),
     DataField(ENTRY_COUNTRY.name, ENTRY_COUNTRY.param, ENTRY_COUNTRY.kind, required=True,
               description=ENTRY_COUNTRY.description),
     *ADDRESS_FIELDS),
    _entry_without_pnr,
    rules=(
        Rule(DATE_ORDER, "Fødselsdatoen ligger efter indrejsedatoen", _born_before_entry, "FOEDDATO"),
        Rule(DATE_ORDER, "Indrejsedatoen ligger i fremtiden", not_in_future),
        Rule(INVALID, "Indrejselandet kan ikke være Danmark", _not_from_denmark, "INDR_LANDEKOD"),
        Rule(INVALID, "Husnummeret findes ikke på vejen", _house_exists, "HUSNR"),
    ),
    allow_future=False, new_person=True, destination="municipality", reads=(),
    secondary=(Event.NAMING.value, Event.CITIZENSHIP.value, Event.CHURCH_AND_OCCUPATION.value),
)

EVENTS = (MOVE, DISAPPEARANCE, REFINDING, EMIGRATION, REENTRY, ENTRY_WITH_PNR, ENTRY_WITHOUT_PNR)
