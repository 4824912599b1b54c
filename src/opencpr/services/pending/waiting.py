"""Reports in the pending register: putting a saved event there, who is in charge of it, what
became of it (status), withdrawing it, and the mark that a person has a report waiting.

* :func:`to_pending` — a saved event into the pending register, with the municipality in charge;
* :func:`in_charge` — the municipality that decides a report: the municipality of residence in
  the register, or for a move the municipality moved to (CPR's practice: a move is reported to
  and registered by the municipality the person moves to);
* :func:`residence_of` — the person's municipality of residence (the last one, without a current
  address);
* :data:`REPORT_STATUS` — the reporter's own reports and what became of them;
* :data:`WITHDRAW_PENDING` — the reporter (or the CPR office) takes back a report still waiting;
* :func:`pending_mark` — STAMP's ``I_VENT_MRK``: the person has a report waiting.

The services here are named ``pending`` for the gate; their permission is the event grant of the
report's event (:func:`report_permission`), so a citizen user who may report a move may also ask
about and withdraw its own moves.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, exists, insert, select, true, update

from opencpr.access.actor import Actor
from opencpr.clock import stamp
from opencpr.domain import reference
from opencpr.domain.events import event as find_event
from opencpr.domain.events.base import EventType
from opencpr.register.schema import address, pending_event
from opencpr.services.contract import Kind, Outcome, Scope, ServiceContext, ServiceSpec
from opencpr.services.errors import NoAccess, PendingDecided, PendingUnknown

__all__ = [
    "LIST_PENDING", "OPEN_STATES", "REPORT_STATUS", "WITHDRAW_PENDING", "in_charge", "pending_mark",
    "report_permission", "report_view", "residence_of", "to_pending",
]

#: States in which a report is still waiting (for a decision, or for its date).
OPEN_STATES = ("awaiting_approval", "waiting")

#: What a report's state means to the reporter: (status, Danish text).
_STATUS = {
    "awaiting_approval": ("waiting", "Afventer kommunens godkendelse"),
    "waiting": ("waiting", "Venter på hændelsesdatoen"),
    "applied": ("approved", "Godkendt og registreret i CPR"),
    "rejected": ("rejected", "Afvist af kommunen"),
    "withdrawn": ("withdrawn", "Trukket tilbage"),
    "failed": ("failed", "Kunne ikke registreres på hændelsesdatoen"),
}


def residence_of(conn: Connection, pnr: str) -> str | None:
    """The person's municipality of residence: the current address's, else the last address's."""
    found = conn.execute(select(address.c.municipality).where(address.c.pnr == pnr, address.c.current == true())
                         ).scalar()
    if found:
        return found
    return conn.execute(select(address.c.municipality).where(address.c.pnr == pnr, address.c.municipality.is_not(None))
                        .order_by(address.c.valid_from.desc()).limit(1)).scalar()


def in_charge(conn: Connection, event: EventType, pnr: str | None, raw: Mapping[str, Any]) -> str | None:
    """The municipality that decides a report: for a move (an event with a destination) the
    municipality moved to, otherwise the municipality of residence in the register — never what
    the request says about itself."""
    if event.destination:
        field = next((f for f in event.fields if f.param == event.destination), None)
        value = raw.get(field.name) if field is not None else None
        if value is None and field is not None:
            value = raw.get(field.param)
        if value and str(value).strip().isdigit():
            return str(value).strip().zfill(4)
    return residence_of(conn, pnr) if pnr else None


def to_pending(ctx: ServiceContext, event: EventType, *, pnr: str | None, event_date: str, authority: str,
               raw: Mapping[str, Any], session: str, state: str) -> dict[str, Any]:
    """Put a saved event in the pending register (state ``waiting`` or ``awaiting_approval``) and
    return its receipt. ``raw`` is the event's data as validated; ``session`` the update session."""
    municipality = in_charge(ctx.conn, event, pnr, raw)
    result = ctx.conn.execute(insert(pending_event).values(
        event_code=event.code, pnr=pnr, event_date=event_date, authority=authority,
        municipality=municipality, data=json.dumps(dict(raw), ensure_ascii=False), reported_by=ctx.actor.ident,
        reported_at=stamp(ctx.now), state=state, session_id=session))
    pending_id = int(result.inserted_primary_key[0])
    return {"where": "pending", "pending_id": pending_id, "state": state, "event": event.code,
            "title": event.title, "event_date": event_date, "registered_at": stamp(ctx.now),
            "municipality": municipality, "persons": [pnr] if pnr else []}


def pending_mark(conn: Connection, pnr: str) -> bool:
    """STAMP's ``I_VENT_MRK``: the person has a report waiting in the pending register."""
    return bool(conn.execute(select(exists().where(pending_event.c.pnr == pnr,
                                                   pending_event.c.state.in_(OPEN_STATES)))).scalar())


