"""Export speed: write the whole register as a CPR extract; persons/s, peak memory, file size.

    .venv/bin/python bench/bench_export.py --persons 100000 [--postgres | --database-url URL]

With ``--persons`` an empty register is first filled with that many generated persons (not
timed here; bench_generate.py measures that). The extract goes to a temporary file.

``--cluster DIR`` exports the register of a PostgreSQL cluster kept by ``bench_gctp.py``
(``bench/out/pg-gctp-<N>``), started for the run. On PostgreSQL the limit runs beside the
export: ``COPY (SELECT … ORDER BY pnr, id) TO STDOUT`` of every table the export reads, one after
the other on one connection (the rows in the order the extract needs them), and the same in the
tables' stored order; the bytes are counted and dropped.
"""

from __future__ import annotations

import argparse
import datetime
import os
import tempfile
import threading
import time

import psutil

from opencpr.register.db import make_engine
from opencpr.register.exporter import export_extract
from opencpr.register.importer import count_persons
from opencpr.register.migrate import upgrade


class PeakRSS:
    """Samples the resident memory of this process (and its children) every 50 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            rss = me.memory_info().rss + sum(c.memory_info().rss for c in me.children(recursive=True))
            self.peak = max(self.peak, rss)
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def copy_limit(engine, ordered: bool) -> dict:
    """Seconds and bytes for ``COPY (SELECT every column FROM t [ORDER BY pnr, id]) TO STDOUT`` of
    every person table, read by the client and dropped."""
    from opencpr.register.schema import PERSON_TABLES, ROW_ID

    began = time.perf_counter()
    size = rows = 0
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        for table in PERSON_TABLES:
            order = (" ORDER BY pnr" + (f", {ROW_ID}" if ROW_ID in table.c and table.name != "person" else "")
                     if ordered else "")
            with dbapi.cursor() as cur, cur.copy(f'COPY (SELECT * FROM "{table.name}"{order}) TO STDOUT') as copy:
                for block in copy:
                    size += len(block)
                    rows += bytes(block).count(b"\n")
    return {"seconds": round(time.perf_counter() - began, 1), "bytes": size, "rows": rows}


def run(url: str, persons: int | None, seed: int) -> dict:
    engine = make_engine(url)
    upgrade(engine)
    if persons and count_persons(engine) == 0:
        from opencpr.population.load import load_population

        load_population(engine, persons, seed, today=datetime.date(2026, 11, 22))
    n = count_persons(engine)
    with tempfile.NamedTemporaryFile(suffix=".txt") as out, PeakRSS() as rss:
        started = time.perf_counter()
        report = export_extract(engine, out)
        out.flush()
        seconds = time.perf_counter() - started
        size = os.path.getsize(out.name)
    result = {"persons": n, "records": report.records, "seconds": seconds,
              "persons_per_s": n / seconds, "peak_rss_mb": rss.peak / 2**20, "file_mb": size / 2**20}
    print(f"export: {result['persons']:,} persons, {result['records']:,} records in {result['seconds']:.1f} s "
          f"= {result['persons_per_s']:,.0f} persons/s; peak RSS {result['peak_rss_mb']:.0f} MB; "
          f"extract {result['file_mb']:.0f} MB", flush=True)
    if engine.dialect.name == "postgresql":
        for key, label, ordered in (("copy_stored_order", "stored order", False), ("copy_pnr_order", "PNR order", True)):
            c = result[key] = copy_limit(engine, ordered)
            print(f"limit, COPY TO in {label}: {c['rows']:,} rows, {c['bytes'] / 2**20:,.0f} MB in {c['seconds']:.1f} s "
                  f"(export / limit {seconds / c['seconds']:.2f})", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url")
    parser.add_argument("--postgres", action="store_true", help="use a throwaway PostgreSQL cluster")
    parser.add_argument("--cluster", help="a PostgreSQL cluster directory kept by bench_gctp.py")
    args = parser.parse_args()
    if args.cluster:
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_gctp import KeptPostgres

        kept = KeptPostgres(Path(args.cluster).resolve())
        try:
            result = run(kept.start(), None, args.seed)
        finally:
            kept.stop()
    elif args.postgres:
        from opencpr.devdb import TempPostgres

        with TempPostgres() as pg:
            result = run(pg.create_database("bench"), args.persons, args.seed)
    else:
        url = args.database_url
        with tempfile.TemporaryDirectory() as tmp:
            result = run(url or f"sqlite:///{tmp}/bench.sqlite", args.persons, args.seed)
    print(f"{result['persons']:,} persons; date {datetime.datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
