"""Events about family and civil status.

Civil status: death (A21), marriage (B29), marriage annulment (B30), divorce (B20), widowhood (B05),
registered partnership (B15) with its annulment (B16) and dissolution (B17), separation (B18) and its
end (B19). Parents and children: adoption (B01), paternity (B07), parental authority (B09).
Guardianship: placing under guardianship (A73), change of guardian (B28), end of guardianship (B32).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opencpr.domain.codes import PARENTAL_AUTHORITY, Event
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    RELATIVE,
    REQUIRED,
    Change,
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
from opencpr.domain.events.effects import (
    CHILD,
    FATHER,
    MOTHER,
    PARTNER,
    SPOUSE,
    civil_status_change,
    end_children_shared_residence,
    end_current,
    end_shared_residence,
    log,
    replace_current,
    set_person,
    spouse_marker,
)
from opencpr.domain.events.rules import adult, alive, in_force, not_before_birth, not_in_future

MARRIED = ("G", "P")


def spouse_of(state: PersonState) -> str | None:
    row = state.current("civil_status")
    if row and row.get("civil_status") in MARRIED:
        return row.get("spouse_pnr")
    return None


def spouse_and_children(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    found = [spouse_of(state)] + [r.get("child_pnr") for r in state.valid("child")]
    return [p for p in found if p]


def named_spouse(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    return [p for p in (data.get("spouse_pnr"),) if p]


# --- A21 death --------------------------------------------------------------------------------------

def _death(s: Situation) -> Plan:
    plan = Plan()
    person = s.person
    plan.changes.append(set_person(person, status="90", status_date=s.moment, status_date_uncertain=False,
                                   end_date=s.date))
    plan.changes += end_current(person, "address", s.moment)
    plan.changes += end_shared_residence(person, s.date)
    spouse = s.other(spouse_of(person))
    current = person.current("civil_status")
    kind = current.get("civil_status") if current else None
    plan.changes += civil_status_change(person, "D", s.moment, spouse)
    log(plan, s)
    if spouse is not None and not spouse.is_dead:
        plan.changes += civil_status_change(spouse, "L" if kind == "P" else "E", s.moment, person)
        log(plan, s, spouse.pnr, spouse_marker(kind))
    for row in person.valid("child"):
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
    end_children_shared_residence(plan, s, person, s.date, logged=frozenset(
        r.get("child_pnr") for r in person.valid("child")))
    return plan


DEATH = EventType(
    Event.DEATH.value, "death", "Dødsfald",
    "A death: status 90 from the event date, the address ends, civil status D; a spouse becomes widow(er) "
    "(a registered partner longest living partner) and children lose the parental authority the dead person held "
    "and a shared residence at the dead person's address; a shared residence of the dead person ends.",
    (DataField("DOEDSSTED", "place", FieldKind.TEXT, length=34, description="Dødssted (fri tekst)"),),
    _death,
    rules=(
        Rule(PERSON_STATE, "Personen er allerede registreret som død", alive),
        Rule(DATE_ORDER, "Dødsdatoen ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, "Dødsdatoen ligger i fremtiden", not_in_future),
    ),
    concerns=("civil_status", "address"), related=spouse_and_children, derived=("ÆG", "PA", "BØ"),
    allow_future=False, groups=("cpr-office", "church-office"),
    reads=("address", "civil_status", "name", "child", "parental_authority", "shared_residence"),
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
        Rule(PERSON_STATE, "Personen er under 18 år på vielsesdatoen", lambda s: adult(s.person, s.date)),
        Rule(RELATIVE, "Ægtefællen er under 18 år på vielsesdatoen",
             lambda s: adult(s.other(s.data.get("spouse_pnr")), s.date), "AEGTEPNR"),
        Rule(RELATIVE, "Ægteskab mellem forældre og børn eller søskende er ikke tilladt", _not_related, "AEGTEPNR"),
        Rule(DATE_ORDER, "Vielsesdatoen ligger i fremtiden", not_in_future),
    ),
    concerns=("civil_status",), related=named_spouse, derived=("ÆG",), allow_future=False,
    secondary=(Event.NAME_CHANGE.value, Event.ADDRESSING_NAME.value),
)



# --- shared helpers for the civil status events ------------------------------------------------------

#: CPR's own derived marker for a guardian is not public; this project logs ``VÆ`` (værge) on a guardian.
GUARDIAN = "VÆ"

#: Registered partnerships could be entered from 1 October 1989 until the marriage act opened marriage
#: to couples of the same sex on 15 June 2012.
PARTNERSHIP_FIRST_DAY, PARTNERSHIP_LAST_DAY = "1989-10-01", "2012-06-14"


def _spouse(s: Situation) -> PersonState | None:
    """The person named in AEGTEPNR, if in the register."""
    return s.other(s.data.get("spouse_pnr"))


def _status(state: PersonState | None) -> str | None:
    row = state.current("civil_status") if state is not None else None
    return row.get("civil_status") if row else None


def _united(a: PersonState | None, b: PersonState | None, kind: str) -> bool:
    """``a`` and ``b`` are in civil status ``kind`` (G or P) with each other (True if one is missing)."""
    if a is None or b is None:
        return True
    ra, rb = a.current("civil_status"), b.current("civil_status")
    return bool(ra and rb and ra.get("civil_status") == kind == rb.get("civil_status")
                and ra.get("spouse_pnr") == b.pnr and rb.get("spouse_pnr") == a.pnr)


def _since_civil_status(state: PersonState | None, day: str) -> bool:
    """``day`` is not before the start of the current civil status."""
    row = state.current("civil_status") if state is not None else None
    start = (row.get("valid_from") or "")[:10] if row else ""
    return not start or day >= start


def _spouse_rules(word: str) -> tuple[Rule, ...]:
    """The rules about the other party named in AEGTEPNR: in CPR, alive, not the person."""
    return (
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(RELATIVE, f"{word} findes ikke i CPR", lambda s: _spouse(s) is not None, "AEGTEPNR"),
        Rule(RELATIVE, f"{word} er død", lambda s: _spouse(s) is None or not _spouse(s).is_dead, "AEGTEPNR"),
        Rule(RELATIVE, "Personen kan ikke være sin egen ægtefælle eller partner", _not_self, "AEGTEPNR"),
    )


def _dates(word: str) -> tuple[Rule, ...]:
    return (
        Rule(DATE_ORDER, f"{word} ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, f"{word} ligger i fremtiden", not_in_future),
        Rule(DATE_ORDER, f"{word} ligger før den nuværende civilstands startdato",
             lambda s: _since_civil_status(s.person, s.date) and _since_civil_status(_spouse(s), s.date)),
    )


def _ended_separation(state: PersonState, day: str) -> list[Change]:
    """Close the current separation (a divorce or widowhood ends it)."""
    return end_current(state, "separation", day)


SPOUSE_FIELD = DataField("AEGTEPNR", "spouse_pnr", FieldKind.PNR, required=True,
                         description="Ægtefællens eller partnerens personnummer")


# --- B05 widowhood -----------------------------------------------------------------------------------

def _registered_spouse(state: PersonState) -> str | None:
    row = state.current("civil_status")
    pnr = row.get("spouse_pnr") if row else None
    return pnr if pnr and pnr.strip("0 ") else None


def _widow_related(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    return [p for p in {data.get("spouse_pnr"), _registered_spouse(state)} if p]


def _widow_spouse_matches(s: Situation) -> bool:
    named, registered = s.data.get("spouse_pnr"), _registered_spouse(s.person)
    return not named or not registered or named == registered


def _widow_spouse_not_living(s: Situation) -> bool:
    """A spouse who is in CPR as living in Denmark or Greenland dies by a death event (A21), not by this one."""
    spouse = s.other(s.data.get("spouse_pnr") or _registered_spouse(s.person))
    return spouse is None or not spouse.is_active


def _widowhood(s: Situation) -> Plan:
    plan = Plan()
    person = s.person
    row = person.current("civil_status") or {}
    values: dict[str, Any] = {
        "civil_status": "L" if row.get("civil_status") == "P" else "E",
        "spouse_pnr": s.data.get("spouse_pnr") or _registered_spouse(person),
        "spouse_birth_date": row.get("spouse_birth_date"),
        "spouse_name": s.data.get("spouse_name") or row.get("spouse_name"),
    }
    spouse = s.other(values["spouse_pnr"])
    if spouse is not None:
        name = spouse.current("name")
        values["spouse_birth_date"] = values["spouse_birth_date"] or spouse.birth_date
        values["spouse_name"] = values["spouse_name"] or (name.get("addressing_name") if name else None)
    plan.changes += replace_current(person, "civil_status", values, s.moment)
    plan.changes += _ended_separation(person, s.date)
    log(plan, s, summary=values["spouse_name"] or "")
    return plan


WIDOWHOOD = EventType(
    Event.WIDOWHOOD.value, "widowhood", "Enkestand",
    "The person becomes widow(er) (E; a registered partner longest living partner, L) after a spouse whose "
    "death is not registered in CPR (a death abroad, a spouse never in CPR). The dead spouse is not changed: "
    "a spouse who is in CPR as living here dies by a death event (A21), which makes the survivor widow(er).",
    (DataField("AEGTEPNR", "spouse_pnr", FieldKind.PNR, description="Den afdøde ægtefælles personnummer (hvis kendt)"),
     DataField("AEGTENVN", "spouse_name", FieldKind.TEXT, length=34, description="Den afdøde ægtefælles navn")),
    _widowhood,
    rules=(
        Rule(PERSON_STATE, "Personen er død", alive),
        Rule(PERSON_STATE, "Personen er hverken gift eller i registreret partnerskab",
             lambda s: _status(s.person) in MARRIED),
        Rule(RELATIVE, "Personnummeret er ikke den registrerede ægtefælles", _widow_spouse_matches, "AEGTEPNR"),
        Rule(RELATIVE, "Ægtefællen er registreret som levende i CPR; registrér dødsfaldet (A21)",
             _widow_spouse_not_living, "AEGTEPNR"),
        Rule(DATE_ORDER, "Datoen ligger før fødselsdatoen", not_before_birth),
        Rule(DATE_ORDER, "Datoen ligger i fremtiden", not_in_future),
        Rule(DATE_ORDER, "Datoen ligger før vielsen", lambda s: _since_civil_status(s.person, s.date)),
    ),
    concerns=("civil_status",), related=_widow_related, allow_future=False,
)


# --- B30 / B16 annulment: both back to the civil status before the marriage or partnership ----------

def _status_before(state: PersonState, row: Row) -> Row | None:
    """The valid civil status row that the marriage or partnership ``row`` replaced, if any."""
    start = row.get("valid_from") or ""
    earlier = [r for r in state.valid("civil_status") if r["id"] != row["id"] and not r.get("current")]
    exact = [r for r in earlier if start and r.get("valid_to") == start]
    if exact:
        return exact[-1]
    before = [r for r in earlier if (r.get("valid_to") or "") <= start]
    return max(before, key=lambda r: (r.get("valid_to") or "", r["id"])) if before else None


def _undo_union(state: PersonState) -> list[Change]:
    """Mark the current G/P row undone (A) and make the row before it current again (none: U)."""
    row = state.current("civil_status")
    assert row is not None
    changes: list[Change] = [Mark("civil_status", state.pnr, int(row["id"]), "A")]
    previous = _status_before(state, row)
    if previous is not None:
        changes.append(Update("civil_status", state.pnr, {"current": True, "valid_to": None}, int(previous["id"])))
    else:
        changes.append(Insert("civil_status", state.pnr, {"civil_status": "U", "valid_from": None, "current": True}))
    separation = state.current("separation")
    if separation is not None and row.get("separation_ref") and \
            separation.get("separation_ref") == row.get("separation_ref"):
        changes.append(Mark("separation", state.pnr, int(separation["id"]), "A"))
    return changes


def _annulment(s: Situation) -> Plan:
    plan = Plan()
    spouse = _spouse(s)
    assert spouse is not None
    plan.changes += _undo_union(s.person) + _undo_union(spouse)
    log(plan, s)
    log(plan, s, spouse.pnr, spouse_marker(_status(s.person)))
    return plan


def _union_end_rules(kind: str, word: str, what: str) -> tuple[Rule, ...]:
    return (
        *_spouse_rules(word),
        Rule(PERSON_STATE, f"Personen og {word.lower()} er ikke {what} med hinanden",
             lambda s: _united(s.person, _spouse(s), kind) if _spouse(s) is not None else _status(s.person) == kind,
             "AEGTEPNR"),
    )


MARRIAGE_ANNULMENT = EventType(
    Event.MARRIAGE_ANNULMENT.value, "marriage annulment", "Vielse – omstødelse",
    "The marriage is annulled as if it had not been: on both spouses the civil status G is marked undone (A) and "
    "the civil status before the marriage is current again (U if none is registered); a separation of the "
    "marriage is marked undone too.",
    (SPOUSE_FIELD,), _annulment,
    rules=(*_union_end_rules("G", "Ægtefællen", "gift"), *_dates("Omstødelsesdatoen")),
    concerns=("civil_status",), related=named_spouse, derived=(SPOUSE,), allow_future=False,
    secondary=(Event.NAME_CHANGE.value,),
)

PARTNERSHIP_ANNULMENT = EventType(
    Event.PARTNERSHIP_ANNULMENT.value, "partnership annulment", "Registreret partnerskab – omstødelse",
    "The registered partnership is annulled as if it had not been: on both partners the civil status P is "
    "marked undone (A) and the civil status before it is current again (U if none is registered).",
    (SPOUSE_FIELD,), _annulment,
    rules=(*_union_end_rules("P", "Partneren", "registrerede partnere"), *_dates("Omstødelsesdatoen")),
    concerns=("civil_status",), related=named_spouse, derived=(PARTNER,), allow_future=False,
)


# --- B20 divorce / B17 partnership dissolution ------------------------------------------------------

def _dissolution(code: str) -> Any:
    def effect(s: Situation) -> Plan:
        plan = Plan()
        spouse = _spouse(s)
        assert spouse is not None
        marker = spouse_marker(_status(s.person))
        for one, other in ((s.person, spouse), (spouse, s.person)):
            plan.changes += civil_status_change(one, code, s.moment, other)
            plan.changes += _ended_separation(one, s.date)
        log(plan, s)
        log(plan, s, spouse.pnr, marker)
        return plan
    return effect


DIVORCE = EventType(
    Event.DIVORCE.value, "divorce", "Skilsmisse",
    "A divorce: both spouses get civil status F (fraskilt) from the event date, each naming the former spouse; "
    "a current separation ends on the same day.",
    (SPOUSE_FIELD,), _dissolution("F"),
    rules=(*_union_end_rules("G", "Ægtefællen", "gift"), *_dates("Skilsmissedatoen")),
    concerns=("civil_status", "separation"), related=named_spouse, derived=(SPOUSE,), allow_future=False,
    secondary=(Event.NAME_CHANGE.value, Event.ADDRESSING_NAME.value),
)

PARTNERSHIP_DISSOLUTION = EventType(
    Event.PARTNERSHIP_DISSOLUTION.value, "partnership dissolution", "Registreret partnerskab – ophævelse",
    "A registered partnership is dissolved: both partners get civil status O (ophævet partnerskab) from the "
    "event date, each naming the former partner.",
    (SPOUSE_FIELD,), _dissolution("O"),
    rules=(*_union_end_rules("P", "Partneren", "registrerede partnere"), *_dates("Ophævelsesdatoen")),
    concerns=("civil_status", "separation"), related=named_spouse, derived=(PARTNER,), allow_future=False,
    secondary=(Event.NAME_CHANGE.value, Event.ADDRESSING_NAME.value),
)


# --- B15 registered partnership ----------------------------------------------------------------------

def _partnership(s: Situation) -> Plan:
    plan = Plan()
    partner = _spouse(s)
    assert partner is not None
    plan.changes += civil_status_change(s.person, "P", s.moment, partner)
    plan.changes += civil_status_change(partner, "P", s.moment, s.person)
    log(plan, s)
    log(plan, s, partner.pnr, PARTNER)
    return plan


def _same_sex(s: Situation) -> bool:
    partner = _spouse(s)
    return partner is None or not partner.sex or not s.person.sex or partner.sex == s.person.sex


PARTNERSHIP = EventType(
    Event.PARTNERSHIP.value, "registered partnership", "Registreret partnerskab – indgåelse",
    "A registered partnership (historic: 1 October 1989 to 14 June 2012, between two persons of the same sex): "
    "both get civil status P from the event date, each naming the other.",
    (SPOUSE_FIELD, DataField("VIELSESMYN", "ceremony_authority", FieldKind.AUTHORITY,
                             description="Myndighed der har registreret partnerskabet")),
    _partnership,
    rules=(
        *_spouse_rules("Partneren"),
        Rule(PERSON_STATE, "Personen er allerede gift eller i registreret partnerskab",
             lambda s: _unmarried(s.person)),
        Rule(RELATIVE, "Partneren er allerede gift eller i registreret partnerskab",
             lambda s: _unmarried(_spouse(s)), "AEGTEPNR"),
        Rule(PERSON_STATE, "Personen er under 18 år på datoen", lambda s: adult(s.person, s.date)),
        Rule(RELATIVE, "Partneren er under 18 år på datoen", lambda s: adult(_spouse(s), s.date), "AEGTEPNR"),
        Rule(RELATIVE, "Registreret partnerskab kan kun indgås mellem to personer af samme køn", _same_sex,
             "AEGTEPNR"),
        Rule(RELATIVE, "Partnerskab mellem forældre og børn eller søskende er ikke tilladt", _not_related,
             "AEGTEPNR"),
        Rule(DATE_ORDER, "Registreret partnerskab kan kun indgås fra 1. oktober 1989 til 14. juni 2012",
             lambda s: PARTNERSHIP_FIRST_DAY <= s.date <= PARTNERSHIP_LAST_DAY),
        *_dates("Datoen"),
    ),
    concerns=("civil_status",), related=named_spouse, derived=(PARTNER,), allow_future=False,
    secondary=(Event.NAME_CHANGE.value, Event.ADDRESSING_NAME.value),
)


# --- B18 separation / B19 separation end ----------------------------------------------------------

def _separation_ref(s: Situation, spouse: PersonState) -> str:
    """SEP_HENVIS: the marriage's existing reference, else the event moment as yyyyMMddHHmm."""
    for state in (s.person, spouse):
        row = state.current("civil_status")
        if row and row.get("separation_ref"):
            return str(row["separation_ref"])
    return "".join(ch for ch in s.moment if ch.isdigit())[:12]


