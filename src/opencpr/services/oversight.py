"""Oversight: a person's audit trail and an authority's usage, read through the gate.

* :data:`PERSON_TRAIL` (``PERSONLOG``) — who looked a person up or changed them (refusals too),
  newest first, as ``opencpr audit person`` prints it: when, user code, authority, group, the
  service and action, and the result. A group granted ``PERSONLOG`` reads any person's trail; a
  group granted only ``PERSONLOG-KOM`` (a municipality) reads the trail of the persons who live in
  its own municipality. The records show no other person named in them and no client address.
* :data:`USAGE` (``FORBRUG``) — the billable calls of the caller's own authority in a month, per
  user and service, as ``opencpr usage`` prints them for every authority.

Both are audited like every call through the gate (the trail's call names the person it read),
and neither is billable.
"""

from __future__ import annotations

from typing import Any

from opencpr.access.audit import person_trail
from opencpr.access.groups import Kind
from opencpr.access.usage import month_bounds, usage_of
from opencpr.domain.pnr import InvalidPNR, normalize
from opencpr.services.contract import Outcome, ServiceContext, ServiceSpec
from opencpr.services.errors import InvalidKey, MalformedPNR, NoAccess

__all__ = ["OVERSIGHT_SERVICES", "PERSON_TRAIL", "TRAIL_PAGE", "USAGE", "person_audit", "usage"]

#: The permission names (search services) this module adds to what a security group can grant.
OVERSIGHT_SERVICES: tuple[str, ...] = ("PERSONLOG", "PERSONLOG-KOM", "FORBRUG")

#: The most audit records one page of a trail holds (the next page: ``before`` the last id).
TRAIL_PAGE = 100


def _own_only(conn: Any, actor: Any, keys: dict[str, Any]) -> str | None:
    return "PERSONLOG-KOM"


def _person_trail(ctx: ServiceContext, pnr: Any = None, before: Any = None, limit: Any = TRAIL_PAGE) -> Outcome:
    try:
        digits = normalize(str(pnr or ""))
    except InvalidPNR:
        raise MalformedPNR(pnr) from None
    if not ctx.actor.group.permissions.allows(Kind.SEARCH, "PERSONLOG"):  # PERSONLOG-KOM: own persons only
        own = ctx.actor.authority or ""
        if ctx.municipality_of(digits) != own:
            raise NoAccess(f"Myndighed {own} kan kun se loggen for personer, der bor i kommunen")
    ctx.touch(digits)
    size = max(1, min(int(limit or TRAIL_PAGE), 500))
    start = int(before) if before is not None and str(before).strip().isdigit() else None
    records = [{"id": r.id, "at": r.at, "actor": r.actor, "actor_kind": r.actor_kind, "authority": r.authority,
                "group_name": r.group_name, "service": r.service, "action": r.action,
                "result_code": r.result_code, "result_text": r.result_text or ""}
               for r in person_trail(ctx.conn, digits, before=start, limit=size)]
    restart = records[-1]["id"] if len(records) == size else None
    return Outcome(records, detail=f"audit trail of {digits}: {len(records)} records",
                   info={"pnr": digits, "count": len(records), "restart": restart})


def _usage(ctx: ServiceContext, month: Any = None) -> Outcome:
    try:
        month_bounds(str(month or ""))
    except ValueError:
        raise InvalidKey("MAANED", month, "ÅÅÅÅ-MM") from None
    authority = ctx.actor.authority or ""
    lines = usage_of(ctx.conn, str(month).strip(), authority=authority)
    records = [{"period": li.period, "authority": li.authority, "authority_name": li.authority_name,
                "actor": li.actor, "service": li.service, "calls": li.calls} for li in lines]
    return Outcome(records, detail=f"usage of {authority} in {month}",
                   info={"authority": authority, "month": str(month).strip(),
                         "total": sum(li.calls for li in lines)})


PERSON_TRAIL = ServiceSpec("PERSONLOG", Kind.SEARCH, "audit", _person_trail, billable=False, pnr_key="pnr",
                           via=_own_only, description="Personens log: hvem har slået personen op eller ændret den")
USAGE = ServiceSpec("FORBRUG", Kind.SEARCH, "usage", _usage, billable=False, pnr_key=None,
                    description="Egen myndigheds forbrug: betalingspligtige kald pr. bruger og service")


def person_audit(gate: Any, actor: Any, pnr: str, *, before: Any = None, limit: int = TRAIL_PAGE) -> Outcome:
    """The person's audit trail, newest first (one page)."""
    return gate.call(actor, PERSON_TRAIL, pnr=pnr, before=before, limit=limit)


def usage(gate: Any, actor: Any, month: str) -> Outcome:
    """The caller's authority's billable calls in ``month`` (``YYYY-MM``)."""
    return gate.call(actor, USAGE, month=month)
