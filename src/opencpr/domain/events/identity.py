"""Events about who a person is: the CPR number, names, citizenship, church, protection.

* A14 naming (navngivning), A13 name change (navneændring), B02 addressing name (adresseringsnavn);
* B23 a PNR at birth (tildeling af personnummer - fødsel): the child is created;
* B24, B25, B26, B27 a PNR for a person who does not live in Denmark (tax, ATP, administrative PNR,
  foreigner number): status 20 in a fictitious municipality, a foreign address;
* B10 reactivation of an annulled PNR (genaktivering), P03 change of PNR (ændring af personnummer);
* B21 citizenship (statsborgerret), A34 church relation (folkekirke), B22 occupation (stilling),
  A33 protection (beskyttelse).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from opencpr.domain import reference
from opencpr.domain.codes import CHURCH, CHURCH_MEMBER_CODES, PERSON_STATUS, PROTECTION, SEX, Event
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    RELATIVE,
    REQUIRED,
    UNKNOWN_CODE,
    Change,
    DataField,
    EventType,
    FieldKind,
    Insert,
    NewPerson,
    PersonState,
    Plan,
    Rule,
    Situation,
    Update,
)
from opencpr.domain.events.effects import (
    ADDRESS_KEYS,
    FATHER,
    MOTHER,
    clear_address,
    end_current,
    log,
    replace_current,
    set_person,
)
from opencpr.domain.events.rules import alive, not_before_birth, not_in_future
from opencpr.domain.names import addressing_name
from opencpr.domain.pnr import InvalidPNR, parse

DANISH = reference.DENMARK  # LANDEKOD of Danish citizenship
MARRIED = "G"
#: Derived markers of a change of PNR: the old PNR's own log (tidligere personnummer) and the
#: relatives who now point at the new current PNR (nyt gældende personnummer).
PREVIOUS_PNR, NEW_PNR = "PT", "PN"

NAME_FIELDS = (
    DataField("FORNVN", "first_name", FieldKind.TEXT, required=True, length=50, description="Fornavn(e)"),
    DataField("MELNVN", "middle_name", FieldKind.TEXT, length=40, description="Mellemnavn(e)"),
    DataField("EFTERNVN", "last_name", FieldKind.TEXT, required=True, length=40, description="Efternavn"),
    DataField("ADRNVN", "addressing_name", FieldKind.TEXT, length=34,
              description="Adresseringsnavn (udeladt: dannes af navnene)"),
)




def _has_person(s: Situation) -> bool:
    return bool(s.person.pnr)


def _rows_without_keys(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's data columns (no id, pnr, registration columns): for copying it to another person."""
    return {k: v for k, v in row.items() if k not in ("id", "pnr", "authority", "registered_at")}


# --- A14 naming, A13 name change ------------------------------------------------------------------------

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
    concerns=("name",), reads=("name", "clear_address"), groups=("cpr-office", "church-office"),
    secondary=(Event.ADDRESSING_NAME.value,),
)

NAME_CHANGE = EventType(
    Event.NAME_CHANGE.value, "name change", "Navneændring",
    "A change of first, middle or last name: the current names end and the new ones begin on the event date.",
    NAME_FIELDS, _name,
    rules=(Rule(PERSON_STATE, "Personen er død", alive),
           Rule(NO_CHANGE, "Navnene er de samme som de nuværende", _changed)),
    concerns=("name",), reads=("name", "clear_address"), groups=("cpr-office", "municipality", "church-office"),
    secondary=(Event.ADDRESSING_NAME.value,),
)


# --- B02 addressing name ---------------------------------------------------------------------------------

def _name_words(s: Situation) -> list[str]:
    row = s.person.current("name") or {}
    text = " ".join(row.get(k) or "" for k in ("first_name", "middle_name", "last_name"))
    words = text.split()
    return [w.casefold() for w in words] + [p.casefold() for w in words if "-" in w for p in w.split("-") if p]


def _made_of_the_names(s: Situation) -> bool:
    """Every word of the addressing name is one of the person's names or the initial of one."""
    wanted = s.data.get("addressing_name")
    names = _name_words(s)
    if not wanted or not names:
        return True
    initials = {w[0] for w in names}
    for word in wanted.split():
        low = word.casefold()
        if low in names:
            continue
        if len(low.rstrip(".")) == 1 and low[0] in initials:
            continue
        return False
    last = ((s.person.current("name") or {}).get("last_name") or "").split()
    return not last or last[-1].casefold() in [w.casefold() for w in wanted.split()]


