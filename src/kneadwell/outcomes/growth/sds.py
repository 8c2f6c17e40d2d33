"""From LMS values to SDS and back (rules 3 to 6 in :mod:`kneadwell.outcomes.growth.zscores`):
rcpchgrowth 4.6's ``sds_for_measurement``, the WHO restricted tails, CDC's extended BMI, centiles, and the
measurement at a given SDS (the centile lines of the charts)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri

from kneadwell.outcomes.growth.lms import (
    LmsValues,
    _AgeStatus,
    _limit_arrays,
    _limit_status,
    _lms_for_ages,
    _lms_for_days,
    lookup_lms,
)
from kneadwell.outcomes.growth.references import (
    METHOD_CODE,
    SEX_CODE,
    SEXES,
    TWO_YEARS,
    check_reference,
    lms_table,
    section_index,
)


@dataclass
class AgeSds:
    """SDS for decimal ages (the core of :func:`batch_sds`)."""

    sds: NDArray[np.float64]
    status: NDArray[np.int8]  # _AgeStatus


def sds_for_ages(
    reference: str,
    method_code: NDArray[np.int8],
    sex_code: NDArray[np.int8],
    age: NDArray[np.float64],
    value: NDArray[np.float64],
    days: NDArray[np.int64] | None = None,
) -> AgeSds:
    """SDS of ``value`` at decimal ``age`` (rcpchgrowth's ``sds_for_measurement``), vectorised.

    ``method_code`` and ``sex_code`` must be valid codes (see ``references.METHOD_CODE``/``SEX_CODE``).
    When the ages come from whole days, pass ``days`` too (``age`` must then be ``days / 365.25``): the
    LMS values are then gathered from a per-day table instead of searched for, with identical results."""
    check_reference(reference)
    n = age.shape[0]
    sds = np.full(n, np.nan)
    status = _limit_status(reference, method_code, sex_code, age)
    if days is None:
        lms = _lms_for_ages(reference, method_code, sex_code, age, status)
    else:
        lms = _lms_for_days(reference, method_code, sex_code, days, status)
    ok = status == _AgeStatus.OK
    with np.errstate(all="ignore"):
        rows = np.flatnonzero(ok)
        lv, mv, sv, obs = lms.l[rows], lms.m[rows], lms.s[rows], value[rows]
        ratio = obs / mv
        z = np.where(lv != 0, (ratio**lv - 1) / (lv * sv), np.log(ratio) / sv)
        if reference == "who":
            z = _who_restricted_tails(z, lv, mv, sv, obs, method_code[rows], age[rows])
        if reference == "cdc":
            z = _cdc_extended_bmi(z, lv, mv, sv, lms.sigma[rows], obs, method_code[rows])
        sds[rows] = z
    bad = ok & ~np.isfinite(sds)
    status[bad] = _AgeStatus.NOT_COMPUTABLE
    sds[bad] = np.nan
    return AgeSds(sds=sds, status=status)


def _who_restricted_tails(
    z: NDArray[np.float64],
    lv: NDArray[np.float64],
    mv: NDArray[np.float64],
    sv: NDArray[np.float64],
    obs: NDArray[np.float64],
    method_code: NDArray[np.int8],
    age: NDArray[np.float64],
) -> NDArray[np.float64]:
    """WHO's rule beyond ±3 SD, where rcpchgrowth applies it (all measurements < 5 y; weight, BMI ≥ 5 y)."""
    weight_or_bmi = (method_code == METHOD_CODE["weight"]) | (method_code == METHOD_CODE["bmi"])
    applies = (weight_or_bmi & (age >= 5)) | (age < 5)
    z = z.copy()
    upper = applies & (z > 3)
    lower = applies & (z < -3)
    # L = 0 would divide by zero in rcpchgrowth (1 / l); no WHO table has it, but never return a number then.
    z[(upper | lower) & (lv == 0)] = np.nan
    upper &= lv != 0
    lower &= lv != 0
    if upper.any():
        l_, m_, s_, o_ = lv[upper], mv[upper], sv[upper], obs[upper]
        sd3pos = m_ * (1 + l_ * s_ * 3) ** (1 / l_)
        sd2pos = m_ * (1 + l_ * s_ * 2) ** (1 / l_)
        z[upper] = 3 + ((o_ - sd3pos) / (sd3pos - sd2pos))
    if lower.any():
        l_, m_, s_, o_ = lv[lower], mv[lower], sv[lower], obs[lower]
        sd3neg = m_ * (1 + l_ * s_ * -3) ** (1 / l_)
        sd2neg = m_ * (1 + l_ * s_ * -2) ** (1 / l_)
        z[lower] = -3 + ((o_ - sd3neg) / (sd2neg - sd3neg))
    return z


def _cdc_extended_bmi(
    z: NDArray[np.float64],
    lv: NDArray[np.float64],
    mv: NDArray[np.float64],
    sv: NDArray[np.float64],
    sigma: NDArray[np.float64],
    obs: NDArray[np.float64],
    method_code: NDArray[np.int8],
) -> NDArray[np.float64]:
    """CDC extended BMI-for-age above the 95th centile (CDC 2022), as rcpchgrowth computes it."""
    bmi = method_code == METHOD_CODE["bmi"]
    if not bmi.any():
        return z
    z = z.copy()
    rows = np.flatnonzero(bmi)
    l_, m_, s_, o_, sg = lv[rows], mv[rows], sv[rows], obs[rows], sigma[rows]
    p95 = m_ * (1 + l_ * s_ * 1.645) ** (1 / l_)
    above = o_ > p95
    centile = ndtr((o_[above] - p95[above]) / sg[above]) * 10 + 90
    z[rows[above]] = ndtri(centile / 100)
    return z


def centile_for_sds(sds: ArrayLike) -> NDArray[np.float64]:
    """Centile (0-100) for SDS, as rcpchgrowth's ``centile()`` (100 · standard normal CDF)."""
    result: NDArray[np.float64] = ndtr(np.asarray(sds, dtype=np.float64)) * 100
    return result


def value_for_sds(reference: str, method: str, sex: str, age: ArrayLike, sds: float) -> NDArray[np.float64]:
    """Measurement at each decimal age that has the given SDS (rcpchgrowth's ``measurement_from_sds``,
    without its rounding): M·(1 + L·S·z)^(1/L); CDC BMI above the 95th centile on the extended scale.
    NaN where the age is outside the reference or the LMS curve has no value for that SDS."""
    ages = np.atleast_1d(np.asarray(age, dtype=np.float64))
    n = ages.shape[0]
    mc = np.full(n, METHOD_CODE[method], dtype=np.int8)
    out = np.full(n, np.nan)
    low, high, has = _limit_arrays(reference)
    k = METHOD_CODE[method] * len(SEXES) + SEX_CODE[sex]
    if not has[k]:
        return out
    inside = (ages >= low[k]) & (ages <= high[k])
    sec = section_index(reference, mc, ages)
    for section in np.unique(sec[inside]):
        rows = np.flatnonzero(inside & (sec == section))
        table = lms_table(reference, int(section), method, sex)
        if table is None:
            continue
        a = ages[rows]
        if reference in ("uk-who", "who"):
            a = np.where(a == TWO_YEARS, np.clip(a, table.ages[0], table.ages[-1]), a)
        lms = lookup_lms(table, a, linear_only=reference == "who")
        values = values_from_lms(lms, sds, cdc_bmi=reference == "cdc" and method == "bmi")
        values[lms.gap] = np.nan
        out[rows] = values
    return out


def values_from_lms(lms: LmsValues, sds: float, *, cdc_bmi: bool = False) -> NDArray[np.float64]:
    """M·(1 + L·S·z)^(1/L) (M·e^(S·z) when L = 0); NaN where 1 + L·S·z < 0 (rcpchgrowth's
    ``measurement_for_z`` returns None there). CDC BMI above z = 1.645 uses the extended scale."""
    with np.errstate(all="ignore"):
        base = 1 + lms.l * lms.s * sds
        safe_l = np.where(lms.l != 0, lms.l, 1.0)
        values: NDArray[np.float64] = np.where(
            lms.l != 0, base ** (1 / safe_l) * lms.m, np.exp(lms.s * sds) * lms.m
        )
        values = np.where((lms.l != 0) & (base < 0), np.nan, values)
        if cdc_bmi and lms.sigma is not None and sds > 1.645:
            p95 = lms.m * (1 + lms.l * lms.s * 1.645) ** (1 / safe_l)
            values = float(ndtri((float(ndtr(sds)) * 100 - 90) / 10)) * lms.sigma + p95
    return values
