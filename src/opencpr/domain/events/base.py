"""What an event is, as data: its fields, its rules, its effect on the register. Pure: no I/O.

An :class:`EventType` declares one CPR event (hændelse) once:

* ``fields`` — the data the event takes (:class:`DataField`: CPR's field name, the parameter, its
  kind, whether it is required, how its code is translated to clear text);
* ``rules`` — the checks of the event (:class:`Rule`: a code, a Danish text, a predicate over the
  :class:`Situation`); every rule is checked at validation and again at save;
* ``effect`` — a pure function from the situation to a :class:`Plan`: the row changes on every
  person it concerns and the events to log, the primary one and the derived ones on relatives
  (with CPR's derived marker: ``ÆG`` spouse, ``PA`` partner, ``BØ`` child, ``MO``/``FA`` parent …);
* ``concerns`` — the kinds of current data shown when the event is initiated;
* ``secondary`` — follow-on events the same case may report (naming after a birth …).

The service layer (:mod:`opencpr.services.updates`) reads the person's state, builds the
situation, runs the rules and applies the plan in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from opencpr.domain import reference
from opencpr.domain.codes import CodeTable
from opencpr.domain.flags import parse_flag
from opencpr.domain.pnr import InvalidPNR, parse

# --- problems ---------------------------------------------------------------------------------------

#: Codes of validation problems (this project's; CPR's own codes for these are not public).
REQUIRED = 4001  # a required field is missing
INVALID = 4002  # a value of the wrong form
UNKNOWN_CODE = 4003  # a code that is not in its table
DATE_ORDER = 4004  # a date before another it must follow, or in the future where that is not allowed
PERSON_STATE = 4005  # the person's state does not allow the event
RELATIVE = 4006  # a person the event names is missing or in the wrong state
NO_CHANGE = 4007  # the data equals what is registered


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an event: a code, the field it concerns (if one) and a Danish text."""

    code: int
    text: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "text": self.text}


