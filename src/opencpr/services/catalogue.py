"""The service catalogue: every search and lookup service, declared once, as data.

A :class:`SearchService` names the service as CPR does (``Stam+``, ``NVNSOG2`` …), the system it
belongs to, its key fields (:class:`Key`, with their validation), the shape and table of its
answer, the fields of each answer row (:class:`Out`: CPR's field name, the record key holding the
value and those holding its clear texts), which default security groups may use it and whether
it is billable. The GCTP adapter, the REST adapter, the permission gate (through
:meth:`SearchService.spec`) and the published specifications (:func:`specifications`) all read
this catalogue; no adapter knows a service by hand.

A service implementation is ``run(ctx, **params) -> Outcome``: it gets validated key values by
their parameter names and returns records keyed by this project's English field names; the
:class:`Out` declarations translate them to CPR's names on the wire.

Services are declared in the modules listed in :data:`_MODULES`; each has a module-level
``SERVICES`` tuple. :func:`catalogue` collects them once.

:class:`Out` and :class:`Fmt` are wire wording, declared in :mod:`opencpr.formats.fields`; they
are imported here so that service modules find them beside :class:`Key`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property
from typing import Any

from opencpr.access.groups import Kind
from opencpr.declared import collect
from opencpr.domain.flags import parse_flag
from opencpr.domain.kvit import Kvit
from opencpr.domain.pnr import InvalidPNR, parse
from opencpr.formats.fields import Fmt, Out
from opencpr.services.contract import Outcome, ServiceContext, ServiceSpec
from opencpr.services.errors import InvalidKey, MalformedPNR, MissingKey, UnknownField, UnknownService

__all__ = [
    "PNR_KEY", "Category", "Fmt", "Key", "KeyType", "Out", "SearchService", "Shape", "catalogue", "find",
    "specifications",
]


class Shape(StrEnum):
    """How an answer is laid out in GCTP (``cpr-protocols.md`` §1.6)."""

    TABLE = "table"  # Rolle / Table r=<table> / Row k="0","1",… / Field
    FLAT = "flat"  # Rolle / Field (one record)
    PRAES = "praes"  # Rolle / Praes r=<table> / Field (one record; STAMP)
    SEARCH = "search"  # Rolle / [head fields] / Table / [summary Row u="B"] / Row k=<restart key> / [tail fields]


class Category(StrEnum):
    PERSON = "person"  # lookups with a PNR as key (opslag, personnummer som nøgle)
    GEOGRAPHY = "geography"  # geographic lookups (geografiske opslag)
    OTHER = "other"  # updates in an interval, code texts (andet)
    SEARCH = "search"  # searches for persons (søgninger)
    HELPER = "helper"  # geographic and other helper searches (hjælpesøgninger)


class KeyType(StrEnum):
    PNR = "pnr"  # ten digits, a valid CPR number (Kvit 52 if not)
    DIGITS = "digits"  # up to ``length`` digits, zero-padded on the left to ``length``
    TEXT = "text"  # free text up to ``length`` characters
    DATE = "date"  # yyyyMMdd (given as a key) → YYYY-MM-DD
    DATETIME = "datetime"  # yyyyMMdd or yyyyMMddHHmm → YYYY-MM-DDTHH:MM
    CHOICE = "choice"  # one of ``choices`` (case-insensitive)
    FLAG = "flag"  # X (J, JA, Y, 1 …) → True; blank (N, NEJ, 0 …) → False: see opencpr.domain.flags
    INT = "int"  # a whole number within ``low``..``high``


@dataclass(frozen=True)
class Key:
    """A key field (nøglefelt) of a service."""

    name: str  # CPR's key name on the wire (``PNR``, ``VEJK``)
    param: str  # the service parameter it fills (``pnr``, ``road``)
    type: KeyType = KeyType.TEXT
    required: bool = False
    length: int | None = None  # DIGITS: exact width after padding; TEXT: maximum length
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    aliases: tuple[str, ...] = ()  # other names clients send (legacy)
    description: str = ""

    def parse(self, raw: object) -> Any:
        """The key's value from what a client sent; raise MalformedPNR or InvalidKey."""
        text = "" if raw is None else str(raw)
        value = text.strip()
        t = self.type
        if any(c < " " for c in value):  # control characters (a NUL cannot even be stored on PostgreSQL)
            raise InvalidKey(self.name, value.encode("unicode_escape").decode("ascii"), "text without control "
                                                                                          "characters")
        if t is KeyType.PNR:
            try:
                return parse(value).pnr
            except (InvalidPNR, TypeError, ValueError):
                raise MalformedPNR(value) from None
        if t is KeyType.FLAG:
            flag = parse_flag(value)
            if flag is None:
                raise InvalidKey(self.name, value, "X or blank")
            return flag
        if value == "":
            return None
        if t is KeyType.DIGITS:
            if not (value.isascii() and value.isdigit()) or (self.length and len(value) > self.length):
                raise InvalidKey(self.name, value, f"up to {self.length} digits")
            return value.zfill(self.length or 0)
        if t is KeyType.TEXT:
            if self.length and len(value) > self.length:
                raise InvalidKey(self.name, value, f"at most {self.length} characters")
            return value
        if t is KeyType.CHOICE:
            for choice in self.choices:
                if value.casefold() == choice.casefold():
                    return choice
            raise InvalidKey(self.name, value, "one of " + ", ".join(self.choices))
        if t is KeyType.INT:
            if not re.fullmatch(r"\d{1,9}", value):
                raise InvalidKey(self.name, value, "a whole number")
            number = int(value)
            if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
                raise InvalidKey(self.name, value, f"a number from {self.low} to {self.high}")
            return number
        if t in (KeyType.DATE, KeyType.DATETIME):
            return _parse_moment(self, value)
        raise AssertionError(t)  # pragma: no cover

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "param": self.param, "type": self.type.value,
                               "required": self.required, "description": self.description}
        if self.length:
            out["length"] = self.length
        if self.choices:
            out["choices"] = list(self.choices)
        if self.low is not None or self.high is not None:
            out["range"] = [self.low, self.high]
        if self.aliases:
            out["aliases"] = list(self.aliases)
        return out


