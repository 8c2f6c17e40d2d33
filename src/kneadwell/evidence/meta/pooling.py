"""Inverse-variance pooling: fixed effect and random effects with three τ² estimators.

Model (Viechtbauer 2010, J Stat Softw 36(3), section 2): yi = μ + ui + ei with ei ~ N(0, vi) known and
ui ~ N(0, τ²). Given τ², the weights are wi = 1/(vi + τ²), μ̂ = Σwi·yi/Σwi and SE(μ̂) = 1/sqrt(Σwi);
the confidence interval and test use the normal distribution (metafor's default `test="z"`).

τ² estimators (all truncated at 0, as every standard package does):
- DL, DerSimonian & Laird (1986): one-step method of moments, τ² = (Q - (k-1)) / (Σw - Σw²/Σw) with
  fixed-effect weights w = 1/vi.
- PM, Paule & Mandel (1982): the τ² at which the generalised Q statistic Σ wi(τ²)(yi - μ̂(τ²))² equals
  its expectation k-1; found by bracketing and Brent's method (the left side decreases in τ²).
  DerSimonian & Kacker (2007, Contemp Clin Trials 28:105-114) show that iterating DL converges to it.
- REML, restricted maximum likelihood (Viechtbauer 2005, J Educ Behav Stat 30:261-293; metafor's
  default): Fisher scoring on the restricted log-likelihood with the step
  Δ = [Σ wi²(yi - μ̂)² - tr P] / tr(P²), where tr P = Σwi - Σwi²/Σwi and
  tr(P²) = Σwi² - 2Σwi³/Σwi + (Σwi²)²/(Σwi)². Because that likelihood can have more than one
  maximum, every sign change of the score found on a grid is refined (with a bisection safeguard
  against the oscillation Fisher scoring can fall into) until |Δτ²| < 1e-10·max(1, τ²), at most 200
  steps each, else ConvergenceError; the candidate (or τ² = 0) with the highest likelihood wins.

Heterogeneity (Higgins & Thompson 2002, Stat Med 21:1539): Q uses fixed-effect weights and is compared
with χ²(k-1); I² = τ²/(τ² + s²) and H² = (τ² + s²)/s² with the "typical" within-study variance
s² = (k-1)Σw / ((Σw)² - Σw²). This is how metafor reports I² for every estimator; for DL it equals
(Q - df)/Q. With one study there is nothing to estimate: τ², I², H² and Q's p-value are None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from kneadwell.core.marking import gettext
from kneadwell.evidence.meta.effect_sizes import EffectSizes, FloatArray, Measure

REML_TOLERANCE = 1e-10
REML_MAX_ITER = 200
PM_TOLERANCE = 1e-12


class Method(StrEnum):
    FE = "FE"
    DL = "DL"
    REML = "REML"
    PM = "PM"


# REML is the default, as in metafor, so results are comparable with its published examples.
# Veroniki et al. (2016, Res Synth Methods 7:55-79) found Paule-Mandel (binary and continuous data)
# and REML (continuous data) better than DerSimonian-Laird; both are offered.
DEFAULT_METHOD = Method.REML


class ConvergenceError(RuntimeError):
    """The iterative τ² estimator did not settle; the result would not be trustworthy. `reason` is the
    message without the command's advice (a page offers the other methods in its own words)."""

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason if reason is not None else message.split("; try --method")[0]


@dataclass(frozen=True)
class Tau2Estimate:
    tau2: float
    iterations: int
    converged: bool


def _check(yi: FloatArray, vi: FloatArray) -> tuple[FloatArray, FloatArray]:
    y = np.asarray(yi, dtype=np.float64)
    v = np.asarray(vi, dtype=np.float64)
    if y.ndim != 1 or y.shape != v.shape or y.shape[0] == 0:
        raise ValueError("yi and vi must be non-empty, one value per study")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise ValueError("yi and vi must be finite numbers")
    if np.any(v <= 0):
        raise ValueError("every sampling variance vi must be greater than 0")
    return y, v


def _weighted_mean(y: FloatArray, w: FloatArray) -> float:
    return float(np.sum(w * y) / np.sum(w))


