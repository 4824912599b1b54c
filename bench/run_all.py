"""Run the benchmarks at a small size, one after the other (``./dev bench``); the figures in
``docs/benchmarks.md`` come from the scripts run one by one at the sizes they name.

    ./dev bench                  # every benchmark, small
    ./dev bench bench_gctp.py    # only those named (extra arguments after -- go to each script)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: script -> arguments for a quick run
QUICK: dict[str, list[str]] = {
    "bench_pnr.py": [],
    "bench_generate.py": ["--persons", "20000"],
    "bench_register.py": ["--persons", "20000"],
    "bench_export.py": ["--persons", "20000"],
    "bench_gate.py": [],
    "bench_gctp.py": ["--persons", "20000"],
    "bench_updates.py": ["--persons", "20000", "--updates", "300", "--mix", "500"],
}


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    chosen = argv or list(QUICK)
    failed = []
    for script in chosen:
        if not (HERE / script).exists():
            print(f"no benchmark {script}; known: {', '.join(QUICK)}", file=sys.stderr)
            return 2
        print(f"=== {script}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script), *QUICK.get(script, []), *extra], cwd=HERE)
        if done.returncode != 0:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
