"""SF6002's filters and its ten (twelve) operations, as services behind the gate.

A subscriber system's subscription is the set of its filters (integration description §3.1.1.1):

========== ===================== ============================================================
kind       value                 selects
========== ===================== ============================================================
pnr        the PNR               every change of that person
municipality  4-digit code       every change of persons living there (moving in or out too)
age_range  ``start-end``         every change of persons of that age on the day of extraction
change_code  an event code       persons with an event of that code (CPR's code or ours)
no_filter  ``''``                every change of everyone
========== ===================== ============================================================

Adding a PNR, a municipality or the no-filter subscription orders an initial load of the persons
it selects; removing it and adding it again orders a new one. Whether a PNR or a municipality
exists is not checked (the answer is ``ADDED`` either way, as the integration description says);
the form of every value is, and a bad value is refused with ``InvalidCallParameters`` before
anything is stored.

Every operation first checks the call's Invocation Context against the certificate's system
(:func:`check_invocation`): its ``ServiceAgreementUUID`` must be the system's agreement, its
``UserSystemUUID`` the system's registered one and its ``ServiceUUID`` CPR Subscription's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select

from opencpr.access.groups import Kind
from opencpr.domain import change_codes
from opencpr.register.access_schema import subscriber_system
from opencpr.register.schema import subscription_filter, subscription_system
from opencpr.services.contract import Outcome, ServiceContext, ServiceSpec
from opencpr.services.subscriptions.errors import (
    InvalidCallParameters,
    UnknownOperation,
    WrongService,
    WrongUserSystem,
)
from opencpr.services.subscriptions.invocation import check_agreement, check_fields

__all__ = [
    "ADDED", "ALREADY_EXISTED", "FILTER_KINDS", "OPERATIONS", "REMOVED", "SERVICE", "SERVICE_UUID", "Filter",
    "Filters", "check_invocation", "filters_of", "operation", "system_id_of",
]

#: The grant a subscriber system's group needs (``subscription`` kind).
SERVICE = "SF6002"

#: CPR Subscription's ServiceUUID on Serviceplatformen (``cpr-protocols.md`` §1.10).
SERVICE_UUID = "9cdccc2f-3243-11e2-8fef-d4bed98c5934"

ADDED, REMOVED, ALREADY_EXISTED = "ADDED", "REMOVED", "ALREADY_EXISTED"

PNR, MUNICIPALITY, AGE_RANGE, CHANGE_CODE, NO_FILTER = "pnr", "municipality", "age_range", "change_code", "no_filter"
FILTER_KINDS = (PNR, MUNICIPALITY, AGE_RANGE, CHANGE_CODE, NO_FILTER)
#: Kinds whose adding orders an initial load.
INITIAL_LOAD_KINDS = frozenset({PNR, MUNICIPALITY, NO_FILTER})

#: The answer when a Remove names a filter the subscription does not have.
NOT_THERE = {PNR: "NON_EXISTING_PNR", MUNICIPALITY: "NON_EXISTING_MUNICIPALITYCODE",
             AGE_RANGE: "NON_EXISTING_AGERANGE", CHANGE_CODE: "NON_EXISTING_CHANGECODE",
             NO_FILTER: "NON_EXISTING_NOFILTER"}

#: RemoveAll's FilterGroup (the contract's enumeration; ``NoFilter`` is this server's addition).
FILTER_GROUPS = {"PNR": PNR, "AgeRange": AGE_RANGE, "MunicipalityCode": MUNICIPALITY,
                 "EventChangeCode": CHANGE_CODE, "NoFilter": NO_FILTER}

_DIGITS = re.compile(r"[+-]?\d+")


@dataclass(frozen=True, slots=True)
class Filter:
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Filters:
    """A system's filters, by kind."""

    pnrs: frozenset[str] = frozenset()
    municipalities: frozenset[str] = frozenset()
    age_ranges: tuple[tuple[int, int], ...] = ()
    change_codes: frozenset[str] = frozenset()
    no_filter: bool = False

    def __bool__(self) -> bool:
        return bool(self.pnrs or self.municipalities or self.age_ranges or self.change_codes or self.no_filter)


# --- values ---------------------------------------------------------------------------------------

def pnr_value(text: str | None) -> str:
    digits = (text or "").strip().replace("-", "")
    if len(digits) != 10 or not digits.isdigit():
        raise InvalidCallParameters(f"CPR ReplicaSubscription - PNR must be 10 digits, not {str(text)[:20]!r}")
    return digits