def _addressing_name(s: Situation) -> Plan:
    plan = Plan()
    row = s.person.current("name")
    assert row is not None
    wanted = s.data["addressing_name"]
    plan.changes.append(Update("name", s.person.pnr, {"addressing_name": wanted}, int(row["id"])))
    clear = s.person.one("clear_address")
    if clear is not None:
        plan.changes.append(Update("clear_address", s.person.pnr, {"addressing_name": wanted}, int(clear["id"])))
    log(plan, s, summary=wanted)
    return plan


ADDRESSING_NAME = EventType(
    Event.ADDRESSING_NAME.value, "addressing name", "Adresseringsnavn",
    "A new addressing name (how the current names are written on a letter, at most 34 characters): the current "
    "name row is changed in place, as the names and their period do not change; the clear-written address "
    "follows.",
    (DataField("ADRNVN", "addressing_name", FieldKind.TEXT, required=True, length=34,
               description="Adresseringsnavn: personens navne, evt. forkortet til forbogstaver"),),
    _addressing_name,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(PERSON_STATE, "Personen har ingen aktuelle navne (brug navngivning)",
             lambda s: s.person.current("name") is not None),
        Rule(INVALID, "Adresseringsnavnet skal bestå af personens navne eller deres forbogstaver og slutte med "
                      "efternavnet", _made_of_the_names, "ADRNVN"),
        Rule(NO_CHANGE, "Adresseringsnavnet er det samme som det nuværende",
             lambda s: (s.person.current("name") or {}).get("addressing_name") != s.data.get("addressing_name")),
    ),
    concerns=("name",), reads=("name", "clear_address"),
)


# --- B23 a PNR at birth ------------------------------------------------------------------------------------

