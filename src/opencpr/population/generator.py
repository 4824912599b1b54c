"""A synthetic population that looks like Denmark's CPR: deterministic, sharded, streaming.

The population is made in independent shards of :data:`SHARD_SIZE` persons. Shard ``k`` of a
run of ``n`` persons with seed ``s`` depends only on ``(n, s, k, today)``: its random numbers come
from its own generator, and its CPR numbers from serials only it owns
(:mod:`opencpr.population.pnrslots`). So shards can be made in any process, in any order, and
the register is the same whatever the number of workers. Families never span shards.

Inside a shard, persons come first and relations after, so that the age pyramid is Denmark's:

1. residents are drawn from the age pyramid (by sex and age);
2. minors are grouped into siblings and given a mother and a father from the adult residents
   (couples married or not, single mothers and fathers whose ex-partner lives elsewhere, has
   emigrated or is dead); some young adults still live with their parents;
3. the other adults get a civil state by age and sex: married couples (a few registered
   partners), cohabiting couples, widows and widowers (whose spouse is among the dead),
   divorced persons and remarried ones (paired with their ex-spouses), singles;
4. households get addresses from the road register, with earlier addresses as history;
5. the rest of the shard is the dead (couples and singles who died since 1968), the
   emigrated, the disappeared and a few persons with administrative numbers. As in CPR's own
   data, a death makes the civil status D (naming the spouse left behind, who becomes a
   widow(er), E, or longest living partner, L);
6. adults are linked to parents where a couple of the right age exists (lineages);
7. names (Danish by generation, foreign for foreign families; married women may have taken
   their husband's name), citizenship, church, protection, guardianship, occupation;
8. every person becomes rows for the register tables, and the events that made them.
"""

from __future__ import annotations

import datetime
import gc
import math
from collections.abc import Iterator
from typing import Any

from opencpr.population import names as nm
from opencpr.population.addresses import Address, foreign_address
from opencpr.population.demography import (
    CHURCH_MEMBER,
    COUNTRY_GROUP,
    DEATH_AGE,
    EMIGRATION_DESTINATIONS,
    FOREIGN_CITIZENSHIPS,
    OCCUPATIONS,
    Weighted,
)
from opencpr.population.families import FamilySteps
from opencpr.population.model import (
    CPR_START,
    DENMARK,
    FIRST_BIRTH,
    SPECIAL_ROAD,
    Y18,
    YEAR,
    Person,
    Union,
    years,
)
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

_ADMIN_MUNICIPALITIES = ("0010", "0011", "0012", "0019")
_ADMIN_COUNTRIES = Weighted([("5120", 30), ("5180", 20), ("5154", 20), ("5110", 8), ("5158", 8),
                             ("5170", 6), ("5390", 4), ("5611", 4)])


# --- shards -------------------------------------------------------------------------------------


def shard_count(n: int, shard_size: int = SHARD_SIZE) -> int:
    """How many shards a population of ``n`` persons has."""
    return max(1, math.ceil(n / shard_size))


def shard_sizes(n: int, shard_size: int = SHARD_SIZE) -> list[int]:
    """Persons in each shard (all ``shard_size`` but the last)."""
    count = shard_count(n, shard_size)
    return [min(shard_size, n - k * shard_size) for k in range(count)]


