"""Self-service, end to end: a day's citizen reports, the municipalities' decisions, the console's person page.

    .venv/bin/python bench/bench_selfservice.py [--persons 100000] [--postgres] [--reuse | --from-gctp]
                                                [--reports 2000] [--reject 10] [--pages 500] [--clients 4]
                                                [--workers 1]

1. Builds (or, with ``--reuse``, reuses) a register of N generated persons (``bench/out/selfservice-<N>.sqlite``
   or the kept PostgreSQL cluster ``bench/out/pg-selfservice-<N>``); with ``--from-gctp`` it works on a fresh
   copy of the register ``bench_gctp.py`` built (seed 1: ``bench/out/gctp-<N>.sqlite`` copied, or on the
   cluster ``bench/out/pg-gctp-<N>`` a database made from it as a template), so nothing is generated
   twice and every run starts from the same register. PostgreSQL runs with durable settings:
   ``fsync``, ``synchronous_commit`` and ``full_page_writes`` on (checked with ``SHOW`` and written to the
   figures). Adds a citizen user (group ``citizen``) and a caseworker per municipality (group
   ``municipality``); the demo user (CPR office) runs the limits and the console.
2. Starts the real server (``gctp_helper.py serve``, ``--workers`` processes, audit ``sync``) and keeps the
   register's files in memory, as ``bench_updates.py`` does.
3. **Limit: the bare update dialogue** — ``--reports`` moves of distinct random residents within their
   municipality through REST ``/api/v1/events/A01/{initiate,validate,save}`` as the CPR office: applied to
   the register at once, no pending register.
4. **Reports** — as many moves of other residents, the same three steps as the citizen: each lands in the
   pending register, awaiting the municipality moved to.
5. **Decisions** — each municipality's caseworker approves its reports (re-validated and applied) and
   rejects ``--reject`` per cent with a reason, over REST ``/api/v1/pending/reports/<id>/{approve,reject}``.
6. **Limit: Stam+** — ``--pages`` REST lookups ``/api/v1/stam-plus?pnr=`` of random persons, one at a time.
7. **The console's person page** — ``GET /console/person/<pnr>`` of as many random persons with a signed-on
   console session, one at a time (the page reads eight services through the gate).

Rates with ``--clients`` client threads; latency p50/p95/p99 per report (three requests), per decision,
per lookup and per page. Ratios: reports and decisions against the bare dialogue, the page against Stam+.
Writes ``bench/out/selfservice-<database>-<N>-<time>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import random
import sys
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_gctp  # noqa: E402
import bench_updates  # noqa: E402
from opencpr.bootstrap import DEMO_PASSWORD, DEMO_USER  # noqa: E402

OUT = bench_gctp.OUT
CITIZEN = ("BORGER1", "Borger-2026!x")
CASEWORKER_PASSWORD = "Kommune-2026!x"
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


class Rest:
    """One keep-alive HTTP connection to the server; JSON in and out."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body: Any = None, form: dict[str, str] | None = None,
                ) -> tuple[int, dict[str, str], bytes]:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, data, headers)
        response = self.conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()

    def json(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        status, _, data = self.request(method, path, body)
        return status, json.loads(data or b"{}")

    def signon(self, user: str, password: str) -> Rest:
        status, answer = self.json("POST", "/api/v1/signon", {"user_code": user, "password": password})
        if status != 200:
            raise SystemExit(f"signon {user}: {status} {answer}")
        self.headers["Authorization"] = f"Bearer {answer['token']}"
        return self

    def console_signon(self, user: str, password: str) -> Rest:
        status, headers, _ = self.request("POST", "/console/signon", form={"user_code": user, "password": password})
        if status != 303 or "set-cookie" not in headers:
            raise SystemExit(f"console signon {user}: {status}")
        self.headers["Cookie"] = headers["set-cookie"].split(";")[0]
        return self

    def move(self, pnr: str, date: str, data: dict[str, str]) -> str:
        """initiate → validate → save; "register", "pending" or the refusing step and its Kvit code."""
        keys = {"pnr": pnr, "event_date": date}
        status, answer = self.json("POST", "/api/v1/events/A01/initiate", keys)
        if status != 200:
            return f"initiate {answer.get('kvit', status)}"
        ts = answer["session"]
        for action in ("validate", "save"):
            status, answer = self.json("POST", f"/api/v1/events/A01/{action}", {**keys, "session": ts, "data": data})
            if status != 200:
                return f"{action} {answer.get('kvit', status)}"
        receipt = answer.get("receipt", {})
        return f"{receipt.get('where')}:{receipt.get('pending_id', '')}"


def run(jobs: list[Any], clients: int, make_client, do) -> dict[str, Any]:
    """Run ``do(client, job)`` over ``jobs`` with ``clients`` threads; the rate, latencies and
    outcomes (counted by the part before a colon: "register", "pending" …)."""
    return bench_gctp.run_clients(jobs, clients, make_client, do, kind=lambda r: r.split(":")[0])


def add_users(url: str, municipalities: set[str]) -> dict[str, str]:
    """The citizen user and one caseworker per municipality (user code K<code>); {municipality: user}."""
    from opencpr.access.users import add_user, get_user, set_known_password
    from opencpr.register.db import make_engine

    engine = make_engine(url)
    if get_user(engine, CITIZEN[0]) is None:
        add_user(engine, CITIZEN[0], "0000", "citizen")
    set_known_password(engine, CITIZEN[0], CITIZEN[1])
    users = {}
    for code in sorted(municipalities):
        user = f"K{code}"
        if get_user(engine, user) is None:
            add_user(engine, user, code, "municipality")
        set_known_password(engine, user, CASEWORKER_PASSWORD)
        users[code] = user
    engine.dispose()
    return users


def settings_of(url: str) -> dict[str, str]:
    from sqlalchemy import text

    from opencpr.register.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        found = {name: conn.execute(text(f"SHOW {name}")).scalar() for name in DURABLE}
    engine.dispose()
    return found


def kept_durable_postgres(root: Path) -> bench_gctp.KeptPostgres:
    kept = bench_gctp.KeptPostgres(root)
    kept.pg.settings = {**getattr(kept.pg, "settings", {}), **DURABLE}
    if not kept.fresh:  # the last setting in postgresql.conf wins
        with open(kept.pg.datadir / "postgresql.conf", "a") as conf:
            conf.write("".join(f"{k} = {v}\n" for k, v in DURABLE.items()))
    return kept


def copy_of_gctp_register(url: str, persons: int) -> str:
    """A fresh copy of ``bench_gctp.py``'s register of ``persons``: the SQLite file copied over the one
    at ``url``; on PostgreSQL (``url`` the kept cluster's ``bench`` database) a database
    ``selfservice`` made from it as a template. Returns the copy's URL."""
    import shutil

    from sqlalchemy import create_engine, text

    if url.startswith("sqlite"):
        source, target = OUT / f"gctp-{persons}.sqlite", Path(url.removeprefix("sqlite:///"))
        if not source.exists():
            raise SystemExit(f"{source} does not exist: run bench_gctp.py --persons {persons} first")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
        return url
    base = url.rsplit("/", 1)[0]
    admin = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS selfservice"))
        conn.execute(text("CREATE DATABASE selfservice TEMPLATE bench"))
    admin.dispose()
    return base + "/selfservice"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--from-gctp", action="store_true",
                        help="work on a fresh copy of the register bench_gctp.py built for --persons")
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--reject", type=int, default=10, help="per cent of the reports rejected")
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    kept = None
    cluster = OUT / (f"pg-gctp-{args.persons}" if args.from_gctp else f"pg-selfservice-{args.persons}")
    if args.postgres:
        kept = kept_durable_postgres(cluster)
        url = kept.start()
    else:
        url = f"sqlite:///{OUT / f'selfservice-{args.persons}.sqlite'}"
    try:
        if args.from_gctp:
            url = copy_of_gctp_register(url, args.persons)
        info = bench_gctp.build(url, args.persons, 1, args.reuse or args.from_gctp)
        rng = random.Random(args.seed)
        pool = bench_updates.candidates(url, args.seed, 2 * args.reports)["all"]
        if len(pool) < 2 * args.reports:
            raise SystemExit(f"only {len(pool)} residents for {2 * args.reports} moves")
        bare = [(r.pnr, bench_updates.address_in(r.municipality, rng)) for r in pool[:args.reports]]
        reports = [(r.pnr, bench_updates.address_in(r.municipality, rng))
                   for r in pool[args.reports:2 * args.reports]]
        caseworkers = add_users(url, {data["KOMKOD"] for _, data in reports})
        from opencpr.register.db import make_engine

        engine = make_engine(url)
        pages = bench_gctp.sample_pnrs(engine, args.pages, args.seed)
        engine.dispose()
        today = dt.date.today().strftime("%Y%m%d")
        results: dict[str, Any] = {
            "persons": info.get("persons"), "database": "postgresql" if args.postgres else "sqlite",
            "settings": settings_of(url) if args.postgres else {"journal_mode": "wal (the server's)"},
            "clients": args.clients, "workers": args.workers, "date": dt.date.today().isoformat(),
            "command": " ".join(["bench/bench_selfservice.py", *sys.argv[1:]])}
        files = [cluster] if args.postgres else [OUT / f"selfservice-{args.persons}.sqlite"]
        with bench_updates.in_memory(files) as memory, bench_gctp.server(url, "sync", args.workers) as (port, _):
            results["in_memory"] = memory
            load_before = bench_gctp.machine_cpu()

            def office() -> Rest:
                return Rest(port).signon(DEMO_USER, DEMO_PASSWORD)

            def citizen() -> Rest:
                return Rest(port).signon(*CITIZEN)

            results["bare_dialogue"] = run(bare, args.clients, office, lambda c, job: c.move(job[0], today, job[1]))
            results["reports"] = run(reports, args.clients, citizen, lambda c, job: c.move(job[0], today, job[1]))
            waiting = [(int(r.split(":")[1]), job[1]["KOMKOD"]) for job, r in results["reports"]["_results"]
                       if r.startswith("pending:")]
            rng.shuffle(waiting)
            decisions = [(pid, kom, "reject" if i < len(waiting) * args.reject // 100 else "approve")
                         for i, (pid, kom) in enumerate(waiting)]
            rng.shuffle(decisions)

            # each municipality's caseworker signs on once, before the clock starts (a signon hashes a password)
            tokens = {}
            for kom in sorted({kom for _, kom, _ in decisions}):
                tokens[kom] = Rest(port).signon(caseworkers[kom], CASEWORKER_PASSWORD).headers["Authorization"]

            def decide(client: Rest, job: tuple[int, str, str]) -> str:
                pid, kom, what = job
                client.headers["Authorization"] = tokens[kom]
                body = {"reason": "Adressen kunne ikke bekræftes"} if what == "reject" else None
                status, answer = client.json("POST", f"/api/v1/pending/reports/{pid}/{what}", body)
                return what if status == 200 else f"{what} refused {answer.get('kvit', status)}"

            results["decisions"] = run(decisions, args.clients, lambda: Rest(port), decide)

            def lookup(c: Rest, pnr: str) -> str:
                status, _, _ = c.request("GET", f"/api/v1/stam-plus?pnr={pnr}")
                return str(status)

            def console_page(c: Rest, pnr: str) -> str:
                status, _, body = c.request("GET", f"/console/person/{pnr}")
                return "ok" if status == 200 and b'class="master' in body else f"{status} no master data"

            results["stam_plus"] = run(pages, 1, office, lookup)
            results["console_person"] = run(pages, 1, lambda: Rest(port).console_signon(DEMO_USER, DEMO_PASSWORD),
                                            console_page)
            results["machine_cpu"] = [load_before, bench_gctp.machine_cpu()]
        for part in ("bare_dialogue", "reports", "decisions", "stam_plus", "console_person"):
            results[part].pop("_results")
        bd, rp, dc = results["bare_dialogue"], results["reports"], results["decisions"]
        st, cp = results["stam_plus"], results["console_person"]
        results["ratios"] = {
            "reports_per_second_vs_bare_dialogue": round(rp["per_second"] / bd["per_second"], 2),
            "decisions_per_second_vs_bare_dialogue": round(dc["per_second"] / bd["per_second"], 2),
            "console_person_p95_vs_stam_plus_p95": round(cp["p95_ms"] / st["p95_ms"], 1) if st["p95_ms"] else None,
        }
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = OUT / f"selfservice-{results['database']}-{args.persons}-{stamp}.json"
        path.write_text(json.dumps(results, indent=2), encoding="utf-8")
        for label in ("bare_dialogue", "reports", "decisions", "stam_plus", "console_person"):
            r = results[label]
            print(f"{label:15} {r['count']:6,} in {r['seconds']:7.1f} s = {r['per_second']:7.1f}/s   "
                  f"p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  {r['outcomes']}")
        print(f"ratios {results['ratios']}  settings {results['settings']}")
        print(f"figures in {path}")
    finally:
        if kept is not None:
            kept.stop()


if __name__ == "__main__":
    main()
