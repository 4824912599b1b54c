"""Processes for bench_gctp.py: the server launcher and the load generator, each run as its own process.

    python gctp_helper.py serve --database-url URL --port P [--audit-mode deferred|sync|none] [--workers N]
    python gctp_helper.py load CONFIG.json        (prints one JSON result line)

``serve`` runs the real server (``opencpr.app.create_app`` + ``opencpr.server.serve``, plain HTTP on
127.0.0.1) with this benchmark's own baseline route mounted beside it: ``GET /_bare/person/{pnr}``,
one primary-key query with no protocol and no gate, for the comparison. ``--audit-mode none``
serves the same application with the audit records dropped instead of written (this benchmark's
own gate: the production server has no such mode), to weigh the durable audit against the lookup.

``load`` is the load generator: raw asyncio streams, HTTP/1.1 keep-alive, request bytes built
before the clock starts. Two modes, both bounded in count and time, loopback only:

* ``closed`` — ``connections`` connections each send the next request as soon as the answer
  to the last one is in (maximum throughput);
* ``open`` — requests are due at a fixed ``rate`` whatever the server does; latency is counted
  from the moment a request was due (so a server that falls behind shows it, no coordinated
  omission); a request waits for a free connection when all are busy.

With ``tls`` (``{"ca": …, "cert": …, "key": …}``) the connections are HTTPS, with the client
certificate if one is named (SF1520: ``bench_sf1520.py``). A GCTP run signs on once per connection (``signon`` body) and sends the ``Token`` cookie from the
answer's ``Set-Cookie``. A request counts as an error unless it gets HTTP 200 (and, where
``ok_marker`` is set, the marker is in the body: ``<Kvit r="Ok"`` for a GCTP answer).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from typing import Any

HOST = "127.0.0.1"


# --- the server ------------------------------------------------------------------------------------

def bare_routes(engine):
    """``routes(app)`` for ``create_app``: adds ``GET /_bare/person/{pnr}`` on ``engine`` (the baseline)."""
    from fastapi.responses import JSONResponse
    from sqlalchemy import bindparam, select
    from starlette.concurrency import run_in_threadpool

    from opencpr.register.schema import person

    query = select(person.c.pnr, person.c.status, person.c.sex, person.c.birth_date).where(
        person.c.pnr == bindparam("pnr"))

    def read(pnr: str) -> dict[str, Any] | None:
        with engine.connect() as conn:
            row = conn.execute(query, {"pnr": pnr}).mappings().first()
            conn.commit()
        return dict(row) if row else None

    def add(app) -> None:
        @app.get("/_bare/person/{pnr}", include_in_schema=False)
        async def bare_person(pnr: str) -> JSONResponse:
            row = await run_in_threadpool(read, pnr)
            return JSONResponse(row or {}, status_code=200 if row else 404)

    return add


def make_app(database_url: str, audit_mode: str):
    """The server application on the register at ``database_url``, with the bare endpoint."""
    from opencpr.app import TOKEN_CACHE_SECONDS, create_app
    from opencpr.bootstrap import make_gate, open_engine

    engine = open_engine(database_url)
    if audit_mode != "none":
        return create_app(engine, audit_mode=audit_mode, routes=bare_routes(engine))
    from opencpr.access.audit import AuditWriter

    class DroppingWriter(AuditWriter):
        """Takes every audit record and writes none: the call is answered at once (ticket 0)."""

        def submit(self, entry) -> int:
            return 0

    gate = make_gate(engine, audit_mode="deferred", token_cache_seconds=TOKEN_CACHE_SECONDS)
    gate.writer = DroppingWriter(engine)
    return create_app(engine, audit_mode="deferred", routes=bare_routes(engine), gate=gate)


def serve(database_url: str, port: int, audit_mode: str, workers: int = 1) -> None:
    """Run the server app (with the bare endpoint) on plain HTTP until terminated."""
    import functools
    import inspect
    import tempfile
    from pathlib import Path

    from opencpr.config import Settings
    from opencpr.server import serve as run_server

    settings = Settings(data_dir=Path(tempfile.gettempdir()), database_url=database_url, host=HOST,
                        https_port=0, http_port=port, audit_mode=audit_mode)

    def started(listeners) -> None:
        print(f"READY {listeners[0].port}", flush=True)

    if "workers" in inspect.signature(run_server).parameters:  # serve(app_factory, …, workers=n)
        factory = functools.partial(make_app, database_url, audit_mode)
        run_server(factory, settings, "warning", started, workers=workers)
    else:  # serve(app, …): one process
        if workers > 1:
            raise SystemExit("this opencpr.server.serve runs one process only")
        run_server(make_app(database_url, audit_mode), settings, "warning", started)


# --- the load generator ----------------------------------------------------------------------------

class Failure(Exception):
    """An answer that is not a success."""


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    at = lower.find(b"\r\ncontent-length:")
    if at < 0:
        raise Failure("answer without content-length")
    end = lower.find(b"\r\n", at + 2)
    length = int(lower[at + 17:end])
    body = await reader.readexactly(length)
    return status, head, body


def _client_tls(tls: dict[str, str] | None):
    """An SSL context for ``tls`` (``ca``, and ``cert`` and ``key`` for a client certificate), or None."""
    if not tls:
        return None
    import ssl

    context = ssl.create_default_context(cafile=tls["ca"])
    if tls.get("cert"):
        context.load_cert_chain(tls["cert"], tls["key"])
    return context


class Connection:
    """One keep-alive connection with its request prefix (request line, headers, cookie)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, prefix: bytes) -> None:
        self.reader, self.writer, self.prefix = reader, writer, prefix

    @classmethod
    async def open(cls, port: int, cfg: dict[str, Any]) -> Connection:
        tls = _client_tls(cfg.get("tls"))
        if tls is None:
            reader, writer = await asyncio.open_connection(HOST, port)
        else:
            reader, writer = await asyncio.open_connection(HOST, port, ssl=tls, server_hostname=HOST)
        prefix = cfg["prefix"].encode("latin-1")
        if cfg.get("signon"):
            body = cfg["signon"].encode("latin-1")
            writer.write(prefix + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            status, head, answer = await _read_answer(reader)
            token = None
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"set-cookie:") and b"Token=" in line:
                    token = line.split(b"Token=", 1)[1].split(b";", 1)[0]
            if status != 200 or not token:
                raise Failure(f"signon failed: HTTP {status} {answer[:300]!r}")
            prefix += b"Cookie: Token=" + token + b"\r\n"
        return cls(reader, writer, prefix)

    async def send(self, tail: bytes, marker: bytes | None) -> None:
        self.writer.write(self.prefix + tail)
        status, _, body = await _read_answer(self.reader)
        if status != 200 or (marker is not None and marker not in body):
            raise Failure(f"HTTP {status}: {body[-300:]!r}")

    def close(self) -> None:
        self.writer.close()


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {k: None for k in ("p50", "p90", "p95", "p99", "max", "mean")}
    s = sorted(values)

    def at(q: float) -> float:
        return s[min(len(s) - 1, int(q * len(s)))] * 1000

    return {"p50": at(0.50), "p90": at(0.90), "p95": at(0.95), "p99": at(0.99), "max": s[-1] * 1000,
            "mean": sum(s) / len(s) * 1000}