class EventRefused(Exception):
    """Raised by an effect that finds the event impossible after all (carries the problems)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.text for p in problems))
        self.problems = problems


# --- data fields ------------------------------------------------------------------------------------

class FieldKind(StrEnum):
    TEXT = "text"  # free text up to ``length``
    DIGITS = "digits"  # digits, zero-padded to ``length``
    PNR = "pnr"  # a valid CPR number
    DATE = "date"  # yyyyMMdd or YYYY-MM-DD → YYYY-MM-DD
    CHOICE = "choice"  # one of ``choices``
    FLAG = "flag"  # X/blank (the spellings of opencpr.domain.flags)
    MUNICIPALITY = "municipality"  # a municipality code, translated to its name
    COUNTRY = "country"  # a country code (authority table type 30), translated to its name
    AUTHORITY = "authority"  # any authority code, translated to its name
    ROAD = "road"  # a road code of the municipality in field ``of`` (translated to the road name)
    HOUSE_NO = "house_no"  # 1-999 with an optional letter → CPR's 4-character form ("012B", "007 ")
    FLOOR = "floor"  # st, kl, 1-99 → "st", "kl", "01"…
    DOOR = "door"  # tv, th, mf or up to 4 characters → right-aligned like CPR ("  tv")


@dataclass(frozen=True)
class DataField:
    """A data field of an event."""

    name: str  # CPR's field name on the wire (``KOMKOD``)
    param: str  # the parameter in the event's data (``municipality``)
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    length: int | None = None
    choices: tuple[str, ...] = ()
    codes: CodeTable | None = None  # CHOICE: translate with this table
    of: str | None = None  # ROAD: the parameter holding the municipality
    description: str = ""

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "param": self.param, "kind": self.kind.value,
                               "required": self.required, "description": self.description}
        if self.length:
            out["length"] = self.length
        if self.choices or self.codes is not None:
            out["choices"] = list(self.choices or self.codes.codes)  # type: ignore[union-attr]
        return out


def _problem(f: DataField, code: int, what: str) -> Problem:
    return Problem(code, f"{f.name}: {what}", f.name)


def parse_value(f: DataField, raw: Any) -> tuple[Any, Problem | None]:
    """The field's value from what the client sent (None when blank), or a problem."""
    text = "" if raw is None else str(raw)
    value = text.strip()
    k = f.kind
    if k is FieldKind.FLAG:
        flag = parse_flag(value)
        if flag is None:
            return None, _problem(f, INVALID, f"{value} er ikke X eller blank")
        return flag, None
    if k is FieldKind.DOOR:
        if not text.strip():
            return None, None
        if len(value) > 4:
            return None, _problem(f, INVALID, "højst 4 tegn")
        return value.rjust(4), None
    if value == "":
        return None, None
    if k is FieldKind.TEXT:
        if f.length and len(value) > f.length:
            return None, _problem(f, INVALID, f"højst {f.length} tegn")
        return value, None
    if k in (FieldKind.DIGITS, FieldKind.MUNICIPALITY, FieldKind.COUNTRY, FieldKind.AUTHORITY, FieldKind.ROAD):
        width = f.length or 4
        if not value.isdigit() or len(value) > width:
            return None, _problem(f, INVALID, f"skal være højst {width} cifre")
        return value.zfill(width), None
    if k is FieldKind.PNR:
        try:
            return parse(value).pnr, None
        except (InvalidPNR, ValueError):
            return None, _problem(f, INVALID, f"{value} er ikke et gyldigt personnummer")
    if k is FieldKind.DATE:
        digits = value.replace("-", "")
        try:
            return dt.datetime.strptime(digits, "%Y%m%d").date().isoformat(), None
        except ValueError:
            return None, _problem(f, INVALID, f"{value} er ikke en dato (ååååmmdd)")
    if k is FieldKind.CHOICE:
        allowed = f.choices or (f.codes.codes if f.codes is not None else ())
        for choice in allowed:
            if value.casefold() == choice.casefold():
                return choice, None
        return None, _problem(f, UNKNOWN_CODE, f"{value} er ikke en af {', '.join(c for c in allowed if c)}")
    if k is FieldKind.HOUSE_NO:
        m = re.fullmatch(r"0*(\d{1,3})\s*([A-Za-z]?)", value)
        if not m or int(m.group(1)) == 0:
            return None, _problem(f, INVALID, f"{value} er ikke et husnummer (1-999 og evt. bogstav)")
        return f"{int(m.group(1)):03d}{m.group(2).upper() or ' '}".rstrip(), None
    if k is FieldKind.FLOOR:
        low = value.casefold()
        if low in ("st", "kl"):
            return low, None
        if low.startswith("k") and low[1:].isdigit() and len(low) <= 2:
            return low, None
        if value.isdigit() and 1 <= int(value) <= 99:
            return f"{int(value):02d}", None
        return None, _problem(f, INVALID, f"{value} er ikke en etage (st, kl, 1-99)")
    raise AssertionError(k)  # pragma: no cover


def translate(f: DataField, value: Any, data: Mapping[str, Any], on: dt.date) -> tuple[str | None, Problem | None]:
    """The clear text of a coded value (None for uncoded fields), or the problem that it is unknown."""
    if value is None or value == "":
        return None, None
    k = f.kind
    if k is FieldKind.MUNICIPALITY:
        found = reference.authority(value, on=on)
        if found is None or not reference.is_municipality(value):
            return None, _problem(f, UNKNOWN_CODE, f"kommunekode {value} findes ikke")
        return found.name, None
    if k is FieldKind.COUNTRY:
        if not reference.is_country(value):
            return None, _problem(f, UNKNOWN_CODE, f"landekode {value} findes ikke")
        found = reference.authority(value)
        return (found.name if found else None), None
    if k is FieldKind.AUTHORITY:
        found = reference.authority(value, on=on)
        if found is None:
            return None, _problem(f, UNKNOWN_CODE, f"myndighedskode {value} findes ikke")
        return found.name, None
    if k is FieldKind.ROAD:
        municipality = data.get(f.of or "municipality")
        if not municipality:
            return None, None  # the municipality's own problem is reported
        road = reference.road(municipality, value)
        if road is None:
            return None, _problem(f, UNKNOWN_CODE, f"vejkode {value} findes ikke i kommune {municipality}")
        return road.name, None
    if k is FieldKind.CHOICE and f.codes is not None:
        return f.codes.text(value) or None, None
    return None, None