def cochran_q(yi: FloatArray, vi: FloatArray) -> float:
    """Cochran's Q with fixed-effect (1/vi) weights."""
    y, v = _check(yi, vi)
    w = 1 / v
    return float(np.sum(w * (y - _weighted_mean(y, w)) ** 2))


def tau2_dersimonian_laird(yi: FloatArray, vi: FloatArray) -> float:
    y, v = _check(yi, vi)
    k = y.shape[0]
    if k == 1:
        return 0.0
    w = 1 / v
    q = float(np.sum(w * (y - _weighted_mean(y, w)) ** 2))
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return max(0.0, (q - (k - 1)) / c)


def _generalised_q(tau2: float, y: FloatArray, v: FloatArray) -> float:
    w = 1 / (v + tau2)
    return float(np.sum(w * (y - _weighted_mean(y, w)) ** 2))


def tau2_paule_mandel(yi: FloatArray, vi: FloatArray) -> Tau2Estimate:
    y, v = _check(yi, vi)
    k = y.shape[0]
    if k == 1:
        return Tau2Estimate(0.0, 0, True)
    target = k - 1

    def excess(tau2: float) -> float:
        return _generalised_q(tau2, y, v) - target

    if excess(0.0) <= 0:
        return Tau2Estimate(0.0, 0, True)
    # Bracket the root: Q(τ²) falls towards 0 as τ² grows, so doubling eventually overshoots.
    upper = max(float(np.var(y, ddof=1)), float(np.max(v)), 1e-8)
    doublings = 0
    while excess(upper) > 0:
        upper *= 2
        doublings += 1
        if doublings > 200:
            raise ConvergenceError(gettext("Paule-Mandel: could not bracket τ² (Q does not fall to k-1)"))
    from scipy import optimize  # here, not at the top: the URL conf imports this module (issue 11)

    root, info = optimize.brentq(excess, 0.0, upper, xtol=PM_TOLERANCE, full_output=True)
    if not info.converged:
        raise ConvergenceError(
            gettext("Paule-Mandel: root search stopped (%(flag)s)") % {"flag": info.flag}
        )
    return Tau2Estimate(float(root), int(info.iterations) + doublings, True)


def reml_log_likelihood(tau2: float, yi: FloatArray, vi: FloatArray) -> float:
    """Restricted log-likelihood of the random-effects model, up to a constant."""
    y, v = _check(yi, vi)
    w = 1 / (v + tau2)
    mu = _weighted_mean(y, w)
    return float(-0.5 * (np.sum(np.log(v + tau2)) + math.log(float(np.sum(w)))
                         + np.sum(w * (y - mu) ** 2)))


def _reml_score_and_information(tau2: float, y: FloatArray, v: FloatArray) -> tuple[float, float]:
    """Twice the REML score, Σwi²(yi - μ̂)² - tr P, and twice the expected information, tr(P²)."""
    w = 1 / (v + tau2)
    sw, sw2, sw3 = float(np.sum(w)), float(np.sum(w**2)), float(np.sum(w**3))
    mu = float(np.sum(w * y) / sw)
    trace_p = sw - sw2 / sw
    trace_pp = sw2 - 2 * sw3 / sw + sw2**2 / sw**2
    return float(np.sum(w**2 * (y - mu) ** 2)) - trace_p, trace_pp


def _reml_refine(
    lo: float, hi: float, y: FloatArray, v: FloatArray, tol: float, max_iter: int
) -> tuple[float, int]:
    """Fisher scoring for a root of the score inside [lo, hi] (score(lo) > 0 ≥ score(hi)).

    Plain Fisher scoring can overshoot and oscillate around the maximum with growing amplitude (it
    does, for example, for eleven studies at 0 with variance 1 and one at 2 with variance 0.5), so,
    as in Numerical Recipes' `rtsafe`, every point narrows the bracket and a step that would leave
    it, or that is not half the previous one, is replaced by the midpoint.
    """
    tau2 = (lo + hi) / 2
    previous_step = math.inf
    for iteration in range(1, max_iter + 1):
        score, information = _reml_score_and_information(tau2, y, v)
        if score > 0:
            lo = tau2
        else:
            hi = tau2
        new = tau2 + score / information
        if not lo < new < hi or abs(new - tau2) > previous_step / 2:
            new = (lo + hi) / 2
        previous_step = abs(new - tau2)
        if previous_step <= tol * max(1.0, tau2):
            return new, iteration
        tau2 = new
    reason = gettext("REML: τ² did not converge in %(steps)s Fisher-scoring steps (last value %(tau2)s)") % {
        "steps": max_iter,
        "tau2": f"{tau2:.6g}",
    }
    raise ConvergenceError(reason + "; " + gettext("try --method DL or PM"), reason=reason)


