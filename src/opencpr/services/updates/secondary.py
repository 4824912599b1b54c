"""Secondary events: follow-on events within the case of a primary event.

A saved event offers the follow-on events its declaration names (``EventType.secondary``) for
the persons it concerned (:func:`secondary_offers`, in the receipt). The same user may initiate
one of them naming the primary event's session (``primary``, GCTP ``st="S" pt=<ts>``) within
:data:`SECONDARY_WINDOW` (:func:`check_primary`, Kvit 5406 if not). Such a step is allowed to a
user whose group does not grant the secondary event itself: the primary event's grant lets it
in (:func:`primary_permission`, the gate's :attr:`~opencpr.services.contract.ServiceSpec.via`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from opencpr.clock import stamp
from opencpr.domain.events import event as find_event
from opencpr.domain.events.base import EventType
from opencpr.services.contract import ServiceContext
from opencpr.services.errors import NotSecondary
from opencpr.services.updates.keys import Keys, event_named
from opencpr.services.updates.sessions import SESSION_IDLE, session_row

__all__ = ["SECONDARY_WINDOW", "check_primary", "primary_permission", "secondary_offers"]

#: How long after its primary event was saved a secondary event may be initiated in the same case.
SECONDARY_WINDOW = SESSION_IDLE


def primary_permission(conn: Connection, actor: Any, keys: Mapping[str, Any]) -> str | None:
    """The gate's other way in (:attr:`ServiceSpec.via`): the primary event whose case a secondary
    event belongs to — named by ``primary`` at initiation, remembered by the session after it."""
    primary = keys.get("primary")
    if not primary and keys.get("ts"):
        row = session_row(conn, keys["ts"])
        primary = json.loads(row["keys"]).get("primary") if row is not None else None
    row = session_row(conn, primary) if primary else None
    if row is None or row["actor"] != actor.ident or row["state"] != "saved":
        return None
    event = find_event(row["event_code"])
    return row["event_code"] if event is not None and keys.get("event_code") in event.secondary else None


def check_primary(ctx: ServiceContext, event: EventType, keys: Keys) -> None:
    """A secondary event's case: the primary session is this user's, saved within
    :data:`SECONDARY_WINDOW`, its event offers this one, and it concerned this person."""
    row = session_row(ctx.conn, keys.primary or "")
    if row is None or row["actor"] != ctx.actor.ident:
        raise NotSecondary(event.code, f"den primære hændelse {keys.primary} findes ikke")
    primary = event_named(row["event_code"])
    if event.code not in primary.secondary:
        raise NotSecondary(event.code, f"{primary.code} {primary.title} giver ikke adgang til {event.code}")
    if row["state"] != "saved":
        raise NotSecondary(event.code, f"den primære hændelse {primary.code} er ikke gemt")
    if row["updated_at"] < stamp(ctx.now - SECONDARY_WINDOW):
        raise NotSecondary(event.code, f"sagen med {primary.code} er afsluttet")
    persons = json.loads(row["receipt"] or "{}").get("persons", [])
    if keys.pnr not in persons:
        raise NotSecondary(event.code, f"personen indgår ikke i den primære hændelse {primary.code}")


def secondary_offers(event: EventType, persons: list[str]) -> list[dict[str, Any]]:
    """The follow-on events a saved event opens, for the persons it concerned."""
    offers = []
    for code in event.secondary:
        found = find_event(code)
        if found is not None:
            offers.append({"event": code, "title": found.title, "persons": persons})
    return offers
