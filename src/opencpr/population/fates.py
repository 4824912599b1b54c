"""Step 5: the rest of the shard, who no longer live in Denmark or never did.

The dead (couples and singles who died since CPR began in 1968, besides the spouses and parents
made dead by the earlier steps), the emigrated (alone, as couples or as families), the
disappeared, and a few persons with administrative numbers who live abroad. Each gets a last
Danish address (:meth:`~opencpr.population.households.HouseholdSteps.last_address`) and the
emigrated a foreign one.
"""

from __future__ import annotations

import datetime
import math

from opencpr.population.addresses import foreign_address
from opencpr.population.demography import (
    COUNTRY_GROUP,
    DEATH_AGE,
    EMIGRATION_DESTINATIONS,
    FOREIGN_CITIZENSHIPS,
    Weighted,
)
from opencpr.population.model import CPR_START, DENMARK, FIRST_BIRTH, Y18, Person, Union, years
from opencpr.population.shard import ShardBase

__all__ = ["FateSteps"]

_ADMIN_MUNICIPALITIES = ("0010", "0011", "0012", "0019")
_ADMIN_COUNTRIES = Weighted([("5120", 30), ("5180", 20), ("5154", 20), ("5110", 8), ("5158", 8),
                             ("5170", 6), ("5390", 4), ("5611", 4)])


