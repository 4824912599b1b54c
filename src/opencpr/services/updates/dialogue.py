"""The update dialogue: initiate → validate → save or cancel, one step at a time, for every event.

:func:`spec` gives the gate's :class:`ServiceSpec` of one step of one event; :func:`step` runs a
step through the gate (what the GCTP and REST adapters call); :func:`event_catalogue` publishes
every event and the steps. Each step parses its keys (:mod:`.keys`), loads and records its
session (:mod:`.sessions`), and reads the persons' state or takes what the session's last step
kept. A save applies the event's plan (:mod:`opencpr.services.apply`) or hands the event to the
pending register (:mod:`opencpr.services.pending`), and offers the secondary events it opens
(:mod:`.secondary`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from opencpr.access.protection import NAME_AND_ADDRESS, types_in_force
from opencpr.clock import stamp
from opencpr.domain import reference
from opencpr.domain.codes import PERSON_STATUS
from opencpr.domain.events import event as find_event
from opencpr.domain.events import events
from opencpr.domain.events.base import EventType, PersonState, Problem, Situation, check_fields, check_rules
from opencpr.domain.kvit import Kvit
from opencpr.formats.gctp_updates import ACTION_TEXTS, WIRE_NAME
from opencpr.register.changes import read_states
from opencpr.services.apply import apply_event
from opencpr.services.contract import Kind, Outcome, ServiceContext, ServiceSpec
from opencpr.services.errors import (
    DataRefused,
    InvalidKey,
    NotValidated,
    PersonNotFound,
    UnknownEvent,
    UnknownField,
    UpdateConflict,
)
from opencpr.services.pending import to_pending
from opencpr.services.updates.keys import Keys, event_named, parse_keys
from opencpr.services.updates.secondary import check_primary, primary_permission, secondary_offers
from opencpr.services.updates.sessions import (
    SESSION_IDLE,
    forget,
    keep,
    kept_states,
    load_session,
    open_session,
    touch_session,
)

__all__ = ["ACTIONS", "event_catalogue", "master_data", "spec", "step"]

#: The steps of a dialogue, as the services name them (GCTP's names: :mod:`opencpr.formats.gctp_updates`).
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
                       via=None if event.maintenance else primary_permission)


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
        # each row keeps its "pnr": the gate's protection finds whose data it is (Outcome.parts)
        out[table] = [{**r, "pnr": state.pnr} for r in rows if r is not None]
    return out


def _actions(event: EventType, state: str) -> list[str]:
    if state == "initiated":
        return ["validate", "cancel"]
    if state == "validated":
        return ["validate", "save", "cancel"]
    return []


# --- the steps ------------------------------------------------------------------------------------------

def _situation(ctx: ServiceContext, event: EventType, keys: Keys, raw: Mapping[str, Any], ts: str | None = None,
               *, validated: Mapping[str, int] | None = None, session: Mapping[str, Any] | None = None
               ) -> tuple[Situation | None, dict[str, PersonState], list[Problem], dict, dict]:
    """The event's situation: its data parsed and checked, the persons' state (read, or kept from
    the session's last step when nobody has changed since, as the versions read with the
    ``session`` show), and the rules' problems."""
    values, texts, problems = check_fields(event, raw, ctx.now.date())
    versions = {session["pnr"]: session["person_version"]} if session is not None and session["pnr"] else None
    states = kept_states(ctx, ts, event.reads, validated=validated, versions=versions)
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
        keep(ctx, ts, event.reads, states)
    others = {p: s for p, s in states.items() if p != keys.pnr}
    situation = Situation(event.code, person, keys.event_date, ctx.today, keys.authority, values, texts, others,
                          moment=f"{keys.event_date}T{ctx.now:%H:%M}")
    if not problems:
        problems = check_rules(event, situation)
    return situation, states, problems, values, texts


