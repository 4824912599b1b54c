"""Addresses for the synthetic population: Danish ones from the road register, foreign ones.

A Danish address is a tuple (municipality, road code, house number, floor, door, postal code,
postal district, road name, standard address) written the way CPR stores it: house numbers as
three digits and an optional letter (``"007"``, ``"077A"``), floors ``"st"``, ``"01"`` …, doors
right-aligned in four characters (``"  tv"``), and the one-line standard address as older CPR
data has it (``"Skovvej 77 A"``, ``"Industrivænget 4,1 tv"``).
"""

from __future__ import annotations

import random
from functools import cache

from opencpr.domain import reference
from opencpr.population.demography import Weighted

__all__ = [
    "Address",
    "AddressMaker",
    "country_name",
    "foreign_address",
    "standard_address",
]

#: (municipality, road, house_no, floor, door, postal_code, postal_district, road_name, standard_address)
Address = tuple[str, str, str, str | None, str | None, str, str, str, str]

#: The big cities, where most people live in flats.
_CITIES = frozenset({"0101", "0147", "0751", "0461", "0851"})

_FLOORS = Weighted([("st", 26), ("01", 24), ("02", 19), ("03", 14), ("04", 9), ("05", 5), ("06", 3)])
_DOORS = Weighted([("  tv", 45), ("  th", 45), ("  mf", 10)])
_LETTERS = "ABCD"


def standard_address(road_name: str, house_no: str, floor: str | None, door: str | None) -> str:
    """One-line address: ``Skovvej 77 A``, ``Egemarksvej 3,5 th``, ``Vestergade 12,st tv``."""
    number = house_no[:3].lstrip("0") or "0"
    text = f"{road_name} {number}"
    if len(house_no) > 3:
        text += f" {house_no[3:]}"
    if floor:
        text += "," + (floor if not floor.isdigit() else str(int(floor)))
        if door:
            text += " " + door.strip()
    return text[:34]


