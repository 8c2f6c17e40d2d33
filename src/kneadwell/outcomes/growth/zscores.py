"""Standard deviation scores (SDS, z-scores) and centiles for growth measurements.

Two paths that give the same numbers:

* :func:`measurement_sds` - one measurement, computed by rcpchgrowth's own ``Measurement`` class (the
  clinically validated implementation). Use it where one value is shown to a person.
* :func:`batch_sds` - numpy arrays of measurements, computed here over rcpchgrowth's LMS tables with a copy
  of its rules, thousands of times faster (benchmarks/bench_growth.py: over a million measurements a second
  on one core). Use it for files, dashboards and reports. The test suite compares it with rcpchgrowth on
  thousands of random cases (difference ≤ 1e-9).

The rules copied from rcpchgrowth 4.6 (``global_functions.py``):

1. The LMS row: if ``round(age, 4)`` equals ``round(table_age, 4)`` for a row, that row is used as it is.
   Otherwise the rows around the age are interpolated: cubic (Lagrange through two rows below and two
   above, as in Tim Cole's LMSgrowth) where there are two rows on each side; linear at the first and last
   interval of a table; always linear for the ``who`` reference and for CDC BMI. An age below the first row
   or past the last row of the selected table (possible only with non-whole-day ages, just either side of
   2.0 years) makes rcpchgrowth raise; here it is the explicit error ``AGE_IN_TABLE_GAP``.
2. At exactly 2.0 years, UK-WHO and WHO use the first row of the 2-to-4/5-year table.
3. SDS = ((value / M) ** L - 1) / (L * S), or ln(value / M) / S when L = 0.
4. ``who`` only: beyond ±3 SD the WHO restricted-tail rule (WHO 2007 growth reference 5-19 years,
   "Computation of centiles and z-scores", https://cdn.who.int/media/docs/default-source/child-growth/
   growth-reference-5-19-years/computation.pdf) measures the distance past ±3 SD in units of the gap
   between the 2 and 3 SD values. rcpchgrowth applies it to every measurement under 5 years and to
   weight and BMI from 5 years (WHO itself applies it to weight-based indicators only).
5. ``cdc`` BMI above the 95th centile: CDC's 2022 extended BMI method (a half-normal scale ``sigma`` above
   the 95th centile), as rcpchgrowth does.
6. Centile = 100 · Φ(SDS) (``scipy.special.ndtr``, what ``scipy.stats.norm.cdf`` calls).

Ages (``Measurement``'s handling, copied):

* chronological decimal age = (observation date − birth date) in days / 365.25;
* corrected decimal age = (observation date − due date) in days / 365.25, due date = birth date +
  (280 − gestation in days); negative before the due date. UK-WHO, trisomy-21 and Turner correct at every
  age and every gestation (so a baby born at 41+3 is "older" than her chronological age);
* ``who`` and ``cdc``: no correction for 37-42 completed weeks, and none once the corrected age reaches
  2 years for babies born before 37 weeks (the corrected age then equals the chronological age);
* ``cdc`` has no data before the due date: the corrected SDS is an error then.

Inputs rcpchgrowth accepts but which are errors here (never a number): value ≤ 0 or not finite (rcpchgrowth
returns a complex number for a negative weight), gestation outside 22-44 weeks or days outside 0-6
(rcpchgrowth computes 40+9 as 41+2), observation before birth, unknown sex or measurement, either age
outside the reference (both ages must be inside: a row is all or nothing), and an SDS that is not finite
(rcpchgrowth returns +inf for a CDC BMI so far above the 95th centile that its centile rounds to 100).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri

from kneadwell.outcomes.growth.ages import format_weeks_days
from kneadwell.outcomes.growth.references import (
    AGE_LIMITS,
    DEFAULT_REFERENCE,
    METHOD_CODE,
    METHOD_TITLES,
    METHODS,
    RCPCH_REFERENCE_NAME,
    REFERENCE_TITLES,
    SECTIONS,
    SEX_CODE,
    SEXES,
    TERM_DAYS,
    TWO_YEARS,
    LmsTable,
    check_reference,
    lms_table,
    section_index,
)

# The rcpchgrowth release whose rules are copied here and whose data files references.py reads: pinned
# (==) in pyproject.toml; tests/test_dependencies.py fails when another version is installed.
RCPCHGROWTH_VERSION = "4.6.5"

MIN_GESTATION_WEEKS = 22  # contract: gestation outside 22-44 weeks is an error (rcpchgrowth's own
MAX_GESTATION_WEEKS = 44  # MINIMUM/MAXIMUM_GESTATION_WEEKS in constants/validation_constants.py)


class ErrorCode(IntEnum):
    """Why a row has no result. 0 means no error."""

    OK = 0
    UNKNOWN_SEX = 1
    UNKNOWN_METHOD = 2
    GESTATION_WEEKS_OUT_OF_RANGE = 3
    GESTATION_DAYS_OUT_OF_RANGE = 4
    OBSERVATION_BEFORE_BIRTH = 5
    VALUE_NOT_FINITE = 6
    VALUE_NOT_POSITIVE = 7
    NO_REFERENCE_DATA = 8
    CORRECTED_AGE_BELOW_REFERENCE = 9
    CORRECTED_AGE_ABOVE_REFERENCE = 10
    CHRONOLOGICAL_AGE_BELOW_REFERENCE = 11
    CHRONOLOGICAL_AGE_ABOVE_REFERENCE = 12
    CDC_BEFORE_DUE_DATE = 13
    AGE_IN_TABLE_GAP = 14
    NOT_COMPUTABLE = 15


class _AgeStatus(IntEnum):
    OK = 0
    BELOW = 1
    ABOVE = 2
    NO_DATA = 3
    GAP = 4
    NOT_COMPUTABLE = 5


# --------------------------------------------------------------------------------------------------
# The LMS lookup: rcpchgrowth's fetch_lms() / nearest_lowest_index(), vectorised.
# --------------------------------------------------------------------------------------------------


def _round4_keys(age: NDArray[np.float64]) -> NDArray[np.int64]:
    """round(age, 4) · 10⁴ as integers, equal to Python's correctly rounded ``round(age, 4)``.

    ``np.rint(age * 1e4)`` agrees with Python except when age · 10⁴ lies within rounding error of a half;
    those rare ages are redone with Python's round()."""
    scaled = age * 10_000.0
    keys = np.rint(scaled)
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    if near_half.any():
        idx = np.flatnonzero(near_half)
        keys[idx] = [round(round(float(a), 4) * 10_000) for a in age[idx]]
    return keys.astype(np.int64)


