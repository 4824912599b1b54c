"""The long fuzz run: the CI fuzzers (tests/test_fuzz.py) with many more inputs, on a real server.

Counts the inputs tried and the failures (5xx, Kvit 999, an unreadable answer, an answer slower
than the limit), per door and database, and checks the audit chain afterwards. Each failure is
printed with its input. The figures of the last run are in docs/threat-model.md.

    .venv/bin/python bench/fuzz.py [--gctp 5000] [--rest 3000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

import httpx  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

from conftest import RECORDED_DAY, TEST_USERS, make_demo_register  # noqa: E402
from fuzz_support import check_gctp_answer, gctp_documents, post_gctp  # noqa: E402
from live import running  # noqa: E402
from opencpr.access.audit import verify_audit  # noqa: E402
from opencpr.access.passwords import CHEAP, Passwords  # noqa: E402
from opencpr.app import create_app  # noqa: E402
from opencpr.clock import FixedClock  # noqa: E402
from opencpr.config import Limits  # noqa: E402
from opencpr.register.db import make_engine  # noqa: E402
from opencpr.register.migrate import upgrade  # noqa: E402
from opencpr.services.gate import Gate  # noqa: E402
from test_fuzz import ANSWER_WITHIN, check_rest_case, rest_cases  # noqa: E402


def _counting(strategy, check, n: int):
    """A Hypothesis test of ``check`` over ``n`` inputs that counts inputs and failures and goes on."""
    tried, failures = [0], []

    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              phases=["generate"])
    @given(value=strategy)
    def prop(value) -> None:
        tried[0] += 1
        try:
            check(value)
        except AssertionError as exc:  # keep going: count every failing input
            failures.append((repr(value)[:300], str(exc)[:300]))

    return prop, tried, failures


def run(label: str, url: str, gctp_n: int, rest_n: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    clock = FixedClock(RECORDED_DAY)
    make_demo_register(engine, clock)
    gate = Gate(engine, clock, audit_mode="deferred", passwords=Passwords(CHEAP), limits=Limits(guess_failures=10**9))
    with running(create_app(engine, gate=gate, run_due_every=None)) as port:
        code, _, password = TEST_USERS["cpr-office"]
        token = httpx.post(f"http://127.0.0.1:{port}/api/v1/signon",
                           json={"user_code": code, "password": password}).json()["token"]
        for door, n, strategy, check in (
                ("GCTP", gctp_n, gctp_documents, lambda doc: check_gctp_answer(*post_gctp(port, doc, token),
                                                                              ANSWER_WITHIN)),
                ("REST", rest_n, rest_cases(port), lambda case: check_rest_case(case, token))):
            prop, tried, failures = _counting(strategy, check, n)
            started = time.monotonic()
            prop()
            took = time.monotonic() - started
            print(f"{label} {door}: {tried[0]:,} inputs in {took:.0f} s, {len(failures)} failures")
            for value, error in failures[:20]:
                print(f"  FAILED {error}\n    input {value}")
    gate.close()
    print(f"{label}: audit chain {'verified' if verify_audit(engine).ok else 'BROKEN'}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gctp", type=int, default=5000)
    parser.add_argument("--rest", type=int, default=3000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(f"fuzz {dt.datetime.now():%Y-%m-%d %H:%M}")
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'fuzz.sqlite'}", args.gctp, args.rest)
    if not args.no_postgres:
        from opencpr.devdb import TempPostgres

        with TempPostgres() as server:
            run("PostgreSQL", server.create_database("fuzz"), args.gctp, args.rest)


if __name__ == "__main__":
    main()
