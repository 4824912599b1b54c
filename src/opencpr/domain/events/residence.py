"""Events about where a person lives: move (A01), disappearance (A02) and re-finding (A03), emigration
(A06) and re-entry (A04), entry with and without a PNR (B11, B12), supplementary and contact address
(A07, A47), relocation order (B08), shared residence (B03, B04), EU election address (B06) and the
municipality's own data: municipal conditions (B13) and notes (B14).

None of these events changes a relative: they log no derived events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opencpr.domain import reference
from opencpr.domain.codes import SEX, Event
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    RELATIVE,
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
    open_rows,
    resident,
    resident_if_alive,
    valid_to_after_date,
)

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

#: The European Union's member states other than Denmark, by CPR country code: (joined, left).
EU_MEMBERS: dict[str, tuple[str, str | None]] = {
    "5126": ("1958-01-01", None),  # Belgien
    "5130": ("1958-01-01", None),  # Frankrig
    "5140": ("1958-01-01", None),  # Nederlandene
    "5108": ("1958-01-01", None),  # Luxembourg
    "5150": ("1958-01-01", None),  # Italien
    "5180": ("1958-01-01", None),  # Tyskland
    "5142": ("1973-01-01", None),  # Irland
    "5170": ("1973-01-01", "2020-02-01"),  # Storbritannien
    "5134": ("1981-01-01", None),  # Grækenland
    "5156": ("1986-01-01", None),  # Portugal
    "5164": ("1986-01-01", None),  # Spanien
    "5104": ("1995-01-01", None),  # Finland
    "5120": ("1995-01-01", None),  # Sverige
    "5182": ("1995-01-01", None),  # Østrig
    "5422": ("2004-05-01", None),  # Cypern
    "5607": ("2004-05-01", None),  # Estland
    "5609": ("2004-05-01", None),  # Letland
    "5611": ("2004-05-01", None),  # Litauen
    "5153": ("2004-05-01", None),  # Malta
    "5154": ("2004-05-01", None),  # Polen
    "5778": ("2004-05-01", None),  # Slovakiet
    "5752": ("2004-05-01", None),  # Slovenien
    "5776": ("2004-05-01", None),  # Tjekkiske Republik
    "5174": ("2004-05-01", None),  # Ungarn
    "5128": ("2007-01-01", None),  # Bulgarien
    "5158": ("2007-01-01", None),  # Rumænien
    "5750": ("2013-07-01", None),  # Kroatien
}


def in_eu(country: str | None, day: str) -> bool:
    """True if ``country`` (CPR country code) is a member state of the EU other than Denmark on ``day``."""
    member = EU_MEMBERS.get(country or "")
    return member is not None and member[0] <= day and (member[1] is None or day < member[1])


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


def _line_fields(name: str, param: str, what: str) -> tuple[DataField, ...]:
    return tuple(DataField(f"{name}{n}", f"{param}{n}", FieldKind.TEXT, required=n == 1, length=34,
                           description=f"{what}, linje {n}") for n in range(1, 6))


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
    from opencpr.domain.events.identity import addressing_name

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


# --- A07 supplementary address, A47 contact address, B08 relocation order -----------------------------------

def _has_address(s: Situation) -> bool:
    return s.person.is_dead or s.person.current("address") is not None


def _supplementary_changed(s: Situation) -> bool:
    current = s.person.current("address")
    if current is None:
        return True
    keys = [f"supplementary_line{n}" for n in range(1, 6)]
    return any((current.get(k) or None) != (s.data.get(k) or None) for k in keys) or (
        (current.get("supplementary_end") or None) != (s.data.get("valid_to") or None))


def _supplementary(s: Situation) -> Plan:
    current = s.person.current("address")
    assert current is not None
    values = {"supplementary_authority": s.authority, **address_lines(s.data, "supplementary_line"),
              "supplementary_start": s.date, "supplementary_end": s.data.get("valid_to")}
    plan = Plan([Update("address", s.person.pnr, values, int(current["id"]))])
    log(plan, s, summary=s.data["supplementary_line1"])
    return plan


SUPPLEMENTARY_ADDRESS = EventType(
    Event.SUPPLEMENTARY_ADDRESS.value, "supplementary address", "Supplerende adresse",
    "The supplementary address of the current address (five lines, e.g. a room or a ward): the reporting "
    "authority, the lines and the start date are written on the current address; an end date may be given.",
    (*_line_fields("SUPLADR", "supplementary_line", "Supplerende adresse"),
     DataField("SLETDATO", "valid_to", FieldKind.DATE, description="Den supplerende adresse gælder til")),
    _supplementary,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(PERSON_STATE, "Personen har ingen aktuel adresse i Danmark", _has_address),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før tilflytningen til den nuværende adresse",
             not_before_current_address),
        Rule(DATE_ORDER, "Slutdatoen skal ligge efter startdatoen", valid_to_after_date, "SLETDATO"),
        Rule(NO_CHANGE, "Den supplerende adresse er den samme som den registrerede", _supplementary_changed),
    ),
    concerns=("address",), reads=("address",),
)


def _contact_after_open(s: Situation) -> bool:
    return all(not r.get("valid_from") or s.date >= day_of(r["valid_from"])
               for r in open_rows(s.person, "contact_address", s.date))


def _contact_changed(s: Situation) -> bool:
    new = {f"line{n}": s.data.get(f"contact_line{n}") for n in range(1, 6)}
    return not any(all((r.get(k) or None) == (v or None) for k, v in new.items()) and
                   (r.get("valid_to") or None) == (s.data.get("valid_to") or None)
                   for r in open_rows(s.person, "contact_address", s.date))


def _contact_address(s: Situation) -> Plan:
    pnr = s.person.pnr
    plan = Plan([Update("contact_address", pnr, {"valid_to": s.date}, int(r["id"]))
                 for r in open_rows(s.person, "contact_address", s.date)])
    plan.changes.append(Insert("contact_address", pnr, {
        **{f"line{n}": s.data.get(f"contact_line{n}") for n in range(1, 6)},
        "valid_from": s.date, "valid_to": s.data.get("valid_to")}))
    log(plan, s, summary=s.data["contact_line1"])
    return plan


CONTACT_ADDRESS = EventType(
    Event.CONTACT_ADDRESS.value, "contact address", "Kontaktadresse",
    "An address where the person can be reached (five lines), from the event date; a contact address in "
    "force ends on that date. An end date may be given.",
    (*_line_fields("KONTAKTADR", "contact_line", "Kontaktadresse"),
     DataField("SLETDATO", "valid_to", FieldKind.DATE, description="Kontaktadressen gælder til")),
    _contact_address,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før startdatoen for den gældende kontaktadresse",
             _contact_after_open),
        Rule(DATE_ORDER, "Slutdatoen skal ligge efter startdatoen", valid_to_after_date, "SLETDATO"),
        Rule(NO_CHANGE, "Kontaktadressen er den samme som den gældende", _contact_changed),
    ),
    concerns=("contact_address",), reads=("contact_address",),
)


def _relocation_order(s: Situation) -> Plan:
    plan = Plan([Insert("relocation_order", s.person.pnr, {"valid_from": s.date, "remark": s.data["remark"]})])
    log(plan, s, summary=s.data["remark"])
    return plan


def _new_order(s: Situation) -> bool:
    return not any(day_of(r.get("valid_from")) == s.date and r.get("remark") == s.data.get("remark")
                   for r in s.person.all("relocation_order"))


RELOCATION_ORDER = EventType(
    Event.RELOCATION_ORDER.value, "relocation order", "Flyttepåbud",
    "An order to the person to report a move (flyttepåbud): the date of the order and a remark.",
    (DataField("BEMAERK", "remark", FieldKind.TEXT, required=True, length=40,
               description="Bemærkning: hvad personen pålægges"),),
    _relocation_order,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(PERSON_STATE, "Personen har ikke bopæl i Danmark", resident_if_alive),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(NO_CHANGE, "Flyttepåbuddet er allerede registreret", _new_order),
    ),
    concerns=("relocation_order",), reads=("relocation_order",),
)


# --- B03, B04 shared residence --------------------------------------------------------------------------

def current_shared_residence(state: PersonState) -> Row | None:
    row = state.current("shared_residence")
    return row if row is not None and not row.get("valid_to") else None


def _named_parent(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    return [p for p in (data.get("other_pnr"),) if p]


def _parent(s: Situation) -> PersonState | None:
    return s.other(s.data.get("other_pnr"))


def _is_parent(s: Situation) -> bool:
    other = s.data.get("other_pnr")
    return _parent(s) is None or other in (s.person.mother, s.person.father)


def _parent_alive(s: Situation) -> bool:
    parent = _parent(s)
    return parent is None or not parent.is_dead


def _parent_has_address(s: Situation) -> bool:
    parent = _parent(s)
    return parent is None or parent.is_dead or parent.current("address") is not None


def _other_home(s: Situation) -> bool:
    parent = _parent(s)
    theirs = parent.current("address") if parent is not None else None
    mine = s.person.current("address")
    if theirs is None or mine is None:
        return True
    return any((theirs.get(k) or None) != (mine.get(k) or None) for k in ADDRESS_KEYS[:6])


def _child(s: Situation) -> bool:
    age = s.person.age_on(s.date)
    return age is None or age < 18


def _shared_residence(s: Situation) -> Plan:
    parent = _parent(s)
    home = parent.current("address") if parent is not None else None
    assert parent is not None and home is not None
    values = {"other_pnr": parent.pnr, **{k: home.get(k) for k in ADDRESS_KEYS[:6]}, "valid_from": s.date,
              "valid_to": None, "current": True}
    plan = Plan([Insert("shared_residence", s.person.pnr, values)])
    log(plan, s, summary=parent.pnr)
    return plan


SHARED_RESIDENCE = EventType(
    Event.SHARED_RESIDENCE.value, "shared residence", "Delt bopæl – registrering",
    "A child under 18 also lives at the address of the parent he or she is not registered with: the other "
    "parent and that parent's current address are registered on the child from the event date.",
    (DataField("DELTBOPPNR", "other_pnr", FieldKind.PNR, required=True,
               description="Personnummer på den forælder, hvis adresse er barnets anden bopæl"),),
    _shared_residence,
    rules=(
        Rule(PERSON_STATE, "Barnet er død", alive),
        Rule(PERSON_STATE, "Barnet har ikke bopæl i Danmark", resident_if_alive),
        Rule(PERSON_STATE, "Barnet er fyldt 18 år på hændelsesdatoen", _child),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(RELATIVE, "Forælderen findes ikke i CPR", lambda s: _parent(s) is not None, "DELTBOPPNR"),
        Rule(RELATIVE, "Personen er ikke barnets mor eller far", _is_parent, "DELTBOPPNR"),
        Rule(RELATIVE, "Forælderen er død", _parent_alive, "DELTBOPPNR"),
        Rule(RELATIVE, "Forælderen har ingen aktuel adresse i Danmark", _parent_has_address, "DELTBOPPNR"),
        Rule(RELATIVE, "Forælderen bor på barnets adresse", _other_home, "DELTBOPPNR"),
        Rule(PERSON_STATE, "Barnet har allerede delt bopæl", lambda s: current_shared_residence(s.person) is None),
    ),
    concerns=("shared_residence", "address"), related=_named_parent, reads=("shared_residence", "address"),
)


def _shared_residence_end(s: Situation) -> Plan:
    row = current_shared_residence(s.person)
    assert row is not None
    plan = Plan([Close("shared_residence", s.person.pnr, int(row["id"]), s.date)])
    log(plan, s, summary=row.get("other_pnr") or "")
    return plan


def _not_before_shared(s: Situation) -> bool:
    row = current_shared_residence(s.person)
    return row is None or not row.get("valid_from") or s.date >= day_of(row["valid_from"])


SHARED_RESIDENCE_END = EventType(
    Event.SHARED_RESIDENCE_END.value, "shared residence ended", "Delt bopæl – ophør",
    "The child's shared residence ends on the event date.",
    (), _shared_residence_end,
    rules=(
        Rule(PERSON_STATE, "Barnet har ikke delt bopæl", lambda s: current_shared_residence(s.person) is not None),
        Rule(DATE_ORDER, "Ophørsdatoen ligger før startdatoen for den delte bopæl", _not_before_shared),
    ),
    concerns=("shared_residence",), reads=("shared_residence",),
)


# --- B06 EU election address ---------------------------------------------------------------------------------

def _abroad_in_eu(s: Situation) -> bool:
    departure = s.person.current("departure")
    return s.person.status != "80" or departure is None or in_eu(departure.get("exit_country"), s.date)


def _danish_citizen(s: Situation) -> bool:
    row = s.person.current("citizenship")
    return row is not None and row.get("country") == DENMARK


def _of_age_to_vote(s: Situation) -> bool:
    age = s.person.age_on(s.data.get("voting_right_date") or s.date)
    return age is None or age >= 18


def _new_election(s: Situation) -> bool:
    return not any(r.get("election_code") == s.data.get("election_code")
                   for r in open_rows(s.person, "election", s.date))


def _election_address(s: Situation) -> Plan:
    pnr = s.person.pnr
    plan = Plan([Update("election", pnr, {"valid_to": s.date}, int(r["id"]))
                 for r in open_rows(s.person, "election", s.date)])
    plan.changes.append(Insert("election", pnr, {
        "election_code": s.data["election_code"], "voting_right_date": s.data.get("voting_right_date") or s.date,
        "valid_from": s.date, "valid_to": s.data.get("valid_to")}))
    log(plan, s, summary=s.data["election_code"])
    return plan


EU_ELECTION_ADDRESS = EventType(
    Event.EU_ELECTION_ADDRESS.value, "EU election address", "EU-valgadresse",
    "A Danish citizen living in another EU member state is put on the roll for the election to the European "
    "Parliament in Denmark: an election record (code, voting right date, period) from the event date; the "
    "election address is the last address in Denmark. An election record in force ends on that date.",
    (DataField("VALGKODE", "election_code", FieldKind.DIGITS, required=True, length=4, description="Valgkode"),
     DataField("VALGRET_DT", "voting_right_date", FieldKind.DATE,
               description="Valgretsdato (udeladt: hændelsesdatoen)"),
     DataField("SLETDATO", "valid_to", FieldKind.DATE, description="Valgoplysningerne gælder til")),
    _election_address,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(PERSON_STATE, "Personen er ikke registreret som udrejst", emigrated),
        Rule(PERSON_STATE, "Personen bor ikke i et andet EU-land", _abroad_in_eu),
        Rule(PERSON_STATE, "Personen er ikke dansk statsborger", _danish_citizen),
        Rule(PERSON_STATE, "Personen er under 18 år på valgretsdatoen", _of_age_to_vote, "VALGRET_DT"),
        Rule(INVALID, "Valgkoden kan ikke være 0000", lambda s: s.data.get("election_code") != "0000", "VALGKODE"),
        Rule(DATE_ORDER, "Slutdatoen skal ligge efter startdatoen", valid_to_after_date, "SLETDATO"),
        Rule(NO_CHANGE, "Valgoplysningerne med denne valgkode er allerede registreret", _new_election),
    ),
    concerns=("departure", "election"), reads=("departure", "citizenship", "election"),
)


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

EVENTS = (MOVE, DISAPPEARANCE, REFINDING, EMIGRATION, REENTRY, ENTRY_WITH_PNR, ENTRY_WITHOUT_PNR,
          SUPPLEMENTARY_ADDRESS, CONTACT_ADDRESS, RELOCATION_ORDER, SHARED_RESIDENCE, SHARED_RESIDENCE_END,
          EU_ELECTION_ADDRESS, MUNICIPAL_CONDITIONS, MUNICIPAL_NOTES)
