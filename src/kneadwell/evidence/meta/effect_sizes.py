"""Study-level effect sizes (yi) and their sampling variances (vi) from raw study data.

Conventions (the same as metafor's `escalc`, so results can be checked against its published output):
- "treatment" is arm 1 and "control" arm 2; every measure is treatment versus control.
- Ratio measures (RR, OR) are returned on the natural-log scale; pooling happens on that scale and
  the summary is exponentiated for reporting.

Formulas (Borenstein et al. 2009, *Introduction to Meta-Analysis*, ch. 4-5; Viechtbauer 2010,
J Stat Softw 36(3), section 3.1):
- log risk ratio  yi = ln[(a/n1)/(c/n2)],           vi = 1/a - 1/n1 + 1/c - 1/n2
- log odds ratio  yi = ln[(a*d)/(b*c)],             vi = 1/a + 1/b + 1/c + 1/d
- risk difference yi = a/n1 - c/n2,                 vi = p1(1-p1)/n1 + p2(1-p2)/n2
  with a, c the events and b = n1 - a, d = n2 - c the non-events.
- mean difference yi = m1 - m2,                     vi = sd1²/n1 + sd2²/n2 (no equal-variance assumption)
- standardised mean difference, Hedges' g: d = (m1 - m2)/sp with the pooled SD
  sp = sqrt(((n1-1)sd1² + (n2-1)sd2²)/(n1+n2-2)); g = J(m)·d with the exact small-sample correction
  J(m) = Γ(m/2) / (sqrt(m/2)·Γ((m-1)/2)), m = n1+n2-2 (Hedges 1981; ≈ 1 - 3/(4m-1));
  vi = 1/n1 + 1/n2 + g²/(2(n1+n2)) (Hedges & Olkin 1985 large-sample variance; metafor's default
  vtype="LS"). Cochrane's RevMan uses g²/(2(n1+n2-3.94)) instead; the difference is small.

Zero cells (continuity correction): when any of a, b, c, d is 0 the log RR/OR is undefined (and the RD
variance can be 0), so 0.5 is added to all four cells of that study's table, and only of that study
(Cochrane Handbook v5.1 §16.9.2; metafor `add=1/2, to="only0"`). A study with no events in either arm
(or all events in both) carries no information about a ratio, so for RR and OR it is excluded and
named in `excluded` rather than imputed (Cochrane Handbook v5.1 §16.9.3, "Studies with no events");
for RD it stays in (its difference, 0, is informative).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from kneadwell.core.marking import gettext

FloatArray = npt.NDArray[np.float64]

CONTINUITY_CORRECTION = 0.5


class Measure(StrEnum):
    RR = "RR"
    OR = "OR"
    RD = "RD"
    MD = "MD"
    SMD = "SMD"

    @property
    def is_ratio(self) -> bool:
        """Ratio measures are analysed on the log scale and reported on the natural scale."""
        return self in (Measure.RR, Measure.OR)

    @property
    def is_binary(self) -> bool:
        return self in (Measure.RR, Measure.OR, Measure.RD)

    @property
    def null_value(self) -> float:
        """The value of 'no effect' on the reporting scale (1 for ratios, 0 otherwise)."""
        return 1.0 if self.is_ratio else 0.0


class EffectSizeError(ValueError):
    """Raw data that cannot give an effect size (the message names the study and the problem)."""


@dataclass(frozen=True)
class EffectSizes:
    """Effect sizes for k studies, ready to pool. `yi` is on the analysis (log for ratios) scale."""

    measure: Measure
    labels: tuple[str, ...]
    yi: FloatArray
    vi: FloatArray
    corrected: tuple[str, ...] = ()  # studies that received the 0.5 continuity correction
    excluded: tuple[str, ...] = ()  # double-zero studies left out of a ratio analysis
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not (len(self.labels) == self.yi.shape[0] == self.vi.shape[0]):
            raise ValueError("labels, yi and vi must have the same length")

    @property
    def k(self) -> int:
        return len(self.labels)


def _labels(labels: Sequence[str] | None, k: int) -> list[str]:
    if labels is None:
        return [f"Study {i + 1}" for i in range(k)]
    if len(labels) != k:
        raise ValueError(f"{len(labels)} labels for {k} studies")
    return list(labels)


def _as_array(values: Sequence[float] | FloatArray | float, name: str) -> FloatArray:
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one value per study")
    if not np.all(np.isfinite(arr)):
        raise EffectSizeError(
            gettext("%(column)s contains a value that is not a finite number") % {"column": name}
        )
    return arr


def binary_effects(
    measure: Measure | str,
    events_treatment: Sequence[float] | FloatArray,
    n_treatment: Sequence[float] | FloatArray,
    events_control: Sequence[float] | FloatArray,
    n_control: Sequence[float] | FloatArray,
    labels: Sequence[str] | None = None,
    correction: float = CONTINUITY_CORRECTION,
) -> EffectSizes:
    """Log RR, log OR or RD per study from 2×2 counts (see the module notes on zero cells)."""
    measure = Measure(measure)
    if not measure.is_binary:
        raise ValueError(f"{measure} is not a measure for binary outcomes (use RR, OR or RD)")
    a = _as_array(events_treatment, "events_treatment")
    n1 = _as_array(n_treatment, "n_treatment")
    c = _as_array(events_control, "events_control")
    n2 = _as_array(n_control, "n_control")
    k = a.shape[0]
    if not (n1.shape[0] == c.shape[0] == n2.shape[0] == k):
        raise ValueError("all count columns must have one value per study")
    names = _labels(labels, k)
    for i in range(k):
        if n1[i] < 1 or n2[i] < 1:
            raise EffectSizeError(
                gettext("%(study)s: each arm needs at least one participant") % {"study": names[i]}
            )
        if not (0 <= a[i] <= n1[i]) or not (0 <= c[i] <= n2[i]):
            raise EffectSizeError(
                gettext("%(study)s: events must lie between 0 and the arm size") % {"study": names[i]}
            )

    b = n1 - a
    d = n2 - c
    uninformative = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    keep = ~uninformative if measure.is_ratio else np.ones(k, dtype=bool)
    excluded = tuple(name for name, drop in zip(names, ~keep, strict=True) if drop)
    a, b, c, d = a[keep], b[keep], c[keep], d[keep]
    kept_names = [name for name, k_ in zip(names, keep, strict=True) if k_]

    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    add = np.where(zero, correction, 0.0)
    a, b, c, d = a + add, b + add, c + add, d + add
    n1c, n2c = a + b, c + d
    corrected = tuple(name for name, z in zip(kept_names, zero, strict=True) if z)

    if measure is Measure.RR:
        yi = np.log(a / n1c) - np.log(c / n2c)
        vi = 1 / a - 1 / n1c + 1 / c - 1 / n2c
    elif measure is Measure.OR:
        yi = np.log(a * d) - np.log(b * c)
        vi = 1 / a + 1 / b + 1 / c + 1 / d
    else:
        p1, p2 = a / n1c, c / n2c
        yi = p1 - p2
        vi = p1 * (1 - p1) / n1c + p2 * (1 - p2) / n2c
    notes: list[str] = []
    if corrected:
        notes.append(
            gettext("0.5 added to every cell of the tables with a zero cell: %(studies)s")
            % {"studies": ", ".join(corrected)}
        )
    if excluded:
        notes.append(
            gettext(
                "no events in either arm (or all events in both), left out of the %(measure)s: %(studies)s"
            )
            % {"measure": measure, "studies": ", ".join(excluded)}
        )
    return EffectSizes(measure, tuple(kept_names), yi, vi, corrected, excluded, tuple(notes))


def hedges_correction(df: FloatArray | float) -> FloatArray:
    """Exact small-sample bias correction J(m) for Cohen's d (Hedges 1981), computed in log space
    so that large m does not overflow the gamma function."""
    from scipy.special import gammaln  # here, not at the top: the URL conf imports this module (issue 11)

    m = np.asarray(df, dtype=np.float64)
    return np.exp(gammaln(m / 2) - 0.5 * np.log(m / 2) - gammaln((m - 1) / 2))


def continuous_effects(
    measure: Measure | str,
    mean_treatment: Sequence[float] | FloatArray,
    sd_treatment: Sequence[float] | FloatArray,
    n_treatment: Sequence[float] | FloatArray,
    mean_control: Sequence[float] | FloatArray,
    sd_control: Sequence[float] | FloatArray,
    n_control: Sequence[float] | FloatArray,
    labels: Sequence[str] | None = None,
) -> EffectSizes:
    """Mean difference or Hedges' g per study from arm means, SDs and sizes."""
    measure = Measure(measure)
    if measure not in (Measure.MD, Measure.SMD):
        raise ValueError(f"{measure} is not a measure for continuous outcomes (use MD or SMD)")
    m1 = _as_array(mean_treatment, "mean_treatment")
    s1 = _as_array(sd_treatment, "sd_treatment")
    n1 = _as_array(n_treatment, "n_treatment")
    m2 = _as_array(mean_control, "mean_control")
    s2 = _as_array(sd_control, "sd_control")
    n2 = _as_array(n_control, "n_control")
    k = m1.shape[0]
    if not all(x.shape[0] == k for x in (s1, n1, m2, s2, n2)):
        raise ValueError("all columns must have one value per study")
    names = _labels(labels, k)
    for i in range(k):
        if n1[i] < 2 or n2[i] < 2:
            raise EffectSizeError(
                gettext("%(study)s: each arm needs at least two participants for an SD") % {"study": names[i]}
            )
        if s1[i] <= 0 or s2[i] <= 0:
            raise EffectSizeError(
                gettext("%(study)s: standard deviations must be greater than 0") % {"study": names[i]}
            )

    if measure is Measure.MD:
        yi = m1 - m2
        vi = s1**2 / n1 + s2**2 / n2
    else:
        df = n1 + n2 - 2
        sp = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / df)
        g = hedges_correction(df) * (m1 - m2) / sp
        yi = g
        vi = 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))
    return EffectSizes(measure, tuple(names), yi, vi)


def generic_effects(
    measure: Measure | str,
    yi: Sequence[float] | FloatArray,
    vi: Sequence[float] | FloatArray,
    labels: Sequence[str] | None = None,
) -> EffectSizes:
    """Effect sizes already computed elsewhere. For RR and OR, `yi` must be the natural log of the
    ratio (as in metafor and RevMan exports); `vi` is the sampling variance on that scale."""
    measure = Measure(measure)
    y = _as_array(yi, "yi")
    v = _as_array(vi, "vi")
    if y.shape != v.shape:
        raise ValueError("yi and vi must have one value per study")
    names = _labels(labels, y.shape[0])
    for i in range(y.shape[0]):
        if v[i] <= 0:
            raise EffectSizeError(
                gettext("%(study)s: the sampling variance vi must be greater than 0") % {"study": names[i]}
            )
    return EffectSizes(measure, tuple(names), y, v)
