"""The CPR extract format ("udtræk"), product family P12170.

The record types are declared once, as data, in the record model
(:mod:`opencpr.domain.records`: each record type's fields in order, with CPR field name, length,
codec and register column). This module reads and writes them as fixed-width text.

Codecs (how a fixed-width field becomes a register value and back):

* ``A``  alphanumeric: trailing blanks are padding (``None`` when empty); leading blanks are kept
  (``SIDEDOER`` is ``"  tv"``).
* ``N``  numeric: zero-padded on the left; all zeros means "no value" (``None``); an all-blank
  field is kept as ``""`` so that it is written back blank.
* ``T``  timestamp ``yyyyMMddHHmm`` (numeric): stored as ``YYYY-MM-DDTHH:MM``; incomplete dates
  keep their ``00`` month/day.
* ``D``  date ``yyyy-MM-dd`` (alphanumeric): stored as it stands.
* ``U``  uncertainty marker: ``*`` is ``True``, blank ``False``.
* ``C``  correction marker ``ANNKOR``: blank is ``None``, else ``K``, ``A`` or ``Æ``.

The physical format is ISO-8859-1, one full-length record per line (records written by
:func:`format_record` are always padded to their full length). The reader accepts one record per
line (with trailing blanks trimmed or not) and one continuous stream without separators.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from opencpr.domain.records import (
    CURRENT_AND_HISTORICAL,
    LAYOUTS,
    PERSON_RECORD_TYPES,
    Field,
    Layout,
    cpr_field_names,
)

__all__ = [
    "CURRENT_AND_HISTORICAL", "ENCODING", "LAYOUTS", "PERSON_RECORD_TYPES", "ExtractError", "Field", "Layout",
    "Record", "compile_formatter", "cpr_field_names", "end_record", "format_record", "format_timestamp",
    "iter_lines", "parse_record", "read_records", "start_record", "write_extract",
]

ENCODING = "iso-8859-1"


class ExtractError(ValueError):
    """A record that does not follow its layout. Carries the line number and record type."""

    def __init__(self, message: str, line: int | None = None, record_type: str | None = None):
        where = []
        if line is not None:
            where.append(f"line {line}")
        if record_type:
            where.append(f"record {record_type}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.line = line
        self.record_type = record_type
        self.reason = message


# --- codecs -----------------------------------------------------------------------------------

def _decode(codec: str, raw: str) -> Any:
    if codec == "A" or codec == "D":
        value = raw.rstrip()
        return value or None
    if codec == "N":
        if not raw.strip():
            return ""
        if not raw.isdigit():
            raise ValueError(f"not numeric: {raw!r}")
        return None if raw.count("0") == len(raw) else raw
    if codec == "T":
        if not raw.strip():
            return ""
        if not raw.isdigit():
            raise ValueError(f"not a timestamp (yyyyMMddHHmm): {raw!r}")
        if raw == "000000000000":
            return None
        return f"{raw[0:4]}-{raw[4:6]}-{raw[6:8]}T{raw[8:10]}:{raw[10:12]}"
    if codec == "U":
        if raw == "*":
            return True
        if raw == " ":
            return False
        raise ValueError(f"uncertainty marker must be '*' or blank, not {raw!r}")
    if codec == "C":
        if raw == " ":
            return None
        if raw in ("K", "A", "Æ"):
            return raw
        raise ValueError(f"correction marker must be blank, K, A or Æ, not {raw!r}")
    raise AssertionError(codec)


def _encode(codec: str, value: Any, length: int) -> str:
    if codec == "A" or codec == "D":
        text = "" if value is None else str(value)
        return text[:length].ljust(length)
    if codec == "N":
        if value is None:
            return "0" * length
        text = str(value)
        if text == "":
            return " " * length
        return text.rjust(length, "0")[-length:]
    if codec == "T":
        if value is None:
            return "000000000000"
        if value == "":
            return " " * 12
        text = str(value)
        return text[0:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16]
    if codec == "U":
        return "*" if value else " "
    if codec == "C":
        return value or " "
    raise AssertionError(codec)


def format_timestamp(value: str | None) -> str:
    """A register timestamp (``YYYY-MM-DDTHH:MM``) as the extract's ``yyyyMMddHHmm``."""
    return _encode("T", value, 12)


# --- records ----------------------------------------------------------------------------------

@dataclass
class Record:
    """One parsed record: its type, the person it is about, and its values by register column."""

    record_type: str
    pnr: str | None
    values: dict[str, Any]
    line: int | None = None


