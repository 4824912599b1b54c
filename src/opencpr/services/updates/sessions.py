"""Update sessions: the ``update_session`` rows of a dialogue, and the state kept between its steps.

Initiation opens a session under a new ``ts`` (:func:`open_session`); each later step loads it by
``ts`` with the same keys (:func:`load_session`: unknown, another user's, expired after
:data:`SESSION_IDLE`, cancelled or saved is Kvit 5401; changed keys Kvit 5404) and records what it
did (:func:`touch_session`), which moves the expiry on.

The persons' state read in one step is kept in the gate's memo (:func:`keep`) for the next step
of the same session, which uses it (:func:`kept_states`) instead of reading every table again
when no person in it has changed since — a check of each person's version.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from opencpr.clock import stamp
from opencpr.domain.events.base import PersonState
from opencpr.register.batch import Batch
from opencpr.register.db import plain_read
from opencpr.register.schema import person, update_session
from opencpr.services.apply import read_versions
from opencpr.services.contract import ServiceContext
from opencpr.services.errors import KeysChanged, MissingKey, SessionUnknown
from opencpr.services.updates.keys import Keys

__all__ = ["SESSION_IDLE", "forget", "keep", "kept_states", "load_session", "open_session", "session_row",
           "touch_session"]

SESSION_IDLE = dt.timedelta(minutes=30)


# --- the update_session rows ----------------------------------------------------------------------------

@cache
def _session_insert(dialect: str):
    """``INSERT … ON CONFLICT DO NOTHING`` of a session: a stamp taken meanwhile inserts nothing."""
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (maker(update_session).on_conflict_do_nothing(index_elements=[update_session.c.id])
            .returning(update_session.c.id))


def open_session(conn: Connection, now: dt.datetime, values: Mapping[str, Any]) -> str:
    """Open a session under a new ``ts`` as CPR writes it: yyyyMMddHHmmss and six more digits
    (here the microsecond, moved on while a stamp of the same second is taken)."""
    statement = _session_insert(conn.dialect.name)
    micro = time.time_ns() // 1000 % 1_000_000
    for step in range(1_000_000):
        ts = f"{now:%Y%m%d%H%M%S}{(micro + step) % 1_000_000:06d}"
        batch = Batch(conn)  # on PostgreSQL with the transaction's BEGIN, if it waits for this write
        inserted = batch.add(statement, {**values, "id": ts})
        batch.send()
        if inserted.rows:
            return ts
    raise RuntimeError("no free session stamp in this second")  # pragma: no cover


#: The session and, in the same statement, the version its person has now (``person_version``).
_SESSION_QUERY = plain_read(
    select(update_session, person.c.version.label("person_version"))
    .select_from(update_session.outerjoin(person, person.c.pnr == update_session.c.pnr))
    .where(update_session.c.id == bindparam("ts")))


def session_row(conn: Connection, ts: str) -> Mapping[str, Any] | None:
    """The session ``ts`` as stored, whoever it belongs to and whatever its state, and the version
    its person has now (``person_version``; None for a session without a person)."""
    return conn.execute(_SESSION_QUERY, {"ts": str(ts).strip()}).mappings().first()


def load_session(ctx: ServiceContext, ts: str | None, keys: Keys) -> Mapping[str, Any]:
    """The user's open session ``ts``, opened with these keys; raise SessionUnknown or KeysChanged."""
    if not ts:
        raise MissingKey("ts", keys.event_code)
    row = session_row(ctx.conn, ts)
    if row is None or row["actor"] != ctx.actor.ident or row["expires_at"] <= stamp(ctx.now) \
            or row["state"] in ("cancelled", "saved"):
        raise SessionUnknown(ts)
    kept = json.loads(row["keys"])
    given = keys.as_dict()
    if not keys.primary:  # a later step of a secondary event need not name its primary session again
        given |= {"primary": kept["primary"]} if "primary" in kept else {}
    if kept != given:
        raise KeysChanged()
    return row


@cache
def _session_update(columns: tuple[str, ...]):
    return (update(update_session).where(update_session.c.id == bindparam("w_id"))
            .values({c: bindparam(f"v_{c}") for c in ("updated_at", "expires_at", *columns)}))


def touch_session(ctx: ServiceContext, ts: str, **values: Any) -> None:
    """Write ``values`` to the session and move its expiry :data:`SESSION_IDLE` on from now (at the
    end of the call, with its audit record: :meth:`ServiceContext.defer`)."""
    columns = tuple(sorted(values))
    ctx.defer(_session_update(columns), {
        "w_id": ts, "v_updated_at": stamp(ctx.now), "v_expires_at": stamp(ctx.now + SESSION_IDLE),
        **{f"v_{c}": values[c] for c in columns}})


# --- the persons' state kept from one step of a session to the next ------------------------------------

@dataclass(frozen=True)
class _Kept:
    """The state read in a session's last step: the tables read (None: all) and each person's state."""

    tables: frozenset[str] | None
    states: dict[str, PersonState]

    def covers(self, tables: tuple[str, ...] | None) -> bool:
        return self.tables is None or (tables is not None and set(tables) <= self.tables)


def keep(ctx: ServiceContext, ts: str, tables: tuple[str, ...] | None, states: Mapping[str, PersonState]) -> None:
    """Keep the state read in this step (of ``tables``; None: all) for the session's next step."""
    ctx.memo.put(("update-state", ts), _Kept(None if tables is None else frozenset(tables), dict(states)))


def forget(ctx: ServiceContext, ts: str | None) -> None:
    """Drop the state kept for the session (it is saved, cancelled, or no longer current)."""
    if ts:
        ctx.memo.drop(("update-state", ts))


def kept_states(ctx: ServiceContext, ts: str | None, tables: tuple[str, ...] | None, *,
                validated: Mapping[str, int] | None = None,
                versions: Mapping[str, int | None] | None = None) -> dict[str, PersonState] | None:
    """The state kept from the session's last step, if it covers ``tables`` and no person in it has
    changed since (each person's version is read again: one query instead of every table; none
    when ``versions``, read with the session, covers every person kept).

    With ``validated`` (a save: the versions the session validated) the state is used only if it
    is the one validated, and the versions are left for the save to check (it claims each person it
    changes by that version, and checks the others; see :func:`opencpr.services.apply.apply_event`)."""
    kept = ctx.memo.get(("update-state", ts)) if ts else None
    if kept is None or not kept.covers(tables):
        return None
    if validated is not None:
        same = set(kept.states) == set(validated) and all(
            s.version == validated[p] for p, s in kept.states.items())
        return dict(kept.states) if same else None
    if not kept.states:
        return {}
    # the versions read with the session (its person's) serve when they cover every person kept
    now = versions if versions is not None and set(kept.states) <= set(versions) \
        else read_versions(ctx.conn, sorted(kept.states))
    if any(now.get(p) != s.version for p, s in kept.states.items()):
        forget(ctx, ts)
        return None
    return dict(kept.states)
