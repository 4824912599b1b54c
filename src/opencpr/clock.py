"""The clock: injected wherever time matters, so tests and batch runs can move it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    """Wall-clock time in Danish local time's UTC offset-free form (CPR registers local time)."""

    def now(self) -> dt.datetime:
        return dt.datetime.now().replace(microsecond=0)


class FixedClock:
    """A clock that stands still until moved."""

    def __init__(self, at: dt.datetime):
        self._at = at

    def now(self) -> dt.datetime:
        return self._at

    def set(self, at: dt.datetime) -> None:
        self._at = at

    def advance(self, **delta: float) -> None:
        self._at += dt.timedelta(**delta)


def stamp(moment: dt.datetime) -> str:
    """A moment as the register stores registration times: ``YYYY-MM-DDTHH:MM:SS``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")