def _parents(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    return [p for p in (data.get("mother_pnr"), data.get("father_pnr")) if p]


def _mother(s: Situation) -> PersonState | None:
    return s.other(s.data.get("mother_pnr"))


def _father(s: Situation) -> PersonState | None:
    return s.other(s.data.get("father_pnr"))


_TIME = re.compile(r"([01]\d|2[0-3])[:.]?([0-5]\d)")


def _birth_moment(s: Situation) -> str:
    """YYYY-MM-DDTHH:MM of the birth: the event date and FODT_KL (00:00 when the time is not given)."""
    m = _TIME.fullmatch(s.data.get("birth_time") or "")
    return f"{s.date}T{m.group(1)}:{m.group(2)}" if m else f"{s.date}T00:00"


def _within_a_year(s: Situation) -> bool:
    year, rest = int(s.today[:4]), s.today[4:]
    earliest = f"{year - 1}{rest}" if rest != "-02-29" else f"{year - 1}-02-28"
    return s.date >= earliest


def _married_to(mother: PersonState, father: PersonState | None) -> bool:
    row = mother.current("civil_status")
    return father is not None and bool(row) and row.get("civil_status") == MARRIED and \
        row.get("spouse_pnr") == father.pnr


def _parent_values(who: str, parent: PersonState | None, day: str) -> dict[str, Any]:
    if parent is None:
        return {}
    name = parent.current("name") or {}
    return {f"{who}_pnr": parent.pnr, f"{who}_name": name.get("addressing_name"),
            f"{who}_birth_date": parent.birth_date, f"{who}_date": day}


def _birth(s: Situation) -> Plan:
    plan = Plan()
    pnr = s.data["new_pnr"]
    mother, father = _mother(s), _father(s)
    assert mother is not None
    born_at = _birth_moment(s)
    place = s.data.get("birth_authority") or s.authority
    place_text = s.texts.get("birth_authority")
    if place_text is None:
        found = reference.authority(place)
        place_text = found.name if found else None
    plan.changes.append(NewPerson(pnr, {
        "status": "01", "status_date": born_at, "status_date_uncertain": False, "sex": s.data["sex"],
        "birth_date": s.date, "birth_date_uncertain": False, "start_date": s.date, "start_date_uncertain": False,
        "birth_authority": place, "birth_authority_text": (place_text or "")[:20] or None,
        **_parent_values("mother", mother, s.date), **_parent_values("father", father, s.date),
    }))
    child = PersonState(pnr, {})
    home = mother.current("address") or {}
    address = {k: home.get(k) for k in ADDRESS_KEYS}
    plan.changes.append(Insert("address", pnr, {**address, "valid_from": born_at, "municipality_arrival": born_at,
                                                "current": True}))
    plan.changes.append(clear_address(child, address))
    plan.changes.append(Insert("civil_status", pnr, {"civil_status": "U", "valid_from": born_at, "current": True}))
    countries = [(p.current("citizenship") or {}).get("country") for p in (mother, father) if p is not None]
    country = DANISH if DANISH in countries else countries[0]
    if country:
        plan.changes.append(Insert("citizenship", pnr, {"country": country, "valid_from": born_at, "current": True}))
    member = (mother.current("church") or {}).get("church") in CHURCH_MEMBER_CODES
    plan.changes.append(Insert("church", pnr, {"church": "F" if member else "U", "valid_from": s.date,
                                               "current": True}))
    plan.changes.append(Insert("parental_authority", pnr, {"authority_type": "0003", "valid_from": s.date}))
    if _married_to(mother, father):
        plan.changes.append(Insert("parental_authority", pnr, {"authority_type": "0004", "valid_from": s.date}))
    log(plan, s, pnr, summary=f"{pnr} født {s.date}")
    for parent, marker in ((mother, MOTHER), (father, FATHER)):
        if parent is not None:
            plan.changes.append(Insert("child", parent.pnr, {"child_pnr": pnr}))
            log(plan, s, parent.pnr, marker, summary=pnr)
    return plan


PNR_AT_BIRTH = EventType(
    Event.PNR_AT_BIRTH.value, "PNR at birth", "Tildeling af personnummer - fødsel",
    "A birth in Denmark: the child gets a new PNR from the birth date (the event date) and sex, status 01, the "
    "mother's address, civil status U, Danish citizenship if a parent is Danish (else the mother's), church F "
    "if the mother is a member (else U) and parental authority with the mother (and the father if he is married "
    "to her); the parents get the child. The naming (A14) follows.",
    (
        DataField("KOEN", "sex", FieldKind.CHOICE, required=True, codes=SEX, description="Barnets køn: M eller K"),
        DataField("MORPNR", "mother_pnr", FieldKind.PNR, required=True, description="Morens personnummer"),
        DataField("FARPNR", "father_pnr", FieldKind.PNR, description="Farens personnummer"),
        DataField("FOEDMYN", "birth_authority", FieldKind.AUTHORITY,
                  description="Fødselsregistreringsmyndighed (sogn); udeladt: den anmeldende myndighed"),
        DataField("FODT_KL", "birth_time", FieldKind.TEXT, length=5, description="Fødselstidspunkt tt:mm"),
    ),
    _birth,
    rules=(
        Rule(RELATIVE, "Moren findes ikke i CPR", lambda s: _mother(s) is not None, "MORPNR"),
        Rule(RELATIVE, "Moren er død", lambda s: _mother(s) is None or not _mother(s).is_dead, "MORPNR"),
        Rule(RELATIVE, "Moren er ikke en kvinde", lambda s: _mother(s) is None or _mother(s).sex == "K", "MORPNR"),
        Rule(RELATIVE, "Moren er ikke fyldt 12 år på fødselsdatoen",
             lambda s: _mother(s) is None or (_mother(s).age_on(s.date) or 0) >= 12, "MORPNR"),
        Rule(RELATIVE, "Moren har ikke bopæl i Danmark",
             lambda s: _mother(s) is None or _mother(s).is_dead or (
                 _mother(s).is_resident and _mother(s).current("address") is not None), "MORPNR"),
        Rule(RELATIVE, "Faren findes ikke i CPR",
             lambda s: not s.data.get("father_pnr") or _father(s) is not None, "FARPNR"),
        Rule(RELATIVE, "Faren er ikke en mand", lambda s: _father(s) is None or _father(s).sex == "M", "FARPNR"),
        Rule(INVALID, "FODT_KL skal være et klokkeslæt tt:mm",
             lambda s: not s.data.get("birth_time") or _TIME.fullmatch(s.data["birth_time"]) is not None, "FODT_KL"),
        Rule(DATE_ORDER, "Fødselsdatoen ligger i fremtiden", not_in_future),
        Rule(DATE_ORDER, "Fødselsdatoen ligger mere end et år tilbage", _within_a_year),
    ),
    related=_parents, secondary=(Event.NAMING.value, Event.CHURCH_AND_OCCUPATION.value, Event.CITIZENSHIP.value), derived=(MOTHER, FATHER), allow_future=False,
    new_person=True, reads=("name", "address", "civil_status", "citizenship", "church"), groups=("cpr-office", "church-office"),
)


# --- B24-B27 a PNR for a person without residence in Denmark ------------------------------------------------

#: The fictitious municipality (kommunekode 0010-0019, status 20) of each kind of PNR.
FICTITIOUS_MUNICIPALITY = {
    Event.TAX_PNR.value: "0011",  # SKAT (0010 Sømandskattekontoret may be given)
    Event.ATP_PNR.value: "0012",  # ATP
    Event.ADMINISTRATIVE_PNR.value: "0019",  # Administrativ
    Event.FOREIGNER_NUMBER.value: "0018",  # Udlændingeservice
}
TAX_MUNICIPALITIES = ("0010", "0011")

_ABROAD_FIELDS = (
    *NAME_FIELDS,
    DataField("FOEDDATO", "birth_date", FieldKind.DATE, required=True, description="Fødselsdato"),
    DataField("KOEN", "sex", FieldKind.CHOICE, required=True, codes=SEX, description="Køn: M eller K"),
    DataField("LANDEKOD", "citizenship", FieldKind.COUNTRY, required=True, description="Statsborgerskab (landekode)"),
    DataField("UDR_LANDEKOD", "address_country", FieldKind.COUNTRY, description="Landet udlandsadressen ligger i"),
    DataField("UDLANDADR1", "foreign_line1", FieldKind.TEXT, required=True, length=34,
              description="Udlandsadresse, linje 1"),
    *(DataField(f"UDLANDADR{i}", f"foreign_line{i}", FieldKind.TEXT, length=34,
                description=f"Udlandsadresse, linje {i}") for i in range(2, 6)),
)


def _municipality_of(s: Situation) -> str:
    return s.data.get("municipality") or FICTITIOUS_MUNICIPALITY[s.code]


def _abroad(s: Situation) -> Plan:
    plan = Plan()
    pnr = s.data["new_pnr"]
    data = s.data
    name = data.get("addressing_name") or addressing_name(data["first_name"], data.get("middle_name"),
                                                           data["last_name"])
    plan.changes.append(NewPerson(pnr, {
        "status": "20", "status_date": s.moment, "status_date_uncertain": False, "sex": data["sex"],
        "birth_date": data["birth_date"], "birth_date_uncertain": False, "start_date": s.date,
        "start_date_uncertain": False,
    }))
    plan.changes.append(Insert("name", pnr, {"first_name": data["first_name"], "middle_name": data.get("middle_name"),
                                             "last_name": data["last_name"], "addressing_name": name,
                                             "valid_from": s.moment, "current": True}))
    plan.changes.append(Insert("citizenship", pnr, {"country": data["citizenship"], "valid_from": s.moment,
                                                    "current": True}))
    lines = {f"foreign_line{i}": data.get(f"foreign_line{i}") for i in range(1, 6)}
    plan.changes.append(Insert("departure", pnr, {"exit_country": data.get("address_country"),
                                                  "valid_from": s.moment, **lines, "current": True}))
    plan.changes.append(Insert("clear_address", pnr, {"addressing_name": name, "municipality": _municipality_of(s)}))
    log(plan, s, pnr, summary=f"{pnr} {name}")
    return plan


def _abroad_event(code: Event, name: str, title: str, what: str, *extra: Rule,
                  fields: tuple[DataField, ...] = ()) -> EventType:
    return EventType(
        code.value, name, title,
        f"{what}: a new PNR from the birth date and sex, status 20 in the fictitious municipality "
        f"{FICTITIOUS_MUNICIPALITY[code.value]}, the names, the citizenship and the foreign address (no Danish "
        "address).",
        (*_ABROAD_FIELDS, *fields), _abroad,
        rules=(
            Rule(DATE_ORDER, "Fødselsdatoen ligger efter hændelsesdatoen",
                 lambda s: not s.data.get("birth_date") or s.data["birth_date"] <= s.date, "FOEDDATO"),
            Rule(DATE_ORDER, "Hændelsesdatoen ligger i fremtiden", not_in_future),
            *extra,
        ),
        allow_future=False, new_person=True, reads=(), groups=("cpr-office",),
    )


TAX_PNR = _abroad_event(
    Event.TAX_PNR, "tax PNR", "Tildeling af personnummer – skatte personnummer",
    "A PNR for tax purposes (a person paying tax in Denmark who does not live here)",
    Rule(UNKNOWN_CODE, "KOMKOD skal være 0010 (Sømandskattekontoret) eller 0011 (SKAT)",
         lambda s: not s.data.get("municipality") or s.data["municipality"] in TAX_MUNICIPALITIES, "KOMKOD"),
    fields=(DataField("KOMKOD", "municipality", FieldKind.AUTHORITY,
                      description="Fiktiv kommune: 0010 Sømandskattekontoret eller 0011 SKAT (udeladt: 0011)"),),
)
ATP_PNR = _abroad_event(
    Event.ATP_PNR, "ATP PNR", "Tildeling af personnummer – ATP personnummer",
    "A PNR for the labour market supplementary pension (ATP) of a person who does not live in Denmark",
)
ADMINISTRATIVE_PNR = _abroad_event(
    Event.ADMINISTRATIVE_PNR, "administrative PNR", "Tildeling af administrativt personnummer",
    "An administrative PNR for a person an authority must register who does not live in Denmark",
)
FOREIGNER_NUMBER = _abroad_event(
    Event.FOREIGNER_NUMBER, "foreigner number", "Udlændingenummer",
    "A foreigner number (a number of the PNR's form) for a foreign national known to the immigration "
    "authorities who does not live in Denmark",
    Rule(INVALID, "Et udlændingenummer tildeles ikke danske statsborgere",
         lambda s: s.data.get("citizenship") != DANISH, "LANDEKOD"),
)


# --- B10 reactivation of an annulled PNR ----------------------------------------------------------------

REACTIVATION_STATUSES = ("01", "03", "05", "07", "20", "70", "80")


def _status_from_rows(state: PersonState) -> str:
    """The status the person's current rows show: resident (01/03, Greenland 05/07), disappeared, emigrated, 20."""
    home = state.current("address")
    if home is not None:
        greenland = (home.get("municipality") or "0000") >= reference.GREENLAND_FROM
        special = (home.get("road") or "0000") >= "9900"
        return {(False, False): "01", (False, True): "03", (True, False): "05", (True, True): "07"}[
            (greenland, special)]
    if state.current("disappearance") is not None:
        return "70"
    if state.current("departure") is not None:
        return "80"
    return "20"


def _reactivated_status(s: Situation) -> str:
    return s.data.get("status") or _status_from_rows(s.person)


def _status_fits_the_rows(s: Situation) -> bool:
    status = _reactivated_status(s)
    return status not in ("01", "03", "05", "07") or s.person.current("address") is not None


def _reactivation(s: Situation) -> Plan:
    plan = Plan()
    status = _reactivated_status(s)
    plan.changes.append(set_person(s.person, status=status, status_date=s.moment, status_date_uncertain=False,
                                   end_date=None, end_date_uncertain=False))
    log(plan, s, summary=f"status 30 -> {status}")
    return plan


PNR_REACTIVATION = EventType(
    Event.PNR_REACTIVATION.value, "reactivation of an annulled PNR", "Genaktivering af annullerede PNR",
    "An annulled PNR (status 30) is taken into use again: the status given, or the one the person's current "
    "rows show (01/03 with a current address, 05/07 in Greenland, 70 disappeared, 80 emigrated, else 20), from "
    "the event date; the end of the PNR is cleared.",
    (DataField("STATUS", "status", FieldKind.CHOICE, choices=REACTIVATION_STATUSES, codes=PERSON_STATUS,
               description="Ny status (udeladt: efter personens aktuelle oplysninger)"),),
    _reactivation,
    rules=(
        Rule(PERSON_STATE, "Personnummeret er ikke annulleret (status 30)", lambda s: s.person.status == "30"),
        Rule(PERSON_STATE, "Status med bopæl kræver en aktuel adresse", _status_fits_the_rows, "STATUS"),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger i fremtiden", not_in_future),
    ),
    concerns=("address",), allow_future=False, reads=("address", "departure", "disappearance"),
    groups=("cpr-office",),
)


# --- P03 change of PNR ----------------------------------------------------------------------------------------

def _spouse_pnr(state: PersonState) -> str | None:
    row = state.current("civil_status")
    value = row.get("spouse_pnr") if row else None
    return value if value and value.strip("0 ") else None


def _children(state: PersonState) -> list[str]:
    return [r["child_pnr"] for r in state.valid("child") if r.get("child_pnr") and r["child_pnr"].strip("0 ")]


def _relatives(state: PersonState) -> list[str]:
    """The persons whose rows name this one: spouse, children, parents, and (read backwards) wards, the
    children whose parental authority the person holds and those whose second home is the person's."""
    named = [r.get("pnr") for table in ("wards", "authority_held", "shared_at") for r in state.valid(table)]
    found = [_spouse_pnr(state), *_children(state), state.mother, state.father, *named]
    return list(dict.fromkeys(p for p in found if p and p != state.pnr))


def _change_related(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    return [*_relatives(state), *([data["new_pnr"]] if data.get("new_pnr") else [])]


def _given_number(s: Situation):
    try:
        return parse(s.data["new_pnr"]) if s.data.get("new_pnr") else None
    except InvalidPNR:  # pragma: no cover - the field check refuses it first
        return None


def _number_or_birth_and_sex(s: Situation) -> bool:
    return bool(s.data.get("new_pnr")) or bool(s.data.get("birth_date") and s.data.get("sex"))


def _number_agrees(s: Situation) -> bool:
    info = _given_number(s)
    if info is None:
        return True
    return (not s.data.get("birth_date") or s.data["birth_date"] == info.birth_date.isoformat()) and (
        not s.data.get("sex") or s.data["sex"] == info.sex)


def _something_changes(s: Situation) -> bool:
    if s.data.get("new_pnr"):
        return s.data["new_pnr"] != s.person.pnr
    if not s.data.get("birth_date") or not s.data.get("sex"):
        return True
    return (s.data["birth_date"], s.data["sex"]) != (s.person.birth_date, s.person.sex)


def _new_number_free(s: Situation) -> bool:
    given = s.data.get("new_pnr")
    return not given or given == s.person.pnr or s.other(given) is None


#: Kinds of data without history whose rows go with the person to the new PNR while they are in force.
_DATED_TABLES = ("protection", "parental_authority", "guardianship", "contact_address", "note", "election")
#: Kinds of data with history: the current row goes with the person.
_CURRENT_TABLES = ("name", "address", "departure", "disappearance", "citizenship", "church", "civil_status",
                   "separation")
#: Kinds of data copied whole.
_WHOLE_TABLES = ("child", "municipal_condition", "relocation_order", "previous_pnr")


def _copy_rows(old: PersonState, new: str, day: str) -> list[Change]:
    changes: list[Change] = []
    for table in _CURRENT_TABLES:
        row = old.current(table)
        if row is not None:
            changes.append(Insert(table, new, _rows_without_keys(row)))
    one = old.one("clear_address")
    if one is not None:
        changes.append(Insert("clear_address", new, _rows_without_keys(one)))
    for table in _DATED_TABLES:  # rows set aside by data maintenance (K, A) stay with the old PNR
        for row in old.valid(table):
            if not row.get("valid_to") or row["valid_to"][:10] > day:
                changes.append(Insert(table, new, _rows_without_keys(row)))
    for table in _WHOLE_TABLES:
        for row in old.valid(table):
            changes.append(Insert(table, new, _rows_without_keys(row)))
    return changes


def _pnr_change(s: Situation) -> Plan:
    plan = Plan()
    old = s.person
    new = s.data["new_pnr"]
    info = parse(new)
    born = info.birth_date.isoformat()
    person = {k: v for k, v in old.person.items() if k not in ("pnr", "registered_at", "version")}
    person |= {"current_pnr": None, "sex": info.sex, "birth_date": born, "birth_date_uncertain": False,
               "start_date": s.date, "start_date_uncertain": False, "end_date": None, "end_date_uncertain": False}
    plan.changes.append(NewPerson(new, person))
    plan.changes += _copy_rows(old, new, s.date)
    plan.changes.append(Insert("previous_pnr", new, {"old_pnr": old.pnr, "valid_from": old.person.get("start_date"),
                                                     "valid_to": s.date}))
    log(plan, s, new, summary=f"{old.pnr} -> {new}")
    # the old PNR: status 60 pointing at the new one; its address ends (it stays in the history)
    plan.changes.append(set_person(old, status="60", status_date=s.moment, status_date_uncertain=False,
                                   current_pnr=new, end_date=s.date, end_date_uncertain=False))
    plan.changes += end_current(old, "address", s.moment)
    clear = old.one("clear_address")
    if clear is not None:
        blank = dict.fromkeys(("co_name", "locality", "standard_address", "town", "postal_code", "postal_district",
                               "municipality", "road", "house_no", "floor", "door", "building_no",
                               "road_addressing_name"))
        plan.changes.append(Update("clear_address", old.pnr, blank, int(clear["id"])))
    log(plan, s, old.pnr, PREVIOUS_PNR, summary=f"{old.pnr} -> {new}")
    # every relative points at the new PNR
    for pnr in _relatives(old):
        relative = s.other(pnr)
        if relative is None:
            continue
        changes: list[Change] = []
        row = relative.current("civil_status")
        if row and row.get("spouse_pnr") == old.pnr:
            changes.append(Update("civil_status", pnr, {"spouse_pnr": new, "spouse_birth_date": born},
                                  int(row["id"])))
        parent = {k: v for who in ("mother", "father") if relative.person.get(f"{who}_pnr") == old.pnr
                  for k, v in ((f"{who}_pnr", new), (f"{who}_birth_date", born))}
        if parent:
            changes.append(Update("person", pnr, parent))
        for r in relative.all("child"):
            if r.get("child_pnr") == old.pnr:
                changes.append(Update("child", pnr, {"child_pnr": new}, int(r["id"])))
        for r in relative.all("parental_authority"):
            if r.get("holder_pnr") == old.pnr:
                changes.append(Update("parental_authority", pnr, {"holder_pnr": new}, int(r["id"])))
        for r in relative.all("guardianship"):
            if r.get("guardian_pnr") == old.pnr:
                changes.append(Update("guardianship", pnr, {"guardian_pnr": new}, int(r["id"])))
        for r in relative.all("shared_residence"):
            if r.get("other_pnr") == old.pnr:
                changes.append(Update("shared_residence", pnr, {"other_pnr": new}, int(r["id"])))
        if changes:
            plan.changes += changes
            log(plan, s, pnr, NEW_PNR, summary=new)
    return plan


PNR_CHANGE = EventType(
    Event.PNR_CHANGE.value, "change of PNR", "Ændring af personnummer",
    "A new PNR for a person whose birth date or sex is changed (or a given new number): the person's current "
    "data moves to the new PNR, which records the old one (TIDLPNR); the old PNR gets status 60 and points at "
    "the new one (PNRGAELD); the spouse, children and parents, wards, children in the person's parental authority "
    "and children with a second home at the person's address are changed to name the new PNR. Logged on the "
    "new PNR (no marker), on the old PNR (PT) and on each relative changed (PN).",
    (
        DataField("NYTPNR", "new_pnr", FieldKind.PNR, description="Det nye personnummer (udeladt: tildeles)"),
        DataField("FOEDDATO", "birth_date", FieldKind.DATE, description="Ny fødselsdato"),
        DataField("KOEN", "sex", FieldKind.CHOICE, codes=SEX, description="Nyt køn: M eller K"),
    ),
    _pnr_change,
    rules=(
        Rule(REQUIRED, "PNR skal udfyldes", _has_person, "PNR"),
        Rule(PERSON_STATE, "Personnummeret er ikke i brug (status 30, 50, 60 eller 90)",
             lambda s: not s.person.pnr or s.person.status not in ("30", "50", "60", "90")),
        Rule(REQUIRED, "Angiv NYTPNR eller både FOEDDATO og KOEN", _number_or_birth_and_sex),
        Rule(INVALID, "FOEDDATO og KOEN skal passe med NYTPNR", _number_agrees, "NYTPNR"),
        Rule(NO_CHANGE, "Det nye personnummer, fødselsdato og køn er de nuværende", _something_changes),
        Rule(RELATIVE, "Det nye personnummer findes allerede i CPR", _new_number_free, "NYTPNR"),
        Rule(DATE_ORDER, "Fødselsdatoen ligger efter hændelsesdatoen",
             lambda s: not s.data.get("birth_date") or s.data["birth_date"] <= s.date, "FOEDDATO"),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger i fremtiden", not_in_future),
    ),
    concerns=("name", "address", "civil_status"), related=_change_related, derived=(PREVIOUS_PNR, NEW_PNR),
    allow_future=False, new_person=True, groups=("cpr-office",),
)


# --- B21 citizenship, A34 church relation, B22 occupation, A33 protection ----------------------------------------

def _current_from(table: str):
    def check(s: Situation) -> bool:
        row = s.person.current(table)
        return row is None or not row.get("valid_from") or s.date >= row["valid_from"][:10]
    return check


def _citizenship(s: Situation) -> Plan:
    plan = Plan()
    plan.changes += replace_current(s.person, "citizenship", {"country": s.data["country"]}, s.moment)
    log(plan, s, summary=f"{s.data['country']} {s.texts.get('country', '')}".strip())
    return plan


CITIZENSHIP = EventType(
    Event.CITIZENSHIP.value, "citizenship", "Statsborgerret",
    "A new citizenship: the current one ends and the new one begins at the event date.",
    (DataField("LANDEKOD", "country", FieldKind.COUNTRY, required=True, description="Statsborgerskab (landekode)"),),
    _citizenship,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før det nuværende statsborgerskabs start",
             _current_from("citizenship")),
        Rule(NO_CHANGE, "Statsborgerskabet er det nuværende",
             lambda s: (s.person.current("citizenship") or {}).get("country") != s.data.get("country"), "LANDEKOD"),
    ),
    concerns=("citizenship",), reads=("citizenship",),
)


