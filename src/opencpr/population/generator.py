"""A synthetic population that looks like Denmark's CPR: deterministic, sharded, streaming.

The population is made in independent shards of :data:`SHARD_SIZE` persons. Shard ``k`` of a
run of ``n`` persons with seed ``s`` depends only on ``(n, s, k, today)``: its random numbers come
from its own generator, and its CPR numbers from serials only it owns
(:mod:`opencpr.population.pnrslots`). So shards can be made in any process, in any order, and
the register is the same whatever the number of workers. Families never span shards.

Inside a shard, persons come first and relations after, so that the age pyramid is Denmark's.
Each step is a mixin on :class:`~opencpr.population.shard.ShardBase` (the shard's state and
shared helpers), in the module named after it; the persons are
:class:`~opencpr.population.model.Person` and :class:`~opencpr.population.model.Union`
(:mod:`.model`):

1. residents are drawn from the age pyramid (by sex and age) (:mod:`.families`);
2. minors are grouped into siblings and given a mother and a father from the adult residents
   (couples married or not, single mothers and fathers whose ex-partner lives elsewhere, has
   emigrated or is dead); some young adults still live with their parents (:mod:`.families`);
3. the other adults get a civil state by age and sex: married couples (a few registered
   partners), cohabiting couples, widows and widowers (whose spouse is among the dead),
   divorced persons and remarried ones (paired with their ex-spouses), singles (:mod:`.unions`);
4. households get addresses from the road register, with earlier addresses as history
   (:mod:`.households`);
5. the rest of the shard is the dead (couples and singles who died since 1968), the
   emigrated, the disappeared and a few persons with administrative numbers. As in CPR's own
   data, a death makes the civil status D (naming the spouse left behind, who becomes a
   widow(er), E, or longest living partner, L) (:mod:`.fates`);
6. adults are linked to parents where a couple of the right age exists (lineages,
   :mod:`.families`);
7. names (Danish by generation, foreign for foreign families; married women may have taken
   their husband's name), citizenship, church, protection, guardianship, occupation
   (:mod:`.attributes`);
8. every person becomes rows for the register tables, and the events that made them
   (:mod:`.person_rows`).

This module composes the steps into one shard and runs them in that order.
"""

from __future__ import annotations

import datetime
import gc
import math
from collections.abc import Iterator
from typing import Any

from opencpr.population.attributes import AttributeSteps
from opencpr.population.families import FamilySteps
from opencpr.population.fates import FateSteps
from opencpr.population.households import HouseholdSteps
from opencpr.population.model import Person
from opencpr.population.person_rows import TEXT, TUPLES, person_rows
from opencpr.population.rows import COLUMNS
from opencpr.population.unions import UnionSteps

__all__ = [
    "SHARD_SIZE",
    "TEXT",
    "TUPLES",
    "build_shard",
    "generate_population",
    "generate_shard",
    "person_rows",
    "shard_count",
    "shard_sizes",
]

#: Persons per shard. Part of the definition of the population: changing it changes the
#: register a seed gives.
SHARD_SIZE = 20_000


# --- shards -------------------------------------------------------------------------------------


def shard_count(n: int, shard_size: int = SHARD_SIZE) -> int:
    """How many shards a population of ``n`` persons has."""
    return max(1, math.ceil(n / shard_size))


def shard_sizes(n: int, shard_size: int = SHARD_SIZE) -> list[int]:
    """Persons in each shard (all ``shard_size`` but the last)."""
    count = shard_count(n, shard_size)
    return [min(shard_size, n - k * shard_size) for k in range(count)]


class _Shard(FamilySteps, UnionSteps, HouseholdSteps, FateSteps, AttributeSteps):
    """Makes the persons of one shard."""

    def build(self) -> list[Person]:
        """Run the steps in order (see the module docstring) and return the shard's persons."""
        self.residents()
        self.families()
        self.adult_states()
        self.former_spouses()
        self.households_of_pairs_and_singles()
        self.origins()
        self.place_households()
        self.dead_fillers()
        self.emigrant_fillers()
        self.other_fillers()
        self.lineages()
        self.names()
        self.attributes()
        return self.persons


# --- public API ---------------------------------------------------------------------------------


def build_shard(n: int, seed: int, today: datetime.date, shard: int,
                reserved: frozenset[str] = frozenset(), shard_size: int = SHARD_SIZE) -> list[Person]:
    """The persons of shard ``shard`` of a population of ``n`` (the model, before rows)."""
    sizes = shard_sizes(n, shard_size)
    # The shard is a web of small objects that lives until its rows are written: the cyclic
    # garbage collector would walk it again and again while it grows, for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _Shard(shard, len(sizes), sizes[shard], seed, today, reserved).build()
    finally:
        if enabled:
            gc.enable()


def generate_shard(n: int, seed: int, today: datetime.date, shard: int,
                   reserved: frozenset[str] = frozenset(), shard_size: int = SHARD_SIZE,
                   as_text: bool = False) -> Iterator[dict[str, list]]:
    """Rows of each person of one shard, as ``{table: [row tuple in COLUMNS order]}``, or as
    COPY text lines with ``as_text``."""
    T = today.toordinal()
    makers = TEXT if as_text else TUPLES
    persons = build_shard(n, seed, today, shard, reserved, shard_size)
    try:
        for p in persons:
            yield person_rows(p, T, makers)
    finally:
        _release(persons)


def _release(persons: list[Person]) -> None:
    """Cut the links between a shard's persons, so that they are freed without the cyclic
    garbage collector (which would have to walk the whole shard)."""
    for p in persons:
        for u in p.unions or ():
            u.a = u.b = u.died = None
        p.unions = p.kids = p.mother = p.father = p.link = p.guardian = None


def generate_population(n: int, seed: int, today: datetime.date, *, reserved: frozenset[str] = frozenset(),
                        shard_size: int = SHARD_SIZE) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Person bundles ``{table: [row dict]}`` of a population of ``n``, one person at a time.

    The same ``(n, seed, today)`` always gives the same bundles. ``reserved`` are CPR numbers
    already in use (they are never handed out); ``shard_size`` is for tests (it is part of
    the definition of the population).
    """
    for shard in range(shard_count(n, shard_size)):
        for rows in generate_shard(n, seed, today, shard, reserved, shard_size):
            yield {table: [dict(zip(COLUMNS[table], r, strict=True)) for r in rs] for table, rs in rows.items()}
