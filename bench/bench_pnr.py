"""CPR-number allocation speed (the population generator allocates one per person).

    .venv/bin/python bench/bench_pnr.py [--count 1000000]
"""

from __future__ import annotations

import argparse
import datetime
import random
import time

from opencpr.domain.pnr import PNRAllocator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = random.Random(1)
    first = datetime.date(1920, 1, 1).toordinal()
    dates = [datetime.date.fromordinal(first + rng.randrange(36_500)) for _ in range(50_000)]
    allocator = PNRAllocator()
    start = time.perf_counter()
    for i in range(args.count):
        allocator.allocate(dates[i % len(dates)], "M" if i % 3 else "K")
    seconds = time.perf_counter() - start
    print(f"{args.count:,} CPR numbers allocated in {seconds:.2f} s: {args.count / seconds:,.0f} per second")


if __name__ == "__main__":
    main()
