"""The update dialogue's wording on the wire: action names, their texts, master data and receipt fields.

GCTP names the steps of an event's dialogue ``a="initier"``, ``"valider"``, ``"gem"`` and
``"annuller"`` (:data:`WIRE_ACTIONS`); the answer offers the next steps with their Danish texts
(:data:`ACTION_TEXTS`). Initiation answers the person's master data in the fields
:data:`MASTER_FIELDS`; a save answers a receipt in the fields :data:`RECEIPT_FIELDS`. The update
services (:mod:`opencpr.services.updates`) and the GCTP adapter read them.
"""

from __future__ import annotations

from opencpr.formats.fields import Fmt, Out

__all__ = ["ACTION_TEXTS", "MASTER_FIELDS", "RECEIPT_FIELDS", "WIRE_ACTIONS", "WIRE_NAME"]

#: The action names on the wire (GCTP ``a=``) and their meaning.
WIRE_ACTIONS = {"initier": "initiate", "valider": "validate", "gem": "save", "annuller": "cancel"}
ACTION_TEXTS = {"initiate": "Initier hændelsen", "validate": "Valider data", "save": "Gem hændelsen",
                "cancel": "Annuller hændelsen"}
WIRE_NAME = {v: k for k, v in WIRE_ACTIONS.items()}

#: The person's master data, as initiation answers it (table ``Stamdata``).
MASTER_FIELDS: tuple[Out, ...] = (
    Out("PNR", "pnr"), Out("ADRNVN", "addressing_name"), Out("KOEN", "sex"),
    Out("FOEDDATO", "birth_date", Fmt.DATE8), Out("STATUS", "status", t="status_text"),
    Out("STADR", "standard_address"), Out("POSTNR", "postal_code", t="postal_district"),
    Out("KOMKOD", "municipality", t="municipality_name"), Out("VEJKOD", "road"),
    Out("HUSNR", "house_no"), Out("ETAGE", "floor"), Out("SIDEDOER", "door"),
    Out("BESKYT", "name_address_protected", Fmt.FLAG), Out("DOEDMRK", "dead", Fmt.FLAG),
    Out("FORSVMRK", "disappeared", Fmt.FLAG), Out("UDRMRK", "emigrated", Fmt.FLAG),
)

#: The receipt of a save (table ``Kvittering``).
RECEIPT_FIELDS: tuple[Out, ...] = (
    Out("HAENDELSE", "event", t="title"), Out("STED", "where"), Out("VENTEID", "pending_id"),
    Out("HAENDELSESDATO", "event_date", Fmt.DATE8), Out("REGISTRERET", "registered_at", Fmt.TS12),
    Out("HAENDELSESID", "event_ids"), Out("PERSONER", "persons"),
)
