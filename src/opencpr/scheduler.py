"""The server's own recurring jobs, run beside the requests in each server process.

* the gate's housekeeping (refused calls into the audit trail, the audit chain's anchor), every
  :data:`HOUSEKEEPING_EVERY` seconds;
* the pending register's due events (future-dated events whose date has come), every
  :data:`RUN_DUE_EVERY` seconds. Each worker may run it: an event is applied once (the pending
  register claims it in the database).

A job calls services through the gate as its own actor (:func:`opencpr.bootstrap.job_gate`), so it
is permission-checked and audited like any other caller.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

from opencpr.access.users import job_actor
from opencpr.services.gate import Gate
from opencpr.services.pending import run_due

RUN_DUE_EVERY = 60.0  # seconds between the server's runs of the pending register's due events
HOUSEKEEPING_EVERY = 2.0  # seconds between the gate's housekeeping (refusal records, audit anchors)

log = logging.getLogger("opencpr.scheduler")


async def run_due_forever(gate: Gate, every: float = RUN_DUE_EVERY) -> None:
    """Apply due future-dated events now and then, until cancelled."""
    while True:
        try:
            actor = await run_in_threadpool(job_actor, gate.engine, "run-due")
            results = await run_in_threadpool(run_due, gate, actor)
            if results:
                log.info("applied %d due events, %d failed", sum(r.applied for r in results),
                         sum(not r.applied for r in results))
        except Exception:  # keep the scheduler alive; the failure is in the log and the audit trail
            log.exception("run-due failed")
        await asyncio.sleep(every)


async def housekeeping_forever(gate: Gate, every: float = HOUSEKEEPING_EVERY) -> None:
    """The gate's housekeeping (:meth:`Gate.housekeeping`) now and then, until cancelled."""
    while True:
        await asyncio.sleep(every)
        try:
            await run_in_threadpool(gate.housekeeping)
        except Exception:
            log.exception("housekeeping failed")