def parse_record(text: str, line: int | None = None) -> Record:
    """Parse one record (its text without line end). Trailing blanks may have been trimmed."""
    record_type = text[:3]
    layout = LAYOUTS.get(record_type)
    if layout is None:
        raise ExtractError(f"unknown record type {record_type!r}", line, record_type or None)
    if len(text) > layout.length and text[layout.length:].strip():
        raise ExtractError(
            f"record is {len(text)} characters long, the layout has {layout.length}", line, record_type)
    text = text[: layout.length].ljust(layout.length)
    values: dict[str, Any] = {}
    pnr = None
    for f in layout.fields[1:]:
        raw = text[f.start: f.start + f.length]
        try:
            value = _decode(f.codec, raw)
        except ValueError as exc:
            raise ExtractError(f"field {f.cpr_name} (position {f.start + 1}): {exc}", line,
                               record_type) from None
        if f.column == "pnr":
            pnr = value
            if layout.table is not None and (value is None or len(value) != 10 or not value.isdigit()):
                raise ExtractError(f"PNR {raw!r} is not 10 digits", line, record_type)
            continue
        if f.column:
            values[f.column] = value
    return Record(record_type, pnr, values, line)


def format_record(record_type: str, pnr: str | None, values: dict[str, Any]) -> str:
    """Write one record, full length, from register values (missing columns are empty)."""
    layout = LAYOUTS[record_type]
    parts = [record_type]
    for f in layout.fields[1:]:
        if f.column == "pnr":
            parts.append(_encode("A", pnr, 10))
        else:
            parts.append(_encode(f.codec, values.get(f.column) if f.column else None, f.length))
    return "".join(parts)


def iter_lines(stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    """Records of an extract as (line number, text), from either physical variant.

    A file with line ends yields one record per line. A continuous stream (one long line holding
    many records) is cut by each record type's length; CR/LF between records are skipped.
    """
    line_no = 0
    for raw in stream:
        line_no += 1
        text = raw.decode(ENCODING).rstrip("\r\n")
        if not text.strip():
            continue
        layout = LAYOUTS.get(text[:3])
        if layout is not None and len(text) > layout.length and text[layout.length:].strip():
            # continuous stream: cut it into records by length
            pos = 0
            while pos < len(text):
                lay = LAYOUTS.get(text[pos:pos + 3])
                if lay is None:
                    yield line_no, text[pos:]
                    break
                yield line_no, text[pos:pos + lay.length]
                pos += lay.length
                while pos < len(text) and text[pos] in "\r\n":
                    pos += 1
        else:
            yield line_no, text


def read_records(stream: IO[bytes]) -> Iterator[Record]:
    """Parse every record of an extract (start and end records included)."""
    for line_no, text in iter_lines(stream):
        yield parse_record(text, line_no)


def start_record(task_number: int, production_date: str, previous_date: str | None = None) -> str:
    """The 000 record: ``production_date`` and ``previous_date`` as ``yyyyMMdd``."""
    return format_record("000", None, {
        "sort_field": "0000000000",
        "task_number": f"{task_number:06d}",
        "production_date": production_date,
        "previous_production_date": previous_date,
    })


def end_record(count: int) -> str:
    """The 999 record; ``count`` is the number of records between 000 and 999."""
    return format_record("999", None, {"sort_field": "9999999999", "count": f"{count:08d}"})


def write_extract(out: IO[bytes], records: Iterable[str], task_number: int, production_date: str,
                  previous_date: str | None = None) -> int:
    """Write a whole extract: 000, the records, 999 with their count. Returns the count."""
    out.write((start_record(task_number, production_date, previous_date) + "\n").encode(ENCODING))
    count = 0
    for rec in records:
        out.write((rec + "\n").encode(ENCODING))
        count += 1
    out.write((end_record(count) + "\n").encode(ENCODING))
    return count


# --- compiled writers -------------------------------------------------------------------------

def _n(value: Any, length: int) -> str:
    if value is None:
        return "0" * length
    if value == "":
        return " " * length
    return str(value).rjust(length, "0")[-length:]


def _t(value: Any) -> str:
    if value is None:
        return "000000000000"
    if value == "":
        return "            "
    return value[0:4] + value[5:7] + value[8:10] + value[11:13] + value[14:16]


def compile_formatter(record_type: str, columns: list[str]):
    """A fast writer of one record type from row tuples whose columns are ``columns``.

    Returns ``f(pnr, row) -> str`` equal to :func:`format_record` for the same values; the
    exporter uses it to write millions of records without building a dict per row.
    """
    layout = LAYOUTS[record_type]
    index = {c: i for i, c in enumerate(columns)}
    parts = [repr(record_type)]
    for f in layout.fields[1:]:
        if f.column == "pnr":
            parts.append("pnr")
            continue
        i = index.get(f.column) if f.column else None
        if i is None:
            parts.append(repr(_encode(f.codec, None, f.length)))
        elif f.codec in ("A", "D"):
            parts.append(f"format(r[{i}] or '', '<{f.length}.{f.length}')")
        elif f.codec == "N":
            parts.append(f"_n(r[{i}], {f.length})")
        elif f.codec == "T":
            parts.append(f"_t(r[{i}])")
        elif f.codec == "U":
            parts.append(f"('*' if r[{i}] else ' ')")
        else:  # C
            parts.append(f"(r[{i}] or ' ')")
    source = f"def _format(pnr, r):\n    return ''.join(({', '.join(parts)},))\n"
    namespace: dict[str, Any] = {"_n": _n, "_t": _t}
    exec(compile(source, f"<extract formatter {record_type}>", "exec"), namespace)  # noqa: S102
    return namespace["_format"]
