"""LMS values for ages: rcpchgrowth 4.6's ``fetch_lms()`` / ``nearest_lowest_index()`` and its
interpolation, vectorised (rules 1 and 2 in :mod:`kneadwell.outcomes.growth.zscores`).

Each function mirrors one upstream function and is kept whole, in the same operations and order, so it
can be compared with rcpchgrowth's ``global_functions.py`` line by line. ``_AgeStatus`` is what a lookup
found for each row; :mod:`.zscores` turns it into an ``ErrorCode``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from functools import cache

import numpy as np
from numpy.typing import NDArray

from kneadwell.outcomes.growth.references import (
    AGE_LIMITS,
    METHOD_CODE,
    METHODS,
    SECTIONS,
    SEX_CODE,
    SEXES,
    TWO_YEARS,
    LmsTable,
    lms_table,
    section_index,
)


class _AgeStatus(IntEnum):
    OK = 0
    BELOW = 1
    ABOVE = 2
    NO_DATA = 3
    GAP = 4
    NOT_COMPUTABLE = 5


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
