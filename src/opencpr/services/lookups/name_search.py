"""Name search: ``NVNSOG2`` (navnesøgning).

Names are matched on their folded form (:mod:`opencpr.domain.folding`; ``Aabenraa`` = ``Åbenrå``):
every word of ``NVN``, ``NVN1``..``NVN3`` must match a word of the same name (first, middle or last
names): by its beginning (``hans`` finds Hans and Hansen), or anywhere with a leading ``*``
(``*sen`` finds Jensen; at least three letters). A prefix word drives the search through
``name_word``'s primary key (the word with the fewest hits, probed); infix words alone use the
trigram index of ``name_search``. See ``docs/search.md`` for the indexes and query plans.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, column, exists, func, literal, select, table, true, tuple_

from opencpr.register.schema import name_search, name_word
from opencpr.register.search_index import FTS_TABLE
from opencpr.services.catalogue import Category, Key, KeyType, SearchService, Shape
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.errors import InvalidKey
from opencpr.services.lookups.search import (
    AIA_KEY,
    BAD_RESTART_KEY,
    HNVS_KEY,
    KOMK_KEY,
    KON_KEY,
    MAXA_KEY,
    PERSON_OUT,
    REST_KEY,
    STAF_KEY,
    STB_KEY,
    Filters,
    Term,
    count_answer,
    count_rows,
    criteria_text,
    custom_plans,
    decode_restart_key,
    name_keys,
    name_terms,
    names_match,
    page_of,
    person_filters,
    restart_key,
    restart_values,
    rows_wanted,
    search_answer,
    upper_bound,
)

__all__ = ["NVNSOG2", "SERVICES"]


#: Prefix terms are probed for their number of hits up to this many, to pick the term that drives the search.
_PROBE = 1000
#: When every prefix term has at least ``_PROBE`` hits (common names in a national register), they are
#: probed again up to this many: driving by the rarest of them is what keeps a full name fast.
_PROBE_WIDE = 20_000


def _probe(ctx: ServiceContext, term: Term, historical: bool, most: int = _PROBE) -> int:
    conds = [name_word.c.word >= term.text, name_word.c.word < upper_bound(term.text)]
    if not historical:
        conds.append(name_word.c.in_current == true())
    inner = select(literal(1)).where(*conds).limit(most).subquery()
    return ctx.conn.execute(select(func.count()).select_from(inner)).scalar_one()


def _driver(ctx: ServiceContext, terms: Sequence[Term], historical: bool) -> int | None:
    """Index of the prefix term with the fewest hits (it drives the search), None if all are infix."""
    prefixes = [i for i, t in enumerate(terms) if not t.infix]
    if not prefixes:
        return None
    if len(prefixes) == 1:
        return prefixes[0]
    hits = {i: _probe(ctx, terms[i], historical) for i in prefixes}
    if all(n >= _PROBE for n in hits.values()):
        hits = {i: _probe(ctx, terms[i], historical, _PROBE_WIDE) for i in prefixes}
    return min(prefixes, key=lambda i: (hits[i], -len(terms[i].text), i))


def _by_word(ctx: ServiceContext, terms: Sequence[Term], driver: int, historical: bool, filters: Filters,
             after: list[Any] | None, limit: int | None) -> Select:
    """Hits ordered by (matching word, sort name, pnr) from ``name_word``'s primary key; the filters
    test the values copied into its rows, so the range scan joins nothing for them."""
    w = name_word
    lead = terms[driver]
    query = select(w.c.word, w.c.sort_name, w.c.pnr).where(w.c.word >= lead.text, w.c.word < upper_bound(lead.text))
    if not historical:
        query = query.where(w.c.in_current == true())
    if limit is not None:  # each person once: at the first of their words that matches (counts count PNRs)
        other = name_word.alias("other_word")
        query = query.where(~exists().where(other.c.pnr == w.c.pnr, other.c.word >= lead.text,
                                            other.c.word < w.c.word,
                                            *([] if historical else [other.c.in_current == true()])))
    if len(terms) > 1:
        if not historical:
            # the row carries the person's current name (its sort form, the same folded words):
            # a name without every term is passed over in the row, before the test of the name rows
            query = query.where(*[(literal(" ") + w.c.sort_name).like(t.like(), escape="\\")
                                  for i, t in enumerate(terms) if i != driver])
        query = query.where(names_match(w.c.pnr, terms, historical))
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


def _name_search(ctx: ServiceContext, terms: list[Term], historical: bool, filters: Filters, restart: str | None,
                 maxa: int | None, count_only: bool, criteria: str) -> Outcome:
    wanted = rows_wanted(maxa)
    kind = decode_restart_key(restart)[0] if restart else None
    word_key = restart_values("N", restart, 4) if kind == "N" else None
    id_key = restart_values("I", restart, 1) if restart and kind != "N" else None
    if word_key is not None:
        driver = word_key[0]
        if not isinstance(driver, int) or not 0 <= driver < len(terms) or terms[driver].infix:
            raise InvalidKey("REST", restart, BAD_RESTART_KEY)
    else:
        driver = _driver(ctx, terms, historical)
    if driver is None:
        query = _by_trigram(ctx, terms, historical, filters, id_key, None if count_only else wanted + 1)
        if count_only:
            return count_answer(count_rows(ctx, query), criteria)
        hits = [(r.pnr, restart_key("I", [r.id])) for r in ctx.conn.execute(query)]
    else:
        query = _by_word(ctx, terms, driver, historical, filters, word_key, None if count_only else wanted + 1)
        if count_only:
            persons = query.order_by(None).with_only_columns(name_word.c.pnr).distinct().subquery()
            return count_answer(ctx.conn.execute(select(func.count()).select_from(persons)).scalar_one(), criteria)
        hits = [(r.pnr, restart_key("N", [driver, r.word, r.sort_name, r.pnr])) for r in ctx.conn.execute(query)]
    records, keys = page_of(ctx, hits, wanted)
    return search_answer(records, keys, len(hits) > wanted, criteria)


def _nvnsog2(ctx: ServiceContext, name: str, name1: str | None = None, name2: str | None = None,
             name3: str | None = None, sex: str | None = None, age_from: int | None = None,
             age_to: int | None = None, historical: bool = False, municipality: str | None = None,
             region: str | None = None, status: str | None = None, nationality: str | None = None,
             max_rows: int | None = None, restart: str | None = None, count_only: bool = False) -> Outcome:
    terms = name_terms("NVN", name, name1, name2, name3)
    custom_plans(ctx)
    filters = person_filters(ctx, sex=sex, status=status, nationality=nationality, age_from=age_from, age_to=age_to,
                             municipality=municipality, region=region)
    criteria = criteria_text("NVNSOG2", {"NVN": " ".join(x for x in (name, name1, name2, name3) if x), "KON": sex,
                                         "ALDF": age_from, "ALDT": age_to, "HNVS": historical, "KOMK": municipality,
                                         "LDEL": region, "STAF": status, "STB": nationality, "AIA": count_only})
    return _name_search(ctx, terms, historical, filters, restart, max_rows, count_only, criteria)


NVNSOG2 = SearchService(
    "NVNSOG2", "Navnesøgning",
    "Persons by current (or, with HNVS, previous) name or part of it, with sex, age, status, citizenship, "
    "municipality and region as further criteria.",
    Category.SEARCH,
    (*name_keys(True), KON_KEY,
     Key("ALDF", "age_from", KeyType.INT, low=0, high=150, description="Age from (whole years)"),
     Key("ALDT", "age_to", KeyType.INT, low=0, high=150, description="Age to (whole years)"),
     HNVS_KEY, KOMK_KEY,
     Key("LDEL", "region", KeyType.CHOICE, choices=("1081", "1082", "1083", "1084", "1085"),
         description="Region (landsdel) of the current address"),
     STAF_KEY, STB_KEY, MAXA_KEY, REST_KEY, AIA_KEY),
    PERSON_OUT, _nvnsog2, shape=Shape.SEARCH, table="NAVNSOEG",
    groups=("cpr-office", "municipality", "church-office"), pnr_key=None,
    example=(("NVN", "Jens"), ("NVN1", "Mortensen"), ("KON", "M")),
    notes="Fields as CPR's NVNSOG2 answers (Table NAVNSOEG); KON is optional here. Restart keys are this "
          "project's (keyset, self-contained).",
)


SERVICES = (NVNSOG2,)
