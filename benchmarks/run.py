"""Run every benchmark under benchmarks/ (files named bench_*.py), one after the other, each in its own
process; exit non-zero when any of them misses its budget. `make bench` calls this."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed: list[str] = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)])  # noqa: S603 - our own scripts
        print(f"   ({time.perf_counter() - started:.1f} s, exit {code})", flush=True)
        if code != 0:
            failed.append(script.name)
    if failed:
        print(f"Over budget or failed: {', '.join(failed)}")
        return 1
    print("Every benchmark is within its budget.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