def _member(code: str | None) -> bool | None:
    return None if not code else code in CHURCH_MEMBER_CODES


def _church(s: Situation) -> Plan:
    plan = Plan()
    plan.changes += replace_current(s.person, "church", {"church": s.data["church"], "valid_from": s.date}, s.date)
    log(plan, s, summary=CHURCH.text(s.data["church"]))
    return plan


CHURCH_RELATION = EventType(
    Event.CHURCH_AND_OCCUPATION.value, "church relation", "Folkekirke",
    "Membership of the national church begins (F) or ends (U) on the event date: the current church relation "
    "ends and the new one begins.",
    (DataField("FKIRK", "church", FieldKind.CHOICE, required=True, choices=("F", "U"), codes=CHURCH,
               description="F medlem af folkekirken, U ikke medlem"),),
    _church,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, "Hændelsesdatoen ligger før det nuværende folkekirkeforholds start", _current_from("church")),
        Rule(NO_CHANGE, "Folkekirkeforholdet er det nuværende",
             lambda s: _member((s.person.current("church") or {}).get("church")) != _member(s.data.get("church")),
             "FKIRK"),
    ),
    concerns=("church",), reads=("church",), groups=("cpr-office", "church-office"),
)


def _occupation(s: Situation) -> Plan:
    plan = Plan()
    plan.changes.append(set_person(s.person, occupation=s.data.get("occupation")))
    log(plan, s, summary=s.data.get("occupation") or "")
    return plan