@dataclass
class LmsValues:
    l: NDArray[np.float64]  # noqa: E741
    m: NDArray[np.float64]
    s: NDArray[np.float64]
    sigma: NDArray[np.float64] | None
    gap: NDArray[np.bool_]


def _cubic(
    t: NDArray[np.float64], x: tuple[NDArray[np.float64], ...], p: tuple[NDArray[np.float64], ...]
) -> NDArray[np.float64]:
    """rcpchgrowth's cubic_interpolation() (Tim Cole's Lagrange form), same operations in the same order."""
    age_two_below, age_one_below, age_one_above, age_two_above = x
    p_two_below, p_one_below, p_one_above, p_two_above = p
    tt0 = t - age_two_below
    tt1 = t - age_one_below
    tt2 = t - age_one_above
    tt3 = t - age_two_above
    t01 = age_two_below - age_one_below
    t02 = age_two_below - age_one_above
    t03 = age_two_below - age_two_above
    t12 = age_one_below - age_one_above
    t13 = age_one_below - age_two_above
    t23 = age_one_above - age_two_above
    result: NDArray[np.float64] = (
        p_two_below * tt1 * tt2 * tt3 / t01 / t02 / t03
        - p_one_below * tt0 * tt2 * tt3 / t01 / t12 / t13
        + p_one_above * tt0 * tt1 * tt3 / t02 / t12 / t23
        - p_two_above * tt0 * tt1 * tt2 / t03 / t13 / t23
    )
    return result


def _linear(
    t: NDArray[np.float64],
    x_lo: NDArray[np.float64],
    x_hi: NDArray[np.float64],
    y_lo: NDArray[np.float64],
    y_hi: NDArray[np.float64],
) -> NDArray[np.float64]:
    """What scipy's interp1d (via numpy.interp) computes for two points."""
    slope = (y_hi - y_lo) / (x_hi - x_lo)
    result: NDArray[np.float64] = slope * (t - x_lo) + y_lo
    return result


