"""Events about civil status: death (A21), marriage (B29), marriage annulment (B30), divorce (B20),
widowhood (B05), registered partnership (B15) with its annulment (B16) and dissolution (B17),
separation (B18) and its end (B19).

Death is here because its effect on relatives is a change of civil status: the dead person's
civil status becomes D and a living spouse becomes widow(er) (a registered partner longest living
partner). It also ends the dead person's address and shared residence, and the parental authority
the dead person held over children (logged on each child, BØ).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opencpr.domain.codes import Event
from opencpr.domain.events.base import (
    DATE_ORDER,
    PERSON_STATE,
    RELATIVE,
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
from opencpr.domain.events.rules import adult, alive, not_before_birth, not_in_future

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


EVENTS = (DEATH, MARRIAGE, MARRIAGE_ANNULMENT, DIVORCE, WIDOWHOOD, PARTNERSHIP, PARTNERSHIP_ANNULMENT,
          PARTNERSHIP_DISSOLUTION, SEPARATION, SEPARATION_END)
