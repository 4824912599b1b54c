"""Test support for update services: run an event's whole dialogue through the gate (no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from opencpr.access.users import actor_for_user
from opencpr.register.changes import read_state
from opencpr.register.schema import event as event_table
from opencpr.services import errors, updates
from opencpr.services.gate import Gate


@dataclass
class Updater:
    """Runs events for one user (CPR office by default) through the gate on the demo register."""

    gate: Gate
    user: str = "CPR1"

    @property
    def actor(self):
        return actor_for_user(self.gate.engine, self.user)

    def as_user(self, user: str) -> Updater:
        return Updater(self.gate, user)

    def initiate(self, code: str, pnr: str | None, date: str, authority: str | None = None):
        return updates.step(self.gate, self.actor, code, "initiate", pnr=pnr, event_date=date,
                            authority=authority or self.actor.authority)

    def run(self, code: str, pnr: str | None, date: str, data: dict[str, Any] | None = None,
            authority: str | None = None) -> dict[str, Any]:
        """initiate → validate → save; returns the receipt (raises the service's KvitError on refusal)."""
        authority = authority or self.actor.authority
        started = self.initiate(code, pnr, date, authority)
        ts = started.info["session"]
        updates.step(self.gate, self.actor, code, "validate", pnr=pnr, event_date=date, authority=authority, ts=ts,
                     data=data or {})
        saved = updates.step(self.gate, self.actor, code, "save", pnr=pnr, event_date=date, authority=authority,
                             ts=ts, data=data or {})
        return saved.info["receipt"]

    def refusal(self, code: str, pnr: str | None, date: str, data: dict[str, Any] | None = None,
                authority: str | None = None) -> list:
        """The problems validation reports (empty if it passes)."""
        authority = authority or self.actor.authority
        ts = self.initiate(code, pnr, date, authority).info["session"]
        try:
            updates.step(self.gate, self.actor, code, "validate", pnr=pnr, event_date=date, authority=authority,
                         ts=ts, data=data or {})
        except errors.DataRefused as exc:
            return list(exc.problems)
        return []

    def problems(self, *args: Any, **kwargs: Any) -> list[int]:
        """The codes of the problems validation reports (empty if it passes)."""
        return [p.code for p in self.refusal(*args, **kwargs)]

    def refusal_texts(self, *args: Any, **kwargs: Any) -> list[str]:
        """The texts of the problems validation reports."""
        return [p.text for p in self.refusal(*args, **kwargs)]

    def state(self, pnr: str):
        with self.gate.engine.connect() as conn:
            return read_state(conn, pnr)

    def events_of(self, pnr: str) -> list[tuple[str, str | None]]:
        """(event code, derived marker) of the person's logged events from updates, in order."""
        with self.gate.engine.connect() as conn:
            rows = conn.execute(select(event_table.c.event_code, event_table.c.derived_marker)
                                .where(event_table.c.pnr == pnr, event_table.c.source == "update")
                                .order_by(event_table.c.id)).all()
        return [(c, m) for c, m in rows]
