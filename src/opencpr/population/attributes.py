"""Step 7: names and the other attributes of every person made.

Names are Danish by generation (children take a parent's surname, sometimes the mother's as a
middle name) or foreign for foreign families; married women may have taken their husband's
name. Then church membership, occupation, name and address protection and guardianship.
"""

from __future__ import annotations

import datetime

from opencpr.population import names as nm
from opencpr.population.demography import CHURCH_MEMBER, OCCUPATIONS
from opencpr.population.model import CPR_START, DENMARK, Y18, Person, years
from opencpr.population.shard import ShardBase

__all__ = ["AttributeSteps"]


class AttributeSteps(ShardBase):
    """Names, church, occupation, protection and guardianship (step 7)."""

    # 7. names and the rest

    def names(self) -> None:
        """First, middle and last names, oldest first (children take their parents' names)."""
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
        """Church, occupation, protection and guardianship of every person."""
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
        """A protection of ``kind`` for ``p`` from ``start``, unless ``p`` has one already."""
        if p.protections is None:
            p.protections = []
        elif any(t == kind for t, _, _ in p.protections):
            return
        p.protections.append((kind, start, end))

    def guardianship(self, p: Person) -> None:
        """A guardian for ``p``: a resident relative if there is one, else a lawyer."""
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
