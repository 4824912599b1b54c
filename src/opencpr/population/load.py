"""Load a synthetic population into the register: sharded, in parallel, in one transaction.

Shards (:mod:`opencpr.population.generator`) are made in worker processes (``spawn``-safe:
the worker function and its arguments are plain module-level values) while the main process
writes the finished ones, in shard order, through the register's :class:`BulkWriter`. At most
``workers + 1`` shards are under way at a time, so memory stays flat however many persons are
made. The register is the same for any number of workers, including none.

On PostgreSQL the workers hand over each table's rows as COPY text, which the main process
streams into ``COPY … FROM STDIN`` on the writer's connection: the main process then does
almost nothing per row. A large load into a (nearly) empty register drops the tables'
secondary indexes first and builds them again at the end of the same transaction, which is
several times cheaper than keeping them up to date row by row, and then leaves the register
ready to serve (on PostgreSQL vacuumed, frozen and analysed: :func:`opencpr.register.bulk.settle`).
"""

from __future__ import annotations

import datetime
import gc
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select

from opencpr.population.generator import SHARD_SIZE, generate_shard, shard_sizes
from opencpr.population.rows import COLUMNS
from opencpr.register import search_index
from opencpr.register.bulk import (
    BulkWriter,
    create_indexes,
    drop_secondary_indexes,
    raise_maintenance_memory,
    settle,
)
from opencpr.register.schema import PERSON_TABLE, TABLES

__all__ = ["LoadReport", "load_population"]

#: Loads of at least this many persons rebuild the indexes instead of maintaining them.
REBUILD_INDEXES_FROM = 50_000
#: Existing persons whose numbers are read and kept free (the demo persons, earlier runs).
RESERVE_AT_MOST = 2_000_000


@dataclass
class LoadReport:
    """What a load did: persons and rows written, time taken."""

    persons: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    shards: int = 0
    workers: int = 0
    rebuilt_indexes: bool = False
    #: Where the main process spent its time: waiting for shards, writing them, building indexes.
    wait_seconds: float = 0.0
    write_seconds: float = 0.0
    index_seconds: float = 0.0
    #: Of ``index_seconds``: filling the search structures and building their indexes.
    search_seconds: float = 0.0
    #: Making the register ready to serve after a large load (:func:`opencpr.register.bulk.settle`).
    settle_seconds: float = 0.0

    @property
    def persons_per_second(self) -> float:
        return self.persons / self.seconds if self.seconds else 0.0


# --- work done in the worker processes ---------------------------------------------------------

_RESERVED: frozenset[str] = frozenset()


def _init_worker(reserved: frozenset[str]) -> None:
    global _RESERVED
    _RESERVED = reserved


def make_shard(n: int, seed: int, today_ordinal: int, shard: int, as_copy_text: bool,
               shard_size: int = SHARD_SIZE, reserved: frozenset[str] | None = None
               ) -> tuple[int, dict[str, Any]]:
    """One shard's rows by table: COPY text (``as_copy_text``) or lists of tuples."""
    today = datetime.date.fromordinal(today_ordinal)
    tables: dict[str, list] = {name: [] for name in COLUMNS}
    persons = 0
    enabled = gc.isenabled()
    gc.disable()  # nothing here is garbage until the shard is done (see build_shard)
    try:
        for rows in generate_shard(n, seed, today, shard, _RESERVED if reserved is None else reserved,
                                   shard_size=shard_size, as_text=as_copy_text):
            persons += 1
            for name, rs in rows.items():
                tables[name].extend(rs)
        if as_copy_text:
            return persons, {name: (len(rs), "".join(rs)) for name, rs in tables.items() if rs}
        return persons, {name: rs for name, rs in tables.items() if rs}
    finally:
        if enabled:
            gc.enable()


# --- the main process ----------------------------------------------------------------------------


