"""The event catalogue: every CPR event declared once (:class:`~opencpr.domain.events.base.EventType`).

Events are declared in the modules of :data:`_MODULES`, each with an ``EVENTS`` tuple;
:func:`events` collects them. Codes are CPR's public ones where known (A01 move, A21 death …)
and this project's B-codes for the rest (:data:`opencpr.domain.codes.Event`).
"""

from __future__ import annotations

from functools import cache

from opencpr.declared import collect
from opencpr.domain.events.base import EventType

_MODULES = (
    "opencpr.domain.events.residence",
    "opencpr.domain.events.addresses",
    "opencpr.domain.events.municipal",
    "opencpr.domain.events.civil_status",
    "opencpr.domain.events.parents",
    "opencpr.domain.events.guardianship",
    "opencpr.domain.events.identity",
    "opencpr.domain.events.maintenance",
)


@cache
def events() -> dict[str, EventType]:
    """Every event type by code, in declaration order."""
    return collect(_MODULES, "EVENTS", lambda event: event.code)


def event(code: str) -> EventType | None:
    return events().get(code.strip().upper())