def lookup_lms(table: LmsTable, age: NDArray[np.float64], *, linear_only: bool = False) -> LmsValues:
    """L, M, S (and sigma) for each age from one table, by rcpchgrowth's rules; ``gap`` marks ages before
    the first or after the last row that have no exact row (rcpchgrowth raises for those)."""
    n = table.size
    keys = _round4_keys(age)
    pos = np.minimum(np.searchsorted(table.keys, keys), n - 1)
    exact = table.keys[pos] == keys
    # nearest_lowest_index(): the last row younger than the age, or row 0 when there is none.
    lowest = np.maximum(np.searchsorted(table.ages, age, side="left") - 1, 0)
    idx = np.where(exact, pos, lowest)
    gap = ~exact & ((lowest >= n - 1) | (age < table.ages[0]))

    l_out = table.l[idx].copy()
    m_out = table.m[idx].copy()
    s_out = table.s[idx].copy()
    sigma_out = None if table.sigma is None else table.sigma[idx].copy()

    interp = ~exact & ~gap
    if interp.any():
        use_cubic = interp & (lowest >= 1) & (lowest < n - 2)
        if linear_only or table.sigma is not None:
            use_cubic[:] = False
        use_linear = interp & ~use_cubic
        if use_cubic.any():
            rows = np.flatnonzero(use_cubic)
            lo = lowest[rows]
            t = age[rows]
            xs = (table.ages[lo - 1], table.ages[lo], table.ages[lo + 1], table.ages[lo + 2])
            for out, col in ((l_out, table.l), (m_out, table.m), (s_out, table.s)):
                out[rows] = _cubic(t, xs, (col[lo - 1], col[lo], col[lo + 1], col[lo + 2]))
        if use_linear.any():
            rows = np.flatnonzero(use_linear)
            lo = lowest[rows]
            t = age[rows]
            x_lo, x_hi = table.ages[lo], table.ages[lo + 1]
            for out, col in ((l_out, table.l), (m_out, table.m), (s_out, table.s)):
                out[rows] = _linear(t, x_lo, x_hi, col[lo], col[lo + 1])
            if sigma_out is not None and table.sigma is not None:
                sigma_out[rows] = _linear(t, x_lo, x_hi, table.sigma[lo], table.sigma[lo + 1])
    return LmsValues(l_out, m_out, s_out, sigma_out, gap)


