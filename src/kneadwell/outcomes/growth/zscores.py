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

Where the copy lives: rules 1-2 in :mod:`.lms` (the table lookup and interpolation), rules 3-6 in :mod:`.sds`
(LMS to SDS, centiles, and back), the error codes and their messages in :mod:`.errors`; this module holds
the date-level batch path and the single measurement.

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
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kneadwell.outcomes.growth.errors import (
    MAX_GESTATION_WEEKS,
    MIN_GESTATION_WEEKS,
    ErrorCode,
    error_message,
)
from kneadwell.outcomes.growth.lms import _AgeStatus
from kneadwell.outcomes.growth.references import (
    DEFAULT_REFERENCE,
    METHOD_CODE,
    METHODS,
    RCPCH_REFERENCE_NAME,
    SEX_CODE,
    SEXES,
    TERM_DAYS,
    check_reference,
)
from kneadwell.outcomes.growth.sds import centile_for_sds, sds_for_ages

# The rcpchgrowth release whose rules are copied here and whose data files references.py reads: pinned
# (==) in pyproject.toml; tests/test_dependencies.py fails when another version is installed.
RCPCHGROWTH_VERSION = "4.6.5"


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
class NoSds:
    """Why a row has no SDS, as its code and the figures its message names: :meth:`message` is the English
    the CLI and the stored records use; a page words the same code and figures in its own language
    (outcomes/growth_words.py, ``sds_error``)."""

    code: ErrorCode
    reference: str
    method: str | None = None
    sex: str | None = None
    chronological_age_days: int = 0
    corrected_age_days: int = 0
    gestation_weeks: int = 40
    gestation_days: int = 0
    value: float = float("nan")

    def message(self) -> str | None:
        return error_message(
            self.code,
            reference=self.reference,
            method=self.method,
            sex=self.sex,
            chronological_age_days=self.chronological_age_days,
            corrected_age_days=self.corrected_age_days,
            gestation_weeks=self.gestation_weeks,
            gestation_days=self.gestation_days,
            value=self.value,
        )


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

    def why(self, i: int) -> NoSds | None:
        """Why row ``i`` has no SDS (its code and figures), or None when it has them."""
        code = ErrorCode(int(self.error[i]))
        if code == ErrorCode.OK:
            return None
        return NoSds(
            code,
            reference=self.reference,
            method=METHODS[self.method_code[i]] if self.method_code[i] >= 0 else None,
            sex=SEXES[self.sex_code[i]] if self.sex_code[i] >= 0 else None,
            chronological_age_days=int(self.chronological_age_days[i]),
            corrected_age_days=int(self.corrected_age_days[i]),
            gestation_weeks=int(self.gestation_weeks[i]),
            gestation_days=int(self.gestation_days[i]),
            value=float(self.value[i]),
        )

    def message(self, i: int) -> str | None:
        """The error of row ``i`` in words (English), or None."""
        why = self.why(i)
        return why.message() if why is not None else None

    def messages(self) -> list[str | None]:
        out: list[str | None] = [None] * len(self)
        for i in np.flatnonzero(self.error != ErrorCode.OK):
            out[int(i)] = self.message(int(i))
        return out


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
    # `error`'s code and figures when the shared checks found it (a page words it in its language); None
    # for rcpchgrowth's own text or a missing gestation week
    why: NoSds | None = None

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
        return _with_error(empty, check.message(0), check.why(0))

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
        return _with_error(
            empty, check.message(0) or f"rcpchgrowth could not compute this row: {exc}", check.why(0)
        )
    values = result["measurement_calculated_values"]
    dates = result["measurement_dates"]
    corrected_sds = _float_or_none(values["corrected_sds"])
    chrono_sds = _float_or_none(values["chronological_sds"])
    advisory = result["child_observation_value"]["observation_value_error"]
    if corrected_sds is None or chrono_sds is None or not math.isfinite(corrected_sds + chrono_sds):
        message = check.message(0) or (
            values["corrected_measurement_error"] or values["chronological_measurement_error"]
        )
        return _with_error(empty, message, check.why(0))
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


def _with_error(empty: SdsResult, message: str | None, why: NoSds | None = None) -> SdsResult:
    return SdsResult(**{**empty.__dict__, "error": message or "the SDS could not be computed", "why": why})