class _Shard(FamilySteps, UnionSteps):
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

    # 4. households

    def households_of_pairs_and_singles(self) -> None:
        rng = self.rng
        # young adults who still live with their parents (couples of the right age)
        young = [p for p in self.singles if p.state is None and 18 <= self.age(p) < 25]
        rng.shuffle(young)
        for u in self.pairs:
            kids: list[Person] = []
            if u.a.sex != u.b.sex and u.sep is None and young and rng.random() < 0.3:
                mother, father = (u.b, u.a) if u.b.sex == "K" else (u.a, u.b)
                c = young[-1]
                if (years(19) <= c.birth - mother.birth <= years(44)
                        and c.birth - father.birth >= years(19)):
                    young.pop()
                    c.state = "kid"
                    self.link_parents(c, mother, father)
                    kids.append(c)
            if u.sep is not None:
                self.households.append(("separated", [u.a, u.b], u))
            else:
                self.households.append(("pair", [u.a, u.b, *kids], u))
        self.new_partners()
        # status 03: some singles have no fixed abode
        specials = self.quota["03"]
        share: list[Person] = []
        for p in self.singles:
            if p.state in ("kid", "C", "CF"):
                continue
            age = self.age(p)
            if specials and p.state in (None, "S", "F") and 25 <= age < 70 and rng.random() < 0.05:
                specials -= 1
                p.status = "03"
                self.households.append(("special", [p], None))
            elif p.state in (None, "S") and age < 30 and rng.random() < 0.3:
                share.append(p)
                if len(share) == 3 or (len(share) == 2 and rng.random() < 0.6):
                    self.households.append(("share", share, None))
                    share = []
            else:
                self.households.append(("single", [p], None))
        for p in share:
            self.households.append(("single", [p], None))
        for p in self.living:
            if p.role == "absent":
                self.households.append(("single", [p], None))
        self.quota["03"] = 0
        self.quota["01"] += specials  # unused special slots stay ordinary residents

    def new_partners(self) -> None:
        """Some divorced and single adults live with a new partner without marrying."""
        rng = self.rng
        lists: dict[str, list[Person]] = {"M": [], "K": []}
        for p in self.singles:
            if p.state in (None, "F") and 28 <= self.age(p) < 75 and rng.random() < 0.3:
                lists[p.sex].append(p)
        pairs, _ = self.match_ages(lists["M"], lists["K"], 2.0, 6.0)
        for a, b in pairs:
            lo = max(self.earliest_own_home(a), self.earliest_own_home(b))
            u = Union(a, b, "C", self.uniform(lo, self.T - 2))
            a.add_union(u)
            b.add_union(u)
            a.state = "CF" if a.state == "F" else "C"
            b.state = "CF" if b.state == "F" else "C"
            self.households.append(("pair", [a, b], u))

    def origins(self) -> None:
        """Foreign citizenship and birth abroad, decided per household."""
        rng, T = self.rng, self.T
        absent = []
        for kind, members, _u in self.households:
            if members[0].role == "absent":
                absent.append(members[0])
                continue
            adults = [p for p in members if p.birth <= self.adult_cut and p.state != "kid"]
            if not adults:
                continue
            ref = adults[0]
            age = self.age(ref)
            if any(p.state == "E" for p in adults) or kind == "special":
                continue
            chance = 0.2 if age < 30 else 0.17 if age < 45 else 0.09 if age < 60 else 0.03
            if rng.random() >= chance:
                continue
            country = FOREIGN_CITIZENSHIPS(rng)
            group = COUNTRY_GROUP[country]
            youngest_adult = max(p.birth for p in adults)
            arrival = T - 1 - years(rng.random() * min(25.0, max(0.2, (T - youngest_adult) / YEAR - 18)))
            arrival = max(arrival, youngest_adult + Y18)
            arrival = min(arrival, T - 2)
            naturalise = arrival + years(9 + rng.random() * 8) if rng.random() < 0.3 else None
            for p in members:
                p.group = group
                p.country = country
                if p.birth < arrival:
                    p.arrival = arrival
                if naturalise is not None and naturalise < T - 30:
                    if p.birth < naturalise:
                        p.old_country, p.country, p.naturalised = country, DENMARK, naturalise
                    else:  # born to parents who were Danish citizens by then
                        p.country = DENMARK
            for p in members:  # relatives abroad or dead share the origin of their resident
                if p.unions:
                    for un in p.unions:
                        o = un.other(p)
                        if o.link is p:
                            o.group, o.country = group, p.country if p.naturalised is None else country
        # a parent living apart from the children shares their family's origin
        for p in absent:
            kid = p.kids[0] if p.kids else None
            other = None if kid is None else kid.mother if kid.father is p else kid.father
            if other is None or other.group is None:
                continue
            p.group = other.group
            p.country = other.old_country or other.country
            if other.arrival is not None:
                p.arrival = max(other.arrival, p.birth + Y18)

    def place_households(self) -> None:
        """Addresses and move-in days for every household, with earlier addresses."""
        rng, T, mk = self.rng, self.T, self.addresses
        for kind, members, u in self.households:
            if kind == "special":
                p = members[0]
                muni = mk.municipality(rng)
                postal, district = mk.postal_main(muni)
                address = (muni, SPECIAL_ROAD, None, None, None, postal, district, None, None)
                start = self.uniform(max(p.birth + Y18, T - years(6)), T - 2)
                self.history(p, start, muni)
                p.add_addr(address, start, None)
                p.muni = muni
                continue
            young = kind in ("share", "single") and self.age(members[0]) < 30
            muni = mk.municipality(rng, 0.4 if young else 0.0)
            flat_bias = 0.3 if kind == "share" or young else -0.1 if kind == "family" else 0.0
            address = mk.address(rng, muni, flat_bias)
            for p in members:
                p.muni = muni
            if kind == "family":
                self.place_family(members, u, address)
            elif kind == "separated":
                self.place_separated(u, address)
            elif kind == "pair":
                self.place_pair(members, u, address)
            else:
                for p in members:
                    lo = self.earliest_own_home(p)
                    if p.state == "E" and p.unions:
                        self.widow_home(p, address)
                        continue
                    start = self.uniform(lo, T - 2)
                    self.history(p, start, muni)
                    p.add_addr(address, start, None)

    def earliest_own_home(self, p: Person) -> int:
        lo = p.birth + Y18
        if p.arrival is not None:
            lo = max(lo, p.arrival)
        for u in p.unions or ():
            if u.end is not None and u.died is None:
                lo = max(lo, u.end)  # moved out at the divorce
        return min(lo, self.T - 2)

    def history(self, p: Person, until: int, muni: str, chance: float = 0.65) -> None:
        """Maybe one or two earlier addresses of an adult, ending on ``until``."""
        rng = self.rng
        lo = p.birth + Y18 if p.arrival is None else p.arrival
        if until - lo < 400 or rng.random() >= chance:
            return
        rows = []
        end = until
        for _ in range(1 if rng.random() < 0.7 else 2):
            start = max(lo, end - 60 - years(rng.random() * 9))
            if end - start < 60:
                break
            other = muni if rng.random() < 0.55 else self.addresses.municipality(rng)
            rows.append((self.addresses.address(rng, other), start, end))
            end = start
        for address, start, end in reversed(rows):
            p.add_addr(address, start, end)

    def place_family(self, members: list[Person], u: Union | None, address: Address) -> None:
        rng, T = self.rng, self.T
        kids = [p for p in members if p.role == "kid"]
        adults = [p for p in members if p.role != "kid"]
        lo = max([a.birth + Y18 for a in adults] + [a.arrival or 0 for a in adults]) if adults else kids[0].birth
        lo = min(lo, T - 2)
        move_in = self.uniform(lo, T - 2)
        oldest = min(k.birth for k in kids)
        earlier = None
        if oldest < move_in or rng.random() < 0.5:
            p1 = min(oldest, move_in - 365) - years(rng.random() * 4)
            p1 = max(p1, max([a.birth + Y18 for a in adults] + [a.arrival or 0 for a in adults] + [0]))
            if move_in - p1 > 60:
                earlier = (self.addresses.address(rng, members[0].muni if rng.random() < 0.6
                                                  else self.addresses.municipality(rng)), p1)
        for a in adults:
            if earlier is not None:
                self.history(a, earlier[1], members[0].muni, 0.5)
                a.add_addr(earlier[0], earlier[1], move_in)
            else:
                self.history(a, move_in, members[0].muni)
            a.add_addr(address, move_in, None)
        for k in kids:
            first = k.birth if k.arrival is None else k.arrival
            if first < move_in and earlier is not None:
                k.add_addr(earlier[0], max(first, earlier[1]), move_in)
                k.add_addr(address, move_in, None)
            else:
                k.add_addr(address, max(first, move_in) if first < move_in else first, None)

    def place_pair(self, members: list[Person], u: Union, address: Address) -> None:
        T = self.T
        a, b = members[0], members[1]
        lo = max(self.earliest_own_home(a), self.earliest_own_home(b), u.start - 700)
        lo = min(lo, T - 2)
        move_in = self.uniform(lo, T - 2)
        for p in (a, b):
            self.history(p, move_in, p.muni, 0.7)
            p.add_addr(address, move_in, None)
        for k in members[2:]:
            first = k.birth if k.arrival is None else k.arrival
            if first < move_in and k.mother is not None and k.mother.addrs and len(k.mother.addrs) > 1:
                prev = k.mother.addrs[-2]
                k.add_addr(prev[0], max(first, prev[1]), move_in)
                k.add_addr(address, move_in, None)
            else:
                k.add_addr(address, max(first, move_in), None)

    def place_separated(self, u: Union, address: Address) -> None:
        rng = self.rng
        a, b = (u.a, u.b) if rng.random() < 0.5 else (u.b, u.a)
        lo = max(a.birth + Y18, b.birth + Y18, u.start - 700, a.arrival or 0, b.arrival or 0)
        together = self.uniform(min(lo, u.sep - 60), u.sep - 30)
        for p in (a, b):
            self.history(p, together, p.muni, 0.6)
            p.add_addr(address, together, None if p is a else u.sep)
        new = self.addresses.address(rng, self.addresses.municipality(rng))
        b.add_addr(new, u.sep, None)
        b.muni = new[0]

    def widow_home(self, p: Person, address: Address) -> None:
        """A widow(er) in the couple's home, or moved after the death; the dead spouse's last
        address is the couple's home."""
        rng, T = self.rng, self.T
        u = p.unions[-1]
        spouse = u.other(p)
        lo = max(p.birth + Y18, spouse.birth + Y18, u.start - 365, p.arrival or 0)
        together = self.uniform(min(lo, u.end - 30), u.end - 30)
        spouse.muni = address[0]
        if rng.random() < 0.75:
            self.history(p, together, p.muni, 0.5)
            p.add_addr(address, together, None)
            spouse.add_addr(address, together, u.end)
        else:
            old = self.addresses.address(rng, p.muni)
            moved = self.uniform(u.end + 30, T - 2)
            p.add_addr(old, together, moved)
            p.add_addr(address, moved, None)
            spouse.add_addr(old, together, u.end)

    # 5. the dead, the emigrated and the others

    def last_address(self, members: list[Person], end: int, lo: int | None = None) -> None:
        """The last Danish address of persons who left it on ``end`` (death, exit, ...)."""
        rng = self.rng
        muni = self.addresses.municipality(rng)
        address = self.addresses.address(rng, muni)
        starts = []
        for p in members:
            first = p.birth if p.arrival is None else p.arrival
            if lo is not None:
                first = max(first, lo)
            starts.append(first)
        adult_start = max(starts)
        start = self.uniform(adult_start, end - 30) if end - 30 > adult_start else adult_start
        for p, first in zip(members, starts, strict=True):
            p.muni = muni
            if p.addrs:  # a structural person may already have one (the widow's home)
                continue
            s = max(first, start) if p.birth + Y18 < end else first
            if s >= end:
                s = max(first, end - 1)
            p.add_addr(address, s, end)

    def dead_fillers(self) -> None:
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
        rng = self.rng
        while True:
            a0 = DEATH_AGE(rng)
            age = a0 + 5 * rng.random() if a0 else 5 * rng.random() ** 4
            if age >= minimum:
                return age

    def dead_couple(self) -> None:
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
        rng, T = self.rng, self.T
        died = self.uniform(CPR_START, T - 2)
        age = self._death_age()
        sex = "M" if rng.random() < 0.5 else "K"
        p = self.new(sex, max(FIRST_BIRTH + 400, died - years(age)), hi=died - 1)
        p.status, p.end, p.role = "90", died, "gone"
        self.last_address([p], died)

    def emigrant_fillers(self) -> None:
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
        rng = self.rng
        if dest is None:
            dest = members[0].country if members[0].country != DENMARK else EMIGRATION_DESTINATIONS(rng)
        lines = foreign_address(dest, rng)
        self.last_address(members, exit_day)
        for p in members:
            p.exit_country, p.exit_lines = dest, lines

    def other_fillers(self) -> None:
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

    # 7. names and the rest

    def names(self) -> None:
        rng = self.rng
        for p in sorted(self.persons, key=lambda p: p.birth):
            year = datetime.date.fromordinal(p.birth).year
            g = p.group
            if g is None:
                first = nm.danish_first_name(p.sex, year, rng)
                if rng.random() < 0.14:
                    second = nm.danish_first_name(p.sex, year, rng)
                    if second != first:
                        first = f"{first} {second}"
                mo, fa = p.mother, p.father
                if fa is not None and fa.group is None and (mo is None or rng.random() < 0.75):
                    last = fa.birth_last
                elif mo is not None and mo.group is None:
                    last = mo.birth_last
                else:
                    last = nm.surname(rng)
                middle = None
                if mo is not None and mo.birth_last != last and mo.group is None and rng.random() < 0.35:
                    middle = mo.birth_last
                elif rng.random() < 0.13:
                    middle = nm.middle_name(rng)
                    if middle == last:
                        middle = None
                p.first, p.middle, p.birth_last = first, middle, last
                p.last = last
            else:
                p.first = nm.foreign_first_name(g, p.sex, rng)
                fa = p.father
                base = fa.birth_last if fa is not None and fa.group == g else nm.foreign_surname(g, "M", rng)
                p.birth_last = base
                p.last = nm.feminine(g, base) if p.sex == "K" else base
                p.middle = None
        # married women who took their husband's name
        for p in self.persons:
            if p.sex != "K" or not p.unions:
                continue
            u = None
            for cand in p.unions:
                if cand.kind == "G" and cand.other(p).sex == "M":
                    u = cand
            if u is None:
                continue
            husband = u.other(p)
            if husband.group != p.group or (p.group not in (None, "pl")):
                continue
            year = datetime.date.fromordinal(u.start).year
            chance = 0.85 if year < 1970 else 0.55 if year < 1990 else 0.35 if year < 2010 else 0.25
            new_last = husband.birth_last if p.group is None else nm.feminine("pl", husband.birth_last)
            if new_last == p.last or rng.random() >= chance:
                continue
            if u.start <= (p.arrival or p.birth) or (p.end is not None and u.start >= p.end):
                continue
            p.old_name = (p.first, p.middle, p.last)
            p.name_from = u.start
            if p.group is None and rng.random() < 0.5:
                p.middle = p.last
            p.last = new_last

    def attributes(self) -> None:
        rng, T = self.rng, self.T
        adult_cut = self.adult_cut
        for p in self.persons:
            year = datetime.date.fromordinal(p.birth).year
            foreign = p.country != DENMARK or p.old_country is not None
            # church
            first_day = p.arrival if p.arrival is not None else p.birth
            if rng.random() < CHURCH_MEMBER(year, p.old_country or (p.country if foreign else None)):
                p.church = "F"
                p.church_from = first_day + (60 + int(rng.random() * 120) if p.arrival is None else 30)
                if p.end is not None and p.church_from >= p.end:
                    p.church_from = first_day
                p.church_from = min(p.church_from, T - 1)
            else:
                p.church_from = first_day
                if not foreign and p.birth <= adult_cut and rng.random() < 0.18:
                    left = self.uniform(max(p.birth + Y18, CPR_START), (p.end or T) - 2)
                    if p.birth + Y18 < left < (p.end or T):
                        p.church_left = left
            if p.status == "01" and p.birth <= adult_cut:
                age = self.age(p)
                r = rng.random()
                if age >= 67:
                    if r < 0.55:
                        p.occupation = "Pensionist"
                elif age < 26 and r < 0.25:
                    p.occupation = "Studerende"
                elif r < 0.32:
                    p.occupation = OCCUPATIONS(rng)
                # protection
                if rng.random() < 0.2:
                    p.protections = [("0003", self.uniform(max(p.birth + Y18, 730120), T - 2), None)]
                if rng.random() < 0.04:
                    self.protect(p, "0002", self.uniform(max(p.birth + Y18, 730120), T - 2), None)
                if rng.random() < 0.0005:
                    start = self.uniform(T - years(5), T - 2)
                    self.protect(p, "0005", start, start + years(5))
                if rng.random() < 0.0006:
                    self.guardianship(p)
        # name and address protection, household by household
        for _kind, members, _u in self.households:
            if rng.random() < 0.004:
                start = self.uniform(T - years(6), T - 2)
                anniversary = start + 365
                while anniversary <= T:
                    anniversary += 365
                for p in members:
                    if p.status == "01":
                        self.protect(p, "0001", max(start, p.birth), anniversary)

    def protect(self, p: Person, kind: str, start: int, end: int | None) -> None:
        if p.protections is None:
            p.protections = []
        elif any(t == kind for t, _, _ in p.protections):
            return
        p.protections.append((kind, start, end))

    def guardianship(self, p: Person) -> None:
        T = self.T
        start = self.uniform(p.birth + Y18, T - 2)
        candidates = [q for q in (p.mother, p.father, *(p.kids or ()))
                      if q is not None and q.status == "01" and q.birth + Y18 < start]
        if p.unions:
            u = p.unions[-1]
            if u.end is None and u.other(p).status == "01":
                candidates.append(u.other(p))
        if candidates:
            p.guardian = (candidates[0], start)
        else:
            p.guardian = (None, start)


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
