"""Security groups (sikkerhedsgrupper): what a group's members may use, held as data.

A group's permissions are a JSON document in ``security_group.permissions``::

    {
      "search":       {"services": ["Stam+", "ADRSOG1"], "scope": "all"},
      "event":        {"services": ["A01", "A21"],       "scope": "own_municipality"},
      "maintenance":  {"services": ["address:*"],        "scope": "own_municipality"},
      "subscription": {"services": ["SF6002"],           "scope": "all"},
      "protected_addresses": false,
      "pending_only": false
    }

* ``search`` — search and lookup services by CPR's names (``STAMP``, ``Stam+``, ``NVNSOG2`` …).
* ``event`` — update services (hændelser) by event code (``A01`` move, ``A21`` death …).
* ``maintenance`` — data maintenance (vedligeholdelse) as ``<data>:<action>``, action one of
  ``correct`` (ret, mark K), ``undo`` (fortryd, mark A), ``earlier`` (indberet tidligere).
* ``subscription`` — machine-to-machine subscription services (``SF6002``) and their deliveries.
* ``"*"`` allows every name of a category (``"address:*"``/``"*:undo"`` within maintenance).
* ``scope`` — ``all``: any person; ``own_municipality``: persons who live in, or move to, the
  municipality that is the member's authority.
* ``protected_addresses`` — members see addresses under name and address protection.
* ``pending_only`` — the members' events always go to the pending register (venteregister).

A category that is missing allows nothing. Names are compared case-insensitively (CPR itself
writes ``navne3`` and ``NAVNE3``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Engine, select

from opencpr.access.audit import AuditEntry, append_audit, write_transaction
from opencpr.access.schema import security_group
from opencpr.clock import Clock, SystemClock, stamp
from opencpr.domain.codes import EVENT


class Kind(StrEnum):
    """The categories of services a group grants."""

    SEARCH = "search"  # søge-services: lookups (opslag) and searches (søgninger)
    EVENT = "event"  # ajourføring: one service per event (hændelse)
    MAINTENANCE = "maintenance"  # vedligeholdelse af data: correct, undo, report earlier data
    SUBSCRIPTION = "subscription"  # abonnement (SF6002) and the deliveries it makes


class Scope(StrEnum):
    """Which persons a grant reaches."""

    ALL = "all"
    OWN_MUNICIPALITY = "own_municipality"


#: Search services known outside the service catalogue: CPR Direkte's tasks and STAMKP.
OTHER_SEARCH_SERVICES: tuple[str, ...] = ("STAMKP", "PRIV", "ADRM")


@lru_cache(maxsize=1)
def search_services() -> tuple[str, ...]:
    """Search and lookup services by CPR's names: the service catalogue's, and :data:`OTHER_SEARCH_SERVICES`."""
    from opencpr.services.catalogue import service_names  # the catalogue declares them; read lazily

    return tuple(dict.fromkeys((*service_names(), *OTHER_SEARCH_SERVICES)))


@lru_cache(maxsize=1)
def _search_folded() -> dict[str, str]:
    return {_fold(s): s for s in search_services()}

#: Subscription services: SF6002 (CPR Abonnement) and PNRABN-I (PNR subscription, GCTP).
SUBSCRIPTION_SERVICES: tuple[str, ...] = ("SF6002", "PNRABN-I")

#: Kinds of data that maintenance services work on (handbook §3.2.2).
MAINTENANCE_DATA: tuple[str, ...] = (
    "address", "civil_status", "shared_residence", "church", "disappearance", "birth_registration",
    "municipal", "name", "pnr", "person", "separation", "relation", "citizenship", "departure",
    "protection",
)  # fmt: skip

#: Maintenance actions: correct (ret, mark K), undo (fortryd, mark A), earlier (indberet tidligere).
MAINTENANCE_ACTIONS: tuple[str, ...] = ("correct", "undo", "earlier")

WILDCARD = "*"


class GroupError(ValueError):
    """A group or its permissions are not acceptable (the message says why)."""


def _fold(name: str) -> str:
    return name.strip().casefold()


_SUBSCRIPTION_FOLDED = {_fold(s): s for s in SUBSCRIPTION_SERVICES}


def _canonical_name(kind: Kind, name: str) -> str:
    """The catalogue's spelling of ``name`` in ``kind``; raise GroupError if unknown."""
    if not isinstance(name, str) or not name.strip():
        raise GroupError(f"{kind}: service names must be non-empty strings, not {name!r}")
    name = name.strip()
    if name == WILDCARD:
        return name
    if kind is Kind.SEARCH:
        known = _search_folded().get(_fold(name))
        if known is None:
            raise GroupError(f"unknown search service {name!r}; known: {', '.join(search_services())} or '*'")
        return known
    if kind is Kind.SUBSCRIPTION:
        known = _SUBSCRIPTION_FOLDED.get(_fold(name))
        if known is None:
            raise GroupError(f"unknown subscription service {name!r}; known: "
                             f"{', '.join(SUBSCRIPTION_SERVICES)} or '*'")
        return known
    if kind is Kind.EVENT:
        code = name.upper()
        if code not in EVENT:
            raise GroupError(f"unknown event code {name!r} (see opencpr.domain.codes.EVENT) or '*'")
        return code
    data, sep, action = name.partition(":")
    if not sep:
        raise GroupError(f"maintenance services are written <data>:<action>, e.g. 'address:correct', not {name!r}")
    if data != WILDCARD and data not in MAINTENANCE_DATA:
        raise GroupError(f"unknown maintenance data {data!r}; known: {', '.join(MAINTENANCE_DATA)} or '*'")
    if action != WILDCARD and action not in MAINTENANCE_ACTIONS:
        raise GroupError(f"unknown maintenance action {action!r}; known: {', '.join(MAINTENANCE_ACTIONS)} or '*'")
    return f"{data}:{action}"


