"""`kneadwell meta`: pool a CSV of studies and print the result as JSON (ARCHITECTURE.md contract).

Output keys, exactly: k, measure, method, estimate, ci_low, ci_high, log_estimate, se, tau2, i2, q,
p_value. `estimate` and the 95% CI are on the natural scale (ratios for RR/OR); `log_estimate` is
the pooled log ratio for RR/OR and null otherwise; `se` and `tau2` are on the analysis (log) scale;
`i2` is a percentage; `p_value` tests the pooled effect against no effect (z test), not Q.
With one study, `tau2` and `i2` are null (nothing to estimate).

Exit codes: 0 printed a result; 2 the file or a row is unusable (the message names line and column);
1 the τ² iteration did not converge. Notes (continuity corrections, excluded studies) go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Final

# The names of `effect_sizes.Measure` and `pooling.Method` (a test keeps them equal): spelt out here so that
# building the parser does not import numpy and scipy, which only `run` needs.
MEASURES: Final = ("RR", "OR", "RD", "MD", "SMD")
RANDOM_EFFECTS_METHODS: Final = ("REML", "DL", "PM")
DEFAULT_METHOD: Final = "REML"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "meta",
        help="pool studies (random-effects meta-analysis) from a CSV file",
        description=(
            "Random-effects meta-analysis of a CSV table of studies. Columns: binary "
            "(study, events_treatment, n_treatment, events_control, n_control), continuous "
            "(study, mean_treatment, sd_treatment, n_treatment, mean_control, sd_control, n_control) "
            "or generic (study, yi, vi; yi as a log ratio for RR/OR). Prints JSON."
        ),
    )
    parser.add_argument("--in", dest="in_path", required=True, type=Path, metavar="FILE.csv",
                        help="the study table (UTF-8 CSV with a header row)")
    parser.add_argument("--measure", required=True, type=str.upper,
                        choices=MEASURES,
                        help="RR, OR, RD (binary outcomes) or MD, SMD (continuous outcomes)")
    parser.add_argument("--method", default=DEFAULT_METHOD, type=str.upper,
                        choices=RANDOM_EFFECTS_METHODS,
                        help="τ² estimator: REML (default), DL (DerSimonian-Laird) or PM (Paule-Mandel)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kneadwell.evidence.meta.csv_input import StudyTableError, read_study_table
    from kneadwell.evidence.meta.effect_sizes import Measure
    from kneadwell.evidence.meta.pooling import ConvergenceError, Method, meta_analyse

    measure = Measure(args.measure)
    method = Method(args.method)
    try:
        effects = read_study_table(args.in_path, measure)
    except StudyTableError as exc:
        print(f"kneadwell meta: {exc}", file=sys.stderr)
        return 2
    for note in effects.notes:
        print(f"kneadwell meta: note: {note}", file=sys.stderr)
    if effects.k == 0:
        print("kneadwell meta: no study has information on this measure (every study had no events "
              "in either arm)", file=sys.stderr)
        return 2
    try:
        result = meta_analyse(effects, method)
    except ConvergenceError as exc:
        print(f"kneadwell meta: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result.to_json_dict(), indent=2))
    return 0
