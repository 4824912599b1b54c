"""Events about parents and children: adoption (B01), paternity (B07), parental authority (B09).

The parents are on the child's person row (record 015), the child on each parent (record 014), the
holders of the parental authority on the child (record 016). A parent changed gets the event with
the derived marker ``MO`` or ``FA``.
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
    PersonState,
    Plan,
    Row,
    Rule,
    Situation,
    Update,
)
from opencpr.domain.events.effects import FATHER, MOTHER, log, set_person
from opencpr.domain.events.rules import adult, alive, in_force, not_before_birth, not_in_future

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


EVENTS = (ADOPTION, PATERNITY, PARENTAL_AUTHORITY_EVENT)