def _separation(s: Situation) -> Plan:
    plan = Plan()
    spouse = _spouse(s)
    assert spouse is not None
    ref = _separation_ref(s, spouse)
    for state in (s.person, spouse):
        row = state.current("civil_status")
        assert row is not None
        if row.get("separation_ref") != ref:
            plan.changes.append(Update("civil_status", state.pnr, {"separation_ref": ref}, int(row["id"])))
        plan.changes.append(Insert("separation", state.pnr, {"separation_ref": ref, "valid_from": s.date,
                                                             "valid_from_uncertain": False, "current": True}))
    log(plan, s, summary=ref)
    log(plan, s, spouse.pnr, SPOUSE, summary=ref)
    return plan


def _separation_end(s: Situation) -> Plan:
    plan = Plan()
    spouse = _spouse(s)
    assert spouse is not None
    for state in (s.person, spouse):
        plan.changes += _ended_separation(state, s.date)
    log(plan, s)
    log(plan, s, spouse.pnr, SPOUSE)
    return plan


def _separated(state: PersonState | None) -> bool:
    return state is not None and state.current("separation") is not None


def _since_separation(s: Situation) -> bool:
    for state in (s.person, _spouse(s)):
        row = state.current("separation") if state is not None else None
        if row and row.get("valid_from") and s.date < row["valid_from"][:10]:
            return False
    return True


