"""The server's own recurring jobs, run beside the requests in each server process.

* the gate's housekeeping (refused calls into the audit trail, the audit chain's anchor), every
  :data:`HOUSEKEEPING_EVERY` seconds;
* the pending register's due events (future-dated events whose date has come), every
  :data:`RUN_DUE_EVERY` seconds. Each worker may run it: an event is applied once (the pending
  register claims it in the database);
* SF6002 (:func:`subscription_jobs`, once per server, not per worker): the SFTP server the
  subscribers fetch from, and every minute a look at the clock: within the extraction window
  (22:00-05:00 by default) the night's extraction runs or resumes, and deliveries unfetched past
  the retention period are deleted, those past the alert threshold reported in the log. Several
  servers on one database (see ``docs/scaling.md``) each look, but the night's job runs in one
  of them at a time: it is held with :func:`opencpr.register.joblock.run_once` (a PostgreSQL
  advisory lock, a file lock beside a SQLite database), which ``opencpr extract run`` takes too.

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


# --- SF6002: the SFTP server and the nightly extraction ------------------------------------------------

NIGHTLY_EVERY = 60.0  # seconds between looks at the clock for the extraction window


def in_window(window: tuple[int, int] | None, moment) -> bool:
    """True if ``moment`` lies in the extraction window (minutes after midnight, possibly across it)."""
    if window is None:
        return False
    start, end = window
    minute = moment.hour * 60 + moment.minute
    return start <= minute < end if start < end else (minute >= start or minute < end)


def nightly_once(gate: Gate, store, settings) -> bool:
    """One look: in the window, run (or resume) the night's extraction; then retention and the
    report. False (and nothing done) if another process holds the night's job."""
    from opencpr.register.joblock import NIGHTLY, JobBusy, run_once

    try:
        with run_once(gate.engine, NIGHTLY):
            _nightly(gate, store, settings)
    except JobBusy as busy:
        log.debug("the night's job is held elsewhere (%s); this server skips this look", busy.holder or "unknown")
        return False
    return True


def _nightly(gate: Gate, store, settings) -> None:
    from opencpr.delivery.extraction import run_extraction
    from opencpr.delivery.monitoring import expire, unfetched

    now = gate.clock.now()
    if in_window(settings.extract_window, now):
        report = run_extraction(gate, store, budget_seconds=settings.extract_budget_hours * 3600)
        if not report.already_finished:
            log.info("night %s: %d deliveries, %d systems done, stopped by budget: %s", report.night,
                     len(report.delivered), report.systems_done, report.stopped_by_budget)
    for path in expire(gate.engine, store, days=settings.retention_days, clock=gate.clock):
        log.warning("deleted unfetched delivery %s after %s days", path, settings.retention_days)
    for lying in unfetched(gate.engine, days=settings.unfetched_alert_days, clock=gate.clock):
        log.warning("delivery %s of system %d (%s) unfetched for %.1f days", lying.file_name, lying.system_id,
                    lying.system, lying.days)


async def subscription_jobs(database_url: str, settings) -> None:
    """The SFTP server and the nightly extraction, once per server (not per worker), until cancelled."""
    from opencpr.bootstrap import make_gate, open_engine
    from opencpr.delivery.sftp import start_sftp_server
    from opencpr.delivery.store import DeliveryStore

    engine = open_engine(database_url, migrate=False)
    gate = make_gate(engine)
    store = DeliveryStore(settings.delivery_dir)
    acceptor = None
    if settings.sftp_port:
        try:
            acceptor = await start_sftp_server(engine, store, settings.host, settings.sftp_port,
                                               settings.sftp_host_key)
        except OSError as exc:
            log.error("the SFTP server could not start on %s:%d: %s", settings.host, settings.sftp_port, exc)
        else:
            log.info("SFTP for SF6002 deliveries on %s:%d (homes in %s)", settings.host, settings.sftp_port,
                     settings.delivery_dir)
    try:
        while True:
            try:
                await run_in_threadpool(nightly_once, gate, store, settings)
            except Exception:
                log.exception("the nightly extraction failed; it resumes at the next look")
            await asyncio.sleep(NIGHTLY_EVERY)
    finally:
        if acceptor is not None:
            acceptor.close()
        engine.dispose()


async def housekeeping_forever(gate: Gate, every: float = HOUSEKEEPING_EVERY) -> None:
    """The gate's housekeeping (:meth:`Gate.housekeeping`) now and then, until cancelled."""
    while True:
        await asyncio.sleep(every)
        try:
            await run_in_threadpool(gate.housekeeping)
        except Exception:
            log.exception("housekeeping failed")
