"""Running the pending register's due events: each waiting event whose date has come is applied.

:func:`run_due` lists the due events (:data:`DUE`) and applies each in its own gate call and
transaction (:data:`APPLY_DUE`). The event's data is checked again and its rules are checked on
the register as it is on the day; an event whose rules no longer hold is marked ``failed`` with
the problems, one applied is marked ``applied``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from opencpr.clock import stamp
from opencpr.domain.events import event as find_event
from opencpr.domain.events.base import EventType, PersonState, Problem, Situation, check_fields, check_rules
from opencpr.register.changes import read_states
from opencpr.register.schema import pending_event
from opencpr.services.apply import apply_event
from opencpr.services.contract import Kind, Outcome, ServiceContext, ServiceSpec
from opencpr.services.errors import UnknownEvent, UpdateConflict

__all__ = ["APPLY_DUE", "DUE", "DueResult", "run_due", "situation_of"]


@dataclass(frozen=True)
class DueResult:
    pending_id: int
    event_code: str
    pnr: str | None
    applied: bool
    problems: tuple[str, ...] = ()


def _due(ctx: ServiceContext, limit: int = 10_000) -> Outcome:
    rows = ctx.conn.execute(select(pending_event.c.id, pending_event.c.event_code)
                            .where(pending_event.c.state == "waiting", pending_event.c.event_date <= ctx.today)
                            .order_by(pending_event.c.event_date, pending_event.c.id).limit(limit)).all()
    return Outcome(info={"due": [(int(i), code) for i, code in rows]}, detail=f"{len(rows)} due")


def _apply_due(ctx: ServiceContext, pending_id: int, event_code: str | None = None) -> Outcome:
    row = ctx.conn.execute(select(pending_event).where(pending_event.c.id == pending_id)).mappings().first()
    if row is None or row["state"] != "waiting" or row["event_date"] > ctx.today:
        return Outcome(info={"result": None}, detail=f"pending {pending_id} not due")
    event = find_event(row["event_code"] or "")
    if event is None:
        raise UnknownEvent(row["event_code"])
    result = _apply_pending(ctx.conn, event, row, ctx.now, ctx.today)
    done = ctx.conn.execute(update(pending_event).where(pending_event.c.id == pending_id,
                                                        pending_event.c.state == "waiting").values(
        state="applied" if result.applied else "failed", resolved_at=stamp(ctx.now), resolved_by=ctx.actor.ident,
        result=json.dumps({"problems": list(result.problems)}, ensure_ascii=False)))
    if done.rowcount != 1:
        raise UpdateConflict(f"pending {pending_id} was resolved meanwhile")
    return Outcome(changed=(row["pnr"],) if result.applied and row["pnr"] else (), info={"result": result},
                   detail=f"pending {pending_id} {'applied' if result.applied else 'failed'}")


def situation_of(conn: Connection, event: EventType, row: Mapping[str, Any], now: dt.datetime, today: str
                 ) -> tuple[Situation | None, dict[str, PersonState], list[Problem]]:
    """A pending report's situation on the register as it is now: its data checked again, the
    persons' state read, and the event's rules' problems (none if it may be applied)."""
    raw = json.loads(row["data"])
    values, texts, problems = check_fields(event, raw, now.date())
    states = read_states(conn, [row["pnr"]] if row["pnr"] else [], event.reads)
    person = states.get(row["pnr"]) if row["pnr"] else PersonState("", {"status": None})
    if person is None:
        return None, states, [Problem(4006, "Personen findes ikke i CPR")]
    states |= read_states(conn, [p for p in event.related(person, values) if p not in states], event.reads)
    others = {p: s for p, s in states.items() if p != row["pnr"]}
    situation = Situation(event.code, person, row["event_date"], today, row["authority"], values, texts, others,
                          moment=f"{row['event_date']}T00:00")
    return situation, states, list(problems or check_rules(event, situation))


def _apply_pending(conn: Connection, event: EventType, row: Mapping[str, Any], now: dt.datetime,
                   today: str) -> DueResult:
    situation, states, problems = situation_of(conn, event, row, now, today)
    if problems or situation is None:
        return DueResult(row["id"], event.code, row["pnr"], False, tuple(p.text for p in problems))
    try:
        apply_event(conn, event, situation, {p: s.version for p, s in states.items()}, registered_at=stamp(now),
                    authority=row["authority"])
    except UpdateConflict as exc:
        return DueResult(row["id"], event.code, row["pnr"], False, (exc.text,))
    return DueResult(row["id"], event.code, row["pnr"], True)


DUE = ServiceSpec("run-due", Kind.EVENT, "list-due", _due, billable=False, pnr_key=None)
APPLY_DUE = ServiceSpec("run-due", Kind.EVENT, "apply-due", _apply_due, billable=False, writes=True, pnr_key=None,
                        grant_key="event_code")


def run_due(gate: Any, actor: Any) -> list[DueResult]:
    """Apply every waiting event whose date has come, each in its own gate call and transaction.

    An event whose rules no longer hold on its date is marked ``failed`` with the problems. Several
    processes may run this at once (servers on one database): each event is claimed by the update
    of its row from ``waiting``, so it is applied once; one another process resolved meanwhile is
    skipped here (its transaction rolled back).
    """
    results: list[DueResult] = []
    for pending_id, code in gate.call(actor, DUE).info["due"]:
        try:
            outcome = gate.call(actor, APPLY_DUE, pending_id=pending_id, event_code=code)
        except UpdateConflict:
            continue
        if outcome.info.get("result") is not None:
            results.append(outcome.info["result"])
    return results
