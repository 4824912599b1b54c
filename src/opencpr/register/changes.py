"""Reading a person's state for an event, and writing an event's plan: all or nothing.

:func:`read_states` reads every row of the persons an event concerns. :func:`apply_plan` writes
a :class:`~opencpr.domain.events.base.Plan` inside the caller's transaction: it first claims each
changed person by moving its ``version`` on from the version the caller read (optimistic
concurrency: another save in between makes the claim fail with :class:`Conflict`), then inserts,
closes, marks and updates rows and appends the events to the log. Nothing is deleted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Connection, Table, and_, bindparam, insert, text, true, update

from opencpr.domain.events.base import Close, Insert, LogEntry, Mark, NewPerson, PersonState, Plan, Update
from opencpr.register import search_index
from opencpr.register.batch import Batch, Sent
from opencpr.register.db import plain_read
from opencpr.register.schema import PERSON_TABLE, PERSON_TABLES, ROW_ID, TABLES, metadata, person

__all__ = ["Conflict", "apply_plan", "read_state", "read_states"]

_READ_TABLES: tuple[Table, ...] = tuple(t for t in PERSON_TABLES if t.name not in (PERSON_TABLE, "event"))


class Conflict(Exception):
    """Another save changed one of the persons after this one read them."""

    def __init__(self, pnr: str) -> None:
        super().__init__(f"person {pnr} was changed meanwhile")
        self.pnr = pnr


def _tables() -> dict[str, Table]:
    return {**TABLES, **{t: metadata.tables[t] for t in ("shared_residence",) if t in metadata.tables}}


def pnr_condition(column: Any, single: bool) -> Any:
    """``column = :pnr`` for one person, ``column IN (:pnrs …)`` for several (an expanding IN is
    rendered again at every execution: a lookup of one person uses the plain form)."""
    return column == bindparam("pnr") if single else column.in_(bindparam("pnrs", expanding=True))


def pnr_params(pnrs: list[str]) -> dict[str, Any]:
    """The parameters for :func:`pnr_condition` (``pnr`` for one person, else ``pnrs``)."""
    return {"pnr": pnrs[0]} if len(pnrs) == 1 else {"pnrs": pnrs}


#: Other persons' rows that name the person, read backwards into the person's state under these
#: names: the wards whose guardian the person is, the children whose parental authority the person
#: holds (other than as their mother or father), the children whose second home is the person's.
REVERSE: dict[str, tuple[str, str]] = {
    "wards": ("guardianship", "guardian_pnr"),
    "authority_held": ("parental_authority", "holder_pnr"),
    "shared_at": ("shared_residence", "other_pnr"),
}


def state_tables() -> tuple[str, ...]:
    """Every table a person's state can hold (all person data but the person row and the event log,
    and the rows of others naming the person, :data:`REVERSE`)."""
    return (tuple(t.name for t in _READ_TABLES) + (("shared_residence",) if "shared_residence" in metadata.tables
                                                    else ()) + tuple(REVERSE))


@cache
def _union_query(names: tuple[str, ...], single: bool, postgresql: bool):
    """One query for the rows of every table in ``names``: each row as JSON with its table's name,
    the PNR it belongs to and its id (``UNION ALL`` of one index lookup per table: one round trip,
    however many tables an event reads)."""
    parts = []
    for n, name in enumerate((PERSON_TABLE, *names)):
        table_name, by = REVERSE.get(name, (name, "pnr"))
        table = _tables()[table_name]
        alias = f"x{n}"  # not the table's name: a column may share it (church.church)
        if postgresql:
            row = f"row_to_json({alias})::text"
        else:
            row = "json_object(" + ", ".join(f"'{c.name}', {alias}.\"{c.name}\"" for c in table.c) + ")"
        where = f"{alias}.{by} = :pnr" if single else f"{alias}.{by} IN :pnrs"
        row_id = f"{alias}.{ROW_ID}" if ROW_ID in table.c else "0"  # the person row has its PNR as key
        parts.append(f"SELECT '{name}' AS t, {alias}.{by} AS p, {row_id} AS i, {row} AS j "
                     f'FROM "{table_name}" {alias} WHERE {where}')
    statement = plain_read(text(" UNION ALL ".join(parts) + " ORDER BY p, t, i"))
    return statement if single else statement.bindparams(bindparam("pnrs", expanding=True))


@cache
def _booleans(name: str) -> tuple[str, ...]:
    """The Boolean columns of a state table (SQLite's JSON gives them as 0 and 1)."""
    table = _tables()[REVERSE.get(name, (name, "pnr"))[0]]
    return tuple(c.name for c in table.c if isinstance(c.type, Boolean))


def read_states(conn: Connection, pnrs: Iterable[str], tables: Iterable[str] | None = None
                ) -> dict[str, PersonState]:
    """The state of each person in ``pnrs`` who is in the register (others are left out).

    ``tables`` limits the rows read to those tables (default: every table of person data). One
    query, however many tables: the person rows and every row of the tables at once.
    """
    wanted = sorted({p for p in pnrs if p})
    if not wanted:
        return {}
    names = state_tables() if tables is None else tuple(dict.fromkeys(tables))
    query = _union_query(names, len(wanted) == 1, conn.dialect.name == "postgresql")
    persons: dict[str, dict[str, Any]] = {}
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    loads = json.loads
    for name, pnr, _id, data in conn.execute(query, pnr_params(wanted)):
        row = loads(data)
        for column in _booleans(name):
            if row.get(column) is not None:
                row[column] = bool(row[column])
        if name == PERSON_TABLE:
            persons[pnr] = row
        else:
            rows.setdefault(pnr, {}).setdefault(name, []).append(row)
    return {p: PersonState(p, persons[p], {t: tuple(v) for t, v in rows.get(p, {}).items()}) for p in persons}


def read_state(conn: Connection, pnr: str) -> PersonState | None:
    return read_states(conn, [pnr]).get(pnr)


_CLAIM = (update(person).where(person.c.pnr == bindparam("w_pnr"), person.c.version == bindparam("w_version"))
          .values(version=bindparam("w_next")))


def _rows(expected: int | None, pnr: str) -> Callable[[Sent], None]:
    """A batch check: the statement changed ``expected`` rows (None: at least one), else the person
    was changed meanwhile."""
    def check(sent: Sent) -> None:
        changed = sent.rowcount == expected if expected is not None else sent.rowcount >= 1
        if not changed:
            raise Conflict(pnr)
    return check


@cache
def _insert(table_name: str):
    return insert(_tables()[table_name])


@cache
def _update(table_name: str, columns: tuple[str, ...], by_id: bool, only_current: bool):
    """``UPDATE table SET columns WHERE pnr = :w_pnr [AND id = :w_id] [AND current]`` (prepared once)."""
    table = _tables()[table_name]
    where = [table.c.pnr == bindparam("w_pnr")]
    if by_id:
        where.append(table.c[ROW_ID] == bindparam("w_id"))
    if only_current:
        where.append(table.c.current == true())
    return update(table).where(and_(*where)).values({c: bindparam(f"v_{c}") for c in columns})


def _set(batch: Batch, table_name: str, pnr: str, row_id: int | None, values: Mapping[str, Any], *,
         only_current: bool = False, rows: int | None = 1) -> None:
    columns = tuple(sorted(values))
    params = {"w_pnr": pnr, "w_id": row_id, **{f"v_{c}": values[c] for c in columns}}
    if row_id is None:
        params.pop("w_id")
    batch.add(_update(table_name, columns, row_id is not None, only_current), params, check=_rows(rows, pnr))


_PERSON_FILTERS = ("sex", "birth_date", "status")


def _same_municipality(changes: list[Any], before: PersonState | None) -> bool:
    """The address changes only replace the current address by one in the same municipality (a
    move within it): the municipality the name search filters on stays what it was."""
    old = before.current("address") if before is not None else None
    if old is None:
        return False
    inserted = [c for c in changes if isinstance(c, Insert)]
    if len(inserted) != 1 or not inserted[0].values.get("current"):
        return False
    if any(not isinstance(c, Insert) and not (isinstance(c, Close) and c.row_id == int(old["id"])) for c in changes):
        return False
    return inserted[0].values.get("municipality") == old.get("municipality")


def _filters_changed(plan: Plan, before: Mapping[str, PersonState] | None) -> set[str]:
    """The persons whose name-search filter values (sex, birth date, status, municipality,
    citizenship) the plan may change; without ``before`` every person whose rows they come from
    is changed."""
    before = before or {}
    by_person: dict[tuple[str, str], list[Any]] = {}
    for c in plan.changes:
        table = getattr(c, "table", None)
        if table in (PERSON_TABLE, "address", "citizenship"):
            by_person.setdefault((c.pnr, table), []).append(c)
    out: set[str] = set()
    for (pnr, table), changes in by_person.items():
        old = before.get(pnr)
        if table == PERSON_TABLE:
            if old is None or any(not isinstance(c, Update) or any(
                    k in c.values and c.values[k] != old.person.get(k) for k in _PERSON_FILTERS) for c in changes):
                out.add(pnr)
        elif table == "citizenship" or not _same_municipality(changes, old):
            out.add(pnr)
    return out


def apply_plan(conn: Connection, plan: Plan, versions: Mapping[str, int], *, registered_at: str, authority: str,
               event_date: str, detail: Mapping[str, Any] | None = None,
               before: Mapping[str, PersonState] | None = None) -> list[int]:
    """Write ``plan`` (in the caller's transaction); returns the ids of the logged events.

    ``versions`` holds the version read for every existing person the plan changes; a person
    whose version moved on raises :class:`Conflict` before anything is written for it.
    ``before``, the persons' state the plan was made from, lets the name search's filter values
    be left alone where the plan does not change them.
    """
    tables = _tables()
    # the statements go out together (one round trip on PostgreSQL): each claim and each row the
    # plan expects to change is checked when the answers are back, before anything is committed
    batch = Batch(conn)
    new_persons = {c.pnr for c in plan.changes if isinstance(c, NewPerson)}
    for pnr in plan.persons():
        if pnr in new_persons:
            continue
        if pnr not in versions:
            raise KeyError(f"the plan changes {pnr}, whose state was not read")
        batch.add(_CLAIM, {"w_pnr": pnr, "w_version": versions[pnr], "w_next": versions[pnr] + 1},
                  check=_rows(1, pnr))
    for change in plan.changes:
        if isinstance(change, NewPerson):
            batch.add(_insert(PERSON_TABLE), {**dict(change.values), "pnr": change.pnr,
                                              "registered_at": registered_at, "version": 1})
        elif isinstance(change, Insert):
            table = tables[change.table]
            values = {k: v for k, v in change.values.items() if k in table.c}
            batch.add(_insert(change.table), {**values, "pnr": change.pnr, "authority": authority,
                                              "registered_at": registered_at})
        elif isinstance(change, Close):
            _set(batch, change.table, change.pnr, change.row_id, {"current": False, "valid_to": change.valid_to},
                 only_current=True)
        elif isinstance(change, Mark):
            table = tables[change.table]
            marked = {"correction": change.correction} | ({"current": False} if "current" in table.c else {})
            _set(batch, change.table, change.pnr, change.row_id, marked)
        elif isinstance(change, Update):
            table = tables[change.table]
            values = {k: v for k, v in change.values.items() if k in table.c}
            if values:
                _set(batch, change.table, change.pnr, change.row_id, values, rows=None)
        else:  # pragma: no cover
            raise TypeError(change)
    # keep the name search up to date: names (words) and the values its filters test (sex, birth
    # date, status on the person row, current municipality and citizenship)
    renamed = {c.pnr for c in plan.changes if isinstance(c, NewPerson) or getattr(c, "table", None) == "name"}
    refiltered = _filters_changed(plan, before) - renamed
    for pnr in sorted(renamed):  # indexed from the rows written, which go first
        search_index.refresh_person_in(batch, pnr)
    for pnr in sorted(refiltered):
        search_index.refresh_filters_in(batch, pnr)
    logged = [batch.add(_LOG, _log_params(entry, registered_at, authority, event_date, detail))
              for entry in plan.log]
    batch.send()
    return [int(sent.scalar()) for sent in logged]


_LOG = insert(metadata.tables["event"]).returning(metadata.tables["event"].c[ROW_ID])


def _log_params(entry: LogEntry, registered_at: str, authority: str, event_date: str,
                detail: Mapping[str, Any] | None) -> dict[str, Any]:
    text = json.dumps({"summary": entry.summary, **(detail or {})}, ensure_ascii=False, sort_keys=True)
    return {"pnr": entry.pnr, "registered_at": registered_at, "event_code": entry.event_code,
            "derived_marker": entry.derived_marker or None, "event_date": event_date, "authority": authority,
            "source": "update", "detail": text}
