"""The search services over GCTP, end to end: a real server process, a load generator in another.

    .venv/bin/python bench/bench_gctp.py [--persons 1000000] [--postgres] [--reuse] [--audit deferred,sync]

1. Builds a register of N generated persons (seed 1) with the demo user (DEMO, group cpr-office)
   on SQLite (a file, ``bench/out/gctp-<N>.sqlite``) or, with ``--postgres``, on a throwaway
   PostgreSQL cluster (``bench/out/pg-gctp-<N>``; loaded with fsync, synchronous_commit and
   full_page_writes off, served with them on; an operator's shared_buffers, WAL and memory
   settings, :data:`OPERATOR`, unless ``--pg-defaults``). ``--reuse`` keeps a register built
   by an earlier run at that path (generating 1M persons takes minutes).
2. Starts the server (``gctp_helper.py serve``: ``create_app`` with the benchmark's own ``/_bare`` route on plain HTTP,
   one process) for each audit mode asked for.
3. Runs the load generator (``gctp_helper.py load``, another process; and ``wrk`` if installed)
   against it on 127.0.0.1, with PNRs sampled at random from the register:
   Stam+ over GCTP at maximum throughput (closed loop, keep-alive connections, one signon per
   connection) and at steady rates (open loop: latency counted from when a request was due);
   then the same for ``GET /_bare/person/{pnr}`` (one primary-key query, no protocol, no gate).
4. Name search NVNSOG2, address search ADRSOG1 and birth date search FOEDSOG (keys taken from the
   register: a common name prefix, a rare full name, filters; the most populated road by code and
   by name; the most common birth day, alone and with sex and a name), one request at a time, p50/p95 — skipped with a message while those services are not in the catalogue.
5. Prints a table and writes the figures, the machine's load and the CPU each process used to
   ``bench/out/gctp-<database>-<N>-<time>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
HELPER = HERE / "gctp_helper.py"
GCTP_PATH = "/cpr-online-gctp/gctp"
XML_DECL = '<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>'
OK_MARKER = '<Kvit r="Ok"'
TICKS = os.sysconf("SC_CLK_TCK")


# --- GCTP documents --------------------------------------------------------------------------------

def signon_body(user: str, password: str) -> str:
    return (f'{XML_DECL}<root xmlns="http://www.cpr.dk"><Gctp v="1.0"><Sik function="signon" '
            f'userid="{user}" password="{password}"/></Gctp></root>')


def service_body(service: str, keys: dict[str, str]) -> str:
    fields = "".join(f'<Field r="{k}" v="{v}"/>' for k, v in keys.items())
    return (f'{XML_DECL}<root xmlns="http://www.cpr.dk"><Gctp v="1.0"><System r="CprSoeg">'
            f'<Service r="{service}"><CprServiceHeader r="{service}"><Key>{fields}</Key></CprServiceHeader>'
            f'</Service></System></Gctp></root>')


def gctp_prefix(port: int) -> str:
    return f"POST {GCTP_PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: text/xml\r\n"


def gctp_tail(body: str) -> str:
    return f"Content-Length: {len(body.encode('latin-1'))}\r\n\r\n{body}"


HOST = "127.0.0.1"


# --- the register ----------------------------------------------------------------------------------

#: What an operator sets on a database host of this machine's size (24 GiB of memory, SSD), and
#: what the benchmarks' kept clusters run with: a quarter of the memory as shared buffers, the
#: planner told of the page cache, checkpoints far enough apart that the WAL of a busy hour is not
#: mostly full-page images, and the bulk load's memory for index builds (more is slower: the
#: (PNR, id) index of 31.8 million events builds in 16.8 s with 512MB and 21.2 s with 2GB).
OPERATOR = {"shared_buffers": "6GB", "effective_cache_size": "16GB", "maintenance_work_mem": "512MB",
            "max_wal_size": "8GB", "checkpoint_timeout": "15min"}
#: PostgreSQL 15's own values of the same settings (``--pg-defaults``).
PG_DEFAULTS = {"shared_buffers": "128MB", "effective_cache_size": "4GB", "maintenance_work_mem": "64MB",
               "max_wal_size": "1GB", "checkpoint_timeout": "5min"}


class KeptPostgres:
    """A PostgreSQL cluster in a fixed directory that survives the run (for ``--reuse``), started
    with the :data:`OPERATOR` settings (or, with ``tuned=False``, PostgreSQL's defaults)."""

    def __init__(self, root: Path, tuned: bool = True) -> None:
        from opencpr.devdb import TempPostgres

        self.settings = dict(OPERATOR if tuned else PG_DEFAULTS)
        self.pg = TempPostgres.__new__(TempPostgres)
        TempPostgres.__init__(self.pg, base_dir=str(root.parent), settings=self.settings)
        shutil.rmtree(self.pg.root, ignore_errors=True)  # the fixed directory, not a temporary one
        self.pg.root, self.pg.datadir = root, root / "data"
        self.fresh = not (root / "data" / "PG_VERSION").exists()

    def start(self) -> str:
        pg = self.pg
        if self.fresh:
            shutil.rmtree(pg.root, ignore_errors=True)
            pg.root.mkdir(parents=True)
            pg.start()
            return pg.create_database("bench")
        if pg._as_postgres:
            shutil.chown(pg.root, "postgres", "postgres")
        with open(pg.datadir / "postgresql.conf", "a") as conf:  # the last setting wins
            conf.write(f"port = {pg.port}\nunix_socket_directories = '{pg.root}'\n")
            conf.write("".join(f"{k} = '{v}'\n" for k, v in self.settings.items()))
        (pg.datadir / "postmaster.pid").unlink(missing_ok=True)
        pg._run(str(pg.bindir / "pg_ctl"), "-D", str(pg.datadir), "-l", str(pg.root / "log"), "-w", "-t", "60",
                "start")
        return f"postgresql+psycopg://postgres@127.0.0.1:{pg.port}/bench"

    def postmaster_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.pg.datadir / "postmaster.pid").read_text().split()[0])
        return None

    def stop(self) -> None:
        self.pg._run(str(self.pg.bindir / "pg_ctl"), "-D", str(self.pg.datadir), "-m", "fast", "stop", check=False)


