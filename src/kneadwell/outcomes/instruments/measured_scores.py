"""Measurements with a rule beyond unit conversion: peak flow read against the child's own best (with the
asthma action-plan zones), and a hospital stay counted from its dates. Pure: no Django."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .context import DETAILS_KEY, context_inputs, read_context
from .errors import InstrumentValidationError, Problems
from .measurements import score_measurement
from .model import Band, Instrument, Score

# --- peak flow ------------------------------------------------------------------------------------------

PERSONAL_BEST = "personal_best"


def zones(instrument: Instrument) -> tuple[Band, ...]:
    """The instrument's zones over % of the personal best (its `zones` data: `from_percent` each), highest
    first; each zone runs from its own `from_percent` up to the next one's."""
    rows = sorted(instrument.extra.get("zones", ()), key=lambda z: -float(z["from_percent"]))
    out = []
    upper = math.inf
    for z in rows:
        low = float(z["from_percent"])
        out.append(Band(str(z["id"]), str(z["label"]), low, upper, tuple(str(s) for s in z["sources"])))
        upper = low
    return tuple(out)


def zone_for(instrument: Instrument, percent: float) -> Band | None:
    """The zone a % of the personal best falls in: the highest whose lower edge it reaches (80% is green,
    79.9% yellow)."""
    for band in zones(instrument):
        if percent >= band.minimum:
            return band
    return None


def percent_of(value: float, best: float) -> float:
    return 100.0 * value / best


def score_peak_flow(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """Peak flow in L/min. With a personal best entered, its % and the zone; without one, the trend reads
    each value against the best recorded for the client up to that day (selectors.trends)."""
    score = score_measurement(instrument, answers)
    given = dict(score.details.get(DETAILS_KEY, {}))
    best = given.get(PERSONAL_BEST)
    if best is None or score.total is None:
        return score
    percent = percent_of(score.total, float(best))
    warnings = list(score.warnings)
    if percent > 100:
        warnings.append(
            "this reading is above the personal best entered: the personal best may need updating with "
            "the child's doctor or nurse"
        )
    details = dict(score.details) | {"percent_of_best": round(percent, 1), "best": float(best)}
    return dataclasses.replace(
        score,
        band=zone_for(instrument, percent),
        warnings=tuple(warnings),
        details=MappingProxyType(details),
    )


# --- length of stay -------------------------------------------------------------------------------------

ADMITTED, DISCHARGED = "admitted", "discharged"


def score_length_of_stay(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """Days in hospital: entered, or counted from the admission and discharge dates (discharge date minus
    admission date, so a stay from one day to the next is 1 day). With both, they must agree."""
    problems = Problems()
    given: dict[str, Any] = {}
    try:
        given, _ = read_context(instrument, answers, confirmed=bool(answers.get("confirmed", False)))
    except InstrumentValidationError as exc:
        problems.absorb(exc)
    labels = {c.id: c.label for c in context_inputs(instrument)}
    days: int | None = None
    if ADMITTED in given and DISCHARGED in given:
        admitted = dt.date.fromisoformat(given[ADMITTED])
        discharged = dt.date.fromisoformat(given[DISCHARGED])
        days = (discharged - admitted).days
        if days < 0:
            problems.add(DISCHARGED, f"{labels[DISCHARGED]}: before the admission date")
            days = None
    elif answers.get("value") is None:
        for key in (ADMITTED, DISCHARGED):
            if key not in given and not any(field == key for field, _ in problems.errors):
                problems.add(key, f"{labels[key]}: missing (give both dates, or the number of days)")
    value = answers.get("value")
    if value is not None and days is not None:
        try:
            typed = float(str(value).strip())
        except ValueError:
            typed = None
        if typed is not None and typed != days:
            problems.add("value", f"the dates make {days} days, not {value}: correct one or the other")
    problems.raise_if_any()
    counted = dict(answers)
    if value is None and days is not None:
        counted["value"] = days
    score = score_measurement(instrument, counted)
    if days is None:
        return score
    return dataclasses.replace(
        score, details=MappingProxyType(dict(score.details) | {"counted_from_dates": True})
    )
