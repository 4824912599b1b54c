"""The service contract: what the gate, the catalogues and every service share.

* :class:`ServiceSpec` — a service as the gate sees it: name, kind of grant, audit action,
  billing, which keys name the person, the destination municipality and the permission.
* :class:`Outcome` — what a service returns: records going out, persons changed, audit notes.
* :class:`ServiceContext` — what a service runs with: the connection, the actor, the grant, the
  day and the protection primitives. Only the gate makes one (:data:`GATE_ONLY`), so a service
  cannot be run around the gate.
* :class:`Memo` — a small process-local store the gate keeps for the calls of a dialogue.
* :class:`Kind` and :class:`Scope` — the categories a security group grants, and their reach.

Services are written against this module; adapters hold a :class:`~opencpr.services.gate.Gate`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, exists, select, true

from opencpr.access.actor import Actor
from opencpr.access.groups import Grant, Kind, Scope
from opencpr.access.protection import (
    NAME_AND_ADDRESS,
    dead_at_protected_homes,
    protections_of,
    visible_condition,
)
from opencpr.register.schema import address

__all__ = ["GATE_ONLY", "Actor", "Kind", "Memo", "Outcome", "Scope", "ServiceContext", "ServiceSpec"]


@dataclass(slots=True)
class Outcome:
    """What a service returns: records going out, persons changed, a note for the audit trail.

    Every row of a person's data that goes out is in ``records`` or in ``parts`` — never in
    ``info`` — so that the gate's protection reaches it: ``parts`` names further person-data
    parts by the kind of data they hold (``"address"``, ``"contact_address"``, ``"pending_report"``
    …), each a list of rows with the ``"pnr"`` of the person they are about. The gate blanks a
    protected person's rows by the rule for their kind (:func:`opencpr.access.protection.blank_part`).
    """

    records: list[dict[str, Any]] = field(default_factory=list)  # each about one person has "pnr"
    changed: tuple[str, ...] = ()  # PNRs changed (updates)
    detail: str | None = None  # for the audit record (e.g. search criteria)
    info: dict[str, Any] = field(default_factory=dict)  # e.g. restart key, total count; no person data
    parts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # kind of data -> rows with "pnr"

    def rows(self) -> list[tuple[str | None, dict[str, Any]]]:
        """Every row of person data going out, with its part's kind (None for ``records``)."""
        found: list[tuple[str | None, dict[str, Any]]] = [(None, r) for r in self.records]
        for kind, rows in self.parts.items():
            found.extend((kind, r) for r in rows)
        return found

    def persons(self) -> tuple[str, ...]:
        """Every PNR returned or changed, once each, in order."""
        found = [r["pnr"] for _, r in self.rows() if r.get("pnr")]
        if self.changed:
            found.extend(self.changed)
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """A service as the gate sees it."""

    name: str  # CPR's service name ("Stam+") or event code ("A01")
    kind: Kind  # which grant of a security group covers it
    action: str  # for the audit trail: lookup, search, event, initiate, validate, save, approve …
    run: Callable[..., Outcome]  # run(ctx, **keys)
    billable: bool = True  # counted for usage when it succeeds
    writes: bool = False  # changes the register: its audit record always commits with the change
    address_search: bool = False  # finds persons by address: protected persons must not be found
    pnr_key: str | None = "pnr"  # the key naming the person (scope check; audit of failures)
    municipality_key: str | None = None  # the key naming a municipality the person moves to (scope)
    grant_key: str | None = None  # the key naming the permission (an event code), if not ``name``
    description: str = ""
    #: another way in for an actor whose group lacks the permission: ``via(conn, actor, keys)``
    #: names a permission the call may use instead (a secondary event, under its primary event's
    #: permission); the service checks the case that opens the way itself
    via: Callable[[Connection, Actor, dict[str, Any]], str | None] | None = None


class Memo:
    """A small process-local store the gate keeps for its services (least recently used out).

    Services may keep what they read in one call for a later call of the same dialogue (the
    update services keep the persons' state from validation to save); what is kept is only ever
    a shortcut, checked against the register before it is used, never the record.
    """

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, key: Any) -> None:
        with self._lock:
            self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


