"""CPR numbers (personnummer, PNR): parsing, validation and allocation.

A PNR is ``DDMMYY-SSSS``: the birth date, then a 4-digit serial (løbenummer). The first
serial digit together with ``YY`` gives the century, the last digit gives the sex (odd = man,
even = woman). Numbers issued before 1 October 2007 satisfy a modulus 11 check; since then CPR
also issues numbers without it, so far only for persons born on 1 January (1960 or later).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

__all__ = [
    "WEIGHTS",
    "InvalidPNR",
    "PNRAllocator",
    "PNRInfo",
    "birth_date_of",
    "century_digit_range",
    "century_of",
    "format_pnr",
    "generate",
    "is_valid",
    "modulus11_ok",
    "normalize",
    "parse",
    "sex_of",
]

WEIGHTS: tuple[int, ...] = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
"""Modulus 11 weights of the ten digits."""

FIRST_YEAR = 1858
LAST_YEAR = 2057
"""Birth years a PNR can express (century table in the protocol notes, §6)."""

NO_MODULUS11_SINCE_YEAR = 1960
"""Numbers without modulus 11 are accepted for 1 January birth dates from this year on."""

_PNR_RE = re.compile(r"(\d{6})-?(\d{4})")


class InvalidPNR(ValueError):
    """A string that is not an acceptable CPR number.

    ``reason`` is one of ``"format"``, ``"date"``, ``"serial"`` or ``"modulus"``.
    """

    REASONS = ("format", "date", "serial", "modulus")

    def __init__(self, pnr: object, reason: str, detail: str) -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        self.pnr = pnr
        self.reason = reason
        super().__init__(f"{pnr}: {detail}")


@dataclass(frozen=True, slots=True)
class PNRInfo:
    """A parsed CPR number."""

    pnr: str  # ten digits, no dash
    birth_date: datetime.date
    sex: str  # køn: 'M' (mand) or 'K' (kvinde)
    modulus11: bool  # True if the number passes the modulus 11 check

    @property
    def serial(self) -> str:
        """The 4-digit serial (løbenummer)."""
        return self.pnr[6:]

    @property
    def dashed(self) -> str:
        """The number as ``DDMMYY-SSSS``."""
        return f"{self.pnr[:6]}-{self.pnr[6:]}"


# --- century rule ---------------------------------------------------------------------------


def century_of(digit7: int, yy: int) -> int:
    """Full birth year from the 7th digit and the two-digit year ``YY``."""
    if digit7 <= 3:
        return 1900 + yy
    if digit7 in (4, 9):
        return 2000 + yy if yy <= 36 else 1900 + yy
    # 5-8
    return 2000 + yy if yy <= 57 else 1800 + yy


@cache
def century_digit_range(year: int) -> tuple[int, ...]:
    """The 7th digits that express birth ``year`` (empty outside 1858-2057)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return ()
    yy = year % 100
    return tuple(d for d in range(10) if century_of(d, yy) == year)


# --- checks ---------------------------------------------------------------------------------


def normalize(pnr: str) -> str:
    """Return the ten digits of ``DDMMYYSSSS`` or ``DDMMYY-SSSS``; raise InvalidPNR("format")."""
    if not isinstance(pnr, str):
        raise InvalidPNR(pnr, "format", "not a string")
    m = _PNR_RE.fullmatch(pnr.strip())
    if m is None or not pnr.strip().isascii():
        raise InvalidPNR(pnr, "format", "not 10 digits as DDMMYYSSSS or DDMMYY-SSSS")
    return m.group(1) + m.group(2)


def _weighted_sum(digits: str) -> int:
    return sum(w * (ord(c) - 48) for w, c in zip(WEIGHTS, digits, strict=False))


def modulus11_ok(pnr: str) -> bool:
    """True if the (ten-digit, dash optional) number passes the modulus 11 check."""
    digits = pnr.replace("-", "")
    if len(digits) != 10 or not digits.isdigit() or not digits.isascii():
        return False
    return _weighted_sum(digits) % 11 == 0


def _modulus_exempt(birth_date: datetime.date) -> bool:
    """CPR issues numbers without modulus 11 for 1 January birth dates (1960 or later)."""
    return birth_date.day == 1 and birth_date.month == 1 and birth_date.year >= NO_MODULUS11_SINCE_YEAR


def parse(pnr: str) -> PNRInfo:
    """Parse and validate a CPR number; raise InvalidPNR with a ``reason`` if it is not acceptable."""
    digits = normalize(pnr)
    day, month, yy, d7 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    year = century_of(d7, yy)
    try:
        birth_date = datetime.date(year, month, day)
    except ValueError:
        raise InvalidPNR(
            digits, "date", f"impossible birth date {digits[0:2]}-{digits[2:4]}-{year}"
        ) from None
    if digits[6:] == "0000":
        raise InvalidPNR(digits, "serial", "serial number 0000 is not issued")
    mod_ok = _weighted_sum(digits) % 11 == 0
    if not mod_ok and not _modulus_exempt(birth_date):
        raise InvalidPNR(digits, "modulus", "modulus 11 check fails")
    return PNRInfo(digits, birth_date, "M" if int(digits[9]) % 2 else "K", mod_ok)


def is_valid(pnr: str) -> bool:
    """True if ``parse`` accepts the number."""
    try:
        parse(pnr)
    except InvalidPNR:
        return False
    return True


def birth_date_of(pnr: str) -> datetime.date:
    """Birth date of a valid CPR number."""
    return parse(pnr).birth_date


def sex_of(pnr: str) -> str:
    """Sex of a valid CPR number: 'M' or 'K'."""
    return parse(pnr).sex


