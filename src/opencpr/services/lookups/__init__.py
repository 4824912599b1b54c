"""The search and lookup services of the catalogue, one module per area.

* :mod:`.geography` — ``MYNDIGHED``, ``VEJ``, ``VEJNOTAT``, ``DISTRIKT``, ``VEJHENV`` and the helper
  searches ``VEJSOEG``, ``MYNSOEG``, ``VEJNVN``, ``POSTNR``, ``MYNKODE``;
* :mod:`.other` — ``AJOURF`` (updates on a person in an interval), ``KODETEKST`` (code texts).

Searches for persons (søgninger), sharing :mod:`.search` (restart keys, filters, name terms):

* :mod:`.name_search` — ``NVNSOG2``;
* :mod:`.address_search` — ``ADRSOG1``;
* :mod:`.birth_date_search` — ``FOEDSOG``.

What several modules share is in :mod:`.common`.

Each module declares its services in a module-level ``SERVICES`` tuple. :data:`SERVICES` here
lists them all in the catalogue's order (the order of the published specifications), which
:mod:`opencpr.services.catalogue` collects.
"""

from __future__ import annotations

from opencpr.services.lookups import address_search, birth_date_search, geography, name_search, other

__all__ = ["MODULES", "SERVICES"]

#: The modules that declare services, by area.
MODULES = (geography, other, name_search, address_search, birth_date_search)

#: Every service of the modules, in the catalogue's order.
SERVICES = (
    *geography.SERVICES,
    *other.SERVICES,
    name_search.NVNSOG2, address_search.ADRSOG1, birth_date_search.FOEDSOG,
)
