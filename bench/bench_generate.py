"""Benchmark: generate a synthetic population and load it into a register.

    python bench/bench_generate.py --persons 100000                 # temporary SQLite file
    python bench/bench_generate.py --persons 100000 --postgres      # throwaway PostgreSQL
    python bench/bench_generate.py --persons 100000 --database-url postgresql+psycopg://…
    python bench/bench_generate.py --persons 1000000 --postgres --limit [--cluster DIR]

Prints persons per second, elapsed seconds, the peak resident memory of this process and its
worker processes together (sampled every 0.2 s), and the size of the database.

``--limit`` (PostgreSQL) measures the load's limit in the same run: every table the load
filled is written to a file (``COPY … TO STDOUT``, in stored order, which is the load's order),
the database is dropped and made again, and the same rows go back in the way the load puts
them in, with the generation taken out: in one transaction, the secondary indexes dropped,
each file streamed into ``COPY … FROM STDIN``, the indexes and the search structures built
again; then the register is settled. Each step is timed beside the load's own. The files go to
``--files`` (default ``bench/out/copy-<N>``), compressed with ``--zstd`` (8.4 million persons
are 10.5 GiB of COPY text), and are removed afterwards.

The cluster is a throwaway one with the bulk settings of :class:`opencpr.devdb.TempPostgres`
(``fsync``, ``synchronous_commit`` and ``full_page_writes`` off) and an operator's memory and WAL
settings (``bench_gctp.OPERATOR``; ``--pg-defaults`` for PostgreSQL's own);
``--cluster DIR`` keeps it in ``DIR`` instead (as ``bench_gctp.py`` does; the register left there
is the one the limit loaded, the same rows, ready for ``bench_gctp.py --reuse --db DIR``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import psutil
import psycopg
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


@contextlib.contextmanager
def table_file(path: Path, mode: str, zstd: bool) -> Iterator[BinaryIO]:
    """``path`` opened for binary reading (``"r"``) or writing (``"w"``); with ``zstd`` through the
    ``zstd`` program (a pipe), for registers whose files would not fit on the disk beside them."""
    if not zstd:
        with open(path, mode + "b") as f:
            yield f
        return
    cmd = ["zstd", "-q", "-1", "-f", "-o", str(path)] if mode == "w" else ["zstd", "-q", "-d", "-c", str(path)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if mode == "w" else None,
                            stdout=subprocess.PIPE if mode == "r" else None)
    pipe = proc.stdin if mode == "w" else proc.stdout
    try:
        yield pipe  # type: ignore[misc]
    finally:
        pipe.close()  # type: ignore[union-attr]
        if proc.wait() != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode})")


def copy_sql(name: str, direction: str) -> str:
    """``COPY name (the load's columns) TO STDOUT`` or ``FROM STDIN`` (``direction``)."""
    from opencpr.register.bulk import COLUMNS

    cols = ", ".join(f'"{c}"' for c in COLUMNS[name])
    return f'COPY "{name}" ({cols}) {direction}'


def dump_tables(engine, tables: list[str], into: Path, zstd: bool) -> dict[str, Any]:
    """``COPY t (the load's columns) TO STDOUT`` of each table into ``into/t.copy``."""
    began = time.perf_counter()
    size = 0
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        for name in tables:
            with table_file(into / f"{name}.copy", "w", zstd) as out, dbapi.cursor() as cur, \
                    cur.copy(copy_sql(name, "TO STDOUT")) as copy:
                for block in copy:
                    out.write(block)
                    size += len(block)
    return {"seconds": time.perf_counter() - began, "bytes": size,
            "file_bytes": sum(f.stat().st_size for f in into.iterdir())}


def load_files(engine, tables: list[str], files: Path, zstd: bool) -> dict[str, float]:
    """The load's limit: the rows of ``files`` into the empty register as the load writes its own."""
    from opencpr.register import search_index
    from opencpr.register.bulk import (
        create_indexes,
        drop_secondary_indexes,
        raise_maintenance_memory,
        settle,
    )

    t: dict[str, float] = {}
    began = time.perf_counter()
    with engine.begin() as conn:
        raise_maintenance_memory(conn)  # as load_population
        dropped = drop_secondary_indexes(conn)
        dbapi = conn.connection.dbapi_connection
        for name in tables:
            with table_file(files / f"{name}.copy", "r", zstd) as src, dbapi.cursor() as cur, \
                    cur.copy(copy_sql(name, "FROM STDIN")) as copy:
                while block := src.read(1 << 22):
                    copy.write(block)
        t["copy_seconds"] = time.perf_counter() - began
        mark = time.perf_counter()
        create_indexes(conn, dropped)
        t["index_seconds"] = time.perf_counter() - mark
        mark = time.perf_counter()
        search_index.rebuild(conn)
        t["search_seconds"] = time.perf_counter() - mark
    t["settle_seconds"] = settle(engine)
    t["seconds"] = time.perf_counter() - began
    return t


def limit(pg, engine, report, files: Path, zstd: bool) -> dict[str, Any]:
    """Dump the loaded tables, make the database again and load the files: see the docstring."""
    tables = [name for name, rows in report.rows.items() if rows]
    files.mkdir(parents=True, exist_ok=True)
    try:
        dumped = dump_tables(engine, tables, files, zstd)
        print(f"tables written to {files}: {dumped['bytes'] / 2**20:,.0f} MiB ({dumped['file_bytes'] / 2**20:,.0f} MiB "
              f"on disk) in {dumped['seconds']:.1f} s",
              file=sys.stderr, flush=True)
        engine.dispose()
        with psycopg.connect(f"host=127.0.0.1 port={pg.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute('DROP DATABASE "bench"')
            c.execute('CREATE DATABASE "bench"')
        upgrade(engine)
        print("loading the files into the empty register …", file=sys.stderr, flush=True)
        return {"dump": dumped, **load_files(engine, tables, files, zstd)}
    finally:
        shutil.rmtree(files, ignore_errors=True)


def print_limit(report, t: dict[str, Any]) -> None:
    load = {"seconds": report.seconds, "copy_seconds": report.wait_seconds + report.write_seconds,
            "index_seconds": report.index_seconds - report.search_seconds,
            "search_seconds": report.search_seconds, "settle_seconds": report.settle_seconds}
    print(f"\n{'':36}{'load':>10}{'limit':>10}{'ratio':>8}")
    for key, label in (("copy_seconds", "rows in (generated / from files)"),
                       ("index_seconds", "secondary indexes"), ("search_seconds", "search structures"),
                       ("settle_seconds", "settling"), ("seconds", "total")):
        ratio = load[key] / t[key] if t[key] else float("nan")
        print(f"{label:36}{load[key]:>9.1f}s{t[key]:>9.1f}s{ratio:>8.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="register URL (default: a temporary SQLite file)")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--today", default="2025-01-01", help="the register's today (YYYY-MM-DD)")
    parser.add_argument("--limit", action="store_true",
                        help="PostgreSQL: load the same rows again from files, the load's limit")
    parser.add_argument("--files", type=Path, help="where --limit puts the files (default bench/out/copy-<N>)")
    parser.add_argument("--zstd", action="store_true",
                        help="--limit's files compressed by the zstd program (when they would not fit uncompressed)")
    parser.add_argument("--cluster", type=Path, help="keep the PostgreSQL cluster in this directory")
    parser.add_argument("--pg-defaults", dest="tuned", action="store_false",
                        help="PostgreSQL's own shared_buffers, WAL and memory settings (bench_gctp.PG_DEFAULTS), "
                             "not an operator's (bench_gctp.OPERATOR)")
    args = parser.parse_args(argv)
    if args.limit and not (args.postgres or args.cluster):
        parser.error("--limit needs --postgres or --cluster")

    tmp = Path(tempfile.mkdtemp(prefix="opencpr-bench-"))
    pg = None
    sqlite_path = None
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_gctp import OPERATOR, PG_DEFAULTS, KeptPostgres

        if args.cluster:
            kept = KeptPostgres(args.cluster.resolve(), tuned=args.tuned)
            if not kept.fresh:
                raise SystemExit(f"{args.cluster} holds a cluster; remove it first")
            url = kept.start()
            pg = kept.pg
        elif args.postgres:
            from opencpr.devdb import TempPostgres

            pg = TempPostgres(settings=OPERATOR if args.tuned else PG_DEFAULTS).start()
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
        if pg is not None:
            with engine.connect() as conn:
                read_back = {k: conn.execute(text(f"SHOW {k}")).scalar_one()
                         for k in ("fsync", "synchronous_commit", "full_page_writes", *OPERATOR)}
            print(f"settings      {', '.join(f'{k}={v}' for k, v in read_back.items())}")
        if args.limit:
            files = args.files or Path(__file__).resolve().parent / "out" / f"copy-{args.persons}"
            print_limit(report, limit(pg, engine, report, files.resolve(), args.zstd))
        print(f"date          {dt.datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()}")
        engine.dispose()
    finally:
        if args.cluster and pg is not None:
            kept.stop()
        elif pg is not None:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
