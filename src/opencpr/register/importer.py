"""Load a CPR extract (P12170 layout) into the register.

An import is one transaction: a malformed record stops it with the line number and record type,
and nothing of the file is stored. Records of one person normally stand together; records that
arrive later for a person read earlier (CPR places the clear-written addresses, 003, after all
persons in some extracts) are added to that person.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import Engine, func, select

from opencpr.clock import Clock, SystemClock, stamp
from opencpr.formats.extract import LAYOUTS, ExtractError, Record, read_records
from opencpr.register import search_index
from opencpr.register.bulk import BulkWriter, DuplicateRow, settle
from opencpr.register.schema import PERSON_TABLE, TABLES, person

#: Record types merged into the person row: they must stand with the person's 001 record.
#: Imports of at least this many persons are followed by :func:`opencpr.register.bulk.settle`.
SETTLE_FROM = 50_000
_PERSON_PARTS = {t for t, lay in LAYOUTS.items() if lay.table == PERSON_TABLE}


class ImportError_(ExtractError):
    """The extract cannot be loaded as it stands (duplicates, counts, orphan records)."""


@dataclass
class ImportReport:
    persons: int = 0
    records: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    task_number: str | None = None
    production_date: str | None = None


def _person_chunks(records: Iterator[Record], report: ImportReport) -> Iterator[list[Record]]:
    """Group consecutive records of one PNR; check the start and end records."""
    chunk: list[Record] = []
    seen_start = False
    end: Record | None = None
    for rec in records:
        if end is not None:
            raise ExtractError("record after the end record (999)", rec.line, rec.record_type)
        if rec.record_type == "000":
            if seen_start or report.records:
                raise ExtractError("a second start record (000)", rec.line, "000")
            seen_start = True
            report.task_number = rec.values.get("task_number")
            report.production_date = rec.values.get("production_date")
            continue
        if rec.record_type == "999":
            end = rec
            continue
        if LAYOUTS[rec.record_type].table is None:
            raise ExtractError(
                "record type does not describe a person and cannot be loaded", rec.line, rec.record_type
            )
        report.records += 1
        if chunk and rec.pnr != chunk[0].pnr:
            yield chunk
            chunk = []
        chunk.append(rec)
    if chunk:
        yield chunk
    if end is not None:
        declared = int(end.values.get("count") or 0)
        if declared != report.records:
            raise ExtractError(
                f"the end record counts {declared} records, the file has {report.records}", end.line, "999"
            )


def chunk_to_bundle(chunk: list[Record], registered_at: str) -> dict[str, list[dict[str, Any]]]:
    """The register rows of one person's records. Raises :class:`ExtractError` on bad structure."""
    bundle: dict[str, list[dict[str, Any]]] = {}
    person_row: dict[str, Any] | None = None
    for rec in chunk:
        layout = LAYOUTS[rec.record_type]
        if rec.record_type == "001":
            if person_row is not None and "status" in person_row:
                raise ExtractError(f"a second 001 record for {rec.pnr}", rec.line, "001")
            person_row = {**(person_row or {}), **rec.values, "pnr": rec.pnr, "registered_at": registered_at}
        elif rec.record_type in _PERSON_PARTS:
            if person_row is None:
                raise ExtractError(
                    f"record stands apart from the person's 001 record ({rec.pnr})", rec.line, rec.record_type
                )
            person_row.update(rec.values)
        else:
            row = {"registered_at": registered_at, **rec.values, "pnr": rec.pnr}
            row.update(layout.constants)
            bundle.setdefault(layout.table, []).append(row)
    if person_row is not None:
        if "status" not in person_row:
            raise ExtractError(f"no 001 record for {chunk[0].pnr}", chunk[0].line, chunk[0].record_type)
        bundle[PERSON_TABLE] = [person_row]
    return bundle


class _Batch:
    """The persons of the rows buffered since the last flush, checked against the register."""

    def __init__(self, conn):
        self.conn = conn
        self.new: dict[str, int] = {}  # PNR → line of its 001 record
        self.added_to: dict[str, int] = {}  # PNR → line of a record added to an earlier person

    def check(self) -> None:
        if self.new:
            clash = self._existing(self.new)
            if clash:
                pnr = min(clash)
                raise ImportError_(f"person {pnr} is already in the register", self.new[pnr], "001")
        if self.added_to:
            missing = set(self.added_to) - self._existing(self.added_to) - set(self.new)
            if missing:
                pnr = min(missing, key=self.added_to.__getitem__)
                raise ImportError_(f"no person {pnr} for this record", self.added_to[pnr], None)
        self.new.clear()
        self.added_to.clear()

    def _existing(self, pnrs) -> set[str]:
        found: set[str] = set()
        keys = list(pnrs)
        for i in range(0, len(keys), 5000):
            part = keys[i : i + 5000]
            found.update(self.conn.execute(select(person.c.pnr).where(person.c.pnr.in_(part))).scalars())
        return found


def import_extract(engine: Engine, stream: IO[bytes], clock: Clock | None = None) -> ImportReport:
    """Load every person of the extract in one transaction. Returns what was loaded."""
    clock = clock or SystemClock()
    registered_at = stamp(clock.now())
    report = ImportReport()
    with engine.begin() as conn:
        batch = _Batch(conn)
        since = search_index.mark(conn)
        writer = BulkWriter(conn, before_flush=batch.check)
        try:
            _load(
                chunk_source=_person_chunks(read_records(stream), report),
                batch=batch,
                writer=writer,
                registered_at=registered_at,
                report=report,
            )
        except DuplicateRow as exc:
            raise ImportError_(f"the register refused a row: {exc}") from None
        search_index.fill_since(conn, since)
        report.rows = {k: v for k, v in writer.rows_written.items() if v}
    if report.persons >= SETTLE_FROM:  # a bulk load leaves the register analysed, ready to serve
        settle(engine)
    return report


def _load(chunk_source, batch: _Batch, writer: BulkWriter, registered_at: str, report: ImportReport) -> None:
    for chunk in chunk_source:
        bundle = chunk_to_bundle(chunk, registered_at)
        pnr = chunk[0].pnr
        if PERSON_TABLE in bundle:
            if pnr in batch.new:
                raise ImportError_(f"person {pnr} occurs twice in the file", chunk[0].line, "001")
            batch.new[pnr] = chunk[0].line
            report.persons += 1
        else:
            batch.added_to.setdefault(pnr, chunk[0].line)
        writer.add_bundle(bundle)
    writer.flush()


def count_persons(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(TABLES[PERSON_TABLE])).scalar_one()
