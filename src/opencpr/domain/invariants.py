"""The register's invariants for one person: pure rules over a bundle of that person's rows.

A bundle is ``{table name: [row, …]}`` as the register reader yields it. Each rule returns
:class:`Violation` values; ``opencpr check`` runs them over every person and adds the rules that
span persons (spouses, parents and children), which need the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opencpr.domain import pnr as pnrs
from opencpr.domain.codes import PERSON_STATUS

Rows = Sequence[Mapping[str, Any]]
Bundle = Mapping[str, Rows]

#: Statuses of persons living in Denmark or Greenland: they have exactly one current address.
ACTIVE = frozenset({"01", "03", "05", "07"})

#: Kinds of data a person always has exactly one current row of.
ONE_CURRENT = ("name", "citizenship", "church", "civil_status")

#: Most rows of a kind a person may have (the extract's occurrences).
MOST = {"protection": 4, "child": 25, "parental_authority": 2}

NO_PNR = {None, "", "0000000000"}


@dataclass(frozen=True)
class Violation:
    pnr: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.pnr} {self.rule}: {self.message}"


def _day(value: str | None) -> str | None:
    """The date part of a register date or timestamp, for ordering (incomplete parts stay 00)."""
    return value[:10] if value else None


def check_person(bundle: Bundle) -> Iterator[Violation]:
    """Every invariant that can be decided from one person's own rows."""
    person = bundle["person"][0]
    pnr = person["pnr"]

    def bad(rule: str, message: str) -> Violation:
        return Violation(pnr, rule, message)

    try:
        info = pnrs.parse(pnr)
    except pnrs.InvalidPNR as exc:
        yield bad("pnr-valid", str(exc))
        info = None
    status = person.get("status")
    if status not in PERSON_STATUS:
        yield bad("status-known", f"status {status!r} is not a CPR status")
    if info is not None:
        if person.get("sex") and person["sex"] != info.sex:
            yield bad("sex-matches-pnr", f"sex {person['sex']} but the PNR says {info.sex}")
        if person.get("birth_date") and person["birth_date"] != info.birth_date.isoformat():
            yield bad("birth-date-matches-pnr",
                      f"birth date {person['birth_date']} but the PNR says {info.birth_date}")
    current_pnr = person.get("current_pnr")
    if status in ("50", "60"):
        if current_pnr in NO_PNR or current_pnr == pnr:
            yield bad("current-pnr", f"status {status} needs the current PNR it was replaced by")
    elif current_pnr not in NO_PNR and current_pnr != pnr:
        yield bad("current-pnr", f"points at {current_pnr} but status {status} is not a replaced number")

    for kind in ONE_CURRENT:
        n = sum(1 for r in bundle.get(kind, ()) if r["current"])
        if n != 1:
            yield bad(f"one-current-{kind}", f"{n} current {kind} rows")
    n_clear = len(bundle.get("clear_address", ()))
    if n_clear != 1:
        yield bad("one-clear-address", f"{n_clear} clear-written address rows")
    n_addr = sum(1 for r in bundle.get("address", ()) if r["current"])
    if status in ACTIVE and n_addr != 1:
        yield bad("active-has-address", f"status {status} with {n_addr} current addresses")
    if status not in ACTIVE and n_addr:
        yield bad("inactive-has-no-address", f"status {status} with a current address")
    if status == "80" and not any(r["current"] for r in bundle.get("departure", ())):
        yield bad("emigrated-has-departure", "status 80 without a current departure record")
    if status == "70" and not any(r["current"] for r in bundle.get("disappearance", ())):
        yield bad("disappeared-has-record", "status 70 without a current disappearance record")
    for kind, most in MOST.items():
        n = sum(1 for r in bundle.get(kind, ()) if r.get("correction") not in ("K", "A"))
        if n > most:
            yield bad(f"at-most-{kind}", f"{n} {kind} rows, at most {most}")

    for kind, rows in bundle.items():
        if kind in ("person", "event"):
            continue
        for row in rows:
            start, end = _day(row.get("valid_from")), _day(row.get("valid_to"))
            if start and end and end < start and row.get("correction") is None:
                yield bad("period-in-order", f"{kind} row {row.get('id')} ends {end} before it starts {start}")
    birth = person.get("birth_date")
    if birth and status == "90" and person.get("status_date") and _day(person["status_date"]) < birth:
        yield bad("death-after-birth", f"died {person['status_date']} before birth {birth}")
    if birth:
        for row in bundle.get("child", ()):
            if row.get("child_pnr") == pnr:
                yield bad("not-own-child", "lists itself as a child")
