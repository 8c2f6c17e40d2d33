"""The analysis of one outcome, with statsmodels (no regression written by hand).

Continuous outcomes: per arm n, mean and SD; each arm against the control arm as a difference in means
with its 95% CI from ordinary least squares, ``y ~ C(arm, Treatment("<control>"))`` (the unadjusted
difference), and, where the outcome has a baseline, analysis of covariance
``y ~ C(arm, ...) + y_baseline`` (Vickers and Altman 2001 [VICKERS-ALTMAN-2001]: ANCOVA, not change
scores, is the efficient analysis of a trial with baseline and follow-up measurements), adding the
stratification factors as ``C(stratum)`` when the allocation was stratified (EMA 2015 [EMA-COVARIATES-2015]:
factors used to stratify the randomisation are included in the primary analysis). The headline estimate
is the adjusted one when there is one.

Binary outcomes: per arm events/n; the risk ratio with Koopman's score interval and the risk difference
with Newcombe's hybrid score interval, both from statsmodels' ``confint_proportions_2indep`` (the methods
Fagerland et al. 2015 [FAGERLAND-2015] recommend), and Fisher's exact p-value from scipy.

Who is analysed is the caller's choice of rows: intention to treat by default (everyone randomised, in the
arm they were allocated to, whatever they received); participants without the outcome are counted as
missing, never imputed. No Django import.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

CONFIDENCE: Final = 0.95
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ArmInfo:
    code: str
    label: str
    is_control: bool


@dataclass(frozen=True)
class Record:
    """One randomised participant's row for one outcome."""

    arm: str
    value: float | None
    baseline: float | None = None
    stratum: str = "all"


@dataclass
class ArmSummary:
    code: str
    label: str
    randomised: int
    analysed: int
    mean: float | None = None
    sd: float | None = None
    events: int | None = None
    baseline_mean: float | None = None

    @property
    def missing(self) -> int:
        return self.randomised - self.analysed


@dataclass
class Comparison:
    arm: str
    control: str
    measure: str  # "difference in means", "adjusted difference (ANCOVA)", "risk ratio", "risk difference"
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    n: int
    model: str = ""  # the statsmodels formula or function, so the figure can be checked
    note: str = ""


@dataclass
class OutcomeResult:
    kind: str  # "continuous" | "binary"
    arms: list[ArmSummary]
    comparisons: list[Comparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def headline(self, arm: str) -> Comparison | None:
        """The comparison to report first for an arm: adjusted when there is one, else unadjusted; for
        binary outcomes the risk ratio."""
        mine = [c for c in self.comparisons if c.arm == arm]
        for measure in ("adjusted difference (ANCOVA)", "difference in means", "risk ratio"):
            for c in mine:
                if c.measure == measure and c.estimate is not None:
                    return c
        return mine[0] if mine else None


def _control(arms: Sequence[ArmInfo]) -> ArmInfo:
    controls = [a for a in arms if a.is_control]
    return controls[0] if controls else arms[-1]


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _treatment(arm_column: str, control: str) -> str:
    return f'C({arm_column}, Treatment("{control}"))'


def continuous(
    records: Sequence[Record],
    arms: Sequence[ArmInfo],
    *,
    outcome: str = "y",
    with_baseline: bool = False,
    stratified: bool = False,
) -> OutcomeResult:
    """`outcome` names the column (the dataset's variable), so the formula reads as it would on the
    exported file: ``weight_gain ~ C(arm, Treatment("control")) + weight_gain_baseline + C(stratum)``."""
    if not _NAME.match(outcome):
        raise ValueError(f"{outcome!r} is not a variable name")
    control = _control(arms)
    result = OutcomeResult("continuous", [])
    for arm in arms:
        mine = [r for r in records if r.arm == arm.code]
        values = [r.value for r in mine if r.value is not None]
        bases = [r.baseline for r in mine if r.baseline is not None]
        result.arms.append(
            ArmSummary(
                arm.code,
                arm.label,
                randomised=len(mine),
                analysed=len(values),
                mean=statistics.fmean(values) if values else None,
                sd=statistics.stdev(values) if len(values) > 1 else None,
                baseline_mean=statistics.fmean(bases) if bases else None,
            )
        )
    complete = [r for r in records if r.value is not None]
    frame = _frame(complete, outcome)
    others = [a for a in arms if a.code != control.code]
    unadjusted = f"{outcome} ~ {_treatment('arm', control.code)}"
    result.comparisons += _ols(frame, unadjusted, others, control, "difference in means")
    if with_baseline:
        adjusted = [r for r in complete if r.baseline is not None]
        formula = f"{unadjusted} + {outcome}_baseline"
        strata_present = {r.stratum for r in adjusted}
        if stratified and len(strata_present) > 1:
            formula += " + C(stratum)"
        elif stratified:
            result.notes.append("Only one stratum has data, so the strata are not in the model.")
        result.comparisons += _ols(
            _frame(adjusted, outcome), formula, others, control, "adjusted difference (ANCOVA)"
        )
    return result


def _frame(records: Sequence[Record], outcome: str) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "arm": [r.arm for r in records],
            outcome: [r.value for r in records],
            f"{outcome}_baseline": [r.baseline for r in records],
            "stratum": [r.stratum for r in records],
        }
    )


