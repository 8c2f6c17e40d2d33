"""Float texts for the growth command: `repr` against `textbatch.float_texts` (issue 11).

    uv run python benchmarks/bench_float_text.py [--values 1000000] [--check 5000000] [--seed 11]

Times both ways on `--values` SDS-like floats (CPU seconds, best of 3, in one run) and checks that the
fast way gives exactly repr's text for `--check` floats of each kind: SDS (normal, sd 3), centiles
(uniform 0-100), values spread over 1e-4 to 1e16 on a log scale, any bit pattern of a double, and short
decimals with their two neighbouring doubles. Exits 1 on any difference. Not a timed test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from kneadwell.outcomes.growth.textbatch import float_texts


def best_cpu(work: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def kinds(rng: np.random.Generator, n: int) -> dict[str, NDArray[np.float64]]:
    bits = rng.integers(0, 2**63, size=n, dtype=np.int64).view(np.float64)
    bits = np.where(rng.random(n) < 0.5, -bits, bits)
    decimals = np.concatenate(
        [np.round(rng.uniform(0, 1000, n // 3 // 6), places) for places in range(6)]
    )
    return {
        "SDS": rng.normal(0, 3, n),
        "centiles": 100 * rng.random(n),
        "1e-4 to 1e16, log scale": np.sign(rng.random(n) - 0.5) * 10.0 ** rng.uniform(-4, 16, n),
        "any bit pattern": bits,
        "short decimals and neighbours": np.concatenate(
            [decimals, np.nextafter(decimals, np.inf), np.nextafter(decimals, -np.inf)]
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--check", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    values = rng.normal(0, 3, args.values)
    listed = values.tolist()
    slow = best_cpu(lambda: list(map(repr, listed)))
    fast = best_cpu(lambda: float_texts(values))
    print(f"float texts, {args.values:,} SDS-like values, load average {os.getloadavg()[0]:.1f}: "
          f"repr {slow:.3f} s CPU, float_texts {fast:.3f} s CPU ({slow / fast:.1f}x faster)")

    differences = 0
    for kind, sample in kinds(rng, args.check).items():
        got = float_texts(sample)
        expected = list(map(repr, sample.tolist()))
        wrong = [i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b]
        differences += len(wrong)
        shown = ", ".join(f"{expected[i]} -> {got[i]}" for i in wrong[:3])
        print(f"  {kind}: {len(sample):,} values, {len(wrong)} different from repr {shown}")
    if differences:
        print("FAIL: float_texts differs from repr")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
