"""Deliveries lying unfetched, as a service behind the gate: what the CPR office looks at.

:func:`lying_unfetched` reads the deliveries not fetched (and not expired) made more than a
number of days before a moment, oldest first; the server's log and ``opencpr deliveries
unfetched`` read it directly, the REST endpoint ``GET /api/v1/deliveries/unfetched`` and the
console's page ``/console/deliveries`` through :data:`UNFETCHED`, under the permission
:data:`MONITOR` (``subscription`` kind; the CPR office's group grants every subscription service,
a subscriber system's group grants only ``SF6002``). Every look is audited; a delivery names no
person, so the audit record names none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from opencpr.access.groups import Kind
from opencpr.clock import stamp
from opencpr.register.access_schema import subscriber_system
from opencpr.register.schema import delivery
from opencpr.services.contract import Outcome, ServiceContext, ServiceSpec
from opencpr.services.errors import InvalidKey

__all__ = ["DEFAULT_DAYS", "MONITOR", "UNFETCHED", "lying_unfetched"]

#: The permission to look at the deliveries of every subscriber system.
MONITOR = "SF6002-MONITOR"
#: Deliveries lying unfetched longer than this are reported (``unfetched_alert_days``).
DEFAULT_DAYS = 7.0


def lying_unfetched(conn: Connection, now: dt.datetime, days: float) -> list[dict[str, Any]]:
    """Deliveries neither fetched nor expired, made more than ``days`` before ``now``, oldest first:
    ``system_id``, ``system`` (its name), ``cvr``, ``file_name``, ``night``, ``delivered_at``, ``age_days``
    (one decimal), ``persons``, ``size``."""
    before = stamp(now - dt.timedelta(days=days))
    query = (select(delivery, subscriber_system.c.name.label("system_name"), subscriber_system.c.cvr)
             .select_from(delivery.outerjoin(subscriber_system, subscriber_system.c.id == delivery.c.system_id))
             .where(delivery.c.fetched_at.is_(None), delivery.c.expired_at.is_(None),
                    delivery.c.created_at < before)
             .order_by(delivery.c.created_at, delivery.c.id))
    plain = now.replace(tzinfo=None)
    found = []
    for row in conn.execute(query):
        age = (plain - dt.datetime.fromisoformat(row.created_at)).total_seconds() / 86400
        found.append({"system_id": int(row.system_id), "system": row.system_name or "?", "cvr": row.cvr or "",
                      "file_name": row.file_name, "night": row.night, "delivered_at": row.created_at,
                      "age_days": round(age, 1), "persons": int(row.persons), "size": int(row.size)})
    return found


def _run_unfetched(ctx: ServiceContext, *, days: float | str = DEFAULT_DAYS) -> Outcome:
    try:
        threshold = float(days)
    except (TypeError, ValueError):
        threshold = -1.0
    if not 0 <= threshold <= 3650:
        raise InvalidKey("days", days, "et antal dage fra 0 til 3650")
    lying = lying_unfetched(ctx.conn, ctx.now, threshold)
    return Outcome(records=lying, detail=f"deliveries unfetched for more than {threshold:g} days: {len(lying)}",
                   info={"days": threshold, "count": len(lying)})


#: Deliveries lying unfetched longer than ``days``, for the CPR office.
UNFETCHED = ServiceSpec(MONITOR, Kind.SUBSCRIPTION, "monitor", _run_unfetched, billable=False, pnr_key=None,
                        description="SF6002: deliveries lying unfetched longer than a number of days")
