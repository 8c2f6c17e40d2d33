"""The growth command's rows: the seven input columns as text in, the seven result columns as text out.
Pure: numpy and the growth maths, no Django, no file handling (``cli.py`` reads and writes the files).

Fast on large files: each distinct date, gestation, sex or method text is parsed once (a file of a million
rows holds a few thousand distinct dates), numbers are parsed and formatted by C-level ``map`` over
whole columns, and the SDS come from the vectorised :func:`zscores.batch_sds`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from kneadwell.outcomes.growth.references import METHOD_CODE, SEX_CODE

ADDED: Final = (
    "chronological_age_days",
    "corrected_age_days",
    "chronological_sds",
    "corrected_sds",
    "corrected_centile",
    "reference",
    "error",
)
_BLANK: Final = -1  # gestation column left blank
_INVALID: Final = -(2**62)  # text that is not a date / whole number
_EPOCH: Final = dt.date(1970, 1, 1)


def parse_date(text: str) -> int | None:
    """Days since 1970-01-01, or None when not an ISO date."""
    try:
        return (dt.date.fromisoformat(text.strip()) - _EPOCH).days
    except ValueError:
        return None


def parse_float(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _parse_whole(text: str) -> int | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return int(x) if math.isfinite(x) and x.is_integer() else None


def _date_or_invalid(text: str) -> int:
    day = parse_date(text)
    return _INVALID if day is None else day


def _gestation(text: str) -> int:
    if not text.strip():
        return _BLANK
    whole = _parse_whole(text)
    return _INVALID if whole is None or whole < 0 else whole


MAX_CACHED: Final = 200_000  # distinct texts remembered per kind of column (a century of dates is 36,525)


class Parsed:
    """What each distinct text of a kind of column parsed to, kept from one block of a file to the next
    (the same dates and words come back in every block)."""

    def __init__(self) -> None:
        self.caches: dict[str, dict[str, int]] = {}

    def column(
        self, kind: str, column: Sequence[str], parse: Callable[[str], int], dtype: type[np.integer[Any]]
    ) -> NDArray[np.integer[Any]]:
        cache = self.caches.setdefault(kind, {})
        try:  # after the first blocks every text is usually known already
            return np.fromiter(map(cache.__getitem__, column), dtype=dtype, count=len(column))
        except KeyError:
            pass
        if len(cache) > MAX_CACHED:  # a file of free text in a date column must not fill the memory
            cache.clear()
        for text in set(column).difference(cache):
            cache[text] = parse(text)
        return np.fromiter(map(cache.__getitem__, column), dtype=dtype, count=len(column))


def _sex_code(text: str) -> int:
    return SEX_CODE.get(text.strip().lower(), -1)


def _method_code(text: str) -> int:
    return METHOD_CODE.get(text.strip().lower(), -1)


def _floats(column: Sequence[str]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """(values, ok) for a column of decimal numbers."""
    try:
        values = np.fromiter(map(float, column), dtype=np.float64, count=len(column))
    except ValueError:  # some text is not a number: parse one by one
        parsed = [parse_float(t) for t in column]
        values = np.array([np.nan if p is None else p for p in parsed], dtype=np.float64)
    return values, np.isfinite(values)


FAST_TEXTS_FROM: Final = 1_000  # values; below this `repr` alone (and pydantic_core is not imported)
_JSON_SAME_AS_REPR: Final = (1e-4, 1e16)  # |x| in [low, high): serde_json writes what repr writes


def float_texts(values: NDArray[np.float64]) -> list[str]:
    """``repr()`` of each value, the shortest text that reads back as the same float (as rcpchgrowth's
    figures print), about three times faster on large arrays.

    `repr` costs about 0.45 µs a value, most of a million-row file's formatting. pydantic_core (already
    installed with pydantic) writes a list of floats as JSON in Rust, with serde_json's shortest
    round-trip digits (the Ryū algorithm), about 0.05 µs a value; split on its commas, the texts are
    the same as repr's for 1e-4 <= |x| < 1e16 (checked on 80 million values, and by a property test).
    Outside that range the notation differs (JSON ``0.00001`` and ``1.5e-7``, repr ``1e-05`` and
    ``1.5e-07``), and so do non-finite values: those few are formatted by repr."""
    listed = values.tolist()
    if len(listed) < FAST_TEXTS_FROM:
        return list(map(repr, listed))
    from pydantic_core import to_json

    texts = to_json(listed)[1:-1].decode("ascii").split(",")
    if len(texts) != len(listed):  # cannot happen for floats; kept so that a change cannot shift rows
        return list(map(repr, listed))
    low, high = _JSON_SAME_AS_REPR
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        outside = np.flatnonzero(~((magnitude >= low) & (magnitude < high)))  # NaN compares False
    for i in outside.tolist():
        texts[i] = repr(listed[i])
    return texts


def _texts(values: NDArray[np.float64], ok: NDArray[np.bool_]) -> list[str]:
    out = float_texts(values)
    for i in np.flatnonzero(~ok).tolist():
        out[i] = ""
    return out


def _sds_texts(
    chronological: NDArray[np.float64], corrected: NDArray[np.float64], ok: NDArray[np.bool_]
) -> tuple[list[str], list[str]]:
    """Both SDS as text. For a baby born at term (and anyone past the age of correction) the two are the
    same number, so its text is written once and shared: formatting floats is the costliest step left."""
    corrected_texts = _texts(corrected, ok)
    differ = np.flatnonzero((chronological != corrected) & ok)
    chronological_texts = corrected_texts.copy()
    for i, text in zip(differ.tolist(), float_texts(chronological[differ]), strict=True):
        chronological_texts[i] = text
    return chronological_texts, corrected_texts


def _whole_texts(values: NDArray[np.int64], ok: NDArray[np.bool_]) -> list[str]:
    listed = values.tolist()
    words = {v: str(v) for v in set(listed)}  # ages repeat: a few thousand distinct days
    out = list(map(words.__getitem__, listed))
    for i in np.flatnonzero(~ok).tolist():
        out[i] = ""
    return out


def growth_texts(
    columns: Sequence[Sequence[str]],
    reference: str,
    problems: dict[int, list[str]],
    parsed: Parsed | None = None,
) -> list[list[str]]:
    """The result columns (in the order of :data:`ADDED`) for the input columns ``sex, birth_date,
    observation_date, gestation_weeks, gestation_days, measurement_method, observation_value``.
    `problems` holds messages already known for some rows (their results are left empty); the messages
    found here are added to it. The ``error`` column is plain text (not CSV-quoted). Pass the same
    `parsed` for every block of a file."""
    from kneadwell.outcomes.growth.zscores import batch_sds

    sex_col, birth_col, obs_col, gw_col, gd_col, method_col, value_col = columns
    n = len(sex_col)
    parsed = parsed or Parsed()
    sex = parsed.column("sex", sex_col, _sex_code, np.int8)
    method = parsed.column("method", method_col, _method_code, np.int8)
    birth = parsed.column("date", birth_col, _date_or_invalid, np.int64)
    observed = parsed.column("date", obs_col, _date_or_invalid, np.int64)
    gw = parsed.column("gestation", gw_col, _gestation, np.int64)
    gd = parsed.column("gestation", gd_col, _gestation, np.int64)
    value, value_ok = _floats(value_col)

    checks: list[tuple[NDArray[np.bool_], Callable[[int], str]]] = [
        (sex < 0, lambda i: f"sex: '{sex_col[i]}' is not male or female"),
        (
            method < 0,
            lambda i: f"measurement_method: '{method_col[i]}' is not one of weight, height, ofc, bmi",
        ),
        (birth == _INVALID, lambda i: f"birth_date: '{birth_col[i]}' is not a date (expected YYYY-MM-DD)"),
        (
            observed == _INVALID,
            lambda i: f"observation_date: '{obs_col[i]}' is not a date (expected YYYY-MM-DD)",
        ),
        (gw == _INVALID, lambda i: f"gestation_weeks: '{gw_col[i]}' is not a whole number of weeks"),
        (gd == _INVALID, lambda i: f"gestation_days: '{gd_col[i]}' is not a whole number of days"),
        (
            (gw == _BLANK) & (gd != _BLANK),
            lambda i: "gestation_weeks: blank while gestation_days is given (leave both blank for term)",
        ),
        (~value_ok, lambda i: f"observation_value: '{value_col[i]}' is not a number"),
    ]
    for mask, message in checks:
        for i in np.flatnonzero(mask).tolist():
            if i not in problems or not problems[i][0].startswith("row has"):
                problems.setdefault(i, []).append(message(i))
    bad = np.zeros(n, dtype=bool)
    bad[list(problems)] = True

    # Blank gestation = term (40+0). Rows already known to be bad get harmless placeholders; their
    # results are discarded below.
    weeks = np.where((gw == _BLANK) | bad, 40, gw)
    days = np.where((gw == _BLANK) | (gd == _BLANK) | bad, 0, gd)
    result = batch_sds(
        np.where(bad, 0, sex),
        np.where(bad, 0, birth),
        np.where(bad, 0, observed),
        weeks,
        days,
        np.where(bad, 0, method),
        np.where(bad, 1.0, value),
        reference,
    )
    ok = result.ok & ~bad
    errors = [""] * n
    for j in np.flatnonzero(~ok).tolist():
        errors[j] = "; ".join(problems[j]) if j in problems else (result.message(j) or "not computable")
    return [
        _whole_texts(result.chronological_age_days, ok),
        _whole_texts(result.corrected_age_days, ok),
        *_sds_texts(result.chronological_sds, result.corrected_sds, ok),
        _texts(result.corrected_centile, ok),
        [reference] * n,
        errors,
    ]
