"""The municipality's side of self-service: the inbox of reports awaiting approval, approve, reject.

A citizen's report waits in the pending register as ``awaiting_approval`` for the municipality in
charge (:func:`~opencpr.services.pending.waiting.in_charge`). A caseworker of that municipality —
or the CPR office — decides it:

* :data:`INBOX` — the reports waiting for the caller's municipality, each with what would change
  (the current data before, the reported data after, translated) and, if it no longer validates
  on the register as it is now, the problems;
* :data:`APPROVE` — validates the event again on the register as it is now and applies it as of
  its event date, or, if that date is still to come, leaves it waiting for its date (the due run
  applies it); a report that no longer validates is refused with every problem (Kvit 5403) and
  stays waiting;
* :data:`REJECT` — with a reason, which the reporter sees in the report's status.

Decisions are kept on the report (who, when, what, why) and audited on the caseworker's user code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from opencpr.clock import stamp
from opencpr.domain.events import event as find_event
from opencpr.register.schema import pending_event
from opencpr.services.apply import apply_event
from opencpr.services.contract import Kind, Outcome, Scope, ServiceContext, ServiceSpec
from opencpr.services.errors import (
    DataRefused,
    MissingKey,
    NoAccess,
    PendingDecided,
    UnknownEvent,
    UpdateConflict,
)
from opencpr.services.pending.due import situation_of
from opencpr.services.pending.waiting import may_decide, read_report, report_permission, report_view

__all__ = ["APPROVE", "INBOX", "REJECT", "approve", "inbox", "reject"]

#: The most reports one inbox page holds (the next page starts after the last id: ``after``).
INBOX_PAGE = 50


def _before_after(ctx: ServiceContext, row: Mapping[str, Any]) -> dict[str, Any]:
    """What the report would change, and whether it still validates on the register as it is now."""
    event = find_event(row["event_code"] or "")
    if event is None:
        return {"before": {}, "after": {}, "problems": [f"Hændelsen {row['event_code']} findes ikke"]}
    situation, states, problems = situation_of(ctx.conn, event, row, ctx.now, ctx.today)
    person = states.get(row["pnr"]) if row["pnr"] else None
    before: dict[str, list[dict[str, Any]]] = {}
    if person is not None:
        for table in event.concerns:
            current = person.current(table)
            rows = [current] if current is not None else [r for r in person.valid(table) if not r.get("valid_to")]
            before[table] = [{k: v for k, v in r.items() if k not in ("id", "pnr")} for r in rows if r]
    after: list[dict[str, Any]] = []
    if situation is not None:
        for f in event.fields:
            value = situation.data.get(f.param)
            if value not in (None, ""):
                after.append({"field": f.name, "param": f.param, "value": value, "text": situation.texts.get(f.param)})
    return {"before": before, "after": after, "problems": [p.as_dict() for p in problems]}


def _inbox(ctx: ServiceContext, municipality: str | None = None, after: Any = None,
           limit: int = INBOX_PAGE) -> Outcome:
    if ctx.pending_only:
        raise NoAccess("Borgerselvbetjening kan ikke afgøre indberetninger")
    if ctx.grant.scope is Scope.ALL:
        wanted = str(municipality).strip().zfill(4) if municipality else None
    else:
        wanted = ctx.actor.authority or ""
        if municipality and str(municipality).strip().zfill(4) != wanted:
            raise NoAccess(f"Myndighed {wanted} kan kun se indberetninger til sin egen kommune")
    query = (select(pending_event).where(pending_event.c.state == "awaiting_approval")
             .order_by(pending_event.c.id).limit(max(1, min(int(limit), 200))))
    if wanted is not None:
        query = query.where(pending_event.c.municipality == wanted)
    if after is not None and str(after).strip().isdigit():
        query = query.where(pending_event.c.id > int(after))
    rows = [dict(r) for r in ctx.conn.execute(query).mappings()]
    reports = [{**report_view(r), **_before_after(ctx, r)} for r in rows]
    size = max(1, min(int(limit), 200))
    restart = reports[-1]["pending_id"] if len(reports) == size else None
    return Outcome(parts={"pending_report": reports}, detail=f"{len(reports)} awaiting approval in {wanted or 'all'}",
                   info={"count": len(reports), "restart": restart, "municipality": wanted})


def _decidable(ctx: ServiceContext, pending_id: Any) -> dict[str, Any]:
    row = read_report(ctx.conn, pending_id)
    if not may_decide(ctx, row):
        raise NoAccess(f"Kun kommune {row['municipality']} (og CPR-kontoret) kan afgøre indberetning {row['id']}")
    if row["state"] != "awaiting_approval":
        raise PendingDecided(row["id"], row["state"])
    return row


def _decided(ctx: ServiceContext, row: Mapping[str, Any], **values: Any) -> None:
    done = ctx.conn.execute(update(pending_event).where(pending_event.c.id == row["id"],
                                                        pending_event.c.state == "awaiting_approval")
                            .values(decided_by=ctx.actor.ident, decided_at=stamp(ctx.now), **values))
    if done.rowcount != 1:
        raise UpdateConflict(f"Indberetning {row['id']} er afgjort eller trukket tilbage imens")


def _approve(ctx: ServiceContext, pending_id: Any) -> Outcome:
    row = _decidable(ctx, pending_id)
    event = find_event(row["event_code"] or "")
    if event is None:
        raise UnknownEvent(row["event_code"])
    # the event is registered by the municipality that decides it
    authority = row["municipality"] or ctx.actor.authority or row["authority"]
    row = {**row, "authority": authority}
    situation, states, problems = situation_of(ctx.conn, event, row, ctx.now, ctx.today)
    if problems or situation is None:  # the person changed since the report: the caseworker sees why
        raise DataRefused(problems)
    receipt: dict[str, Any]
    if row["event_date"] > ctx.today:  # approved now, applied on its date by the due run
        _decided(ctx, row, decision="approved", state="waiting", authority=authority)
        receipt = {"where": "pending", "pending_id": row["id"], "state": "waiting", "event": event.code,
                   "title": event.title, "event_date": row["event_date"], "registered_at": stamp(ctx.now),
                   "persons": [row["pnr"]] if row["pnr"] else []}
        changed: tuple[str, ...] = ()
    else:
        receipt = apply_event(ctx.conn, event, situation, {p: s.version for p, s in states.items()},
                              registered_at=stamp(ctx.now), authority=authority)
        receipt["pending_id"] = row["id"]
        _decided(ctx, row, decision="approved", state="applied", authority=authority, resolved_at=stamp(ctx.now),
                 resolved_by=ctx.actor.ident, result=json.dumps({"event_ids": receipt["event_ids"]}))
        changed = tuple(receipt.get("persons", ()))
    fresh = read_report(ctx.conn, row["id"])
    return Outcome(parts={"pending_report": [report_view(fresh)]}, changed=changed,
                   detail=f"pending {row['id']} {event.code} approved ({receipt['where']})",
                   info={"receipt": receipt, "approved": True})


def _reject(ctx: ServiceContext, pending_id: Any, reason: str | None = None) -> Outcome:
    text = " ".join(str(reason or "").split())
    if not text:
        raise MissingKey("BEGRUNDELSE", "afvis")
    row = _decidable(ctx, pending_id)
    _decided(ctx, row, decision="rejected", state="rejected", reason=text[:500], resolved_at=stamp(ctx.now),
             resolved_by=ctx.actor.ident)
    fresh = read_report(ctx.conn, row["id"])
    return Outcome(parts={"pending_report": [report_view(fresh)]}, info={"rejected": True},
                   detail=f"pending {row['id']} {row['event_code']} rejected")


INBOX = ServiceSpec("pending", Kind.EVENT, "inbox", _inbox, billable=False, pnr_key=None, via=report_permission,
                    description="Kommunens indbakke: indberetninger, der venter på godkendelse")
APPROVE = ServiceSpec("pending", Kind.EVENT, "approve", _approve, billable=True, writes=True, pnr_key=None,
                      via=report_permission, description="Godkend en indberetning")
REJECT = ServiceSpec("pending", Kind.EVENT, "reject", _reject, billable=False, writes=True, pnr_key=None,
                     via=report_permission, description="Afvis en indberetning med en begrundelse")


def inbox(gate: Any, actor: Any, *, municipality: str | None = None, after: Any = None,
          limit: int = INBOX_PAGE) -> Outcome:
    """The reports awaiting the caller's municipality (the CPR office: every one, or ``municipality``'s)."""
    return gate.call(actor, INBOX, municipality=municipality, after=after, limit=limit)


def approve(gate: Any, actor: Any, pending_id: Any) -> Outcome:
    """Approve a report: validated again and applied as of its date (or left waiting for it)."""
    return gate.call(actor, APPROVE, pending_id=pending_id)


def reject(gate: Any, actor: Any, pending_id: Any, reason: str) -> Outcome:
    """Reject a report with a reason the reporter sees."""
    return gate.call(actor, REJECT, pending_id=pending_id, reason=reason)