def _limit_arrays(reference: str) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Per (method, sex) code: lowest age, highest age, whether the reference has data at all."""
    low = np.full(len(METHODS) * len(SEXES), np.inf)
    high = np.full(len(METHODS) * len(SEXES), -np.inf)
    has = np.zeros(len(METHODS) * len(SEXES), dtype=bool)
    for method, mc in METHOD_CODE.items():
        for sex, sc in SEX_CODE.items():
            limit = AGE_LIMITS.get((reference, method, sex))
            if limit is not None:
                k = mc * len(SEXES) + sc
                low[k], high[k], has[k] = limit.low, limit.high, True
    return low, high, has


@dataclass
class AgeSds:
    """SDS for decimal ages (the core of :func:`batch_sds`)."""

    sds: NDArray[np.float64]
    status: NDArray[np.int8]  # _AgeStatus


@dataclass
class _RowLms:
    l: NDArray[np.float64]  # noqa: E741
    m: NDArray[np.float64]
    s: NDArray[np.float64]
    sigma: NDArray[np.float64]


def _limit_status(
    reference: str, method_code: NDArray[np.int8], sex_code: NDArray[np.int8], age: NDArray[np.float64]
) -> NDArray[np.int8]:
    """Rows outside the reference's ages (rcpchgrowth's ``reference_data_absent`` and section errors)."""
    status = np.zeros(age.shape[0], dtype=np.int8)
    low, high, has = _limit_arrays(reference)
    k = method_code.astype(np.intp) * len(SEXES) + sex_code
    no_data = ~has[k]
    status[no_data] = _AgeStatus.NO_DATA
    status[~no_data & (age < low[k])] = _AgeStatus.BELOW
    status[~no_data & (age > high[k])] = _AgeStatus.ABOVE
    status[np.isnan(age)] = _AgeStatus.NOT_COMPUTABLE
    return status


def _lms_for_ages(
    reference: str,
    method_code: NDArray[np.int8],
    sex_code: NDArray[np.int8],
    age: NDArray[np.float64],
    status: NDArray[np.int8],
) -> _RowLms:
    """LMS for every row whose status is OK (others stay NaN); marks table gaps in ``status``."""
    n = age.shape[0]
    out = _RowLms(np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan))
    work = np.flatnonzero(status == _AgeStatus.OK)
    if not work.size:
        return out
    sec = section_index(reference, method_code[work], age[work])
    group = (sec.astype(np.intp) * len(METHODS) + method_code[work]) * len(SEXES) + sex_code[work]
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=len(SECTIONS[reference]) * len(METHODS) * len(SEXES))
    start = 0
    for g, count in enumerate(counts):
        if not count:
            continue
        rows = work[order[start : start + count]]
        start += count
        section, rest = divmod(g, len(METHODS) * len(SEXES))
        mc, sc = divmod(rest, len(SEXES))
        table = lms_table(reference, section, METHODS[mc], SEXES[sc])
        if table is None:  # cannot happen inside the age limits; kept as a guard
            status[rows] = _AgeStatus.NO_DATA
            continue
        a = age[rows]
        if reference in ("uk-who", "who"):
            # rcpchgrowth's _age_for_lms_lookup(): exactly 2.0 years uses the 2-5 year table's first row.
            a = np.where(a == TWO_YEARS, np.clip(a, table.ages[0], table.ages[-1]), a)
        lms = lookup_lms(table, a, linear_only=reference == "who")
        out.l[rows], out.m[rows], out.s[rows] = lms.l, lms.m, lms.s
        if lms.sigma is not None:
            out.sigma[rows] = lms.sigma
        status[rows[lms.gap]] = _AgeStatus.GAP
    return out


@dataclass(frozen=True)
class _DayTable:
    """LMS for every whole-day age a reference covers, per (method, sex): ages from dates are days / 365.25,
    so the LMS of each possible day can be computed once (by the general path, so the numbers are the
    same bits) and then gathered. This is what makes a million rows take a fraction of a second."""

    first_day: int
    l: NDArray[np.float64]  # noqa: E741 - shape (methods × sexes, days)
    m: NDArray[np.float64]
    s: NDArray[np.float64]
    sigma: NDArray[np.float64]
    gap: NDArray[np.bool_]


@cache
def _day_table(reference: str) -> _DayTable:
    low, high, has = _limit_arrays(reference)
    first = math.floor(float(low[has].min()) * 365.25) - 1
    last = math.ceil(float(high[has].max()) * 365.25) + 1
    days = np.arange(first, last + 1, dtype=np.int64)
    ages = days / 365.25
    shape = (len(METHODS) * len(SEXES), days.size)
    table = _DayTable(
        first,
        np.full(shape, np.nan),
        np.full(shape, np.nan),
        np.full(shape, np.nan),
        np.full(shape, np.nan),
        np.zeros(shape, dtype=bool),
    )
    for k in np.flatnonzero(has):
        mc = np.full(days.size, k // len(SEXES), dtype=np.int8)
        sc = np.full(days.size, k % len(SEXES), dtype=np.int8)
        status = _limit_status(reference, mc, sc, ages)
        lms = _lms_for_ages(reference, mc, sc, ages, status)
        table.l[k], table.m[k], table.s[k], table.sigma[k] = lms.l, lms.m, lms.s, lms.sigma
        table.gap[k] = status == _AgeStatus.GAP
    return table


def _lms_for_days(
    reference: str,
    method_code: NDArray[np.int8],
    sex_code: NDArray[np.int8],
    days: NDArray[np.int64],
    status: NDArray[np.int8],
) -> _RowLms:
    table = _day_table(reference)
    n = days.shape[0]
    out = _RowLms(np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan))
    rows = np.flatnonzero(status == _AgeStatus.OK)
    k = method_code[rows].astype(np.intp) * len(SEXES) + sex_code[rows]
    # Inside the table: the age limits were checked first. One flat index serves every column.
    flat = k * table.l.shape[1] + (days[rows] - table.first_day)
    out.l[rows] = table.l.ravel().take(flat)
    out.m[rows] = table.m.ravel().take(flat)
    out.s[rows] = table.s.ravel().take(flat)
    out.sigma[rows] = table.sigma.ravel().take(flat)
    status[rows[table.gap.ravel().take(flat)]] = _AgeStatus.GAP
    return out


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


# --------------------------------------------------------------------------------------------------
# Date-level batch path (what Measurement does), vectorised.
# --------------------------------------------------------------------------------------------------


def _codes(values: ArrayLike, mapping: dict[str, int]) -> NDArray[np.int8]:
    """Names (or codes) to int8 codes; unknown names become -1."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        codes = arr.astype(np.int64)
        return np.where((codes >= 0) & (codes < len(mapping)), codes, -1).astype(np.int8)
    out = np.full(arr.shape, -1, dtype=np.int8)
    for name, code in mapping.items():
        out[arr == name] = code
    return out


