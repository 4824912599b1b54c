"""Demographic tables of the synthetic population: what Denmark's register looks like.

Figures are rounded public facts (Statistics Denmark, 2024-25), good enough to give the
register a believable shape, not to do statistics with:

* the age pyramid of residents by sex in 5-year groups (thousands): 1940s baby boom (now
  75-79), large 1960s cohorts (now 55-64), about 57,000-63,000 births a year lately;
* the share of each status among all persons in CPR (living, dead since CPR began in 1968,
  emigrated, disappeared, administrative numbers);
* ages at death, mothers' ages at birth, civil status by age and sex, foreign citizenships by
  CPR country code, emigration destinations, church membership, occupations.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

__all__ = [
    "CHURCH_MEMBER",
    "COUNTRY_GROUP",
    "DEATH_AGE",
    "EMIGRATION_DESTINATIONS",
    "FOREIGN_CITIZENSHIPS",
    "MOTHER_AGE",
    "OCCUPATIONS",
    "PYRAMID",
    "STATUS_SHARES",
    "Weighted",
    "civil_state_probabilities",
]


class Weighted:
    """Weighted choice among items (precomputed cumulative weights)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: list[tuple[object, float]]):
        self.items = tuple(i for i, _ in pairs)
        self.cum = tuple(accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]

    def share(self, item: object) -> float:
        i = self.items.index(item)
        return (self.cum[i] - (self.cum[i - 1] if i else 0.0)) / self.total


# --- residents by age and sex ------------------------------------------------------------------
# Lower bound of the 5-year group -> (men, women) in thousands, 1 January 2025 (rounded).

_PYRAMID = {
    0: (154, 146), 5: (160, 152), 10: (172, 163), 15: (175, 166), 20: (190, 180),
    25: (205, 195), 30: (190, 183), 35: (175, 170), 40: (170, 170), 45: (185, 184),
    50: (205, 204), 55: (200, 200), 60: (180, 182), 65: (163, 170), 70: (150, 162),
    75: (137, 155), 80: (84, 106), 85: (39, 60), 90: (14, 26), 95: (3, 8), 100: (0.3, 1.2),
}  # fmt: skip

#: (sex, lower age of a 5-year group) of a resident.
PYRAMID = Weighted([(("M", a), m) for a, (m, _) in _PYRAMID.items()]
                   + [(("K", a), k) for a, (_, k) in _PYRAMID.items()])


def pyramid_shares() -> dict[tuple[str, int], float]:
    """Share of each (sex, age group) among residents."""
    return {item: PYRAMID.share(item) for item in PYRAMID.items}


# --- who is in CPR ---------------------------------------------------------------------------
# Of all persons in CPR (about 8.4 million): residents, the dead since 1968, emigrants, ...

STATUS_SHARES: dict[str, float] = {
    "01": 0.7185,  # resident (folkeregistreret)
    "03": 0.0010,  # resident on a special road code (no fixed abode)
    "90": 0.2100,  # dead
    "80": 0.0650,  # emigrated
    "70": 0.0005,  # disappeared
    "20": 0.0050,  # administrative number, no residence in Denmark
}

# --- age at death (share of deaths by 5-year group) ---------------------------------------------

DEATH_AGE = Weighted([
    (0, 1.2), (5, 0.1), (10, 0.1), (15, 0.3), (20, 0.5), (25, 0.5), (30, 0.6), (35, 0.8),
    (40, 1.2), (45, 2.0), (50, 3.0), (55, 4.5), (60, 6.5), (65, 9.0), (70, 11.0), (75, 13.0),
    (80, 15.0), (85, 14.0), (90, 10.0), (95, 4.5), (100, 0.8),
])  # fmt: skip

# --- mother's age at a birth ---------------------------------------------------------------------

MOTHER_AGE = Weighted([
    (18, 2), (19, 3), (20, 4), (21, 5), (22, 6), (23, 7), (24, 8), (25, 9), (26, 10),
    (27, 11), (28, 12), (29, 12), (30, 12), (31, 11), (32, 10), (33, 9), (34, 8), (35, 6),
    (36, 5), (37, 4), (38, 3), (39, 2), (40, 1.5), (41, 1), (42, 0.6),
])  # fmt: skip

# --- civil status of adults by age -------------------------------------------------------------
# For adults not already placed as parents of minors: probabilities of (married to a resident,
# widowed, divorced, cohabiting unmarried); the rest are single and never married.

_CIVIL = {
    # age: (married, widowed, divorced, cohabiting)
    18: (0.01, 0.0, 0.0, 0.10), 25: (0.08, 0.0, 0.004, 0.38), 30: (0.22, 0.0, 0.02, 0.36),
    35: (0.33, 0.002, 0.06, 0.28), 40: (0.40, 0.004, 0.10, 0.22), 45: (0.45, 0.006, 0.13, 0.18),
    50: (0.50, 0.01, 0.16, 0.13), 55: (0.54, 0.02, 0.17, 0.10), 60: (0.57, 0.03, 0.17, 0.08),
    65: (0.61, 0.06, 0.17, 0.05), 70: (0.61, 0.11, 0.16, 0.04), 75: (0.57, 0.19, 0.14, 0.03),
    80: (0.46, 0.33, 0.11, 0.02), 85: (0.32, 0.52, 0.09, 0.01), 90: (0.15, 0.72, 0.07, 0.01),
}  # fmt: skip
_CIVIL_AGES = tuple(sorted(_CIVIL))


