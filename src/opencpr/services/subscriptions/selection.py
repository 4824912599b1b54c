"""What a subscription selects: the persons of its initial loads and of each night's changes, and
the extract records a subscriber system receives for them, behind the gate.

**Changes.** A night reads the event log between two ids (the system's ``delivered_through`` and
the night's mark): :func:`changes` gathers, once per night for every subscriber, each changed
person's events and the facts the filters look at — the municipality of the current address,
the municipalities the person left since the first of those events (a person who moved out is a
change for the old municipality too), and the birth date. :func:`selects` says whether a
system's filters select a changed person:

* PNR: the person's PNR is one of the filter's;
* municipality: the person lives in, moved into or moved out of one of the municipalities;
* age range: the person's age on the day of extraction is within a range (both ends included);
* change code: one of the person's events has the code — CPR's code of the event
  (:func:`opencpr.domain.change_codes.cpr_code`) or the project's own;
* no filter: every changed person.

**Initial loads.** A PNR, municipality or no-filter subscription added since the last delivery
orders every person it selects (for a municipality: whoever lives there on the night).

**Protection.** The records go out through the gate under the subscriber system's own actor, so
the call is checked against its group, and audited with every PNR delivered. A group without
``protected_addresses`` gets a person under name and address protection without the address:
the current and historical address records (002, 023), the departure records with their foreign
address (005, 024) and the contact address (006) are left out and the clear-written address
(003) goes out with its address fields blank — the person's name stays. Such a person is also
never selected *by address*: a municipality filter does not find them (neither in an initial
load nor in a night's changes), so that the file does not reveal where they live; a PNR, age,
change-code or no-filter subscription still delivers them, without the address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, or_, select, true

from opencpr.access.groups import Kind
from opencpr.access.protection import hides_address
from opencpr.domain.change_codes import cpr_code, matches
from opencpr.formats.extract import format_record
from opencpr.register.reader import iter_person_rows, table_columns
from opencpr.register.schema import PERSON_TABLES, address, clear_address, event, person
from opencpr.services.contract import Outcome, ServiceContext, ServiceSpec
from opencpr.services.subscriptions.filters import SERVICE, Filters

__all__ = ["DELIVER", "ChangedPerson", "Changes", "InitialOrder", "PersonRowsCache", "changes", "selects"]

_CHUNK = 1000
#: Tables whose rows are left out for a protected person (address, departure, contact address).
_HIDDEN_TABLES = frozenset({"address", "departure", "contact_address"})
_CLEAR_ADDRESS_KEEP = frozenset({"pnr", "addressing_name", "id", "authority", "registered_at", "current",
                                 "correction"})
#: The tables the person records are written from (the event log is written as 099 of the window only).
_TABLES = tuple(t for t in PERSON_TABLES if t.name != "event")


@dataclass(slots=True)
class ChangedPerson:
    pnr: str
    events: list[tuple[int, str, str, str | None]] = field(default_factory=list)  # id, registered, code, marker
    municipality: str | None = None  # of the current address
    left: frozenset[str] = frozenset()  # municipalities moved out of since the first event
    birth_date: str | None = None

    def age_on(self, day: dt.date) -> int | None:
        if not self.birth_date or len(self.birth_date) < 10:
            return None
        try:
            born = dt.date.fromisoformat(self.birth_date[:10])
        except ValueError:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(slots=True)
class Changes:
    """The changed persons of an event-log window ``(low, high]``, by PNR."""

    low: int
    high: int
    persons: dict[str, ChangedPerson]


def changes(conn: Connection, low: int, high: int) -> Changes:
    """The persons with events in ``(low, high]`` and the facts the filters read."""
    found: dict[str, ChangedPerson] = {}
    since: dict[str, str] = {}
    query = (select(event.c.id, event.c.pnr, event.c.registered_at, event.c.event_code, event.c.derived_marker,
                    event.c.event_date)
             .where(event.c.id > low, event.c.id <= high).order_by(event.c.id))
    for row in conn.execute(query):
        p = found.get(row.pnr)
        if p is None:
            p = found[row.pnr] = ChangedPerson(row.pnr)
        p.events.append((row.id, row.registered_at or "", row.event_code, row.derived_marker))
        day = min(d[:10] for d in (row.registered_at, row.event_date) if d) if (row.registered_at or row.event_date) \
            else ""
        if day and (row.pnr not in since or day < since[row.pnr]):
            since[row.pnr] = day
    pnrs = sorted(found)
    for i in range(0, len(pnrs), _CHUNK):
        part = pnrs[i:i + _CHUNK]
        for pnr, born in conn.execute(select(person.c.pnr, person.c.birth_date).where(person.c.pnr.in_(part))):
            found[pnr].birth_date = born
        left: dict[str, set[str]] = {}
        for pnr, municipality, current, valid_to in conn.execute(
                select(address.c.pnr, address.c.municipality, address.c.current, address.c.valid_to)
                .where(address.c.pnr.in_(part), or_(address.c.current == true(), address.c.valid_to.is_not(None)))):
            if not municipality:
                continue
            if current:
                found[pnr].municipality = municipality
            elif valid_to and since.get(pnr) and valid_to[:10] >= since[pnr]:
                left.setdefault(pnr, set()).add(municipality)
        for pnr, municipalities in left.items():
            found[pnr].left = frozenset(municipalities)
    return Changes(low, high, found)


def _by_address(filters: Filters, p: ChangedPerson) -> bool:
    return bool(filters.municipalities) and (p.municipality in filters.municipalities
                                             or bool(p.left & filters.municipalities))


def _otherwise(filters: Filters, p: ChangedPerson, day: dt.date) -> bool:
    if filters.no_filter or p.pnr in filters.pnrs:
        return True
    if filters.age_ranges:
        age = p.age_on(day)
        if age is not None and any(low <= age <= high for low, high in filters.age_ranges):
            return True
    return bool(filters.change_codes) and any(matches(code, e[2]) for e in p.events for code in filters.change_codes)


def selects(filters: Filters, p: ChangedPerson, day: dt.date) -> str | None:
    """``"other"`` if the filters select the changed person other than by address, ``"address"`` if
    only a municipality filter selects them, None if nothing does."""
    if _otherwise(filters, p, day):
        return "other"
    if _by_address(filters, p):
        return "address"
    return None


@dataclass(frozen=True, slots=True)
class InitialOrder:
    """The initial loads a system is owed: PNRs, municipalities, everyone."""

    pnrs: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    everyone: bool = False

    def __bool__(self) -> bool:
        return bool(self.pnrs or self.municipalities or self.everyone)


class PersonRowsCache:
    """Register rows of persons read once per night for every subscriber (bounded: cleared when full),
    and the records written for the night's changed persons (with or without the address): many
    subscribers receive the same changed person, whose records are then formatted once."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._rows: dict[str, tuple[tuple, dict[str, list[tuple]]]] = {}
        self._lines: dict[tuple[str, bool], tuple[str, ...]] = {}

    def lines(self, pnr: str, hidden: bool) -> tuple[str, ...] | None:
        return self._lines.get((pnr, hidden))

    def keep_lines(self, pnr: str, hidden: bool, lines: list[str]) -> None:
        if len(self._lines) >= self.size:
            self._lines.clear()
        self._lines[(pnr, hidden)] = tuple(lines)

    def get(self, conn: Connection, pnrs: Iterable[str]) -> dict[str, tuple[tuple, dict[str, list[tuple]]]]:
        wanted = list(pnrs)
        missing = [p for p in wanted if p not in self._rows]
        found: dict[str, tuple[tuple, dict[str, list[tuple]]]] = {}
        if missing:
            for person_row, rows in iter_person_rows(conn, missing, _TABLES):
                found[person_row[0]] = (person_row, rows)
            if len(missing) <= self.size // 10:  # keep the small reads (changes), not the initial loads
                if len(self._rows) + len(found) > self.size:
                    self._rows.clear()
                self._rows.update(found)
        return {p: found.get(p) or self._rows.get(p) for p in wanted if p in found or p in self._rows}