def _ols(
    frame: Any, formula: str, others: Sequence[ArmInfo], control: ArmInfo, measure: str
) -> list[Comparison]:
    import statsmodels.formula.api as smf

    comparisons = []
    counts = frame["arm"].value_counts().to_dict() if len(frame) else {}
    fitted = None
    problem = ""
    if counts.get(control.code, 0) < 1 or len(frame) < 3:
        problem = "Too few participants with this outcome to compare the arms."
    else:
        try:
            fitted = smf.ols(formula, data=frame).fit()
        except Exception as exc:  # patsy/numpy refuse a singular or empty design; say so, do not crash
            problem = f"The model could not be fitted ({type(exc).__name__})."
    for arm in others:
        n = int(counts.get(arm.code, 0) + counts.get(control.code, 0))
        term = f"{_treatment('arm', control.code)}[T.{arm.code}]"
        if fitted is None or term not in fitted.params.index or counts.get(arm.code, 0) < 1:
            comparisons.append(
                Comparison(
                    arm.code,
                    control.code,
                    measure,
                    None,
                    None,
                    None,
                    None,
                    n,
                    formula,
                    problem or f"No participant of {arm.label} has this outcome.",
                )
            )
            continue
        low, high = fitted.conf_int(alpha=1 - CONFIDENCE).loc[term]
        comparisons.append(
            Comparison(
                arm.code,
                control.code,
                measure,
                _finite(fitted.params[term]),
                _finite(low),
                _finite(high),
                _finite(fitted.pvalues[term]),
                n,
                formula,
                "" if fitted.df_resid > 0 else "No residual degrees of freedom: the interval is undefined.",
            )
        )
    return comparisons


def binary(records: Sequence[Record], arms: Sequence[ArmInfo]) -> OutcomeResult:
    """`value` is 1 (event) or 0; None is missing."""
    from scipy.stats import fisher_exact
    from statsmodels.stats.proportion import confint_proportions_2indep

    control = _control(arms)
    result = OutcomeResult("binary", [])
    tallies: dict[str, tuple[int, int]] = {}
    for arm in arms:
        mine = [r for r in records if r.arm == arm.code]
        known = [r.value for r in mine if r.value is not None]
        events = sum(1 for v in known if v)
        tallies[arm.code] = (events, len(known))
        result.arms.append(ArmSummary(arm.code, arm.label, len(mine), len(known), events=events))
    e0, n0 = tallies[control.code]
    for arm in arms:
        if arm.code == control.code:
            continue
        e1, n1 = tallies[arm.code]
        if n1 == 0 or n0 == 0:
            note = "An arm has no participant with this outcome."
            for measure in ("risk ratio", "risk difference"):
                result.comparisons.append(
                    Comparison(arm.code, control.code, measure, None, None, None, None, n1 + n0, note=note)
                )
            continue
        p_value = float(fisher_exact([[e1, n1 - e1], [e0, n0 - e0]])[1])
        ratio = (e1 / n1) / (e0 / n0) if e0 else None
        low, high = confint_proportions_2indep(e1, n1, e0, n0, method="score", compare="ratio")
        result.comparisons.append(
            Comparison(
                arm.code,
                control.code,
                "risk ratio",
                ratio,
                _finite(low),
                _finite(high),
                p_value,
                n1 + n0,
                'confint_proportions_2indep(method="score", compare="ratio")',
                "" if e0 else "No events in the control arm: the ratio has no finite estimate.",
            )
        )
        low, high = confint_proportions_2indep(e1, n1, e0, n0, method="newcomb", compare="diff")
        result.comparisons.append(
            Comparison(
                arm.code,
                control.code,
                "risk difference",
                e1 / n1 - e0 / n0,
                _finite(low),
                _finite(high),
                p_value,
                n1 + n0,
                'confint_proportions_2indep(method="newcomb", compare="diff")',
            )
        )
    return result
