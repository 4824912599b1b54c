"""The model of a shard while it is being made: persons, their unions, and day arithmetic.

Days are date ordinals (``datetime.date.toordinal``) throughout; :func:`day` and :func:`stamp`
turn them into the register's text forms.
"""

from __future__ import annotations

import datetime

from opencpr.population.addresses import Address

__all__ = [
    "CPR_START",
    "DENMARK",
    "FIRST_BIRTH",
    "PARTNERSHIPS_FROM",
    "SAME_SEX_MARRIAGE_FROM",
    "SPECIAL_ROAD",
    "Y18",
    "YEAR",
    "NoParent",
    "Person",
    "Union",
    "day",
    "stamp",
    "years",
]

YEAR = 365.2425
DENMARK = "5100"
CPR_START = datetime.date(1968, 4, 2).toordinal()  # CPR began on 2 April 1968
PARTNERSHIPS_FROM = datetime.date(1989, 10, 1).toordinal()  # registered partnership law
SAME_SEX_MARRIAGE_FROM = datetime.date(2012, 6, 15).toordinal()
FIRST_BIRTH = datetime.date(1870, 1, 1).toordinal()
SPECIAL_ROAD = "9901"  # a special road code (9900-9999): no fixed abode


# --- dates ------------------------------------------------------------------------------------


class _Days(dict):
    """Ordinal -> ``YYYY-MM-DD``, filled on first use of each day."""

    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = datetime.date.fromordinal(ordinal).isoformat()
        return text


_DATES = _Days()
_TIMES = tuple(f"T{h:02d}:{m:02d}" for h in range(8, 16) for m in range(60))


def day(ordinal: int) -> str:
    """``YYYY-MM-DD`` of a date ordinal (cached: the generator formats the same days often)."""
    return _DATES[ordinal]


def stamp(ordinal: int, salt: int) -> str:
    """A register timestamp ``YYYY-MM-DDTHH:MM`` in office hours on that day."""
    return _DATES[ordinal] + _TIMES[(ordinal * 7 + salt) % 480]


def years(n: float) -> int:
    """``n`` years in days (rounded down)."""
    return int(n * YEAR)


Y18 = years(18)  # eighteen years in days


# --- the model ----------------------------------------------------------------------------------


class NoParent(Exception):
    """No parent can be found or made for a group of siblings."""


class Union:
    """A marriage (G), registered partnership (P) or cohabitation (C) of ``a`` and ``b``."""

    __slots__ = ("a", "b", "kind", "start", "end", "died", "sep")

    def __init__(self, a: Person, b: Person, kind: str, start: int):
        self.a, self.b, self.kind, self.start = a, b, kind, start
        self.end: int | None = None  # ordinal the union ended (divorce or death)
        self.died: Person | None = None  # the partner whose death ended it
        self.sep: int | None = None  # separation start

    def other(self, p: Person) -> Person:
        return self.b if p is self.a else self.a


class Person:
    """One person of a shard while it is being made."""

    __slots__ = (
        "idx", "sex", "birth", "pnr", "status", "end", "role", "state", "group", "country",
        "old_country", "naturalised", "arrival", "mother", "father", "kids", "unions", "addrs",
        "first", "middle", "last", "birth_last", "old_name", "name_from", "custody", "muni",
        "exit_country", "exit_lines", "occupation", "protections", "guardian", "church",
        "church_from", "church_left", "link", "remarried",
    )  # fmt: skip

    def __init__(self, idx: int, sex: str, birth: int, pnr: str):
        self.idx = idx
        self.sex = sex
        self.birth = birth
        self.pnr = pnr
        self.status = "01"
        self.end: int | None = None  # death, exit, disappearance or number-assignment day
        self.role: str | None = None  # place in a household while households are formed
        self.state: str | None = None
        self.group: str | None = None  # name group; None for Danish
        self.country = DENMARK
        self.old_country: str | None = None
        self.naturalised: int | None = None
        self.arrival: int | None = None  # immigration day of persons born abroad
        self.mother: Person | None = None
        self.father: Person | None = None
        self.kids: list[Person] | None = None
        self.unions: list[Union] | None = None
        self.addrs: list[list] | None = None  # [address, from, to]
        self.first = self.middle = self.last = self.birth_last = ""
        self.old_name: tuple[str, str | None, str] | None = None
        self.name_from: int | None = None
        self.custody: list[tuple[str, int]] | None = None
        self.muni = "0101"
        self.exit_country: str | None = None
        self.exit_lines: tuple[str, str, str] | None = None
        self.occupation: str | None = None
        self.protections: list[tuple[str, int, int | None]] | None = None
        self.guardian: tuple | None = None
        self.church = "U"
        self.church_from = birth
        self.church_left: int | None = None
        self.link: Person | None = None  # the resident a non-resident was made for
        self.remarried = False

    def add_union(self, u: Union) -> None:
        if self.unions is None:
            self.unions = [u]
        else:
            self.unions.append(u)
            self.unions.sort(key=_union_start)

    def add_kid(self, kid: Person) -> None:
        if self.kids is None:
            self.kids = [kid]
        else:
            self.kids.append(kid)

    def add_addr(self, address: Address, start: int, end: int | None) -> None:
        if self.addrs is None:
            self.addrs = [[address, start, end]]
        else:
            self.addrs.append([address, start, end])

    @property
    def dead(self) -> bool:
        return self.status == "90"


def _union_start(u: Union) -> int:
    return u.start
