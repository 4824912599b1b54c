"""What a security group can grant: the names of every category, and the default groups.

The access layer holds groups as data (:mod:`opencpr.access.groups`) and knows nothing of the
services. This module is their vocabulary, fed by the catalogues:

* search services — the service catalogue's names, :data:`OTHER_SEARCH_SERVICES` and the oversight
  services (:data:`opencpr.services.oversight.OVERSIGHT_SERVICES`: a person's audit trail, usage) and
  SF1520 PersonLookup (:data:`opencpr.services.person_lookup.PERSON_LOOKUP`);
* events — the event catalogue's codes (:data:`opencpr.domain.codes.EVENT`);
* data maintenance — ``<data>:<action>`` from :data:`MAINTENANCE_DATA` and :data:`MAINTENANCE_ACTIONS`;
* subscriptions — :data:`SUBSCRIPTION_SERVICES`.

:func:`canonical_name` checks a name against it; :func:`parse` and :func:`save_group` check every
name of a group with it. :data:`DEFAULT_GROUPS` are the groups the CPR handbook implies; a search
grant written ``"catalogue:<group>"`` opens the services whose catalogue entry names that group,
and an event grant also opens the events whose declaration names the group.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Engine

from opencpr.access import groups
from opencpr.access.groups import WILDCARD, GroupError, Kind, Permissions, SecurityGroup, fold
from opencpr.clock import Clock
from opencpr.domain.codes import EVENT
from opencpr.domain.events import events
from opencpr.services.catalogue import catalogue, service_names
from opencpr.services.oversight import OVERSIGHT_SERVICES
from opencpr.services.person_lookup import NAME as PERSON_LOOKUP

__all__ = [
    "DEFAULT_GROUPS", "MAINTENANCE_ACTIONS", "MAINTENANCE_DATA", "OTHER_SEARCH_SERVICES", "SUBSCRIPTION_SERVICES",
    "canonical_name", "default_groups", "ensure_default_groups", "parse", "parse_json", "save_group",
    "search_services",
]

#: Search services known outside the service catalogue: CPR Direkte's tasks and STAMKP.
OTHER_SEARCH_SERVICES: tuple[str, ...] = ("STAMKP", "PRIV", "ADRM")

#: Subscription services: SF6002 (CPR Abonnement), PNRABN-I (PNR subscription, GCTP), and
#: SF6002-MONITOR (the CPR office's look at every system's deliveries lying unfetched).
SUBSCRIPTION_SERVICES: tuple[str, ...] = ("SF6002", "PNRABN-I", "SF6002-MONITOR")

#: Kinds of data that maintenance services work on (handbook §3.2.2).
MAINTENANCE_DATA: tuple[str, ...] = (
    "address", "civil_status", "shared_residence", "church", "disappearance", "birth_registration",
    "municipal", "name", "pnr", "person", "separation", "relation", "citizenship", "departure",
    "protection",
)  # fmt: skip

#: Maintenance actions: correct (ret, mark K), undo (fortryd, mark A), earlier (indberet tidligere).
MAINTENANCE_ACTIONS: tuple[str, ...] = ("correct", "undo", "earlier")


@cache
def search_services() -> tuple[str, ...]:
    """Search and lookup services by CPR's names: the service catalogue's, and :data:`OTHER_SEARCH_SERVICES`."""
    return tuple(dict.fromkeys((*service_names(), *OTHER_SEARCH_SERVICES, *OVERSIGHT_SERVICES, PERSON_LOOKUP)))


@cache
def _folded(kind: Kind) -> dict[str, str]:
    names = search_services() if kind is Kind.SEARCH else SUBSCRIPTION_SERVICES
    return {fold(s): s for s in names}


def canonical_name(kind: Kind, name: str) -> str:
    """The catalogue's spelling of ``name`` in ``kind``; raise GroupError if unknown."""
    name = groups.plain_name(kind, name)
    if name == WILDCARD:
        return name
    if kind in (Kind.SEARCH, Kind.SUBSCRIPTION):
        known = _folded(kind).get(fold(name))
        if known is None:
            listed = search_services() if kind is Kind.SEARCH else SUBSCRIPTION_SERVICES
            raise GroupError(f"unknown {kind.value} service {name!r}; known: {', '.join(listed)} or '*'")
        return known
    if kind is Kind.EVENT:
        code = name.upper()
        if code not in EVENT:
            raise GroupError(f"unknown event code {name!r} (see opencpr.domain.codes.EVENT) or '*'")
        return code
    data, _, action = name.partition(":")
    if data != WILDCARD and data not in MAINTENANCE_DATA:
        raise GroupError(f"unknown maintenance data {data!r}; known: {', '.join(MAINTENANCE_DATA)} or '*'")
    if action != WILDCARD and action not in MAINTENANCE_ACTIONS:
        raise GroupError(f"unknown maintenance action {action!r}; known: {', '.join(MAINTENANCE_ACTIONS)} or '*'")
    return f"{data}:{action}"


def parse(data: Mapping[str, Any]) -> Permissions:
    """Permissions from their JSON shape, every name checked against the catalogues."""
    return Permissions.from_dict(data, canonical_name)


def parse_json(text: str) -> Permissions:
    """Permissions from JSON text, every name checked against the catalogues."""
    return Permissions.from_json(text, canonical_name)


def save_group(engine: Engine, group: SecurityGroup, *, by: str, clock: Clock | None = None) -> None:
    """Create or replace a group, every name checked against the catalogues."""
    groups.save_group(engine, group, by=by, clock=clock, names=canonical_name)


# --- the default groups ------------------------------------------------------------------------

_MUNICIPAL_EVENTS = (
    "A01", "A02", "A03", "A04", "A06", "A07", "A08", "A09", "A10", "A13", "A15", "A16", "A17",
    "A24", "A33", "A47", "A73", "B02", "B03", "B04", "B08", "B11", "B12", "B13", "B14", "B18",
    "B19", "B20", "B22", "B28",
)  # fmt: skip
_CHURCH_EVENTS = ("B31", "B23", "A14", "A13", "B07", "A21", "A34")
_CITIZEN_EVENTS = ("A01", "A06", "A07", "A47")


#: Oversight services a default group gets beside its catalogue services: a municipality reads the
#: audit trail of its own persons (``PERSONLOG-KOM``) and its authority's usage; the CPR office has
#: every service (``PERSONLOG``: any person's trail).
_OVERSIGHT = {"municipality": ["PERSONLOG-KOM", "FORBRUG"], "church-office": ["FORBRUG"]}


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
        wanted = search["services"].removeprefix("catalogue:")
        out["search"] = {**search, "services": [s.name for s in catalogue().values() if wanted in s.groups]
                         + _OVERSIGHT.get(group, [])}
    event = out.get("event")
    if event and WILDCARD not in event.get("services", ()):
        opened = [e.code for e in events().values() if group in e.groups and not e.maintenance]
        out["event"] = {**event, "services": list(dict.fromkeys([*event["services"], *opened]))}
    return out


def default_groups() -> list[SecurityGroup]:
    """The default groups; search grants of the municipality and church office follow the catalogue."""
    return [SecurityGroup(n, t, parse(_resolve(n, p))) for n, t, p in DEFAULT_GROUPS]


def ensure_default_groups(engine: Engine, clock: Clock | None = None) -> list[str]:
    """Create the default groups that do not exist yet (never overwrites an edited group); return their names."""
    return groups.add_missing_groups(engine, default_groups(), clock)
