"""Unique CPR numbers for independently generated shards, without coordination.

For a birth date and sex, the legal modulus 11 serials (7th digit right for the century, last
digit odd for men and even for women) are numbered 0, 1, 2 … Serial ``j`` belongs to shard
``(j + offset(date, sex)) mod shards``: every shard owns its own serials, so shards can run in
any process and order and their numbers never collide. The offset turns with the date, so
that when a date has fewer serials than there are shards (about 180 for births 1900-36), each
shard still owns serials on a fair share of the dates. A shard that has used up its serials
for a date takes the nearest date where it still owns one: birth dates move by a day or two at
most in practice, which nobody can see in an age pyramid.

The numbers are valid by :mod:`opencpr.domain.pnr` (modulus 11, century digit, sex).
"""

from __future__ import annotations

import datetime

from opencpr.domain.pnr import WEIGHTS, century_digit_range, valid_serials

__all__ = ["SlotAllocator", "serials_for"]

_MAX_SHIFT = 366  # days a birth date may move to find a free serial (never reached in practice)


_serial_table = valid_serials


_BY_DAY: dict[int, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}


def _day(ordinal: int) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(DDMMYY, women's serials, men's serials) of a date given as an ordinal."""
    hit = _BY_DAY.get(ordinal)
    if hit is None:
        d = datetime.date.fromordinal(ordinal)
        prefix = f"{d.day:02d}{d.month:02d}{d.year % 100:02d}"
        ws = sum(w * int(c) for w, c in zip(WEIGHTS, prefix, strict=False))
        residue = (-ws) % 11
        digits7 = century_digit_range(d.year)
        hit = _BY_DAY[ordinal] = (prefix, _serial_table(digits7, residue, 0), _serial_table(digits7, residue, 1))
    return hit


def serials_for(birth_date: datetime.date, sex: str) -> tuple[str, ...]:
    """All legal modulus 11 serials for a birth date and sex ('M' or 'K'), ascending."""
    _, women, men = _day(birth_date.toordinal())
    return men if sex == "M" else women


class SlotAllocator:
    """Hands out the serials a shard owns, date by date."""

    __slots__ = ("shard", "shards", "reserved", "_used")

    def __init__(self, shard: int, shards: int, reserved: frozenset[str] | set[str] = frozenset()):
        if not 0 <= shard < shards:
            raise ValueError(f"shard {shard} is not in 0..{shards - 1}")
        self.shard = shard
        self.shards = shards
        self.reserved = reserved
        self._used: dict[int, int] = {}  # ordinal * 2 + parity -> serials of this shard used

    def _take(self, ordinal: int, parity: int) -> str | None:
        prefix, women, men = _day(ordinal)
        serials = men if parity else women
        key = ordinal * 2 + parity
        used = self._used.get(key, 0)
        shards = self.shards
        first = (self.shard - (ordinal * 40503 + parity * 7919)) % shards
        j = first + used * shards
        while j < len(serials):
            used += 1
            pnr = prefix + serials[j]
            if not self.reserved or pnr not in self.reserved:
                self._used[key] = used
                return pnr
            j += shards
        self._used[key] = used
        return None

    def allocate(self, ordinal: int, sex: str, lo: int, hi: int) -> tuple[str, int]:
        """A PNR for someone of ``sex`` born on day ``ordinal`` (or the nearest day in
        ``lo..hi`` where this shard still owns a serial). Returns (PNR, birth day ordinal)."""
        parity = 1 if sex == "M" else 0
        if lo <= ordinal <= hi:
            pnr = self._take(ordinal, parity)
            if pnr is not None:
                return pnr, ordinal
        for shift in range(1, _MAX_SHIFT):
            for day in (ordinal - shift, ordinal + shift):
                if lo <= day <= hi:
                    pnr = self._take(day, parity)
                    if pnr is not None:
                        return pnr, day
        raise LookupError(f"no free CPR number near {datetime.date.fromordinal(ordinal)} for shard {self.shard}")
