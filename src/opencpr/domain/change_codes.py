"""CPR's event codes (HAENDELSE) for the events of this register, as record 099 and SF6002's
``ChangeCode`` filter give them.

The event log holds each event under the code of the event catalogue. Most are CPR's own codes
(A01 move, A21 death …) and go out as they are. The catalogue's other codes (B.., R.., F.., T..)
are this project's names for events CPR reports under one of its own codes: :data:`CPR_CODE`
gives that code where CPR's public list (``cpr-protocols.md`` §4.9) has one that covers the event.
The codes in :data:`NO_CPR_CODE` have none in that list and go out under the project's own code
(documented in ``docs/subscriptions.md``).
"""

from __future__ import annotations

from opencpr.domain.codes import EVENT, PROJECT_EVENT_CODES

__all__ = ["CPR_CODE", "NO_CPR_CODE", "cpr_code", "matches"]

#: Project event code -> CPR's event code (§4.9) that reports the same change.
CPR_CODE: dict[str, str] = {
    # names
    "B02": "A15",  # addressing name: an update of the name fields
    # civil status (marriage, partnership, separation, divorce, widowhood, annulment)
    "B05": "A24", "B15": "A24", "B16": "A24", "B17": "A24", "B18": "A24", "B19": "A24", "B20": "A24",
    "B29": "A24", "B30": "A24",
    # residence and entry
    "B11": "A04",  # entry with a PNR: re-entry
    "B06": "A08",  # address at elections to the European Parliament: election fields
    # church relation and occupation
    "B22": "A34",
    # guardianship and its guardian
    "B28": "A73", "B32": "A73",
    # protection: correcting, undoing or reporting earlier protection data
    "R15": "A33", "F15": "A33", "T15": "A33",
    # names: correcting or reporting earlier name data
    "T08": "A16",
    # addresses reported for an earlier period
    "T01": "A09",
    # civil status: correcting, undoing or reporting earlier data
    "R02": "A24", "T02": "A24",
    # church: correcting or reporting earlier data
    "R04": "A34", "T04": "A34",
}  # fmt: skip

#: Project event codes CPR's public list has no code for: they go out under their own code.
NO_CPR_CODE: tuple[str, ...] = tuple(sorted(c for c in PROJECT_EVENT_CODES if c not in CPR_CODE))


def cpr_code(code: str) -> str:
    """The code record 099 carries for an event logged under ``code``."""
    return CPR_CODE.get(code, code)


def matches(filter_code: str, logged_code: str) -> bool:
    """True if a ``ChangeCode`` filter on ``filter_code`` selects an event logged under ``logged_code``:
    the filter names CPR's code of the event, or the project's own code."""
    return filter_code == logged_code or filter_code == cpr_code(logged_code)


def known(code: str) -> bool:
    """True if ``code`` is an event code of the catalogue (CPR's or this project's)."""
    return code in EVENT