OCCUPATION = EventType(
    Event.OCCUPATION.value, "occupation", "Stilling",
    "The person's occupation (STILLING, record 001) is changed in place; blank removes it.",
    (DataField("STILLING", "occupation", FieldKind.TEXT, length=34, description="Stilling (blank: ingen)"),),
    _occupation,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(NO_CHANGE, "Stillingen er den nuværende",
             lambda s: (s.person.person.get("occupation") or None) != (s.data.get("occupation") or None), "STILLING"),
    ),
    reads=(),
)


def _protection_in_force(s: Situation) -> bool:
    """No row of the same type is in force on the event date or begins later."""
    kind = s.data.get("protection_type")
    for row in s.person.valid("protection"):
        if row.get("protection_type") == kind and (not row.get("valid_to") or row["valid_to"][:10] > s.date):
            return False
    return True


def _protection(s: Situation) -> Plan:
    plan = Plan()
    kind = s.data["protection_type"]
    plan.changes.append(Insert("protection", s.person.pnr, {"protection_type": kind, "valid_from": s.date,
                                                            "valid_to": s.data.get("valid_to")}))
    log(plan, s, summary=PROTECTION.text(kind))
    return plan


PROTECTION_EVENT = EventType(
    Event.PROTECTION.value, "protection", "Beskyttelse",
    "A protection (name and address, local directory, marketing, research, credit warning) from the event date, "
    "until SLETDTO when given.",
    (DataField("BESKYTTYPE", "protection_type", FieldKind.CHOICE, required=True, codes=PROTECTION,
               description="Beskyttelsestype, 4 cifre: 0001 navne- og adressebeskyttelse … 0005 kreditadvarsel"),
     DataField("SLETDTO", "valid_to", FieldKind.DATE, description="Beskyttelsen slettes (ophører) denne dato")),
    _protection,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(PERSON_STATE, "Personen har allerede denne beskyttelse", _protection_in_force, "BESKYTTYPE"),
        Rule(DATE_ORDER, "Slettedatoen skal ligge efter startdatoen",
             lambda s: not s.data.get("valid_to") or s.data["valid_to"] > s.date, "SLETDTO"),
    ),
    concerns=("protection",), reads=("protection",),
)

EVENTS = (NAMING, NAME_CHANGE, ADDRESSING_NAME, PNR_AT_BIRTH, TAX_PNR, ATP_PNR, ADMINISTRATIVE_PNR, FOREIGNER_NUMBER,
          PNR_REACTIVATION, PNR_CHANGE, CITIZENSHIP, CHURCH_RELATION, OCCUPATION, PROTECTION_EVENT)
