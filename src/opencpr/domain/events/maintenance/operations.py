"""What the three operations of data maintenance share, for every kind of data.

The operations: correct (``K``), undo (``A``), report earlier data. Here: their names, the marks
that set a row aside, the period values the operations take (``STARTDATO`` … as ``yyyyMMdd`` or
``yyyyMMddHHmm``), the outcome of selecting a row, the corrected copy of a row and the log's
description of a change. Declares no events.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opencpr.domain.events.base import PersonState, Row
from opencpr.domain.records import LAYOUTS

CORRECT, UNDO, EARLIER = "correct", "undo", "earlier"
MARKED = ("K", "A")  # rows set aside by a correction or an undo
#: Columns of a row that a corrected copy does not take over (the writer sets them anew).
_NOT_COPIED = ("id", "pnr", "authority", "registered_at", "correction")


def parse_moment(raw: Any, codec: str) -> str | None:
    """A period value as the table stores it (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``); ValueError if malformed."""
    if raw is None or str(raw).strip() == "":
        return None
    digits = re.sub(r"[-T:\s]", "", str(raw).strip())
    if not digits.isdigit() or len(digits) not in (8, 12):
        raise ValueError(raw)
    day = dt.datetime.strptime(digits[:8], "%Y%m%d").date()
    hour, minute = (int(digits[8:10]), int(digits[10:12])) if len(digits) == 12 else (0, 0)
    if hour > 23 or minute > 59:
        raise ValueError(raw)
    return day.isoformat() if codec == "D" else f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def moment_or_none(raw: Any, codec: str) -> str | None:
    """:func:`parse_moment`, or None when the value is malformed (its own rule reports it)."""
    try:
        return parse_moment(raw, codec)
    except ValueError:
        return None


def well_formed(raw: Any) -> bool:
    """A blank value, or a date ``yyyyMMdd`` or a moment ``yyyyMMddHHmm`` that exists."""
    try:
        parse_moment(raw, "T")
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Selection:
    """The row a correction or an undo is about, or why there is none."""

    row: Row | None
    status: str  # ok, no_current, malformed, none, marked, ambiguous


def describe_changes(row: Row, changes: Mapping[str, Any]) -> str:
    """``column: old → new`` for each change (the old values go into the log)."""
    return "; ".join(f"{c}: {row.get(c) or '-'} → {v if v not in (None, '') else '-'}" for c, v in changes.items())


def corrected_copy(row: Row, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the row that takes the place of a row marked ``K``: the old row with the changes."""
    new = {c: v for c, v in row.items() if c not in _NOT_COPIED}
    new.update(changes)
    return new


def column_length(table: str, column: str) -> int | None:
    """The length of a column's field in the extract layouts (None when no layout has it)."""
    for layout in LAYOUTS.values():
        if layout.table == table:
            for f in layout.fields:
                if f.column == column:
                    return f.length
    return None


def no_one(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    """An event's ``related``: no other person is read."""
    return ()