@dataclass(frozen=True, slots=True)
class Grant:
    """The names of one category a group may use, and within which scope."""

    services: tuple[str, ...]
    scope: Scope = Scope.ALL
    _folded: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_folded", frozenset(_fold(s) for s in self.services))

    def covers(self, name: str) -> bool:
        """True if ``name`` is one of the granted names (or matched by a wildcard)."""
        folded = self._folded
        if WILDCARD in folded:
            return True
        n = _fold(name)
        if n in folded:
            return True
        data, sep, action = n.partition(":")
        return bool(sep) and (f"{data}:*" in folded or f"*:{action}" in folded)


@dataclass(frozen=True, slots=True)
class Permissions:
    """What a security group's members may do."""

    grants: Mapping[Kind, Grant] = field(default_factory=dict)
    protected_addresses: bool = False  # sees addresses under name and address protection
    pending_only: bool = False  # events always go to the pending register (venteregister)
    _memo: dict[tuple[Kind, str], Grant | None] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "grants", MappingProxyType(dict(self.grants)))

    def grant_for(self, kind: Kind, name: str) -> Grant | None:
        """The grant that allows ``name`` of ``kind``; None if the group may not use it."""
        key = (kind, name)
        try:
            return self._memo[key]
        except KeyError:
            pass
        grant = self.grants.get(kind)
        found = grant if grant is not None and grant.covers(name) else None
        if len(self._memo) < 4096:
            self._memo[key] = found
        return found

    def allows(self, kind: Kind, name: str) -> bool:
        return self.grant_for(kind, name) is not None

    # --- JSON ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for kind in Kind:
            grant = self.grants.get(kind)
            if grant is not None:
                out[kind.value] = {"services": list(grant.services), "scope": grant.scope.value}
        out["protected_addresses"] = self.protected_addresses
        out["pending_only"] = self.pending_only
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Permissions:
        """Validate and build permissions from their JSON shape; raise GroupError on any fault."""
        if not isinstance(data, Mapping):
            raise GroupError("permissions must be a JSON object")
        known = {k.value for k in Kind} | {"protected_addresses", "pending_only"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise GroupError(f"unknown permission keys {unknown}; known: {sorted(known)}")
        grants: dict[Kind, Grant] = {}
        for kind in Kind:
            if kind.value not in data:
                continue
            entry = data[kind.value]
            if not isinstance(entry, Mapping):
                raise GroupError(f"{kind.value}: expected {{'services': [...], 'scope': ...}}")
            extra = sorted(set(entry) - {"services", "scope"})
            if extra:
                raise GroupError(f"{kind.value}: unknown keys {extra}")
            services = entry.get("services", [])
            if isinstance(services, str) or not isinstance(services, Iterable):
                raise GroupError(f"{kind.value}.services must be a list of names")
            scope_value = entry.get("scope", Scope.ALL.value)
            try:
                scope = Scope(scope_value)
            except ValueError:
                raise GroupError(f"{kind.value}.scope must be one of {[s.value for s in Scope]}, "
                                 f"not {scope_value!r}") from None
            names = tuple(dict.fromkeys(_canonical_name(kind, s) for s in services))
            grants[kind] = Grant(names, scope)
        flags = {}
        for flag in ("protected_addresses", "pending_only"):
            value = data.get(flag, False)
            if not isinstance(value, bool):
                raise GroupError(f"{flag} must be true or false, not {value!r}")
            flags[flag] = value
        return cls(grants, **flags)

    @classmethod
    def from_json(cls, text: str) -> Permissions:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise GroupError(f"permissions are not valid JSON: {exc}") from None
        return cls.from_dict(data)

    def scopes(self) -> set[Scope]:
        return {g.scope for g in self.grants.values()}


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    """A security group: a name (key), a Danish title and its permissions."""

    name: str
    title: str
    permissions: Permissions


# --- the default groups ------------------------------------------------------------------------

_MUNICIPAL_EVENTS = (
    "A01", "A02", "A03", "A04", "A06", "A07", "A08", "A09", "A10", "A13", "A15", "A16", "A17",
    "A24", "A33", "A47", "A73", "B02", "B03", "B04", "B08", "B11", "B12", "B13", "B14", "B18",
    "B19", "B20", "B22", "B28",
)  # fmt: skip
_CHURCH_EVENTS = ("B31", "B23", "A14", "A13", "B07", "A21", "A34")
_CITIZEN_EVENTS = ("A01", "A06", "A07", "A47")


def _perm(**grants: Any) -> dict[str, Any]:
    return grants


DEFAULT_GROUPS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("cpr-office", "CPR-kontoret", _perm(
        search={"services": ["*"], "scope": "all"},
        event={"services": ["*"], "scope": "all"},
        maintenance={"services": ["*"], "scope": "all"},
        subscription={"services": ["*"], "scope": "all"},
        protected_addresses=True)),
    ("municipality", "Kommunal sagsbehandler", _perm(
        search={"services": "catalogue:municipality", "scope": "all"},
        event={"services": list(_MUNICIPAL_EVENTS), "scope": "own_municipality"},
        maintenance={"services": ["address:*", "municipal:*", "shared_residence:*", "name:correct",
                                  "departure:*", "disappearance:*", "protection:*"],
                     "scope": "own_municipality"},
        protected_addresses=True)),
    ("church-office", "Kirkekontor (sogn)", _perm(
        search={"services": "catalogue:church-office", "scope": "all"},
        event={"services": list(_CHURCH_EVENTS), "scope": "all"},
        maintenance={"services": ["church:*", "birth_registration:*", "name:correct"], "scope": "all"},
        protected_addresses=True)),
    ("citizen", "Borgerselvbetjening", _perm(
        event={"services": list(_CITIZEN_EVENTS), "scope": "all"},
        pending_only=True)),
    ("private-company", "Privat virksomhed", _perm(
        search={"services": ["STAMP"], "scope": "all"})),
    ("subscriber-system", "Abonnentsystem (SOAP)", _perm(
        subscription={"services": ["SF6002"], "scope": "all"})),
)
"""The groups the CPR handbook implies, as (name, title, permissions)."""


