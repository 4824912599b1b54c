"""Birth date search: ``FOEDSOG`` (fødselsdatosøgning), in the style of ``NVNSOG2``."""

from __future__ import annotations

from sqlalchemy import func, select, true, tuple_

from opencpr.register.schema import name_search, person
from opencpr.services.catalogue import Category, Key, KeyType, SearchService, Shape
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.search import (
    AIA_KEY,
    HNVS_KEY,
    KON_KEY,
    MAXA_KEY,
    PERSON_OUT,
    REST_KEY,
    STAF_KEY,
    STB_KEY,
    count_answer,
    count_rows,
    criteria_text,
    custom_plans,
    name_terms,
    names_match,
    page_of,
    person_filters,
    restart_key,
    restart_values,
    rows_wanted,
    search_answer,
)

__all__ = ["FOEDSOG", "SERVICES"]


def _foedsog(ctx: ServiceContext, born: str, sex: str | None = None, name: str | None = None,
             historical: bool = False, status: str | None = None, nationality: str | None = None,
             birth_authority: str | None = None, max_rows: int | None = None, restart: str | None = None,
             count_only: bool = False) -> Outcome:
    terms = name_terms("NVN", name) if name else []
    custom_plans(ctx)
    filters = person_filters(ctx, sex=sex, status=status, nationality=nationality, birth_authority=birth_authority)
    criteria = criteria_text("FOEDSOG", {"FODT": born, "KON": sex, "NVN": name, "HNVS": historical, "STAF": status,
                                         "STB": nationality, "FOEDMYN": birth_authority, "AIA": count_only})
    wanted = rows_wanted(max_rows)
    after = restart_values("F", restart, 2)
    current = name_search.alias("sort_source")
    sort = func.coalesce(select(func.min(current.c.sort_name)).where(current.c.pnr == person.c.pnr,
                                                                     current.c.current == true())
                         .scalar_subquery(), "")
    query = select(person.c.pnr, sort.label("sort_name")).where(person.c.birth_date == born)
    if terms:
        query = query.where(names_match(person.c.pnr, terms, historical))
    query = filters.apply(query, person.c.pnr, joined=True).where(ctx.in_scope(person.c.pnr))
    if count_only:
        return count_answer(count_rows(ctx, query), criteria)
    if after is not None:
        query = query.where(tuple_(sort, person.c.pnr) > tuple_(*after))
    query = query.order_by(sort, person.c.pnr).limit(wanted + 1)
    hits = [(r.pnr, restart_key("F", [r.sort_name, r.pnr])) for r in ctx.conn.execute(query)]
    records, keys = page_of(ctx, hits, wanted)
    return search_answer(records, keys, len(hits) > wanted, criteria)


FOEDSOG = SearchService(
    "FOEDSOG", "Fødselsdatosøgning",
    "Persons born on a day, with sex, current or previous name, status, citizenship and birth registration "
    "authority as further criteria.",
    Category.SEARCH,
    (Key("FODT", "born", KeyType.DATE, required=True, description="Birth date, yyyyMMdd"), KON_KEY,
     Key("NVN", "name", KeyType.TEXT, length=60, description="Name or part of it"), HNVS_KEY, STAF_KEY, STB_KEY,
     Key("FOEDMYN", "birth_authority", KeyType.DIGITS, length=4, description="Birth registration authority"),
     MAXA_KEY, REST_KEY, AIA_KEY),
    PERSON_OUT, _foedsog, shape=Shape.SEARCH, table="FOEDSOEG", pnr_key=None,
    example=(("FODT", "19810613"),),
    notes="Designed in the style of NVNSOG2 (the handbook's Fødselsdatosøgning; no recorded answer).",
)


SERVICES = (FOEDSOG,)
