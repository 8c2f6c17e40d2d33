"""Pain instruments with rules beyond a plain sum: the NRS (bands depend on age) and the PIPP (items can be
derived from raw observations: gestational age, heart rate, saturation and facial-action time)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import InstrumentValidationError, Problems
from .model import Instrument, Score
from .plausibility import check_number
from .scoring import score_item_sum, validate_items

# --- Numeric rating scale ---------------------------------------------------------------------------------


def score_nrs(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """NRS 0-10. The band is given only with an age inside the band's validated range (6-17 years [S48])."""
    confirmed = bool(answers.get("confirmed", False))
    values = validate_items(instrument, answers, extra_keys=("age_years", "confirmed"))
    warnings: list[str] = []
    age_raw = answers.get("age_years")
    low, high = (int(x) for x in instrument.extra["band_age_years"])
    self_report_from = int(instrument.extra["self_report_from_years"])
    with_band = False
    if age_raw is None:
        warnings.append(f"no age given: the NRS bands are validated only for ages {low}-{high} years [S48]")
    else:
        spec = instrument.raw_inputs[0].numeric
        assert spec is not None  # catalogue defines age_years as numeric
        age, notes = check_number("age_years", age_raw, spec, confirmed=confirmed, label="Age")
        warnings.extend(notes)
        if age < self_report_from:
            warnings.append(
                f"self-report on a 0-10 scale is recommended from about {self_report_from} years [S47]; "
                "consider an observational scale (e.g. FLACC)"
            )
        if low <= age <= high:
            with_band = True
        else:
            warnings.append(f"no band: the NRS bands in our sources are for ages {low}-{high} years [S48]")
    return score_item_sum(instrument, values, warnings=warnings, with_band=with_band)


# --- Premature Infant Pain Profile ------------------------------------------------------------------------

# Raw inputs that feed each derived item.
_PIPP_RAW: dict[str, tuple[str, ...]] = {
    "gestational_age": ("gestational_age_weeks", "gestational_age_days"),
    "heart_rate": ("heart_rate_baseline_bpm", "heart_rate_max_bpm"),
    "oxygen_saturation": ("spo2_baseline_percent", "spo2_min_percent"),
    "brow_bulge": ("brow_bulge_percent",),
    "eye_squeeze": ("eye_squeeze_percent",),
    "nasolabial_furrow": ("nasolabial_furrow_percent",),
}


def band_points(table: Sequence[Mapping[str, Any]], value: float) -> int:
    """Points from a banding table: the first row whose lower bound the value reaches (None = catch-all)."""
    for row in table:
        if row["min"] is None or value >= float(row["min"]):
            return int(row["points"])
    raise ValueError("banding table has no catch-all row")


def pipp_items_from_observations(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Derive PIPP item scores from the raw observations present in `answers`.

    Returns {item_id: points} plus, under "_derived", the intermediate numbers (rise, fall, days) so the
    record can show how each point was reached.
    """
    confirmed = bool(answers.get("confirmed", False))
    banding = instrument.extra["banding"]
    specs = {r.id: r for r in instrument.raw_inputs}
    problems = Problems()
    numbers: dict[str, float] = {}
    warnings: list[str] = []
    for key, raw in specs.items():
        if answers.get(key) is None:
            continue
        assert raw.numeric is not None
        try:
            numbers[key], notes = check_number(
                key, answers[key], raw.numeric, confirmed=confirmed, label=raw.label
            )
            warnings.extend(notes)
        except InstrumentValidationError as exc:
            problems.absorb(exc)
    derived: dict[str, Any] = {}
    items: dict[str, Any] = {}
    for item_id, keys in _PIPP_RAW.items():
        present = [k for k in keys if k in numbers]
        given = [k for k in keys if answers.get(k) is not None]
        if not given:
            continue
        if item_id == "gestational_age":
            if "gestational_age_weeks" not in given:
                problems.add("gestational_age_weeks", "needed when gestational age days are given")
                continue
        elif len(given) < len(keys):
            for k in keys:
                if k not in given:
                    problems.add(k, f"needed with {', '.join(given)} to score {item_id}")
            continue
        if len(present) < len(given):
            continue  # a value was rejected above; its problem is already listed
        if item_id == "gestational_age":
            days = int(numbers["gestational_age_weeks"]) * 7 + int(numbers.get("gestational_age_days", 0))
            derived["gestational_age_days_total"] = days
            items[item_id] = band_points(banding["gestational_age_days"], days)
        elif item_id == "heart_rate":
            rise = round(numbers["heart_rate_max_bpm"] - numbers["heart_rate_baseline_bpm"], 6)
            derived["heart_rate_rise_bpm"] = rise
            # A fall in heart rate is "no rise": it scores 0 like a rise of 0-4.
            items[item_id] = band_points(banding["heart_rate_rise_bpm"], max(rise, 0.0))
        elif item_id == "oxygen_saturation":
            # Rounded so that float noise (95.3 - 92.8 = 2.4999...) cannot drop a band.
            fall = round(numbers["spo2_baseline_percent"] - numbers["spo2_min_percent"], 6)
            derived["spo2_fall_points"] = fall
            items[item_id] = band_points(banding["spo2_fall_points"], max(fall, 0.0))
        else:
            items[item_id] = band_points(banding["facial_action_percent"], numbers[keys[0]])
    problems.raise_if_any()
    items["_derived"] = derived
    items["_warnings"] = warnings
    return items


def score_pipp(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """PIPP from item scores, raw observations, or a mix. An item given both ways must agree."""
    raw_keys = [r.id for r in instrument.raw_inputs]
    item_answers = {k: v for k, v in answers.items() if k not in (*raw_keys, "confirmed")}
    # Validate the item scores that were given directly (without requiring all: raw inputs may fill gaps).
    given = validate_items(instrument, item_answers, require_all=False)
    derived_items = pipp_items_from_observations(instrument, answers)
    derived = derived_items.pop("_derived")
    warnings: list[str] = list(derived_items.pop("_warnings"))
    problems: list[tuple[str, str]] = []
    values: dict[str, int | str] = dict(given)
    for item_id, points in derived_items.items():
        if item_id in given and given[item_id] != points:
            problems.append(
                (item_id, f"scored {given[item_id]} but the observations give {points}; correct one of them")
            )
        values[item_id] = points
    for item in instrument.items:
        if item.id not in values and not any(p[0] == item.id for p in problems):
            raw_hint = ", ".join(_PIPP_RAW.get(item.id, ()))
            hint = f" (or give {raw_hint})" if raw_hint else ""
            problems.append((item.id, f"{item.label}: missing{hint}"))
    if problems:
        raise InstrumentValidationError.from_problems(problems)
    max_possible = float(instrument.score_max or 21) - (3 - int(values["gestational_age"]))
    details = {"item_scores": dict(values), "derived": derived, "max_for_this_gestation": max_possible}
    return score_item_sum(instrument, values, warnings=warnings, details=details, with_band=False)