def tau2_reml(
    yi: FloatArray, vi: FloatArray, *, tol: float = REML_TOLERANCE, max_iter: int = REML_MAX_ITER
) -> Tau2Estimate:
    """REML τ²: the global maximum of the restricted likelihood on [0, ∞).

    The restricted likelihood can have more than one local maximum (for yi = 0, 0, 3 with
    vi = 1/8, 1/32, 1 it falls away from τ² = 0 yet peaks again near τ² ≈ 3), so a search that only
    climbs from one start can stop at the wrong one. We scan the sign of the score on a grid (0 and
    400 geometric steps up to well past the spread of the data), refine every sign change from + to
    − by safeguarded Fisher scoring, count τ² = 0 as a candidate when the score there is ≤ 0, and
    keep the candidate with the highest likelihood.
    """
    y, v = _check(yi, vi)
    if y.shape[0] == 1:
        return Tau2Estimate(0.0, 0, True)
    upper = 100 * (float(np.var(y, ddof=1)) + float(np.max(v))) + 1e-8
    while _reml_score_and_information(upper, y, v)[0] > 0:  # the score is negative for large τ²
        upper *= 10
    grid = np.concatenate(([0.0], np.geomspace(upper * 1e-12, upper, 400)))
    scores = [_reml_score_and_information(float(t), y, v)[0] for t in grid]
    candidates: list[float] = [0.0] if scores[0] <= 0 else []
    iterations = 0
    for i in range(len(grid) - 1):
        if scores[i] > 0 >= scores[i + 1]:
            root, steps = _reml_refine(float(grid[i]), float(grid[i + 1]), y, v, tol, max_iter)
            candidates.append(root)
            iterations += steps
    if not candidates:  # unreachable: the score is negative at `upper`
        raise ConvergenceError(gettext("REML: no maximum of the restricted likelihood was found"))
    best = max(candidates, key=lambda t: reml_log_likelihood(t, y, v))
    return Tau2Estimate(best, iterations, True)


@dataclass(frozen=True)
class PooledEstimate:
    """A pooled effect on the analysis scale (log scale for ratio measures)."""

    method: Method
    k: int
    mu: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    tau2: float | None
    q: float
    q_df: int
    q_p_value: float | None
    i2: float | None  # percent
    h2: float | None
    weights: FloatArray  # percent, summing to 100
    iterations: int
    level: float