SEPARATION = EventType(
    Event.SEPARATION.value, "separation", "Separation – indgåelse",
    "A separation of a marriage: on both spouses a current separation (record 013) begins on the event date, "
    "linked to the civil status by the separation reference (SEP_HENVIS, the marriage's reference or the "
    "moment yyyyMMddHHmm); the civil status stays G.",
    (SPOUSE_FIELD,), _separation,
    rules=(
        *_union_end_rules("G", "Ægtefællen", "gift"),
        Rule(PERSON_STATE, "Personen er allerede separeret", lambda s: not _separated(s.person)),
        Rule(RELATIVE, "Ægtefællen er allerede separeret", lambda s: not _separated(_spouse(s)), "AEGTEPNR"),
        *_dates("Separationsdatoen"),
    ),
    concerns=("civil_status", "separation"), related=named_spouse, derived=(SPOUSE,), allow_future=False,
)

SEPARATION_END = EventType(
    Event.SEPARATION_END.value, "separation end", "Separation – ophævelse",
    "The separation ends (the spouses live together again): the current separation of both spouses is closed on "
    "the event date; the marriage continues.",
    (SPOUSE_FIELD,), _separation_end,
    rules=(
        *_union_end_rules("G", "Ægtefællen", "gift"),
        Rule(PERSON_STATE, "Personen er ikke separeret", lambda s: _separated(s.person)),
        Rule(DATE_ORDER, "Datoen ligger før separationens start", _since_separation),
        *_dates("Datoen"),
    ),
    concerns=("civil_status", "separation"), related=named_spouse, derived=(SPOUSE,), allow_future=False,
)


