"""The state of one shard while it is being made, and the helpers every step uses.

:class:`ShardBase` holds the shard's random generator, its CPR serials, its quotas of persons
by status and the lists the steps hand on to each other. The steps themselves are mixins on top
of it (:mod:`.families`, :mod:`.unions`, :mod:`.households`, :mod:`.fates`, :mod:`.attributes`),
composed into one class in :mod:`opencpr.population.generator`.
"""

from __future__ import annotations

import datetime
import random
from functools import cache
from typing import Any

from opencpr.population.addresses import AddressMaker
from opencpr.population.demography import STATUS_SHARES
from opencpr.population.model import FIRST_BIRTH, YEAR, Person, Union
from opencpr.population.pnrslots import SlotAllocator

__all__ = ["ShardBase"]


@cache
def _address_maker() -> AddressMaker:
    return AddressMaker()


def _quotas(size: int) -> dict[str, int]:
    """Persons of each status in a shard: proportional, largest remainders first."""
    raw = {s: size * share for s, share in STATUS_SHARES.items()}
    out = {s: int(v) for s, v in raw.items()}
    left = size - sum(out.values())
    for s in sorted(raw, key=lambda s: raw[s] - out[s], reverse=True)[:left]:
        out[s] += 1
    return out


class ShardBase:
    """The persons of one shard and what the steps that make them share."""

    # set by the steps, for the steps after them
    living: list[Person]  # residents (status 01 and 03), set by residents()
    pool: dict[str, dict[int, list[Person]]]  # unplaced adult residents by sex and age
    divorced: list[Person]  # set by adult_states()
    singles: list[Person]
    pairs: list[Union]

    def __init__(self, shard: int, shards: int, size: int, seed: int, today: datetime.date,
                 reserved: frozenset[str]):
        self.rng = random.Random(f"opencpr-population:{seed}:{shard}")
        self.T = today.toordinal()
        self.alloc = SlotAllocator(shard, shards, reserved)
        self.persons: list[Person] = []
        self.quota = _quotas(size)
        self.addresses = _address_maker()
        cut = today.replace(year=today.year - 18) if not (today.month == 2 and today.day == 29) \
            else today.replace(year=today.year - 18, day=28)
        self.adult_cut = cut.toordinal()  # born on or before this day: 18 or older today
        self.households: list[tuple[str, list[Person], Any]] = []

    # -- persons --

    def new(self, sex: str, birth: int, lo: int | None = None, hi: int | None = None) -> Person:
        """A new person with a CPR number; the birth day may move a little (see pnrslots)."""
        top = self.T - 1 if hi is None else min(hi, self.T - 1)
        low = max(FIRST_BIRTH, birth - 120 if lo is None else lo)
        if low > top - 120:  # the upper bound wins: it is a day the person must already be born by
            low = top - 120
        birth = min(max(birth, low), top)
        try:
            pnr, birth = self.alloc.allocate(birth, sex, low, top)
        except LookupError:  # this shard's serials near that day are used up: look further back
            pnr, birth = self.alloc.allocate(birth, sex, max(FIRST_BIRTH, low - 730), top)
        p = Person(len(self.persons), sex, birth, pnr)
        self.persons.append(p)
        return p

    def age(self, p: Person, at: int | None = None) -> float:
        """Age of ``p`` in years today (or on day ``at``)."""
        return ((self.T if at is None else at) - p.birth) / YEAR

    def take_quota(self, status: str) -> bool:
        """Use one place of the shard's quota of persons of ``status``, if one is left."""
        if self.quota[status] > 0:
            self.quota[status] -= 1
            return True
        return False

    def uniform(self, lo: int, hi: int) -> int:
        """A day in ``lo..hi`` (``lo`` if the range is empty)."""
        if hi <= lo:
            return lo
        return lo + int(self.rng.random() * (hi - lo + 1))

    def link_parents(self, kid: Person, mother: Person | None, father: Person | None) -> None:
        """Make ``mother`` and ``father`` (either may be None) the parents of ``kid``."""
        kid.mother, kid.father = mother, father
        if mother is not None:
            mother.add_kid(kid)
        if father is not None:
            father.add_kid(kid)
