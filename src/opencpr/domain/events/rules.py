"""Preconditions that events of more than one area share (pure predicates on a :class:`Situation`,
and the tests on a person or a row they rest on).

Each is used in a :class:`~opencpr.domain.events.base.Rule` with the event's own wording of the
problem; the area modules (residence, addresses, municipal, civil status, parents, guardianship,
identity, maintenance) import them from here and not from each other.
"""

from __future__ import annotations

from opencpr.domain.events.base import PersonState, Row, Situation

__all__ = ["adult", "alive", "day_of", "emigrated", "in_force", "not_before_birth", "not_before_current_address",
           "not_in_future", "open_rows", "resident", "resident_if_alive", "valid_to_after_date"]


def alive(s: Situation) -> bool:
    """The person is not dead."""
    return not s.person.is_dead


def not_before_birth(s: Situation) -> bool:
    """The event date is not before the person's birth date (an incomplete birth date passes)."""
    born = s.person.birth_date
    return not born or born[5:7] == "00" or s.date >= born


def not_in_future(s: Situation) -> bool:
    """The event date is not after today."""
    return s.date <= s.today


def adult(state: PersonState | None, day: str) -> bool:
    """``state`` is 18 or older on ``day`` (true for a person not in the register or without a full birth date)."""
    if state is None:
        return True
    age = state.age_on(day)
    return age is None or age >= 18


def in_force(row: Row, day: str) -> bool:
    """``day`` lies in the row's period: from ``valid_from`` (if any) up to, not including, ``valid_to`` (if any)."""
    start, end = (row.get("valid_from") or "")[:10], (row.get("valid_to") or "")[:10]
    return (not start or start <= day) and (not end or day < end)


def day_of(value: str | None) -> str:
    """The date (``YYYY-MM-DD``) of a stored date or moment; ``""`` for none."""
    return (value or "")[:10]


def open_rows(state: PersonState, table: str, day: str) -> list[Row]:
    """Rows of a kind without ``current`` that are not ended on ``day`` (no valid_to, or a later one)."""
    return [r for r in state.valid(table) if not r.get("valid_to") or day_of(r["valid_to"]) > day]


def resident(s: Situation) -> bool:
    """The person lives in Denmark or Greenland (status 01, 03, 05, 07)."""
    return s.person.status in ("01", "03", "05", "07")


def resident_if_alive(s: Situation) -> bool:
    """Resident in Denmark (or dead, which its own rule reports)."""
    return s.person.is_dead or resident(s)


def emigrated(s: Situation) -> bool:
    """The person has left the country (status 80 with a current departure), or is dead (its own rule reports it)."""
    return s.person.is_dead or (s.person.status == "80" and s.person.current("departure") is not None)


def not_before_current_address(s: Situation) -> bool:
    """The event date is not before the person moved to the current address."""
    current = s.person.current("address")
    return current is None or not current.get("valid_from") or s.date >= day_of(current["valid_from"])


def valid_to_after_date(s: Situation) -> bool:
    """An end date given in the data (``valid_to``) lies after the event date."""
    end = s.data.get("valid_to")
    return not end or end > s.date
