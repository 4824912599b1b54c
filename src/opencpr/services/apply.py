"""Applying an event's plan to the register, in the caller's transaction.

What the update dialogue's save (:mod:`opencpr.services.updates`) and the pending register's due
events (:mod:`opencpr.services.pending`) share: :func:`apply_event` writes an event's plan and
answers its receipt, claiming each person it changes by the version read before;
:func:`new_pnr` allocates the CPR number of a new person; :func:`read_versions` reads each
person's version as it is now. Both packages import this module and neither imports the other's
way of applying an event.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, select, text

from opencpr.domain.events.base import EventType, Problem, Situation
from opencpr.domain.kvit import Kvit
from opencpr.domain.pnr import PNRAllocator
from opencpr.register.batch import Batch
from opencpr.register.changes import Conflict, apply_plan, pnr_condition, pnr_params
from opencpr.register.db import plain_read
from opencpr.register.schema import person
from opencpr.services.errors import DataRefused, UpdateConflict

__all__ = ["apply_event", "new_pnr", "read_versions"]


@cache
def _versions_query(single: bool):
    return plain_read(select(person.c.pnr, person.c.version).where(pnr_condition(person.c.pnr, single)))


def read_versions(conn: Connection, pnrs: list[str]) -> dict[str, int]:
    """Each person's ``version`` as it is now (persons not in the register are left out)."""
    return dict(conn.execute(_versions_query(len(pnrs) == 1), pnr_params(pnrs)).all())


_ALLOCATION_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_ALLOCATION_KEYS = 0x0C9E_0000_0000  # this register's advisory lock keys for PNR allocation (+ ddmmyy)
_TAKEN = select(person.c.pnr).where(person.c.pnr >= bindparam("low"), person.c.pnr < bindparam("high"))


def new_pnr(conn: Connection, birth_date: str, sex: str) -> str:
    """A CPR number for a new person: valid for the birth date and sex, and not in the register."""
    day = dt.date.fromisoformat(birth_date)
    prefix = f"{day:%d%m%y}"
    batch = Batch(conn)  # on PostgreSQL: the lock and the numbers taken in one round trip
    if batch.postgresql:
        # births of the same day allocate one at a time (until commit): two saves at once would
        # otherwise both take the first free number. SQLite's writers go one at a time anyway.
        batch.add(_ALLOCATION_LOCK, {"key": _ALLOCATION_KEYS + int(prefix)})
    taken = batch.add(_TAKEN, {"low": prefix, "high": prefix + ":"})  # a range on the key (``:`` follows the digits)
    batch.send()
    try:
        return PNRAllocator([row[0] for row in taken.rows]).allocate(day, sex)
    except LookupError:
        raise DataRefused([Problem(4008, f"Der er ikke flere ledige personnumre for {birth_date} ({sex})")]) from None


def apply_event(conn: Connection, event: EventType, situation: Situation, versions: Mapping[str, int], *,
                registered_at: str, authority: str) -> dict[str, Any]:
    """Write the event's plan (in the caller's transaction) and return the receipt.

    An event that creates a person (``new_person``) gets its new CPR number as ``data["new_pnr"]``,
    allocated here from the data's ``birth_date`` (default: the event date) and ``sex``.
    """
    if event.new_person and not situation.data.get("new_pnr"):
        born = situation.data.get("birth_date") or situation.date
        number = new_pnr(conn, born, situation.data.get("sex") or "M")
        situation = dataclasses.replace(situation, data={**situation.data, "new_pnr": number})
    plan = event.effect(situation)
    read_only = sorted(p for p in versions if p not in set(plan.persons()))
    if read_only:  # persons the rules read but the plan leaves alone: still as they were validated
        now = read_versions(conn, read_only)
        moved = [p for p in read_only if now.get(p) != versions[p]]
        if moved:
            raise UpdateConflict(f"{Kvit.CONFLICT.text} ({', '.join(moved)})")
    try:
        ids = apply_plan(conn, plan, versions, registered_at=registered_at, authority=authority,
                         event_date=situation.date, detail={"data": dict(situation.data)},
                         before={situation.person.pnr: situation.person, **situation.others})
    except Conflict as exc:
        raise UpdateConflict(f"{Kvit.CONFLICT.text} ({exc.pnr})") from None
    return {"where": "register", "event": event.code, "title": event.title, "event_ids": ids,
            "registered_at": registered_at, "event_date": situation.date,
            "persons": list(plan.persons()),
            "log": [{"pnr": e.pnr, "event": e.event_code, "derived_marker": e.derived_marker or ""} for e in plan.log]}
