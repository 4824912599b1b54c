"""Update services (ajourføring): the dialogue initiate → validate → save or cancel, for every event.

Every step is a gate call (:func:`spec` gives the :class:`ServiceSpec` of an event's step), so it
is permission-checked, scoped, audited and counted like any other service:

1. **initiate** with keys — event code, PNR, event date, reporting authority (``mk``). Answers the
   person's master data (name, address, status, protection), the current data the event concerns
   and the actions that may follow; opens an update session (``ts``, 20 digits).
2. **validate** the event's data: every field is parsed and its code translated to clear text, every
   rule of the event is checked. Answers the approved, translated data, or raises
   :class:`DataRefused` (Kvit 5403) listing each problem with its code and text.
3. **save** — the rules again, on the register as it is now; then the event's plan is written in one
   transaction, claiming each person it changes by the version read at validation (another save in
   between: :class:`UpdateConflict`, Kvit 5405, validate again). A future event date, or a group that
   may only report to the pending register, puts the event in the pending register instead; a
   future-dated event is applied on its date by :func:`opencpr.services.pending.run_due`. Answers a receipt.
4. **cancel** at any point.

Keys may not change after initiation (Kvit 5404). A session left alone for
:data:`SESSION_IDLE` expires (Kvit 5401).
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

from opencpr.access.groups import Kind, Scope
from opencpr.access.protection import NAME_AND_ADDRESS
from opencpr.clock import stamp
from opencpr.domain import reference
from opencpr.domain.codes import PERSON_STATUS
from opencpr.domain.events import event as find_event
from opencpr.domain.events import events
from opencpr.domain.events.base import EventType, PersonState, Problem, Situation, check_fields, check_rules
from opencpr.domain.kvit import Kvit
from opencpr.domain.pnr import InvalidPNR, parse
from opencpr.formats.gctp_updates import ACTION_TEXTS, WIRE_NAME
from opencpr.register.changes import read_states
from opencpr.register.schema import update_session
from opencpr.services.apply import apply_event, read_versions
from opencpr.services.contract import Outcome, ServiceContext, ServiceSpec
from opencpr.services.errors import (
    AuthorityNoAccess,
    AuthorityUnknown,
    DataRefused,
    InvalidKey,
    KeysChanged,
    MalformedPNR,
    MissingKey,
    NotSecondary,
    NotValidated,
    PersonNotFound,
    SessionUnknown,
    UnknownEvent,
    UpdateConflict,
)
from opencpr.services.pending import to_pending

SESSION_IDLE = dt.timedelta(minutes=30)
ACTIONS = ("initiate", "validate", "save", "cancel")


# --- specs: one per event and step, from the event catalogue ----------------------------------------

@cache
def spec(code: str, action: str) -> ServiceSpec:
    """The gate's view of one step of one event."""
    event = find_event(code)
    if event is None or action not in ACTIONS:
        raise UnknownEvent(code)
    runner = {"initiate": _initiate, "validate": _validate, "save": _save, "cancel": _cancel}[action]
    # a move is initiated by the municipality the person moves to: scope is checked on the destination
    # when the data is known (validate, save), not on where the person lives now
    scoped_on_person = not (event.destination and action == "initiate")
    kind, grant_key = (Kind.MAINTENANCE, "maintenance") if event.maintenance else (Kind.EVENT, "event_code")
    return ServiceSpec(code, kind, action, runner, billable=action == "save", writes=True,
                       pnr_key="pnr" if scoped_on_person else None,
                       municipality_key="destination" if event.destination else None,
                       grant_key=grant_key, description=f"{event.title}: {ACTION_TEXTS[action]}",
                       via=None if event.maintenance else _primary_permission)


def _event(code: str) -> EventType:
    found = find_event(code or "")
    if found is None:
        raise UnknownEvent(code)
    return found


# --- keys --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Keys:
    event_code: str
    pnr: str | None
    event_date: str
    authority: str
    primary: str | None = None  # the session (ts) of the primary event, for a secondary event

    def as_dict(self) -> dict[str, Any]:
        keys = {"event_code": self.event_code, "pnr": self.pnr, "event_date": self.event_date,
                "authority": self.authority}
        return keys | ({"primary": self.primary} if self.primary else {})


