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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from opencpr.access.audit import AuditEntry, append_audit, write_transaction
from opencpr.clock import Clock, SystemClock, stamp
from opencpr.register.access_schema import security_group


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


WILDCARD = "*"


class GroupError(ValueError):
    """A group or its permissions are not acceptable (the message says why)."""


def fold(name: str) -> str:
    """A name as grants compare it: stripped and case-folded."""
    return name.strip().casefold()


#: Checks a granted name of a kind and returns its canonical spelling, or raises GroupError. The
#: service layer's vocabulary (:func:`opencpr.services.permissions.canonical_name`) knows every
#: service and event; :func:`plain_name` knows only the forms.
NameCheck = Callable[[Kind, str], str]


def plain_name(kind: Kind, name: str) -> str:
    """``name`` stripped, after checking its form only (a non-empty string; ``<data>:<action>`` for
    maintenance). Used where the names were checked before (permissions read back from storage)."""
    if not isinstance(name, str) or not name.strip():
        raise GroupError(f"{kind}: service names must be non-empty strings, not {name!r}")
    name = name.strip()
    if kind is Kind.MAINTENANCE and name != WILDCARD and ":" not in name:
        raise GroupError(f"maintenance services are written <data>:<action>, e.g. 'address:correct', not {name!r}")
    return name


@dataclass(frozen=True, slots=True)
class Grant:
    """The names of one category a group may use, and within which scope."""

    services: tuple[str, ...]
    scope: Scope = Scope.ALL
    _folded: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_folded", frozenset(fold(s) for s in self.services))

    def covers(self, name: str) -> bool:
        """True if ``name`` is one of the granted names (or matched by a wildcard)."""
        folded = self._folded
        if WILDCARD in folded:
            return True
        n = fold(name)
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
    def from_dict(cls, data: Mapping[str, Any], names: NameCheck = plain_name) -> Permissions:
        """Validate and build permissions from their JSON shape; raise GroupError on any fault.

        ``names`` checks each granted name and gives its canonical spelling (see :data:`NameCheck`).
        """
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
            granted = tuple(dict.fromkeys(names(kind, s) for s in services))
            grants[kind] = Grant(granted, scope)
        flags = {}
        for flag in ("protected_addresses", "pending_only"):
            value = data.get(flag, False)
            if not isinstance(value, bool):
                raise GroupError(f"{flag} must be true or false, not {value!r}")
            flags[flag] = value
        return cls(grants, **flags)

    @classmethod
    def from_json(cls, text: str, names: NameCheck = plain_name) -> Permissions:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise GroupError(f"permissions are not valid JSON: {exc}") from None
        return cls.from_dict(data, names)

    def scopes(self) -> set[Scope]:
        return {g.scope for g in self.grants.values()}


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    """A security group: a name (key), a Danish title and its permissions."""

    name: str
    title: str
    permissions: Permissions


# --- storage -----------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def parse_permissions(text: str) -> Permissions:
    """Permissions from their stored JSON (validated; cached, as every request reads them)."""
    return Permissions.from_json(text)


def _row_to_group(row: Any) -> SecurityGroup:
    return SecurityGroup(row.name, row.title, parse_permissions(row.permissions))


def add_missing_groups(engine: Engine, groups: Iterable[SecurityGroup], clock: Clock | None = None) -> list[str]:
    """Create those of ``groups`` that do not exist yet (never overwrites an edited group).

    Returns the names of the groups created.
    """
    now = stamp((clock or SystemClock()).now())
    created: list[str] = []
    with engine.begin() as conn:
        existing = set(conn.execute(select(security_group.c.name)).scalars())
        # servers starting together on one database add the same groups at once: the one that
        # comes second leaves the first one's row alone instead of failing on the name
        insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
        for group in groups:
            if group.name in existing:
                continue
            done = conn.execute(insert(security_group).values(
                name=group.name, title=group.title, permissions=group.permissions.to_json(),
                updated_at=now, updated_by="opencpr").on_conflict_do_nothing(index_elements=["name"]))
            if done.rowcount == 1:
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


def save_group(engine: Engine, group: SecurityGroup, *, by: str, clock: Clock | None = None,
               names: NameCheck = plain_name) -> None:
    """Create or replace a group (its permissions are validated again from their JSON form, with
    ``names`` checking every granted name)."""
    if not group.name or len(group.name) > 40 or not group.name.replace("-", "").replace("_", "").isalnum():
        raise GroupError(f"group names are 1-40 letters, digits, '-' or '_', not {group.name!r}")
    permissions = Permissions.from_dict(group.permissions.to_dict(), names)
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