def format_pnr(pnr: str) -> str:
    """Return a number as ``DDMMYY-SSSS``."""
    digits = normalize(pnr)
    return f"{digits[:6]}-{digits[6:]}"


# --- allocation -----------------------------------------------------------------------------


def _check_sex(sex: str) -> int:
    """Parity of the last digit for ``sex`` (1 for 'M', 0 for 'K')."""
    if sex == "M":
        return 1
    if sex == "K":
        return 0
    raise ValueError(f"sex must be 'M' or 'K', not {sex!r}")


def _date_prefix(birth_date: datetime.date) -> str:
    return f"{birth_date.day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"


@cache
def _serials(digits7: tuple[int, ...], residue: int, parity: int, modulus: bool) -> tuple[str, ...]:
    """4-digit serials with a legal 7th digit and last-digit parity, in ascending order.

    With ``modulus`` true: those whose weighted sum (weights 4,3,2,1) is ``residue`` mod 11,
    otherwise all others. Serial 0000 is never included.
    """
    out: list[str] = []
    for d7 in digits7:
        for rest in range(1000):
            s = d7 * 1000 + rest
            if s == 0 or s % 2 != parity:
                continue
            ws = 4 * d7 + 3 * (rest // 100) + 2 * (rest // 10 % 10) + rest % 10
            if (ws % 11 == residue) == modulus:
                out.append(f"{s:04d}")
    return tuple(out)


def valid_serials(digits7: tuple[int, ...], residue: int, parity: int) -> tuple[str, ...]:
    """Serials ``SSSS`` (7th digit in ``digits7``, last digit of ``parity``) that complete a
    modulus-11 number whose date part weighs ``residue`` modulo 11; ascending, never 0000."""
    return _serials(digits7, residue, parity, True)


def _candidates(birth_date: datetime.date, parity: int, modulus: bool = True) -> tuple[str, tuple[str, ...]]:
    """Date prefix ``DDMMYY`` and the legal serials for a birth date and last-digit parity."""
    digits7 = century_digit_range(birth_date.year)
    if not digits7:
        raise ValueError(f"birth year {birth_date.year} cannot be expressed in a CPR number")
    prefix = _date_prefix(birth_date)
    residue = (-_weighted_sum(prefix)) % 11  # the serial's weighted sum must complete the date's
    return prefix, _serials(digits7, residue, parity, modulus)


def generate(birth_date: datetime.date, sex: str, serial_hint: int = 0) -> str | None:
    """A valid modulus 11 number for ``birth_date`` and ``sex``.

    Returns the number with the smallest legal serial at or above ``serial_hint`` (wrapping to
    the lowest one), or None if the date has no legal serial at all.
    """
    parity = _check_sex(sex)
    try:
        prefix, serials = _candidates(birth_date, parity)
    except ValueError:
        return None
    if not serials:
        return None
    hint = f"{max(0, min(serial_hint, 9999)):04d}"
    for s in serials:
        if s >= hint:
            return prefix + s
    return prefix + serials[0]


class PNRAllocator:
    """Deterministic allocation of unique, valid CPR numbers per (birth date, sex).

    For each birth date the legal serials (7th digit right for the century, modulus 11, last
    digit matching the sex) are handed out in ascending order. When they run out on a 1 January
    birth date from 1960 on, serials without modulus 11 follow, as CPR does; otherwise the
    allocator raises ``LookupError``. Numbers passed to ``reserve`` are never handed out.
    """

    __slots__ = ("_state", "_reserved", "_count")

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        # (birth_date, parity) -> [prefix, serials, next index, serials used before the fallback]
        self._state: dict[tuple[datetime.date, int], list] = {}
        self._reserved: set[str] = set()
        self._count = 0
        for pnr in reserved:
            self.reserve(pnr)

    def __len__(self) -> int:
        """Number of numbers allocated so far."""
        return self._count

    def reserve(self, pnr: str) -> None:
        """Mark an existing number as taken."""
        self._reserved.add(normalize(pnr))

    def _new_state(self, birth_date: datetime.date, parity: int) -> list:
        prefix, serials = _candidates(birth_date, parity)
        return [prefix, serials, 0, None]

    def allocate(self, birth_date: datetime.date, sex: str) -> str:
        """The next free number for ``birth_date`` and ``sex`` ('M' or 'K')."""
        parity = 1 if sex == "M" else 0 if sex == "K" else _check_sex(sex)
        key = (birth_date, parity)
        st = self._state.get(key)
        if st is None:
            st = self._state[key] = self._new_state(birth_date, parity)
        while True:
            i = st[2]
            serials = st[1]
            if i < len(serials):
                st[2] = i + 1
                pnr = st[0] + serials[i]
                if self._reserved and pnr in self._reserved:
                    continue
                self._count += 1
                return pnr
            if st[3] is None and _modulus_exempt(birth_date):
                st[3] = i
                st[1] = _candidates(birth_date, parity, modulus=False)[1]
                st[2] = 0
                continue
            raise LookupError(f"no free CPR numbers left for sex {sex} born {birth_date.isoformat()}")

    def capacity(self, birth_date: datetime.date, sex: str) -> int:
        """How many modulus 11 numbers exist for ``birth_date`` and ``sex``."""
        try:
            return len(_candidates(birth_date, _check_sex(sex))[1])
        except ValueError:
            return 0

    def allocated(self, birth_date: datetime.date, sex: str) -> int:
        """How many serials have been used (allocated or skipped as reserved) for the pair."""
        st = self._state.get((birth_date, _check_sex(sex)))
        if st is None:
            return 0
        return st[2] + (st[3] or 0)
