"""Acceptance check of a generated population: `opencpr check` passes and every exported PNR is
valid by python-stdnum (an independent implementation of CPR's rules).

    .venv/bin/python bench/verify_population.py --persons 100000 [--postgres]
"""

from __future__ import annotations

import argparse
import datetime
import tempfile

from stdnum.dk import cpr as stdnum_cpr

from opencpr.formats.extract import read_records
from opencpr.population.load import load_population
from opencpr.register.check import check_register
from opencpr.register.db import make_engine
from opencpr.register.exporter import export_extract
from opencpr.register.migrate import upgrade


def verify(url: str, persons: int, seed: int) -> bool:
    engine = make_engine(url)
    upgrade(engine)
    load_population(engine, persons, seed, today=datetime.date(2026, 11, 22))
    report = check_register(engine)
    print(f"check: {report.persons:,} persons, "
          + ("no invariant broken" if report.ok else f"violations {dict(report.by_rule)}"))
    with tempfile.TemporaryFile() as out:
        export_extract(engine, out)
        out.seek(0)
        pnrs = {r.pnr for r in read_records(out) if r.pnr and r.record_type == "001"}
    invalid = [p for p in pnrs if not stdnum_cpr.is_valid(p)]
    print(f"stdnum: {len(pnrs):,} exported PNRs, {len(invalid)} invalid {invalid[:10]}")
    return report.ok and not invalid and len(pnrs) == persons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        from opencpr.devdb import TempPostgres

        with TempPostgres() as pg:
            ok = verify(pg.create_database("verify"), args.persons, args.seed)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            ok = verify(f"sqlite:///{tmp}/verify.sqlite", args.persons, args.seed)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
