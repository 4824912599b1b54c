"""The pending register (venteregister): events saved now and applied later, or after approval.

A saved event goes to the pending register instead of the register when its event date lies in
the future, when the caller asks for it (GCTP ``u="v"``) or when the user's group may only report
there (``pending_only``: citizens' self-service). It waits there as a row of ``pending_event``:

* ``waiting`` — applied on its date by :func:`run_due` (``opencpr run-due``, and the server every
  minute while it runs): the event's rules are checked again on the register as it is then, and the event is
  ``applied`` or, if they no longer hold, ``failed`` with the problems;
* ``awaiting_approval`` — a citizen's report, waiting for the municipality in charge (the
  municipality of residence; for a move the municipality moved to), which approves it — it is then
  ``applied``, or ``waiting`` for its date — or rejects it with a reason (``rejected``);
* ``withdrawn`` — taken back by whoever reported it (:data:`WITHDRAW_PENDING`).

:mod:`~opencpr.services.pending.waiting` puts an event in the register, says who decides it,
answers the reporter's status and withdraws; :mod:`~opencpr.services.pending.decisions` is the
municipality's inbox, approve and reject; :mod:`~opencpr.services.pending.due` runs the events
whose date has come. :func:`pending_mark` is STAMP's ``I_VENT_MRK``. An event is applied by
:mod:`opencpr.services.apply`, as a save in the update dialogue applies it; the update services
(:mod:`opencpr.services.updates`) hand a saved event to :func:`to_pending`, and this package
imports nothing from them.
"""

from opencpr.services.pending.decisions import APPROVE, INBOX, REJECT, approve, inbox, reject
from opencpr.services.pending.due import APPLY_DUE, DUE, DueResult, run_due
from opencpr.services.pending.waiting import (
    LIST_PENDING,
    REPORT_STATUS,
    WITHDRAW_PENDING,
    in_charge,
    pending_mark,
    residence_of,
    to_pending,
)

__all__ = [
    "APPLY_DUE", "APPROVE", "DUE", "INBOX", "LIST_PENDING", "REJECT", "REPORT_STATUS", "WITHDRAW_PENDING",
    "DueResult", "approve", "in_charge", "inbox", "pending_mark", "reject", "residence_of", "run_due", "to_pending",
]
