"""Data maintenance (vedligeholdelse af data, handbook §3.2.2): correct, undo, report earlier data.

Maintenance is not an event in society but work on registered data. For each kind of data
(:data:`opencpr.access.groups.MAINTENANCE_DATA`) there are up to three operations, each an
:class:`~opencpr.domain.events.base.EventType` with ``maintenance=(kind, action)``, so the gate
checks the group's maintenance grant ``<kind>:<action>``:

* **correct** (ret nuværende eller tidligere oplysninger): the row is kept and marked ``K``
  (corrected) and a corrected copy takes its place (same current flag and period unless the data
  changes them; fields not given keep their old values);
* **undo** (fortryd): the row is kept and marked ``A`` (annulled); when it was the current row,
  the previous valid row becomes current again;
* **earlier** (indberet tidligere oplysninger): a historical period that arrived late is inserted
  in its place in the history.

The row is picked with ``STARTDATO`` (its start as ``yyyyMMdd`` or ``yyyyMMddHHmm``, as the
searches ADRESSE1, CIVST, FKIRK, NAVNE, STATSB, SEPARATION show it); without it the current
row is meant. Nothing is deleted; every operation is logged as an event.

The modules, in the order their events are in the catalogue:

* :mod:`.kinds` — the kinds with history rows, declared once in :data:`HISTORY_KINDS` (their data
  fields come from the extract layouts, :func:`opencpr.domain.records.cpr_field_names`), selecting
  the row, periods; :mod:`.history` — their correct, undo and earlier events (A09, A10, T01 address;
  R02, A25, T02 civil status; R03, F03, T03 shared residence; R04, P56, T04 church; R05, F05, T05
  disappearance; A16, A17, T08 name; P48, P49, T11 separation; R13, F13, T13 citizenship; R14, F14,
  T14 departure);
* :mod:`.person` — the kinds on the person row without history: R06, F06 birth registration; R10,
  F10 other person data (occupation);
* :mod:`.dated` — the kinds whose rows have a period but no current flag, declared once each in
  :data:`DATED_KINDS`: R15, F15, T15 protection; R07, F07, T07 municipal conditions; R16, F16, T16
  municipal notes; R09, F09, T09 previous PNRs;
* :mod:`.relations` — R12, F12: the parents of a child (record 015) and the child rows of the parents;
* :mod:`.operations` — what they all share (the operations' names, the marks, period values); no events.

This package declares no event itself: :data:`EVENTS` collects the modules' ``EVENTS`` in that order.
"""

from __future__ import annotations

from opencpr.domain.events.base import EventType
from opencpr.domain.events.maintenance import dated, history, person, relations
from opencpr.domain.events.maintenance.dated import DATED_KINDS, DatedKind, dated_select
from opencpr.domain.events.maintenance.kinds import HISTORY_KINDS, Column, HistoryKind, select_row
from opencpr.domain.events.maintenance.relations import RELATION

__all__ = ["DATED_KINDS", "EVENTS", "HISTORY_KINDS", "RELATION", "Column", "DatedKind", "HistoryKind", "dated_select",
           "select_row"]

EVENTS: tuple[EventType, ...] = (*history.EVENTS, *person.EVENTS, *dated.EVENTS, *relations.EVENTS)
