"""Update services over GCTP, end to end: complete updates (initiate + validate + save) per second.

    .venv/bin/python bench/bench_updates.py [--persons 1000000] [--postgres] [--reuse] [--updates 2000]
                                            [--mix 5000] [--clients 4] [--workers 1] [--rounds 3]
                                            [--sqlite-synchronous full]

1. Builds (or, with ``--reuse``, reuses) a register of N generated persons with the demo user, as
   ``bench_gctp.py`` does (``bench/out/gctp-<N>.sqlite`` or the kept PostgreSQL cluster).
2. Keeps the register's files in memory for the run (mapped and locked: this machine pages out
   memory untouched for a minute), starts the server (plain HTTP, ``--workers`` processes) and
   signs on once per client.
3. **The limit** (PostgreSQL): as many moves of other residents by the same number of clients,
   sent straight to PostgreSQL by :mod:`bare_moves`: the server's statements, one round trip per step.
4. **Moves**: ``--updates`` complete moves of distinct random residents to random addresses in their
   municipality, by ``--clients`` client threads, each update three GCTP requests (``initier``,
   ``valider``, ``gem``) — updates per second and the latency of a complete update (p50/p95/p99).
   The limit and the moves run in turns, ``--rounds`` times each on a share of the residents: the
   machine's speed drifts by a tenth or more between runs minutes apart, so each round gives its
   own ratio, and the median of them is the figure. Before the first round ``--warmup`` moves
   of other residents go each way, untimed.
   Each phase also gives the CPU the server's processes and the database's took per update.
5. **A day's mix**: ``--mix`` changes in the proportions CPR sees (moves 80 %, births 7 %, deaths 6 %,
   marriages 4 %, name changes 3 %), on distinct persons, in random order — the time for the whole
   mix and the rate.
6. Prints a table and writes the figures to ``bench/out/updates-<database>-<N>-<time>.json``.

SQLite commits with ``synchronous=NORMAL`` as the server does by default; ``--sqlite-synchronous
full`` makes every commit wait for the disk, as PostgreSQL's durable settings do.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import http.client
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import and_, select, true

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare_moves  # noqa: E402
import bench_gctp  # noqa: E402  (the register build and the server launcher are shared)
from opencpr.bootstrap import DEMO_PASSWORD, DEMO_USER  # noqa: E402

OUT = bench_gctp.OUT
AUTHORITY = "0851"
#: A day's changes: moves most often, then births, deaths, marriages, name changes (per cent). Denmark has
#: about 2,500 moves, 170 births, 160 deaths, 80 marriages (40 couples) and 100 name changes a day.
MIX = (("A01", 80), ("B23", 7), ("A21", 6), ("B29", 4), ("A13", 3))
LAST_NAMES = ("Bjergskov", "Lundgaard", "Holmsted", "Kragelund", "Vestergaard", "Skovbo", "Engholm", "Dalsgård")
_TS = re.compile(rb'CprServiceHeader r="[A-Z0-9]+" a="[a-z]+" ts="(\d{20})"')


def update_body(code: str, action: str, pnr: str | None, date: str, data: dict[str, str] | None = None,
                ts: str | None = None) -> bytes:
    keys = (f'<Field r="PNR" v="{pnr}"/>' if pnr else "") + f'<Field r="HDTO" v="{date}"/>'
    header = f'a="{action}" mk="{AUTHORITY}" st="P"' + (f' ts="{ts}"' if ts else "")
    fields = "".join(f'<Field r="{k}" v="{v}"/>' for k, v in (data or {}).items())
    body = f'<CprData><Rolle r="HovedRolle">{fields}</Rolle></CprData>' if data else ""
    text = (f'<Gctp v="1.0"><System r="CprAjour"><Service r="{code}"><CprServiceHeader r="{code}" {header}>'
            f'<Key>{keys}</Key></CprServiceHeader>{body}</Service></System></Gctp>')
    return text.encode("iso-8859-1")


class Client:
    """One keep-alive connection, signed on as the demo user."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        signon = (f'<root xmlns="http://www.cpr.dk"><Gctp v="1.0"><Sik function="signon" userid="{DEMO_USER}" '
                  f'password="{DEMO_PASSWORD}"/></Gctp></root>').encode("iso-8859-1")
        status, headers, _ = self.post(signon)
        self.cookie = headers["set-cookie"].split(";")[0]

    def post(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "text/xml"}
        if getattr(self, "cookie", None):
            headers["Cookie"] = self.cookie
        self.conn.request("POST", bench_gctp.GCTP_PATH, body, headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def close(self) -> None:
        self.conn.close()

    def update(self, code: str, pnr: str | None, date: str, data: dict[str, str]) -> str:
        """A complete update; returns "ok" or the refusing step's Kvit code."""
        _, _, answer = self.post(update_body(code, "initier", pnr, date))
        found = _TS.search(answer)
        if not found:
            return "initier:" + _kvit(answer)
        ts = found.group(1).decode()
        for action in ("valider", "gem"):
            _, _, answer = self.post(update_body(code, action, pnr, date, data, ts))
            if b'<Kvit r="Ok"' not in answer:
                return f"{action}:{_kvit(answer)}"
        return "ok"


def _kvit(answer: bytes) -> str:
    found = re.search(rb'<Kvit r="[^"]*" t="([^"]*)" v="(\d+)"', answer)
    return found.group(2).decode() if found else "?"


def candidates(url: str, seed: int, wanted: int) -> dict[str, list[Any]]:
    """Distinct residents for the updates: movers, mothers, the dying, couples, renamed."""
    from opencpr.register.db import make_engine
    from opencpr.register.schema import address, civil_status, person

    engine = make_engine(url)
    today = dt.date.today()
    with engine.connect() as conn:
        rows = conn.execute(
            select(person.c.pnr, person.c.sex, person.c.birth_date, address.c.municipality,
                   civil_status.c.civil_status)
            .select_from(person.join(address, and_(address.c.pnr == person.c.pnr, address.c.current == true()))
                         .outerjoin(civil_status, and_(civil_status.c.pnr == person.c.pnr,
                                                       civil_status.c.current == true())))
            .where(person.c.status == "01")).all()
    engine.dispose()
    rng = random.Random(seed)
    rng.shuffle(rows)
    rows = rows[:wanted * 3]
    adult = [r for r in rows if r.birth_date and r.birth_date <= f"{today.year - 20}-01-01"]
    mothers = [r for r in adult if r.sex == "K" and r.birth_date >= f"{today.year - 42}-01-01"]
    singles = [r for r in adult if r.civil_status in ("U", "F", "E")]
    return {"all": rows, "mothers": mothers, "singles": singles}


def address_in(municipality: str, rng: random.Random) -> dict[str, str]:
    from opencpr.domain import reference

    roads = [r for r in reference.roads(municipality) if r.max_odd or r.max_even]
    road = rng.choice(roads)
    numbers = road.house_numbers()
    return {"KOMKOD": municipality, "VEJKOD": road.code, "HUSNR": str(rng.choice(numbers))}


def run_jobs(port: int, jobs: list[tuple], clients: int) -> dict[str, Any]:
    today = dt.date.today().strftime("%Y%m%d")

    def do(client: Client, job: tuple) -> str:
        code, pnr, data, *when = job
        result = client.update(code, pnr, when[0] if when else today, data)
        return code if result == "ok" else f"{code} refused {result}"

    results = bench_gctp.run_clients(jobs, clients, lambda: Client(port), do)
    results["updates"] = results.pop("count")
    results.pop("_results")
    results["completed"] = sum(n for k, n in results["outcomes"].items() if "refused" not in k)
    return results


def metered(meter: Any, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``run()``'s figures with the CPU the server and the database took per update meanwhile."""
    used: dict[str, Any] = {}
    with meter.phase(used):
        result = run()
    per_update = result["seconds"] / result["updates"] * 1000 / 100  # percent of a core -> ms per update
    result["server_cpu_ms"] = used["server_cpu_percent"] * per_update
    if "database_cpu_percent" in used:
        result["database_cpu_ms"] = used["database_cpu_percent"] * per_update
    return result | {"machine_busy_percent": used["machine_busy_percent"]}


def combined(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The rounds of one phase together: their updates over their time; the latencies and CPU
    per update weighted by each round's updates."""
    updates = sum(r["updates"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    outcomes: dict[str, int] = {}
    for r in runs:
        for k, v in r["outcomes"].items():
            outcomes[k] = outcomes.get(k, 0) + v
    out: dict[str, Any] = {"updates": updates, "seconds": round(seconds, 2),
                           "per_second": round(updates / seconds, 1), "outcomes": outcomes}
    for key in ("p50_ms", "p95_ms", "p99_ms", "server_cpu_ms", "database_cpu_ms"):
        if key in runs[0]:
            out[key] = round(sum(r[key] * r["updates"] for r in runs) / updates, 2)
    return out


def move_jobs(pool: dict[str, list[Any]], n: int, rng: random.Random) -> list[tuple[str, str | None, dict]]:
    people = pool["all"][:n]
    return [("A01", r.pnr, address_in(r.municipality, rng)) for r in people]


def mix_jobs(pool: dict[str, list[Any]], n: int, rng: random.Random) -> list[tuple[str, str | None, dict]]:
    used: set[str] = set()

    def take(kind: str) -> Any:
        for r in pool[kind]:
            if r.pnr not in used:
                used.add(r.pnr)
                return r
        raise SystemExit(f"not enough {kind} in the register for the mix")

    jobs: list[tuple[str, str | None, dict]] = []
    for code, share in MIX:
        for _ in range(round(n * share / 100)):
            if code == "A01":
                r = take("all")
                jobs.append((code, r.pnr, address_in(r.municipality, rng)))
            elif code == "B23":  # births of the last 30 days (a day has only a few hundred CPR numbers per sex)
                mother = take("mothers")
                born = dt.date.today() - dt.timedelta(days=len(jobs) % 30)
                jobs.append((code, None, {"KOEN": rng.choice("MK"), "MORPNR": mother.pnr}, born.strftime("%Y%m%d")))
            elif code == "A21":
                jobs.append((code, take("all").pnr, {}))
            elif code == "B29":
                a, b = take("singles"), take("singles")
                jobs.append((code, a.pnr, {"AEGTEPNR": b.pnr}))
            elif code == "A13":
                r = take("all")
                jobs.append((code, r.pnr, {"FORNVN": "Kim", "EFTERNVN": rng.choice(LAST_NAMES)}))
    rng.shuffle(jobs)
    return jobs


@contextlib.contextmanager
def in_memory(paths: list[Path]) -> Iterator[dict[str, Any]]:
    """Keep the register's files in memory for the run: each file is mapped and locked (``mlock``).

    This machine pages out memory nobody has touched for a minute, the page cache included, so a
    run over random persons would otherwise read much of the register from disk again; a server
    with memory for its register keeps it. What could not be locked is reported, not hidden."""
    import ctypes
    import mmap

    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long)
    libc.mlock.argtypes = libc.munmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
    mapped: list[tuple[int, int]] = []
    info: dict[str, Any] = {"locked_bytes": 0, "not_locked": []}
    began = time.perf_counter()
    for root in paths:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                size = os.fstat(fd).st_size
                if not size:
                    continue
                address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
                if address in (None, ctypes.c_void_p(-1).value):
                    info["not_locked"].append(f"{path}: mmap errno {ctypes.get_errno()}")
                    continue
                if libc.mlock(address, size) == 0:
                    info["locked_bytes"] += size
                else:
                    info["not_locked"].append(f"{path}: mlock errno {ctypes.get_errno()}")
                mapped.append((address, size))
            finally:
                os.close(fd)
    info["lock_seconds"] = round(time.perf_counter() - began, 1)
    try:
        yield info
    finally:
        for address, size in mapped:
            libc.munmap(address, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--mix", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3, help="the moves and their limit in turns, this many times")
    parser.add_argument("--warmup", type=int, default=200, help="moves of other residents first, untimed, each way")
    parser.add_argument("--sqlite-synchronous", choices=("normal", "full"), default="normal")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    kept = None
    if args.postgres:
        kept = bench_gctp.KeptPostgres(OUT / f"pg-gctp-{args.persons}")
        url = kept.start()
    else:
        url = f"sqlite:///{OUT / f'gctp-{args.persons}.sqlite'}"
    try:
        info = bench_gctp.build(url, args.persons, 1, args.reuse)
        if not args.postgres and args.sqlite_synchronous == "full":
            url += "?synchronous=full"  # the server's engines wait for the disk at every commit
        if args.postgres:  # every save waits for its commit: PostgreSQL serves with its durable settings
            from opencpr.register.db import make_engine

            engine = make_engine(url)
            settings = bench_gctp.durable(engine)
            engine.dispose()
        else:
            settings = {"journal_mode": "wal", "synchronous": args.sqlite_synchronous}
        print(f"database settings: {settings}", flush=True)
        rng = random.Random(args.seed)
        pool = candidates(url, args.seed, 2 * (args.updates + args.warmup) + args.mix)
        results: dict[str, Any] = {"persons": info.get("persons"), "database": "postgresql" if args.postgres
                                   else "sqlite", "clients": args.clients, "workers": args.workers,
                                   "date": dt.date.today().isoformat(), "settings": settings}
        moves = move_jobs(pool, args.updates + args.warmup, rng)
        pool["all"] = pool["all"][len(moves):]
        bare = move_jobs(pool, args.updates + args.warmup, rng) if args.postgres else []
        pool["all"] = pool["all"][len(bare):]
        warm_moves, moves = moves[:args.warmup], moves[args.warmup:]
        warm_bare, bare = bare[:args.warmup], bare[args.warmup:]
        mix = mix_jobs(pool, args.mix, rng)
        files = [OUT / f"pg-gctp-{args.persons}"] if args.postgres else [OUT / f"gctp-{args.persons}.sqlite"]
        with in_memory(files) as memory, bench_gctp.server(url, "sync", args.workers) as (port, pid):
            results["in_memory"] = memory
            load_before = bench_gctp.machine_cpu()
            # each phase also gives the CPU the server's processes and the database's took per update
            meter = bench_gctp.Meter(pid, kept.postmaster_pid() if kept is not None else None)
            if warm_bare:  # untimed: the connections opened, the statements prepared, the pages read
                bare_moves.run(url, warm_bare, args.clients, AUTHORITY)
            if warm_moves:
                run_jobs(port, warm_moves, args.clients)
            rounds = []
            for n in range(args.rounds):
                done: dict[str, Any] = {}
                if bare:  # the limit: the same statements with one round trip per step, no server
                    done["bare_moves"] = metered(meter, functools.partial(
                        bare_moves.run, url, bare[n::args.rounds], args.clients, AUTHORITY))
                done["moves"] = metered(meter, functools.partial(run_jobs, port, moves[n::args.rounds], args.clients))
                if bare:
                    done["ratio"] = round(done["moves"]["per_second"] / done["bare_moves"]["per_second"], 3)
                rounds.append(done)
            results["rounds"] = rounds
            for label in ("bare_moves", "moves"):
                if label in rounds[0]:
                    results[label] = combined([r[label] for r in rounds])
            if bare:
                results["ratio_median"] = statistics.median(r["ratio"] for r in rounds)
            results["mix"] = metered(meter, functools.partial(run_jobs, port, mix, args.clients))
            results["machine_cpu"] = [load_before, bench_gctp.machine_cpu()]
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = OUT / f"updates-{results['database']}-{args.persons}-{stamp}.json"
        path.write_text(json.dumps(results, indent=2), encoding="utf-8")
        for n, done in enumerate(results["rounds"], 1):
            print(f"round {n}: " + ", ".join(f"{label} {done[label]['per_second']:.1f}/s"
                                              for label in ("bare_moves", "moves") if label in done)
                  + (f", ratio {done['ratio']:.2f}" if "ratio" in done else ""))
        for label in ("bare_moves", "moves", "mix"):
            if label not in results:
                continue
            r = results[label]
            print(f"{label:10} {r['updates']:6,} updates in {r['seconds']:7.1f} s = {r['per_second']:7.1f}/s   "
                  f"p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms")
            print(f"       {r['outcomes']}")
            cpu_ms = [f"{r[k]:.2f} ms {k.split('_')[0]}" for k in ("server_cpu_ms", "database_cpu_ms") if k in r]
            print(f"       CPU per update: {', '.join(cpu_ms)}")
        if "ratio_median" in results:
            print(f"moves / bare moves: median of the rounds {results['ratio_median']:.2f}")
        print(f"figures in {path}")
    finally:
        if kept is not None:
            kept.stop()


if __name__ == "__main__":
    main()