def report_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A report as the services answer it: its keys, where it is, and what became of it."""
    event = find_event(row["event_code"] or "")
    status, text = _STATUS.get(row["state"], (row["state"], row["state"]))
    if row["state"] == "waiting" and row.get("decision") == "approved":
        status, text = "approved", "Godkendt; registreres på hændelsesdatoen"
    result = json.loads(row["result"]) if row.get("result") else {}
    municipality = row["municipality"]
    found = reference.authority(municipality) if municipality else None
    return {
        "pending_id": int(row["id"]), "event": row["event_code"], "title": event.title if event else None,
        "pnr": row["pnr"], "event_date": row["event_date"], "municipality": municipality,
        "municipality_name": found.name if found else None, "authority": row["authority"],
        "state": row["state"], "status": status, "status_text": text, "reported_by": row["reported_by"],
        "reported_at": row["reported_at"], "decision": row.get("decision"), "decided_by": row.get("decided_by"),
        "decided_at": row.get("decided_at"), "reason": row.get("reason"),
        "problems": result.get("problems") or [], "data": json.loads(row["data"] or "{}"),
    }


MAX_REPORT_NUMBER = 2**63 - 1  # the id column's range on both databases


def report_number(pending_id: Any) -> int | None:
    """A report's number as given, or None if it cannot be one (not digits, or out of range)."""
    text = str(pending_id).strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_REPORT_NUMBER else None


def read_report(conn: Connection, pending_id: Any) -> dict[str, Any]:
    """The report's row; raise PendingUnknown."""
    number = report_number(pending_id)
    if number is None:
        raise PendingUnknown(pending_id)
    row = conn.execute(select(pending_event).where(pending_event.c.id == number)).mappings().first()
    if row is None:
        raise PendingUnknown(pending_id)
    return dict(row)


def may_decide(ctx: ServiceContext, row: Mapping[str, Any]) -> bool:
    """The municipality in charge of the report, or a group whose grant reaches every person (the
    CPR office) — never a group that may only report to the pending register."""
    if ctx.pending_only:
        return False
    return ctx.grant.scope is Scope.ALL or (ctx.actor.authority or "") == (row["municipality"] or "")


def report_permission(conn: Connection, actor: Actor, keys: dict[str, Any]) -> str | None:
    """The permission a call on the pending register uses: the event grant of the report it names
    (``pending_id``), or — for a list — any event the actor's group may report."""
    pending_id = keys.get("pending_id")
    number = report_number(pending_id) if pending_id is not None else None
    if number is not None:
        code = conn.execute(select(pending_event.c.event_code).where(pending_event.c.id == number)).scalar()
        if code:
            return code
    grant = actor.group.permissions.grants.get(Kind.EVENT)
    return grant.services[0] if grant is not None and grant.services else None


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


def _status(ctx: ServiceContext, pending_id: Any = None, pnr: str | None = None, limit: int = 200) -> Outcome:
    """The reporter's own reports (one, by id; or the latest, optionally about one person)."""
    if pending_id is not None and str(pending_id).strip():
        row = read_report(ctx.conn, pending_id)
        if row["reported_by"] != ctx.actor.ident and not may_decide(ctx, row):
            raise NoAccess("Kun den, der indberettede hændelsen, og kommunen, der afgør den, kan se indberetningen")
        rows = [row]
    else:
        query = (select(pending_event).where(pending_event.c.reported_by == ctx.actor.ident)
                 .order_by(pending_event.c.id.desc()).limit(max(1, min(int(limit), 1000))))
        if pnr:
            query = query.where(pending_event.c.pnr == str(pnr).strip())
        rows = [dict(r) for r in ctx.conn.execute(query).mappings()]
    reports = [report_view(r) for r in rows]
    return Outcome(parts={"pending_report": reports}, detail=f"{len(reports)} reports",
                   info={"count": len(reports)})


def _withdraw(ctx: ServiceContext, pending_id: Any) -> Outcome:
    row = read_report(ctx.conn, pending_id)
    office = not ctx.pending_only and ctx.grant.scope is Scope.ALL
    if row["reported_by"] != ctx.actor.ident and not office:
        raise NoAccess("Kun den, der indberettede hændelsen, kan trække den tilbage")
    if row["state"] not in OPEN_STATES:
        raise PendingDecided(row["id"], row["state"])
    done = ctx.conn.execute(update(pending_event).where(
        pending_event.c.id == row["id"], pending_event.c.state.in_(OPEN_STATES))
        .values(state="withdrawn", resolved_at=stamp(ctx.now), resolved_by=ctx.actor.ident))
    if done.rowcount != 1:
        raise PendingDecided(row["id"], "afgjort imens")
    row.update(state="withdrawn", resolved_at=stamp(ctx.now), resolved_by=ctx.actor.ident)
    view = report_view(row)
    return Outcome(parts={"pending_report": [view]}, info={"withdrawn": True},
                   detail=f"pending {row['id']} withdrawn")


LIST_PENDING = ServiceSpec("pending", Kind.EVENT, "list-pending", _list_pending, billable=False)
REPORT_STATUS = ServiceSpec("pending", Kind.EVENT, "status", _status, billable=False, pnr_key=None,
                            via=report_permission, description="Status på egne indberetninger")
WITHDRAW_PENDING = ServiceSpec("pending", Kind.EVENT, "withdraw", _withdraw, billable=False, writes=True,
                               pnr_key=None, via=report_permission, description="Træk en indberetning tilbage")
