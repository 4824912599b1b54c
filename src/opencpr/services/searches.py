"""Person searches (søgninger): ``NVNSOG2`` (name), ``ADRSOG1`` (address), ``FOEDSOG`` (birth date).

All three return a list of persons in a stable order with a restart key per row: ``REST`` = the
key of the last row of an answer continues right after it (keyset pagination; nothing is kept
on the server). ``MAXA`` is the page size (default 20, at most 500); ``AIA=X`` answers the number
of hits only. ``info["more"]`` says whether more rows follow, ``info["restart"]`` is the key to
continue with.

Names are matched on their folded form (:mod:`opencpr.domain.folding`; ``Aabenraa`` = ``Åbenrå``):
every word of ``NVN``, ``NVN1``..``NVN3`` must match a word of the same name (first, middle or last
names): by its beginning (``hans`` finds Hans and Hansen), or anywhere with a leading ``*``
(``*sen`` finds Jensen; at least three letters). ``jens mortensen`` finds Jens Peter Mortensen.
See ``docs/search.md`` for the indexes and query plans.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    column,
    exists,
    func,
    literal,
    or_,
    select,
    table,
    text,
    true,
    tuple_,
)

from opencpr.access.protection import NAME_AND_ADDRESS
from opencpr.domain import reference
from opencpr.domain.codes import PERSON_STATUS
from opencpr.domain.folding import fold, fold_words
from opencpr.register.schema import (
    address,
    citizenship,
    clear_address,
    name,
    name_search,
    name_word,
    person,
    road_name,
)
from opencpr.register.search_index import FTS_TABLE
from opencpr.services.catalogue import Category, Fmt, Key, KeyType, Out, SearchService, Shape
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.errors import InvalidKey

__all__ = ["ADRSOG1", "FOEDSOG", "NVNSOG2", "SERVICES", "Term", "name_terms"]

DEFAULT_ROWS = 20
MAX_ROWS = 500
#: Prefix terms are probed for their number of hits up to this many, to pick the term that drives the search.
_PROBE = 1000


# --- name terms ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One folded search word: matches a name word's beginning, or anywhere (``infix``)."""

    text: str
    infix: bool = False

    def like(self) -> str:
        return ("%" if self.infix else "% ") + _escape(self.text) + "%"


def name_terms(key: str, *texts: str | None) -> list[Term]:
    """The search words of name keys; raise InvalidKey if there are none or an infix word is short."""
    terms: list[Term] = []
    for raw in texts:
        if not raw:
            continue
        for token in raw.split():
            for i, piece in enumerate(token.split("*")):
                for j, word in enumerate(fold_words(piece)):
                    term = Term(word, infix=i > 0 and j == 0)
                    if term.infix and len(word) < 3:
                        raise InvalidKey(key, raw, "at least 3 letters after *")
                    if term not in terms:
                        terms.append(term)
    if not terms:
        raise InvalidKey(key, " ".join(t for t in texts if t), "a name or part of a name")
    return terms


def _upper_bound(prefix: str) -> str:
    """The first string after every string that starts with ``prefix`` (code-point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _names_match(pnr: ColumnElement[str], terms: Sequence[Term], historical: bool) -> ColumnElement[bool]:
    """SQL: one of the person's names (current, or any with ``historical``) matches every term."""
    s = name_search.alias("name_match")
    conds = [s.c.pnr == pnr, *[s.c.words.like(t.like(), escape="\\") for t in terms]]
    if not historical:
        conds.append(s.c.current == true())
    return exists().where(*conds)


# --- restart keys --------------------------------------------------------------------------------


def _key(kind: str, values: Sequence[Any]) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_BAD_KEY = "a restart key from an earlier answer of the same search"


def _decode(key: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)))
    except ValueError:
        raise InvalidKey("REST", key, _BAD_KEY) from None
    if not isinstance(values, list) or not values:
        raise InvalidKey("REST", key, _BAD_KEY)
    return values


def _unkey(kind: str, key: str | None, size: int) -> list[Any] | None:
    """The values of a restart key of ``kind`` (None without a key); raise InvalidKey (Kvit 18)."""
    if not key:
        return None
    values = _decode(key)
    if len(values) != size + 1 or values[0] != kind or any(isinstance(v, (list, dict)) for v in values):
        raise InvalidKey("REST", key, _BAD_KEY)
    return values[1:]


