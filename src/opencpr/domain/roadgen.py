"""Generator of the synthetic road register (vejregister) ``data/roads-synthetic.csv``.

CPR's road register is not public, so OpenCPR ships a made-up one: for each of the 98 current
municipalities a number of roads roughly proportional to its population (about 50,000 in all),
each with a road code (vejkode) 0001-9899 unique within the municipality (9900-9999 stay free
for CPR's special codes), a Danish-looking road name of at most 20 characters (VEJADRNVN)
unique within the municipality, one of the municipality's postal codes and a house-number range.

The output depends only on the packaged municipality and postal-code files and on :data:`SEED`.
Regenerate the file with ``python -m opencpr.domain.roadgen``.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from opencpr.domain.reference import (
    ROAD_FILE,
    ROAD_HEADER,
    MunicipalityInfo,
    PostalCode,
    Road,
    municipality_infos,
    postal_codes_of,
)

__all__ = ["SEED", "TARGET_ROADS", "generate_roads", "main", "render_csv", "road_count"]

SEED = 20240101
TARGET_ROADS = 50_000  # roads nationwide
MIN_ROADS = 20  # per municipality
MAX_ROAD_CODE = 9899  # 9900-9999 are CPR's special road codes
MAX_NAME = 20  # VEJADRNVN length
POPULATION_EXPONENT = 0.85  # rural municipalities have more roads per inhabitant

# --- vocabulary -------------------------------------------------------------------------------

# First parts of compound names ("Skov" + "vej" -> "Skovvej").
NATURE = (
    "Skov", "Strand", "Sø", "Å", "Eng", "Mose", "Hede", "Bakke", "Dal", "Klint", "Kær", "Holm",
    "Lund", "Bæk", "Fjord", "Havne", "Mark", "Ager", "Toft", "Vang", "Lyng", "Sand", "Sten",
    "Klit", "Vig", "Næs", "Bro", "Kilde", "Bjerg", "Høj", "Græs", "Skovbryns", "Vænge", "Fjeld",
    "Sol", "Sommer", "Vinter", "Stjerne", "Måne", "Hav", "Bølge",
)  # fmt: skip
PLACES = (
    "Mølle", "Kirke", "Præste", "Skole", "Stations", "Bane", "Kro", "Slots", "Borg", "Ladegårds",
    "Teglværks", "Fabriks", "Mejeri", "Smedie", "Tinghus", "Rådhus", "Torve", "Kloster",
    "Herregårds", "Gårds", "By", "Hoved", "Tvær", "Mellem", "Ny", "Vester", "Øster", "Nørre",
    "Sønder", "Store", "Fælled", "Idræts", "Sports", "Park", "Have", "Vandværks", "Fyrs",
    "Lods", "Told", "Post", "Jernbane", "Markeds", "Ride", "Fiskers", "Skipper", "Smede",
)  # fmt: skip
TREES = (
    "Bøge", "Ege", "Birke", "Ahorn", "Aske", "Elme", "Linde", "Pile", "Poppel", "Kastanie",
    "Hassel", "Hylde", "Røn", "Gran", "Fyrre", "Lærke", "Tjørne", "Ene", "Valnødde", "Kirsebær",
    "Æble", "Pære", "Blomme", "Hvidtjørn", "Taks", "Løn", "Avnbøg", "El",
)  # fmt: skip
FLOWERS = (
    "Rosen", "Syrens", "Tulipan", "Lilje", "Viol", "Anemone", "Kløver", "Lavendel", "Nellike",
    "Valmue", "Iris", "Hyacint", "Primula", "Mimose", "Margerit", "Solsikke", "Kornblomst",
    "Krokus", "Jasmin", "Gyvel", "Lyng", "Siv", "Rør", "Bregne", "Mynte", "Timian",
)  # fmt: skip
CROPS = ("Hvede", "Rug", "Byg", "Havre", "Hør", "Humle", "Raps", "Kløver", "Roe")
ANIMALS = (
    "Svale", "Stære", "Drossel", "Mejse", "Finke", "Spurve", "Ugle", "Falke", "Ørne", "Glente",
    "Vibe", "Hejre", "Stork", "Måge", "Ravne", "Krage", "Due", "Hjorte", "Ræve", "Hare",
    "Egern", "Grævlinge", "Fasan", "Agerhøne", "Sneppe", "Musvåge", "Rådyr", "Terne",
)  # fmt: skip
GENITIVE_COMPOUND = (
    "Kongens", "Dronningens", "Grundtvigs", "Ingemanns", "Blichers", "Holbergs", "Ørsteds",
    "Tordenskjolds", "Thorvaldsens", "Absalons", "Valdemars", "Frederiks", "Christians",
    "Bernstorffs", "Rømers", "Ewalds", "Baggesens", "Aakjærs", "Gorms", "Thyras", "Dagmars",
    "Kierkegaards", "Brandes", "Kaalunds", "Hostrups", "Bredsdorffs", "Worsaaes",
)  # fmt: skip
STEMS = tuple(dict.fromkeys(NATURE + PLACES + TREES + FLOWERS + CROPS + ANIMALS + GENITIVE_COMPOUND))

# Person and saint names written as separate words ("H.C. Andersens Vej").
GENITIVE_NAMES = (
    "H.C. Andersens", "Dronning Louises", "Dronning Dagmars", "Niels Juels", "Tycho Brahes",
    "Carl Nielsens", "Niels Bohrs", "Skt. Knuds", "Skt. Jørgens", "Skt. Hans", "Skt. Clemens",
    "Skt. Peders", "Skt. Mortens", "Kong Hans", "Kong Gorms", "Kaj Munks", "Steen Blichers",
    "Jens Baggesens", "Chr. Winthers", "Peter Bangs", "Ole Rømers", "Marie Krøyers",
    "P.S. Krøyers", "Karen Blixens", "Johan Skjoldborgs", "Anne Maries",
    "Prinsesse Maries", "Kronprinsens", "Dronningens", "Kongens", "Grevinde Danners",
)  # fmt: skip
GENITIVE_ENDINGS = (("Vej", 10), ("Gade", 4), ("Allé", 3), ("Plads", 1), ("Stræde", 1), ("Boulevard", 0.5))

# Compound endings and their weights.
ENDINGS = (
    ("vej", 30), ("gade", 6), ("allé", 4), ("stræde", 2), ("vænget", 5), ("parken", 4),
    ("bakken", 4), ("haven", 3), ("højen", 2), ("toften", 3), ("løkken", 2), ("engen", 2),
    ("marken", 3), ("stien", 3), ("boulevard", 0.5), ("plads", 1), ("kvarteret", 0.5),
    ("vangen", 2), ("lunden", 2), ("krogen", 1.5), ("kæret", 1), ("holmen", 1), ("hegnet", 1),
    ("tværvej", 1), ("buen", 1), ("led", 1), ("dalen", 1), ("skrænten", 0.5), ("brinken", 0.5),
)  # fmt: skip
TOWN_ENDINGS = (("vej", 12), (" Landevej", 2), ("gade", 1))
PREFIX_ENDINGS = (("vej", 10), ("gade", 3), ("allé", 2), ("stræde", 1), ("tværvej", 0.5))
PREFIXES = (
    "Vestre",
    "Nørre",
    "Søndre",
    "Østre",
    "Store",
    "Lille",
    "Gammel",
    "Gl.",
    "Ny",
)  # with PREFIX_ENDINGS

# Endings of short roads (cul-de-sacs, paths, squares) and of long ones.
SHORT_ENDINGS = ("stien", "plads", "stræde", "kvarteret", "krogen", "Plads", "Stræde", "led", "buen")
LONG_ENDINGS = ("Landevej", "boulevard", "Boulevard", "gade", "Gade", "Allé", "allé")


def _ok_compound(stem: str, ending: str) -> bool:
    """Skip awkward compounds: doubled words ("Bakkebakken") and vowel clashes ("Egeengen")."""
    low = stem.lower()
    if ending.startswith(low[:3]) or low.startswith(ending[:3]):
        return False
    return not (low[-1] in "aeiouyæøå" and low[-1] == ending[0])


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _compound(rng: random.Random, endings: Sequence[tuple[str, float]] = ENDINGS) -> str:
    while True:
        stem = rng.choice(STEMS)
        ending = _weighted(rng, endings)
        if _ok_compound(stem, ending):
            return stem + ending


def _road_name(rng: random.Random, towns: Sequence[str]) -> str:
    """One candidate road name."""
    r = rng.random()
    if r < 0.64:
        return _compound(rng)
    if r < 0.74:
        return f"{rng.choice(PREFIXES)} {_compound(rng, PREFIX_ENDINGS)}"
    if r < 0.82:
        return f"{rng.choice(GENITIVE_NAMES)} {_weighted(rng, GENITIVE_ENDINGS)}"
    if towns:
        return rng.choice(towns) + _weighted(rng, TOWN_ENDINGS)
    return _compound(rng)


def _danish_sort_key(name: str) -> str:
    """Sort key placing æ, ø, å after z."""
    return name.lower().replace("aa", "å").translate(str.maketrans({"æ": "{", "ø": "|", "å": "}"}))


def _house_numbers(rng: random.Random, name: str) -> tuple[int, int]:
    """(max_odd, max_even) for a road."""
    size = rng.lognormvariate(3.2, 0.8)
    if any(name.endswith(e) for e in LONG_ENDINGS):
        size *= 1.6
    elif any(name.endswith(e) for e in SHORT_ENDINGS):
        size *= 0.5
    top = max(2, min(299, round(size)))
    max_odd = top if top % 2 else top - 1
    max_even = top if top % 2 == 0 else top - 1
    if rng.random() < 0.08:  # houses on one side only
        max_even = 0
    return max_odd, max_even


def road_count(infos: Sequence[MunicipalityInfo], target: int = TARGET_ROADS) -> dict[str, int]:
    """Number of roads per municipality: about ``target`` in all, sublinear in population."""
    weights = {m.code: m.population**POPULATION_EXPONENT for m in infos}
    total = sum(weights.values())
    return {c: max(MIN_ROADS, min(MAX_ROAD_CODE, round(target * w / total))) for c, w in weights.items()}


def _towns(postal: Sequence[PostalCode]) -> list[str]:
    """Single-word district names usable as first part of "<town>vej"."""
    names = {p.district for p in postal if p.street_addresses}
    return sorted(n for n in names if n.isalpha() and len(n) <= 14)


def _municipality_roads(
    info: MunicipalityInfo, count: int, postal: Sequence[PostalCode], towns: Sequence[str], seed: int
) -> list[Road]:
    rng = random.Random(f"{seed}-{info.code}")
    names: set[str] = set()
    attempts = 0
    while len(names) < count:
        attempts += 1
        if attempts > count * 200:
            raise RuntimeError(f"cannot find {count} road names for municipality {info.code}")
        name = _road_name(rng, towns)
        if len(name) <= MAX_NAME:
            names.add(name)
    ordered = sorted(names, key=lambda n: (_danish_sort_key(n), n))
    codes = sorted(rng.sample(range(1, MAX_ROAD_CODE + 1), count))
    street = [p for p in postal if p.street_addresses] or list(postal)
    districts: dict[str, list[str]] = {}
    for p in street:
        districts.setdefault(p.district, []).append(p.code)
    district_names = sorted(districts)
    out = []
    for code, name in zip(codes, ordered, strict=True):
        post = rng.choice(districts[rng.choice(district_names)])
        max_odd, max_even = _house_numbers(rng, name)
        out.append(Road(info.code, f"{code:04d}", name, post, max_odd, max_even))
    return out


def generate_roads(seed: int = SEED, target: int = TARGET_ROADS) -> list[Road]:
    """All synthetic roads, ordered by municipality and road code."""
    infos = municipality_infos()
    counts = road_count(infos, target)
    region_postal: dict[str, list[PostalCode]] = {}
    for m in infos:
        region_postal.setdefault(m.region_code, []).extend(postal_codes_of(m.code))
    out: list[Road] = []
    for m in infos:
        postal = postal_codes_of(m.code)
        if not postal:
            raise ValueError(f"municipality {m.code} has no postal codes")
        towns = _towns(region_postal[m.region_code])
        out.extend(_municipality_roads(m, counts[m.code], postal, towns, seed))
    return out


def render_csv(roads: Sequence[Road]) -> str:
    """The road file's text."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ROAD_HEADER)
    w.writerows(roads)
    return buf.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """Write the road file (to the packaged data folder, or to the path given)."""
    args = list(sys.argv[1:] if argv is None else argv)
    target = Path(args[0]) if args else Path(__file__).parent / "data" / ROAD_FILE
    text = render_csv(generate_roads())
    target.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {text.count(chr(10)) - 1} roads to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
