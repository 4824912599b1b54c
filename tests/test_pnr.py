"""CPR numbers: century rule, modulus 11, the 1 January exception, allocation."""

from __future__ import annotations

import datetime
import random

import pytest
from stdnum.dk import cpr as stdnum_cpr

from opencpr.domain import pnr
from opencpr.domain.pnr import InvalidPNR, PNRAllocator


def _with_digit7(date_part: str, digit7: int) -> str:
    """A modulus 11 number with the given date part and 7th digit."""
    for rest in range(1000):
        candidate = f"{date_part}{digit7}{rest:03d}"
        if candidate[6:] != "0000" and pnr.modulus11_ok(candidate):
            return candidate
    raise AssertionError("no serial")


@pytest.mark.parametrize(
    ("digit7", "yy", "year"),
    [
        # digit 0-3: always 1900s
        (0, 0, 1900),
        (3, 36, 1936),
        (0, 37, 1937),
        (3, 57, 1957),
        (1, 58, 1958),
        (2, 99, 1999),
        # digit 4 and 9: 2000-2036, otherwise 1900s
        (4, 0, 2000),
        (9, 36, 2036),
        (4, 37, 1937),
        (9, 57, 1957),
        (4, 58, 1958),
        (9, 99, 1999),
        # digit 5-8: 2000-2057, otherwise 1858-1899
        (5, 0, 2000),
        (8, 36, 2036),
        (6, 37, 2037),
        (7, 57, 2057),
        (5, 58, 1858),
        (8, 99, 1899),
    ],
)
def test_century_table(digit7: int, yy: int, year: int) -> None:
    assert pnr.century_of(digit7, yy) == year
    number = _with_digit7(f"1506{yy:02d}", digit7)
    assert pnr.parse(number).birth_date == datetime.date(year, 6, 15)
    assert digit7 in pnr.century_digit_range(year)


def test_century_digit_range() -> None:
    assert pnr.century_digit_range(1858) == (5, 6, 7, 8)
    assert pnr.century_digit_range(1900) == (0, 1, 2, 3)
    assert pnr.century_digit_range(1937) == (0, 1, 2, 3, 4, 9)
    assert pnr.century_digit_range(1999) == (0, 1, 2, 3, 4, 9)
    assert pnr.century_digit_range(2036) == (4, 5, 6, 7, 8, 9)
    assert pnr.century_digit_range(2037) == (5, 6, 7, 8)
    assert pnr.century_digit_range(1857) == ()
    assert pnr.century_digit_range(2058) == ()


def test_modulus11() -> None:
    assert pnr.modulus11_ok("0707614285")
    assert pnr.modulus11_ok("070761-4285")
    assert not pnr.modulus11_ok("0707614284")
    assert not pnr.modulus11_ok("070761428")
    info = pnr.parse("0707614285")
    assert info == pnr.PNRInfo("0707614285", datetime.date(1961, 7, 7), "M", True)
    assert info.dashed == "070761-4285"
    assert info.serial == "4285"


def test_dash_form_and_sex() -> None:
    assert pnr.parse("070761-4285").pnr == "0707614285"
    assert pnr.sex_of("0707614285") == "M"
    assert pnr.birth_date_of("070761-4285") == datetime.date(1961, 7, 7)
    woman = _with_digit7("120385", 2)
    while int(woman[-1]) % 2:
        woman = _with_digit7("120385", int(woman[6]) + 1)
    assert pnr.sex_of(woman) == "K"
    assert pnr.format_pnr("0707614285") == "070761-4285"


def test_first_january_exception() -> None:
    # not modulus 11, but 1 January 1965: accepted
    info = pnr.parse("0101651234")
    assert info.birth_date == datetime.date(1965, 1, 1)
    assert info.modulus11 is False
    assert pnr.is_valid("0101651234")
    # 1 January before 1960: refused
    with pytest.raises(InvalidPNR) as exc:
        pnr.parse("0101551234")
    assert exc.value.reason == "modulus"
    # another date: refused
    with pytest.raises(InvalidPNR) as exc:
        pnr.parse("0201901234")
    assert exc.value.reason == "modulus"
    assert str(exc.value) == "0201901234: modulus 11 check fails"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("12345", "format"),
        ("01019012345", "format"),
        ("0101-901234", "format"),
        ("abcdefghij", "format"),
        ("010190 1234", "format"),
        ("０７０７６１４２８５", "format"),
        ("", "format"),
        ("3102901234", "date"),
        ("0013901234", "date"),
        ("2902014007", "date"),  # 2001 is no leap year
        ("0101900000", "serial"),
        ("0202901234", "modulus"),
    ],
)
def test_reasons(value: str, reason: str) -> None:
    with pytest.raises(InvalidPNR) as exc:
        pnr.parse(value)
    assert exc.value.reason == reason
    assert value.replace("-", "") in str(exc.value) or reason == "format"
    assert not pnr.is_valid(value)