class FateSteps(ShardBase):
    """The dead, the emigrated, the disappeared and those with administrative numbers (step 5)."""

    # 5. the dead, the emigrated and the others

    def dead_fillers(self) -> None:
        """Last addresses of the dead made so far, then dead couples and singles up to the quota."""
        rng = self.rng
        # structural dead persons without an address yet get their last one
        for p in self.persons:
            if p.status == "90" and not p.addrs:
                self.last_address([p], p.end)
        while self.quota["90"] > 0:
            if self.quota["90"] >= 2 and rng.random() < 0.62:
                self.quota["90"] -= 2
                self.dead_couple()
            else:
                self.quota["90"] -= 1
                self.dead_single()

    def _death_age(self, minimum: float = 0.0) -> float:
        """An age at death from the distribution of deaths, at least ``minimum``."""
        rng = self.rng
        while True:
            a0 = DEATH_AGE(rng)
            age = a0 + 5 * rng.random() if a0 else 5 * rng.random() ** 4
            if age >= minimum:
                return age

    def dead_couple(self) -> None:
        """A married couple who both died since CPR began, the first death making a widow(er)."""
        rng, T = self.rng, self.T
        d1 = self.uniform(CPR_START, T - 2)
        age1 = self._death_age(40)
        first_sex = "M" if rng.random() < 0.62 else "K"
        b1 = max(FIRST_BIRTH + 400, d1 - years(age1))
        first = self.new(first_sex, b1, hi=d1 - years(30))
        b2 = first.birth + years(rng.gauss(2.5 if first_sex == "M" else -2.5, 3))
        other = self.new("K" if first_sex == "M" else "M", b2, hi=d1 - years(25))
        d2 = self.uniform(d1 + 30, T - 2)
        if d2 - other.birth > years(104):
            d2 = max(d1 + 30, other.birth + years(92 + rng.random() * 11))
        d2 = min(d2, T - 2)
        younger = max(first.birth, other.birth)
        start = min(younger + years(20 + abs(rng.gauss(4, 4))), d1 - 365)
        start = max(start, younger + years(18))
        man, woman = (first, other) if first_sex == "M" else (other, first)
        u = Union(man, woman, "G", start)
        u.end, u.died = d1, first
        first.add_union(u)
        other.add_union(u)
        for p, d in ((first, d1), (other, d2)):
            p.status, p.end, p.role = "90", d, "gone"
        muni = self.addresses.municipality(rng)
        home = self.addresses.address(rng, muni)
        lo = max(younger + Y18, start - 365)
        together = self.uniform(min(lo, d1 - 30), d1 - 30)
        first.add_addr(home, together, d1)
        other.add_addr(home, together, d2)
        first.muni = other.muni = muni

    def dead_single(self) -> None:
        """One person who died since CPR began."""
        rng, T = self.rng, self.T
        died = self.uniform(CPR_START, T - 2)
        age = self._death_age()
        sex = "M" if rng.random() < 0.5 else "K"
        p = self.new(sex, max(FIRST_BIRTH + 400, died - years(age)), hi=died - 1)
        p.status, p.end, p.role = "90", died, "gone"
        self.last_address([p], died)

    def emigrant_fillers(self) -> None:
        """Foreign addresses of the emigrants made so far, then more emigrants (alone, as couples
        or as families) up to the quota."""
        rng, T = self.rng, self.T
        for p in self.persons:  # structural emigrants (absent parents, former spouses)
            if p.status == "80" and not p.addrs:
                self.emigrate([p], p.end)
        while self.quota["80"] > 0:
            r = rng.random()
            size = 1 if r < 0.7 or self.quota["80"] < 2 else 2 if r < 0.88 or self.quota["80"] < 3 else 3
            self.quota["80"] -= size
            exit_day = CPR_START + int(math.sqrt(rng.random()) * (T - 2 - CPR_START))
            age = 20 + abs(rng.gauss(7, 8)) if size == 1 else 27 + abs(rng.gauss(5, 7))
            foreign = exit_day > datetime.date(1985, 1, 1).toordinal() and rng.random() < 0.45
            sex = "M" if rng.random() < 0.5 else "K"
            first = self.new(sex, exit_day - years(age), hi=exit_day - Y18)
            members = [first]
            if size >= 2:
                other = self.new("K" if sex == "M" else "M",
                                 first.birth + years(rng.gauss(2.5 if sex == "M" else -2.5, 3)),
                                 hi=exit_day - Y18)
                members.append(other)
                younger = max(first.birth, other.birth)
                if rng.random() < 0.7:
                    start = self.uniform(younger + years(20), max(younger + years(20), exit_day - 60))
                    man, woman = (first, other) if sex == "M" else (other, first)
                    u = Union(man, woman, "G", min(start, exit_day - 30))
                    man.add_union(u)
                    woman.add_union(u)
                if size == 3:
                    mother = first if first.sex == "K" else other
                    father = other if mother is first else first
                    lo = max(mother.birth + years(20), father.birth + years(18))
                    if exit_day - 200 > lo:
                        kid = self.new("M" if rng.random() < 0.51 else "K", self.uniform(lo, exit_day - 200),
                                       lo=lo, hi=exit_day - 200)
                        self.link_parents(kid, mother, father)
                        kid.custody = [("0003", kid.birth), ("0004", kid.birth)]
                        members.append(kid)
                    else:
                        self.quota["80"] += 1
            for p in members:
                p.status, p.end, p.role = "80", exit_day, "gone"
            if foreign:
                country = FOREIGN_CITIZENSHIPS(rng)
                arrival = max(exit_day - years(rng.random() * 10), max(p.birth for p in members[:2]) + Y18)
                for p in members:
                    p.group, p.country = COUNTRY_GROUP[country], country
                    if p.birth < arrival:
                        p.arrival = min(arrival, exit_day - 30)
                dest = country if rng.random() < 0.85 else EMIGRATION_DESTINATIONS(rng)
            else:
                dest = EMIGRATION_DESTINATIONS(rng)
            self.emigrate(members, exit_day, dest)

    def emigrate(self, members: list[Person], exit_day: int, dest: str | None = None) -> None:
        """``members`` left Denmark together on ``exit_day`` for ``dest`` (default: by origin)."""
        rng = self.rng
        if dest is None:
            dest = members[0].country if members[0].country != DENMARK else EMIGRATION_DESTINATIONS(rng)
        lines = foreign_address(dest, rng)
        self.last_address(members, exit_day)
        for p in members:
            p.exit_country, p.exit_lines = dest, lines

    def other_fillers(self) -> None:
        """The disappeared (70) and persons with administrative numbers (20), up to their quotas."""
        rng, T = self.rng, self.T
        for _ in range(self.quota["70"]):
            gone = self.uniform(datetime.date(1985, 1, 1).toordinal(), T - 2)
            p = self.new("M" if rng.random() < 0.7 else "K", gone - years(20 + rng.random() * 40),
                         hi=gone - Y18)
            p.status, p.end, p.role = "70", gone, "gone"
            self.last_address([p], gone)
        for _ in range(self.quota["20"]):
            p = self.new("M" if rng.random() < 0.6 else "K", T - years(20 + rng.random() * 45))
            assigned = self.uniform(max(p.birth + Y18, T - years(25)), T - 2)
            p.status, p.end, p.role = "20", assigned, "gone"
            p.country = _ADMIN_COUNTRIES(rng)
            p.group = COUNTRY_GROUP.get(p.country, "en")
            p.arrival = assigned
            p.muni = _ADMIN_MUNICIPALITIES[int(rng.random() * 4)]
            p.exit_lines = foreign_address(p.country, rng)
        self.quota["70"] = self.quota["20"] = 0
