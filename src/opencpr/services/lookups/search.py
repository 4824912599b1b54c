"""What the person searches (søgninger) share: ``NVNSOG2`` (name, :mod:`.name_search`), ``ADRSOG1``
(address, :mod:`.address_search`) and ``FOEDSOG`` (birth date, :mod:`.birth_date_search`).

All three return a list of persons in a stable order with a restart key per row: ``REST`` = the
key of the last row of an answer continues right after it (keyset pagination; nothing is kept
on the server). ``MAXA`` is the page size (default 20, at most 500); ``AIA=X`` answers the number
of hits only. ``info["more"]`` says whether more rows follow, ``info["restart"]`` is the key to
continue with.

Names are matched on their folded form (:mod:`opencpr.domain.folding`; ``Aabenraa`` = ``Åbenrå``):
every word of ``NVN``, ``NVN1``..``NVN3`` must match a word of the same name (first, middle or last
names): by its beginning (``hans`` finds Hans and Hansen), or anywhere with a leading ``*``
(``*sen`` finds Jensen; at least three letters). ``jens mortensen`` finds Jens Peter Mortensen.
The name words of every search (``NVN`` …) are read by :func:`name_terms` and matched by
:func:`names_match`. See ``docs/search.md`` for the indexes and query plans.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select, text, true

from opencpr.access.protection import NAME_AND_ADDRESS, visible_condition
from opencpr.domain import reference
from opencpr.domain.codes import PERSON_STATUS
from opencpr.domain.folding import fold_words
from opencpr.register.schema import address, citizenship, clear_address, name, name_search, person
from opencpr.services.catalogue import Fmt, Key, KeyType, Out
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.errors import InvalidKey

DEFAULT_ROWS = 20
MAX_ROWS = 500


# --- name terms -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """One folded search word: matches a name word's beginning, or anywhere (``infix``)."""

    text: str
    infix: bool = False

    def like(self) -> str:
        return ("%" if self.infix else "% ") + escape_like(self.text) + "%"


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


def upper_bound(prefix: str) -> str:
    """The first string after every string that starts with ``prefix`` (code-point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def names_match(pnr: ColumnElement[str], terms: Sequence[Term], historical: bool) -> ColumnElement[bool]:
    """SQL: one of the person's names (current, or any with ``historical``) matches every term."""
    s = name_search.alias("name_match")
    conds = [s.c.pnr == pnr, *[s.c.words.like(t.like(), escape="\\") for t in terms]]
    if not historical:
        conds.append(s.c.current == true())
    return exists().where(*conds)


def escape_like(text_: str) -> str:
    return text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- restart keys ---------------------------------------------------------------------------------

def restart_key(kind: str, values: Sequence[Any]) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_RESTART_KEY = "a restart key from an earlier answer of the same search"


def decode_restart_key(key: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)))
    except ValueError:
        raise InvalidKey("REST", key, BAD_RESTART_KEY) from None
    if not isinstance(values, list) or not values:
        raise InvalidKey("REST", key, BAD_RESTART_KEY)
    return values


def restart_values(kind: str, key: str | None, size: int) -> list[Any] | None:
    """The values of a restart key of ``kind`` (None without a key); raise InvalidKey (Kvit 18)."""
    if not key:
        return None
    values = decode_restart_key(key)
    if len(values) != size + 1 or values[0] != kind or any(isinstance(v, (list, dict)) for v in values):
        raise InvalidKey("REST", key, BAD_RESTART_KEY)
    return values[1:]


def custom_plans(ctx: ServiceContext) -> None:
    """PostgreSQL: plan each search for its own values (a generic plan of a prepared statement
    knows neither the prefix range nor the LIKE patterns and may scan)."""
    if ctx.conn.dialect.name == "postgresql":
        ctx.conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def rows_wanted(maxa: int | None) -> int:
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
    #: the day on which protection counts, for a caller who may not see protected addresses: a
    #: protected person's municipality and birth authority are unknown to such a caller's filters
    protected_unknown_on: str | None = None

    def _located(self) -> bool:
        """True if a filter reads where the person lives or was registered at birth."""
        return bool(self.municipalities or self.birth_authority)

    def _known(self, pnr: ColumnElement[str]) -> list[ColumnElement[bool]]:
        """The caller may filter the person by place: not so for a hidden address (see above)."""
        if self.protected_unknown_on is None or not self._located():
            return []
        return [visible_condition(pnr, self.protected_unknown_on, False)]

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
        return conds + self._known(pnr)

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
        rest = Filters(birth_authority=self.birth_authority)  # the place is checked above
        return rest.apply(query.where(*conds, *self._known(w.c.pnr)), w.c.pnr)


