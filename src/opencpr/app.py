"""Composition: the register, the gate and the adapters wired into one ASGI application.

* ``POST /cpr-online-gctp/gctp`` — GCTP (:mod:`opencpr.api.gctp`);
* ``GET /cpr-online-gctp/services`` — the published service specifications;
* ``/api/v1/…`` — REST/JSON (:mod:`opencpr.api.rest`), described at ``/openapi.json`` and ``/docs``;
* ``GET /healthz`` — liveness.
"""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

import opencpr
from opencpr.api import gctp as gctp_api
from opencpr.api import rest
from opencpr.clock import Clock
from opencpr.services import catalogue as cat
from opencpr.services.gate import AuditMode, Gate

RUN_DUE_EVERY = 60.0  # seconds between the server's runs of the pending register's due events
TOKEN_CACHE_SECONDS = 2.0  # how long a server process keeps a resolved session token


async def _run_due_forever(gate: Gate, every: float) -> None:
    """Apply due future-dated events now and then (each worker may; an event is applied once)."""
    import asyncio
    import logging

    from opencpr.access.users import job_actor
    from opencpr.services.pending import run_due

    log = logging.getLogger("opencpr.run_due")
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


def create_app(engine: Engine, *, clock: Clock | None = None, audit_mode: AuditMode | str = AuditMode.DEFERRED,
               gctp_env: str | None = None, gate: Gate | None = None, bare: bool = False,
               run_due_every: float | None = RUN_DUE_EVERY):
    """The server application on ``engine`` (GCTP as a plain ASGI route in front of the REST
    application). ``bare`` adds ``/_bare/person/{pnr}`` (benchmarks only:
    one primary-key query without protocol or gate). ``run_due_every`` seconds between runs of the
    pending register's due events (None: the server does not run them)."""
    gate = gate or Gate(engine, clock, audit_mode=audit_mode, token_cache_seconds=TOKEN_CACHE_SECONDS)
    handler = gctp_api.GctpHandler(gate, env=gctp_env)
    cat.catalogue()  # import every service module before the first request

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        import asyncio

        from opencpr.register.db import background_checkpoints

        checkpointer = background_checkpoints(engine)  # SQLite: the log is copied back off the requests
        task = asyncio.create_task(_run_due_forever(gate, run_due_every)) if run_due_every else None
        yield
        if task is not None:
            task.cancel()
        gate.close()
        if checkpointer is not None:
            checkpointer.stop()

    app = FastAPI(title="OpenCPR", version=getattr(opencpr, "__version__", "0"), lifespan=lifespan,
                  description="The Danish CPR services server: GCTP and REST/JSON over one service catalogue.")
    app.state.gate = gate

    @app.get("/cpr-online-gctp/services", tags=["catalogue"])
    def services() -> dict[str, Any]:
        return cat.specifications()

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if bare:
        from sqlalchemy import bindparam, select

        from opencpr.register.schema import person

        query = select(person.c.pnr, person.c.status, person.c.sex, person.c.birth_date).where(
            person.c.pnr == bindparam("pnr"))

        def _bare(pnr: str) -> dict[str, Any] | None:
            with engine.connect() as conn:
                row = conn.execute(query, {"pnr": pnr}).mappings().first()
                conn.commit()
            return dict(row) if row else None

        @app.get("/_bare/person/{pnr}", include_in_schema=False)
        async def bare_person(pnr: str) -> JSONResponse:
            row = await run_in_threadpool(_bare, pnr)
            return JSONResponse(row or {}, status_code=200 if row else 404)

    app.include_router(rest.router(gate))
    rest.install_errors(app)
    return gctp_api.GctpApp(handler, app, inline=engine.dialect.name == "sqlite")


def app_for(database_url: str, audit_mode: str = "deferred", gctp_env: str | None = None, bare: bool = False):
    """The application on the register at ``database_url`` (importable and picklable: server workers call it)."""
    from opencpr.register.migrate import open_register

    return create_app(open_register(database_url, migrate=False), audit_mode=audit_mode, gctp_env=gctp_env,
                      bare=bare)
