"""Write the register as a CPR extract (P12170 layout): 000, each person's records, 999."""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import IO

from sqlalchemy import Engine, func, select

from opencpr.formats.extract import (
    CURRENT_AND_HISTORICAL,
    ENCODING,
    LAYOUTS,
    PERSON_RECORD_TYPES,
    compile_formatter,
    end_record,
    start_record,
)
from opencpr.register.reader import iter_person_rows, table_columns
from opencpr.register.schema import PERSON_TABLE, TABLES

#: 1..1 record types written even when their table holds nothing for the person.
_ALWAYS = ("001", "009", "015")


#: Correction markers of rows that are no longer the person's data (K corrected, A undone).
_SET_ASIDE = ("K", "A")


class PersonWriter:
    """Writes a person's extract records from register rows, with compiled formatters.

    A record type without ANNKOR (the child, protection, municipal and previous-PNR records, the
    historical church record) cannot say that a row is corrected or undone, so those rows are left
    out of it."""

    def __init__(self) -> None:
        # (table, index of `current` or None, wanted current, index of `correction` to leave out or None, formatter)
        self._plan: list[tuple] = []
        for record_type in PERSON_RECORD_TYPES:
            layout = LAYOUTS[record_type]
            cols = table_columns(TABLES[layout.table])
            if layout.table == PERSON_TABLE and record_type not in _ALWAYS:
                continue
            fmt = compile_formatter(record_type, cols)
            current = cols.index("current") if layout.table in CURRENT_AND_HISTORICAL else None
            want = layout.constants.get("current")
            hidden = cols.index("correction") if "correction" in cols and "correction" not in layout.columns() \
                else None
            self._plan.append((layout.table, current, want, hidden, fmt))

    def records(self, person_row: tuple, rows: dict[str, list[tuple]]) -> list[str]:
        """The records of one person, in record-type order (rows of a type in row order)."""
        pnr = person_row[0]
        out: list[str] = []
        for table, current, want, hidden, fmt in self._plan:
            if table == PERSON_TABLE:
                out.append(fmt(pnr, person_row))
                continue
            found = rows.get(table)
            if not found:
                continue
            if hidden is not None:
                found = [r for r in found if r[hidden] not in _SET_ASIDE]
            if current is None:
                out.extend(fmt(pnr, r) for r in found)
            else:
                out.extend(fmt(pnr, r) for r in found if bool(r[current]) == want)
        return out


@dataclass
class ExportReport:
    persons: int = 0
    records: int = 0


#: Persons per part when an export is split between worker processes.
PART_SIZE = 20_000

_worker_engine: Engine | None = None


def _part(url: str, low: str, high: str | None) -> tuple[int, int, bytes]:
    """Worker: the records of the persons with ``low <= PNR < high``, as extract bytes."""
    global _worker_engine
    if _worker_engine is None:
        from opencpr.register.db import make_engine

        _worker_engine = make_engine(url)
    writer = PersonWriter()
    lines: list[str] = []
    persons = 0
    with _worker_engine.connect() as conn:
        for person_row, rows in iter_person_rows(conn, pnr_range=(low, high)):
            lines.extend(writer.records(person_row, rows))
            persons += 1
    data = ("\n".join(lines) + "\n").encode(ENCODING) if lines else b""
    return persons, len(lines), data


def _boundaries(engine: Engine, size: int) -> list[str]:
    """Every ``size``-th PNR of the register, in order: where export parts begin."""
    person = TABLES[PERSON_TABLE]
    numbered = select(person.c.pnr, func.row_number().over(order_by=person.c.pnr).label("n")).subquery()
    query = select(numbered.c.pnr).where((numbered.c.n - 1) % size == 0).order_by(numbered.c.pnr)
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def export_extract(engine: Engine, out: IO[bytes], pnrs: Iterable[str] | None = None,
                   task_number: int = 0, production_date: dt.date | None = None,
                   previous_date: dt.date | None = None, progress=None,
                   workers: int | None = None, part_size: int = PART_SIZE) -> ExportReport:
    """Stream the register (or the given persons) to ``out`` as a full extract.

    A whole-register export is split into parts of ``part_size`` persons made by ``workers``
    processes (default: one per core; 0 for none) and written in order, at most a few parts in
    memory at a time; the extract is the same whatever the number of workers.
    """
    production_date = production_date or dt.date.today()
    report = ExportReport()
    out.write((start_record(task_number, production_date.strftime("%Y%m%d"),
                            previous_date.strftime("%Y%m%d") if previous_date else None) + "\n").encode(ENCODING))
    workers = (os.cpu_count() or 1) if workers is None else workers
    starts = _boundaries(engine, part_size) if pnrs is None and workers > 0 else []
    if len(starts) > 1:
        _export_parallel(engine, out, starts, workers, report, progress)
    else:
        _export_serial(engine, out, pnrs, report, progress)
    if progress:
        progress(report.persons)
    out.write((end_record(report.records) + "\n").encode(ENCODING))
    return report


def _export_parallel(engine: Engine, out: IO[bytes], starts: list[str], workers: int,
                     report: ExportReport, progress) -> None:
    url = engine.url.render_as_string(hide_password=False)
    ranges = list(zip(starts, [*starts[1:], None], strict=True))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future] = deque()
        queue = iter(ranges)
        for low, high in itertools.islice(queue, workers + 1):
            pending.append(pool.submit(_part, url, low, high))
        while pending:
            persons, records, data = pending.popleft().result()
            for low, high in itertools.islice(queue, 1):
                pending.append(pool.submit(_part, url, low, high))
            out.write(data)
            report.persons += persons
            report.records += records
            if progress:
                progress(report.persons)


def _export_serial(engine: Engine, out: IO[bytes], pnrs: Iterable[str] | None, report: ExportReport,
                   progress) -> None:
    buffer: list[str] = []
    writer = PersonWriter()
    with engine.connect() as conn:
        for person_row, rows in iter_person_rows(conn, pnrs):
            buffer.extend(writer.records(person_row, rows))
            report.persons += 1
            if len(buffer) >= 20_000:
                report.records += len(buffer)
                out.write(("\n".join(buffer) + "\n").encode(ENCODING))
                buffer.clear()
                if progress:
                    progress(report.persons)
    if buffer:
        report.records += len(buffer)
        out.write(("\n".join(buffer) + "\n").encode(ENCODING))
