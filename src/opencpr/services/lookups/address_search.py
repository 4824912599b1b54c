"""Address search: ``ADRSOG1`` (adressesøgning).

Persons by current (or, with ``TIDL`` or a period, previous) address or part of it: the roads the
keys name (road code, or road name by its beginning or with a leading ``*`` anywhere), then the
addresses on them. Persons under name and address protection are not found by callers who may
not see protected addresses (``ctx.visible``); the gate checks that none slips through.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import and_, func, or_, select, true, tuple_

from opencpr.domain import reference
from opencpr.domain.folding import fold
from opencpr.register.schema import address, road_name
from opencpr.services.catalogue import Category, Fmt, Key, KeyType, Out, SearchService, Shape
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.errors import InvalidKey
from opencpr.services.lookups.search import (
    AIA_KEY,
    KOMK_KEY,
    KON_KEY,
    MAXA_KEY,
    REST_KEY,
    STAF_KEY,
    STB_KEY,
    count_answer,
    count_rows,
    criteria_text,
    custom_plans,
    escape_like,
    name_keys,
    name_terms,
    names_match,
    person_filters,
    person_rows,
    restart_key,
    restart_values,
    rows_wanted,
    search_answer,
    upper_bound,
)

__all__ = ["ADRSOG1", "SERVICES"]


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
            query = query.where(r.c.folded.like("%" + escape_like(wanted) + "%", escape="\\"))
        else:
            query = query.where(r.c.folded >= wanted, r.c.folded < upper_bound(wanted))
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
    custom_plans(ctx)
    filters = person_filters(ctx, sex=sex, status=status, nationality=nationality)
    criteria = criteria_text("ADRSOG1", {"NVN": " ".join(texts), "KON": sex, "VEJK": road, "VNVN": road_name_,
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
    extra = {**head, "summary": summary, "summary_key": restart_key("B", [])}
    if not roads:
        return count_answer(0, criteria, **head) if count_only else search_answer([], [], False, criteria, **extra)
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
        query = query.where(names_match(a.c.pnr, terms, False))
    query = filters.apply(query, a.c.pnr).where(ctx.visible(a.c.pnr), ctx.in_scope(a.c.pnr))
    if count_only:
        return count_answer(count_rows(ctx, query), criteria, **head)
    after = restart_values("A", restart, 6)
    order = (a.c.municipality, a.c.road, house_sort, floor_sort, door_sort, a.c.id)
    if after is not None:
        query = query.where(tuple_(*order) > tuple_(*after))
    wanted = rows_wanted(max_rows)
    rows = list(ctx.conn.execute(query.order_by(*order).limit(wanted + 1)))
    more = len(rows) > wanted
    rows = rows[:wanted]
    persons = person_rows(ctx, list(dict.fromkeys(r.pnr for r in rows)))
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
        keys.append(restart_key("A", [r.municipality, r.road, r.h, r.f, r.d, r.id]))
    return search_answer(records, keys, more, criteria, **extra)


ADRSOG1 = SearchService(
    "ADRSOG1", "Adressesøgning",
    "Persons by current (or, with TIDL or a period, previous) address or part of it, with current name, sex, "
    "status and citizenship as further criteria. Persons under name and address protection are not found "
    "by callers who may not see protected addresses.",
    Category.SEARCH,
    (*name_keys(False), KON_KEY,
     Key("VEJK", "road", KeyType.DIGITS, length=4, description="Road code"),
     Key("VNVN", "road_name_", KeyType.TEXT, length=40, description="Road name or part of it"),
     Key("HNR", "house_no", KeyType.TEXT, length=4, description="House number"),
     Key("BNR", "building_no", KeyType.TEXT, length=4, description="Building number"),
     Key("ETAG", "floor", KeyType.TEXT, length=2, description="Floor"),
     Key("SIDO", "door", KeyType.TEXT, length=4, description="Door"),
     Key("POST", "postal_code", KeyType.DIGITS, length=4, description="Postal code"),
     KOMK_KEY, STAF_KEY, STB_KEY,
     Key("TIDL", "previous", KeyType.FLAG, description="X: previous addresses too"),
     Key("PERF", "period_from", KeyType.DATE, description="Lived there on or after this day (yyyyMMdd)"),
     Key("PERT", "period_to", KeyType.DATE, description="Lived there on or before this day (yyyyMMdd)"),
     MAXA_KEY, REST_KEY, AIA_KEY),
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


SERVICES = (ADRSOG1,)