def test_reason_messages() -> None:
    with pytest.raises(InvalidPNR, match=r"^3102901234: impossible birth date"):
        pnr.parse("3102901234")
    with pytest.raises(InvalidPNR, match=r"^0101900000: serial number 0000"):
        pnr.parse("0101900000")
    with pytest.raises(InvalidPNR, match=r"^12345: not 10 digits"):
        pnr.parse("12345")
    assert isinstance(InvalidPNR("x", "format", "y"), ValueError)


def test_leap_day() -> None:
    assert pnr.parse(_with_digit7("290200", 4)).birth_date == datetime.date(2000, 2, 29)


def _random_dates(n: int, seed: int, first: datetime.date, last: datetime.date) -> list[datetime.date]:
    rng = random.Random(seed)
    span = (last - first).days
    return [first + datetime.timedelta(days=rng.randrange(span + 1)) for _ in range(n)]


def test_allocate_100000() -> None:
    dates = _random_dates(
        20_000, 1, datetime.date(1880, 1, 1), datetime.date.today() - datetime.timedelta(days=1)
    )
    rng = random.Random(2)
    allocator = PNRAllocator()
    wanted = [(dates[i % len(dates)], rng.choice("MK")) for i in range(100_000)]
    numbers = [allocator.allocate(d, s) for d, s in wanted]
    assert len(set(numbers)) == 100_000
    assert len(allocator) == 100_000
    for number, (d, s) in zip(numbers, wanted, strict=True):
        info = pnr.parse(number)
        assert info.birth_date == d
        assert info.sex == s
        assert info.modulus11
        assert stdnum_cpr.is_valid(number)
        assert stdnum_cpr.get_birth_date(number) == d


def test_allocation_is_deterministic() -> None:
    dates = _random_dates(500, 3, datetime.date(1950, 1, 1), datetime.date(2020, 1, 1))
    a, b = PNRAllocator(), PNRAllocator()
    assert [a.allocate(d, "K") for d in dates] == [b.allocate(d, "K") for d in dates]


def test_allocation_runs_out_and_first_january_fallback() -> None:
    allocator = PNRAllocator()
    day = datetime.date(1990, 3, 4)
    capacity = allocator.capacity(day, "M")
    assert 250 < capacity < 300
    numbers = [allocator.allocate(day, "M") for _ in range(capacity)]
    assert all(pnr.parse(n).modulus11 for n in numbers)
    with pytest.raises(LookupError):
        allocator.allocate(day, "M")

    new_year = datetime.date(1990, 1, 1)
    capacity = allocator.capacity(new_year, "K")
    numbers = [allocator.allocate(new_year, "K") for _ in range(capacity + 50)]
    assert len(set(numbers)) == capacity + 50
    assert allocator.allocated(new_year, "K") == capacity + 50
    infos = [pnr.parse(n) for n in numbers]
    assert all(i.modulus11 for i in infos[:capacity])
    assert not any(i.modulus11 for i in infos[capacity:])
    assert all(i.sex == "K" and i.birth_date == new_year for i in infos)

    old_new_year = datetime.date(1950, 1, 1)
    for _ in range(allocator.capacity(old_new_year, "M")):
        allocator.allocate(old_new_year, "M")
    with pytest.raises(LookupError):
        allocator.allocate(old_new_year, "M")


def test_reserved_numbers_are_skipped() -> None:
    day = datetime.date(1961, 7, 7)
    first = PNRAllocator().allocate(day, "M")
    allocator = PNRAllocator(reserved=[first, "070761-4285"])
    numbers = [allocator.allocate(day, "M") for _ in range(200)]
    assert first not in numbers
    assert "0707614285" not in numbers


def test_allocate_rejects_bad_sex_and_year() -> None:
    allocator = PNRAllocator()
    with pytest.raises(ValueError):
        allocator.allocate(datetime.date(1990, 1, 1), "X")
    with pytest.raises(ValueError):
        allocator.allocate(datetime.date(1850, 1, 1), "M")


def test_generate() -> None:
    day = datetime.date(1985, 3, 12)
    number = pnr.generate(day, "K", 5000)
    assert number is not None
    info = pnr.parse(number)
    assert (info.birth_date, info.sex, info.modulus11) == (day, "K", True)
    assert number[6:] >= "5000"
    # above the last legal serial: wraps to the lowest
    wrapped = pnr.generate(day, "M", 9999)
    assert wrapped is not None and pnr.parse(wrapped).sex == "M"
    assert pnr.generate(day, "M", 0) == PNRAllocator().allocate(day, "M")
    assert pnr.generate(datetime.date(1800, 1, 1), "M", 0) is None