def _initiate(ctx: ServiceContext, event_code: str, pnr: str | None = None, event_date: str | None = None,
              authority: str | None = None, primary: str | None = None, **extra: Any) -> Outcome:
    event = event_named(event_code)
    _no_extra(event, extra)
    keys = parse_keys(ctx, event, pnr, event_date, authority, primary)
    if keys.primary:
        check_primary(ctx, event, keys)
    master: dict[str, Any] = {}
    current: dict[str, Any] = {}
    # what initiation shows, the rows the event reads, and the person's protection (read with them)
    shown = None if event.reads is None else tuple(dict.fromkeys(("address", "clear_address", "name", *event.concerns,
                                                                  *event.reads, "protection")))
    if keys.pnr:
        state = read_states(ctx.conn, [keys.pnr], shown).get(keys.pnr)
        if state is None:
            raise PersonNotFound()
        ctx.know_protections(keys.pnr, types_in_force(state.rows.get("protection", ()), ctx.today))
        master = master_data(ctx, state)
        current = _current_data(event, state)
    now = stamp(ctx.now)
    ts = open_session(ctx.conn, ctx.now, {
        "event_code": event.code, "pnr": keys.pnr, "event_date": keys.event_date, "authority": keys.authority,
        "actor": ctx.actor.ident, "state": "initiated", "keys": json.dumps(keys.as_dict()), "created_at": now,
        "updated_at": now, "expires_at": stamp(ctx.now + SESSION_IDLE)})
    if keys.pnr:
        keep(ctx, ts, shown, {keys.pnr: state})
        ctx.touch(keys.pnr)
    # the current data is a declared person-data part: the gate's protection blanks it as it blanks
    # the master data (adapters answer it from Outcome.parts, never from info)
    return Outcome([master] if master else [], detail=f"{event.code} initiated", parts=current,
                   info={"session": ts, "state": "initiated", "actions": _actions(event, "initiated"),
                         "event": event.code, "title": event.title,
                         "primary": keys.primary,
                         "fields": [f.describe() for f in event.fields]})


def _no_extra(event: EventType, extra: Mapping[str, Any]) -> None:
    for name in extra:
        if name not in ("destination", "ts", "data", "maintenance", "waiting"):
            raise UnknownField(name, event.code)


def _validate(ctx: ServiceContext, event_code: str, pnr: str | None = None, event_date: str | None = None,
              authority: str | None = None, ts: str | None = None, data: Mapping[str, Any] | None = None,
              destination: str | None = None, maintenance: str | None = None,
              primary: str | None = None) -> Outcome:
    event = event_named(event_code)
    keys = parse_keys(ctx, event, pnr, event_date, authority, primary)
    session = load_session(ctx, ts, keys)
    assert ts is not None
    situation, states, problems, values, texts = _situation(ctx, event, keys, data or {}, ts, session=session)
    if problems:
        touch_session(ctx, ts, state="initiated", data=None, versions=None)
        raise DataRefused(problems)
    versions = {p: s.version for p, s in states.items()}
    touch_session(ctx, ts, state="validated", data=json.dumps(dict(data or {}), ensure_ascii=False),
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
    event = event_named(event_code)
    keys = parse_keys(ctx, event, pnr, event_date, authority, primary)
    session = load_session(ctx, ts, keys)
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
        forget(ctx, ts)
        receipt = to_pending(ctx, event, pnr=keys.pnr, event_date=keys.event_date, authority=keys.authority,
                             raw=raw, session=ts, state="awaiting_approval" if ctx.pending_only else "waiting")
    else:
        # the state validated (when this process kept it) is not read again: apply_event claims each
        # person the event changes by the version validated, and checks that the others are unchanged
        situation, states, problems, values, texts = _situation(ctx, event, keys, raw, ts, validated=versions)
        moved = sorted(p for p, v in versions.items() if p in states and states[p].version != v)
        if moved:  # another save changed a person after this session validated
            forget(ctx, ts)
            raise UpdateConflict(f"{Kvit.CONFLICT.text} ({', '.join(moved)})")
        if problems:
            raise DataRefused(problems)
        try:
            receipt = apply_event(ctx.conn, event, situation, versions, registered_at=stamp(ctx.now),
                                  authority=keys.authority)
        finally:
            forget(ctx, ts)
    receipt["session"] = ts
    if receipt["where"] == "register":
        receipt["secondary"] = secondary_offers(event, list(receipt.get("persons", ())))
    touch_session(ctx, ts, state="saved", receipt=json.dumps(receipt, ensure_ascii=False))
    changed = tuple(receipt.get("persons", ())) or ((keys.pnr,) if keys.pnr else ())
    return Outcome([receipt], changed=changed, detail=f"{event.code} saved to {receipt['where']}",
                   info={"session": ts, "state": "saved", "actions": [], "receipt": receipt})


def _cancel(ctx: ServiceContext, event_code: str, pnr: str | None = None, event_date: str | None = None,
            authority: str | None = None, ts: str | None = None, data: Mapping[str, Any] | None = None,
            destination: str | None = None, maintenance: str | None = None,
            primary: str | None = None) -> Outcome:
    event = event_named(event_code)
    keys = parse_keys(ctx, event, pnr, event_date, authority, primary)
    load_session(ctx, ts, keys)
    assert ts is not None
    forget(ctx, ts)
    touch_session(ctx, ts, state="cancelled")
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
    event = event_named(code)
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