GATE_ONLY = object()  # the gate's key: only the gate makes a ServiceContext
_MUNICIPALITY_QUERY = select(address.c.municipality).where(address.c.pnr == bindparam("pnr"),
                                                           address.c.current == true())


class ServiceContext:
    """What a service gets from the gate: the connection, the actor, the day and the primitives."""

    __slots__ = ("conn", "actor", "grant", "now", "today", "memo", "_protections", "_touched", "_deferred")

    def __init__(self, key: object, conn: Connection, actor: Actor, grant: Grant, now: dt.datetime,
                 memo: Memo | None = None) -> None:
        if key is not GATE_ONLY:
            raise TypeError("service contexts are made by the gate only: call services through Gate.call")
        self.conn = conn
        self.actor = actor
        self.grant = grant
        self.now = now
        self.today = now.date().isoformat()
        self.memo = memo if memo is not None else Memo(0)
        self._protections: dict[str, frozenset[str]] = {}
        self._touched: list[str] = []
        self._deferred: list[tuple[Any, dict[str, Any]]] = []

    @property
    def sees_protected_addresses(self) -> bool:
        return self.actor.group.permissions.protected_addresses

    @property
    def pending_only(self) -> bool:
        """The actor's events must go to the pending register (venteregister)."""
        return self.actor.group.permissions.pending_only

    def protections(self, pnrs: Iterable[str]) -> dict[str, frozenset[str]]:
        """Protection types in force today for each of ``pnrs`` (read once per call)."""
        pnrs = list(pnrs)
        missing = [p for p in pnrs if p not in self._protections]
        if missing:
            found = protections_of(self.conn, missing, self.today)
            for p in missing:
                self._protections[p] = found.get(p, frozenset())
        return {p: self._protections[p] for p in pnrs}

    def know_protections(self, pnr: str, types: frozenset[str]) -> None:
        """Remember the protection types in force today of ``pnr``, read by a service with its data
        (the same rule as :meth:`protections`), so that the gate's check does not read them again."""
        self._protections[pnr] = types

    def hidden(self, pnrs: Iterable[str]) -> set[str]:
        """Those of ``pnrs`` whose address the actor may not see: persons under name and address
        protection, and the dead whose last address is a protected person's home (none for an
        actor who sees protected addresses)."""
        if self.sees_protected_addresses:
            return set()
        pnrs = list(pnrs)
        found = {p for p, types in self.protections(pnrs).items() if NAME_AND_ADDRESS in types}
        rest = [p for p in pnrs if p not in found]
        return found | dead_at_protected_homes(self.conn, rest, self.today)

    def visible(self, pnr_column: ColumnElement[str]) -> ColumnElement[bool]:
        """SQL for address searches: excludes persons the actor may not find by address."""
        return visible_condition(pnr_column, self.today, self.sees_protected_addresses)

    def in_scope(self, pnr_column: ColumnElement[str]) -> ColumnElement[bool]:
        """SQL: the person is within the grant's scope (for searches under a limited scope)."""
        if self.grant.scope is Scope.ALL:
            return true()
        home = address.alias("scope_address")  # an alias: the search itself may read ``address``
        return exists().where(home.c.pnr == pnr_column, home.c.current == true(),
                              home.c.municipality == (self.actor.authority or ""))

    def municipality_of(self, pnr: str) -> str | None:
        """The municipality of the person's current address (None without one)."""
        return self.conn.execute(_MUNICIPALITY_QUERY, {"pnr": pnr}).scalar()

    def touch(self, *pnrs: str) -> None:
        """Name persons the call changed (or read without returning) for the audit record."""
        self._touched.extend(pnrs)

    def defer(self, statement: Any, params: dict[str, Any]) -> None:
        """Write ``statement`` at the end of the call, with the call's audit record and in the round
        trip that commits (a write whose result the call does not need). Dropped if the call fails;
        the call's own later reads do not see it."""
        self._deferred.append((statement, params))