DURABLE = ("fsync", "synchronous_commit", "full_page_writes")


def durable(engine: Engine, on: bool = True) -> dict[str, str]:
    """PostgreSQL: fsync, synchronous_commit and full_page_writes on (or back to the cluster's own
    settings, for a bulk load); these and the :data:`OPERATOR` settings as read back."""
    with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        for name in DURABLE:
            conn.execute(text(f"ALTER SYSTEM SET {name} = on" if on else f"ALTER SYSTEM RESET {name}"))
        conn.execute(text("SELECT pg_reload_conf()"))
    time.sleep(1)
    engine.dispose()
    with engine.connect() as conn:
        return {n: conn.execute(text(f"SHOW {n}")).scalar_one() for n in (*DURABLE, *OPERATOR)}


def person_count(engine: Engine) -> int:
    from opencpr.register.schema import person

    with contextlib.suppress(Exception), engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(person)).scalar_one()
    return 0


def build(url: str, persons: int, seed: int, reuse: bool) -> dict[str, Any]:
    """The register at ``url``: generated unless ``reuse`` and it holds persons; the demo user in any case."""
    from opencpr.bootstrap import ensure_demo_user
    from opencpr.population.load import load_population
    from opencpr.register.migrate import open_register

    engine = open_register(url)
    have = person_count(engine)
    info: dict[str, Any] = {"reused": False}
    if reuse and have:
        info |= {"reused": True, "persons": have}
        print(f"reusing the register: {have:,} persons", flush=True)
    else:
        if have:
            raise SystemExit(f"{url} already holds {have:,} persons; pass --reuse or remove it")
        print(f"generating {persons:,} persons (seed {seed}) …", flush=True)
        report = load_population(engine, persons, seed, today=dt.date.today())
        info |= {"persons": persons, "generate_seconds": report.seconds, "index_seconds": report.index_seconds,
                 "search_seconds": report.search_seconds, "settle_seconds": report.settle_seconds,
                 "wait_seconds": report.wait_seconds, "write_seconds": report.write_seconds}
        print(f"  {report.seconds:.1f} s ({report.persons_per_second:,.0f} persons/s; waiting for shards "
              f"{report.wait_seconds:.1f} s, writing them {report.write_seconds:.1f} s, indexes and search "
              f"structures {report.index_seconds:.1f} s of which search structures {report.search_seconds:.1f} s, "
              f"settling {report.settle_seconds:.1f} s)", flush=True)
    ensure_demo_user(engine)
    engine.dispose()
    return info