# --- parents and children: shared helpers -----------------------------------------------------------

def _authority_in_force(child: PersonState, day: str) -> list[Row]:
    return [r for r in child.all("parental_authority") if in_force(r, day)]


def _holder(row: Row) -> str | None:
    pnr = row.get("holder_pnr")
    return pnr if pnr and pnr.strip("0 ") else None


def _minor(state: PersonState, day: str) -> bool:
    age = state.age_on(day)
    if age is None:
        born = state.birth_date or ""
        return bool(born) and int(day[:4]) - int(born[:4]) < 18
    return age < 18


def _parent_values(slot: str, parent: PersonState, day: str) -> dict[str, Any]:
    """The mother_… or father_… columns of a child's person row (record 015) for ``parent``."""
    name = parent.current("name")
    return {f"{slot}_pnr": parent.pnr, f"{slot}_name": name.get("addressing_name") if name else None,
            f"{slot}_birth_date": parent.birth_date, f"{slot}_birth_date_uncertain": False,
            f"{slot}_date": day, f"{slot}_date_uncertain": False}


def _child_row(parent: PersonState, child: str) -> list[Change]:
    """Record 014 on the parent, unless the parent already has it (a row set aside, K or A, does not count)."""
    if any(r.get("child_pnr") == child for r in parent.valid("child")):
        return []
    return [Insert("child", parent.pnr, {"child_pnr": child})]


