"""Events waiting in the pending register: putting a saved event there, listing, withdrawing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update

from opencpr.clock import stamp
from opencpr.domain.events.base import EventType
from opencpr.register.schema import pending_event
from opencpr.services.contract import Kind, Outcome, Scope, ServiceContext, ServiceSpec
from opencpr.services.errors import NoAccess, SessionUnknown

__all__ = ["LIST_PENDING", "WITHDRAW_PENDING", "to_pending"]


def to_pending(ctx: ServiceContext, event: EventType, *, pnr: str | None, event_date: str, authority: str,
               raw: Mapping[str, Any], session: str, state: str) -> dict[str, Any]:
    """Put a saved event in the pending register (state ``waiting`` or ``awaiting_approval``) and
    return its receipt. ``raw`` is the event's data as validated; ``session`` the update session."""
    municipality = raw.get("KOMKOD") or raw.get("municipality") or (ctx.municipality_of(pnr) if pnr else None)
    result = ctx.conn.execute(insert(pending_event).values(
        event_code=event.code, pnr=pnr, event_date=event_date, authority=authority,
        municipality=municipality, data=json.dumps(dict(raw), ensure_ascii=False), reported_by=ctx.actor.ident,
        reported_at=stamp(ctx.now), state=state, session_id=session))
    pending_id = int(result.inserted_primary_key[0])
    return {"where": "pending", "pending_id": pending_id, "state": state, "event": event.code,
            "title": event.title, "event_date": event_date, "registered_at": stamp(ctx.now),
            "persons": [pnr] if pnr else []}


def _list_pending(ctx: ServiceContext, pnr: str | None = None, state: str | None = None) -> Outcome:
    query = select(pending_event).order_by(pending_event.c.id.desc())
    if pnr:
        query = query.where(pending_event.c.pnr == pnr)
    if state:
        query = query.where(pending_event.c.state == state)
    if ctx.grant.scope is not Scope.ALL:
        query = query.where(pending_event.c.municipality == (ctx.actor.authority or ""))
    rows = [dict(r) for r in ctx.conn.execute(query).mappings()]
    return Outcome(info={"pending": rows}, detail=f"{len(rows)} pending")


def _withdraw(ctx: ServiceContext, pending_id: int) -> Outcome:
    row = ctx.conn.execute(select(pending_event).where(pending_event.c.id == pending_id)).mappings().first()
    if row is None:
        raise SessionUnknown(f"venteregister {pending_id}")
    if row["reported_by"] != ctx.actor.ident and ctx.grant.scope is not Scope.ALL:
        raise NoAccess("Kun den, der indberettede hændelsen, kan trække den tilbage")
    done = ctx.conn.execute(update(pending_event).where(
        pending_event.c.id == pending_id, pending_event.c.state.in_(("waiting", "awaiting_approval")))
        .values(state="withdrawn", resolved_at=stamp(ctx.now), resolved_by=ctx.actor.ident))
    return Outcome(info={"withdrawn": done.rowcount == 1}, changed=(),
                   detail=f"pending {pending_id} {'withdrawn' if done.rowcount else 'not waiting'}")


LIST_PENDING = ServiceSpec("pending", Kind.EVENT, "list-pending", _list_pending, billable=False)
WITHDRAW_PENDING = ServiceSpec("pending", Kind.EVENT, "withdraw", _withdraw, billable=False, writes=True,
                               pnr_key=None)
