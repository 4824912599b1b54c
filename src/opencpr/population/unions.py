"""Step 3: civil states of the adults not placed in a family, and former spouses.

Each adult gets a civil state by age and sex: married couples (a few of the same sex, who
were registered partners before 2012), cohabiting couples, widows and widowers (whose spouse
is made among the dead), divorced persons and singles; some married persons married before.
Divorced and remarried persons are then paired with their former spouses: each other where
their ages fit, otherwise someone who has died or emigrated since.
"""

from __future__ import annotations

from opencpr.population.demography import civil_state_probabilities
from opencpr.population.model import PARTNERSHIPS_FROM, SAME_SEX_MARRIAGE_FROM, YEAR, Person, Union, years
from opencpr.population.shard import ShardBase

__all__ = ["UnionSteps"]


class UnionSteps(ShardBase):
    """Civil states, couples, widows, divorces and former spouses (step 3)."""

    # 3. the other adults

    def adult_states(self) -> None:
        """Step 3: a civil state for every adult resident not placed in a family."""
        rng, T = self.rng, self.T
        married: dict[str, list[Person]] = {"M": [], "K": []}
        cohab: dict[str, list[Person]] = {"M": [], "K": []}
        self.divorced = []
        self.singles = []
        self.pairs = []
        for p in self.living:
            if p.role is not None or p.birth > self.adult_cut:
                continue
            age = self.age(p)
            m, w, d, c = civil_state_probabilities(int(age), p.sex)
            r = rng.random()
            if r < m:
                married[p.sex].append(p)
            elif r < m + w and age >= 30:
                if self.widow(p):
                    continue
                self.singles.append(p)
            elif r < m + w + d and age >= 23:
                p.state = "F"
                self.divorced.append(p)
                self.singles.append(p)
            elif r < m + w + d + c:
                cohab[p.sex].append(p)
            else:
                self.singles.append(p)
            p.role = "adult"
        # a few same-sex couples
        same: dict[str, list[Person]] = {}
        for sex in ("M", "K"):
            lst = married[sex]
            k = int(len(lst) * 0.012) // 2 * 2
            same[sex] = [lst.pop(int(rng.random() * len(lst))) for _ in range(k)]
        for kind, lists in (("G", married), ("C", cohab)):
            pairs, left = self.match_ages(lists["M"], lists["K"])
            self.singles.extend(left)
            for a, b in pairs:
                self.pairs.append(self.couple(a, b, kind))
        for sex in ("M", "K"):
            lst = sorted(same[sex], key=lambda p: p.birth)
            for i in range(0, len(lst) - 1, 2):
                self.pairs.append(self.couple(lst[i], lst[i + 1], "G"))
        # remarried: some married persons had an earlier marriage
        for u in self.pairs:
            if u.kind != "C":
                for p in (u.a, u.b):
                    if (self.age(p) >= 35 and u.start - p.birth > years(26) and rng.random() < 0.17):
                        p.remarried = True
        for _kind, _members, u in self.households:
            if u is not None and u.kind == "G" and u.end is None:
                for p in (u.a, u.b):
                    if self.age(p) >= 35 and u.start - p.birth > years(27) and rng.random() < 0.15:
                        p.remarried = True
        # a few married couples live apart (separated)
        for u in self.pairs:
            if u.kind == "G" and u.a.sex != u.b.sex and rng.random() < 0.015 and T - u.start > 400:
                u.sep = self.uniform(u.start + 200, T - 30)

    def match_ages(self, men: list[Person], women: list[Person], spread: float = 1.5,
                   tolerance: float = 5.0) -> tuple[list[tuple[Person, Person]], list[Person]]:
        """Couples of a man and a woman about 2.5 years younger, give or take ``spread``: a merge
        of the two lists sorted by age that never pairs persons more than ``tolerance`` years
        from that. Returns the couples and the persons left over."""
        rng = self.rng
        mk = sorted([(p.birth + rng.gauss(0, spread) * YEAR, p.idx, p) for p in men])
        wk = sorted([(p.birth - 2.5 * YEAR + rng.gauss(0, spread) * YEAR, p.idx, p) for p in women])
        tol = tolerance * YEAR
        pairs: list[tuple[Person, Person]] = []
        left: list[Person] = []
        i = j = 0
        while i < len(mk) and j < len(wk):
            d = mk[i][0] - wk[j][0]
            if -tol <= d <= tol:
                pairs.append((mk[i][2], wk[j][2]))
                i += 1
                j += 1
            elif d < 0:
                left.append(mk[i][2])
                i += 1
            else:
                left.append(wk[j][2])
                j += 1
        left.extend(x[2] for x in mk[i:])
        left.extend(x[2] for x in wk[j:])
        return pairs, left

    def couple(self, a: Person, b: Person, kind: str) -> Union:
        """A union of ``kind`` between ``a`` and ``b``, with a start day that fits their ages."""
        rng, T = self.rng, self.T
        younger = max(a.birth, b.birth)
        if kind == "C":
            start = younger + years(18 + abs(rng.gauss(5, 5)))
        else:
            start = younger + years(20 + abs(rng.gauss(8, 6)))
        start = min(start, T - 30 - int(rng.random() * 700))
        start = max(start, younger + years(18))
        if kind == "G" and a.sex == b.sex:
            start = max(start, PARTNERSHIPS_FROM)
            kind = "P" if start < SAME_SEX_MARRIAGE_FROM else "G"
        u = Union(a, b, kind, start)
        a.add_union(u)
        b.add_union(u)
        a.state = b.state = kind
        return u

    def widow(self, p: Person) -> bool:
        """Make ``p`` a widow(er): a dead spouse and the marriage ended by the death."""
        rng, T = self.rng, self.T
        if not self.take_quota("90"):
            return False
        age = self.age(p)
        widowed_years = rng.random() * min(30.0, max(0.5, age - 45))
        died = T - 30 - years(widowed_years)
        died = max(died, p.birth + years(26))
        same_sex = rng.random() < 0.02 and died - PARTNERSHIPS_FROM > 800
        shift = 0.0 if same_sex else -2.5 if p.sex == "K" else 2.5
        sp_birth = p.birth + years(shift + rng.gauss(0, 2))
        sex = p.sex if same_sex else "M" if p.sex == "K" else "K"
        spouse = self.new(sex, sp_birth, hi=died - years(24))
        spouse.status = "90"
        spouse.end = died
        spouse.role = "gone"
        spouse.link = p
        younger = max(p.birth, spouse.birth)
        start = younger + years(20 + abs(rng.gauss(5, 4)))
        start = min(start, died - 365)
        start = max(start, younger + years(18))
        kind = "G"
        if same_sex:
            start = max(start, PARTNERSHIPS_FROM)
            kind = "P" if start < SAME_SEX_MARRIAGE_FROM else "G"
        u = Union(spouse, p, kind, start)
        u.end = died
        u.died = spouse
        p.add_union(u)
        spouse.add_union(u)
        p.state = "E"
        self.singles.append(p)
        p.role = "adult"
        return True

    # exes

    def former_spouses(self) -> None:
        """Pair divorced and remarried persons with their former spouses."""
        people = [p for p in self.divorced]
        for p in self.living:
            if p.remarried:
                people.append(p)
        pairs, left = self.match_ages([p for p in people if p.sex == "M"],
                                      [p for p in people if p.sex == "K"], 2.0, 6.0)
        for a, b in pairs:
            if not self.divorce(a, b):
                left.extend((a, b))
        for p in left:
            self.lone_former_spouse(p)

    def _limit(self, p: Person) -> int:
        """Latest day a former marriage of ``p`` may have ended."""
        hi = self.T - 60
        if p.remarried and p.unions:
            hi = min(hi, min(u.start for u in p.unions) - 60)
        return hi

    def divorce(self, a: Person, b: Person) -> bool:
        """A former marriage of ``a`` and ``b``; False if their ages leave no room for one."""
        rng = self.rng
        lo = max(a.birth, b.birth) + years(19)
        hi = min(self._limit(a), self._limit(b))
        if hi - lo < 800:
            return False
        start = lo + int(rng.random() * (hi - lo - 400) * 0.7)
        end = self.uniform(start + 365, hi)
        u = Union(a, b, "G", start)
        u.end = end
        if rng.random() < 0.3:
            u.sep = max(start + 30, end - int(rng.random() * 365))
        a.add_union(u)
        b.add_union(u)
        return True

    def lone_former_spouse(self, p: Person) -> None:
        """A former spouse outside the residents (dead or emigrated since), or none at all.

        A few were registered partners of the same sex (a dissolved partnership, O)."""
        rng = self.rng
        status = "90" if rng.random() < 0.5 else "80"
        hi = self._limit(p)
        lo = p.birth + years(19)
        same_sex = p.state == "F" and rng.random() < 0.03 and hi > PARTNERSHIPS_FROM + 800
        if same_sex:
            lo = max(lo, PARTNERSHIPS_FROM)
        if hi - lo < 800 or not self.take_quota(status):
            self._no_former_spouse(p)
            return
        sex = p.sex if same_sex else "K" if p.sex == "M" else "M"
        shift = 0.0 if same_sex else 2.5 if p.sex == "K" else -2.5
        ex = self.new(sex, p.birth + years(rng.gauss(shift, 3)), hi=p.birth + years(18))
        ex.status = status
        ex.role = "gone"
        ex.end = self.uniform(min(ex.birth + years(19), self.T - 2), self.T - 2)
        lo = max(lo, ex.birth + years(19))
        if hi - lo < 800:  # the ex stays in the register, as someone who has nothing to do with p
            self._no_former_spouse(p)
            return
        ex.link = p
        start = lo + int(rng.random() * (hi - lo - 400) * 0.7)
        end = self.uniform(start + 365, hi)
        ex.end = self.uniform(end + 30, self.T - 2)
        kind = "P" if same_sex and start < SAME_SEX_MARRIAGE_FROM else "G"
        u = Union(ex, p, kind, start)
        u.end = end
        p.add_union(u)
        ex.add_union(u)

    def _no_former_spouse(self, p: Person) -> None:
        """``p`` has no former spouse after all: single (S) instead of divorced, not remarried."""
        if p.state == "F":
            p.state = "S"
            self.divorced.remove(p)
        p.remarried = False