# --- the person as the register holds them --------------------------------------------------------

Row = Mapping[str, Any]


@dataclass(frozen=True)
class PersonState:
    """A person's rows as read for an event: the person row and every row of each kind of data."""

    pnr: str
    person: Row
    rows: Mapping[str, tuple[Row, ...]] = field(default_factory=dict)  # table -> rows in registration order

    def pnr_of(self, column: str) -> str | None:
        """A PNR column of the person row (mother, father …); None when blank or all zeros."""
        value = self.person.get(column)
        return value if value and value.strip("0 ") else None

    @property
    def mother(self) -> str | None:
        return self.pnr_of("mother_pnr")

    @property
    def father(self) -> str | None:
        return self.pnr_of("father_pnr")

    @property
    def version(self) -> int:
        return int(self.person.get("version") or 0)

    @property
    def status(self) -> str:
        return self.person.get("status") or ""

    @property
    def sex(self) -> str:
        return self.person.get("sex") or ""

    @property
    def birth_date(self) -> str | None:
        return self.person.get("birth_date")

    @property
    def is_dead(self) -> bool:
        return self.status == "90"

    @property
    def is_active(self) -> bool:
        return self.status in ("01", "03", "05", "07")

    @property
    def is_resident(self) -> bool:
        """Registered at an address in Denmark (status 01 or 03)."""
        return self.status in ("01", "03")

    def all(self, table: str) -> tuple[Row, ...]:
        return self.rows.get(table, ())

    def valid(self, table: str) -> tuple[Row, ...]:
        """Rows not marked corrected or undone."""
        return tuple(r for r in self.all(table) if r.get("correction") not in ("K", "A"))

    def current(self, table: str) -> Row | None:
        """The current row of a kind of data with history (``current`` true, not undone)."""
        found = [r for r in self.all(table) if r.get("current") and r.get("correction") not in ("K", "A")]
        return found[-1] if found else None

    def one(self, table: str) -> Row | None:
        """The single row of a 1..1 kind without history (clear address …)."""
        rows = self.all(table)
        return rows[-1] if rows else None

    def age_on(self, day: str) -> int | None:
        born = self.birth_date
        if not born or born[5:7] == "00":
            return None
        years = int(day[:4]) - int(born[:4])
        return years - ((day[5:10]) < born[5:10])


# --- changes ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Insert:
    """Add a row (``values`` without id, pnr, registered_at, authority: the writer sets those)."""

    table: str
    pnr: str
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Close:
    """End a current row: ``current`` false and ``valid_to`` set (the row stays)."""

    table: str
    pnr: str
    row_id: int
    valid_to: str | None


@dataclass(frozen=True, slots=True)
class Update:
    """Change columns of a row in place: the person row (``row_id`` None) or a 1..1 row."""

    table: str
    pnr: str
    values: Mapping[str, Any]
    row_id: int | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """Mark a row corrected (K) or undone (A); the row stays, no longer current."""

    table: str
    pnr: str
    row_id: int
    correction: str


@dataclass(frozen=True, slots=True)
class NewPerson:
    """A person who is not yet in the register (a birth, an entry without PNR): the person row."""

    pnr: str
    values: Mapping[str, Any]


Change = Insert | Close | Update | Mark | NewPerson


@dataclass(frozen=True, slots=True)
class LogEntry:
    """An event to log on one person: the primary event (marker blank) or a derived one."""

    pnr: str
    event_code: str
    derived_marker: str | None = None
    summary: str = ""


@dataclass
class Plan:
    """What an event does: the changes, in order, and the events to log."""

    changes: list[Change] = field(default_factory=list)
    log: list[LogEntry] = field(default_factory=list)

    def persons(self) -> tuple[str, ...]:
        """Every person the plan changes, the primary person first."""
        seen = [e.pnr for e in self.log] + [c.pnr for c in self.changes]
        return tuple(dict.fromkeys(seen))


# --- the situation and the event type ---------------------------------------------------------------