def _keys(ctx: ServiceContext, event: EventType, pnr: str | None, event_date: str | None,
          authority: str | None, primary: str | None = None) -> Keys:
    if event.new_person and not pnr:
        number = None
    else:
        if not pnr:
            raise MissingKey("PNR", event.code)
        try:
            number = parse(str(pnr).strip()).pnr
        except (InvalidPNR, ValueError):
            raise MalformedPNR(pnr) from None
    if not event_date:
        raise MissingKey("HDTO", event.code)
    digits = str(event_date).strip().replace("-", "")
    try:
        if len(digits) != 8 or not digits.isdigit():
            raise ValueError(digits)
        day = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidKey("HDTO", event_date, "en dato ååååmmdd") from None
    if day.year < 1850:
        raise InvalidKey("HDTO", event_date, "en dato efter 1850")
    code = str(authority or ctx.actor.authority or "").strip()
    if not code.isdigit() or len(code) > 4 or reference.authority(code.zfill(4), on=ctx.now.date()) is None:
        raise AuthorityUnknown(code or "(tom)")
    code = code.zfill(4)
    if code != (ctx.actor.authority or "") and ctx.grant.scope is not Scope.ALL:
        raise AuthorityNoAccess(code)
    return Keys(event.code, number, day.isoformat(), code, str(primary).strip() if primary else None)


# --- what initiation shows -----------------------------------------------------------------------------

def master_data(ctx: ServiceContext, state: PersonState) -> dict[str, Any]:
    """The person's master data as initiation answers it (name, address, status, protection)."""
    name = state.current("name") or {}
    clear = state.one("clear_address") or {}
    address = state.current("address") or {}
    types = ctx.protections([state.pnr]).get(state.pnr, frozenset())
    municipality = address.get("municipality") or clear.get("municipality")
    found = reference.authority(municipality) if municipality else None
    return {
        "pnr": state.pnr, "status": state.status, "status_text": PERSON_STATUS.get(state.status),
        "sex": state.sex, "birth_date": state.birth_date,
        "first_name": name.get("first_name"), "middle_name": name.get("middle_name"),
        "last_name": name.get("last_name"), "addressing_name": name.get("addressing_name"),
        "standard_address": clear.get("standard_address"), "postal_code": clear.get("postal_code"),
        "postal_district": clear.get("postal_district"), "municipality": municipality,
        "municipality_name": found.name if found else None, "road": address.get("road"),
        "house_no": address.get("house_no"), "floor": address.get("floor"), "door": address.get("door"),
        "name_address_protected": NAME_AND_ADDRESS in types,
        "dead": state.is_dead, "disappeared": state.status == "70", "emigrated": state.status == "80",
    }


def _current_data(event: EventType, state: PersonState) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for table in event.concerns:
        row = state.current(table)
        rows = [row] if row is not None else [r for r in state.valid(table) if not r.get("valid_to")]
        out[table] = [{k: v for k, v in r.items() if k not in ("pnr",)} for r in rows if r is not None]
    return out


# --- sessions ------------------------------------------------------------------------------------------

@cache
def _session_insert(dialect: str):
    """``INSERT … ON CONFLICT DO NOTHING`` of a session: a stamp taken meanwhile inserts nothing."""
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (maker(update_session).on_conflict_do_nothing(index_elements=[update_session.c.id])
            .returning(update_session.c.id))


def _open_session(conn: Connection, now: dt.datetime, values: Mapping[str, Any]) -> str:
    """Open a session under a new ``ts`` as CPR writes it: yyyyMMddHHmmss and six more digits
    (here the microsecond, moved on while a stamp of the same second is taken)."""
    statement = _session_insert(conn.dialect.name)
    micro = time.time_ns() // 1000 % 1_000_000
    for step in range(1_000_000):
        ts = f"{now:%Y%m%d%H%M%S}{(micro + step) % 1_000_000:06d}"
        if conn.execute(statement, {**values, "id": ts}).first() is not None:
            return ts
    raise RuntimeError("no free session stamp in this second")  # pragma: no cover


_SESSION_QUERY = select(update_session).where(update_session.c.id == bindparam("ts"))


def _load_session(ctx: ServiceContext, ts: str | None, keys: Keys) -> Mapping[str, Any]:
    if not ts:
        raise MissingKey("ts", keys.event_code)
    row = ctx.conn.execute(_SESSION_QUERY, {"ts": str(ts).strip()}).mappings().first()
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


