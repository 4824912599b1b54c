"""CPR's flags (markeringer) as clients send them: a key such as ``AKX`` or a data field such as
``FAELLESMYN`` is set with ``X`` and left blank when not set.

:func:`parse_flag` reads every spelling clients use, case-insensitively and with surrounding
blanks ignored:

* true: ``X``, ``J``, ``JA``, ``Y``, ``YES``, ``1``, ``TRUE``, ``*``;
* false: blank, ``N``, ``NEJ``, ``NO``, ``0``, ``FALSE``.

Anything else is not a flag (None); the caller answers with its own error (a Kvit code for a
key, a validation problem for an event's data field).
"""

from __future__ import annotations

__all__ = ["FALSE", "TRUE", "parse_flag"]

TRUE = frozenset({"x", "j", "ja", "y", "yes", "1", "true", "*"})
FALSE = frozenset({"", "n", "nej", "no", "0", "false"})


def parse_flag(text: str) -> bool | None:
    """True or False for a flag's spelling, None if ``text`` is not a flag."""
    folded = text.strip().casefold()
    if folded in TRUE:
        return True
    if folded in FALSE:
        return False
    return None
