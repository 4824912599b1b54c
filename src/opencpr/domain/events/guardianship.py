"""Events about guardianship (værgemål, record 017): placing under guardianship (A73), change of
guardian (B28), end of guardianship (B32).

The guardian is named by PNR (relation type 0001) or by name and address lines (0002). A guardian
in CPR gets the event with this project's derived marker ``VÆ``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opencpr.domain.codes import Event
from opencpr.domain.events.base import (
    DATE_ORDER,
    INVALID,
    NO_CHANGE,
    PERSON_STATE,
    RELATIVE,
    REQUIRED,
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
from opencpr.domain.events.effects import log
from opencpr.domain.events.rules import adult, alive, in_force, not_before_birth, not_in_future

#: CPR's own derived marker for a guardian is not public; this project logs ``VÆ`` (værge) on a guardian.
GUARDIAN = "VÆ"


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


EVENTS = (GUARDIANSHIP, GUARDIAN_CHANGE, GUARDIANSHIP_END)
