"""Steps 1, 2 and 6: residents drawn from the age pyramid, minors given parents, lineages.

Step 1 draws the residents by sex and age and puts the adults in pools to pick partners and
parents from. Step 2 groups the minors into siblings and gives them a mother and a father from
those pools (a couple, married or not, or a single parent whose ex-partner lives elsewhere, has
emigrated or is dead), and sometimes a grown-up child still at home. Step 6, after everyone is
made, links adults (and the dead and emigrated) to parents where a couple of the right age
exists.
"""

from __future__ import annotations

from opencpr.population.demography import MOTHER_AGE, PYRAMID, Weighted
from opencpr.population.model import YEAR, NoParent, Person, Union, years
from opencpr.population.shard import ShardBase

__all__ = ["FamilySteps"]

_FAMILY_TYPE = Weighted([("married", 50), ("cohabiting", 27), ("mother", 19), ("father", 4)])
_SIBLINGS = Weighted([(1, 45), (2, 40), (3, 12), (4, 3)])


class FamilySteps(ShardBase):
    """Residents, families and lineages (steps 1, 2 and 6)."""

    # 1. residents

    def residents(self) -> None:
        """Step 1: the residents (status 01 and 03) by sex and age, and the pools of adults."""
        rng, T = self.rng, self.T
        n = self.quota["01"] + self.quota["03"]
        self.living = []
        for _ in range(n):
            sex, age0 = PYRAMID(rng)
            birth = T - 1 - int((age0 + 5 * rng.random()) * YEAR)
            p = self.new(sex, birth, birth - 120, birth + 120)
            self.living.append(p)
        # pools of adult residents by sex and age in whole years, in random order
        self.pool = {"M": {}, "K": {}}
        for p in self.living:
            if p.birth <= self.adult_cut:
                self.pool[p.sex].setdefault(int(self.age(p)), []).append(p)
        for by_age in self.pool.values():
            for lst in by_age.values():
                rng.shuffle(lst)

    def pick(self, sex: str, age: float, spread: int, ok) -> Person | None:
        """An unplaced adult resident of ``sex`` near ``age`` for whom ``ok(p)`` holds."""
        by_age = self.pool[sex]
        a0 = int(age)
        for d in range(spread + 1):
            for a in ((a0,) if d == 0 else (a0 - d, a0 + d)):
                lst = by_age.get(a)
                if not lst:
                    continue
                while lst and lst[-1].role is not None:
                    lst.pop()
                if not lst:
                    continue
                # look at a few candidates from the end
                for i in range(len(lst) - 1, max(-1, len(lst) - 5), -1):
                    p = lst[i]
                    if p.role is None and ok(p):
                        lst[i] = lst[-1]
                        lst.pop()
                        return p
        return None

    # 2. minors and their parents

    def families(self) -> None:
        """Step 2: minors grouped into siblings, each group given parents (:meth:`family`)."""
        rng = self.rng
        minors = [p for p in self.living if p.birth > self.adult_cut]
        by_age: dict[int, list[Person]] = {}
        for p in minors:
            by_age.setdefault(int(self.age(p)), []).append(p)
        for lst in by_age.values():
            rng.shuffle(lst)
        order = list(minors)
        rng.shuffle(order)
        for m in order:
            if m.role is not None:
                continue
            m.role = "kid"
            group = [m]
            for _ in range(_SIBLINGS(rng) - 1):
                ref = group[int(rng.random() * len(group))]
                gap = 1.3 + rng.random() * 5
                target = int(self.age(ref) + (gap if rng.random() < 0.5 else -gap))
                lst = by_age.get(target)
                while lst and lst[-1].role is not None:
                    lst.pop()
                if not lst:
                    continue
                sib = lst[-1]
                if all(abs(sib.birth - g.birth) > 300 for g in group):
                    lst.pop()
                    sib.role = "kid"
                    group.append(sib)
            group.sort(key=lambda p: p.birth)
            self.family(group)
        for p in minors:
            if p.role == "grown":
                p.role = None

    def family(self, kids: list[Person]) -> None:
        """Parents, their union, custody and household for ``kids`` (siblings, oldest first)."""
        try:
            self._family(kids)
        except NoParent:
            self.grow_up(kids)

    def _family(self, kids: list[Person]) -> None:
        rng, T = self.rng, self.T
        oldest, youngest = kids[0], kids[-1]
        kind = _FAMILY_TYPE(rng)
        span = (youngest.birth - oldest.birth) / YEAR
        mother_age = min(MOTHER_AGE(rng) + rng.random(), 45 - span)
        mother_age = max(mother_age, 18.5)

        def fits_mother(w: Person) -> bool:
            return oldest.birth - w.birth >= years(17) and youngest.birth - w.birth <= years(47)

        def fits_father(m: Person) -> bool:
            return oldest.birth - m.birth >= years(18) and youngest.birth - m.birth <= years(62)

        mother = father = None
        at = self.age(oldest) + mother_age
        if kind != "father" or rng.random() < 0.75:
            mother = self.pick("K", at, 3, fits_mother) or self.pick("K", at, 12, fits_mother)
        if mother is None:
            # no resident woman fits: the mother is dead or abroad; the father raises the kids
            mother = self.absent_parent("K", oldest, youngest, at)
            kind = "father"
        father_at = self.age(mother) + rng.gauss(2.5, 3.5)
        if kind in ("married", "cohabiting", "father") or rng.random() < 0.8:
            father = self.pick("M", father_at, 3, fits_father) or self.pick("M", father_at, 12, fits_father)
        if father is None and kind == "father":
            father = self.pick("M", father_at, 40, fits_father)
        if father is None:
            father = self.absent_parent("M", oldest, youngest, father_at)
            if kind in ("married", "cohabiting"):
                kind = "mother"
            if kind == "father":
                kind = "mother"
                if mother.status != "01":  # neither parent lives here
                    raise NoParent
        if mother.role is None:
            mother.role = "parent"
        if father.role is None:
            father.role = "parent"
        resident = {"married": (mother, father), "cohabiting": (mother, father),
                    "mother": (mother,), "father": (father,)}[kind]
        for p in (mother, father):
            if p not in resident and p.status == "01" and p.role == "parent":
                p.role = "absent"
        # their union
        union = None
        younger = max(mother.birth, father.birth)
        if kind == "married":
            start = oldest.birth + int(rng.gauss(0, 3) * YEAR)
            start = min(max(start, younger + years(19)), T - 30)
            union = Union(father, mother, "G", start)
        elif kind == "cohabiting":
            union = Union(father, mother, "C", max(younger + years(18), oldest.birth - years(rng.random() * 3)))
        elif rng.random() < 0.45 and mother.status == "01" and father.status == "01":
            # married once, divorced since
            start = min(max(oldest.birth - years(rng.random() * 3), younger + years(19)), T - 400)
            end = self.uniform(max(start + 365, youngest.birth + 180), T - 30)
            if start > younger + years(18) and end < T - 20:
                union = Union(father, mother, "G", start)
                union.end = end
        if union is not None:
            mother.add_union(union)
            father.add_union(union)
        for kid in kids:
            self.link_parents(kid, mother, father)
        # custody (forældremyndighed): both parents unless one is dead or single parenthood
        joint = kind in ("married", "cohabiting") or (union is not None) or rng.random() < 0.55
        for kid in kids:
            cust = []
            if not mother.dead and (kind != "father" or joint):
                cust.append(("0003", kid.birth))
            if not father.dead and (kind != "mother" or joint):
                cust.append(("0004", kid.birth))
            kid.custody = cust
        members = list(resident) + kids
        # a grown-up child may still live at home
        if rng.random() < 0.45:
            adult = self.pick(
                "K" if rng.random() < 0.45 else "M", 18 + rng.random() * 6, 2,
                lambda c: (c.birth - mother.birth >= years(18) and c.birth - mother.birth <= years(44)
                           and c.birth - father.birth >= years(18)
                           and all(abs(c.birth - k.birth) > 300 for k in kids)))
            if adult is not None:
                adult.role = "kid"
                self.link_parents(adult, mother, father)
                members.append(adult)
        self.households.append(("family", members, union))

    def absent_parent(self, sex: str, oldest: Person, youngest: Person, age_then: float) -> Person:
        """A parent who is not a resident: dead since the youngest was born, or emigrated."""
        rng, T = self.rng, self.T
        birth = self.T - years(age_then)
        birth = min(birth, oldest.birth - years(18 if sex == "K" else 19))
        dead_first = rng.random() < 0.45
        options = ("90", "80") if dead_first else ("80", "90")
        if youngest.birth + 30 > T - 2:
            options = ()  # a baby's parents are both still here
        for status in options:
            if self.take_quota(status):
                p = self.new(sex, birth, hi=oldest.birth - years(17))
                p.status = status
                p.end = self.uniform(youngest.birth + 30, T - 2)
                p.role = "gone"
                return p
        # no quota left: an unplaced resident of any fitting age
        p = self.pick(sex, age_then, 60, lambda c: (oldest.birth - c.birth >= years(17)
                                                    and youngest.birth - c.birth <= years(65)))
        if p is None:
            raise NoParent
        p.role = "absent"
        return p

    def grow_up(self, kids: list[Person]) -> None:
        """Minors no parent can be found for (only in tiny populations) become young adults."""
        for kid in kids:
            kid.role = "grown"  # an adult from now on; placed with the other adults
            birth = self.T - years(19 + self.rng.random() * 30)
            kid.pnr, kid.birth = self.alloc.allocate(birth, kid.sex, birth - 40, birth + 40)

    # 6. lineages

    def lineages(self) -> None:
        """Link adults (and the dead and emigrated) to parents where a couple fits."""
        rng = self.rng
        couples: dict[int, list[tuple[Person, Person]]] = {}
        seen = set()
        for p in self.persons:
            if p.sex != "K" or not p.unions:
                continue
            for u in p.unions:
                o = u.other(p)
                if o.sex == "M" and (p.idx, o.idx) not in seen:
                    seen.add((p.idx, o.idx))
                    couples.setdefault(int(p.birth / YEAR), []).append((p, o))
        for p in self.persons:
            if p.mother is not None or p.arrival is not None or p.birth > self.adult_cut:
                continue
            age = self.age(p)
            if p.status == "90":
                chance = 0.3
            elif p.status != "01":
                chance = 0.5
            else:
                chance = 0.85 if age < 30 else 0.75 if age < 45 else 0.6 if age < 60 else 0.4 if age < 75 else 0.15
            if rng.random() >= chance:
                continue
            target = int((p.birth - years(MOTHER_AGE(rng))) / YEAR)
            done = False
            for dy in (0, 1, -1, 2, -2, 3, -3):
                lst = couples.get(target + dy)
                if not lst:
                    continue
                for _ in range(3):
                    mother, father = lst[int(rng.random() * len(lst))]
                    if self.can_be_child(p, mother, father):
                        self.link_parents(p, mother, father)
                        done = True
                        break
                if done:
                    break

    def can_be_child(self, c: Person, mother: Person, father: Person) -> bool:
        """Whether ``c`` can be the child of ``mother`` and ``father`` (ages, origin, family ties)."""
        b = c.birth
        if not (years(17) <= b - mother.birth <= years(46) and years(17) <= b - father.birth <= years(65)):
            return False
        if mother.group != c.group or c in (mother, father):
            return False
        for u in c.unions or ():  # not the parent of a spouse, nor a spouse's sibling
            o = u.other(c)
            if o is mother or o is father or (o.mother is not None and o.mother is mother):
                return False
        if c.kids and any(k.mother is mother or k.father is father for k in c.kids):
            return False
        if mother.status in ("90", "80", "70") and mother.end <= b:
            return False
        if father.status in ("90", "80", "70") and father.end <= b - 280:
            return False
        if (mother.arrival or 0) > b or (father.arrival or 0) > b:
            return False
        kids = mother.kids or ()
        if len(kids) >= 6 or len(father.kids or ()) >= 8:
            return False
        return all(abs(k.birth - b) > 300 for k in kids)
