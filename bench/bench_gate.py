"""What the gate costs: Stam+ lookups per second with and without it.

Runs the same service code (``opencpr.services.lookup.STAM_PLUS``) over CPR's 80 demo persons

* ungated — the service run with a context made directly: no permission check, no protection,
  no audit record, no usage count (only possible here, through a private name);
* gate, sync audit — each call's audit record and usage count commit with the call;
* gate, deferred audit — records queued and written in batches by the audit writer (timed
  until the last one is written).

On SQLite (a file in a temporary directory) and, with ``--postgres``, on a throwaway PostgreSQL
cluster (opencpr.devdb.TempPostgres: fsync off, so commits cost less than in production).

    .venv/bin/python bench/bench_gate.py [--lookups 20000] [--rounds 5] [--postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, select

from opencpr.access.audit import verify_audit
from opencpr.access.groups import Kind
from opencpr.access.passwords import CHEAP, Passwords
from opencpr.access.users import actor_for_user, add_user
from opencpr.clock import SystemClock
from opencpr.register.db import make_engine
from opencpr.register.demo import load_demo_persons
from opencpr.register.migrate import upgrade
from opencpr.register.schema import person
from opencpr.services.contract import GATE_ONLY, ServiceContext
from opencpr.services.gate import AuditMode, Gate
from opencpr.services.lookup import STAM_PLUS
from opencpr.services.permissions import ensure_default_groups


def prepare(engine: Engine) -> list[str]:
    upgrade(engine)
    load_demo_persons(engine)
    ensure_default_groups(engine)
    add_user(engine, "BENCH1", "0851", "municipality", passwords=Passwords(CHEAP))
    with engine.connect() as conn:
        return list(conn.execute(select(person.c.pnr).order_by(person.c.pnr)).scalars())


def run_ungated(engine: Engine, actor, pnrs: list[str], n: int) -> float:
    clock = SystemClock()
    grant = actor.group.permissions.grant_for(Kind.SEARCH, STAM_PLUS.name)
    started = time.perf_counter()
    for i in range(n):
        with engine.connect() as conn:
            # bypasses the gate on purpose (private key): the baseline the gate is measured against
            ctx = ServiceContext(GATE_ONLY, conn, actor, grant, clock.now())
            STAM_PLUS.run(ctx, pnr=pnrs[i % len(pnrs)])
            conn.commit()  # as the gate does (a rollback drops psycopg's prepared statements)
    return time.perf_counter() - started


def run_gated(gate: Gate, actor, pnrs: list[str], n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        gate.call(actor, STAM_PLUS, pnr=pnrs[i % len(pnrs)])
    gate.flush()
    return time.perf_counter() - started


def bench(label: str, engine: Engine, n: int, rounds: int) -> None:
    pnrs = prepare(engine)
    actor = actor_for_user(engine, "BENCH1", client="127.0.0.1")
    sync_gate = Gate(engine, audit_mode=AuditMode.SYNC)
    deferred_gate = Gate(engine, audit_mode=AuditMode.DEFERRED)
    runs: dict[str, Callable[[], float]] = {
        "ungated": lambda: run_ungated(engine, actor, pnrs, n),
        "gate, sync audit": lambda: run_gated(sync_gate, actor, pnrs, n),
        "gate, deferred audit": lambda: run_gated(deferred_gate, actor, pnrs, n),
    }
    for run in runs.values():  # warm up caches, pools and statement caches
        run()
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(rounds):  # interleaved, so drift hits every mode alike
        for key, run in runs.items():
            times[key].append(run())
    deferred_gate.close()
    base, best_base = statistics.median(times["ungated"]), min(times["ungated"])
    print(f"\n{label}: {n:,} Stam+ lookups per round, {rounds} rounds (median; best in brackets)")
    print(f"  {'mode':<22} {'lookups/s':>10} {'µs/lookup':>16} {'overhead':>18}")
    for key, values in times.items():
        t, best = statistics.median(values), min(values)
        overhead = "" if key == "ungated" else f"{(t / base - 1) * 100:+.1f}% ({(best / best_base - 1) * 100:+.1f}%)"
        print(f"  {key:<22} {n / t:>10,.0f} {t / n * 1e6:>8.1f} ({best / n * 1e6:>5.1f}) {overhead:>18}")
    report = verify_audit(engine)
    lookups = (1 + rounds) * n * 2
    print(f"  audit trail: {report.records:,} records ({lookups:,} lookups + setup), "
          f"chain {'verified' if report.ok else 'BROKEN'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="also run on a throwaway PostgreSQL cluster")
    args = parser.parse_args()
    print(f"bench_gate {dt.datetime.now():%Y-%m-%d %H:%M}")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        bench("SQLite", engine, args.lookups, args.rounds)
        engine.dispose()
    if args.postgres:
        from opencpr.devdb import TempPostgres

        with TempPostgres() as server:
            engine = make_engine(server.create_database("bench_gate"))
            bench("PostgreSQL (fsync off)", engine, args.lookups // 4, args.rounds)
            engine.dispose()


if __name__ == "__main__":
    main()