def _existing(engine: Engine) -> tuple[int, frozenset[str]]:
    """Persons already in the register, and their numbers when there are not too many."""
    person = TABLES[PERSON_TABLE]
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(person)).scalar_one()
        if 0 < count <= RESERVE_AT_MOST:
            return count, frozenset(conn.execute(select(person.c.pnr)).scalars())
    return count, frozenset()


def _write_copy(writer: BulkWriter, payload: dict[str, tuple[int, str]], report: LoadReport) -> None:
    """Stream one shard's COPY text into each table on the writer's connection."""
    for name, (count, data) in payload.items():
        writer.copy_text(name, data, count)
        report.rows[name] = report.rows.get(name, 0) + count


def _write_tuples(writer: BulkWriter, payload: dict[str, list[tuple]], report: LoadReport) -> None:
    for name, rows in payload.items():
        add = writer.add_tuple
        for row in rows:
            add(name, row)
        report.rows[name] = report.rows.get(name, 0) + len(rows)


def load_population(engine: Engine, n: int, seed: int, today: datetime.date | None = None,
                    workers: int | None = None, progress: Callable[[int], None] | None = None,
                    *, shard_size: int = SHARD_SIZE) -> LoadReport:
    """Generate ``n`` persons with ``seed`` and write them to the register in one transaction.

    ``workers`` worker processes make the shards (default: one per core; 0 makes them in this
    process). ``progress`` is called with the number of persons written so far. Numbers of
    persons already in the register are never handed out. ``shard_size`` is for tests: it is
    part of the definition of the population.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    today = today or datetime.date.today()
    started = time.perf_counter()
    existing, reserved = _existing(engine)
    sizes = shard_sizes(n, shard_size)
    workers = (os.cpu_count() or 1) if workers is None else max(0, workers)
    workers = min(workers, len(sizes)) if len(sizes) > 1 else 0
    postgresql = engine.dialect.name == "postgresql"
    report = LoadReport(shards=len(sizes), workers=workers)
    rebuild = n >= REBUILD_INDEXES_FROM and n >= existing
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        since = search_index.mark(conn)
        dropped = []
        if rebuild:
            raise_maintenance_memory(conn)
            dropped = drop_secondary_indexes(conn)
            report.rebuilt_indexes = True

        def write(result: tuple[int, dict[str, Any]]) -> None:
            persons, payload = result
            begun = time.perf_counter()
            if postgresql:
                writer.flush()
                _write_copy(writer, payload, report)
            else:
                _write_tuples(writer, payload, report)
            report.persons += persons
            report.write_seconds += time.perf_counter() - begun
            if progress is not None:
                progress(report.persons)

        args = (n, seed, today.toordinal())
        if workers == 0:
            for k in range(len(sizes)):
                write(make_shard(*args, k, postgresql, shard_size, reserved))
        else:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                     initargs=(reserved,)) as pool:
                pending: deque[Future] = deque()
                next_shard = 0
                # COPY text is compact; row tuples are not: keep fewer of them under way
                in_flight = workers + 1 if postgresql else max(1, workers)
                while next_shard < len(sizes) or pending:
                    while next_shard < len(sizes) and len(pending) < in_flight:
                        pending.append(pool.submit(make_shard, *args, next_shard, postgresql, shard_size))
                        next_shard += 1
                    begun = time.perf_counter()
                    result = pending.popleft().result()
                    report.wait_seconds += time.perf_counter() - begun
                    write(result)
        writer.flush()
        if dropped:
            begun = time.perf_counter()
            create_indexes(conn, dropped)
            searching = time.perf_counter()
            search_index.rebuild(conn)
            report.search_seconds = time.perf_counter() - searching
            report.index_seconds = time.perf_counter() - begun
        else:
            search_index.fill_since(conn, since)
    if rebuild:  # a bulk load leaves the register analysed and its pages marked all-visible
        report.settle_seconds = settle(engine)
    report.seconds = time.perf_counter() - started
    return report
