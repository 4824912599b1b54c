"""SF6002 extraction: initial loads against the export of the same persons, and a night of changes
for many subscribers.

    .venv/bin/python bench/bench_subscriptions.py [--persons 1000000] [--postgres] [--reuse]
                                                  [--subscribers 1000] [--changes 5000] [--no-initial]
                                                  [--no-night]

1. Builds (or, with ``--reuse``, reuses) the register of N generated persons that ``bench_gctp.py``
   and ``bench_updates.py`` use (``bench/out/gctp-<N>.sqlite`` or the kept cluster
   ``bench/out/pg-gctp-<N>``), and works on a copy of it (a copied file; on PostgreSQL a database
   made from it as a template), so the register stays as it was.
2. PostgreSQL runs with durable settings: ``fsync``, ``synchronous_commit`` and
   ``full_page_writes`` on (set and read back before anything is measured).
3. **Initial loads** (unless ``--no-initial``), each beside the export of the same persons
   (``register/exporter.py``, what ``opencpr export`` runs): the largest municipality (a system with
   that municipality filter; the export of its residents' PNRs) and everyone (a no-filter system;
   the whole-register export, in parallel parts as ``opencpr export`` makes it). Persons/s, MB,
   peak RSS of each, and the ratios.
4. **A night**: ``--subscribers`` systems with a mix of filters — 40 % PNR lists (100 PNRs
   each, drawn from the register), 35 % one or two municipalities, 10 % an age range, 14.5 % change
   codes, 0.5 % no filter — their initial loads taken as delivered on earlier nights (filters
   written directly, marks set to the end of the event log: not timed). Then ``--changes``
   changes through the update services behind the gate (``bench_updates.py``'s day's mix: moves
   80 %, births 7 %, deaths 6 %, marriages 4 %, name changes 3 %; timed apart), and the night's
   extraction for every system: seconds (target ≤ 60 s), files, persons, MB, peak RSS.
5. Writes the figures to ``bench/out/subscriptions-<database>-<N>-<time>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text, true, update

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_gctp  # noqa: E402
import bench_updates  # noqa: E402
from bench_export import PeakRSS  # noqa: E402

OUT = bench_gctp.OUT
#: Change codes the change-code subscribers pick from (CPR's codes and the catalogue's own).
CHANGE_CODES = ("A01", "A21", "A24", "A13", "B23", "A06", "A07")


durable = bench_gctp.durable


def working_copy(url: str, persons: int, postgres: bool, kept) -> str:
    """A copy of the register to work on."""
    if postgres:
        from sqlalchemy import create_engine

        admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS subs"))
            conn.execute(text("CREATE DATABASE subs TEMPLATE bench"))
        admin.dispose()
        return url.rsplit("/", 1)[0] + "/subs"
    source = OUT / f"gctp-{persons}.sqlite"
    target = OUT / f"subs-{persons}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def add_systems(engine, clock, count: int, prefix: str = "") -> list[int]:
    from opencpr.access.subscribers import add_system, set_subscription_setup

    ids = []
    for i in range(count):
        system = add_system(engine, f"{70000000 + len(prefix) * 10000 + i:08d}", f"{prefix}system {i}", clock=clock)
        set_subscription_setup(engine, system.id, user_system_uuid=str(uuid.uuid5(uuid.NAMESPACE_URL,
                                                                                  f"bench:{prefix}{i}")))
        ids.append(system.id)
    return ids


def add_filters(engine, clock, rows: list[dict[str, Any]], *, initial_due: bool) -> None:
    from opencpr.clock import stamp
    from opencpr.register.schema import subscription_filter

    added = stamp(clock.now() - dt.timedelta(minutes=1))
    with engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(insert(subscription_filter), [r | {"initial_due": initial_due, "added_at": added}
                                                       for r in rows[i:i + 5000]])


def mark_all_delivered(engine) -> None:
    """As if every system's initial loads had gone out on earlier nights: marks at the log's end."""
    from opencpr.register.schema import subscription_filter, subscription_system
    from opencpr.services.subscriptions.selection import high_mark

    with engine.begin() as conn:
        high = high_mark(conn)
        conn.execute(update(subscription_system).values(delivered_through=high))
        conn.execute(update(subscription_filter).values(initial_due=False))


def municipalities(engine) -> list[tuple[str, int]]:
    from opencpr.register.schema import address

    with engine.connect() as conn:
        rows = conn.execute(select(address.c.municipality, func.count()).where(address.c.current == true())
                            .group_by(address.c.municipality).order_by(func.count().desc())).all()
    return [(m, int(n)) for m, n in rows if m]


def residents(engine, municipality: str) -> list[str]:
    from opencpr.register.schema import address

    with engine.connect() as conn:
        return sorted(set(conn.execute(select(address.c.pnr).where(address.c.current == true(),
                                                                   address.c.municipality == municipality))
                          .scalars()))


def inbox_bytes(store, system_ids: list[int]) -> int:
    return sum(p.stat().st_size for s in system_ids for p in store.inbox(s).iterdir()
               if not p.name.endswith(".metadata"))


def timed_export(engine, pnrs: list[str] | None) -> dict[str, Any]:
    from opencpr.register.exporter import export_extract

    with tempfile.NamedTemporaryFile(suffix=".txt", dir=OUT) as out, PeakRSS() as rss:
        began = time.perf_counter()
        report = export_extract(engine, out, pnrs=pnrs)
        out.flush()
        seconds = time.perf_counter() - began
        size = os.path.getsize(out.name)
    return {"persons": report.persons, "seconds": round(seconds, 2), "persons_per_s": round(report.persons / seconds),
            "mb": round(size / 2**20, 1), "peak_rss_mb": round(rss.peak / 2**20)}


def timed_night(gate, store, night: dt.date, systems: list[int] | None = None) -> dict[str, Any]:
    from opencpr.delivery.extraction import run_extraction

    with PeakRSS() as rss:
        began = time.perf_counter()
        report = run_extraction(gate, store, night=night, systems=systems, budget_seconds=10 * 3600)
        seconds = time.perf_counter() - began
    persons = sum(d.persons for d in report.delivered)
    size = sum(d.size for d in report.delivered)
    return {"seconds": round(seconds, 2), "files": len(report.delivered), "persons": persons,
            "persons_per_s": round(persons / seconds) if seconds else 0, "mb": round(size / 2**20, 1),
            "peak_rss_mb": round(rss.peak / 2**20), "systems_done": report.systems_done}


def initial_loads(engine, gate, store, clock) -> dict[str, Any]:
    """The largest municipality and everyone, each beside the export of the same persons."""
    from opencpr.services.subscriptions.filters import MUNICIPALITY, NO_FILTER

    largest, _ = municipalities(engine)[0]
    pnrs = residents(engine, largest)
    mun_system, all_system = add_systems(engine, clock, 2, prefix="initial ")
    add_filters(engine, clock, [{"system_id": mun_system, "kind": MUNICIPALITY, "value": largest},
                                {"system_id": all_system, "kind": NO_FILTER, "value": ""}], initial_due=True)
    out: dict[str, Any] = {"municipality": largest}
    print(f"initial load of municipality {largest} ({len(pnrs):,} residents) …", flush=True)
    out["municipality_export"] = timed_export(engine, pnrs)
    night = clock.now().date()
    out["municipality_load"] = timed_night(gate, store, night, [mun_system])
    clock.advance(days=1)
    print("initial load of everyone …", flush=True)
    out["everyone_export"] = timed_export(engine, None)
    out["everyone_load"] = timed_night(gate, store, night + dt.timedelta(days=1), [all_system])
    clock.advance(days=1)
    for kind in ("municipality", "everyone"):
        load, export = out[f"{kind}_load"], out[f"{kind}_export"]
        out[f"{kind}_ratio"] = {"time": round(load["seconds"] / export["seconds"], 2),
                                "mb": round(load["mb"] / export["mb"], 3) if export["mb"] else None}
        print(f"  {kind}: load {load}\n  export {export}\n  ratio {out[f'{kind}_ratio']}", flush=True)
    shutil.rmtree(store.root / "homes", ignore_errors=True)
    from opencpr.register.access_schema import subscriber_system

    with engine.begin() as conn:  # not part of the night that follows
        conn.execute(update(subscriber_system).where(subscriber_system.c.id.in_([mun_system, all_system]))
                     .values(active=False))
    return out


def subscribers(engine, clock, count: int, rng: random.Random) -> dict[str, int]:
    """``count`` systems with a realistic mix of filters, their initial loads taken as delivered."""
    from opencpr.register.schema import person
    from opencpr.services.subscriptions.filters import AGE_RANGE, CHANGE_CODE, MUNICIPALITY, NO_FILTER, PNR

    with engine.connect() as conn:
        everyone = list(conn.execute(select(person.c.pnr).where(person.c.status == "01")).scalars())
    places = [m for m, _ in municipalities(engine)]
    ids = add_systems(engine, clock, count)
    rows: list[dict[str, Any]] = []
    kinds = {"pnr": 0, "municipality": 0, "age_range": 0, "change_code": 0, "no_filter": 0}
    no_filter = max(1, count // 200)
    for n, system in enumerate(ids):
        share = n / count
        if n < no_filter:
            rows.append({"system_id": system, "kind": NO_FILTER, "value": ""})
            kinds["no_filter"] += 1
        elif share < 0.40:
            rows.extend({"system_id": system, "kind": PNR, "value": p} for p in rng.sample(everyone, 100))
            kinds["pnr"] += 1
        elif share < 0.75:
            rows.extend({"system_id": system, "kind": MUNICIPALITY, "value": m}
                        for m in rng.sample(places, rng.choice((1, 1, 2))))
            kinds["municipality"] += 1
        elif share < 0.85:
            low = rng.choice((0, 18, 60, 67))
            rows.append({"system_id": system, "kind": AGE_RANGE, "value": f"{low}-{low + rng.choice((5, 17, 30))}"})
            kinds["age_range"] += 1
        else:
            rows.extend({"system_id": system, "kind": CHANGE_CODE, "value": c}
                        for c in rng.sample(CHANGE_CODES, rng.choice((1, 2, 3))))
            kinds["change_code"] += 1
    add_filters(engine, clock, rows, initial_due=False)
    mark_all_delivered(engine)
    return kinds


def apply_changes(url: str, engine, clock, count: int, seed: int) -> dict[str, Any]:
    """``count`` changes of a day's mix through the update services (in process, behind the gate)."""
    from opencpr.bootstrap import DEMO_USER, user_gate
    from opencpr.services import updates
    from opencpr.services.errors import ServiceError

    rng = random.Random(seed)
    pool = bench_updates.candidates(url, seed, count)
    jobs = bench_updates.mix_jobs(pool, count, rng)
    gate, actor = user_gate(engine, DEMO_USER, clock)
    today = dt.date.today().strftime("%Y%m%d")
    outcomes: dict[str, int] = {}
    began = time.perf_counter()
    for code, pnr, data, *when in jobs:
        date = when[0] if when else today
        try:
            ts = updates.step(gate, actor, code, "initiate", pnr=pnr, event_date=date).info["session"]
            updates.step(gate, actor, code, "validate", pnr=pnr, event_date=date, ts=ts, data=data)
            updates.step(gate, actor, code, "save", pnr=pnr, event_date=date, ts=ts, data=data)
            key = code
        except ServiceError as exc:
            key = f"{code} refused {exc.code}"
        outcomes[key] = outcomes.get(key, 0) + 1
    seconds = time.perf_counter() - began
    gate.close()
    return {"changes": len(jobs), "seconds": round(seconds, 1), "per_second": round(len(jobs) / seconds, 1),
            "outcomes": outcomes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=5000)
    parser.add_argument("--no-initial", action="store_true")
    parser.add_argument("--no-night", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    from opencpr.bootstrap import ensure_defaults, make_gate
    from opencpr.clock import FixedClock
    from opencpr.delivery.store import DeliveryStore
    from opencpr.register.db import make_engine

    kept = None
    if args.postgres:
        kept = bench_gctp.KeptPostgres(OUT / f"pg-gctp-{args.persons}")
        url = kept.start()
    else:
        url = f"sqlite:///{OUT / f'gctp-{args.persons}.sqlite'}"
    store_root = Path(tempfile.mkdtemp(prefix="subs-deliveries-", dir=OUT))
    try:
        info = bench_gctp.build(url, args.persons, 1, args.reuse)
        work = working_copy(url, args.persons, args.postgres, kept)
        engine = make_engine(work)
        results: dict[str, Any] = {"persons": info.get("persons"), "database": "postgresql" if args.postgres
                                   else "sqlite", "date": dt.date.today().isoformat(),
                                   "subscribers": args.subscribers, "changes": args.changes,
                                   "cpu_count": os.cpu_count()}
        if args.postgres:
            results["settings"] = durable(engine)
            print(f"PostgreSQL settings: {results['settings']}", flush=True)
        ensure_defaults(engine)
        clock = FixedClock(dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(23, 0)))
        gate = make_gate(engine, clock)
        store = DeliveryStore(store_root)
        load_before = bench_gctp.machine_cpu()
        if not args.no_initial:
            results["initial"] = initial_loads(engine, gate, store, clock)
        if not args.no_night:
            rng = random.Random(args.seed)
            print(f"{args.subscribers} subscribers …", flush=True)
            results["filters"] = subscribers(engine, clock, args.subscribers, rng)
            print(f"{args.changes} changes through the update services …", flush=True)
            change_clock = FixedClock(clock.now() - dt.timedelta(hours=10))
            results["apply"] = apply_changes(work, engine, change_clock, args.changes, args.seed)
            print(f"  {results['apply']}", flush=True)
            clock.advance(days=1)
            print("the night …", flush=True)
            results["night"] = timed_night(gate, store, clock.now().date())
            print(f"  {results['night']}", flush=True)
        results["machine_cpu"] = [load_before, bench_gctp.machine_cpu()]
        gate.close()
        if args.postgres:
            durable(engine, on=False)
        engine.dispose()
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = OUT / f"subscriptions-{results['database']}-{args.persons}-{stamp}.json"
        path.write_text(json.dumps(results, indent=2), encoding="utf-8")
        print(f"figures in {path}")
    finally:
        shutil.rmtree(store_root, ignore_errors=True)
        if kept is not None:
            kept.stop()


if __name__ == "__main__":
    main()
