"""Step 4: households, where they come from, and their addresses.

Couples and singles become households (a young adult may still live with the couple; a few
singles share a flat or have no fixed abode, status 03; some single adults have a new partner).
Each household may be foreign (citizenship, arrival, naturalisation), and gets an address from
the road register with earlier addresses as history. :meth:`HouseholdSteps.last_address` gives
the persons who left (step 5) their last Danish address.
"""

from __future__ import annotations

from opencpr.population.addresses import Address
from opencpr.population.demography import COUNTRY_GROUP, FOREIGN_CITIZENSHIPS
from opencpr.population.model import DENMARK, SPECIAL_ROAD, Y18, YEAR, Person, Union, years
from opencpr.population.shard import ShardBase

__all__ = ["HouseholdSteps"]


class HouseholdSteps(ShardBase):
    """Households, origins and addresses (step 4)."""

    # 4. households

    def households_of_pairs_and_singles(self) -> None:
        """Households of the couples and singles of step 3 (the families are made in step 2)."""
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
        """First day ``p`` can have moved into a home of their own (adult, arrived, divorced)."""
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
        """A family's move-in day, and an earlier home the children may have shared."""
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
        """A couple's move-in day; a grown-up child at home came from the mother's earlier home."""
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
        """A separated couple: one stays in the couple's home, the other moved out at the separation."""
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