def municipality_value(text: str | None) -> str:
    raw = (text or "").strip()
    if not _DIGITS.fullmatch(raw):
        raise InvalidCallParameters(f"CPR ReplicaSubscription - municipality code must be a number, not {raw[:20]!r}")
    code = int(raw)
    if code < 0:
        raise InvalidCallParameters("CPR ReplicaSubscription - municipality code was negative")
    if code > 9999:
        raise InvalidCallParameters(f"CPR ReplicaSubscription - municipality code has at most 4 digits, not {raw!r}")
    return f"{code:04d}"


def _age(name: str, text: str | None) -> int:
    raw = (text or "").strip()
    if not _DIGITS.fullmatch(raw) or int(raw) < 0 or int(raw) > 999:
        raise InvalidCallParameters(f"CPR ReplicaSubscription - {name} must be a whole number 0-999, not {raw[:20]!r}")
    return int(raw)


def age_range_value(start: str | None, end: str | None) -> str:
    low, high = _age("StartAge", start), _age("EndAge", end)
    if low > high:
        raise InvalidCallParameters(f"CPR ReplicaSubscription - StartAge {low} is greater than EndAge {high}")
    return f"{low}-{high}"


def change_code_value(text: str | None) -> str:
    code = (text or "").strip().upper()
    if not change_codes.known(code):
        raise InvalidCallParameters(f"CPR ReplicaSubscription - unknown change code {str(text)[:10]!r} "
                                    "(see CPR's list of event codes)")
    return code


# --- the system and its Invocation Context ----------------------------------------------------------

def system_id_of(conn: Connection, actor) -> tuple[int, str | None]:
    """The certificate's system (id, registered UserSystemUUID)."""
    row = conn.execute(
        select(subscriber_system.c.id, subscription_system.c.user_system_uuid)
        .select_from(subscriber_system.outerjoin(subscription_system,
                                                 subscription_system.c.system_id == subscriber_system.c.id))
        .where(subscriber_system.c.cvr == actor.cvr, subscriber_system.c.name == actor.system,
               subscriber_system.c.agreement_uuid == actor.agreement_uuid)).first()
    if row is None:
        raise WrongUserSystem("CPR ReplicaSubscription - no subscriber system for the certificate")
    return int(row.id), row.user_system_uuid


def check_invocation(conn: Connection, actor, invocation: dict[str, str]) -> int:
    """Check the Invocation Context against the certificate's system; return the system's id."""
    check_fields(invocation)
    system_id, user_system = system_id_of(conn, actor)
    check_agreement(actor, invocation, "CPR ReplicaSubscription")
    if user_system is None or invocation["UserSystemUUID"] != user_system:
        raise WrongUserSystem("CPR ReplicaSubscription - no subscription configured for serviceAgreement "
                              f"and user system {invocation['UserSystemUUID']}")
    if invocation["ServiceUUID"] != SERVICE_UUID:
        raise WrongService(f"CPR ReplicaSubscription - ServiceUUID {invocation['ServiceUUID']} is not "
                           f"CPR Subscription ({SERVICE_UUID})")
    return system_id


# --- storage ----------------------------------------------------------------------------------------

def _has(conn: Connection, system_id: int, f: Filter) -> bool:
    return conn.execute(select(subscription_filter.c.id).where(
        subscription_filter.c.system_id == system_id, subscription_filter.c.kind == f.kind,
        subscription_filter.c.value == f.value)).first() is not None


def _add(ctx: ServiceContext, system_id: int, f: Filter) -> str:
    if _has(ctx.conn, system_id, f):
        return ALREADY_EXISTED
    ctx.conn.execute(insert(subscription_filter).values(
        system_id=system_id, kind=f.kind, value=f.value, initial_due=f.kind in INITIAL_LOAD_KINDS,
        added_at=ctx.now.replace(tzinfo=None).isoformat(timespec="seconds")))
    return ADDED


def _remove(ctx: ServiceContext, system_id: int, f: Filter) -> str:
    gone = ctx.conn.execute(delete(subscription_filter).where(
        subscription_filter.c.system_id == system_id, subscription_filter.c.kind == f.kind,
        subscription_filter.c.value == f.value)).rowcount
    return REMOVED if gone else NOT_THERE[f.kind]


def filters_of(conn: Connection, system_id: int) -> Filters:
    rows = conn.execute(select(subscription_filter.c.kind, subscription_filter.c.value)
                        .where(subscription_filter.c.system_id == system_id)
                        .order_by(subscription_filter.c.kind, subscription_filter.c.value)).all()
    by: dict[str, list[str]] = {}
    for kind, value in rows:
        by.setdefault(kind, []).append(value)
    ages = sorted(tuple(int(x) for x in v.split("-")) for v in by.get(AGE_RANGE, ()))
    return Filters(frozenset(by.get(PNR, ())), frozenset(by.get(MUNICIPALITY, ())), tuple(ages),
                   frozenset(by.get(CHANGE_CODE, ())), bool(by.get(NO_FILTER)))