#: The key of every lookup by PNR (opslag, personnummer som nøgle).
PNR_KEY = Key("PNR", "pnr", KeyType.PNR, required=True, description="The person's CPR number, 10 digits")


def _parse_moment(key: Key, value: str) -> str:
    digits = value.replace("-", "").replace(":", "").replace("T", "").replace(" ", "")
    formats = ("%Y%m%d",) if key.type is KeyType.DATE else ("%Y%m%d%H%M", "%Y%m%d")
    for fmt in formats:
        if len(digits) == len(dt.datetime(2000, 1, 1).strftime(fmt)):
            try:
                moment = dt.datetime.strptime(digits, fmt)
            except ValueError:
                break
            return moment.strftime("%Y-%m-%d") if key.type is KeyType.DATE else moment.strftime("%Y-%m-%dT%H:%M")
    wanted = "yyyyMMdd" if key.type is KeyType.DATE else "yyyyMMdd or yyyyMMddHHmm"
    raise InvalidKey(key.name, value, wanted)


#: Default security groups (``opencpr.access.groups.DEFAULT_GROUPS``) a service can name.
AUTHORITIES = ("cpr-office", "municipality")
ALL_PUBLIC = ("cpr-office", "municipality", "church-office")


@dataclass(frozen=True)
class SearchService:
    """One search or lookup service, as the catalogue declares it."""

    name: str  # CPR's service name (GCTP ``Service r=``)
    title: str  # the handbook's Danish name
    description: str  # what it answers (English)
    category: Category
    keys: tuple[Key, ...]
    fields: tuple[Out, ...]
    run: Callable[..., Outcome] = field(repr=False)
    shape: Shape = Shape.TABLE
    table: str | None = None  # GCTP ``Table r=`` (default: the service name)
    system: str = "CprSoeg"
    head: tuple[Out, ...] = ()  # SEARCH: flat fields before the table, from ``Outcome.info``
    summary: tuple[Out, ...] = ()  # SEARCH: the leading ``Row u="B"``, from ``Outcome.info["summary"]``
    tail: tuple[Out, ...] = ()  # SEARCH: flat fields after the table, from ``Outcome.info``
    groups: tuple[str, ...] = AUTHORITIES  # default groups that may use it
    billable: bool = True
    address_search: bool = False  # finds persons by address: the gate keeps protected persons out
    pnr_key: str | None = "pnr"  # parameter naming the person (scope, audit)
    requires_one_of: tuple[tuple[str, ...], ...] = ()  # each tuple: at least one of these params
    uuid: str | None = None  # Serviceplatformen's ServiceUUID, where known
    notes: str = ""  # where the answer shape comes from (recorded, or designed in CPR's style)
    example: tuple[tuple[str, str], ...] = ()  # keys (wire names) of a call that answers, on the demo register

    @property
    def table_name(self) -> str:
        return self.table or self.name

    @property
    def slug(self) -> str:
        """The service's REST path segment (``Stam+`` → ``stam-plus``)."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.casefold().replace("+", "-plus")).strip("-")

    @cached_property
    def _keys_by_name(self) -> dict[str, Key]:
        found: dict[str, Key] = {}
        for key in self.keys:
            for n in (key.name, *key.aliases):
                found[n.casefold()] = key
        return found

    @cached_property
    def _keys_by_param(self) -> dict[str, Key]:
        return {k.param: k for k in self.keys}

    def key_named(self, name: str) -> Key:
        """The key a client names (wire name or alias, any case); raise UnknownField (Kvit 16)."""
        key = self._keys_by_name.get(name.strip().casefold())
        if key is None:
            raise UnknownField(name, self.name)
        return key

    def key_for_param(self, param: str) -> Key:
        key = self._keys_by_param.get(param) or self._keys_by_name.get(param.casefold())
        if key is None:
            raise UnknownField(param, self.name)
        return key

    def wire_params(self, fields: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Raw key values by parameter from (wire name, value) pairs; unknown names are Kvit 16."""
        params: dict[str, str] = {}
        for name, value in fields:
            params[self.key_named(name).param] = value
        return params

    def validate(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validated parameters from raw values by parameter name (every key present, None if not given)."""
        values: dict[str, Any] = {}
        for param, value in raw.items():
            key = self.key_for_param(param)
            values[key.param] = key.parse(value)
        for key in self.keys:
            if key.param not in values:
                values[key.param] = False if key.type is KeyType.FLAG else None
            if key.required and values[key.param] in (None, ""):
                raise MissingKey(key.name, self.name)
        for group in self.requires_one_of:
            if all(values.get(p) in (None, "", False) for p in group):
                names = [self.key_for_param(p).name for p in group]
                raise MissingKey(" eller ".join(names), self.name)
        return values

    def _execute(self, ctx: ServiceContext, **raw: Any) -> Outcome:
        return self.run(ctx, **self.validate(raw))

    @cached_property
    def spec(self) -> ServiceSpec:
        """What the gate needs: the service as a :class:`ServiceSpec` that validates its keys."""
        return ServiceSpec(self.name, Kind.SEARCH, "search" if self.shape is Shape.SEARCH else "lookup",
                           self._execute, billable=self.billable, address_search=self.address_search,
                           pnr_key=self.pnr_key, description=self.title)

    def describe(self) -> dict[str, Any]:
        """The published specification of the service: keys and result."""
        out: dict[str, Any] = {
            "name": self.name, "system": self.system, "title": self.title, "description": self.description,
            "category": self.category.value, "shape": self.shape.value, "table": self.table_name,
            "keys": [k.describe() for k in self.keys],
            "fields": [f.describe() for f in self.fields],
            "groups": list(self.groups), "billable": self.billable, "rest": f"/api/v1/{self.slug}",
        }
        if self.requires_one_of:
            out["requires_one_of"] = [[self.key_for_param(p).name for p in g] for g in self.requires_one_of]
        for part in ("head", "summary", "tail"):
            if getattr(self, part):
                out[part] = [f.describe() for f in getattr(self, part)]
        if self.uuid:
            out["service_uuid"] = self.uuid
        if self.notes:
            out["notes"] = self.notes
        if self.example:
            out["example"] = dict(self.example)
        return out


#: Modules that declare services (each has ``SERVICES``), in catalogue order. The search and lookup
#: services are declared by area in the modules of :mod:`opencpr.services.lookups`; the package's
#: ``SERVICES`` lists them all in the order of the published specifications.
_MODULES = (
    "opencpr.services.lookups",
)


@cache
def catalogue() -> dict[str, SearchService]:
    """Every service by its case-folded name, in declaration order."""
    return collect(_MODULES, "SERVICES", lambda service: service.name.casefold())


def find(name: str) -> SearchService:
    """The service CPR calls ``name`` (any case); raise UnknownService."""
    service = catalogue().get(name.strip().casefold())
    if service is None:
        raise UnknownService(name)
    return service


def by_slug(slug: str) -> SearchService | None:
    for service in catalogue().values():
        if service.slug == slug:
            return service
    return None


def service_names() -> tuple[str, ...]:
    return tuple(s.name for s in catalogue().values())


def specifications() -> dict[str, Any]:
    """The published specifications of every service (``GET /cpr-online-gctp/services``)."""
    return {
        "services": [s.describe() for s in catalogue().values()],
        "kvit": [{"code": k.code, "text": k.text, "name": k.name} for k in Kvit],
    }
