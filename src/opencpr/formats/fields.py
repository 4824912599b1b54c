"""Answer fields on the wire: how a record value is named and written in an answer.

An :class:`Out` declares one field of an answer row: CPR's field name, the record key holding
the value (REST uses this name), how the value is written (:class:`Fmt`) and the record keys of
its clear texts. The service catalogue (:mod:`opencpr.services.catalogue`) and the update
wording (:mod:`opencpr.formats.gctp_updates`) declare their answers with these; the GCTP adapter
writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Fmt", "Out"]


class Fmt(StrEnum):
    """How a record value is written as a GCTP field value."""

    TEXT = "text"  # as it stands (leading blanks kept)
    DATE8 = "date8"  # YYYY-MM-DD → yyyyMMdd
    TS12 = "ts12"  # YYYY-MM-DDTHH:MM (or a date) → yyyyMMddHHmm
    FLAG = "flag"  # True → the field's ``mark`` (default "X"); False → no value
    PAD4 = "pad4"  # house numbers as Stam+ writes them: left zero-padded to 3 digits, then a letter or blank


@dataclass(frozen=True)
class Out:
    """A field of an answer row: CPR's name, the record key of its value and of its clear texts."""

    name: str  # CPR's field name (``ADRNVN``)
    key: str  # the record key holding the value (``addressing_name``); REST uses this name
    fmt: Fmt = Fmt.TEXT
    t: str | None = None  # record key of the clear text (``t``)
    tl: str | None = None  # long text
    tm: str | None = None  # medium text
    ts: str | None = None  # short text
    mark: str = "X"  # the value of a true FLAG
    description: str = ""

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "key": self.key, "format": self.fmt.value,
                               "description": self.description}
        texts = {a: getattr(self, a) for a in ("t", "tl", "tm", "ts") if getattr(self, a)}
        if texts:
            out["texts"] = texts
        return out
