"""Events about addresses beside the residence itself: supplementary address (A07), contact
address (A47), relocation order (B08), a child's shared residence (B03, B04) and the EU election
address (B06).

None of these events changes a relative: they log no derived events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opencpr.domain import reference
from opencpr.domain.codes import Event
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    RELATIVE,
    Close,
    DataField,
    EventType,
    FieldKind,
    Insert,
    PersonState,
    Plan,
    Row,
    Rule,
    Situation,
    Update,
)
from opencpr.domain.events.effects import ADDRESS_KEYS, address_lines, log
from opencpr.domain.events.rules import (
    alive,
    day_of,
    emigrated,
    not_before_birth,
    not_before_current_address,
    open_rows,
    resident_if_alive,
    valid_to_after_date,
)

# --- A07 supplementary address, A47 contact address, B08 relocation order -----------------------------------

def _line_fields(name: str, param: str, what: str) -> tuple[DataField, ...]:
    return tuple(DataField(f"{name}{n}", f"{param}{n}", FieldKind.TEXT, required=n == 1, length=34,
                           description=f"{what}, linje {n}") for n in range(1, 6))


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


def _abroad_in_eu(s: Situation) -> bool:
    departure = s.person.current("departure")
    return s.person.status != "80" or departure is None or in_eu(departure.get("exit_country"), s.date)


def _danish_citizen(s: Situation) -> bool:
    row = s.person.current("citizenship")
    return row is not None and row.get("country") == reference.DENMARK


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

EVENTS = (SUPPLEMENTARY_ADDRESS, CONTACT_ADDRESS, RELOCATION_ORDER, SHARED_RESIDENCE, SHARED_RESIDENCE_END,
          EU_ELECTION_ADDRESS)