class AddressMaker:
    """Draws addresses: municipality by population, a road of it, a house number, maybe a flat."""

    def __init__(self) -> None:
        infos = reference.municipality_infos()
        self.municipalities = Weighted([(m.code, m.population) for m in infos])
        self.cities = Weighted([(m.code, m.population) for m in infos if m.code in _CITIES])
        self._flat_share = {
            m.code: 0.85 if m.code in _CITIES else 0.45 if m.population >= 90_000
            else 0.3 if m.population >= 45_000 else 0.18
            for m in infos
        }
        self._postal_main = {}
        for m in infos:
            codes = reference.postal_codes_of(m.code, street_only=True) or reference.postal_codes_of(m.code)
            self._postal_main[m.code] = codes[0].code if codes else "0000"

    @staticmethod
    @cache
    def _roads(municipality: str) -> tuple[tuple[str, str, str, int, int, str], ...]:
        return tuple(
            (r.code, r.name, r.postal_code, r.max_odd, r.max_even, reference.postal_district(r.postal_code))
            for r in reference.roads(municipality)
            if r.max_odd or r.max_even
        )

    def municipality(self, rng: random.Random, city_bias: float = 0.0) -> str:
        """A municipality by population; with ``city_bias`` the chance of one of the big cities."""
        if city_bias and rng.random() < city_bias:
            return self.cities(rng)
        return self.municipalities(rng)

    def address(self, rng: random.Random, municipality: str, flat_bias: float = 0.0) -> Address:
        """A dwelling in ``municipality``."""
        roads = self._roads(municipality)
        road, name, postal, max_odd, max_even, district = roads[int(rng.random() * len(roads))]
        if max_odd and (not max_even or rng.random() < 0.5):
            number = 1 + 2 * int(rng.random() * ((max_odd + 1) // 2))
        else:
            number = 2 + 2 * int(rng.random() * (max_even // 2))
        house = f"{number:03d}"
        if rng.random() < 0.05:
            house += _LETTERS[int(rng.random() * 4)]
        floor = door = None
        if rng.random() < self._flat_share[municipality] + flat_bias:
            floor = _FLOORS(rng)
            door = _DOORS(rng)
        return (municipality, road, house, floor, door, postal, district, name,
                standard_address(name, house, floor, door))

    def postal_main(self, municipality: str) -> tuple[str, str]:
        """The first street postal code of a municipality and its district."""
        code = self._postal_main[municipality]
        return code, reference.postal_district(code)


# --- foreign addresses -------------------------------------------------------------------------

_COUNTRY_NAMES = {"5180": "Tyskland", "5262": "Sydafrika", "5170": "Storbritannien"}

# country code -> (postal-code pattern, towns, street words, house number before street?)
_FOREIGN: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], bool]] = {
    "5120": ("### ##", ("Stockholm", "Göteborg", "Malmö", "Uppsala", "Lund", "Helsingborg"),
             ("Storgatan", "Kungsgatan", "Drottninggatan", "Skolgatan", "Björkvägen"), False),
    "5110": ("####", ("Oslo", "Bergen", "Trondheim", "Stavanger", "Kristiansand"),
             ("Storgata", "Kirkeveien", "Parkveien", "Skogveien", "Bjørnstjerne Bjørnsons gate"), False),
    "5180": ("D #####", ("Berlin", "Hamburg", "Flensburg", "Kiel", "München", "Köln"),
             ("Hauptstraße", "Schulstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee"), False),
    "5170": ("", ("London", "Manchester", "Edinburgh", "Bristol", "Oxford"),
             ("High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue"), True),
    "5390": ("", ("New York, NY", "Seattle, WA", "Chicago, IL", "San Francisco, CA", "Boston, MA"),
             ("Main Street", "Oak Avenue", "Maple Drive", "Park Place", "Washington Street"), True),
    "5164": ("#####", ("Málaga", "Madrid", "Barcelona", "Alicante", "Torrevieja"),
             ("Calle Mayor", "Avenida del Mar", "Calle Real", "Paseo Marítimo"), False),
    "5130": ("#####", ("Paris", "Lyon", "Nice", "Bordeaux", "Toulouse"),
             ("rue de la Paix", "avenue Victor Hugo", "rue des Lilas", "boulevard Voltaire"), True),
    "5140": ("#### AB", ("Amsterdam", "Rotterdam", "Utrecht", "Den Haag"),
             ("Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg"), False),
    "5160": ("####", ("Zürich", "Genève", "Basel", "Bern"),
             ("Bahnhofstrasse", "Seestrasse", "Dorfstrasse"), False),
    "5502": ("", ("Sydney NSW", "Melbourne VIC", "Brisbane QLD", "Perth WA"),
             ("George Street", "King Street", "Beach Road"), True),
    "5150": ("#####", ("Roma", "Milano", "Firenze", "Torino"),
             ("Via Roma", "Via Garibaldi", "Via Dante", "Corso Italia"), False),
    "5154": ("##-###", ("Warszawa", "Kraków", "Gdansk", "Wroclaw", "Poznan", "Szczecin"),
             ("ul. Polna", "ul. Lesna", "ul. Sloneczna", "ul. Krótka", "ul. Szkolna"), False),
    "5158": ("######", ("Bucuresti", "Cluj-Napoca", "Iasi", "Timisoara", "Constanta"),
             ("Strada Mihai Eminescu", "Strada Unirii", "Bulevardul Independentei"), False),
    "5704": ("#####", ("Kyiv", "Lviv", "Kharkiv", "Odesa", "Dnipro"),
             ("vul. Shevchenka", "vul. Franka", "vul. Sadova", "prosp. Peremohy"), False),
    "5611": ("LT-#####", ("Vilnius", "Kaunas", "Klaipeda", "Siauliai"),
             ("Gedimino pr.", "Vilniaus g.", "Laisves al.", "Taikos pr."), False),
    "5128": ("####", ("Sofia", "Plovdiv", "Varna", "Burgas"),
             ("ul. Vasil Levski", "bul. Bulgaria", "ul. Rakovski"), False),
    "5902": ("FO-###", ("Tórshavn", "Klaksvík", "Runavík"),
             ("Tinghúsvegur", "Niels Finsens gøta", "Áarvegur"), False),
    "5314": ("", ("Toronto, ON", "Vancouver, BC", "Calgary, AB"),
             ("Queen Street", "Maple Avenue", "Lakeshore Road"), True),
}


@cache
def country_name(code: str) -> str:
    """The Danish name of a country by CPR country code, as written in an address."""
    if code in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[code]
    a = reference.authority(code)
    return a.name.split(",")[0] if a else "Udlandet"


def _digits(pattern: str, rng: random.Random) -> str:
    return "".join(str(int(rng.random() * 10)) if ch == "#" else ch for ch in pattern)


def foreign_address(code: str, rng: random.Random) -> tuple[str, str, str]:
    """Three address lines abroad: street and number, postal code and town, country."""
    spec = _FOREIGN.get(code)
    number = 1 + int(rng.random() * 120)
    if spec is None:
        return (f"Main Street {number}", "", country_name(code))
    pattern, towns, streets, number_first = spec
    street = streets[int(rng.random() * len(streets))]
    town = towns[int(rng.random() * len(towns))]
    line1 = f"{number} {street}" if number_first else f"{street} {number}"
    line2 = f"{_digits(pattern, rng)} {town}".strip()
    return (line1[:34], line2[:34], country_name(code))
