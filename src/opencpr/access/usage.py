"""Usage for billing (betaling for brug): billable calls per authority, user and service per day.

The counters are written with the audit record of each call (:func:`opencpr.access.audit.append_audit`,
an upsert on ``usage_counter``), so a call is counted exactly when it is recorded. A call is
billable when its service says so and it succeeded (Kvit 0); refusals and errors are not billed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from opencpr.domain import reference
from opencpr.register.access_schema import usage_counter

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, slots=True)
class UsageLine:
    """One bill line: calls of one service by one actor of one authority in a period."""

    period: str  # YYYY-MM, or YYYY-MM-DD for daily lines
    authority: str
    authority_name: str
    actor: str
    service: str
    calls: int


def month_bounds(month: str) -> tuple[str, str]:
    """First day of ``month`` (``YYYY-MM``) and first day of the next, as ``YYYY-MM-DD``."""
    m = _MONTH.fullmatch(month.strip()) if isinstance(month, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"a month is written YYYY-MM, e.g. 2026-11, not {month!r}")
    year, mon = int(m.group(1)), int(m.group(2))
    start = dt.date(year, mon, 1)
    end = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return start.isoformat(), end.isoformat()


def _authority_name(code: str) -> str:
    found = reference.authority(code) if code else None
    return found.name if found else ""


def usage_lines(engine: Engine, month: str, *, daily: bool = False) -> list[UsageLine]:
    """The bill lines of ``month``: per authority, actor and service (and day, if ``daily``)."""
    with engine.connect() as conn:
        return usage_of(conn, month, daily=daily)


def usage_of(conn: Connection, month: str, *, authority: str | None = None, daily: bool = False) -> list[UsageLine]:
    """The bill lines of ``month`` (of one ``authority``, if given), read on ``conn``."""
    start, end = month_bounds(month)
    c = usage_counter.c
    keys = [c.authority, c.actor, c.service] + ([c.day] if daily else [])
    query = (select(*keys, func.sum(c.calls).label("calls")).where(c.day >= start, c.day < end)
             .group_by(*keys).order_by(*([c.day] if daily else []), c.authority, c.actor, c.service))
    if authority is not None:
        query = query.where(c.authority == authority)
    rows = conn.execute(query).all()
    return [UsageLine(r.day if daily else start[:7], r.authority, _authority_name(r.authority), r.actor,
                      r.service, int(r.calls)) for r in rows]


def usage_csv(lines: list[UsageLine]) -> str:
    """The lines as CSV with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "authority", "authority_name", "actor", "service", "calls"])
    for line in lines:
        writer.writerow([line.period, line.authority, line.authority_name, line.actor, line.service, line.calls])
    return out.getvalue()