def _resolve(group: str, permissions: dict[str, Any]) -> dict[str, Any]:
    """Search grants written ``"catalogue:<group>"``: the services the service catalogue opens to that
    group; event grants get, besides those listed, the events the event catalogue opens to it."""
    out = dict(permissions)
    search = out.get("search")
    if search and isinstance(search.get("services"), str):
        from opencpr.services.catalogue import catalogue

        wanted = search["services"].removeprefix("catalogue:")
        out["search"] = {**search, "services": [s.name for s in catalogue().values() if wanted in s.groups]}
    event = out.get("event")
    if event and WILDCARD not in event.get("services", ()):
        from opencpr.domain.events import events

        opened = [e.code for e in events().values() if group in e.groups and not e.maintenance]
        out["event"] = {**event, "services": list(dict.fromkeys([*event["services"], *opened]))}
    return out


def default_groups() -> list[SecurityGroup]:
    """The default groups; search grants of the municipality and church office follow the catalogue."""
    return [SecurityGroup(n, t, Permissions.from_dict(_resolve(n, p))) for n, t, p in DEFAULT_GROUPS]


# --- storage -----------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def parse_permissions(text: str) -> Permissions:
    """Permissions from their stored JSON (validated; cached, as every request reads them)."""
    return Permissions.from_json(text)


