"""Growth references: names, age limits and rcpchgrowth's own LMS tables as numpy arrays.

rcpchgrowth (RCPCH, AGPL-3.0) ships the LMS tables as JSON under ``rcpchgrowth/data_tables``. We read the
same files it reads (located without importing rcpchgrowth, which would pull in scipy.stats and cost about
a second of start-up) and keep them as arrays for the vectorised path in :mod:`zscores`. A test checks
that every table here equals the one rcpchgrowth's modules loaded.

Which table a decimal age uses (the "sections") and where each reference starts and stops copy the rules in
rcpchgrowth 4.6 (``uk_who.py``, ``who.py``, ``cdc.py``, ``trisomy_21.py``, ``turner.py``):

* ``uk-who``: UK90 preterm (23 weeks gestation to 2 weeks after the due date, decimal age < 14/365.25),
  WHO 2006 infant (to < 2.0 years, measured lying), WHO 2006 child (2.0 to < 4.0 years, standing),
  UK90 child (4.0 to 20 years).
* ``who``: WHO 2006 infant (0 to < 2.0 years), WHO 2006 child (2.0 years to 1856 days), WHO 2007
  (to 19 years; weight only to 10 years).
* ``cdc``: head circumference from the CDC infant table up to 3 years; other measurements from the
  WHO 2006 infant table (rcpchgrowth's pre-2025 monthly copy) below 2.0 years and CDC 2000 from 2 to 20
  years. CDC has no preterm data (rcpchgrowth keeps a Fenton placeholder with no data).
* ``trisomy-21``: one table, 0 to 20 years (Styles et al. 2002 UK Down syndrome charts).
* ``turners``: girls' height only, 1 to 20 years (Lyon, Preece and Grant 1985).

A decimal age is days / 365.25, as in rcpchgrowth's ``chronological_decimal_age``.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from kneadwell.core.marking import gettext_noop

REFERENCES: Final = ("uk-who", "who", "cdc", "trisomy-21", "turners")
DEFAULT_REFERENCE: Final = "uk-who"
METHODS: Final = ("weight", "height", "ofc", "bmi")
SEXES: Final = ("male", "female")

# rcpchgrowth calls the Turner reference "turners-syndrome"; the CLI contract says "turners".
RCPCH_REFERENCE_NAME: Final = {
    "uk-who": "uk-who",
    "who": "who",
    "cdc": "cdc",
    "trisomy-21": "trisomy-21",
    "turners": "turners-syndrome",
}

# Names as people read them: English, marked for translation where they are shown (growth_words.py).
REFERENCE_TITLES: Final = {
    "uk-who": "UK-WHO",
    "who": "WHO",
    "cdc": "CDC",
    "trisomy-21": gettext_noop("Down syndrome (UK)"),
    "turners": gettext_noop("Turner syndrome"),
}

METHOD_TITLES: Final = {
    "weight": gettext_noop("weight"),
    "height": gettext_noop("length/height"),
    "ofc": gettext_noop("head circumference"),
    "bmi": "BMI",
}
METHOD_UNITS: Final = {"weight": "kg", "height": "cm", "ofc": "cm", "bmi": "kg/m²"}

DAYS_PER_YEAR: Final = 365.25
TERM_DAYS: Final = 40 * 7

# Age thresholds, computed exactly as rcpchgrowth computes them (constants/age_constants.py and
# constants/reference_constants.py), so comparisons flip at the same floating-point values.
TWENTY_THREE_WEEKS: Final = ((23 * 7) - (40 * 7)) / 365.25
TWENTY_FIVE_WEEKS: Final = ((25 * 7) - (40 * 7)) / 365.25
FORTY_TWO_WEEKS: Final = ((42 * 7) - (40 * 7)) / 365.25
WHO_2006_UPPER: Final = 1856 / 365.25
TWO_YEARS: Final = 2.0
FOUR_YEARS: Final = 4.0

# Codes used in the numpy arrays.
SEX_CODE: Final = {name: i for i, name in enumerate(SEXES)}
METHOD_CODE: Final = {name: i for i, name in enumerate(METHODS)}


@dataclass(frozen=True)
class AgeLimit:
    """Ages (decimal years) between which a reference has data for one measurement and sex.

    An age is outside when ``age < low`` or ``age > high`` (rcpchgrowth's comparisons)."""

    low: float
    high: float
    low_text: str
    high_text: str


_UKWHO_LOW = AgeLimit(TWENTY_THREE_WEEKS, 20.0, "23 weeks gestation", "20 years")

# (reference, method, sex) -> limits; a missing key means the reference has no such data at all.
AGE_LIMITS: Final[dict[tuple[str, str, str], AgeLimit]] = {}


def _set_limits(reference: str, method: str, limit: AgeLimit, sexes: tuple[str, ...] = SEXES) -> None:
    for sex in sexes:
        AGE_LIMITS[(reference, method, sex)] = limit


_set_limits("uk-who", "weight", _UKWHO_LOW)
_set_limits("uk-who", "height", AgeLimit(TWENTY_FIVE_WEEKS, 20.0, "25 weeks gestation", "20 years"))
_set_limits("uk-who", "bmi", AgeLimit(FORTY_TWO_WEEKS, 20.0, "2 weeks after the due date", "20 years"))
_set_limits("uk-who", "ofc", AgeLimit(TWENTY_THREE_WEEKS, 18.0, "23 weeks gestation", "18 years"), ("male",))
_set_limits(
    "uk-who", "ofc", AgeLimit(TWENTY_THREE_WEEKS, 17.0, "23 weeks gestation", "17 years"), ("female",)
)
_set_limits("who", "weight", AgeLimit(0.0, 10.0, "the due date (term)", "10 years"))
_set_limits("who", "height", AgeLimit(0.0, 19.0, "the due date (term)", "19 years"))
_set_limits("who", "bmi", AgeLimit(0.0, 19.0, "the due date (term)", "19 years"))
_set_limits("who", "ofc", AgeLimit(0.0, WHO_2006_UPPER, "the due date (term)", "1856 days (5 years 1 month)"))
_set_limits("cdc", "weight", AgeLimit(0.0, 20.0, "the due date (term)", "20 years"))
_set_limits("cdc", "height", AgeLimit(0.0, 20.0, "the due date (term)", "20 years"))
_set_limits("cdc", "bmi", AgeLimit(2.0, 20.0, "2 years", "20 years"))
_set_limits("cdc", "ofc", AgeLimit(0.0, 3.0, "the due date (term)", "3 years"))
_set_limits("trisomy-21", "weight", AgeLimit(0.0, 20.0, "the due date (term)", "20 years"))
_set_limits("trisomy-21", "height", AgeLimit(0.0, 20.0, "the due date (term)", "20 years"))
_set_limits("trisomy-21", "bmi", AgeLimit(0.0, 18.82, "the due date (term)", "18.82 years"))
_set_limits("trisomy-21", "ofc", AgeLimit(0.0, 18.0, "the due date (term)", "18 years"))
_set_limits("turners", "height", AgeLimit(1.0, 20.0, "1 year", "20 years"), ("female",))


def age_limit(reference: str, method: str, sex: str) -> AgeLimit | None:
    """The age range with data, or None when the reference has none for this measurement and sex."""
    return AGE_LIMITS.get((reference, method, sex))


@dataclass(frozen=True)
class LmsTable:
    """One LMS table (one reference section, measurement and sex), rows sorted by age."""

    name: str
    ages: NDArray[np.float64]
    # round(age, 4) * 10**4 as an integer, by Python's round() as in rcpchgrowth's exact-row test.
    keys: NDArray[np.int64]
    l: NDArray[np.float64]  # noqa: E741 - L is the name the LMS method gives it
    m: NDArray[np.float64]
    s: NDArray[np.float64]
    sigma: NDArray[np.float64] | None  # CDC BMI only: the extended-BMI scale above the 95th centile

    @property
    def size(self) -> int:
        return int(self.ages.size)


@dataclass(frozen=True)
class Section:
    """A part of a reference: a table file and the name rcpchgrowth gives it."""

    name: str
    path: str  # relative to rcpchgrowth/data_tables


# Sections in the order the section index (0, 1, 2, ...) uses.
SECTIONS: Final[dict[str, tuple[Section, ...]]] = {
    "uk-who": (
        Section("uk90_preterm", "uk90_preterm.json"),
        Section("uk_who_infant", "who/who_infants.json"),
        Section("uk_who_child", "who/who_children.json"),
        Section("uk90_child", "uk90_child.json"),
    ),
    "who": (
        Section("who_2006_infant", "who/who_infants.json"),
        Section("who_2006_child", "who/who_children.json"),
        Section("who_2007_child", "who/who_2007_children.json"),
    ),
    "cdc": (
        Section("cdc_infant", "cdc_infants.json"),
        Section("who_2006_infant_monthly", "who/pre_2025/who_infants.json"),
        Section("cdc_child", "cdc2-20.json"),
    ),
    "trisomy-21": (Section("trisomy_21", "trisomy_21.json"),),
    "turners": (Section("turner", "turner.json"),),
}


def rcpchgrowth_data_dir() -> Path:
    """Where rcpchgrowth keeps its JSON tables, found without importing (running) the package."""
    spec = importlib.util.find_spec("rcpchgrowth")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("rcpchgrowth is not installed; it provides the growth reference data")
    return Path(next(iter(spec.submodule_search_locations))) / "data_tables"


@cache
def _load_json(path: str) -> dict[str, object]:
    with open(rcpchgrowth_data_dir() / path, encoding="utf-8") as handle:
        data: dict[str, object] = json.load(handle)
    return data


def _as_float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def _table_from_rows(name: str, rows: list[dict[str, object]]) -> LmsTable | None:
    if not rows:
        return None
    try:
        ages = [_as_float(r["decimal_age"]) for r in rows]
        ls = [_as_float(r["L"]) for r in rows]
        ms = [_as_float(r["M"]) for r in rows]
        ss = [_as_float(r["S"]) for r in rows]
        sig = [_as_float(r["sigma"]) for r in rows] if "sigma" in rows[0] else None
    except (KeyError, TypeError):
        # e.g. UK90 preterm BMI is stored as empty strings: no data (rcpchgrowth never reaches it either).
        return None
    if any(b <= a for a, b in itertools.pairwise(ages)):
        raise ValueError(f"{name}: ages are not strictly increasing")
    return LmsTable(
        name=name,
        ages=np.array(ages, dtype=np.float64),
        keys=np.array([round(round(a, 4) * 10_000) for a in ages], dtype=np.int64),
        l=np.array(ls, dtype=np.float64),
        m=np.array(ms, dtype=np.float64),
        s=np.array(ss, dtype=np.float64),
        sigma=None if sig is None else np.array(sig, dtype=np.float64),
    )


@cache
def lms_table(reference: str, section: int, method: str, sex: str) -> LmsTable | None:
    """The LMS table rcpchgrowth uses for this reference section, measurement and sex (None if empty)."""
    sec = SECTIONS[reference][section]
    data = _load_json(sec.path)
    measurement = data["measurement"]
    assert isinstance(measurement, dict)
    by_sex = measurement.get(method, {})
    rows = by_sex.get(sex, []) if isinstance(by_sex, dict) else []
    return _table_from_rows(f"{sec.name}/{method}/{sex}", rows)


def section_index(
    reference: str, method_code: NDArray[np.int8], age: NDArray[np.float64]
) -> NDArray[np.int8]:
    """Which section each age falls in (rcpchgrowth's ``*_reference()`` functions), for ages inside the
    reference's limits. Rows outside the limits get a section too, but are errors anyway."""
    sec = np.zeros(age.shape, dtype=np.int8)
    if reference == "uk-who":
        # < 42 weeks: UK90 preterm; < 2 y: WHO infant; < 4 y: WHO child; else UK90 child.
        sec[age >= FORTY_TWO_WEEKS] = 1
        sec[age >= TWO_YEARS] = 2
        sec[age >= FOUR_YEARS] = 3
    elif reference == "who":
        # <= 1856 days: WHO 2006 (infant below 2.0 y, child from 2.0 y); above: WHO 2007.
        sec[age >= TWO_YEARS] = 1
        sec[age > WHO_2006_UPPER] = 2
    elif reference == "cdc":
        # head circumference to 3 y: CDC infant table; others below 2 y: WHO (monthly); else CDC 2-20.
        ofc = method_code == METHOD_CODE["ofc"]
        sec[:] = 1
        sec[age >= TWO_YEARS] = 2
        sec[ofc & (age <= 3.0)] = 0
    return sec


def section_for_age(reference: str, method: str, age: float) -> int:
    """Scalar form of :func:`section_index`."""
    return int(section_index(reference, np.array([METHOD_CODE[method]], dtype=np.int8), np.array([age]))[0])


def section_boundaries(reference: str, method: str) -> tuple[float, ...]:
    """Ages where a reference changes table (for breaking centile lines on charts)."""
    if reference == "uk-who":
        return (FORTY_TWO_WEEKS, TWO_YEARS, FOUR_YEARS)
    if reference == "who":
        return (TWO_YEARS, WHO_2006_UPPER)
    if reference == "cdc":
        return (3.0,) if method == "ofc" else (TWO_YEARS,)
    return ()


def decimal_age(days: int) -> float:
    """Days to decimal years, as rcpchgrowth does (days / 365.25)."""
    return days / DAYS_PER_YEAR


def check_reference(reference: str) -> str:
    if reference not in REFERENCES:
        raise ValueError(f"unknown reference {reference!r}; expected one of {', '.join(REFERENCES)}")
    return reference