def _day_numbers(values: ArrayLike) -> NDArray[np.int64]:
    """Dates (datetime64, date objects, ISO strings, or integer day numbers) to days since 1970-01-01."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    return arr.astype("datetime64[D]").astype(np.int64)


@dataclass(frozen=True)
class BatchResult:
    """Results of :func:`batch_sds`, one entry per input row. Where ``error`` is not 0 the SDS and
    centiles are NaN; the ages are filled whenever the dates and gestation are valid."""

    reference: str
    chronological_age_days: NDArray[np.int64]
    corrected_age_days: NDArray[np.int64]  # the age the corrected SDS used (see the module notes)
    chronological_sds: NDArray[np.float64]
    corrected_sds: NDArray[np.float64]
    chronological_centile: NDArray[np.float64]
    corrected_centile: NDArray[np.float64]
    error: NDArray[np.int8]
    method_code: NDArray[np.int8]
    sex_code: NDArray[np.int8]
    gestation_weeks: NDArray[np.int64]
    gestation_days: NDArray[np.int64]
    value: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.error.shape[0])

    @property
    def ok(self) -> NDArray[np.bool_]:
        result: NDArray[np.bool_] = self.error == ErrorCode.OK
        return result

    def ages_valid(self) -> NDArray[np.bool_]:
        """Rows whose dates and gestation were valid, so the ages mean something."""
        result: NDArray[np.bool_] = ~np.isin(
            self.error,
            [
                ErrorCode.GESTATION_WEEKS_OUT_OF_RANGE,
                ErrorCode.GESTATION_DAYS_OUT_OF_RANGE,
                ErrorCode.OBSERVATION_BEFORE_BIRTH,
            ],
        )
        return result

    def message(self, i: int) -> str | None:
        """The error of row ``i`` in words, or None."""
        return error_message(
            ErrorCode(int(self.error[i])),
            reference=self.reference,
            method=METHODS[self.method_code[i]] if self.method_code[i] >= 0 else None,
            sex=SEXES[self.sex_code[i]] if self.sex_code[i] >= 0 else None,
            chronological_age_days=int(self.chronological_age_days[i]),
            corrected_age_days=int(self.corrected_age_days[i]),
            gestation_weeks=int(self.gestation_weeks[i]),
            gestation_days=int(self.gestation_days[i]),
            value=float(self.value[i]),
        )

    def messages(self) -> list[str | None]:
        out: list[str | None] = [None] * len(self)
        for i in np.flatnonzero(self.error != ErrorCode.OK):
            out[int(i)] = self.message(int(i))
        return out


def _age_words(days: int) -> str:
    if days < 0:
        return f"{-days} days before the due date"
    if days < 7 * 8:
        return f"{days} days"
    if days < 731:
        return f"{days} days (about {days / 30.4375:.1f} months)"
    return f"{days} days (about {days / 365.25:.1f} years)"


def error_message(
    code: ErrorCode,
    *,
    reference: str,
    method: str | None = None,
    sex: str | None = None,
    chronological_age_days: int = 0,
    corrected_age_days: int = 0,
    gestation_weeks: int = 40,
    gestation_days: int = 0,
    value: float = float("nan"),
) -> str | None:
    """A message a parent or nurse can act on, naming the field and what was expected."""
    ref = REFERENCE_TITLES.get(reference, reference)
    what = METHOD_TITLES.get(method or "", "measurement")
    limit = AGE_LIMITS.get((reference, method or "", sex or ""))
    if code == ErrorCode.OK:
        return None
    if code == ErrorCode.UNKNOWN_SEX:
        return "sex: expected 'male' or 'female'"
    if code == ErrorCode.UNKNOWN_METHOD:
        return "measurement_method: expected one of weight, height, ofc, bmi"
    if code == ErrorCode.GESTATION_WEEKS_OUT_OF_RANGE:
        return (
            f"gestation_weeks: {gestation_weeks} is outside "
            f"{MIN_GESTATION_WEEKS}-{MAX_GESTATION_WEEKS} weeks "
            "(leave both gestation columns blank for a term baby)"
        )
    if code == ErrorCode.GESTATION_DAYS_OUT_OF_RANGE:
        return f"gestation_days: {gestation_days} is outside 0-6 (a week has 7 days: write 40+9 as 41+2)"
    if code == ErrorCode.OBSERVATION_BEFORE_BIRTH:
        return f"observation_date is {-chronological_age_days} days before birth_date"
    if code == ErrorCode.VALUE_NOT_FINITE:
        return "observation_value: not a finite number"
    if code == ErrorCode.VALUE_NOT_POSITIVE:
        return f"observation_value: {value:g} must be greater than 0"
    if code == ErrorCode.NO_REFERENCE_DATA:
        if reference == "turners":
            return "the Turner syndrome reference has height data for girls only"
        return f"the {ref} reference has no {what} data for {sex or 'this sex'}"
    if code == ErrorCode.CDC_BEFORE_DUE_DATE:
        pma = format_weeks_days(TERM_DAYS + corrected_age_days)
        return f"CDC has no data before the due date (this measurement is at {pma} weeks postmenstrual age)"
    if code in (ErrorCode.CORRECTED_AGE_BELOW_REFERENCE, ErrorCode.CHRONOLOGICAL_AGE_BELOW_REFERENCE):
        kind = "corrected" if code == ErrorCode.CORRECTED_AGE_BELOW_REFERENCE else "chronological"
        days = corrected_age_days if kind == "corrected" else chronological_age_days
        start = limit.low_text if limit else "its first age"
        age = _age_words(days)
        if days < 0:
            age += f" ({format_weeks_days(TERM_DAYS + days)} weeks postmenstrual age)"
        return f"{kind} age {age} is before the start of the {ref} {what} data ({start})"
    if code in (ErrorCode.CORRECTED_AGE_ABOVE_REFERENCE, ErrorCode.CHRONOLOGICAL_AGE_ABOVE_REFERENCE):
        kind = "corrected" if code == ErrorCode.CORRECTED_AGE_ABOVE_REFERENCE else "chronological"
        days = corrected_age_days if kind == "corrected" else chronological_age_days
        end = limit.high_text if limit else "its last age"
        return f"{kind} age {_age_words(days)} is past the end of the {ref} {what} data ({end})"
    if code == ErrorCode.AGE_IN_TABLE_GAP:
        return f"the age falls between two {ref} tables (around 2 years); give ages in whole days"
    return f"this {what} value is too far outside the {ref} reference for a finite SDS"


def _status_codes(below: ErrorCode, above: ErrorCode) -> NDArray[np.int8]:
    codes = {
        _AgeStatus.OK: ErrorCode.OK,
        _AgeStatus.BELOW: below,
        _AgeStatus.ABOVE: above,
        _AgeStatus.NO_DATA: ErrorCode.NO_REFERENCE_DATA,
        _AgeStatus.GAP: ErrorCode.AGE_IN_TABLE_GAP,
        _AgeStatus.NOT_COMPUTABLE: ErrorCode.NOT_COMPUTABLE,
    }
    return np.array([codes[_AgeStatus(i)] for i in range(len(_AgeStatus))], dtype=np.int8)


# _AgeStatus -> ErrorCode, indexed by status.
_CORRECTED_CODES = _status_codes(
    ErrorCode.CORRECTED_AGE_BELOW_REFERENCE, ErrorCode.CORRECTED_AGE_ABOVE_REFERENCE
)
_CHRONOLOGICAL_CODES = _status_codes(
    ErrorCode.CHRONOLOGICAL_AGE_BELOW_REFERENCE, ErrorCode.CHRONOLOGICAL_AGE_ABOVE_REFERENCE
)


def _set_first_error(error: NDArray[np.int8], mask: NDArray[np.bool_], code: ErrorCode) -> None:
    error[mask & (error == ErrorCode.OK)] = code


def batch_sds(
    sex: ArrayLike,
    birth_date: ArrayLike,
    observation_date: ArrayLike,
    gestation_weeks: ArrayLike,
    gestation_days: ArrayLike,
    method: ArrayLike,
    value: ArrayLike,
    reference: str = DEFAULT_REFERENCE,
) -> BatchResult:
    """Chronological and corrected SDS and centiles for arrays of measurements (same length each).

    ``sex``: 'male'/'female' (or codes 0/1); dates: ``datetime64[D]``, ISO strings, ``date`` objects or
    day numbers since 1970-01-01; ``gestation_weeks``/``gestation_days``: integers (40 and 0 for a term
    baby or an unknown gestation); ``method``: 'weight', 'height', 'ofc', 'bmi' (or codes 0-3); ``value``:
    kg, cm or kg/m². Results equal rcpchgrowth's ``Measurement`` for the same row (≤ 1e-9)."""
    check_reference(reference)
    sex_code = _codes(sex, SEX_CODE)
    method_code = _codes(method, METHOD_CODE)
    birth = _day_numbers(birth_date)
    observed = _day_numbers(observation_date)
    gw = np.asarray(gestation_weeks).astype(np.int64)
    gd = np.asarray(gestation_days).astype(np.int64)
    val = np.asarray(value, dtype=np.float64)
    n = sex_code.shape[0]
    if not all(a.shape == (n,) for a in (method_code, birth, observed, gw, gd, val)):
        raise ValueError("batch_sds: every input must be a 1-D array of the same length")

    error = np.zeros(n, dtype=np.int8)
    _set_first_error(error, sex_code < 0, ErrorCode.UNKNOWN_SEX)
    _set_first_error(error, method_code < 0, ErrorCode.UNKNOWN_METHOD)
    _set_first_error(
        error, (gw < MIN_GESTATION_WEEKS) | (gw > MAX_GESTATION_WEEKS), ErrorCode.GESTATION_WEEKS_OUT_OF_RANGE
    )
    _set_first_error(error, (gd < 0) | (gd > 6), ErrorCode.GESTATION_DAYS_OUT_OF_RANGE)
    chrono_days = observed - birth
    _set_first_error(error, chrono_days < 0, ErrorCode.OBSERVATION_BEFORE_BIRTH)
    _set_first_error(error, ~np.isfinite(val), ErrorCode.VALUE_NOT_FINITE)
    with np.errstate(invalid="ignore"):
        _set_first_error(error, val <= 0, ErrorCode.VALUE_NOT_POSITIVE)

    # Measurement: corrected = chronological − (280 − gestation in days), in days, then / 365.25.
    corrected_days = chrono_days - (TERM_DAYS - (gw * 7 + gd))
    chrono_age = chrono_days / 365.25
    corrected_age = corrected_days / 365.25
    if reference in ("who", "cdc"):
        # No correction for 37-42 weeks, nor from a corrected age of 2 years for those born < 37 weeks.
        same = ((corrected_age >= 2) & (gw < 37)) | ((gw >= 37) & (gw <= 42))
        corrected_age = np.where(same, chrono_age, corrected_age)
        corrected_days = np.where(same, chrono_days, corrected_days)

    valid = error == ErrorCode.OK
    mc = np.where(valid, method_code, 0).astype(np.int8)
    sc = np.where(valid, sex_code, 0).astype(np.int8)
    v = np.where(valid, val, 1.0)
    corrected_sds = np.full(n, np.nan)
    chrono_sds = np.full(n, np.nan)
    rows = np.flatnonzero(valid)
    if rows.size:
        if reference == "cdc":
            preterm = corrected_age[rows] < 0
            error[rows[preterm]] = ErrorCode.CDC_BEFORE_DUE_DATE
            rows = rows[~preterm]
        corr = sds_for_ages(reference, mc[rows], sc[rows], corrected_age[rows], v[rows], corrected_days[rows])
        chrono = sds_for_ages(reference, mc[rows], sc[rows], chrono_age[rows], v[rows], chrono_days[rows])
        # The corrected age's problem is reported first (it is the age the centile is read at).
        corr_code = _CORRECTED_CODES[corr.status]
        error[rows] = np.where(corr_code != 0, corr_code, _CHRONOLOGICAL_CODES[chrono.status])
        corrected_sds[rows] = corr.sds
        chrono_sds[rows] = chrono.sds
    failed = error != ErrorCode.OK
    corrected_sds[failed] = np.nan
    chrono_sds[failed] = np.nan
    return BatchResult(
        reference=reference,
        chronological_age_days=chrono_days,
        corrected_age_days=corrected_days,
        chronological_sds=chrono_sds,
        corrected_sds=corrected_sds,
        chronological_centile=centile_for_sds(chrono_sds),
        corrected_centile=centile_for_sds(corrected_sds),
        error=error,
        method_code=method_code,
        sex_code=sex_code,
        gestation_weeks=gw,
        gestation_days=gd,
        value=val,
    )


