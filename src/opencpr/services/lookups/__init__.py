"""The search and lookup services of the catalogue, one module per area.

Lookups by PNR (opslag, personnummer som nøgle):

* :mod:`.master_data` — ``STAMP``, ``Stam+`` (master data), ``START`` (start data), ``TIDLPNR``
  (previous PNRs);
* :mod:`.names` — ``navne3`` (the current name), ``NAVNE`` (names, current and previous);
* :mod:`.family` — ``Familie+``, ``Familie`` (relatives, parents, parental authority);
* :mod:`.addresses` — ``adresse4`` (contact address), ``ADRESSE3``, ``ADRESSE1``, ``BOPSAML``
  (residents at the address), ``DELTBOP`` (shared residence), ``FLYTPAAB`` (relocation orders),
  ``SUPLADR`` (supplementary address);
* :mod:`.protection` — ``BESKYT`` (protection records);
* :mod:`.civil_status` — ``CIVST`` (civil status), ``SEPARATION``;
* :mod:`.church` — ``FKIRK`` (the national church);
* :mod:`.birth` — ``FOEDSEL`` (birth, occupation, guardianship), ``FOEDREG`` (birth registration);
* :mod:`.municipal` — ``KOMFORH`` (municipal conditions), ``KOMNOTAT`` (municipal notes);
* :mod:`.overview` — ``OVERSIGT`` (which kinds of data the person has);
* :mod:`.citizenship` — ``STATSB``;
* :mod:`.election` — ``VALG`` (election data), ``VALGRET`` (the voting right);
* :mod:`.guardianship` — ``VAERGE`` (guardian and wards).

Geography and other lookups:

* :mod:`.geography` — ``MYNDIGHED``, ``VEJ``, ``VEJNOTAT``, ``DISTRIKT``, ``VEJHENV`` and the helper
  searches ``VEJSOEG``, ``MYNSOEG``, ``VEJNVN``, ``POSTNR``, ``MYNKODE``;
* :mod:`.other` — ``AJOURF`` (updates on a person in an interval), ``KODETEKST`` (code texts).

Searches for persons (søgninger), sharing :mod:`.search` (restart keys, filters, name terms):

* :mod:`.name_search` — ``NVNSOG2``;
* :mod:`.address_search` — ``ADRSOG1``;
* :mod:`.birth_date_search` — ``FOEDSOG``.

What several modules share is in :mod:`.common`; the register reads several services share are
in :mod:`opencpr.register.queries`.

Each module declares its services in a module-level ``SERVICES`` tuple. :data:`SERVICES` here
lists them all in the catalogue's order (the order of the published specifications), which
:mod:`opencpr.services.catalogue` collects.
"""

from __future__ import annotations

from opencpr.services.lookups import (
    address_search,
    addresses,
    birth,
    birth_date_search,
    church,
    citizenship,
    civil_status,
    election,
    family,
    geography,
    guardianship,
    master_data,
    municipal,
    name_search,
    names,
    other,
    overview,
    protection,
)

__all__ = ["MODULES", "SERVICES"]

#: The modules that declare services, by area.
MODULES = (master_data, names, family, addresses, protection, civil_status, church, birth, municipal, overview,
           citizenship, election, guardianship, geography, other, name_search, address_search, birth_date_search)

#: Every service of the modules, in the catalogue's order.
SERVICES = (
    master_data.STAMP, master_data.STAM_PLUS, family.FAMILIE_PLUS, family.FAMILIE, names.NAVNE3,
    addresses.ADRESSE4, addresses.ADRESSE3, addresses.ADRESSE1, addresses.BOPSAML, protection.BESKYT,
    civil_status.CIVST, addresses.DELTBOP, addresses.FLYTPAAB, church.FKIRK, birth.FOEDSEL, birth.FOEDREG,
    municipal.KOMFORH, municipal.KOMNOTAT,
    names.NAVNE, overview.OVERSIGT, master_data.START, civil_status.SEPARATION, citizenship.STATSB,
    addresses.SUPLADR, master_data.TIDLPNR, election.VALG, election.VALGRET, guardianship.VAERGE,
    *geography.SERVICES,
    *other.SERVICES,
    name_search.NVNSOG2, address_search.ADRSOG1, birth_date_search.FOEDSOG,
)
