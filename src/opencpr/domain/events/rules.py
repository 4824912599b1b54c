"""Preconditions that events of more than one area share (pure predicates on a :class:`Situation`,
and the tests on a person or a row they rest on).

Each is used in a :class:`~opencpr.domain.events.base.Rule` with the event's own wording of the
problem; the area modules (residence, civil status, parents, guardianship, identity, maintenance …)
import them from here and not from each other.
"""

from __future__ import annotations

from opencpr.domain.events.base import PersonState, Row, Situation

__all__ = ["adult", "alive", "in_force", "not_before_birth", "not_in_future"]


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