@dataclass(frozen=True)
class Situation:
    """Everything a rule or an effect may look at."""

    code: str  # the event code
    person: PersonState  # the person the event is about
    date: str  # the event date, YYYY-MM-DD
    today: str  # YYYY-MM-DD
    authority: str  # the reporting authority
    data: Mapping[str, Any]  # validated values by parameter
    texts: Mapping[str, str]  # clear texts by parameter
    others: Mapping[str, PersonState] = field(default_factory=dict)  # other persons the event names or changes
    moment: str = ""  # YYYY-MM-DDTHH:MM of the event (date and time of day)

    def other(self, pnr: str | None) -> PersonState | None:
        return self.others.get(pnr) if pnr else None


@dataclass(frozen=True)
class Rule:
    """A rule of an event: it holds when ``check(situation)`` is true; else ``code`` and ``text``."""

    code: int
    text: str
    check: Callable[[Situation], bool]
    field: str | None = None


Effect = Callable[[Situation], Plan]
Related = Callable[[PersonState, Mapping[str, Any]], Sequence[str]]


def _no_related(state: PersonState, data: Mapping[str, Any]) -> Sequence[str]:
    return ()


@dataclass(frozen=True)
class EventType:
    """One CPR event, declared once."""

    code: str  # HAENDELSE (A01 …)
    name: str  # English name (move)
    title: str  # the handbook's Danish name (Flytning)
    description: str
    fields: tuple[DataField, ...]
    effect: Effect
    rules: tuple[Rule, ...] = ()
    concerns: tuple[str, ...] = ()  # tables shown as current data at initiation
    related: Related = _no_related  # other persons to read (named in data, or relatives)
    secondary: tuple[str, ...] = ()  # follow-on events within the same case
    derived: tuple[str, ...] = ()  # the derived markers the event may log on relatives
    allow_future: bool = True  # a future event date waits in the pending register
    new_person: bool = False  # the event creates the person (birth, entry without PNR): no PNR key
    destination: str | None = None  # the data parameter naming the municipality the person moves to
    maintenance: tuple[str, str] | None = None  # data maintenance: (kind of data, correct|undo|earlier)
    reads: tuple[str, ...] | None = None  # the tables its rules and effect read (None: every table)
    groups: tuple[str, ...] = ("cpr-office", "municipality")  # default security groups that may report it

    def field_named(self, name: str) -> DataField | None:
        low = name.strip().casefold()
        for f in self.fields:
            if f.name.casefold() == low or f.param == name:
                return f
        return None

    def describe(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "title": self.title, "description": self.description,
            "fields": [f.describe() for f in self.fields],
            "rules": [{"code": r.code, "text": r.text, "field": r.field} for r in self.rules],
            "concerns": list(self.concerns), "secondary": list(self.secondary), "derived": list(self.derived),
            "allow_future": self.allow_future, "new_person": self.new_person,
            "maintenance": ":".join(self.maintenance) if self.maintenance else None,
            "groups": list(self.groups),
        }


def check_fields(event: EventType, raw: Mapping[str, Any], on: dt.date) -> tuple[dict, dict, list[Problem]]:
    """Parse, require and translate the event's data: (values, texts, problems)."""
    values: dict[str, Any] = {}
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    known = {f.name.casefold(): f for f in event.fields} | {f.param: f for f in event.fields}
    for name in raw:
        if name.casefold() not in known and name not in known:
            problems.append(Problem(INVALID, f"{name}: feltet findes ikke i hændelsen {event.code}", name))
    for f in event.fields:
        given = raw.get(f.name, raw.get(f.param, raw.get(f.name.casefold())))
        value, problem = parse_value(f, given)
        if problem:
            problems.append(problem)
            continue
        if f.required and value in (None, ""):
            problems.append(Problem(REQUIRED, f"{f.name} skal udfyldes", f.name))
            continue
        values[f.param] = value
    for f in event.fields:
        if f.param in values:
            text, problem = translate(f, values[f.param], values, on)
            if problem:
                problems.append(problem)
            elif text:
                texts[f.param] = text
    return values, texts, problems


def check_rules(event: EventType, situation: Situation) -> list[Problem]:
    """Every rule of the event that does not hold."""
    return [Problem(r.code, r.text, r.field) for r in event.rules if not r.check(situation)]
