"""Generate, load and export N persons on one database: the register benchmark of docs/benchmarks.md.

    .venv/bin/python bench/bench_register.py --persons 1000000 [--postgres] [--workers 2]

Prints one line per phase: persons/s, seconds, peak RSS of the process tree, database size,
extract size.
"""

from __future__ import annotations

import argparse
import datetime
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench_export import PeakRSS  # type: ignore[import-not-found]
from opencpr.population.load import load_population
from opencpr.register.db import make_engine
from opencpr.register.exporter import export_extract
from opencpr.register.migrate import upgrade


def db_size(engine, url: str) -> int:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    path = Path(url.split("///", 1)[1])
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def run(url: str, persons: int, seed: int, workers: int | None, out_dir: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with PeakRSS() as rss:
        report = load_population(engine, persons, seed, today=datetime.date(2026, 11, 22), workers=workers)
    print(f"generate+load: {persons:,} persons in {report.seconds:.1f} s = {report.persons_per_second:,.0f}"
          f" persons/s; peak RSS {rss.peak / 2**20:,.0f} MB; database {db_size(engine, url) / 2**20:,.0f} MB;"
          f" rows {sum(report.rows.values()):,}", flush=True)
    target = os.path.join(out_dir, "export.txt")
    with open(target, "wb") as out, PeakRSS() as rss:
        started = time.perf_counter()
        exp = export_extract(engine, out)
        seconds = time.perf_counter() - started
    print(f"export: {exp.persons:,} persons, {exp.records:,} records in {seconds:.1f} s ="
          f" {exp.persons / seconds:,.0f} persons/s; peak RSS {rss.peak / 2**20:,.0f} MB;"
          f" extract {os.path.getsize(target) / 2**20:,.0f} MB", flush=True)
    os.remove(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--postgres", action="store_true", help="use a throwaway PostgreSQL cluster")
    parser.add_argument("--dir", default=None, help="where the SQLite file and the extract go")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        if args.postgres:
            from opencpr.devdb import TempPostgres

            with TempPostgres(base_dir=args.dir) as pg:
                run(pg.create_database("bench"), args.persons, args.seed, args.workers, tmp)
        else:
            run(f"sqlite:///{tmp}/bench.sqlite", args.persons, args.seed, args.workers, tmp)


if __name__ == "__main__":
    main()
