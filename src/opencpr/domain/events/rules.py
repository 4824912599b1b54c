"""Preconditions that events of every area share (pure predicates on a :class:`Situation`).

Each is used in a :class:`~opencpr.domain.events.base.Rule` with the event's own wording of the
problem; the areas (residence, family, identity, maintenance) import them from here and not from
each other.
"""

from __future__ import annotations

from opencpr.domain.events.base import Situation

__all__ = ["alive", "not_before_birth", "not_in_future"]


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