def _years_before(day: str, years: int) -> str:
    d = dt.date.fromisoformat(day)
    try:
        return d.replace(year=d.year - years).isoformat()
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28).isoformat()


def person_filters(ctx: ServiceContext, *, sex=None, status=None, nationality=None, age_from=None, age_to=None,
                   municipality=None, region=None, birth_authority=None) -> Filters:
    if status is not None and status not in PERSON_STATUS:
        raise InvalidKey("STAF", status, "a person status (01-90)")
    if municipality is not None and not reference.is_municipality(municipality):
        raise InvalidKey("KOMK", municipality, "a municipality code")
    if age_from is not None and age_to is not None and age_from > age_to:
        raise InvalidKey("ALDF", age_from, f"an age not above ALDT ({age_to})")
    f = Filters(sex=sex, status=status, citizenship=nationality, birth_authority=birth_authority,
                protected_unknown_on=None if ctx.sees_protected_addresses else ctx.today)
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


# --- the rows of the answer -----------------------------------------------------------------------

def person_rows(ctx: ServiceContext, pnrs: Sequence[str]) -> dict[str, dict[str, Any]]:
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


def page_of(ctx: ServiceContext, hits: list[tuple[str, str]], wanted: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Records and restart keys of (pnr, key) hits, at most ``wanted``."""
    hits = hits[:wanted]
    persons = person_rows(ctx, [p for p, _ in hits])
    records, keys = [], []
    for pnr, key in hits:
        if pnr in persons:
            records.append(dict(persons[pnr]))
            keys.append(key)
    return records, keys


def search_answer(records: list[dict[str, Any]], keys: list[str], more: bool, criteria: str,
                  **extra: Any) -> Outcome:
    info: dict[str, Any] = {"row_keys": keys, "more": more, "rows": len(records), **extra}
    if more and keys:
        info["restart"] = keys[-1]
    return Outcome(records, detail=criteria, info=info)


def count_answer(count: int, criteria: str, **extra: Any) -> Outcome:
    return Outcome([], detail=criteria, info={"count": count, "count_only": True, "more": False, "rows": 0,
                                              **extra})


def criteria_text(service: str, values: dict[str, Any]) -> str:
    given = [f"{k}={'X' if v is True else v}" for k, v in values.items() if v not in (None, "", False)]
    return f"{service}: " + " ".join(given)


def count_rows(ctx: ServiceContext, query: Select) -> int:
    return ctx.conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()


# --- keys and fields ------------------------------------------------------------------------------

MAXA_KEY = Key("MAXA", "max_rows", KeyType.INT, low=1, high=9999,
               description=f"Rows per answer (default {DEFAULT_ROWS}, at most {MAX_ROWS})")

REST_KEY = Key("REST", "restart", KeyType.TEXT, length=400,
               description="Restart key: the k of the last row of an earlier answer; continues after it")

AIA_KEY = Key("AIA", "count_only", KeyType.FLAG, description="X: answer the number of hits only (Table aia=…)")

KON_KEY = Key("KON", "sex", KeyType.CHOICE, choices=("K", "M"), description="Sex: K or M")

STAF_KEY = Key("STAF", "status", KeyType.DIGITS, length=2, description="Person status (01-90)")

STB_KEY = Key("STB", "nationality", KeyType.DIGITS, length=4, description="Citizenship (country code)")

KOMK_KEY = Key("KOMK", "municipality", KeyType.DIGITS, length=4, description="Municipality of the current address")

HNVS_KEY = Key("HNVS", "historical", KeyType.FLAG, description="X: search previous names too")


def name_keys(required: bool) -> tuple[Key, ...]:
    return (
        Key("NVN", "name", KeyType.TEXT, required=required, length=60,
            description="Name or part of it: each word matches the start of a name word; *word anywhere"),
        Key("NVN1", "name1", KeyType.TEXT, length=60, description="More name words"),
        Key("NVN2", "name2", KeyType.TEXT, length=60, description="More name words"),
        Key("NVN3", "name3", KeyType.TEXT, length=60, description="More name words"),
    )


PERSON_OUT = (
    Out("PNR", "pnr"),
    Out("CNVN_ADRNVN", "name_inverted", t="name", description="Name: v 'Last,First Middle', t 'First Middle Last'"),
    Out("CNVN_STATUS", "status"),
    Out("FOEDMYNTXT", "birth_authority_name", description="Birth registration authority"),
    Out("CNVN_KOEN", "sex"),
    Out("ADRBESKYT", "name_address_protected", Fmt.FLAG, description="X: name and address protection"),
    Out("STADR", "standard_address"),
    Out("POSTNR", "postal_code", t="postal_district"),
)
