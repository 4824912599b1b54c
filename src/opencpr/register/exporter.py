"""Write the register as a CPR extract (P12170 layout): 000, each person's records, 999."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from sqlalchemy import Engine

from opencpr.formats.extract import (
    CURRENT_AND_HISTORICAL,
    ENCODING,
    LAYOUTS,
    PERSON_RECORD_TYPES,
    end_record,
    format_record,
    start_record,
)
from opencpr.register.reader import PersonBundle, iter_person_bundles
from opencpr.register.schema import PERSON_TABLE

#: 1..1 record types written even when their table holds nothing for the person.
_ALWAYS = ("001", "009", "015")


def person_records(bundle: PersonBundle) -> Iterator[str]:
    """The extract records of one person, in record-type order (rows of a type in row order)."""
    person = bundle[PERSON_TABLE][0]
    pnr = person["pnr"]
    for record_type in PERSON_RECORD_TYPES:
        layout = LAYOUTS[record_type]
        if layout.table == PERSON_TABLE:
            if record_type in _ALWAYS:
                yield format_record(record_type, pnr, person)
            continue
        rows = bundle.get(layout.table)
        if not rows:
            continue
        if layout.table in CURRENT_AND_HISTORICAL:
            want = layout.constants["current"]
            for row in rows:
                if row["current"] == want:
                    yield format_record(record_type, pnr, row)
        else:
            for row in rows:
                yield format_record(record_type, pnr, row)


@dataclass
class ExportReport:
    persons: int = 0
    records: int = 0


def export_extract(engine: Engine, out: IO[bytes], pnrs: Iterable[str] | None = None,
                   task_number: int = 0, production_date: dt.date | None = None,
                   previous_date: dt.date | None = None, progress=None) -> ExportReport:
    """Stream the register (or the given persons) to ``out`` as a full extract."""
    production_date = production_date or dt.date.today()
    report = ExportReport()
    out.write((start_record(task_number, production_date.strftime("%Y%m%d"),
                            previous_date.strftime("%Y%m%d") if previous_date else None) + "\n").encode(ENCODING))
    buffer: list[str] = []
    with engine.connect() as conn:
        for bundle in iter_person_bundles(conn, pnrs):
            for rec in person_records(bundle):
                buffer.append(rec)
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
    if progress:
        progress(report.persons)
    out.write((end_record(report.records) + "\n").encode(ENCODING))
    return report