def _row_to_group(row: Any) -> SecurityGroup:
    return SecurityGroup(row.name, row.title, parse_permissions(row.permissions))


def ensure_default_groups(engine: Engine, clock: Clock | None = None) -> list[str]:
    """Create the default groups that do not exist yet (never overwrites an edited group).

    Returns the names of the groups created.
    """
    now = stamp((clock or SystemClock()).now())
    created: list[str] = []
    with engine.begin() as conn:
        existing = set(conn.execute(select(security_group.c.name)).scalars())
        for group in default_groups():
            if group.name in existing:
                continue
            conn.execute(security_group.insert().values(
                name=group.name, title=group.title, permissions=group.permissions.to_json(),
                updated_at=now, updated_by="opencpr"))
            created.append(group.name)
    return created


def get_group(conn_or_engine: Connection | Engine, name: str) -> SecurityGroup | None:
    """The group called ``name``; None if there is none."""
    query = select(security_group).where(security_group.c.name == name)
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            row = conn.execute(query).first()
    else:
        row = conn_or_engine.execute(query).first()
    return None if row is None else _row_to_group(row)


def list_groups(engine: Engine) -> list[SecurityGroup]:
    with engine.connect() as conn:
        return [_row_to_group(r) for r in conn.execute(select(security_group).order_by(security_group.c.name))]


def save_group(engine: Engine, group: SecurityGroup, *, by: str, clock: Clock | None = None) -> None:
    """Create or replace a group (its permissions are validated again from their JSON form)."""
    if not group.name or len(group.name) > 40 or not group.name.replace("-", "").replace("_", "").isalnum():
        raise GroupError(f"group names are 1-40 letters, digits, '-' or '_', not {group.name!r}")
    permissions = Permissions.from_dict(group.permissions.to_dict())
    now = (clock or SystemClock()).now()
    values = {"title": group.title, "permissions": permissions.to_json(), "updated_at": stamp(now),
              "updated_by": by}
    with write_transaction(engine) as conn:
        exists = conn.execute(select(security_group.c.name).where(security_group.c.name == group.name)).first()
        if exists:
            conn.execute(security_group.update().where(security_group.c.name == group.name).values(**values))
        else:
            conn.execute(security_group.insert().values(name=group.name, **values))
        append_audit(conn, [AuditEntry.admin(now, by, "GROUPS", "update" if exists else "add",
                                             detail=f"{group.name}: {permissions.to_json()}")])
