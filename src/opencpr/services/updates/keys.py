"""The keys of an update step: event code, PNR, event date, reporting authority, primary session.

Every step of an event's dialogue names the same keys (:class:`Keys`); :func:`parse_keys` checks
them as CPR does — a valid CPR number (Kvit 52; none for an event that creates the person), an
event date ``yyyyMMdd`` after 1850, a known authority that the user may report for — and
:func:`event_named` finds the event its code names (Kvit 10 if none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from opencpr.domain import reference
from opencpr.domain.events import event as find_event
from opencpr.domain.events.base import EventType
from opencpr.domain.pnr import InvalidPNR, parse
from opencpr.services.contract import Scope, ServiceContext
from opencpr.services.errors import (
    AuthorityNoAccess,
    AuthorityUnknown,
    InvalidKey,
    MalformedPNR,
    MissingKey,
    NoAccess,
    UnknownEvent,
)
from opencpr.services.pending import residence_of

__all__ = ["Keys", "event_named", "parse_keys"]


@dataclass(frozen=True)
class Keys:
    """The keys of one step, parsed; they may not change after initiation (Kvit 5404)."""

    event_code: str
    pnr: str | None
    event_date: str
    authority: str
    primary: str | None = None  # the session (ts) of the primary event, for a secondary event

    def as_dict(self) -> dict[str, Any]:
        keys = {"event_code": self.event_code, "pnr": self.pnr, "event_date": self.event_date,
                "authority": self.authority}
        return keys | ({"primary": self.primary} if self.primary else {})


def event_named(code: str) -> EventType:
    """The event ``code`` names; raise UnknownEvent."""
    found = find_event(code or "")
    if found is None:
        raise UnknownEvent(code)
    return found


def parse_keys(ctx: ServiceContext, event: EventType, pnr: str | None, event_date: str | None,
               authority: str | None, primary: str | None = None) -> Keys:
    """The step's keys as given, checked; the authority defaults to the user's own."""
    if event.new_person and not pnr:
        number = None
    else:
        if not pnr:
            raise MissingKey("PNR", event.code)
        try:
            number = parse(str(pnr).strip()).pnr
        except (InvalidPNR, ValueError):
            raise MalformedPNR(pnr) from None
    if not event_date:
        raise MissingKey("HDTO", event.code)
    digits = str(event_date).strip().replace("-", "")
    try:
        if len(digits) != 8 or not digits.isdigit():
            raise ValueError(digits)
        day = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidKey("HDTO", event_date, "en dato ååååmmdd") from None
    if day.year < 1850:
        raise InvalidKey("HDTO", event_date, "en dato efter 1850")
    if ctx.pending_only:  # a citizen's report: the municipality of residence, whatever the request says
        return Keys(event.code, number, day.isoformat(), _residence(ctx, number, authority),
                    str(primary).strip() if primary else None)
    code = str(authority or ctx.actor.authority or "").strip()
    if not code.isdigit() or len(code) > 4 or reference.authority(code.zfill(4), on=ctx.now.date()) is None:
        raise AuthorityUnknown(code or "(tom)")
    code = code.zfill(4)
    if code != (ctx.actor.authority or "") and ctx.grant.scope is not Scope.ALL:
        raise AuthorityNoAccess(code)
    return Keys(event.code, number, day.isoformat(), code, str(primary).strip() if primary else None)


def _residence(ctx: ServiceContext, pnr: str | None, given: str | None) -> str:
    """The authority of a report to the pending register (annex 9: the municipality key): the
    person's municipality of residence in the register. A different municipality in the request is
    refused (Kvit 184), as is a person with no municipality of residence (Kvit 5)."""
    residence = residence_of(ctx.conn, pnr) if pnr else None
    if residence is None:
        raise NoAccess("Personen har ingen bopælskommune i CPR, der kan godkende indberetningen")
    code = str(given or "").strip()
    if code and code.zfill(4) != residence:
        raise AuthorityNoAccess(code, f"en borgers indberetning går til bopælskommunen {residence}")
    return residence
