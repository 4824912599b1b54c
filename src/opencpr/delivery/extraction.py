"""The nightly extraction: for every subscriber system, its initial loads and the night's changes as
one CPR extract file and its metadata file in the system's ``IN`` folder.

A night (named by the date it begins, :func:`night_of`) fixes the event log's highest id when it
starts (``extraction_night``): every system's change extract reads the events after the id its
last delivery covered (``subscription_system.delivered_through``) up to that mark, so a night that
is resumed reads exactly the events it would have read. Systems are handled one at a time, in id
order; each is finished with one transaction that records the delivery, moves the system's mark
and clears its delivered initial loads. So:

* a night without a change for a system (and no initial load owed) writes nothing for it;
* after a kill the next run of the same night carries on with the systems not yet finished, and
  writes the same files, byte for byte: a file's name (``D<YYMMDD>.L<task>``, the task number
  being the system's deliveries so far + 1), its start record, its records (the same events,
  persons in PNR order) and its metadata (the transfer UUID is derived from the agreement and
  the file name, the time stamp is the night's start) depend only on the register and the night;
* the time budget is looked at before each system and after every chunk of persons written. Spent
  before a system, the run stops there; that system keeps its mark, so the next night delivers it
  everything since its last delivery. Spent inside a system's file (a national initial load that
  alone outlasts the budget), the file is closed after the last person written — a complete file,
  its 999 counting its records, published like any other — and the rest of that night's selection
  (the persons after that PNR: the same initial loads, the same changed persons, the 099 records of
  the same event-log window) is kept in ``delivery_rest``. The next night delivers the rest first,
  as a further numbered file ``D<next night>.L<task + 1>`` (which may be cut again), and then the
  system's own night as ``L<task + 2>``. The person records of the parts, put one after another,
  are the uninterrupted file's byte for byte when the register has not changed in between (each
  part's 000 and 999 are its own); a person changed in between goes out as the register then holds
  them, and again in the later night's changes.

The file: 000 (task number, the night as production date, the system's previous delivery night),
each selected person's records in record-type order — all records of the person, as the extract
writer writes them (receiving 001 means "replace what you hold"), 099 for each of the person's
events in the window — and 999 with the count. ISO-8859-1, one record per line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select, update

from opencpr.access.subscribers import SubscriberSystem, actor_for_system, list_systems
from opencpr.clock import stamp
from opencpr.delivery.store import DeliveryStore
from opencpr.formats.delivery_metadata import Trigger, trigger
from opencpr.formats.extract import ENCODING, end_record, start_record
from opencpr.register.exporter import PersonWriter
from opencpr.register.schema import (
    delivery,
    delivery_rest,
    extraction_night,
    subscription_filter,
    subscription_system,
)
from opencpr.services.gate import Gate
from opencpr.services.subscriptions.filters import (
    INITIAL_LOAD_KINDS,
    MUNICIPALITY,
    NO_FILTER,
    PNR,
    filters_of,
)
from opencpr.services.subscriptions.selection import (
    DELIVER,
    Changes,
    InitialOrder,
    PersonRowsCache,
    changes,
    high_mark,
    selects,
)

__all__ = ["DEFAULT_BUDGET_SECONDS", "Delivered", "NightReport", "SENDER", "night_of", "run_extraction"]

DEFAULT_BUDGET_SECONDS = 5 * 3600
#: The metadata files' Sender.
SENDER = "OpenCPR"
#: Persons per call through the gate.
CHUNK = 2000

log = logging.getLogger("opencpr.extraction")


def night_of(moment: dt.datetime) -> dt.date:
    """The night a moment belongs to: the date its evening began (03:00 on the 4th is the 3rd's night)."""
    return (moment - dt.timedelta(hours=12)).date()


@dataclass(frozen=True, slots=True)
class Delivered:
    system_id: int
    file_name: str
    persons: int
    initial_persons: int
    size: int
    sha256: str
    cut: bool = False  # the budget cut it: the rest follows in a later file


@dataclass
class NightReport:
    night: dt.date
    high_event_id: int
    delivered: list[Delivered] = field(default_factory=list)
    systems_done: int = 0
    systems_left: int = 0
    stopped_by_budget: bool = False
    already_finished: bool = False


def _begin_night(gate: Gate, night: dt.date) -> tuple[int, str, bool]:
    key = night.isoformat()
    with gate.engine.begin() as conn:
        row = conn.execute(select(extraction_night).where(extraction_night.c.night == key)).first()
        if row is not None:  # resumed after a kill; a night stopped by its budget is over (next night resumes)
            return int(row.high_event_id), row.started_at, row.finished_at is not None or bool(row.stopped_by_budget)
        high = high_mark(conn)
        started = stamp(gate.clock.now())
        conn.execute(extraction_night.insert().values(night=key, high_event_id=high, started_at=started,
                                                      stopped_by_budget=False))
        return high, started, False


def _state(gate: Gate, system_id: int):
    with gate.engine.connect() as conn:
        return conn.execute(select(subscription_system).where(subscription_system.c.system_id == system_id)).first()


@dataclass
class _Night:
    key: str
    day: dt.date
    high: int
    started: str
    windows: dict[tuple[int, int], Changes] = field(default_factory=dict)
    cache: PersonRowsCache = field(default_factory=PersonRowsCache)
    writer: PersonWriter = field(default_factory=PersonWriter)
    chunk: int = CHUNK
    spent: Callable[[], bool] = lambda: False  # the budget is spent


def run_extraction(gate: Gate, store: DeliveryStore, *, night: dt.date | None = None,
                   budget_seconds: float = DEFAULT_BUDGET_SECONDS, seconds: Callable[[], float] = time.monotonic,
                   systems: list[int] | None = None, chunk: int = CHUNK) -> NightReport:
    """Run (or resume) the extraction of ``night`` (default: the current one) for every active
    subscriber system (or the ids in ``systems``), within ``budget_seconds``. The budget is looked
    at before each system and after every ``chunk`` persons written."""
    begun = seconds()
    night = night or night_of(gate.clock.now())
    high, started, finished = _begin_night(gate, night)
    report = NightReport(night, high)
    if finished:
        report.already_finished = True
        return report
    state = _Night(night.isoformat(), night, high, started, chunk=chunk,
                   spent=lambda: seconds() - begun >= budget_seconds)
    todo = [s for s in list_systems(gate.engine) if s.active and (systems is None or s.id in systems)]
    for index, system in enumerate(todo):
        row = _state(gate, system.id)
        if row is None or row.night == state.key:  # no SF6002 setup, or finished this night
            continue
        if state.spent():
            report.stopped_by_budget = True
            report.systems_left = sum(1 for s in todo[index:] if (r := _state(gate, s.id)) and r.night != state.key)
            break
        cut = False
        if _rest_of(gate, system.id) is not None:  # a delivery cut last time: its rest goes first
            done, cut = _deliver_rest(gate, store, state, system)
            if done is not None:
                report.delivered.append(done)
            if not cut and state.spent():
                cut = True
        if not cut:
            done, cut = _deliver(gate, store, state, system, int(row.delivered_through))
            if done is not None:
                report.delivered.append(done)
        if cut:
            report.stopped_by_budget = True
            report.systems_left = 1 + sum(1 for s in todo[index + 1:]
                                          if (r := _state(gate, s.id)) and r.night != state.key)
            break
        report.systems_done += 1
    if report.stopped_by_budget:
        log.warning("extraction of night %s stopped by its budget; %d systems left for the next night",
                    state.key, report.systems_left)
    with gate.engine.begin() as conn:
        values = {"stopped_by_budget": report.stopped_by_budget}
        if not report.stopped_by_budget:
            values["finished_at"] = stamp(gate.clock.now())
        conn.execute(update(extraction_night).where(extraction_night.c.night == state.key).values(**values))
    return report


def _rest_of(gate: Gate, system_id: int):
    with gate.engine.connect() as conn:
        return conn.execute(select(delivery_rest).where(delivery_rest.c.system_id == system_id)).first()


def _window(gate: Gate, state: _Night, low: int, high: int | None = None) -> Changes:
    high = state.high if high is None else high
    found = state.windows.get((low, high))
    if found is None:
        with gate.engine.connect() as conn:
            found = state.windows[(low, high)] = changes(conn, low, high)
    return found


def _counted(gate: Gate, system_id: int) -> tuple[int, str | None, object]:
    """The system's deliveries so far, the night of its last one, and its SF6002 setup."""
    with gate.engine.connect() as conn:
        count, last = conn.execute(select(func.count(), func.max(delivery.c.night))
                                   .where(delivery.c.system_id == system_id)).one()
        setup = conn.execute(select(subscription_system).where(subscription_system.c.system_id == system_id)).one()
    return int(count), last, setup


def _delivery_row(gate: Gate, state: _Night, system: SubscriberSystem, task: int, written: Delivered) -> dict:
    return dict(system_id=system.id, night=state.key, task_number=task, file_name=written.file_name,
                size=written.size, sha256=written.sha256, persons=written.persons,
                initial_persons=written.initial_persons, created_at=stamp(gate.clock.now()))


def _rest_values(state: _Night, low: int, high: int, after: str, order: InitialOrder, changed: dict,
                 by_address: frozenset[str]) -> dict:
    left = sorted(p for p in changed if p > after)
    return {"night": state.key, "low": low, "high": high, "after_pnr": after,
            "initial": json.dumps({"pnrs": list(order.pnrs), "municipalities": list(order.municipalities),
                                   "everyone": order.everyone}),
            "changed": json.dumps([[p, p in by_address] for p in left], separators=(",", ":"))}


def _deliver(gate: Gate, store: DeliveryStore, state: _Night, system: SubscriberSystem,
             low: int) -> tuple[Delivered | None, bool]:
    """The night's delivery to a system: its initial loads and changes. True with it if the budget
    cut it (its rest is kept for the next night)."""
    with gate.engine.connect() as conn:
        wanted = filters_of(conn, system.id)
        due_rows = conn.execute(select(subscription_filter.c.id, subscription_filter.c.kind, subscription_filter.c.value)
                                .where(subscription_filter.c.system_id == system.id,
                                       subscription_filter.c.initial_due.is_(True),
                                       subscription_filter.c.added_at <= state.started)).all()
    count, previous, setup = _counted(gate, system.id)
    due = [r for r in due_rows if r.kind in INITIAL_LOAD_KINDS]
    order = InitialOrder(tuple(sorted(r.value for r in due if r.kind == PNR)),
                         tuple(sorted(r.value for r in due if r.kind == MUNICIPALITY)),
                         any(r.kind == NO_FILTER for r in due))
    changed: dict = {}
    by_address: set[str] = set()
    if wanted and low < state.high:
        for pnr, p in _window(gate, state, low).persons.items():
            how = selects(wanted, p, state.day)
            if how is not None:
                changed[pnr] = p
                if how == "address":
                    by_address.add(pnr)
    written, cut_after = None, None
    if changed or order:
        written, cut_after = _write(gate, store, state, system, setup, changed, frozenset(by_address), order,
                                    task=count + 1, previous=previous)
    with gate.engine.begin() as conn:
        if written is not None:
            conn.execute(delivery.insert().values(**_delivery_row(gate, state, system, count + 1, written)))
        conn.execute(update(subscription_system).where(subscription_system.c.system_id == system.id)
                     .values(delivered_through=max(low, state.high), night=state.key))
        if due:
            conn.execute(update(subscription_filter).where(subscription_filter.c.id.in_([r.id for r in due]))
                         .values(initial_due=False))
        if cut_after is not None:
            conn.execute(delivery_rest.insert().values(
                system_id=system.id, **_rest_values(state, low, max(low, state.high), cut_after, order, changed,
                                                    frozenset(by_address))))
    return written, cut_after is not None


def _deliver_rest(gate: Gate, store: DeliveryStore, state: _Night,
                  system: SubscriberSystem) -> tuple[Delivered | None, bool]:
    """The rest of a delivery cut at an earlier night's budget, as a further numbered file. True
    with it if the budget cut it again."""
    rest = _rest_of(gate, system.id)
    count, previous, setup = _counted(gate, system.id)
    initial = json.loads(rest.initial)
    order = InitialOrder(tuple(initial["pnrs"]), tuple(initial["municipalities"]), bool(initial["everyone"]))
    left = json.loads(rest.changed)
    window = _window(gate, state, int(rest.low), int(rest.high)).persons if left else {}
    changed = {pnr: window[pnr] for pnr, _ in left if pnr in window}
    by_address = frozenset(pnr for pnr, flag in left if flag)
    written, cut_after = _write(gate, store, state, system, setup, changed, by_address, order, task=count + 1,
                                previous=previous, after=rest.after_pnr)
    with gate.engine.begin() as conn:
        if written is not None:
            conn.execute(delivery.insert().values(**_delivery_row(gate, state, system, count + 1, written)))
        if cut_after is None:
            conn.execute(delivery_rest.delete().where(delivery_rest.c.system_id == system.id))
        else:
            values = _rest_values(state, int(rest.low), int(rest.high), cut_after, order, changed, by_address)
            values["night"] = rest.night
            conn.execute(update(delivery_rest).where(delivery_rest.c.system_id == system.id).values(**values))
    return written, cut_after is not None


def file_name(night: dt.date, task: int) -> str:
    """``D<YYMMDD>.L<task number, 6 digits>``."""
    return f"D{night:%y%m%d}.L{task:06d}"


def _write(gate: Gate, store: DeliveryStore, state: _Night, system: SubscriberSystem, setup, changed: dict,
           by_address: frozenset[str], order: InitialOrder, *, task: int, previous: str | None,
           after: str = "") -> tuple[Delivered | None, str | None]:
    """Write and publish one file: the persons after ``after`` (PNR order). When the budget is spent
    before the last of them the file is closed where it is (a complete file, its 999 counting what
    it holds) and the last PNR written is returned with it: the rest goes in a later file."""
    name = file_name(state.day, task)
    actor = actor_for_system(gate.engine, system)
    path = store.staging(system.id, name)
    digest = hashlib.sha256()
    persons = initial_persons = records = 0
    cut_after: str | None = None
    with open(path, "wb") as out:
        def put(data: bytes) -> None:
            digest.update(data)
            out.write(data)

        put((start_record(task, f"{state.day:%Y%m%d}",
                          previous.replace("-", "") if previous else None) + "\n").encode(ENCODING))
        while True:
            outcome = gate.call(actor, DELIVER, writer=state.writer, changed=changed, by_address=by_address,
                                initial=order, after=after, limit=state.chunk, cache=state.cache)
            lines: list[str] = []
            for record in outcome.records:
                lines.extend(record["lines"])
                persons += 1
                initial_persons += bool(record["initial"])
            if lines:
                records += len(lines)
                put(("\n".join(lines) + "\n").encode(ENCODING))
            if outcome.info["done"]:
                break
            after = outcome.info["last"]
            if state.spent():
                cut_after = after
                break
        put((end_record(records) + "\n").encode(ENCODING))
        out.flush()
        os.fsync(out.fileno())
    if persons == 0:
        path.unlink()
        return None, cut_after
    size = path.stat().st_size
    store.publish(system.id, name)
    meta = trigger(Trigger(
        file_transfer_uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"opencpr:sf6002:{system.agreement_uuid}:{name}")),
        file_name=name, size=size, sender=SENDER, senders_file_id=name,
        recipients=(setup.user_system_uuid or system.name,), sender_timestamp=state.started,
        recipient_it_system=setup.user_system_uuid or "", recipient_authority=system.cvr))
    store.write_staged(system.id, f"{name}.metadata", meta)
    store.publish(system.id, f"{name}.metadata")
    log.info("delivered %s to system %d: %d persons (%d initial)%s", name, system.id, persons, initial_persons,
             f"; cut by the budget after {cut_after}, the rest follows" if cut_after else "")
    return Delivered(system.id, name, persons, initial_persons, size, digest.hexdigest(),
                     cut=cut_after is not None), cut_after
