"""Benchmark: generate a synthetic population and load it into a register.

    python bench/bench_generate.py --persons 100000                 # temporary SQLite file
    python bench/bench_generate.py --persons 100000 --postgres      # throwaway PostgreSQL
    python bench/bench_generate.py --persons 100000 --database-url postgresql+psycopg://…

Prints persons per second, elapsed seconds, the peak resident memory of this process and its
worker processes together (sampled every 0.2 s), and the size of the database.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from sqlalchemy import text

from opencpr.population.load import load_population
from opencpr.register.db import make_engine
from opencpr.register.migrate import upgrade


class PeakMemory:
    """Samples the resident memory of this process and its children until stopped."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


def database_size(engine, sqlite_path: Path | None) -> int:
    if sqlite_path is not None:
        return sum(p.stat().st_size for p in sqlite_path.parent.glob(sqlite_path.name + "*"))
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="register URL (default: a temporary SQLite file)")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--today", default="2025-01-01", help="the register's today (YYYY-MM-DD)")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="opencpr-bench-"))
    pg = None
    sqlite_path = None
    try:
        if args.postgres:
            from opencpr.devdb import TempPostgres

            pg = TempPostgres().start()
            url = pg.create_database("bench")
        elif args.database_url:
            url = args.database_url
        else:
            sqlite_path = tmp / "register.sqlite"
            url = f"sqlite:///{sqlite_path}"
        engine = make_engine(url)
        upgrade(engine)
        shown = [0.0]

        def progress(n: int) -> None:
            now = time.perf_counter()
            if now - shown[0] >= 10:
                shown[0] = now
                print(f"  … {n:,} persons", file=sys.stderr, flush=True)

        with PeakMemory() as mem:
            report = load_population(engine, args.persons, args.seed, today=dt.date.fromisoformat(args.today),
                                     workers=args.workers, progress=progress)
        size = database_size(engine, sqlite_path)
        rows = sum(report.rows.values())
        print(f"database      {engine.dialect.name}")
        print(f"persons       {report.persons:,} ({report.shards} shards, {report.workers} workers,"
              f" indexes {'rebuilt' if report.rebuilt_indexes else 'kept'})")
        print(f"rows          {rows:,} ({rows / report.persons:.1f} per person)")
        print(f"elapsed       {report.seconds:.1f} s (main process: waiting for shards {report.wait_seconds:.1f} s,"
              f" writing {report.write_seconds:.1f} s, building indexes {report.index_seconds:.1f} s)")
        print(f"persons/s     {report.persons_per_second:,.0f}")
        print(f"peak RSS      {mem.peak / 2**20:,.0f} MiB (this process and its workers)")
        print(f"database size {size / 2**20:,.0f} MiB")
        engine.dispose()
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
