"""Stam+ over GCTP against the number of persons: the picture of ``bench_gctp.py``'s figures.

    .venv/bin/python bench/plot_scale.py [--out docs/scale-stam-plus.png] [--workers 2]

Reads every ``bench/out/gctp-<database>-<N>-<time>.json`` that ``bench_gctp.py`` wrote (the newest
run for each database and N, with ``--workers`` server processes and the deferred audit) and draws
two panels against the number of persons (log scale): Stam+ lookups a second at maximum
throughput beside the bare primary-key endpoint of the same run, and Stam+'s p99 at a steady
1,000 lookups a second. ``bench_gctp.py`` calls it after each run; it needs matplotlib (the
``bench`` extra) and does nothing without it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_PICTURE = Path(__file__).resolve().parent.parent / "docs" / "scale-stam-plus.png"
COLOURS = {"sqlite": "#1f77b4", "postgresql": "#d62728"}
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def runs(workers: int, audit: str = "deferred") -> dict[str, dict[int, dict[str, Any]]]:
    """{database: {persons: figures}} of the newest run of each, with ``workers`` processes."""
    found: dict[str, dict[int, tuple[str, dict[str, Any]]]] = {}
    for path in sorted(OUT.glob("gctp-*-*-*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if record.get("args", {}).get("workers") != workers or audit not in record.get("results", {}):
            continue
        # the size asked for (a reused register may have grown by a few hundred births since)
        persons = int(record["args"].get("persons") or record.get("register", {}).get("persons", 0))
        results = record["results"][audit]
        stam, bare = results.get("gctp max (python)"), results.get("bare max (python)")
        steady = results.get("gctp 1000/s")
        if not stam:
            continue
        figures = {"stam": stam["per_second"], "bare": bare["per_second"] if bare else None,
                   "p99": steady.get("p99") if steady else None, "started": record.get("started", "")}
        database = record["database"]
        best = found.setdefault(database, {}).get(persons)
        if best is None or figures["started"] >= best[0]:
            found[database][persons] = (figures["started"], figures)
    return {db: {n: f for n, (_, f) in sorted(by_n.items())} for db, by_n in found.items()}


def plot(picture: Path = DEFAULT_PICTURE, workers: int = 2) -> Path | None:
    """Draw the picture; None (and nothing written) without matplotlib or without figures."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot_scale: matplotlib is not installed (pip install -e '.[bench]'); no picture")
        return None
    data = runs(workers)
    if not data:
        print(f"plot_scale: no bench_gctp figures with {workers} server processes in {OUT}")
        return None
    fig, (rate, tail) = plt.subplots(1, 2, figsize=(11, 5.2))
    for database, by_n in data.items():
        ns = list(by_n)
        colour, label = COLOURS.get(database, "black"), LABELS.get(database, database)
        rate.plot(ns, [by_n[n]["stam"] for n in ns], "o-", color=colour, label=f"{label}: Stam+ over GCTP")
        bare = [(n, by_n[n]["bare"]) for n in ns if by_n[n]["bare"]]
        if bare:
            rate.plot([n for n, _ in bare], [v for _, v in bare], "s--", color=colour, alpha=0.6,
                      label=f"{label}: bare primary-key query")
        p99 = [(n, by_n[n]["p99"]) for n in ns if by_n[n]["p99"] is not None]
        if p99:
            tail.plot([n for n, _ in p99], [v for _, v in p99], "o-", color=colour, label=label)
    rate.axhline(1500, color="grey", linestyle=":", label="target 1,500/s")
    tail.axhline(20, color="grey", linestyle=":", label="target p99 20 ms")
    tail.set_yscale("log")  # a server that falls behind answers in seconds, one that keeps up in ms
    for ax in (rate, tail):
        ax.set_xscale("log")
        ax.set_xlim(5e4, 2e7)
        ax.set_xlabel("persons in the register")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    rate.set_ylabel("lookups a second (maximum)")
    rate.set_title(f"Stam+ and the bare query, {workers} server processes")
    tail.set_ylabel("p99 ms at 1,000 lookups a second (log)")
    tail.set_title("Stam+ latency at a steady rate")
    fig.tight_layout()
    picture.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(picture, dpi=110)
    plt.close(fig)
    print(f"plot_scale: {picture}")
    return picture


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_PICTURE)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    plot(args.out, args.workers)


if __name__ == "__main__":
    main()
