"""Composition: the register, the gate and the adapters wired into one ASGI application.

* ``POST /cpr-online-gctp/gctp`` — GCTP (:mod:`opencpr.api.gctp`);
* ``GET /cpr-online-gctp/services`` — the published service specifications;
* ``/api/v1/…`` — REST/JSON (:mod:`opencpr.api.rest`), described at ``/openapi.json`` and ``/docs``;
* ``/console`` — the caseworker console (:mod:`opencpr.api.console`), and ``/`` the front door;
* ``/service/CprSubscription/CprSubscription/1/`` — SF6002, CPR subscriptions over SOAP
  (:mod:`opencpr.api.soap.sf6002`; ``?wsdl`` for the contract);
* ``/service/CPRLookup/CPRLookup/2`` (and the older CprService replica's paths) — CPRLookup, GCTP
  in a SOAP string for certificate-identified systems (:mod:`opencpr.api.soap.cprlookup`);
* ``/service/CPR/PersonBaseDataExtended/4`` and ``/5`` — SF1520 PersonLookup for
  certificate-identified systems (:mod:`opencpr.api.soap.sf1520`; ``?wsdl`` for the contract);
* ``GET /healthz`` — liveness.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine

import opencpr
from opencpr import scheduler
from opencpr.api import console, rest
from opencpr.api import gctp as gctp_api
from opencpr.api.limits import BodyLimit
from opencpr.api.soap import cprlookup, sf1520, sf6002
from opencpr.bootstrap import make_gate, open_engine
from opencpr.clock import Clock
from opencpr.config import Settings
from opencpr.domain import reference
from opencpr.services import catalogue as cat
from opencpr.services.gate import AuditMode, Gate

TOKEN_CACHE_SECONDS = 2.0  # how long a server process keeps a resolved session token


def create_app(engine: Engine, *, clock: Clock | None = None, audit_mode: AuditMode | str = AuditMode.DEFERRED,
               gctp_env: str | None = None, gate: Gate | None = None,
               run_due_every: float | None = scheduler.RUN_DUE_EVERY, routes: Callable[[FastAPI], None] | None = None,
               settings: Settings | None = None):
    """The server application on ``engine`` (GCTP as a plain ASGI route in front of the REST
    application). ``run_due_every`` seconds between runs of the pending register's due events (None:
    the server does not run them). ``routes(app)`` may add routes of its own (a benchmark's baseline).
    ``settings`` gives the limits on what clients send, the audit anchor and the
    threshold of the unfetched deliveries' endpoint and page."""
    gate = gate or make_gate(engine, clock, audit_mode=audit_mode, token_cache_seconds=TOKEN_CACHE_SECONDS,
                             settings=settings)
    unfetched_days = settings.unfetched_alert_days if settings is not None else 7.0
    handler = gctp_api.GctpHandler(gate, env=gctp_env)
    cat.catalogue()  # import every service module before the first request
    reference.load()  # and read the reference tables (authorities, roads, postal codes)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        import asyncio

        from opencpr.register.db import background_checkpoints

        checkpointer = background_checkpoints(engine)  # SQLite: the log is copied back off the requests
        task = asyncio.create_task(scheduler.run_due_forever(gate, run_due_every)) if run_due_every else None
        housekeeping = asyncio.create_task(scheduler.housekeeping_forever(gate))
        yield
        housekeeping.cancel()
        if task is not None:
            task.cancel()
        gate.close()
        if checkpointer is not None:
            checkpointer.stop()

    # the API documentation (/docs, /redoc) with its assets served by this server: it works offline
    app = FastAPIOffline(title="OpenCPR", version=getattr(opencpr, "__version__", "0"), lifespan=lifespan,
                  description="The Danish CPR services server: GCTP and REST/JSON over one service catalogue.")
    app.state.gate = gate

    @app.get("/cpr-online-gctp/services", tags=["catalogue"])
    def services() -> dict[str, Any]:
        return cat.specifications()

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if routes is not None:
        routes(app)
    app.include_router(rest.router(gate, unfetched_days=unfetched_days))
    rest.install_errors(app, gate)
    console.install(app, gate, unfetched_days=unfetched_days)  # /console and the front door /
    front = gctp_api.GctpApp(handler, app, inline=engine.dialect.name == "sqlite")
    front = cprlookup.CprLookupApp(cprlookup.CprLookupHandler(handler), front)
    front = sf1520.Sf1520App(sf1520.Sf1520Handler(gate), front, inline=engine.dialect.name == "sqlite")
    served = sf6002.Sf6002App(sf6002.Sf6002Handler(gate), front)
    return BodyLimit(served, gate.limits, gate.refused, env=gctp_env)


def app_for(database_url: str, audit_mode: str = "deferred", gctp_env: str | None = None,
            settings: Settings | None = None):
    """The application on the register at ``database_url`` (importable and picklable: server workers call it)."""
    engine = open_engine(database_url, migrate=False, pool_size=settings.db_pool_size if settings else None)
    return create_app(engine, audit_mode=audit_mode, gctp_env=gctp_env, settings=settings)
