"""What a durable audit record costs a lookup: Stam+ with and without the audit trail.

Every lookup the gate answers has its audit record committed first. This measures the cost of
that promise, on SQLite (WAL) and on PostgreSQL with durable settings (fsync, synchronous_commit
and full_page_writes on — the test clusters turn them off), from one thread and from several:

* ungated — the service alone (no permission check, no audit record: the baseline);
* sync — the record written and committed in the lookup's own transaction;
* group commit — the record handed to the AuditWriter; the lookup returns once the group holding
  its record is committed (the server's default, ``audit_mode=deferred``).

    .venv/bin/python bench/bench_durable_audit.py [--lookups 4000] [--rounds 3] [--threads 1,8] [--no-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_gate import (  # noqa: E402
    STAM_PLUS,  # noqa: E402
    prepare,
    run_ungated,
)
from opencpr.access.audit import verify_audit  # noqa: E402
from opencpr.access.users import actor_for_user  # noqa: E402
from opencpr.register.db import make_engine  # noqa: E402
from opencpr.services.gate import AuditMode, Gate  # noqa: E402

DURABLE_PG = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def _threads(work, threads: int, n: int) -> float:
    """Wall time for ``n`` lookups split over ``threads`` threads (``work(count, offset)``)."""
    per = n // threads
    workers = [threading.Thread(target=work, args=(per, i * per)) for i in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - started


def bench(label: str, engine, n: int, rounds: int, thread_counts: list[int]) -> list[tuple]:
    pnrs = prepare(engine)
    actor = actor_for_user(engine, "BENCH1", client="127.0.0.1")
    sync_gate = Gate(engine, audit_mode=AuditMode.SYNC)
    group_gate = Gate(engine, audit_mode=AuditMode.DEFERRED)

    def gated(gate):
        def work(count: int, offset: int) -> None:
            for i in range(count):
                gate.call(actor, STAM_PLUS, pnr=pnrs[(offset + i) % len(pnrs)])
        return work

    def ungated(count: int, offset: int) -> None:
        run_ungated(engine, actor, pnrs[offset % len(pnrs):] + pnrs[:offset % len(pnrs)], count)

    modes = {"ungated": ungated, "sync": gated(sync_gate), "group commit": gated(group_gate)}
    rows = []
    for threads in thread_counts:
        for work in modes.values():  # warm up
            _threads(work, threads, min(n, 400))
        times: dict[str, list[float]] = {k: [] for k in modes}
        for _ in range(rounds):
            for key, work in modes.items():
                times[key].append(_threads(work, threads, n))
        base = statistics.median(times["ungated"])
        print(f"\n{label}, {threads} thread(s): {n:,} Stam+ lookups per round, {rounds} rounds (median)")
        for key, values in times.items():
            t = statistics.median(values)
            extra = "" if key == "ungated" else f"{(t / base - 1) * 100:+7.1f}%  ({(t - base) / n * 1e6:+.0f} µs)"
            print(f"  {key:<14} {n / t:>8,.0f}/s {t / n * 1e6:>8.1f} µs/lookup  {extra}")
            rows.append((label, threads, key, t / n * 1e6, (t / base - 1) * 100))
    group_gate.close()
    print(f"  group commit: {group_gate.writer.written:,} records in {group_gate.writer.batches:,} commits; "
          f"chain {'verified' if verify_audit(engine).ok else 'BROKEN'}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lookups", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="1,8")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    print(f"bench_durable_audit {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        bench("SQLite (WAL, synchronous=NORMAL)", engine, args.lookups, args.rounds, counts)
        engine.dispose()
    if not args.no_postgres:
        from opencpr.devdb import TempPostgres

        with TempPostgres(settings=DURABLE_PG) as server:
            engine = make_engine(server.create_database("bench_audit"))
            bench("PostgreSQL (fsync, synchronous_commit, full_page_writes on)", engine, args.lookups // 2,
                  args.rounds, counts)
            engine.dispose()


if __name__ == "__main__":
    main()