# --------------------------------------------------------------------------------------------------
# Single measurement through rcpchgrowth itself.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SdsResult:
    """One measurement's SDS and centiles. ``error`` is None when both SDS were computed; otherwise it says
    why and every figure is None. ``advisory`` carries rcpchgrowth's own warning (e.g. beyond ±8 SD,
    "considered to be an error") while the figures are still given."""

    reference: str
    method: str
    value: float
    chronological_age_days: int | None
    corrected_age_days: int | None
    chronological_decimal_age: float | None
    corrected_decimal_age: float | None
    chronological_sds: float | None
    corrected_sds: float | None
    chronological_centile: float | None
    corrected_centile: float | None
    error: str | None = None
    advisory: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _float_or_none(x: Any) -> float | None:
    if x is None:
        return None
    if isinstance(x, complex) or np.iscomplexobj(x):
        return None
    return float(x)


def measurement_sds(
    sex: str,
    birth_date: dt.date,
    observation_date: dt.date,
    gestation_weeks: int | None,
    gestation_days: int | None,
    method: str,
    value: float,
    reference: str = DEFAULT_REFERENCE,
) -> SdsResult:
    """SDS and centiles of one measurement by rcpchgrowth's ``Measurement``.

    ``gestation_weeks``/``gestation_days`` None means a term baby (40+0) or unknown gestation; days alone
    (weeks None) is an error. Inputs rcpchgrowth would accept but which make no sense are refused first, by
    the same checks as :func:`batch_sds`, so one measurement and a file give the same answers."""
    check_reference(reference)
    gw = 40 if gestation_weeks is None else int(gestation_weeks)
    gd = 0 if gestation_days is None else int(gestation_days)
    check = batch_sds(
        np.array([sex]),
        np.array([birth_date], dtype="datetime64[D]"),
        np.array([observation_date], dtype="datetime64[D]"),
        np.array([gw]),
        np.array([gd]),
        np.array([method]),
        np.array([value], dtype=np.float64),
        reference,
    )
    chrono_days = int(check.chronological_age_days[0])
    corrected_days = int(check.corrected_age_days[0])
    empty = SdsResult(reference, method, float(value), None, None, None, None, None, None, None, None)
    if gestation_weeks is None and gestation_days is not None:
        return _with_error(empty, "gestation_weeks: missing while gestation_days is given")
    code = ErrorCode(int(check.error[0]))
    if code in (
        ErrorCode.UNKNOWN_SEX,
        ErrorCode.UNKNOWN_METHOD,
        ErrorCode.GESTATION_WEEKS_OUT_OF_RANGE,
        ErrorCode.GESTATION_DAYS_OUT_OF_RANGE,
        ErrorCode.OBSERVATION_BEFORE_BIRTH,
        ErrorCode.VALUE_NOT_FINITE,
        ErrorCode.VALUE_NOT_POSITIVE,
    ):
        return _with_error(empty, check.message(0))

    from rcpchgrowth import Measurement  # deferred: importing rcpchgrowth costs about a second

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = Measurement(
                birth_date=birth_date,
                observation_date=observation_date,
                measurement_method=method,
                observation_value=float(value),
                reference=RCPCH_REFERENCE_NAME[reference],
                sex=sex,
                gestation_weeks=gw,
                gestation_days=gd,
            ).measurement
    except Exception as exc:  # rcpchgrowth raises IndexError/ValueError/OverflowError at some edges
        return _with_error(empty, check.message(0) or f"rcpchgrowth could not compute this row: {exc}")
    values = result["measurement_calculated_values"]
    dates = result["measurement_dates"]
    corrected_sds = _float_or_none(values["corrected_sds"])
    chrono_sds = _float_or_none(values["chronological_sds"])
    advisory = result["child_observation_value"]["observation_value_error"]
    if corrected_sds is None or chrono_sds is None or not math.isfinite(corrected_sds + chrono_sds):
        message = check.message(0) or (
            values["corrected_measurement_error"] or values["chronological_measurement_error"]
        )
        return _with_error(empty, message)
    return SdsResult(
        reference=reference,
        method=method,
        value=float(value),
        chronological_age_days=chrono_days,
        corrected_age_days=corrected_days,
        chronological_decimal_age=float(dates["chronological_decimal_age"]),
        corrected_decimal_age=float(dates["corrected_decimal_age"]),
        chronological_sds=chrono_sds,
        corrected_sds=corrected_sds,
        chronological_centile=_float_or_none(values["chronological_centile"]),
        corrected_centile=_float_or_none(values["corrected_centile"]),
        error=None,
        advisory=advisory,
    )


def _with_error(empty: SdsResult, message: str | None) -> SdsResult:
    return SdsResult(**{**empty.__dict__, "error": message or "the SDS could not be computed"})