# --- the operations ---------------------------------------------------------------------------------

def _filter_for(operation: str, values: dict[str, str]) -> Filter:
    if operation.endswith("PNRSubscription"):
        return Filter(PNR, pnr_value(values.get("PNR")))
    if operation.endswith("MunicipalityCodeSubscription"):
        return Filter(MUNICIPALITY, municipality_value(values.get("MunicipalityCode")))
    if operation.endswith("AgeRangeSubscription"):
        return Filter(AGE_RANGE, age_range_value(values.get("StartAge"), values.get("EndAge")))
    if operation.endswith("ChangeCodeSubscription"):
        return Filter(CHANGE_CODE, change_code_value(values.get("ChangeCode")))
    if operation.endswith("NoFilterSubscription"):
        return Filter(NO_FILTER, "")
    raise UnknownOperation(f"CprSubscriptionService has no operation {operation!r}")


def _run_change(operation: str) -> Callable[..., Outcome]:
    adding = operation.startswith("Add")

    def run(ctx: ServiceContext, *, invocation: dict[str, str], values: dict[str, str], pnr: str | None = None
            ) -> Outcome:
        system_id = check_invocation(ctx.conn, ctx.actor, invocation)
        f = _filter_for(operation, values)
        result = (_add if adding else _remove)(ctx, system_id, f)
        if f.kind == PNR:
            ctx.touch(f.value)
        return Outcome(detail=f"{operation} {f.kind}={f.value or '-'}: {result}", info={"result": result})

    return run


def _run_remove_all(ctx: ServiceContext, *, invocation: dict[str, str], values: dict[str, str],
                    pnr: str | None = None) -> Outcome:
    system_id = check_invocation(ctx.conn, ctx.actor, invocation)
    group = (values.get("FilterGroup") or "").strip()
    kind = FILTER_GROUPS.get(group)
    if kind is None:
        raise InvalidCallParameters(f"CPR ReplicaSubscription - FilterGroup must be one of "
                                    f"{', '.join(FILTER_GROUPS)}, not {group[:30]!r}")
    gone = ctx.conn.execute(delete(subscription_filter).where(
        and_(subscription_filter.c.system_id == system_id, subscription_filter.c.kind == kind))).rowcount
    result = REMOVED if gone else NOT_THERE[kind]
    return Outcome(detail=f"RemoveAll {group}: {gone} removed", info={"result": result})


def _run_get_all(ctx: ServiceContext, *, invocation: dict[str, str], values: dict[str, str],
                 pnr: str | None = None) -> Outcome:
    system_id = check_invocation(ctx.conn, ctx.actor, invocation)
    found = filters_of(ctx.conn, system_id)
    return Outcome(detail="GetAllFilters", info={"filters": found})


def _spec(operation: str, run: Callable[..., Outcome], writes: bool) -> ServiceSpec:
    action = ("subscribe" if operation.startswith("Add") else "unsubscribe" if operation.startswith("Remove")
              else "get-filters")
    if operation == "RemoveAll":
        action = "remove-all"
    return ServiceSpec(SERVICE, Kind.SUBSCRIPTION, action, run, billable=True, writes=writes,
                       description=f"SF6002 {operation}")


_CHANGES = ("AddPNRSubscription", "RemovePNRSubscription", "AddAgeRangeSubscription", "RemoveAgeRangeSubscription",
            "AddMunicipalityCodeSubscription", "RemoveMunicipalityCodeSubscription", "AddChangeCodeSubscription",
            "RemoveChangeCodeSubscription", "AddNoFilterSubscription", "RemoveNoFilterSubscription")

#: Every operation by its name: the contract's ten, and the no-filter subscription's two.
OPERATIONS: dict[str, ServiceSpec] = {
    **{name: _spec(name, _run_change(name), True) for name in _CHANGES},
    "RemoveAll": _spec("RemoveAll", _run_remove_all, True),
    "GetAllFilters": _spec("GetAllFilters", _run_get_all, False),
}


def operation(name: str) -> ServiceSpec:
    """The service of an operation; raise UnknownOperation."""
    spec = OPERATIONS.get(name)
    if spec is None:
        raise UnknownOperation(f"CprSubscriptionService has no operation {name[:60]!r}; it has "
                               f"{', '.join(OPERATIONS)}")
    return spec


def call_keys(values: dict[str, str], invocation: dict[str, str]) -> dict[str, Any]:
    """The keys an adapter passes to the gate for an operation."""
    return {"invocation": invocation, "values": values, "pnr": values.get("PNR")}