def _touch_session(ctx: ServiceContext, ts: str, **values: Any) -> None:
    columns = tuple(sorted(values))
    ctx.conn.execute(_session_update(columns), {
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


def _keep(ctx: ServiceContext, ts: str, tables: tuple[str, ...] | None, states: Mapping[str, PersonState]) -> None:
    ctx.memo.put(("update-state", ts), _Kept(None if tables is None else frozenset(tables), dict(states)))


def _forget(ctx: ServiceContext, ts: str | None) -> None:
    if ts:
        ctx.memo.drop(("update-state", ts))


def _kept_states(ctx: ServiceContext, ts: str | None, tables: tuple[str, ...] | None, *,
                 validated: Mapping[str, int] | None = None) -> dict[str, PersonState] | None:
    """The state kept from the session's last step, if it covers ``tables`` and no person in it has
    changed since (each person's version is read again: one query instead of every table).

    With ``validated`` (a save: the versions the session validated) the state is used only if it
    is the one validated, and the versions are left for the save to check (it claims each person it
    changes by that version, and checks the others; see :func:`apply_event`)."""
    kept = ctx.memo.get(("update-state", ts)) if ts else None
    if kept is None or not kept.covers(tables):
        return None
    if validated is not None:
        same = set(kept.states) == set(validated) and all(
            s.version == validated[p] for p, s in kept.states.items())
        return dict(kept.states) if same else None
    if not kept.states:
        return {}
    now = read_versions(ctx.conn, sorted(kept.states))
    if any(now.get(p) != s.version for p, s in kept.states.items()):
        _forget(ctx, ts)
        return None
    return dict(kept.states)


def _actions(event: EventType, state: str) -> list[str]:
    if state == "initiated":
        return ["validate", "cancel"]
    if state == "validated":
        return ["validate", "save", "cancel"]
    return []


# --- secondary events: follow-on events within the case of a primary event ---------------------------------

#: How long after its primary event was saved a secondary event may be initiated in the same case.
SECONDARY_WINDOW = SESSION_IDLE


def _primary_session(conn: Connection, ts: str) -> Mapping[str, Any] | None:
    return conn.execute(_SESSION_QUERY, {"ts": str(ts).strip()}).mappings().first()


def _primary_permission(conn: Connection, actor: Any, keys: Mapping[str, Any]) -> str | None:
    """The gate's other way in (:attr:`ServiceSpec.via`): the primary event whose case a secondary
    event belongs to — named by ``primary`` at initiation, remembered by the session after it."""
    primary = keys.get("primary")
    if not primary and keys.get("ts"):
        row = _primary_session(conn, keys["ts"])
        primary = json.loads(row["keys"]).get("primary") if row is not None else None
    row = _primary_session(conn, primary) if primary else None
    if row is None or row["actor"] != actor.ident or row["state"] != "saved":
        return None
    event = find_event(row["event_code"])
    return row["event_code"] if event is not None and keys.get("event_code") in event.secondary else None


def _check_primary(ctx: ServiceContext, event: EventType, keys: Keys) -> None:
    """A secondary event's case: the primary session is this user's, saved within
    :data:`SECONDARY_WINDOW`, its event offers this one, and it concerned this person."""
    row = _primary_session(ctx.conn, keys.primary or "")
    if row is None or row["actor"] != ctx.actor.ident:
        raise NotSecondary(event.code, f"den primære hændelse {keys.primary} findes ikke")
    primary = _event(row["event_code"])
    if event.code not in primary.secondary:
        raise NotSecondary(event.code, f"{primary.code} {primary.title} giver ikke adgang til {event.code}")
    if row["state"] != "saved":
        raise NotSecondary(event.code, f"den primære hændelse {primary.code} er ikke gemt")
    if row["updated_at"] < stamp(ctx.now - SECONDARY_WINDOW):
        raise NotSecondary(event.code, f"sagen med {primary.code} er afsluttet")
    persons = json.loads(row["receipt"] or "{}").get("persons", [])
    if keys.pnr not in persons:
        raise NotSecondary(event.code, f"personen indgår ikke i den primære hændelse {primary.code}")


def _secondary_offers(event: EventType, persons: list[str]) -> list[dict[str, Any]]:
    """The follow-on events a saved event opens, for the persons it concerned."""
    offers = []
    for code in event.secondary:
        found = find_event(code)
        if found is not None:
            offers.append({"event": code, "title": found.title, "persons": persons})
    return offers


# --- the steps ------------------------------------------------------------------------------------------

def _situation(ctx: ServiceContext, event: EventType, keys: Keys, raw: Mapping[str, Any], ts: str | None = None,
               *, validated: Mapping[str, int] | None = None
               ) -> tuple[Situation | None, dict[str, PersonState], list[Problem], dict, dict]:
    """The event's situation: its data parsed and checked, the persons' state (read, or kept from
    the session's last step when nobody has changed since), and the rules' problems."""
    values, texts, problems = check_fields(event, raw, ctx.now.date())
    states = _kept_states(ctx, ts, event.reads, validated=validated)
    if states is None:
        states = read_states(ctx.conn, [keys.pnr] if keys.pnr else [], event.reads)
    person = states.get(keys.pnr) if keys.pnr else None
    if keys.pnr and person is None:
        raise PersonNotFound()
    if person is None:  # an event that creates the person: an empty state until the PNR is given
        person = PersonState("", {"status": None})
    related = [p for p in event.related(person, values) if p not in states]
    if related:
        states |= read_states(ctx.conn, related, event.reads)
    if ts:
        _keep(ctx, ts, event.reads, states)
    others = {p: s for p, s in states.items() if p != keys.pnr}
    situation = Situation(event.code, person, keys.event_date, ctx.today, keys.authority, values, texts, others,
                          moment=f"{keys.event_date}T{ctx.now:%H:%M}")
    if not problems:
        problems = check_rules(event, situation)
    return situation, states, problems, values, texts


def _initiate(ctx: ServiceContext, event_code: str, pnr: str | None = None, event_date: str | None = None,
              authority: str | None = None, primary: str | None = None, **extra: Any) -> Outcome:
    event = _event(event_code)
    _no_extra(event, extra)
    keys = _keys(ctx, event, pnr, event_date, authority, primary)
    if keys.primary:
        _check_primary(ctx, event, keys)
    master: dict[str, Any] = {}
    current: dict[str, Any] = {}
    shown = None if event.reads is None else tuple(dict.fromkeys(("address", "clear_address", "name", *event.concerns,
                                                                  *event.reads)))
    if keys.pnr:
        state = read_states(ctx.conn, [keys.pnr], shown).get(keys.pnr)
        if state is None:
            raise PersonNotFound()
        master = master_data(ctx, state)
        current = _current_data(event, state)
    now = stamp(ctx.now)
    ts = _open_session(ctx.conn, ctx.now, {
        "event_code": event.code, "pnr": keys.pnr, "event_date": keys.event_date, "authority": keys.authority,
        "actor": ctx.actor.ident, "state": "initiated", "keys": json.dumps(keys.as_dict()), "created_at": now,
        "updated_at": now, "expires_at": stamp(ctx.now + SESSION_IDLE)})
    if keys.pnr:
        _keep(ctx, ts, shown, {keys.pnr: state})
        ctx.touch(keys.pnr)
    return Outcome([master] if master else [], detail=f"{event.code} initiated",
                   info={"session": ts, "state": "initiated", "actions": _actions(event, "initiated"),
                         "current": current, "event": event.code, "title": event.title,
                         "primary": keys.primary,
                         "fields": [f.describe() for f in event.fields]})


def _no_extra(event: EventType, extra: Mapping[str, Any]) -> None:
    for name in extra:
        if name not in ("destination", "ts", "data", "maintenance", "waiting"):
            from opencpr.services.errors import UnknownField

            raise UnknownField(name, event.code)


def _validate(ctx: ServiceContext, event_code: str, pnr: str | None = None, event_date: str | None = None,
              authority: str | None = None, ts: str | None = None, data: Mapping[str, Any] | None = None,
              destination: str | None = None, maintenance: str | None = None,
              primary: str | None = None) -> Outcome:
    event = _event(event_code)
    keys = _keys(ctx, event, pnr, event_date, authority, primary)
    _load_session(ctx, ts, keys)
    assert ts is not None
    situation, states, problems, values, texts = _situation(ctx, event, keys, data or {}, ts)
    if problems:
        _touch_session(ctx, ts, state="initiated", data=None, versions=None)
        raise DataRefused(problems)
    versions = {p: s.version for p, s in states.items()}
    _touch_session(ctx, ts, state="validated", data=json.dumps(dict(data or {}), ensure_ascii=False),
                   versions=json.dumps(versions))
    if keys.pnr:
        ctx.touch(keys.pnr)
    record = {"pnr": keys.pnr, **{f"{k}": v for k, v in values.items()}, **{f"{k}_text": v for k, v in texts.items()}}
    return Outcome([record] if keys.pnr else [], detail=f"{event.code} validated",
                   info={"session": ts, "state": "validated", "actions": _actions(event, "validated"),
                         "data": values, "texts": texts, "fields": [f.name for f in event.fields]})


def _save(ctx: ServiceContext, event_code: str, pnr: str | None = None, event_date: str | None = None,
          authority: str | None = None, ts: str | None = None, data: Mapping[str, Any] | None = None,
          destination: str | None = None, maintenance: str | None = None,
          primary: str | None = None, waiting: bool = False) -> Outcome:
    event = _event(event_code)
    keys = _keys(ctx, event, pnr, event_date, authority, primary)
    session = _load_session(ctx, ts, keys)
    assert ts is not None
    if session["state"] != "validated":
        raise NotValidated()
    raw = json.loads(session["data"] or "{}")
    if data and dict(data) != raw:
        raise NotValidated("Data er ændret siden validering: valider igen")
    versions = {p: int(v) for p, v in json.loads(session["versions"] or "{}").items()}
    # to the pending register: a group that may only report there, an event dated in the future,
    # or a caller that asks for the waiting system (GCTP ``u="v"``)
    pending = ctx.pending_only or (keys.event_date > ctx.today and event.allow_future) or waiting
    if pending:
        _forget(ctx, ts)
        receipt = to_pending(ctx, event, pnr=keys.pnr, event_date=keys.event_date, authority=keys.authority,
                             raw=raw, session=ts, state="awaiting_approval" if ctx.pending_only else "waiting")
    else:
        # the state validated (when this process kept it) is not read again: apply_event claims each
        # person the event changes by the version validated, and checks that the others are unchanged
        situation, states, problems, values, texts = _situation(ctx, event, keys, raw, ts, validated=versions)
        moved = sorted(p for p, v in versions.items() if p in states and states[p].version != v)
        if moved:  # another save changed a person after this session validated
            _forget(ctx, ts)
            raise UpdateConflict(f"{Kvit.CONFLICT.text} ({', '.join(moved)})")
        if problems:
            raise DataRefused(problems)
        try:
            receipt = apply_event(ctx.conn, event, situation, versions, registered_at=stamp(ctx.now),
                                  authority=keys.authority)
        finally:
            _forget(ctx, ts)
    receipt["session"] = ts
    if receipt["where"] == "register":
        receipt["secondary"] = _secondary_offers(event, list(receipt.get("persons", ())))
    _touch_session(ctx, ts, state="saved", receipt=json.dumps(receipt, ensure_ascii=False))
    changed = tuple(receipt.get("persons", ())) or ((keys.pnr,) if keys.pnr else ())
    return Outcome([receipt], changed=changed, detail=f"{event.code} saved to {receipt['where']}",
                   info={"session": ts, "state": "saved", "actions": [], "receipt": receipt})


def _cancel(ctx: ServiceContext, event_code: str, pnr: str | None = None, event_date: str | None = None,
            authority: str | None = None, ts: str | None = None, data: Mapping[str, Any] | None = None,
            destination: str | None = None, maintenance: str | None = None,
            primary: str | None = None) -> Outcome:
    event = _event(event_code)
    keys = _keys(ctx, event, pnr, event_date, authority, primary)
    _load_session(ctx, ts, keys)
    assert ts is not None
    _forget(ctx, ts)
    _touch_session(ctx, ts, state="cancelled")
    return Outcome([], detail=f"{event.code} cancelled", info={"session": ts, "state": "cancelled", "actions": []})


def event_catalogue() -> dict[str, Any]:
    """The published specification of every event (``GET /api/v1/events``)."""
    return {"events": [e.describe() for e in events().values()],
            "actions": {WIRE_NAME[a]: {"action": a, "text": ACTION_TEXTS[a]} for a in ACTIONS}}


def step(gate: Any, actor: Any, code: str, action: str, *, pnr: str | None = None, event_date: str | None = None,
         authority: str | None = None, ts: str | None = None, data: Mapping[str, Any] | None = None,
         primary: str | None = None, waiting: bool = False) -> Outcome:
    """One step of an event's dialogue through the gate (what the GCTP and REST adapters call).

    For an event that moves the person (``EventType.destination``), the destination municipality
    in the data is handed to the gate, which checks a limited scope against it. ``primary`` makes
    the event a secondary event in the case of the primary event saved in that session (``ts``);
    ``waiting`` (GCTP ``u="v"``) puts a saved event in the pending register, applied on its date.
    """
    event = _event(code)
    if action not in ACTIONS:
        raise InvalidKey("a", action, "initier, valider, gem eller annuller")
    keys: dict[str, Any] = {"event_code": event.code, "pnr": pnr, "event_date": event_date, "authority": authority}
    if primary:
        keys["primary"] = primary
    if waiting and action == "save":
        keys["waiting"] = True
    if event.maintenance:
        keys["maintenance"] = ":".join(event.maintenance)
    if action != "initiate":
        keys |= {"ts": ts, "data": dict(data or {})}
        if event.destination:
            field = next((f for f in event.fields if f.param == event.destination), None)
            given = dict(data or {})
            if field is not None:
                value = given.get(field.name, given.get(field.param))
                keys["destination"] = str(value).strip().zfill(4) if value else None
    return gate.call(actor, spec(event.code, action), **keys)