def civil_state_probabilities(age: int, sex: str) -> tuple[float, float, float, float]:
    """(married, widowed, divorced, cohabiting) for an adult of ``age`` and ``sex``.

    Old women are more often widows and less often married than old men.
    """
    m, w, d, c = _CIVIL[_CIVIL_AGES[bisect(_CIVIL_AGES, age) - 1]]
    if age >= 65:
        shift = min(w, m) * (0.45 if age >= 80 else 0.35)
        if sex == "K":
            m, w = m - shift, w + shift
        else:
            m, w = m + shift * 0.8, max(0.0, w - shift)
    return m, w, d, c


# --- citizenship ---------------------------------------------------------------------------------
# Foreign citizens resident in Denmark (thousands, rounded) by CPR country code, with the name
# group used for their names.

_FOREIGN = [
    ("5154", 48, "pl"), ("5158", 43, "ro"), ("5704", 36, "ua"), ("5180", 30, "de"),
    ("5486", 24, "ar"), ("5172", 26, "tr"), ("5611", 20, "lt"), ("5150", 20, "it"),
    ("5432", 18, "in"), ("5120", 17, "se"), ("5128", 17, "bg"), ("5170", 17, "en"),
    ("5110", 15, "no"), ("5474", 14, "ph"), ("5164", 13, "es"), ("5448", 11, "cn"),
    ("5390", 10, "en"), ("5130", 10, "fr"), ("5436", 9, "ar"), ("5609", 9, "lt"),
    ("5404", 9, "fa"), ("5438", 8, "fa"), ("5140", 7, "nl"), ("5472", 7, "in"),
    ("5488", 6, "vn"), ("5289", 5, "so"), ("5216", 5, "so"), ("5492", 5, "vn"),
    ("5106", 5, "no"), ("5174", 6, "hu"), ("5700", 4, "ua"), ("5456", 3, "ar"),
    ("5754", 4, "hu"), ("5156", 5, "es"), ("5104", 3, "fi"), ("5142", 3, "en"),
    ("5182", 3, "de"), ("5160", 3, "de"), ("5126", 3, "nl"), ("5306", 3, "es"),
]  # fmt: skip

#: Country code of a foreign citizenship.
FOREIGN_CITIZENSHIPS = Weighted([(code, w) for code, w, _ in _FOREIGN])

#: Name group of each foreign country code.
COUNTRY_GROUP: dict[str, str] = {code: g for code, _, g in _FOREIGN}

#: Where Danes emigrate to (CPR country codes).
EMIGRATION_DESTINATIONS = Weighted([
    ("5120", 14), ("5110", 11), ("5180", 10), ("5170", 12), ("5390", 9), ("5164", 6),
    ("5130", 4), ("5140", 4), ("5160", 4), ("5502", 3), ("5150", 2), ("5314", 2),
    ("5104", 1), ("5106", 1), ("5126", 1), ("5902", 3), ("5448", 1), ("5492", 1),
])  # fmt: skip

#: Countries whose citizens often keep ties to Danish church life.
_CHURCHY = frozenset({"5120", "5110", "5106", "5104", "5180", "5182"})


def church_member_probability(birth_year: int, country: str | None) -> float:
    """Chance of membership of the national church (folkekirken)."""
    if country is not None:
        return 0.35 if country in _CHURCHY else 0.06
    if birth_year < 1940:
        return 0.93
    if birth_year < 1960:
        return 0.89
    if birth_year < 1980:
        return 0.82
    if birth_year < 2000:
        return 0.75
    return 0.72


CHURCH_MEMBER = church_member_probability

# --- occupations (STILLING, free text, 34 characters) ------------------------------------------

OCCUPATIONS = Weighted([
    ("Lærer", 6), ("Sygeplejerske", 5), ("Pædagog", 5), ("Kontorassistent", 4),
    ("Ingeniør", 4), ("Tømrer", 3), ("Elektriker", 3), ("Social- og sundhedsassistent", 4),
    ("Ekspedient", 3), ("Lagerarbejder", 3), ("Chauffør", 3), ("Murer", 1.5),
    ("Landmand", 1.5), ("Læge", 1.5), ("Økonom", 1.5), ("Programmør", 2), ("Sælger", 2.5),
    ("Smed", 2), ("Mekaniker", 1.5), ("Frisør", 1), ("Kok", 1.5), ("Tandlæge", 0.4),
    ("Advokat", 0.6), ("Revisor", 0.8), ("Journalist", 0.5), ("Præst", 0.2),
    ("Politibetjent", 0.8), ("Maler", 1.2), ("VVS-montør", 1.2), ("Rengøringsassistent", 2),
    ("Direktør", 0.8), ("Konsulent", 2), ("Laborant", 0.8), ("Bogholder", 1.5),
    ("Lagerchef", 0.5), ("Fisker", 0.3), ("Gartner", 0.8), ("Tryllekunstner", 0.01),
])  # fmt: skip