def sample_pnrs(engine: Engine, k: int, seed: int) -> list[str]:
    """``k`` PNRs drawn at random from the whole register (existing persons, any status)."""
    from opencpr.register.schema import person

    with engine.connect() as conn:
        pnrs = list(conn.execute(select(person.c.pnr)).scalars())
    rng = random.Random(seed)
    return rng.sample(pnrs, min(k, len(pnrs)))


def search_cases(engine: Engine) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """NVNSOG2, ADRSOG1 and FOEDSOG keys taken from the register (label, keys)."""
    from opencpr.domain import reference
    from opencpr.register.schema import address, name, person

    with engine.connect() as conn:
        town = conn.execute(
            select(address.c.municipality, func.count().label("n")).where(address.c.current)
            .group_by(address.c.municipality).order_by(text("n DESC")).limit(1)).first()
        road = conn.execute(
            select(address.c.municipality, address.c.road, func.count().label("n")).where(address.c.current)
            .group_by(address.c.municipality, address.c.road).order_by(text("n DESC")).limit(1)).first()
        rare = conn.execute(
            select(name.c.first_name, name.c.last_name, func.min(person.c.sex).label("sex"))
            .join(person, person.c.pnr == name.c.pnr).where(name.c.current, person.c.status == "01")
            .group_by(name.c.first_name, name.c.last_name).having(func.count() == 1)
            .order_by(name.c.last_name, name.c.first_name).limit(1).offset(100)).first()
        born = conn.execute(
            select(person.c.birth_date, func.count().label("n")).where(person.c.status == "01")
            .group_by(person.c.birth_date).order_by(text("n DESC")).limit(1)).first()
    kom = town.municipality if town else "0101"
    cases: dict[str, list[tuple[str, dict[str, str]]]] = {"NVNSOG2": [], "ADRSOG1": [], "FOEDSOG": []}
    cases["NVNSOG2"].append(('prefix "Hans", KON=M', {"NVN": "Hans", "KON": "M", "MAXA": "100"}))
    cases["NVNSOG2"].append((f'prefix "Jens", KON=M, ALDF=30, ALDT=50, KOMK={kom}',
                             {"NVN": "Jens", "KON": "M", "ALDF": "30", "ALDT": "50", "KOMK": kom, "MAXA": "100"}))
    if rare:
        full = f"{rare.first_name} {rare.last_name}"
        cases["NVNSOG2"].append((f'rare full name "{full}"', {"NVN": full, "KON": rare.sex or "M", "MAXA": "100"}))
    if road:
        cases["ADRSOG1"].append((f"KOMK={road.municipality} VEJK={road.road} ({road.n:,} residents)",
                                 {"KOMK": road.municipality, "VEJK": road.road, "MAXA": "100"}))
        info = reference.road(road.municipality, road.road)
        if info:
            cases["ADRSOG1"].append((f'VNVN="{info.name}" POST={info.postal_code}',
                                     {"VNVN": info.name, "POST": info.postal_code, "MAXA": "100"}))
    if born and born.birth_date:
        day = born.birth_date.replace("-", "")
        cases["FOEDSOG"].append((f"FODT={day} ({born.n:,} born that day)", {"FODT": day, "MAXA": "100"}))
        cases["FOEDSOG"].append((f"FODT={day} KON=K NVN=Anne", {"FODT": day, "KON": "K", "NVN": "Anne", "MAXA": "100"}))
    return cases


# --- processes and CPU -----------------------------------------------------------------------------

