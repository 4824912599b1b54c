"""The service layer: every service call passes through :class:`~opencpr.services.gate.Gate`.

* :mod:`~opencpr.services.gate` — the gate: permission, protection, audit, usage.
* :mod:`~opencpr.services.errors` — service errors carrying CPR's Kvit codes.
* :mod:`~opencpr.services.lookups` — the search and lookup services of the catalogue, by area.
"""