def _custom_plans(ctx: ServiceContext) -> None:
    """PostgreSQL: plan each search for its own values (a generic plan of a prepared statement
    knows neither the prefix range nor the LIKE patterns and may scan)."""
    if ctx.conn.dialect.name == "postgresql":
        ctx.conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _rows_wanted(maxa: int | None) -> int:
    return min(maxa or DEFAULT_ROWS, MAX_ROWS)


# --- person filters -------------------------------------------------------------------------------


@dataclass
class Filters:
    """Criteria on the person found (all optional)."""

    sex: str | None = None
    status: str | None = None
    citizenship: str | None = None
    born_from: str | None = None  # birth date >= (age at most)
    born_before: str | None = None  # birth date < ...
    born_on_or_before: str | None = None  # birth date <= (age at least)
    birth_authority: str | None = None
    municipalities: tuple[str, ...] = ()

    def person_conditions(self) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if self.sex:
            conds.append(person.c.sex == self.sex)
        if self.status:
            conds.append(person.c.status == self.status)
        if self.born_from:
            conds.append(person.c.birth_date >= self.born_from)
        if self.born_on_or_before:
            conds.append(person.c.birth_date <= self.born_on_or_before)
        if self.birth_authority:
            conds.append(person.c.birth_authority == self.birth_authority)
        return conds

    def other_conditions(self, pnr: ColumnElement[str]) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if self.citizenship:
            c = citizenship.alias("citizenship_filter")
            conds.append(exists().where(c.c.pnr == pnr, c.c.current == true(), c.c.country == self.citizenship))
        if self.municipalities:
            a = address.alias("home_filter")
            conds.append(exists().where(a.c.pnr == pnr, a.c.current == true(),
                                        a.c.municipality.in_(self.municipalities)))
        return conds

    def apply(self, query: Select, pnr: ColumnElement[str], joined: bool = False) -> Select:
        """``query`` limited to the persons matching; joins ``person`` unless it is already there."""
        own = self.person_conditions()
        if own and not joined:
            query = query.join(person, person.c.pnr == pnr)
        return query.where(*own, *self.other_conditions(pnr))

    def apply_to_words(self, query: Select, w: Any) -> Select:
        """``query`` over ``name_word`` (or an alias) limited to the persons matching, by the filter
        values copied into each row (no joins); a birth authority still joins ``person``."""
        conds: list[ColumnElement[bool]] = []
        if self.sex:
            conds.append(w.c.sex == self.sex)
        if self.status:
            conds.append(w.c.status == self.status)
        if self.born_from:
            conds.append(w.c.birth_date >= self.born_from)
        if self.born_on_or_before:
            conds.append(w.c.birth_date <= self.born_on_or_before)
        if self.citizenship:
            conds.append(w.c.country == self.citizenship)
        if self.municipalities:
            conds.append(w.c.municipality.in_(self.municipalities))
        rest = Filters(birth_authority=self.birth_authority)
        return rest.apply(query.where(*conds), w.c.pnr)


def _years_before(day: str, years: int) -> str:
    d = dt.date.fromisoformat(day)
    try:
        return d.replace(year=d.year - years).isoformat()
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28).isoformat()


def _filters(ctx: ServiceContext, *, sex=None, status=None, nationality=None, age_from=None, age_to=None,
             municipality=None, region=None, birth_authority=None) -> Filters:
    if status is not None and status not in PERSON_STATUS:
        raise InvalidKey("STAF", status, "a person status (01-90)")
    if municipality is not None and not reference.is_municipality(municipality):
        raise InvalidKey("KOMK", municipality, "a municipality code")
    if age_from is not None and age_to is not None and age_from > age_to:
        raise InvalidKey("ALDF", age_from, f"an age not above ALDT ({age_to})")
    f = Filters(sex=sex, status=status, citizenship=nationality, birth_authority=birth_authority)
    if age_from is not None:  # at least age_from whole years old today
        f.born_on_or_before = _years_before(ctx.today, age_from)
    if age_to is not None:  # not yet age_to + 1
        f.born_from = (dt.date.fromisoformat(_years_before(ctx.today, age_to + 1)) + dt.timedelta(days=1)).isoformat()
    wanted: set[str] = set()
    if municipality is not None:
        wanted.add(municipality)
    if region is not None:
        in_region = {m.code for m in reference.municipality_infos() if m.region_code == region}
        wanted = (wanted & in_region) if municipality is not None else in_region
        if not wanted:
            wanted = {"----"}  # a municipality outside the region: nothing is found
    f.municipalities = tuple(sorted(wanted))
    return f


