"""The pending register (venteregister): events saved now and applied later, or after approval.

A saved event goes to the pending register instead of the register when its event date lies in
the future, when the caller asks for it (GCTP ``u="v"``) or when the user's group may only report
there (``pending_only``: citizens' self-service). It waits there as a row of ``pending_event``:

* ``waiting`` — applied on its date by :func:`run_due` (``opencpr run-due``, and the server every
  minute while it runs): the event's rules are checked again on the register as it is then, and the event is
  ``applied`` or, if they no longer hold, ``failed`` with the problems;
* ``awaiting_approval`` — waits for the municipality of residence; approve and reject come with
  the self-service work;
* ``withdrawn`` — taken back by whoever reported it (:data:`WITHDRAW_PENDING`).

:mod:`~opencpr.services.pending.waiting` puts an event in the register, lists and withdraws;
:mod:`~opencpr.services.pending.due` runs the events whose date has come. An event is applied by
:mod:`opencpr.services.apply`, as a save in the update dialogue applies it; the update services
(:mod:`opencpr.services.updates`) hand a saved event to :func:`to_pending`, and this package
imports nothing from them.
"""

from opencpr.services.pending.due import APPLY_DUE, DUE, DueResult, run_due
from opencpr.services.pending.waiting import LIST_PENDING, WITHDRAW_PENDING, to_pending

__all__ = ["APPLY_DUE", "DUE", "LIST_PENDING", "WITHDRAW_PENDING", "DueResult", "run_due", "to_pending"]