def proc_cpu(pid: int, ended: bool = False) -> float:
    """CPU seconds (user + system, all threads) used so far by process ``pid`` (and, with ``ended``,
    by its children that have ended)."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15 if ended else 13]) / TICKS
    return 0.0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICKS, sum(values[:8]) / TICKS


class Meter:
    """CPU used by the server (and the database server's processes) and by the whole machine, per phase."""

    def __init__(self, server_pid: int, db_pid: int | None) -> None:
        self.server_pid, self.db_pid = server_pid, db_pid

    def _server(self) -> float:
        return proc_cpu(self.server_pid) + sum(proc_cpu(p) for p in children_of(self.server_pid))

    def _db(self) -> float:
        if self.db_pid is None:
            return 0.0
        # backends that ended meanwhile count in the postmaster's children's times
        return proc_cpu(self.db_pid, ended=True) + sum(proc_cpu(p) for p in children_of(self.db_pid))

    @contextlib.contextmanager
    def phase(self, into: dict[str, Any]) -> Iterator[None]:
        s0, d0, (b0, t0), w0 = self._server(), self._db(), machine_cpu(), time.perf_counter()
        yield
        s1, d1, (b1, t1), w1 = self._server(), self._db(), machine_cpu(), time.perf_counter()
        wall = w1 - w0
        into["server_cpu_percent"] = 100 * (s1 - s0) / wall
        if self.db_pid is not None:
            into["database_cpu_percent"] = 100 * (d1 - d0) / wall
        into["machine_busy_percent"] = 100 * (b1 - b0) / max(t1 - t0, 1e-9) * (os.cpu_count() or 1)
        into["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]


@contextlib.contextmanager
def server(url: str, audit_mode: str, workers: int) -> Iterator[tuple[int, int]]:
    from opencpr.devdb import _free_port

    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(HELPER), "serve", "--database-url", url, "--port", str(port),
                             "--audit-mode", audit_mode, "--workers", str(workers)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("READY"):
            raise SystemExit(f"the server did not start: {line!r}")
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_load(cfg: dict[str, Any]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, dir=OUT) as f:
        json.dump(cfg, f)
    try:
        timeout = float(cfg["duration"]) + float(cfg.get("drain", 10)) + 120
        done = subprocess.run([sys.executable, str(HELPER), "load", f.name], capture_output=True, text=True,
                              timeout=timeout)
    finally:
        os.unlink(f.name)
    if done.returncode != 0:
        raise SystemExit(f"load generator failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


WRK_LUA = r"""
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end
function init(args)
  local token = args[1]
  local kind = args[2]
  errors = 0
  reqs = {}
  for line in io.lines(args[3]) do
    if kind == "gctp" then
      local headers = {["Content-Type"] = "text/xml", ["Cookie"] = "Token=" .. token}
      table.insert(reqs, wrk.format("POST", "/cpr-online-gctp/gctp", headers, line))
    else
      table.insert(reqs, wrk.format("GET", "/_bare/person/" .. line))
    end
  end
  marker = (kind == "gctp") and '<Kvit r="Ok"' or nil
  i = (tid - 1) * 7919
end
function request()
  i = i + 1
  return reqs[(i % #reqs) + 1]
end
function response(status, headers, body)
  if status ~= 200 or (marker and not string.find(body, marker, 1, true)) then errors = errors + 1 end
end
function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do errs = errs + t:get("errors") end
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "errors": %d, "socket_errors": %d, ' ..
    '"p50": %.3f, "p90": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f}\n', summary.requests,
    summary.duration, errs, e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


def run_wrk(port: int, kind: str, lines: list[str], token: str, connections: int, seconds: int) -> dict[str, Any]:
    """``wrk`` (one thread) at maximum throughput; its CPU is measured as a child's."""
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        script, data = Path(tmp) / "gctp.lua", Path(tmp) / "requests.txt"
        script.write_text(WRK_LUA)
        data.write_text("\n".join(lines) + "\n", encoding="latin-1")
        before = os.times()
        done = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s",
                               str(script), f"http://{HOST}:{port}", "--", token, kind, str(data)],
                              capture_output=True, text=True, timeout=seconds + 60)
        after = os.times()
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    result = json.loads(line[8:])
    secs = result["duration_us"] / 1e6
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    ok = result["requests"] - result["errors"]
    return {"mode": "closed (wrk)", "connections": connections, "completed": ok, "errors": result["errors"],
            "socket_errors": result["socket_errors"], "seconds": secs, "per_second": ok / secs,
            "generator_cpu_seconds": cpu, "generator_cpu_percent": 100 * cpu / secs,
            **{k: result[k] for k in ("p50", "p90", "p95", "p99", "max")}}


def signon_token(port: int, user: str, password: str) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("POST", GCTP_PATH, signon_body(user, password).encode("latin-1"), {"Content-Type": "text/xml"})
        response = conn.getresponse()
        response.read()
        cookie = response.getheader("set-cookie") or ""
    finally:
        conn.close()
    if not cookie.startswith("Token="):
        raise SystemExit(f"signon as {user} failed (no Token cookie)")
    return cookie.split("=", 1)[1].split(";", 1)[0]


def probe(port: int, token: str, service: str, keys: dict[str, str]) -> dict[str, Any]:
    """One call, read with the project's GCTP reader: the Kvit and the number of rows."""
    from opencpr.formats.gctp import read_answer

    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("POST", GCTP_PATH, service_body(service, keys).encode("latin-1"),
                     {"Content-Type": "text/xml", "Cookie": f"Token={token}"})
        answer = read_answer(conn.getresponse().read())
    finally:
        conn.close()
    return {"kvit": answer["kvit"], "rows": len(answer.get("rows") or [])}


# --- the run ---------------------------------------------------------------------------------------

def run_clients(jobs: list[Any], clients: int, make_client: Callable[[], Any],
                do: Callable[[Any, Any], str], kind: Callable[[str], str] = str) -> dict[str, Any]:
    """``jobs`` done by ``clients`` threads, each with a client of its own made before the clock
    starts (a sign-on hashes a password); ``do(client, job)`` returns the job's outcome. Jobs,
    seconds, rate, latency percentiles of a job (ms), the count of each kind of outcome
    (``kind(outcome)``) and, under ``_results``, each job with its outcome."""
    lock = threading.Lock()
    queue = list(reversed(jobs))
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    results: list[tuple[Any, str]] = []

    def worker(client: Any) -> None:
        while True:
            with lock:
                if not queue:
                    break
                job = queue.pop()
            started = time.perf_counter()
            outcome = do(client, job)
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                outcomes[kind(outcome)] = outcomes.get(kind(outcome), 0) + 1
                results.append((job, outcome))
        with contextlib.suppress(Exception):
            client.close()

    threads = [threading.Thread(target=worker, args=(make_client(),)) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    return {"count": len(jobs), "seconds": round(seconds, 2), "per_second": round(len(jobs) / seconds, 1),
            **percentiles(latencies), "outcomes": outcomes, "_results": results}


def percentiles(latencies: list[float]) -> dict[str, float]:
    """p50, p95 and p99 of ``latencies`` (seconds) in milliseconds."""
    latencies = sorted(latencies)

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1) if latencies else 0.0

    return {"p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99)}


def fmt_ms(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def row_of(label: str, r: dict[str, Any]) -> str:
    rate = f"{r['rate']:,}/s" if r.get("rate") else r["mode"]
    missed = r.get("unfinished", 0)
    return (f"  {label:<34} {rate:>14} {r['completed']:>8,} {r['per_second']:>9,.0f} {fmt_ms(r.get('p50')):>7}"
            f" {fmt_ms(r.get('p95')):>7} {fmt_ms(r.get('p99')):>7} {r['errors'] + missed:>6}"
            f" {r.get('server_cpu_percent', 0):>5.0f}% {r.get('generator_cpu_percent', 0):>4.0f}%"
            f" {r.get('machine_busy_percent', 0):>5.0f}%")


HEADER = (f"  {'test':<34} {'load':>14} {'answers':>8} {'per s':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
          f" {'errors':>6} {'server':>6} {'gen':>5} {'machine':>6}")


def bench_server(args, url: str, audit: str, pnrs: list[str], cases, db_pid: int | None,
                 with_bare: bool, with_search: bool) -> dict[str, Any]:
    from opencpr.bootstrap import DEMO_PASSWORD, DEMO_USER

    results: dict[str, Any] = {}
    with server(url, audit, args.workers) as (port, pid):
        meter = Meter(pid, db_pid)
        sig = signon_body(DEMO_USER, DEMO_PASSWORD)
        stam = [gctp_tail(service_body("Stam+", {"PNR": p})) for p in pnrs]
        gctp_cfg = {"port": port, "prefix": gctp_prefix(port), "signon": sig, "tails": stam, "ok_marker": OK_MARKER}
        bare_cfg = {"port": port, "prefix": "", "signon": None, "ok_marker": None,
                    "tails": [f"GET /_bare/person/{p} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n" for p in pnrs]}
        # warm up: connections, statement caches, the database's pages for the sampled persons
        run_load(gctp_cfg | {"mode": "closed", "connections": 4, "duration": args.warmup, "max_requests": len(pnrs)})
        kinds = [("Stam+ over GCTP", "gctp", gctp_cfg)]
        if with_bare:
            run_load(bare_cfg | {"mode": "closed", "connections": 4, "duration": 3, "max_requests": len(pnrs)})
            kinds.append(("bare primary-key query", "bare", bare_cfg))
        print(f"\n{args.label}, audit {audit}: {len(pnrs):,} sampled PNRs", flush=True)
        print(HEADER)
        for title, kind, cfg in kinds:
            # the first count of connections is the headline figure; more connections show the
            # server saturated (a group commit gathers the records of more calls)
            for i, connections in enumerate(args.connections):
                closed = {"mode": "closed", "connections": connections, "duration": args.max_seconds,
                          "max_requests": args.max_requests}
                r = {}
                with meter.phase(r):
                    r |= run_load(cfg | closed)
                results[f"{kind} max (python)" if i == 0 else f"{kind} max, {connections} connections"] = r
                print(row_of(f"{title}: max, {connections} conn.", r), flush=True)
            if args.wrk and shutil.which("wrk"):
                token = signon_token(port, DEMO_USER, DEMO_PASSWORD) if kind == "gctp" else "-"
                lines = [service_body("Stam+", {"PNR": p}) for p in pnrs] if kind == "gctp" else pnrs
                r = {}
                with meter.phase(r):
                    r |= run_wrk(port, kind, lines, token, args.connections[0], int(args.max_seconds))
                results[f"{kind} max (wrk)"] = r
                print(row_of(f"{title}: max, wrk", r), flush=True)
            for rate in args.rates:
                r = {}
                with meter.phase(r):
                    r |= run_load(cfg | {"mode": "open", "rate": rate, "connections": args.open_connections,
                                         "duration": args.duration, "max_requests": int(rate * args.duration)})
                results[f"{kind} {rate}/s"] = r
                print(row_of(f"{title}: steady", r), flush=True)
        if with_search:
            results |= bench_searches(args, port, meter, cases)
    return results


def bench_searches(args, port: int, meter: Meter, cases) -> dict[str, Any]:
    from opencpr.bootstrap import DEMO_PASSWORD, DEMO_USER
    from opencpr.services.catalogue import find
    from opencpr.services.errors import UnknownService

    results: dict[str, Any] = {}
    token = signon_token(port, DEMO_USER, DEMO_PASSWORD)
    for service, service_cases in cases.items():
        try:
            find(service)
        except UnknownService:
            print(f"  {service}: not in the catalogue yet (opencpr.services.lookups) — skipped", flush=True)
            results[service] = "skipped: not in the catalogue"
            continue
        for label, keys in service_cases:
            seen = probe(port, token, service, keys)
            body = service_body(service, keys)
            cfg = {"port": port, "prefix": gctp_prefix(port), "signon": signon_body(DEMO_USER, DEMO_PASSWORD),
                   "tails": [gctp_tail(body)], "ok_marker": OK_MARKER, "mode": "closed", "connections": 1,
                   "duration": args.max_seconds * 4, "max_requests": args.search_requests}
            r: dict[str, Any] = {"keys": keys, "kvit": seen["kvit"], "rows": seen["rows"]}
            with meter.phase(r):
                r |= run_load(cfg)
            results[f"{service} {label}"] = r
            print(row_of(f"{service} {label}"[:34], r) + f"  rows {seen['rows']}, Kvit {seen['kvit'].get('v')}",
                  flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (a cluster under bench/out) not SQLite")
    parser.add_argument("--db", type=Path, help="SQLite file or PostgreSQL cluster directory (default bench/out/…)")
    parser.add_argument("--reuse", action="store_true", help="use the register at --db if it holds persons")
    parser.add_argument("--pg-defaults", dest="tuned", action="store_false",
                        help="PostgreSQL's own shared_buffers, WAL and memory settings, not OPERATOR's")
    parser.add_argument("--audit", default="deferred,sync",
                        help="audit modes to serve with, comma-separated: deferred, sync, or none (the records "
                             "dropped: the lookup without its audit, this benchmark's own server)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (if opencpr.server has them)")
    parser.add_argument("--sample", type=int, default=20_000, help="PNRs sampled from the register")
    parser.add_argument("--connections", default="8",
                        help="keep-alive connections at max throughput, comma-separated (a run for each)")
    parser.add_argument("--open-connections", type=int, default=32, help="connections at a steady rate")
    parser.add_argument("--rates", default="1000,1500", help="steady rates per second, comma-separated")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per steady rate")
    parser.add_argument("--max-seconds", type=float, default=15.0, help="seconds per max-throughput run")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per max-throughput run")
    parser.add_argument("--search-requests", type=int, default=200)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--no-wrk", dest="wrk", action="store_false", help="do not use wrk even if installed")
    args = parser.parse_args()
    args.rates = [int(r) for r in args.rates.split(",") if r]
    args.connections = [int(c) for c in args.connections.split(",") if c]
    audits = [a for a in args.audit.split(",") if a]
    OUT.mkdir(exist_ok=True)
    database = "postgresql" if args.postgres else "sqlite"
    path = args.db or OUT / (f"pg-gctp-{args.persons}" if args.postgres else f"gctp-{args.persons}.sqlite")
    args.label = (f"{'PostgreSQL' if args.postgres else 'SQLite'}, {args.persons:,} persons, "
                  f"{args.workers} server process{'es' if args.workers > 1 else ''}")
    started = dt.datetime.now()
    print(f"bench_gctp {started:%Y-%m-%d %H:%M}; load average {os.getloadavg()}", flush=True)
    from opencpr.register.db import make_engine

    pg = None
    if args.postgres:
        pg = KeptPostgres(path.resolve(), tuned=args.tuned)
        if not args.reuse and not pg.fresh:
            raise SystemExit(f"{path} holds a cluster; pass --reuse or remove it")
        url = pg.start()
    else:
        if path.exists() and not args.reuse:
            raise SystemExit(f"{path} exists; pass --reuse or remove it")
        url = f"sqlite:///{path.resolve()}"
    try:
        info = build(url, args.persons, args.seed, args.reuse)
        engine = make_engine(url)
        # every lookup writes its audit record: PostgreSQL serves with its durable settings
        settings = durable(engine) if args.postgres else {"journal_mode": "wal", "synchronous": "normal"}
        print(f"database settings: {settings}", flush=True)
        pnrs = sample_pnrs(engine, args.sample, args.seed)
        cases = search_cases(engine)
        engine.dispose()
        results: dict[str, Any] = {}
        for n, audit in enumerate(audits):
            first = n == 0
            results[audit] = bench_server(args, url, audit, pnrs, cases, pg.postmaster_pid() if pg else None,
                                          with_bare=first, with_search=first)
    finally:
        if pg:
            pg.stop()
    record = {"started": started.isoformat(timespec="seconds"), "database": database, "register": info,
              "settings": settings,
              "path": str(path), "args": {k: v for k, v in vars(args).items() if k not in ("db",)},
              "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
              "cpus": os.cpu_count(), "results": results}
    target = OUT / f"gctp-{database}-{args.persons}-{started:%Y%m%d-%H%M%S}.json"
    target.write_text(json.dumps(record, indent=2, default=str))
    print(f"\nwritten {target}; {record['uptime']}")
    import plot_scale

    plot_scale.plot(workers=args.workers)  # the curve over every N measured so far


if __name__ == "__main__":
    main()
