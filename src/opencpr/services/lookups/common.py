"""What the lookup services share: keys, notes, the person looked up, clear texts of authority codes
and the address keys the gate does not blank by itself."""

from __future__ import annotations

from typing import Any

from opencpr.domain import reference
from opencpr.domain.codes import CORRECTION
from opencpr.register import queries
from opencpr.services.catalogue import Fmt, Key, KeyType
from opencpr.services.contract import ServiceContext
from opencpr.services.errors import PersonNotFound

__all__ = [
    "ALL_KEY", "CORRECTED_KEY", "NOTES", "USM", "authority_name", "authority_names", "blank", "correction",
    "find_person",
]

#: The ``notes`` of a service whose names and layout are designed here, not recorded from CPR.
NOTES = "Designed in CPR's style; not a recorded CPR answer."

ALL_KEY = Key("AKX", "all", KeyType.FLAG, description="X: all fields (accepted; every field is always sent)")
CORRECTED_KEY = Key("KORMRK", "corrected", KeyType.FLAG,
                    description="X: also history rows marked corrected (K) or undone (A); ANNKOR tells them apart")

#: How an uncertainty marker (usikkerhedsmarkering) is written: ``*`` when uncertain.
USM = {"fmt": Fmt.FLAG, "mark": "*"}


def find_person(ctx: ServiceContext, pnr: str, *, touch: bool = False) -> dict[str, Any]:
    """The person row; PersonNotFound (Kvit 172) without one. ``touch`` names the person for the
    audit trail even if the answer has no rows."""
    row = queries.person_row(ctx.conn, pnr)
    if row is None:
        raise PersonNotFound()
    if touch:
        ctx.touch(pnr)
    return row


def blank(value: Any) -> Any:
    """None for the register's empty values (``""`` from blank numeric fields)."""
    return None if value == "" else value


def authority_name(code: str | None) -> str | None:
    """The name of an authority code (municipality, country, parish …), from the authority table."""
    found = reference.authority(code) if code else None
    return found.name if found else None


def authority_names(code: str | None) -> tuple[str | None, str | None]:
    """The (name, long name) of an authority code, from the authority table."""
    found = reference.authority(code) if code else None
    return (found.name, found.long_name or found.name) if found else (None, None)


def correction(code: str | None) -> dict[str, Any]:
    """A row's correction marker (ANNKOR) and its text."""
    return {"correction": code or None, "correction_text": CORRECTION.get(code) if code else None}