def _older_than(parent: PersonState | None, child: PersonState) -> bool:
    if parent is None or not parent.birth_date or not child.birth_date:
        return True
    return parent.birth_date < child.birth_date


def _person_rules(param: str, name: str, word: str, *, sex: str | None = None) -> tuple[Rule, ...]:
    """A person named in ``param`` (field ``name``): in CPR, alive, adult, not the child, older than the child."""
    def other(s: Situation) -> PersonState | None:
        return s.other(s.data.get(param))
    rules = [
        Rule(RELATIVE, f"{word} findes ikke i CPR", lambda s: not s.data.get(param) or other(s) is not None, name),
        Rule(RELATIVE, f"{word} er død", lambda s: other(s) is None or not other(s).is_dead, name),
        Rule(RELATIVE, f"{word} kan ikke være personen selv", lambda s: s.data.get(param) != s.person.pnr, name),
        Rule(RELATIVE, f"{word} er under 18 år", lambda s: adult(other(s), s.date), name),
        Rule(RELATIVE, f"{word} er ikke ældre end barnet", lambda s: _older_than(other(s), s.person), name),
    ]
    if sex:
        rules.append(Rule(RELATIVE, f"{word} skal være {'en kvinde' if sex == 'K' else 'en mand'}",
                          lambda s: other(s) is None or not other(s).sex or other(s).sex == sex, name))
    return tuple(rules)


def _child_dates(word: str) -> tuple[Rule, ...]:
    return (Rule(PERSON_STATE, "Barnet er død", alive),
            Rule(DATE_ORDER, f"{word} ligger før barnets fødselsdato", not_before_birth),
            Rule(DATE_ORDER, f"{word} ligger i fremtiden", not_in_future))