async def _run(cfg: dict[str, Any]) -> dict[str, Any]:
    port, mode = cfg["port"], cfg["mode"]
    tails = [t.encode("latin-1") for t in cfg["tails"]]
    marker = cfg["ok_marker"].encode("latin-1") if cfg.get("ok_marker") else None
    duration, limit = float(cfg["duration"]), int(cfg["max_requests"])
    conns = [await Connection.open(port, cfg) for _ in range(cfg["connections"])]
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(limit))
    started = time.perf_counter()
    deadline = started + duration
    hard_deadline = deadline + float(cfg.get("drain", 10.0))
    due_queue: asyncio.Queue[float | None] = asyncio.Queue()
    sent = 0

    async def closed_worker(conn: Connection) -> None:
        nonlocal sent
        for i in counter:
            t0 = time.perf_counter()
            if t0 > deadline:
                return
            sent += 1
            try:
                await conn.send(tails[i % len(tails)], marker)
            except Failure as exc:
                errors.append(str(exc))
                continue
            latencies.append(time.perf_counter() - t0)

    async def open_worker(conn: Connection, index: list[int]) -> None:
        while True:
            due = await due_queue.get()
            if due is None:
                return
            i = index[0]
            index[0] += 1
            try:
                await conn.send(tails[i % len(tails)], marker)
            except Failure as exc:
                errors.append(str(exc))
                continue
            latencies.append(time.perf_counter() - due)

    async def dispatcher(rate: float) -> None:
        nonlocal sent
        n = 0
        while n < limit:
            now = time.perf_counter()
            if now >= deadline:
                break
            while n < limit and started + n / rate <= now:
                due_queue.put_nowait(started + n / rate)
                n += 1
            await asyncio.sleep(max(0.0, min(0.001, started + n / rate - time.perf_counter())))
        sent = n
        for _ in conns:
            due_queue.put_nowait(None)

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    if mode == "closed":
        tasks = [asyncio.create_task(closed_worker(c)) for c in conns]
    else:
        index = [0]
        tasks = [asyncio.create_task(open_worker(c, index)) for c in conns]
        tasks.append(asyncio.create_task(dispatcher(float(cfg["rate"]))))
    _, pending = await asyncio.wait(tasks, timeout=max(0.0, hard_deadline - time.perf_counter()))
    for task in pending:
        task.cancel()
    elapsed = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    for c in conns:
        c.close()
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {"mode": mode, "connections": len(conns), "rate": cfg.get("rate"), "sent": sent,
            "completed": len(latencies), "errors": len(errors), "error_sample": errors[:3],
            "unfinished": max(0, sent - len(latencies) - len(errors)), "seconds": elapsed,
            "per_second": len(latencies) / elapsed if elapsed else 0.0,
            "generator_cpu_seconds": cpu, "generator_cpu_percent": 100 * cpu / elapsed if elapsed else 0.0,
            **_percentiles(latencies)}


def load(config_path: str) -> None:
    with open(config_path, encoding="utf-8") as f:
        cfg = json.load(f)
    print(json.dumps(asyncio.run(_run(cfg))), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--database-url", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--audit-mode", default="deferred", choices=("deferred", "sync", "none"))
    s.add_argument("--workers", type=int, default=1)
    l_ = sub.add_parser("load")
    l_.add_argument("config")
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.database_url, args.port, args.audit_mode, args.workers)
    else:
        load(args.config)


if __name__ == "__main__":
    sys.exit(main())
