"""Checks that a weight, length/height, head circumference or BMI could be real.

Two levels:

* ``impossible``: cannot be a true measurement of this person (a 50 kg newborn, a date before birth);
  the value should not be saved as it is.
* ``implausible``: possible but so unusual that it should be checked (re-measured, or the units looked
  at) before anyone acts on it.

Every finding carries ``basis``: the rule and where it comes from. The bounds:

* Impossible: |SDS| > 8 for weight, length/height and head circumference, |SDS| > 15 for BMI. Source:
  rcpchgrowth 4.6 ``constants/validation_constants.py`` (MINIMUM/MAXIMUM_HEIGHT_WEIGHT_OFC_ERROR_SDS,
  MINIMUM/MAXIMUM_BMI_ERROR_SDS; rcpchgrowth-python issue #32), where such values are "considered to be an
  error".
* Implausible: the WHO flags for biologically implausible z-scores: weight-for-age < −6 or > +5,
  length/height-for-age < −6 or > +6, BMI-for-age < −5 or > +5, head circumference-for-age < −5 or > +5.
  Source: WHO Anthro software and its R package (WorldHealthOrganization/anthro, ``R/z-score-*.R``,
  ``flag_threshold``), following WHO/UNICEF, "Recommendations for data collection, analysis and reporting
  on anthropometric indicators in children under 5 years old", 2019. WHO defines them on the WHO standard
  for children under 5; applying them to the SDS of whichever reference is selected, at any age, is our
  adaptation.
* Units: when a value is impossible (or implausible) and the same number read in another unit (grams,
  pounds, metres, millimetres, inches) would have |SDS| ≤ 4, that unit is suggested. 4 SD is rcpchgrowth's
  advisory bound (MINIMUM/MAXIMUM_..._ADVISORY_SDS, same file); using it to pick a unit is our choice.
* Whatever the age, and also where no reference covers the age (adults, rehabilitation clients):
  weight ≤ 0.2 kg or > 700 kg, length/height > 275 cm, head circumference > 100 cm, BMI < 5 or > 200 are
  impossible. Anchors named in rcpchgrowth's validation_constants.py comments: the smallest reported
  surviving baby (212 g), the tallest recorded man (272 cm), the heaviest recorded man, and its assumed
  100 cm ceiling for head circumference; the exact margins are our design choice.
* Between measurements (our design choices, settings in :class:`PlausibilitySettings`): head
  circumference smaller by more than 0.5 cm, length/height smaller by more than 1.0 cm (WHO notes that
  standing height is about 0.7 cm less than lying length, so a switch at 2 years stays inside), weight
  changing by more than 5% a day (implausible) or 20% a day (impossible), compounded over the interval.
  For scale: a normal newborn may lose up to about 10% of birth weight over the first days, and preterm
  growth of 15-20 g/kg/day is 1.5-2% a day. Head circumference can truly fall (e.g. after a shunt for
  hydrocephalus), so a fall is only ever "implausible".
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np

from kneadwell.outcomes.growth.ages import ages as compute_ages
from kneadwell.outcomes.growth.references import DEFAULT_REFERENCE, METHOD_TITLES, METHOD_UNITS, METHODS
from kneadwell.outcomes.growth.zscores import batch_sds

Level = Literal["impossible", "implausible"]

RCPCH_ERROR_BASIS: Final = (
    "|SDS| > {bound:g} is treated as an error by rcpchgrowth (constants/validation_constants.py, issue #32)"
)
WHO_FLAG_BASIS: Final = (
    "WHO flag for a biologically implausible {what}-for-age z-score (< {low:g} or > {high:g}); WHO Anthro "
    "R package flag_threshold, WHO/UNICEF 2019 recommendations; applied to this reference's SDS"
)


@dataclass(frozen=True)
class Observation:
    date: dt.date
    method: str  # weight (kg) | height (cm) | ofc (cm) | bmi (kg/m²)
    value: float


@dataclass(frozen=True)
class Finding:
    level: Level
    field: str  # the measurement (weight, height, ofc, bmi) or observation_date
    message: str  # for a parent or nurse
    basis: str  # the rule and its source
    index: int | None = None  # position of the observation in the list given
    observation_date: dt.date | None = None
    suggested_value: float | None = None  # in the expected unit, when a unit mix-up is likely
    suggestion: str | None = None


@dataclass(frozen=True)
class PlausibilitySettings:
    impossible_sds: dict[str, float] = field(
        default_factory=lambda: {"weight": 8.0, "height": 8.0, "ofc": 8.0, "bmi": 15.0}
    )
    implausible_sds: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {
            "weight": (-6.0, 5.0),
            "height": (-6.0, 6.0),
            "ofc": (-5.0, 5.0),
            "bmi": (-5.0, 5.0),
        }
    )
    unit_suggestion_max_abs_sds: float = 4.0
    absolute_limits: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {
            "weight": (0.2, 700.0),
            "height": (0.0, 275.0),
            "ofc": (0.0, 100.0),
            "bmi": (5.0, 200.0),
        }
    )
    ofc_fall_cm: float = 0.5
    length_fall_cm: float = 1.0
    implausible_weight_change_per_day: float = 0.05
    impossible_weight_change_per_day: float = 0.20


DEFAULT_SETTINGS: Final = PlausibilitySettings()

# Other units a value may have been typed in, as (name, factor to the expected unit).
_UNIT_MIXUPS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "weight": (("grams", 1 / 1000), ("pounds", 0.45359237)),
    "height": (("metres", 100.0), ("millimetres", 0.1), ("inches", 2.54)),
    "ofc": (("millimetres", 0.1), ("inches", 2.54)),
    "bmi": (),
}


def _fmt(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def _describe_age(birth_date: dt.date, date: dt.date, gw: int | None, gd: int | None) -> str:
    a = compute_ages(birth_date, date, gw, gd)
    if a.chronological_days < 0:
        return "before birth"
    if a.before_due_date:
        return f"{a.postmenstrual} weeks postmenstrual age"
    days = a.corrected_days
    if a.chronological_days == 0:
        return "birth"
    if days < 60:
        return f"{days} days (corrected)" if a.corrected_days != a.chronological_days else f"{days} days"
    if days < 731:
        return f"{days / 30.4375:.0f} months"
    return f"{days / 365.25:.0f} years"


def check_plausibility(
    observations: Sequence[Observation],
    *,
    sex: str,
    birth_date: dt.date,
    gestation_weeks: int | None = None,
    gestation_days: int | None = None,
    reference: str = DEFAULT_REFERENCE,
    settings: PlausibilitySettings = DEFAULT_SETTINGS,
) -> list[Finding]:
    """All findings for one person's observations (any order; serial checks compare each measurement with
    the previous one of the same kind by date). An empty list means nothing looks wrong."""
    findings: list[Finding] = []
    gw = 40 if gestation_weeks is None else gestation_weeks
    gd = 0 if gestation_days is None else gestation_days
    known = [i for i, o in enumerate(observations) if o.method in METHODS]
    for i, o in enumerate(observations):
        if o.method not in METHODS:
            findings.append(
                Finding(
                    "impossible",
                    "measurement_method",
                    f"Unknown measurement '{o.method}'.",
                    "expected weight, height, ofc or bmi",
                    i,
                    o.date,
                )
            )
    sds = _corrected_sds(observations, known, sex, birth_date, gw, gd, reference)
    for i in known:
        findings.extend(
            _check_one(
                i,
                observations[i],
                sds.get(i),
                sex,
                birth_date,
                gestation_weeks,
                gestation_days,
                reference,
                settings,
            )
        )
    findings.extend(_serial_checks(observations, settings))
    findings.sort(key=lambda f: (f.index if f.index is not None else -1, f.level != "impossible"))
    return findings


def check_value(
    method: str,
    value: float,
    *,
    sex: str,
    birth_date: dt.date,
    observation_date: dt.date,
    gestation_weeks: int | None = None,
    gestation_days: int | None = None,
    reference: str = DEFAULT_REFERENCE,
    settings: PlausibilitySettings = DEFAULT_SETTINGS,
) -> list[Finding]:
    """Findings for a single value (a form field, before it is saved)."""
    return check_plausibility(
        [Observation(observation_date, method, value)],
        sex=sex,
        birth_date=birth_date,
        gestation_weeks=gestation_weeks,
        gestation_days=gestation_days,
        reference=reference,
        settings=settings,
    )


def _corrected_sds(
    observations: Sequence[Observation],
    idx: list[int],
    sex: str,
    birth_date: dt.date,
    gw: int,
    gd: int,
    reference: str,
    values: Sequence[float] | None = None,
    methods: Sequence[str] | None = None,
) -> dict[int, float]:
    """Corrected SDS by index, only where the reference covers the age (batch path: fast, same numbers)."""
    if not idx:
        return {}
    res = batch_sds(
        np.array([sex] * len(idx)),
        np.array([birth_date] * len(idx), dtype="datetime64[D]"),
        np.array([observations[i].date for i in idx], dtype="datetime64[D]"),
        np.full(len(idx), gw),
        np.full(len(idx), gd),
        np.array(list(methods) if methods is not None else [observations[i].method for i in idx]),
        np.array(
            list(values) if values is not None else [observations[i].value for i in idx], dtype=np.float64
        ),
        reference,
    )
    return {i: float(res.corrected_sds[k]) for k, i in enumerate(idx) if res.ok[k]}


def _check_one(
    i: int,
    o: Observation,
    sds: float | None,
    sex: str,
    birth_date: dt.date,
    gestation_weeks: int | None,
    gestation_days: int | None,
    reference: str,
    settings: PlausibilitySettings,
) -> list[Finding]:
    what = METHOD_TITLES[o.method]
    unit = METHOD_UNITS[o.method]
    if o.date < birth_date:
        return [
            Finding(
                "impossible",
                "observation_date",
                f"The {what} is dated {o.date.isoformat()}, before the birth date {birth_date.isoformat()}.",
                "a measurement cannot precede birth",
                i,
                o.date,
            )
        ]
    if not math.isfinite(o.value) or o.value <= 0:
        return [
            Finding(
                "impossible",
                o.method,
                f"The {what} must be a number greater than 0.",
                "a body measurement is positive",
                i,
                o.date,
            )
        ]
    age = _describe_age(birth_date, o.date, gestation_weeks, gestation_days)
    low, high = settings.absolute_limits[o.method]
    out: list[Finding] = []
    suggestion = _unit_suggestion(o, sex, birth_date, gestation_weeks, gestation_days, reference, settings)
    if o.value <= low or o.value > high:
        out.append(
            Finding(
                "impossible",
                o.method,
                f"A {what} of {_fmt(o.value)} {unit} is not possible for anyone."
                + (f" {suggestion[1]}" if suggestion else ""),
                f"outside {low:g}-{high:g} {unit}, the range of any recorded human (anchors cited in "
                "rcpchgrowth validation_constants.py; margins are our design choice)",
                i,
                o.date,
                suggestion[0] if suggestion else None,
                suggestion[1] if suggestion else None,
            )
        )
        return out
    if sds is None:
        return out
    bound = settings.impossible_sds[o.method]
    flag_low, flag_high = settings.implausible_sds[o.method]
    if abs(sds) > bound:
        out.append(
            Finding(
                "impossible",
                o.method,
                f"A {what} of {_fmt(o.value)} {unit} is not possible at {age} "
                f"({abs(sds):.1f} SD {'above' if sds > 0 else 'below'} average)."
                + (f" {suggestion[1]}" if suggestion else " Please check the value and its unit."),
                RCPCH_ERROR_BASIS.format(bound=bound),
                i,
                o.date,
                suggestion[0] if suggestion else None,
                suggestion[1] if suggestion else None,
            )
        )
    elif sds < flag_low or sds > flag_high:
        out.append(
            Finding(
                "implausible",
                o.method,
                f"A {what} of {_fmt(o.value)} {unit} at {age} is very unusual "
                f"({abs(sds):.1f} SD {'above' if sds > 0 else 'below'} average). "
                "Please re-measure or check it." + (f" {suggestion[1]}" if suggestion else ""),
                WHO_FLAG_BASIS.format(what=what, low=flag_low, high=flag_high),
                i,
                o.date,
                suggestion[0] if suggestion else None,
                suggestion[1] if suggestion else None,
            )
        )
    return out


def _unit_suggestion(
    o: Observation,
    sex: str,
    birth_date: dt.date,
    gestation_weeks: int | None,
    gestation_days: int | None,
    reference: str,
    settings: PlausibilitySettings,
) -> tuple[float, str] | None:
    """(value in the expected unit, sentence) when another unit would make the value ordinary."""
    mixups = _UNIT_MIXUPS[o.method]
    if not mixups:
        return None
    gw = 40 if gestation_weeks is None else gestation_weeks
    gd = 0 if gestation_days is None else gestation_days
    candidates = [o.value * factor for _, factor in mixups]
    sds = _corrected_sds(
        [o] * len(candidates),
        list(range(len(candidates))),
        sex,
        birth_date,
        gw,
        gd,
        reference,
        values=candidates,
        methods=[o.method] * len(candidates),
    )
    for k, (unit_name, _) in enumerate(mixups):
        z = sds.get(k)
        if z is not None and abs(z) <= settings.unit_suggestion_max_abs_sds:
            value = round(candidates[k], 3)
            return value, (
                f"It looks like it was entered in {unit_name}: "
                f"did you mean {_fmt(value)} {METHOD_UNITS[o.method]}?"
            )
    return None


def _serial_checks(observations: Sequence[Observation], settings: PlausibilitySettings) -> list[Finding]:
    out: list[Finding] = []
    for method in ("weight", "height", "ofc"):
        series = sorted(
            (
                (o.date, i, o.value)
                for i, o in enumerate(observations)
                if o.method == method and math.isfinite(o.value) and o.value > 0
            ),
            key=lambda t: (t[0], t[1]),
        )
        for (d1, _i1, v1), (d2, i2, v2) in itertools.pairwise(series):
            days = (d2 - d1).days
            when = f"between {d1.isoformat()} and {d2.isoformat()}" if days else f"on {d2.isoformat()}"
            if method == "ofc" and v1 - v2 > settings.ofc_fall_cm:
                out.append(
                    Finding(
                        "implausible",
                        "ofc",
                        f"Head circumference went down by {v1 - v2:.1f} cm {when} "
                        f"({_fmt(v1)} → {_fmt(v2)} cm). "
                        "Heads rarely get smaller; please re-measure.",
                        f"a fall of more than {settings.ofc_fall_cm:g} cm between measurements (our design "
                        "choice, above usual measurement error)",
                        i2,
                        d2,
                    )
                )
            if method == "height" and v1 - v2 > settings.length_fall_cm:
                out.append(
                    Finding(
                        "implausible",
                        "height",
                        f"Length/height went down by {v1 - v2:.1f} cm {when} ({_fmt(v1)} → {_fmt(v2)} cm). "
                        "Please re-measure.",
                        f"a fall of more than {settings.length_fall_cm:g} cm between measurements "
                        "(our design choice; lying length is about 0.7 cm more than standing height, "
                        "WHO 2006)",
                        i2,
                        d2,
                    )
                )
            if method == "weight":
                finding = _weight_change(v1, d2, i2, v2, days, when, settings)
                if finding:
                    out.append(finding)
    return out


def _weight_change(
    v1: float, d2: dt.date, i2: int, v2: float, days: int, when: str, settings: PlausibilitySettings
) -> Finding | None:
    # Compounded change per day; for two weights on one date, the plain difference.
    per_day = (v2 / v1) ** (1 / days) - 1 if days > 0 else v2 / v1 - 1
    size = abs(per_day)
    if size <= settings.implausible_weight_change_per_day:
        return None
    level: Level = "impossible" if size > settings.impossible_weight_change_per_day else "implausible"
    rate = f"{per_day * 100:+.0f}% a day" if days > 0 else f"{per_day * 100:+.0f}% on the same day"
    return Finding(
        level,
        "weight",
        f"Weight changed by {rate} {when} ({_fmt(v1)} → {_fmt(v2)} kg). "
        + (
            "That cannot be a real change; one of the weights is wrong."
            if level == "impossible"
            else "Please check both weights."
        ),
        f"weight change of more than {settings.implausible_weight_change_per_day:.0%} a day is implausible "
        f"and more than {settings.impossible_weight_change_per_day:.0%} a day impossible (our design choice)",
        i2,
        d2,
    )
