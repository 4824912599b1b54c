"""Update services (ajourføring): the dialogue initiate → validate → save or cancel, for every event.

Every step is a gate call (:func:`spec` gives the :class:`ServiceSpec` of an event's step), so it
is permission-checked, scoped, audited and counted like any other service:

1. **initiate** with keys — event code, PNR, event date, reporting authority (``mk``). Answers the
   person's master data (name, address, status, protection), the current data the event concerns
   and the actions that may follow; opens an update session (``ts``, 20 digits).
2. **validate** the event's data: every field is parsed and its code translated to clear text, every
   rule of the event is checked. Answers the approved, translated data, or raises
   :class:`DataRefused` (Kvit 5403) listing each problem with its code and text.
3. **save** — the rules again, on the register as it is now; then the event's plan is written in one
   transaction, claiming each person it changes by the version read at validation (another save in
   between: :class:`UpdateConflict`, Kvit 5405, validate again). A future event date, or a group that
   may only report to the pending register, puts the event in the pending register
   (:mod:`opencpr.services.pending`) instead; a future-dated event is applied on its date by
   :func:`opencpr.services.pending.run_due`. Answers a receipt, with the secondary events the
   saved event opens.
4. **cancel** at any point.

Keys may not change after initiation (Kvit 5404). A session left alone for
:data:`SESSION_IDLE` expires (Kvit 5401).

The package, by job:

* :mod:`.keys` — the keys of a step (:class:`Keys`) and how they are checked;
* :mod:`.sessions` — the ``update_session`` rows, and the persons' state kept from one step of a
  session to the next;
* :mod:`.secondary` — secondary events: the primary event's case, the follow-on events a save
  offers, the primary event's permission;
* :mod:`.dialogue` — the four steps, :func:`spec`, :func:`step` and :func:`event_catalogue`.

Applying an event's plan and allocating a new person's CPR number are in
:mod:`opencpr.services.apply`, shared with the pending register; the GCTP wording of the
dialogue (``a="initier"`` …, the master data and receipt fields) is in
:mod:`opencpr.formats.gctp_updates`.
"""

from opencpr.services.updates.dialogue import ACTIONS, event_catalogue, master_data, spec, step
from opencpr.services.updates.keys import Keys
from opencpr.services.updates.secondary import SECONDARY_WINDOW
from opencpr.services.updates.sessions import SESSION_IDLE

__all__ = ["ACTIONS", "SECONDARY_WINDOW", "SESSION_IDLE", "Keys", "event_catalogue", "master_data", "spec", "step"]
