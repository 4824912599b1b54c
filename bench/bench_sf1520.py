"""SF1520 PersonLookup beside Stam+ over GCTP: same run, same persons, same server.

    .venv/bin/python bench/bench_sf1520.py [--persons 100000] [--reuse] [--seconds 20] [--connections 8]
                                           [--rounds 2] [--audit deferred]

1. Builds a register of N generated persons (seed 1) on SQLite (``bench/out/sf1520-<N>.sqlite``;
   ``--reuse`` keeps one built by an earlier run) with ``bench_gctp.build``, and sets up, on it, a
   security group granting ``SF1520`` and ``Stam+`` (every person, protected addresses shown), a
   GCTP user of that group and a subscriber system of that group with its client certificate
   (a development CA in ``bench/out/sf1520-certs``).
2. Starts the real server (``opencpr.server.serve``, one process, HTTPS only, client certificates
   asked for) in a process of its own.
3. Runs the load generator (``gctp_helper.py load``, another process) on keep-alive HTTPS
   connections, closed loop (maximum throughput), over the same random sample of PNRs: Stam+ over
   GCTP (one signon per connection, the Token cookie after) and SF1520 PersonLookup version 4
   (the client certificate). The two alternate ``--rounds`` times, so that both meet the same
   machine (which other jobs share).
4. Prints each round and the ratio of the mean rates, and writes everything to
   ``bench/out/sf1520-<N>-<time>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_gctp import (  # noqa: E402
    HOST,
    OK_MARKER,
    Meter,
    build,
    gctp_prefix,
    gctp_tail,
    run_load,
    sample_pnrs,
    service_body,
    signon_body,
)

OUT = HERE / "out"
CVR = "11223344"
USER, PASSWORD = "SF1520B", "Bench-1520-pw!"
GROUP = "sf1520-bench"
SERVICE_UUID = "e6be2436-bf35-4df2-83fe-925142825dc2"
USER_UUID = "0e5c1a4b-6a2c-4f0e-9e49-3c8d5b1f2a77"
PATH = "/service/CPR/PersonBaseDataExtended/4"
NS = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/"


# --- set-up on the register --------------------------------------------------------------------------

def set_up(url: str, certs: Path) -> dict[str, str]:
    """The group, the GCTP user, the system and its certificate (made once, kept for ``--reuse``)."""
    from opencpr.access.certificates import Issued, make_ca, make_client_certificate, make_server_certificate
    from opencpr.access.groups import SecurityGroup
    from opencpr.access.subscribers import add_system, system_for
    from opencpr.access.users import add_user, get_user, set_known_password
    from opencpr.register.migrate import open_register
    from opencpr.services.permissions import ensure_default_groups, parse, save_group

    certs.mkdir(parents=True, exist_ok=True)
    if not (certs / "ca.key").exists():
        make_ca().save(certs, "ca")
    ca = Issued.load(certs, "ca")
    if not (certs / "server.key").exists():
        make_server_certificate(ca, ("localhost", HOST)).save(certs, "server")
    if not (certs / "client.key").exists():
        make_client_certificate(ca, CVR, system="SF1520 benchmark").save(certs, "client")
    engine = open_register(url)
    ensure_default_groups(engine)
    save_group(engine, SecurityGroup(GROUP, "SF1520 benchmark", parse(
        {"search": {"services": ["SF1520", "Stam+"], "scope": "all"}, "protected_addresses": True})), by="bench")
    if get_user(engine, USER) is None:
        add_user(engine, USER, "0000", GROUP)
    set_known_password(engine, USER, PASSWORD)
    system = system_for(engine, CVR) or add_system(engine, CVR, "SF1520 benchmark", group=GROUP)
    engine.dispose()
    return {"agreement": system.agreement_uuid, "ca": str(certs / "ca.crt"), "cert": str(certs / "client.crt"),
            "key": str(certs / "client.key")}


def envelope(pnr: str, agreement: str) -> str:
    user_system = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench:{CVR}"))
    return (f'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="{NS}" '
            'xmlns:ic="http://serviceplatformen.dk/xml/schemas/InvocationContext/1/" '
            'xmlns:p="http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/"><soapenv:Header/><soapenv:Body>'
            f'<ns:PersonLookupRequest><ic:InvocationContext><ic:ServiceAgreementUUID>{agreement}'
            f'</ic:ServiceAgreementUUID><ic:UserSystemUUID>{user_system}</ic:UserSystemUUID>'
            f'<ic:UserUUID>{USER_UUID}</ic:UserUUID><ic:ServiceUUID>{SERVICE_UUID}</ic:ServiceUUID>'
            f'</ic:InvocationContext><p:PNR>{pnr}</p:PNR></ns:PersonLookupRequest></soapenv:Body></soapenv:Envelope>')


# --- the server ---------------------------------------------------------------------------------------

def serve(url: str, port: int, certs: Path, audit_mode: str) -> None:
    """Run the real server on HTTPS (client certificates asked for) until terminated."""
    import tempfile

    from opencpr.app import create_app
    from opencpr.bootstrap import open_engine
    from opencpr.config import Settings
    from opencpr.server import serve as run_server

    settings = Settings(data_dir=Path(tempfile.gettempdir()), database_url=url, host=HOST, https_port=port,
                        http_port=0, cert_dir=certs, server_cert=certs / "server.crt",
                        server_key=certs / "server.key", ca_cert=certs / "ca.crt", audit_mode=audit_mode)

    def started(listeners) -> None:
        print(f"READY {listeners[0].port}", flush=True)

    run_server(lambda: create_app(open_engine(url), audit_mode=audit_mode), settings, "warning", started)


@contextlib.contextmanager
def server(url: str, certs: Path, audit_mode: str) -> Iterator[tuple[int, int]]:
    from opencpr.devdb import _free_port

    port = _free_port()
    proc = subprocess.Popen([sys.executable, __file__, "_serve", url, str(port), str(certs), audit_mode],
                            stdout=subprocess.PIPE, text=True)
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


# --- the run ----------------------------------------------------------------------------------------

def configs(port: int, pnrs: list[str], setup: dict[str, str], args: argparse.Namespace) -> dict[str, dict]:
    tls = {"ca": setup["ca"]}
    common = {"port": port, "mode": "closed", "connections": args.connections, "duration": args.seconds,
              "max_requests": 10_000_000, "drain": 10}
    soap_prefix = (f"POST {PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: text/xml; charset=utf-8\r\n"
                   f'SOAPAction: "{NS}PersonLookup"\r\n')
    return {
        "Stam+": {**common, "tls": tls, "prefix": gctp_prefix(port), "signon": signon_body(USER, PASSWORD),
                  "ok_marker": OK_MARKER, "tails": [gctp_tail(service_body("Stam+", {"PNR": p})) for p in pnrs]},
        "SF1520": {**common, "tls": {**tls, "cert": setup["cert"], "key": setup["key"]}, "prefix": soap_prefix,
                   "ok_marker": "PersonLookupResponse",
                   "tails": [gctp_tail(envelope(p, setup["agreement"])) for p in pnrs]},
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        serve(sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), sys.argv[5])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep a register built by an earlier run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each measured run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="Stam+ and SF1520 alternate this many times")
    parser.add_argument("--sample", type=int, default=20_000, help="PNRs drawn at random from the register")
    parser.add_argument("--audit", default="deferred", choices=("deferred", "sync"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / f"sf1520-{args.persons}.sqlite"
    url = f"sqlite:///{path}"
    info = build(url, args.persons, args.seed, args.reuse)
    setup = set_up(url, OUT / "sf1520-certs")
    from opencpr.register.migrate import open_register

    engine = open_register(url)
    pnrs = sample_pnrs(engine, args.sample, args.seed)
    engine.dispose()
    results: dict[str, list[dict[str, Any]]] = {"Stam+": [], "SF1520": []}
    with server(url, OUT / "sf1520-certs", args.audit) as (port, pid):
        meter = Meter(pid, None)
        cfgs = configs(port, pnrs, setup, args)
        for cfg in cfgs.values():  # warm up: caches, prepared statements, the page cache
            run_load({**cfg, "duration": 3})
        for round_ in range(args.rounds):
            for name, cfg in cfgs.items():
                figures: dict[str, Any] = {}
                with meter.phase(figures):
                    figures |= run_load(cfg)
                figures["round"] = round_ + 1
                results[name].append(figures)
                print(f"round {round_ + 1} {name:7s} {figures['per_second']:8.1f}/s  p50 {figures['p50']:.2f} ms  "
                      f"p99 {figures['p99']:.2f} ms  errors {figures['errors']}  server CPU "
                      f"{figures['server_cpu_percent']:.0f} %  load {' '.join(figures['loadavg'])}", flush=True)
    mean = {k: sum(r["per_second"] for r in v) / len(v) for k, v in results.items()}
    p99 = {k: sorted(r["p99"] for r in v)[len(v) // 2] for k, v in results.items()}
    ratio = mean["SF1520"] / mean["Stam+"] if mean["Stam+"] else 0.0
    print(f"\nmean: Stam+ {mean['Stam+']:.1f}/s (p99 {p99['Stam+']:.2f} ms), SF1520 {mean['SF1520']:.1f}/s "
          f"(p99 {p99['SF1520']:.2f} ms): SF1520 at {100 * ratio:.0f} % of Stam+'s rate")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    report = {"persons": info.get("persons"), "register": info, "database": "sqlite", "audit_mode": args.audit,
              "connections": args.connections, "seconds": args.seconds, "rounds": args.rounds,
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": sys.version.split()[0]},
              "date": dt.datetime.now().isoformat(timespec="seconds"), "command": " ".join(sys.argv),
              "results": results, "mean_per_second": mean, "p99_ms": p99, "ratio": ratio}
    target = OUT / f"sf1520-{args.persons}-{stamp}.json"
    target.write_text(json.dumps(report, indent=2))
    print(f"written: {target}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