# --- the rows of the answer -------------------------------------------------------------------------


def _person_rows(ctx: ServiceContext, pnrs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Name, status, sex, birth registration and clear-written address of each of ``pnrs``."""
    if not pnrs:
        return {}
    query = (
        select(person.c.pnr, person.c.sex, person.c.status, person.c.birth_date, person.c.birth_authority,
               person.c.birth_authority_text, name.c.first_name, name.c.middle_name, name.c.last_name,
               clear_address.c.standard_address, clear_address.c.postal_code, clear_address.c.postal_district)
        .select_from(person.outerjoin(name, and_(name.c.pnr == person.c.pnr, name.c.current == true()))
                     .outerjoin(clear_address, clear_address.c.pnr == person.c.pnr))
        .where(person.c.pnr.in_(list(pnrs)))
    )
    protections = ctx.protections(pnrs)
    found: dict[str, dict[str, Any]] = {}
    for row in ctx.conn.execute(query).mappings():
        if row["pnr"] in found:
            continue
        first = " ".join(p for p in (row["first_name"], row["middle_name"]) if p)
        last = row["last_name"] or ""
        authority_text = row["birth_authority_text"]
        if not authority_text and row["birth_authority"]:
            known = reference.authority(row["birth_authority"])
            authority_text = known.name if known else None
        found[row["pnr"]] = {
            "pnr": row["pnr"],
            "name_inverted": f"{last},{first}" if (first or last) else None,
            "name": " ".join(p for p in (first, last) if p) or None,
            "status": row["status"],
            "sex": row["sex"],
            "birth_date": row["birth_date"],
            "birth_authority": row["birth_authority"],
            "birth_authority_name": authority_text,
            "name_address_protected": NAME_AND_ADDRESS in protections.get(row["pnr"], frozenset()),
            "standard_address": row["standard_address"],
            "postal_code": row["postal_code"],
            "postal_district": row["postal_district"] or (reference.postal_district(row["postal_code"])
                                                         if row["postal_code"] else None),
        }
    return found


def _page(ctx: ServiceContext, hits: list[tuple[str, str]], wanted: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Records and restart keys of (pnr, key) hits, at most ``wanted``."""
    hits = hits[:wanted]
    persons = _person_rows(ctx, [p for p, _ in hits])
    records, keys = [], []
    for pnr, key in hits:
        if pnr in persons:
            records.append(dict(persons[pnr]))
            keys.append(key)
    return records, keys


def _answer(records: list[dict[str, Any]], keys: list[str], more: bool, criteria: str,
            **extra: Any) -> Outcome:
    info: dict[str, Any] = {"row_keys": keys, "more": more, "rows": len(records), **extra}
    if more and keys:
        info["restart"] = keys[-1]
    return Outcome(records, detail=criteria, info=info)


def _count_answer(count: int, criteria: str, **extra: Any) -> Outcome:
    return Outcome([], detail=criteria, info={"count": count, "count_only": True, "more": False, "rows": 0,
                                               **extra})


def _criteria(service: str, values: dict[str, Any]) -> str:
    given = [f"{k}={'X' if v is True else v}" for k, v in values.items() if v not in (None, "", False)]
    return f"{service}: " + " ".join(given)


# --- name search -----------------------------------------------------------------------------------


def _probe(ctx: ServiceContext, term: Term, historical: bool) -> int:
    conds = [name_word.c.word >= term.text, name_word.c.word < _upper_bound(term.text)]
    if not historical:
        conds.append(name_word.c.in_current == true())
    inner = select(literal(1)).where(*conds).limit(_PROBE).subquery()
    return ctx.conn.execute(select(func.count()).select_from(inner)).scalar_one()


def _driver(ctx: ServiceContext, terms: Sequence[Term], historical: bool) -> int | None:
    """Index of the prefix term with the fewest hits (it drives the search), None if all are infix."""
    prefixes = [i for i, t in enumerate(terms) if not t.infix]
    if not prefixes:
        return None
    if len(prefixes) == 1:
        return prefixes[0]
    return min(prefixes, key=lambda i: (_probe(ctx, terms[i], historical), -len(terms[i].text), i))


def _by_word(ctx: ServiceContext, terms: Sequence[Term], driver: int, historical: bool, filters: Filters,
             after: list[Any] | None, limit: int | None) -> Select:
    """Hits ordered by (matching word, sort name, pnr) from ``name_word``'s primary key; the filters
    test the values copied into its rows, so the range scan joins nothing for them."""
    w = name_word
    lead = terms[driver]
    query = select(w.c.word, w.c.sort_name, w.c.pnr).where(w.c.word >= lead.text, w.c.word < _upper_bound(lead.text))
    if not historical:
        query = query.where(w.c.in_current == true())
    if limit is not None:  # each person once: at the first of their words that matches (counts count PNRs)
        other = name_word.alias("other_word")
        query = query.where(~exists().where(other.c.pnr == w.c.pnr, other.c.word >= lead.text,
                                            other.c.word < w.c.word,
                                            *([] if historical else [other.c.in_current == true()])))
    if len(terms) > 1:
        query = query.where(_names_match(w.c.pnr, terms, historical))
    query = filters.apply_to_words(query, w).where(ctx.in_scope(w.c.pnr))
    if after is not None:
        query = query.where(tuple_(w.c.word, w.c.sort_name, w.c.pnr) > tuple_(*after[1:]))
    query = query.order_by(w.c.word, w.c.sort_name, w.c.pnr)
    return query if limit is None else query.limit(limit)


def _by_trigram(ctx: ServiceContext, terms: Sequence[Term], historical: bool, filters: Filters,
                after: list[Any] | None, limit: int | None) -> Select:
    """Hits of infix terms only, ordered by ``name_search`` row id, from the trigram index."""
    s = name_search
    order = s.c.id
    query = select(s.c.id, s.c.pnr)
    if ctx.conn.dialect.name != "postgresql":  # the FTS5 table gives its rows in rowid (= id) order
        fts = table(FTS_TABLE, column("rowid"), column("words"))
        match = " AND ".join('"' + t.text.replace('"', '""') + '"' for t in terms)
        query = query.select_from(fts.join(s, s.c.id == fts.c.rowid)).where(fts.c.words.match(match))
        order = fts.c.rowid
    query = query.where(*[s.c.words.like(t.like(), escape="\\") for t in terms])
    if not historical:
        query = query.where(s.c.current == true())
    else:  # each person once: the first of their names that matches
        earlier = name_search.alias("earlier_name")
        query = query.where(~exists().where(earlier.c.pnr == s.c.pnr, earlier.c.id < s.c.id,
                                            *[earlier.c.words.like(t.like(), escape="\\") for t in terms]))
    query = filters.apply(query, s.c.pnr).where(ctx.in_scope(s.c.pnr))
    if after is not None:
        query = query.where(order > after[0])
    query = query.order_by(order)
    return query if limit is None else query.limit(limit)


def _count(ctx: ServiceContext, query: Select) -> int:
    return ctx.conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()


def _name_search(ctx: ServiceContext, terms: list[Term], historical: bool, filters: Filters, restart: str | None,
                 maxa: int | None, count_only: bool, criteria: str) -> Outcome:
    wanted = _rows_wanted(maxa)
    kind = _decode(restart)[0] if restart else None
    word_key = _unkey("N", restart, 4) if kind == "N" else None
    id_key = _unkey("I", restart, 1) if restart and kind != "N" else None
    if word_key is not None:
        driver = word_key[0]
        if not isinstance(driver, int) or not 0 <= driver < len(terms) or terms[driver].infix:
            raise InvalidKey("REST", restart, _BAD_KEY)
    else:
        driver = _driver(ctx, terms, historical)
    if driver is None:
        query = _by_trigram(ctx, terms, historical, filters, id_key, None if count_only else wanted + 1)
        if count_only:
            return _count_answer(_count(ctx, query), criteria)
        hits = [(r.pnr, _key("I", [r.id])) for r in ctx.conn.execute(query)]
    else:
        query = _by_word(ctx, terms, driver, historical, filters, word_key, None if count_only else wanted + 1)
        if count_only:
            persons = query.order_by(None).with_only_columns(name_word.c.pnr).distinct().subquery()
            return _count_answer(ctx.conn.execute(select(func.count()).select_from(persons)).scalar_one(), criteria)
        hits = [(r.pnr, _key("N", [driver, r.word, r.sort_name, r.pnr])) for r in ctx.conn.execute(query)]
    records, keys = _page(ctx, hits, wanted)
    return _answer(records, keys, len(hits) > wanted, criteria)


def _nvnsog2(ctx: ServiceContext, name: str, name1: str | None = None, name2: str | None = None,
             name3: str | None = None, sex: str | None = None, age_from: int | None = None,
             age_to: int | None = None, historical: bool = False, municipality: str | None = None,
             region: str | None = None, status: str | None = None, nationality: str | None = None,
             max_rows: int | None = None, restart: str | None = None, count_only: bool = False) -> Outcome:
    terms = name_terms("NVN", name, name1, name2, name3)
    _custom_plans(ctx)
    filters = _filters(ctx, sex=sex, status=status, nationality=nationality, age_from=age_from, age_to=age_to,
                       municipality=municipality, region=region)
    criteria = _criteria("NVNSOG2", {"NVN": " ".join(x for x in (name, name1, name2, name3) if x), "KON": sex,
                                     "ALDF": age_from, "ALDT": age_to, "HNVS": historical, "KOMK": municipality,
                                     "LDEL": region, "STAF": status, "STB": nationality, "AIA": count_only})
    return _name_search(ctx, terms, historical, filters, restart, max_rows, count_only, criteria)


# --- birth-date search -------------------------------------------------------------------------------


def _foedsog(ctx: ServiceContext, born: str, sex: str | None = None, name: str | None = None,
             historical: bool = False, status: str | None = None, nationality: str | None = None,
             birth_authority: str | None = None, max_rows: int | None = None, restart: str | None = None,
             count_only: bool = False) -> Outcome:
    terms = name_terms("NVN", name) if name else []
    _custom_plans(ctx)
    filters = _filters(ctx, sex=sex, status=status, nationality=nationality, birth_authority=birth_authority)
    criteria = _criteria("FOEDSOG", {"FODT": born, "KON": sex, "NVN": name, "HNVS": historical, "STAF": status,
                                     "STB": nationality, "FOEDMYN": birth_authority, "AIA": count_only})
    wanted = _rows_wanted(max_rows)
    after = _unkey("F", restart, 2)
    current = name_search.alias("sort_source")
    sort = func.coalesce(select(func.min(current.c.sort_name)).where(current.c.pnr == person.c.pnr,
                                                                     current.c.current == true())
                         .scalar_subquery(), "")
    query = select(person.c.pnr, sort.label("sort_name")).where(person.c.birth_date == born)
    if terms:
        query = query.where(_names_match(person.c.pnr, terms, historical))
    query = filters.apply(query, person.c.pnr, joined=True).where(ctx.in_scope(person.c.pnr))
    if count_only:
        return _count_answer(_count(ctx, query), criteria)
    if after is not None:
        query = query.where(tuple_(sort, person.c.pnr) > tuple_(*after))
    query = query.order_by(sort, person.c.pnr).limit(wanted + 1)
    hits = [(r.pnr, _key("F", [r.sort_name, r.pnr])) for r in ctx.conn.execute(query)]
    records, keys = _page(ctx, hits, wanted)
    return _answer(records, keys, len(hits) > wanted, criteria)


# --- address search ------------------------------------------------------------------------------------

_HOUSE = re.compile(r"(\d{1,3})\s*([A-Za-z]?)")


def _house_no(value: str | None) -> str | None:
    if value is None:
        return None
    m = _HOUSE.fullmatch(value.strip())
    if m is None:
        raise InvalidKey("HNR", value, "a house number: up to 3 digits and a letter")
    return m.group(1).zfill(3) + m.group(2).upper()


def _floor(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip().lower()
    if v.isdigit() and len(v) <= 2:
        return v.zfill(2)
    if v in ("st", "kl") or re.fullmatch(r"k\d", v):
        return v
    raise InvalidKey("ETAG", value, "a floor: 1-99, st, kl")


def _door(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip().lower()
    if not v or len(v) > 4:
        raise InvalidKey("SIDO", value, "a door: up to 4 characters")
    return v.zfill(4) if v.isdigit() else v.rjust(4)


def _escape(text_: str) -> str:
    return text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _roads(ctx: ServiceContext, road: str | None, road_text: str | None, postal_code: str | None,
           municipality: str | None) -> list[tuple[str, str, str | None]]:
    """(municipality, road code, road name) of the roads the keys name. A road name matches by its
    beginning, or anywhere with a leading ``*`` (folded, like names)."""
    r = road_name
    query = select(r.c.municipality, r.c.road, func.min(r.c.name)).group_by(r.c.municipality, r.c.road)
    if municipality is not None:
        query = query.where(r.c.municipality == municipality)
    if postal_code is not None:
        query = query.where(r.c.postal_code == postal_code)
    if road is not None:
        query = query.where(r.c.road == road)
    if road_text is not None:
        infix = road_text.strip().startswith("*")
        wanted = fold(road_text.replace("*", " "))
        if not wanted or (infix and len(wanted) < 3):
            raise InvalidKey("VNVN", road_text, "a road name or part of it (at least 3 letters after *)")
        if infix:
            query = query.where(r.c.folded.like("%" + _escape(wanted) + "%", escape="\\"))
        else:
            query = query.where(r.c.folded >= wanted, r.c.folded < _upper_bound(wanted))
    found = [(m, c, n) for m, c, n in ctx.conn.execute(query.order_by(r.c.municipality, r.c.road).limit(200))]
    if not found and road is not None and municipality is not None and road_text is None:
        known = reference.road(municipality, road)
        found = [(municipality, road, known.name if known else None)]
    return found


def _adrsog1(ctx: ServiceContext, name: str | None = None, name1: str | None = None, name2: str | None = None,
             name3: str | None = None, sex: str | None = None, road: str | None = None,
             road_name_: str | None = None, house_no: str | None = None, building_no: str | None = None,
             floor: str | None = None, door: str | None = None, postal_code: str | None = None,
             municipality: str | None = None, status: str | None = None, nationality: str | None = None,
             previous: bool = False, period_from: str | None = None, period_to: str | None = None,
             max_rows: int | None = None, restart: str | None = None, count_only: bool = False) -> Outcome:
    if municipality is not None and not reference.is_municipality(municipality):
        raise InvalidKey("KOMK", municipality, "a municipality code")
    if period_from and period_to and period_from > period_to:
        raise InvalidKey("PERF", period_from, f"a day not after PERT ({period_to})")
    house, floor_, door_ = _house_no(house_no), _floor(floor), _door(door)
    bnr = building_no.zfill(4) if building_no and building_no.isdigit() else building_no
    texts = [x for x in (name, name1, name2, name3) if x]
    terms = name_terms("NVN", *texts) if texts else []
    _custom_plans(ctx)
    filters = _filters(ctx, sex=sex, status=status, nationality=nationality)
    criteria = _criteria("ADRSOG1", {"NVN": " ".join(texts), "KON": sex, "VEJK": road, "VNVN": road_name_,
                                     "HNR": house, "BNR": bnr, "ETAG": floor_, "SIDO": door_, "POST": postal_code,
                                     "KOMK": municipality, "STAF": status, "STB": nationality, "TIDL": previous,
                                     "PERF": period_from, "PERT": period_to, "AIA": count_only})
    roads = _roads(ctx, road, road_name_, postal_code, municipality)
    head: dict[str, Any] = {"remark": None, "search_id": None}
    if len(roads) > 1:
        head["remark"] = f"{len(roads)} veje passer på søgningen"
    summary = None
    if roads:
        m, c, _ = roads[0]
        known = reference.authority(m)
        summary = {"municipality": m, "municipality_name": known.name if known else None,
                   "municipality_long_name": (known.long_name or known.name) if known else None,
                   "road": c, "table_mark": None}
    extra = {**head, "summary": summary, "summary_key": _key("B", [])}
    if not roads:
        return _count_answer(0, criteria, **head) if count_only else _answer([], [], False, criteria, **extra)
    a = address
    house_sort = func.coalesce(a.c.house_no, "")
    floor_sort = func.coalesce(a.c.floor, "")
    door_sort = func.coalesce(a.c.door, "")
    query = select(a.c.id, a.c.pnr, a.c.municipality, a.c.road, a.c.house_no, a.c.floor, a.c.door,
                   a.c.building_no, a.c.valid_from, a.c.valid_to, a.c.current,
                   house_sort.label("h"), floor_sort.label("f"), door_sort.label("d"))
    query = query.where(or_(*[and_(a.c.municipality == m, a.c.road == c) for m, c, _ in roads]))
    if not (previous or period_from or period_to):
        query = query.where(a.c.current == true())
    for col, value in ((a.c.house_no, house), (a.c.floor, floor_), (a.c.door, door_),
                       (a.c.building_no, bnr)):
        if value is not None:
            query = query.where(col == value)
    if period_to:
        query = query.where(or_(a.c.valid_from.is_(None), func.substr(a.c.valid_from, 1, 10) <= period_to))
    if period_from:
        query = query.where(or_(a.c.current == true(), a.c.valid_to.is_(None),
                                func.substr(a.c.valid_to, 1, 10) >= period_from))
    if terms:
        query = query.where(_names_match(a.c.pnr, terms, False))
    query = filters.apply(query, a.c.pnr).where(ctx.visible(a.c.pnr), ctx.in_scope(a.c.pnr))
    if count_only:
        return _count_answer(_count(ctx, query), criteria, **head)
    after = _unkey("A", restart, 6)
    order = (a.c.municipality, a.c.road, house_sort, floor_sort, door_sort, a.c.id)
    if after is not None:
        query = query.where(tuple_(*order) > tuple_(*after))
    wanted = _rows_wanted(max_rows)
    rows = list(ctx.conn.execute(query.order_by(*order).limit(wanted + 1)))
    more = len(rows) > wanted
    rows = rows[:wanted]
    persons = _person_rows(ctx, list(dict.fromkeys(r.pnr for r in rows)))
    names = {m: (reference.authority(m).name if reference.authority(m) else None) for m in {r.municipality for r in rows}}
    records, keys = [], []
    for r in rows:
        who = persons.get(r.pnr, {})
        records.append({
            "pnr": r.pnr, "road": r.road, "municipality": r.municipality, "municipality_name": names[r.municipality],
            "house_no": r.house_no, "floor": r.floor, "door": r.door, "building_no": r.building_no,
            "name_inverted": who.get("name_inverted"), "name": who.get("name"),
            "name_address_protected": who.get("name_address_protected", False),
            "moved_in": r.valid_from, "moved_out": None if r.current else r.valid_to,
            "status": who.get("status"), "akm": None, "table_mark": "1" if r.current else "2",
        })
        keys.append(_key("A", [r.municipality, r.road, r.h, r.f, r.d, r.id]))
    return _answer(records, keys, more, criteria, **extra)


# --- declarations ------------------------------------------------------------------------------------

_MAXA = Key("MAXA", "max_rows", KeyType.INT, low=1, high=9999,
            description=f"Rows per answer (default {DEFAULT_ROWS}, at most {MAX_ROWS})")
_REST = Key("REST", "restart", KeyType.TEXT, length=400,
            description="Restart key: the k of the last row of an earlier answer; continues after it")
_AIA = Key("AIA", "count_only", KeyType.FLAG, description="X: answer the number of hits only (Table aia=…)")
_KON = Key("KON", "sex", KeyType.CHOICE, choices=("K", "M"), description="Sex: K or M")
_STAF = Key("STAF", "status", KeyType.DIGITS, length=2, description="Person status (01-90)")
_STB = Key("STB", "nationality", KeyType.DIGITS, length=4, description="Citizenship (country code)")
_KOMK = Key("KOMK", "municipality", KeyType.DIGITS, length=4, description="Municipality of the current address")
_HNVS = Key("HNVS", "historical", KeyType.FLAG, description="X: search previous names too")


def _name_keys(required: bool) -> tuple[Key, ...]:
    return (
        Key("NVN", "name", KeyType.TEXT, required=required, length=60,
            description="Name or part of it: each word matches the start of a name word; *word anywhere"),
        Key("NVN1", "name1", KeyType.TEXT, length=60, description="More name words"),
        Key("NVN2", "name2", KeyType.TEXT, length=60, description="More name words"),
        Key("NVN3", "name3", KeyType.TEXT, length=60, description="More name words"),
    )


_PERSON_OUT = (
    Out("PNR", "pnr"),
    Out("CNVN_ADRNVN", "name_inverted", t="name", description="Name: v 'Last,First Middle', t 'First Middle Last'"),
    Out("CNVN_STATUS", "status"),
    Out("FOEDMYNTXT", "birth_authority_name", description="Birth registration authority"),
    Out("CNVN_KOEN", "sex"),
    Out("ADRBESKYT", "name_address_protected", Fmt.FLAG, description="X: name and address protection"),
    Out("STADR", "standard_address"),
    Out("POSTNR", "postal_code", t="postal_district"),
)

NVNSOG2 = SearchService(
    "NVNSOG2", "Navnesøgning",
    "Persons by current (or, with HNVS, previous) name or part of it, with sex, age, status, citizenship, "
    "municipality and region as further criteria.",
    Category.SEARCH,
    (*_name_keys(True), _KON,
     Key("ALDF", "age_from", KeyType.INT, low=0, high=150, description="Age from (whole years)"),
     Key("ALDT", "age_to", KeyType.INT, low=0, high=150, description="Age to (whole years)"),
     _HNVS, _KOMK,
     Key("LDEL", "region", KeyType.CHOICE, choices=("1081", "1082", "1083", "1084", "1085"),
         description="Region (landsdel) of the current address"),
     _STAF, _STB, _MAXA, _REST, _AIA),
    _PERSON_OUT, _nvnsog2, shape=Shape.SEARCH, table="NAVNSOEG",
    groups=("cpr-office", "municipality", "church-office"), pnr_key=None,
    example=(("NVN", "Jens"), ("NVN1", "Mortensen"), ("KON", "M")),
    notes="Fields as CPR's NVNSOG2 answers (Table NAVNSOEG); KON is optional here. Restart keys are this "
          "project's (keyset, self-contained).",
)

FOEDSOG = SearchService(
    "FOEDSOG", "Fødselsdatosøgning",
    "Persons born on a day, with sex, current or previous name, status, citizenship and birth registration "
    "authority as further criteria.",
    Category.SEARCH,
    (Key("FODT", "born", KeyType.DATE, required=True, description="Birth date, yyyyMMdd"), _KON,
     Key("NVN", "name", KeyType.TEXT, length=60, description="Name or part of it"), _HNVS, _STAF, _STB,
     Key("FOEDMYN", "birth_authority", KeyType.DIGITS, length=4, description="Birth registration authority"),
     _MAXA, _REST, _AIA),
    _PERSON_OUT, _foedsog, shape=Shape.SEARCH, table="FOEDSOEG", pnr_key=None,
    example=(("FODT", "19810613"),),
    notes="Designed in the style of NVNSOG2 (the handbook's Fødselsdatosøgning; no recorded answer).",
)

ADRSOG1 = SearchService(
    "ADRSOG1", "Adressesøgning",
    "Persons by current (or, with TIDL or a period, previous) address or part of it, with current name, sex, "
    "status and citizenship as further criteria. Persons under name and address protection are not found "
    "by callers who may not see protected addresses.",
    Category.SEARCH,
    (*_name_keys(False), _KON,
     Key("VEJK", "road", KeyType.DIGITS, length=4, description="Road code"),
     Key("VNVN", "road_name_", KeyType.TEXT, length=40, description="Road name or part of it"),
     Key("HNR", "house_no", KeyType.TEXT, length=4, description="House number"),
     Key("BNR", "building_no", KeyType.TEXT, length=4, description="Building number"),
     Key("ETAG", "floor", KeyType.TEXT, length=2, description="Floor"),
     Key("SIDO", "door", KeyType.TEXT, length=4, description="Door"),
     Key("POST", "postal_code", KeyType.DIGITS, length=4, description="Postal code"),
     _KOMK, _STAF, _STB,
     Key("TIDL", "previous", KeyType.FLAG, description="X: previous addresses too"),
     Key("PERF", "period_from", KeyType.DATE, description="Lived there on or after this day (yyyyMMdd)"),
     Key("PERT", "period_to", KeyType.DATE, description="Lived there on or before this day (yyyyMMdd)"),
     _MAXA, _REST, _AIA),
    (Out("VEJKOD", "road"), Out("KOMKOD", "municipality", t="municipality_name"), Out("HUSNR", "house_no"),
     Out("ETAGE", "floor"), Out("SIDEDOER", "door"), Out("BNR", "building_no"), Out("PNR", "pnr"),
     Out("CNVN_ADRNVN", "name_inverted", t="name"), Out("ADRBESKYT", "name_address_protected", Fmt.FLAG),
     Out("STARTDATO", "moved_in", Fmt.TS12), Out("SLUTDATO", "moved_out", Fmt.TS12),
     Out("CNVN_STATUS", "status"), Out("AKM", "akm"),
     Out("TABMRK", "table_mark", description="1: current address, 2: previous address")),
    _adrsog1, shape=Shape.SEARCH, table="ADRSOEG",
    head=(Out("BEMAERK", "remark"),),
    summary=(Out("KOMKOD", "municipality", t="municipality_name", tl="municipality_long_name"),
             Out("VEJKOD", "road"), Out("TABMRK", "table_mark")),
    tail=(Out("SEARCH_ID", "search_id"),),
    address_search=True, pnr_key=None,
    example=(("VEJK", "8512"), ("KOMK", "0851"), ("HNR", "2"), ("ETAG", "02"), ("SIDO", "th")),
    requires_one_of=(("road", "road_name_"), ("postal_code", "municipality")),
    notes="Shape and fields as CPR's ADRSOG1 answers (Table ADRSOEG with a u=\"B\" row); TIDL, PERF and PERT "
          "are this project's keys for previous addresses.",
)

SERVICES = (NVNSOG2, ADRSOG1, FOEDSOG)

