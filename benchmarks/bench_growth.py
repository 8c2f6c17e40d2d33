"""Growth SDS benchmark: the vectorised batch path against rcpchgrowth's per-measurement API.

    uv run python benchmarks/bench_growth.py [--rows 1000000] [--sample 2000] [--reference uk-who]

Runs on one core (the process is pinned to one CPU where the OS allows it). Prints the batch throughput
(measurements per second, best of three runs over the same random measurements), rcpchgrowth's
``Measurement`` throughput on a sample of them in the same process, the ratio, and the largest absolute
difference between the two on the sample (SDS and centile). Exits 1 if the batch path is slower than
1,000,000 measurements per second, if any difference exceeds 1e-9, or if the two disagree about which
rows can be computed. Ratios within one run, not absolute times, are the point: the machine's load moves
both sides together.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import sys
import time
import warnings
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402 - after the thread settings above
from numpy.typing import NDArray  # noqa: E402

from kneadwell.outcomes.growth.references import RCPCH_REFERENCE_NAME, REFERENCES  # noqa: E402
from kneadwell.outcomes.growth.zscores import BatchResult, batch_sds  # noqa: E402

MIN_THROUGHPUT = 1_000_000  # ARCHITECTURE.md performance budget, measurements per second on one core
MAX_DIFFERENCE = 1e-9
EPOCH = dt.date(1970, 1, 1)


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity on this OS)"


def random_measurements(n: int, seed: int = 20260101) -> dict[str, NDArray[Any]]:
    """Clinic-like rows: both sexes, all four measurements, preterm and term babies, children to 20 years."""
    rng = np.random.default_rng(seed)
    method = rng.choice(np.array(["weight", "height", "ofc", "bmi"]), n)
    days = np.where(rng.random(n) < 0.6, rng.integers(0, 730, n), rng.integers(0, 7300, n))
    preterm = rng.random(n) < 0.4
    weeks = np.where(preterm, rng.integers(23, 37, n), rng.integers(37, 43, n))
    typical = {"weight": 3.5, "height": 50.0, "ofc": 35.0, "bmi": 13.0}
    grow = {"weight": 2.5, "height": 0.35, "ofc": 0.1, "bmi": 0.05}
    base = np.array([typical[m] for m in method]) * (1 + days / 365.25 * np.array([grow[m] for m in method]))
    value = np.round(base * np.exp(rng.normal(0, 0.12, n)), 2)
    birth = rng.integers(14000, 20000, n)
    return {
        "sex": rng.choice(np.array(["male", "female"]), n),
        "birth": birth,
        "observed": birth + days,
        "weeks": weeks,
        "days": rng.integers(0, 7, n),
        "method": method,
        "value": value,
    }


def run_batch(rows: dict[str, NDArray[Any]], reference: str) -> BatchResult:
    return batch_sds(
        rows["sex"],
        rows["birth"],
        rows["observed"],
        rows["weeks"],
        rows["days"],
        rows["method"],
        rows["value"],
        reference,
    )


def rcpchgrowth_sample(
    rows: dict[str, NDArray[Any]],
    idx: NDArray[np.int64],
    reference: str,
) -> tuple[float, list[tuple[float, float, float] | None]]:
    from rcpchgrowth import Measurement

    results: list[tuple[float, float, float] | None] = []
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        for i in idx.tolist():
            birth = EPOCH + dt.timedelta(days=int(rows["birth"][i]))
            try:
                values = Measurement(
                    birth_date=birth,
                    observation_date=EPOCH + dt.timedelta(days=int(rows["observed"][i])),
                    measurement_method=str(rows["method"][i]),
                    observation_value=float(rows["value"][i]),
                    reference=RCPCH_REFERENCE_NAME[reference],
                    sex=str(rows["sex"][i]),
                    gestation_weeks=int(rows["weeks"][i]),
                    gestation_days=int(rows["days"][i]),
                ).measurement["measurement_calculated_values"]
                corrected, chrono = values["corrected_sds"], values["chronological_sds"]
                finite = isinstance(corrected, float) and isinstance(chrono, float)
                if finite and np.isfinite(corrected + chrono):
                    results.append((corrected, chrono, float(values["corrected_centile"])))
                else:
                    results.append(None)
            except Exception:
                results.append(None)
        elapsed = time.perf_counter() - start
    return elapsed, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--reference", choices=REFERENCES, default="uk-who")
    args = parser.parse_args(argv)

    pinned = pin_to_one_core()
    print(f"growth SDS benchmark: {args.rows:,} measurements, reference {args.reference}, {pinned}")
    rows = random_measurements(args.rows)

    start = time.perf_counter()
    run_batch({k: v[:1000] for k, v in rows.items()}, args.reference)  # loads the tables once
    first = time.perf_counter() - start
    print(f"  first call (reads rcpchgrowth's LMS tables, builds the per-day table): {first:.2f} s")
    timings = []
    result = None
    for _ in range(3):
        start = time.perf_counter()
        result = run_batch(rows, args.reference)
        timings.append(time.perf_counter() - start)
    assert result is not None
    best = min(timings)
    batch_rate = args.rows / best
    print(
        f"  batch: {best:.3f} s for {args.rows:,} (best of 3: {', '.join(f'{t:.3f}' for t in timings)} s) "
        f"-> {batch_rate:,.0f} measurements/s; {int(result.ok.sum()):,} computed, "
        f"{int((~result.ok).sum()):,} outside the reference or refused"
    )

    idx = np.random.default_rng(7).choice(args.rows, size=min(args.sample, args.rows), replace=False)
    elapsed, theirs = rcpchgrowth_sample(rows, idx, args.reference)
    rcpch_rate = len(idx) / elapsed
    print(
        f"  rcpchgrowth Measurement: {elapsed:.2f} s for {len(idx):,} -> {rcpch_rate:,.0f} measurements/s "
        f"({1000 * elapsed / len(idx):.2f} ms each)"
    )
    ratio = batch_rate / rcpch_rate
    print(f"  ratio batch / rcpchgrowth: {ratio:,.0f}x")

    max_diff = 0.0
    disagreements = 0
    compared = 0
    for k, i in enumerate(idx.tolist()):
        mine_ok = bool(result.ok[i])
        their = theirs[k]
        if (their is not None) != mine_ok:
            disagreements += 1
            continue
        if their is not None:
            corrected, chrono, centile = their
            max_diff = max(
                max_diff,
                abs(corrected - result.corrected_sds[i]),
                abs(chrono - result.chronological_sds[i]),
                abs(centile - result.corrected_centile[i]),
            )
            compared += 1
    print(
        f"  sample: {compared:,} rows compared, max abs difference {max_diff:.3g} "
        f"(SDS and centile), {disagreements} rows where only one side gave a result"
    )

    failures = []
    if batch_rate < MIN_THROUGHPUT:
        failures.append(f"throughput {batch_rate:,.0f}/s is below {MIN_THROUGHPUT:,}/s")
    if max_diff > MAX_DIFFERENCE:
        failures.append(f"max difference {max_diff:.3g} is above {MAX_DIFFERENCE:g}")
    if disagreements:
        failures.append(f"{disagreements} rows computed by only one side")
    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