_CLEAR_COLUMNS = table_columns(clear_address)


def _hide(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    out = {t: r for t, r in rows.items() if t not in _HIDDEN_TABLES}
    if "clear_address" in out:
        out["clear_address"] = [tuple(v if c in _CLEAR_ADDRESS_KEEP else None for c, v in zip(_CLEAR_COLUMNS, row,
                                                                                               strict=True))
                                for row in out["clear_address"]]
    return out


def _initial_batch(ctx: ServiceContext, order: InitialOrder, after: str, limit: int) -> tuple[list[str], str | None]:
    """The next persons of the initial loads after ``after`` (at most ``limit``), and the PNR they
    reach to when more may follow (None when the initial loads end with them). A municipality's
    residents are read first and those the system may not find by address taken out after (the
    protection test as one SQL condition made PostgreSQL's planner scan every dead person per
    chunk), so a batch may hold fewer than ``limit`` persons and still not be the last."""
    if not order:
        return [], None
    if order.everyone:
        batch = list(ctx.conn.execute(select(person.c.pnr).where(person.c.pnr > after)
                                      .order_by(person.c.pnr).limit(limit)).scalars())
        return batch, (batch[-1] if len(batch) == limit else None)
    horizon: str | None = None
    found: set[str] = {p for p in order.pnrs if p > after}
    if order.municipalities:
        query = (select(address.c.pnr).distinct()
                 .where(address.c.current == true(), address.c.municipality.in_(order.municipalities),
                        address.c.pnr > after)
                 .order_by(address.c.pnr).limit(limit))
        scanned = list(ctx.conn.execute(query).scalars())
        if len(scanned) == limit:
            horizon = scanned[-1]
        hidden = ctx.hidden(scanned)
        found.update(p for p in scanned if p not in hidden)
    if horizon is not None:
        found = {p for p in found if p <= horizon}
    existing = sorted(ctx.conn.execute(select(person.c.pnr).where(person.c.pnr.in_(sorted(found)))).scalars()) \
        if found else []
    if len(existing) > limit:
        existing, horizon = existing[:limit], existing[limit - 1]
    return existing, horizon


def _run_deliver(ctx: ServiceContext, *, writer: Any, changed: dict[str, ChangedPerson], by_address: frozenset[str],
                 initial: InitialOrder, after: str, limit: int, cache: PersonRowsCache) -> Outcome:
    """The next ``limit`` persons after ``after`` (PNR order) of a delivery, as extract records."""
    from_initial, horizon = _initial_batch(ctx, initial, after, limit)
    rest = [p for p in changed if p > after and (horizon is None or p <= horizon)]
    union = sorted(set(from_initial) | set(rest))
    merged = union[:limit]
    if len(union) > limit:
        last, done = merged[-1], False
    else:
        last, done = horizon or (merged[-1] if merged else after), horizon is None
    initial_set = set(from_initial)
    merged_out = merged
    candidates = [p for p in merged if p in by_address and p not in initial_set]
    if candidates:  # selected only by a municipality filter: a hidden address must not be found by address
        types = ctx.protections(candidates)
        dropped = {p for p in candidates if hides_address(types.get(p, frozenset()), ctx.sees_protected_addresses)}
        merged_out = [p for p in merged if p not in dropped]
    protections = ctx.protections(merged_out)
    hidden = {p: hides_address(protections.get(p, frozenset()), ctx.sees_protected_addresses) for p in merged_out}
    written = {p: cache.lines(p, hidden[p]) for p in merged_out if p in changed}
    rows = cache.get(ctx.conn, [p for p in merged_out if written.get(p) is None])
    records: list[dict[str, Any]] = []
    for pnr in merged_out:
        p = changed.get(pnr)
        kept = written.get(pnr)
        if kept is not None:
            lines = list(kept)
        else:
            found = rows.get(pnr)
            if found is None:  # a changed person no longer in the register (a PNR changed or deleted)
                continue
            person_row, person_rows = found
            if hidden[pnr]:
                person_rows = _hide(person_rows)
            lines = writer.records(person_row, person_rows)
            if p is not None:
                cache.keep_lines(pnr, hidden[pnr], lines)
        if p is not None:
            lines.extend(format_record("099", pnr, {"registered_at": registered[:16], "event_code": cpr_code(code),
                                                    "derived_marker": marker})
                         for _, registered, code, marker in p.events)
        records.append({"pnr": pnr, "lines": lines, "initial": pnr in initial_set})
    return Outcome(records=records, detail=f"delivery of {len(records)} persons after {after or '-'}",
                   info={"last": last, "done": done})


#: The delivery service: a subscriber system's next persons, as extract records, under its own actor.
DELIVER = ServiceSpec(SERVICE, Kind.SUBSCRIPTION, "deliver", _run_deliver, billable=False, pnr_key=None,
                      description="SF6002 delivery: the persons of an initial load or a night's changes")


def high_mark(conn: Connection) -> int:
    """The event log's highest id (0 when empty)."""
    return int(conn.execute(select(func.coalesce(func.max(event.c.id), 0))).scalar_one())

