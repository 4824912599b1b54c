"""The pending register's wording on the wire: GCTP's ``Service r="VENTEREG"`` in ``System r="CprAjour"``.

The self-service provider asks what became of its reports (``a="status"``) and withdraws one still
waiting (``a="tilbagetraek"``); the municipality reads its inbox (``a="indbakke"``) and approves
(``a="godkend"``) or rejects (``a="afvis"``, with ``BEGRUNDELSE``). The report is named by the key
``VENTEID`` (the receipt's pending id). Each report is a row of ``Table r="Venteregister"`` in the
fields :data:`REPORT_FIELDS`.
"""

from __future__ import annotations

from opencpr.formats.fields import Fmt, Out

__all__ = ["ACTION_TEXTS", "REPORT_FIELDS", "SERVICE", "WIRE_ACTIONS", "WIRE_NAME"]

#: The service's name on the wire.
SERVICE = "VENTEREG"

#: The actions on the wire (GCTP ``a=``) and their meaning.
WIRE_ACTIONS = {"status": "status", "tilbagetraek": "withdraw", "indbakke": "inbox", "godkend": "approve",
                "afvis": "reject"}
WIRE_NAME = {v: k for k, v in WIRE_ACTIONS.items()}
ACTION_TEXTS = {"status": "Status på indberetninger", "withdraw": "Træk indberetningen tilbage",
                "inbox": "Indberetninger til godkendelse", "approve": "Godkend indberetningen",
                "reject": "Afvis indberetningen"}

#: A report in the pending register (table ``Venteregister``).
REPORT_FIELDS: tuple[Out, ...] = (
    Out("VENTEID", "pending_id"), Out("HAENDELSE", "event", t="title"), Out("PNR", "pnr"),
    Out("HAENDELSESDATO", "event_date", Fmt.DATE8), Out("KOMKOD", "municipality", t="municipality_name"),
    Out("STATUS", "status", t="status_text"), Out("TILSTAND", "state"),
    Out("INDBERETTETAF", "reported_by"), Out("INDBERETTET", "reported_at", Fmt.TS12),
    Out("AFGOERELSE", "decision"), Out("AFGJORTAF", "decided_by"), Out("AFGJORT", "decided_at", Fmt.TS12),
    Out("BEGRUNDELSE", "reason"), Out("DATA", "data_text"), Out("FOER", "before_text"),
    Out("EFTER", "after_text"), Out("PROBLEMER", "problems_text"),
)