def _data_pnrs(*params: str) -> Any:
    def related(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
        return [p for p in (data.get(k) for k in params) if p]
    return related


# --- B01 adoption ------------------------------------------------------------------------------------

def _adoption(s: Situation) -> Plan:
    plan = Plan()
    child = s.person
    log(plan, s)
    values: dict[str, Any] = {}
    replaced: set[str] = set()
    new_parents: list[tuple[str, PersonState]] = []
    for slot, param, kind, marker in (("mother", "mother_pnr", "0003", MOTHER), ("father", "father_pnr", "0004", FATHER)):
        parent = s.other(s.data.get(param))
        if parent is None:
            continue
        values |= _parent_values(slot, parent, s.date)
        replaced.add(kind)
        new_parents.append((kind, parent))
        plan.changes += _child_row(parent, child.pnr)
        log(plan, s, parent.pnr, marker)
    plan.changes.insert(0, set_person(child, **values))
    if _minor(child, s.date):
        for row in _authority_in_force(child, s.date):
            if row.get("authority_type") in replaced | {"0005", "0006"}:
                plan.changes.append(Update("parental_authority", child.pnr, {"valid_to": s.date}, int(row["id"])))
        for kind, _parent in new_parents:
            plan.changes.append(Insert("parental_authority", child.pnr, {
                "authority_type": kind, "valid_from": s.date, "valid_from_uncertain": False}))
    return plan


def _adopter_is_new(s: Situation) -> bool:
    return s.data.get("mother_pnr") not in (None, s.person.mother) or \
        s.data.get("father_pnr") not in (None, s.person.father) or \
        (not s.data.get("mother_pnr") and not s.data.get("father_pnr"))


ADOPTION = EventType(
    Event.ADOPTION.value, "adoption", "Adoption",
    "An adoption: the adoptive mother and/or father replace the child's registered mother and/or father (record "
    "015 on the child's person row, from the event date); a parent not given is kept (stepchild adoption; a "
    "co-mother is given as PNRFAR). Each adoptive parent gets the child (record 014). For a child under 18 the "
    "parental authority of the replaced parents and of other holders ends on the event date and the adoptive "
    "parents hold it from that date (0003 mother, 0004 father).",
    (DataField("PNRMOR", "mother_pnr", FieldKind.PNR, description="Adoptivmoderens personnummer"),
     DataField("PNRFAR", "father_pnr", FieldKind.PNR, description="Adoptivfaderens (eller medmoderens) personnummer")),
    _adoption,
    rules=(
        *_child_dates("Adoptionsdatoen"),
        Rule(REQUIRED, "PNRMOR eller PNRFAR skal udfyldes",
             lambda s: bool(s.data.get("mother_pnr") or s.data.get("father_pnr"))),
        Rule(INVALID, "Adoptivmor og adoptivfar kan ikke være samme person",
             lambda s: not s.data.get("mother_pnr") or s.data.get("mother_pnr") != s.data.get("father_pnr")),
        *_person_rules("mother_pnr", "PNRMOR", "Adoptivmoderen", sex="K"),
        *_person_rules("father_pnr", "PNRFAR", "Adoptivfaderen"),
        Rule(NO_CHANGE, "Adoptivforælderen er allerede registreret som barnets forælder", _adopter_is_new),
    ),
    concerns=("parental_authority",), related=_data_pnrs("mother_pnr", "father_pnr"),
    derived=(MOTHER, FATHER), allow_future=False,
    secondary=(Event.NAME_CHANGE.value, Event.PARENTAL_AUTHORITY.value, Event.CHURCH_AND_OCCUPATION.value),
)


# --- B07 paternity -----------------------------------------------------------------------------------

def _paternity_related(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    return [p for p in (data.get("father_pnr"), state.mother) if p]


def _parents_married(s: Situation) -> bool:
    mother = s.other(s.person.mother)
    row = mother.current("civil_status") if mother is not None else None
    return bool(row and row.get("civil_status") == "G" and row.get("spouse_pnr") == s.data.get("father_pnr"))


def _paternity(s: Situation) -> Plan:
    plan = Plan()
    child = s.person
    father = s.other(s.data["father_pnr"])
    assert father is not None
    plan.changes.append(set_person(child, **_parent_values("father", father, s.date)))
    plan.changes += _child_row(father, child.pnr)
    if _minor(child, s.date) and (s.data.get("joint_authority") or _parents_married(s)):
        held = {r.get("authority_type") for r in _authority_in_force(child, s.date)}
        for kind, present in (("0003", child.mother is not None), ("0004", True)):
            if present and kind not in held:
                plan.changes.append(Insert("parental_authority", child.pnr, {
                    "authority_type": kind, "valid_from": s.date, "valid_from_uncertain": False}))
    log(plan, s)
    log(plan, s, father.pnr, FATHER)
    return plan


PATERNITY = EventType(
    Event.PATERNITY.value, "paternity", "Faderskab",
    "Paternity: the father is registered on the child (record 015: PNR, name, birth date, from the event date) "
    "and the child on the father (record 014). A child under 18 whose parents are married to each other, or "
    "whose parents agree on it (FAELLESMYN), gets joint parental authority from the event date (a 0004 row, "
    "and a 0003 row for the mother if she holds none).",
    (DataField("PNRFAR", "father_pnr", FieldKind.PNR, required=True, description="Faderens personnummer"),
     DataField("FAELLESMYN", "joint_authority", FieldKind.FLAG,
               description="X: forældrene har aftalt fælles forældremyndighed")),
    _paternity,
    rules=(
        *_child_dates("Datoen"),
        Rule(PERSON_STATE, "Barnet har allerede en registreret far", lambda s: s.person.father is None),
        *_person_rules("father_pnr", "PNRFAR", "Faderen", sex="M"),
        Rule(RELATIVE, "Faderen kan ikke være barnets mor", lambda s: s.data.get("father_pnr") != s.person.mother,
             "PNRFAR"),
    ),
    concerns=("parental_authority",), related=_paternity_related, derived=(FATHER,), allow_future=False, groups=("cpr-office", "church-office"),
    secondary=(Event.PARENTAL_AUTHORITY.value, Event.NAME_CHANGE.value),
)


# --- B09 parental authority --------------------------------------------------------------------------

OTHER_HOLDERS = ("0005", "0006")


def _wanted_holders(s: Situation) -> list[tuple[str, str | None]]:
    out = []
    for n in ("1", "2"):
        kind = s.data.get(f"type{n}")
        if kind:
            out.append((kind, s.data.get(f"holder{n}") if kind in OTHER_HOLDERS else None))
    return out


def _authority_related(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    found = [state.mother, state.father, data.get("holder1"), data.get("holder2"),
             *(_holder(r) for r in state.all("parental_authority"))]
    return [p for p in dict.fromkeys(found) if p]


def _parental_authority(s: Situation) -> Plan:
    plan = Plan()
    child = s.person
    wanted = _wanted_holders(s)
    current = _authority_in_force(child, s.date)
    have = {(r.get("authority_type"), _holder(r)) for r in current}
    changed: set[str] = set()
    for row in current:
        if (row.get("authority_type"), _holder(row)) not in wanted:
            plan.changes.append(Update("parental_authority", child.pnr, {"valid_to": s.date}, int(row["id"])))
            changed.add(str(row.get("authority_type")))
    for kind, holder in wanted:
        if (kind, holder) not in have:
            values: dict[str, Any] = {"authority_type": kind, "valid_from": s.date, "valid_from_uncertain": False}
            if holder:
                values |= {"holder_pnr": holder, "holder_pnr_start": s.date}
            plan.changes.append(Insert("parental_authority", child.pnr, values))
            changed.add(kind)
    log(plan, s, summary=", ".join(f"{k} {PARENTAL_AUTHORITY.text(k)}" for k, _ in wanted))
    for kind, parent, marker in (("0003", child.mother, MOTHER), ("0004", child.father, FATHER)):
        if kind in changed and s.other(parent) is not None:
            log(plan, s, parent, marker)
    return plan


def _holders_valid(s: Situation) -> bool:
    """A holder PNR (RELPNR) goes with an other holder (0005/0006) and only there."""
    for n in ("1", "2"):
        kind, holder = s.data.get(f"type{n}"), s.data.get(f"holder{n}")
        if kind and (kind in OTHER_HOLDERS) != bool(holder):
            return False
        if holder and not kind:
            return False
    return True


def _holders_exist(s: Situation) -> bool:
    return all(s.other(h) is not None and not s.other(h).is_dead for _, h in _wanted_holders(s) if h)


def _holders_adult(s: Situation) -> bool:
    return all(adult(s.other(h), s.date) and h != s.person.pnr for _, h in _wanted_holders(s) if h)


def _parents_there(s: Situation) -> bool:
    """0003 needs a registered, living mother; 0004 a registered, living father."""
    for kind, _ in _wanted_holders(s):
        parent = s.person.mother if kind == "0003" else s.person.father if kind == "0004" else "-"
        if parent is None:
            return False
        state = s.other(parent) if parent != "-" else None
        if state is not None and state.is_dead:
            return False
    return True


def _distinct_types(s: Situation) -> bool:
    kinds = [k for k, _ in _wanted_holders(s)]
    return len(kinds) == len(set(kinds))


def _authority_changes(s: Situation) -> bool:
    have = {(r.get("authority_type"), _holder(r)) for r in _authority_in_force(s.person, s.date)}
    return have != set(_wanted_holders(s))


def _authority_fields(n: str) -> tuple[DataField, ...]:
    return (DataField(f"RELTYP{n}", f"type{n}", FieldKind.CHOICE, required=n == "1", codes=PARENTAL_AUTHORITY,
                      description=f"Indehaver {n}: 0003 mor, 0004 far, 0005/0006 anden indehaver"),
            DataField(f"RELPNR{n}", f"holder{n}", FieldKind.PNR,
                      description=f"Indehaver {n}s personnummer (kun ved 0005/0006)"))


PARENTAL_AUTHORITY_EVENT = EventType(
    Event.PARENTAL_AUTHORITY.value, "parental authority", "Forældremyndighed",
    "Who holds the parental authority over a child under 18 from the event date: one or two holders (0003 the "
    "mother, 0004 the father, 0005/0006 another holder by PNR). Holders in force that are not named end on the "
    "event date (SLET_DT); named holders not yet in force begin on it; holders in force who are named again stay.",
    (*_authority_fields("1"), *_authority_fields("2")),
    _parental_authority,
    rules=(
        *_child_dates("Datoen"),
        Rule(PERSON_STATE, "Barnet er fyldt 18 år", lambda s: _minor(s.person, s.date)),
        Rule(INVALID, "RELPNR skal udfyldes ved 0005/0006 og kun der", _holders_valid),
        Rule(INVALID, "Samme indehavertype er angivet to gange", _distinct_types),
        Rule(RELATIVE, "Barnet har ingen registreret (levende) mor eller far til den angivne type", _parents_there),
        Rule(RELATIVE, "Indehaveren findes ikke i CPR eller er død", _holders_exist),
        Rule(RELATIVE, "Indehaveren er under 18 år eller barnet selv", _holders_adult),
        Rule(NO_CHANGE, "Forældremyndigheden er allerede registreret sådan", _authority_changes),
    ),
    concerns=("parental_authority",), related=_authority_related, derived=(MOTHER, FATHER), allow_future=False,
)


# --- A73 guardianship, B28 guardian, B32 end of guardianship ----------------------------------------

GUARDIAN_FIELDS = (
    DataField("RELPNR", "guardian_pnr", FieldKind.PNR, description="Værgens personnummer (relationstype 0001)"),
    DataField("RELADRSAT", "guardian_name", FieldKind.TEXT, length=34,
              description="Værgens navn, når værgen ikke har personnummer (relationstype 0002)"),
    *(DataField(f"RELTXT{n}", f"line{n}", FieldKind.TEXT, length=34, description=f"Værgens adresse, linje {n}")
      for n in range(1, 6)),
)


def _guardianship_in_force(state: PersonState, day: str) -> Row | None:
    rows = [r for r in state.all("guardianship") if in_force(r, day)]
    return rows[-1] if rows else None


def _guardian_related(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    found = [data.get("guardian_pnr"), *(r.get("guardian_pnr") for r in state.all("guardianship")
                                         if not r.get("valid_to"))]
    return [p for p in dict.fromkeys(found) if p and p.strip("0 ")]


def _guardian_values(s: Situation) -> dict[str, Any]:
    lines = {f"line{n}": s.data.get(f"line{n}") for n in range(1, 6)}
    if s.data.get("guardian_pnr"):
        return {"relation_type": "0001", "guardian_pnr": s.data["guardian_pnr"], "guardian_pnr_start": s.date,
                "guardian_name": None, "guardian_text_start": None, **{k: None for k in lines}}
    return {"relation_type": "0002", "guardian_pnr": None, "guardian_pnr_start": None,
            "guardian_name": s.data.get("guardian_name"), "guardian_text_start": s.date, **lines}


def _log_guardian(plan: Plan, s: Situation, pnr: str | None) -> None:
    if pnr and s.other(pnr) is not None and all(e.pnr != pnr for e in plan.log):
        log(plan, s, pnr, GUARDIAN)


def _placed(s: Situation) -> Plan:
    plan = Plan()
    plan.changes.append(Insert("guardianship", s.person.pnr, {"valid_from": s.date, "valid_from_uncertain": False,
                                                              **_guardian_values(s)}))
    log(plan, s)
    _log_guardian(plan, s, s.data.get("guardian_pnr"))
    return plan


def _guardian_changed(s: Situation) -> Plan:
    plan = Plan()
    row = _guardianship_in_force(s.person, s.date)
    assert row is not None
    plan.changes.append(Update("guardianship", s.person.pnr, _guardian_values(s), int(row["id"])))
    log(plan, s)
    _log_guardian(plan, s, s.data.get("guardian_pnr"))
    _log_guardian(plan, s, row.get("guardian_pnr"))
    return plan


def _guardianship_ended(s: Situation) -> Plan:
    plan = Plan()
    row = _guardianship_in_force(s.person, s.date)
    assert row is not None
    plan.changes.append(Update("guardianship", s.person.pnr, {"valid_to": s.date}, int(row["id"])))
    log(plan, s)
    _log_guardian(plan, s, row.get("guardian_pnr"))
    return plan


def _some_guardian(s: Situation) -> bool:
    return bool(s.data.get("guardian_pnr") or s.data.get("guardian_name"))


def _not_both(s: Situation) -> bool:
    return not (s.data.get("guardian_pnr") and s.data.get("guardian_name"))


def _lines_only_without_pnr(s: Situation) -> bool:
    return not s.data.get("guardian_pnr") or not any(s.data.get(f"line{n}") for n in range(1, 6))


def _guardian_rules() -> tuple[Rule, ...]:
    def guardian(s: Situation) -> PersonState | None:
        return s.other(s.data.get("guardian_pnr"))
    return (
        Rule(REQUIRED, "Angiv enten værgens personnummer (RELPNR) eller navn og adresse (RELADRSAT)",
             _some_guardian),
        Rule(INVALID, "Angiv kun én af RELPNR og RELADRSAT", _not_both),
        Rule(INVALID, "Adresselinjer (RELTXT) angives kun for en værge uden personnummer", _lines_only_without_pnr),
        Rule(REQUIRED, "RELTXT1 skal udfyldes for en værge uden personnummer",
             lambda s: not s.data.get("guardian_name") or bool(s.data.get("line1")), "RELTXT1"),
        Rule(RELATIVE, "Værgen findes ikke i CPR",
             lambda s: not s.data.get("guardian_pnr") or guardian(s) is not None, "RELPNR"),
        Rule(RELATIVE, "Værgen er død", lambda s: guardian(s) is None or not guardian(s).is_dead, "RELPNR"),
        Rule(RELATIVE, "Værgen er under 18 år", lambda s: adult(guardian(s), s.date), "RELPNR"),
        Rule(RELATIVE, "Personen kan ikke være sin egen værge",
             lambda s: s.data.get("guardian_pnr") != s.person.pnr, "RELPNR"),
    )


def _guardian_dates(word: str) -> tuple[Rule, ...]:
    return (Rule(PERSON_STATE, "Personen er død", alive),
            Rule(DATE_ORDER, f"{word} ligger før fødselsdatoen", not_before_birth),
            Rule(DATE_ORDER, f"{word} ligger i fremtiden", not_in_future))


def _since_guardianship(s: Situation) -> bool:
    row = _guardianship_in_force(s.person, s.date)
    return row is None or not row.get("valid_from") or s.date >= row["valid_from"][:10]


def _other_guardian(s: Situation) -> bool:
    row = _guardianship_in_force(s.person, s.date)
    if row is None:
        return True
    new = _guardian_values(s)
    keys = ("guardian_pnr", "guardian_name", *(f"line{n}" for n in range(1, 6)))
    return any((row.get(k) or None) != (new.get(k) or None) for k in keys)


GUARDIANSHIP = EventType(
    Event.GUARDIANSHIP_PLACED.value, "guardianship", "Under værgemål",
    "The person is placed under guardianship from the event date (record 017): the guardian by PNR (relation "
    "type 0001) or by name and address lines (0002). A guardian in CPR gets the event with this project's "
    "derived marker VÆ (værge).",
    GUARDIAN_FIELDS, _placed,
    rules=(
        *_guardian_dates("Datoen"),
        Rule(PERSON_STATE, "Personen er under 18 år (forældremyndigheden omfatter værgemålet)",
             lambda s: adult(s.person, s.date)),
        Rule(PERSON_STATE, "Personen er allerede under værgemål",
             lambda s: _guardianship_in_force(s.person, s.date) is None),
        *_guardian_rules(),
    ),
    concerns=("guardianship",), related=_guardian_related, derived=(GUARDIAN,), allow_future=False,
    secondary=(Event.GUARDIAN.value,),
)

GUARDIAN_CHANGE = EventType(
    Event.GUARDIAN.value, "guardian", "Værge",
    "A new guardian for a person under guardianship: the guardianship in force keeps its start date and gets the "
    "new guardian (by PNR, or name and address) from the event date (START_DT-RELPNR_PNR / START_DT-RELPNR_TXT). "
    "The new and the former guardian in CPR get the event with the derived marker VÆ.",
    GUARDIAN_FIELDS, _guardian_changed,
    rules=(
        *_guardian_dates("Datoen"),
        Rule(PERSON_STATE, "Personen er ikke under værgemål",
             lambda s: _guardianship_in_force(s.person, s.date) is not None),
        Rule(DATE_ORDER, "Datoen ligger før værgemålets start", _since_guardianship),
        *_guardian_rules(),
        Rule(NO_CHANGE, "Værgen er allerede registreret", _other_guardian),
    ),
    concerns=("guardianship",), related=_guardian_related, derived=(GUARDIAN,), allow_future=False,
)

GUARDIANSHIP_END = EventType(
    Event.GUARDIANSHIP_END.value, "guardianship end", "Værgemål – ophør",
    "The guardianship in force ends on the event date (SLET_DT-UMYNDIG); a guardian in CPR gets the event "
    "with the derived marker VÆ.",
    (), _guardianship_ended,
    rules=(
        *_guardian_dates("Datoen"),
        Rule(PERSON_STATE, "Personen er ikke under værgemål",
             lambda s: _guardianship_in_force(s.person, s.date) is not None),
        Rule(DATE_ORDER, "Datoen ligger før værgemålets start", _since_guardianship),
    ),
    concerns=("guardianship",), related=_guardian_related, derived=(GUARDIAN,), allow_future=False,
)

EVENTS = (DEATH, MARRIAGE, MARRIAGE_ANNULMENT, DIVORCE, WIDOWHOOD, PARTNERSHIP, PARTNERSHIP_ANNULMENT,
          PARTNERSHIP_DISSOLUTION, SEPARATION, SEPARATION_END, ADOPTION, PATERNITY, PARENTAL_AUTHORITY_EVENT,
          GUARDIANSHIP, GUARDIAN_CHANGE, GUARDIANSHIP_END)
