"""Write the register as a CPR extract (P12170 layout): 000, each person's records, 999."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from sqlalchemy import Engine

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


class PersonWriter:
    """Writes a person's extract records from register rows, with compiled formatters."""

    def __init__(self) -> None:
        self._plan: list[tuple] = []  # (table, index of `current` or None, wanted current, formatter)
        for record_type in PERSON_RECORD_TYPES:
            layout = LAYOUTS[record_type]
            cols = table_columns(TABLES[layout.table])
            if layout.table == PERSON_TABLE and record_type not in _ALWAYS:
                continue
            fmt = compile_formatter(record_type, cols)
            current = cols.index("current") if layout.table in CURRENT_AND_HISTORICAL else None
            want = layout.constants.get("current")
            self._plan.append((layout.table, current, want, fmt))

    def records(self, person_row: tuple, rows: dict[str, list[tuple]]) -> list[str]:
        """The records of one person, in record-type order (rows of a type in row order)."""
        pnr = person_row[0]
        out: list[str] = []
        for table, current, want, fmt in self._plan:
            if table == PERSON_TABLE:
                out.append(fmt(pnr, person_row))
                continue
            found = rows.get(table)
            if not found:
                continue
            if current is None:
                out.extend(fmt(pnr, r) for r in found)
            else:
                out.extend(fmt(pnr, r) for r in found if bool(r[current]) == want)
        return out


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
    if progress:
        progress(report.persons)
    out.write((end_record(report.records) + "\n").encode(ENCODING))
    return report