def pool(
    yi: FloatArray, vi: FloatArray, method: Method | str = DEFAULT_METHOD, level: float = 0.95
) -> PooledEstimate:
    """Pool effect sizes with the chosen model. `method` FE gives the fixed-effect (common-effect)
    model; DL, REML and PM give random-effects models with that τ² estimator."""
    y, v = _check(yi, vi)
    method = Method(method)
    if not 0 < level < 1:
        raise ValueError("level must lie between 0 and 1")
    k = y.shape[0]
    iterations = 0
    if method is Method.FE or k == 1:
        tau2 = 0.0
    elif method is Method.DL:
        tau2 = tau2_dersimonian_laird(y, v)
    elif method is Method.PM:
        est = tau2_paule_mandel(y, v)
        tau2, iterations = est.tau2, est.iterations
    else:
        est = tau2_reml(y, v)
        tau2, iterations = est.tau2, est.iterations

    w = 1 / (v + tau2)
    sw = float(np.sum(w))
    mu = float(np.sum(w * y) / sw)
    se = math.sqrt(1 / sw)
    z = mu / se
    from scipy import stats  # here, not at the top: the URL conf imports this module (issue 11)

    p_value = float(2 * stats.norm.sf(abs(z)))
    crit = float(stats.norm.ppf(0.5 + level / 2))

    q = cochran_q(y, v)
    q_df = k - 1
    if k == 1:
        q_p_value: float | None = None
        i2: float | None = None
        h2: float | None = None
        tau2_out: float | None = None
    else:
        q_p_value = float(stats.chi2.sf(q, q_df))
        fe_w = 1 / v
        s2 = q_df * float(np.sum(fe_w)) / (float(np.sum(fe_w)) ** 2 - float(np.sum(fe_w**2)))
        if method is Method.FE:
            # No τ² in the fixed-effect model: report Higgins' I² from Q directly.
            i2 = max(0.0, (q - q_df) / q) * 100 if q > 0 else 0.0
            h2 = q / q_df
            tau2_out = 0.0
        else:
            i2 = 100 * tau2 / (tau2 + s2)
            h2 = (tau2 + s2) / s2
            tau2_out = tau2
    return PooledEstimate(
        method=method, k=k, mu=mu, se=se, z=z, p_value=p_value,
        ci_low=mu - crit * se, ci_high=mu + crit * se,
        tau2=tau2_out, q=q, q_df=q_df, q_p_value=q_p_value, i2=i2, h2=h2,
        weights=100 * w / sw, iterations=iterations, level=level,
    )


@dataclass(frozen=True)
class MetaResult:
    """A pooled result with its studies, reported on the natural scale of the measure."""

    measure: Measure
    effects: EffectSizes
    pooled: PooledEstimate

    @property
    def k(self) -> int:
        return self.pooled.k

    def _report(self, x: float) -> float:
        return math.exp(x) if self.measure.is_ratio else x

    @property
    def estimate(self) -> float:
        return self._report(self.pooled.mu)

    @property
    def ci_low(self) -> float:
        return self._report(self.pooled.ci_low)

    @property
    def ci_high(self) -> float:
        return self._report(self.pooled.ci_high)

    @property
    def log_estimate(self) -> float | None:
        return self.pooled.mu if self.measure.is_ratio else None

    def study_intervals(self) -> list[tuple[str, float, float, float, float]]:
        """(label, estimate, ci_low, ci_high, weight %) per study on the reporting scale."""
        from scipy import stats

        crit = float(stats.norm.ppf(0.5 + self.pooled.level / 2))
        rows = []
        for label, y, v, wt in zip(self.effects.labels, self.effects.yi, self.effects.vi,
                                   self.pooled.weights, strict=True):
            half = crit * math.sqrt(float(v))
            rows.append((label, self._report(float(y)), self._report(float(y) - half),
                         self._report(float(y) + half), float(wt)))
        return rows

    def to_json_dict(self) -> dict[str, object]:
        """The `kneadwell meta` output: exactly these keys (ARCHITECTURE.md contract). `se` and
        `tau2` are on the analysis scale (log scale for RR and OR)."""
        p = self.pooled
        return {
            "k": p.k,
            "measure": str(self.measure),
            "method": str(p.method),
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "log_estimate": self.log_estimate,
            "se": p.se,
            "tau2": p.tau2,
            "i2": p.i2,
            "q": p.q,
            "p_value": p.p_value,
        }


def meta_analyse(
    effects: EffectSizes, method: Method | str = DEFAULT_METHOD, level: float = 0.95
) -> MetaResult:
    if effects.k == 0:
        raise ValueError("no studies left to pool")
    return MetaResult(effects.measure, effects, pool(effects.yi, effects.vi, method, level))


__all__ = [
    "DEFAULT_METHOD",
    "ConvergenceError",
    "Measure",
    "MetaResult",
    "Method",
    "PooledEstimate",
    "Tau2Estimate",
    "cochran_q",
    "meta_analyse",
    "pool",
    "reml_log_likelihood",
    "tau2_dersimonian_laird",
    "tau2_paule_mandel",
    "tau2_reml",
]
