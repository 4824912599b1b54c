"""The written forms of a person's name: the addressing name and the inverted name.

Pure functions of the first, middle and last names (as the register holds them), used by the
events that name a person, by the synthetic population and by the services.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["ADDRESSING_NAME_LENGTH", "addressing_name", "inverted_name"]

#: ADRNVN is at most this long.
ADDRESSING_NAME_LENGTH = 34


def _initials(names: str) -> str:
    """The first letter of every word of ``names``, separated by blanks."""
    return " ".join(w[0] for w in names.split())


def addressing_name(first: str, middle: str | None, last: str) -> str:
    """ADRNVN: the name as written on a letter, at most 34 characters.

    ``First Middle Last`` when it fits. When it does not, the middle names become the initials
    of each of their words (``Anna Marie K S Jensen``); when that does not fit either, the
    middle names are left out and the first names after the first become initials
    (``Anna M Jensen``), and what is still too long is cut at 34 characters.
    """
    full = f"{first} {middle} {last}" if middle else f"{first} {last}"
    if len(full) <= ADDRESSING_NAME_LENGTH:
        return full
    if middle:
        full = f"{first} {_initials(middle)} {last}"
        if len(full) <= ADDRESSING_NAME_LENGTH:
            return full
    head, *rest = first.split() or [""]
    short_first = " ".join([head, *(w[0] for w in rest)])
    return f"{short_first} {last}"[:ADDRESSING_NAME_LENGTH]


def inverted_name(first: str | None, middle: str | None, last: str | None, *,
                  separator: Literal[", ", ","]) -> str | None:
    """The name last name first, as the services write it: ``Last<separator>First Middle``.

    The two wire forms in use:

    * ``separator=", "``: ``Last, First Middle``, the clear text of an addressing name
      (``ADRNVN t=`` of the lookups, the NAVNE name history). Without a last name it is the
      given names alone (``First Middle``), or None when there are none either.
    * ``separator=","``: ``Last,First Middle``, the value of ``CNVN_ADRNVN`` in the address
      services. Without a last name it is None, whatever the given names.

    In both, empty names count as missing, and a last name without given names is the last
    name alone. Nothing is shortened.
    """
    if separator not in (", ", ","):
        raise ValueError(f"unknown separator {separator!r}")
    given = " ".join(p for p in (first, middle) if p)
    if not last:
        return (given or None) if separator == ", " else None
    return f"{last}{separator}{given}" if given else last
