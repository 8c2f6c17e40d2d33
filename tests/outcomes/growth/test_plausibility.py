"""Impossible and implausible growth values, with their stated basis."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from kneadwell.outcomes.growth.plausibility import (
    Observation,
    PlausibilitySettings,
    check_plausibility,
    check_value,
)
from kneadwell.outcomes.growth.sds import value_for_sds

D = dt.date
NEWBORN = {"sex": "male", "birth_date": D(2026, 1, 1), "observation_date": D(2026, 1, 1)}


def test_a_50_kg_newborn_is_impossible() -> None:
    (finding,) = check_value("weight", 50.0, **NEWBORN)  # type: ignore[arg-type]
    assert finding.level == "impossible"
    assert finding.field == "weight"
    assert "50 kg" in finding.message
    assert "at birth" in finding.message
    assert "rcpchgrowth" in finding.basis
    assert "8" in finding.basis


def test_grams_typed_as_kilograms_are_caught_with_a_suggestion() -> None:
    (finding,) = check_value("weight", 3250.0, **NEWBORN)  # type: ignore[arg-type]
    assert finding.level == "impossible"
    assert finding.suggested_value == 3.25
    assert finding.suggestion
    assert "grams" in finding.suggestion
    assert "3.25 kg" in finding.message


def test_metres_typed_as_centimetres_are_caught_with_a_suggestion() -> None:
    (finding,) = check_value("height", 0.52, **NEWBORN)  # type: ignore[arg-type]
    assert finding.level == "impossible"
    assert finding.suggested_value == 52.0
    assert "metres" in (finding.suggestion or "")


def test_an_ordinary_newborn_has_no_findings() -> None:
    assert check_value("weight", 3.25, **NEWBORN) == []  # type: ignore[arg-type]
    assert check_value("height", 50.5, **NEWBORN) == []  # type: ignore[arg-type]
    assert check_value("ofc", 35.0, **NEWBORN) == []  # type: ignore[arg-type]


def test_a_small_preterm_baby_is_judged_at_her_gestation() -> None:
    # 0.8 kg at birth is ordinary at 26 weeks, and about 6.9 SD below average at term (WHO flag: < -6).
    assert check_value("weight", 0.8, gestation_weeks=26, gestation_days=0, **NEWBORN) == []  # type: ignore[arg-type]
    term = check_value("weight", 0.8, **NEWBORN)  # type: ignore[arg-type]
    assert [f.level for f in term] == ["implausible"]
    assert "6.9 SD below" in term[0].message


def test_who_flags_mark_implausible_but_possible_values() -> None:
    # A weight 5.5 SD above the median at 6 months is beyond WHO's +5 flag but inside rcpchgrowth's 8 SD.
    heavy = float(value_for_sds("uk-who", "weight", "female", [182 / 365.25], 5.5)[0])
    (finding,) = check_value(
        "weight", heavy, sex="female", birth_date=D(2026, 1, 1), observation_date=D(2026, 7, 2)
    )
    assert finding.level == "implausible"
    assert "WHO" in finding.basis
    assert "> 5" in finding.basis


def test_an_adult_is_checked_only_against_human_limits() -> None:
    adult = {"sex": "male", "birth_date": D(1980, 1, 1), "observation_date": D(2026, 1, 1)}
    assert check_value("weight", 82.0, **adult) == []  # type: ignore[arg-type]
    (finding,) = check_value("weight", 820.0, **adult)  # type: ignore[arg-type]
    assert finding.level == "impossible"
    assert "any recorded human" in finding.basis


@pytest.mark.parametrize("value", [0.0, -3.0, float("nan")])
def test_a_value_must_be_positive(value: float) -> None:
    (finding,) = check_value("weight", value, **NEWBORN)  # type: ignore[arg-type]
    assert finding.level == "impossible"


def test_a_measurement_before_birth_is_impossible() -> None:
    (finding,) = check_value(
        "weight", 3.0, sex="male", birth_date=D(2026, 1, 1), observation_date=D(2025, 12, 1)
    )
    assert (finding.level, finding.field) == ("impossible", "observation_date")


def test_a_head_that_shrank_by_3_cm_is_flagged() -> None:
    findings = check_plausibility(
        [Observation(D(2026, 3, 1), "ofc", 38.0), Observation(D(2026, 3, 8), "ofc", 35.0)],
        sex="female",
        birth_date=D(2026, 1, 1),
    )
    (finding,) = findings
    # A real fall is possible (e.g. after a shunt), so this is never "impossible".
    assert (finding.level, finding.field, finding.index) == ("implausible", "ofc", 1)
    assert "3.0 cm" in finding.message


def test_a_small_fall_in_head_circumference_is_measurement_error() -> None:
    assert (
        check_plausibility(
            [Observation(D(2026, 3, 1), "ofc", 38.0), Observation(D(2026, 3, 8), "ofc", 37.7)],
            sex="female",
            birth_date=D(2026, 1, 1),
        )
        == []
    )


def test_daily_weight_change_is_checked_in_both_directions() -> None:
    # 4.0 -> 4.5 kg in one day is +12.5%: implausible (over 5%). 4.5 -> 6.0 kg in one day is +33%:
    # impossible (over 20%). 6.0 -> 4.8 kg over 17 days is (0.8)^(1/17) - 1 = -1.3% a day: fine.
    findings = check_plausibility(
        [
            Observation(D(2026, 3, 1), "weight", 4.0),
            Observation(D(2026, 3, 2), "weight", 4.5),
            Observation(D(2026, 3, 3), "weight", 6.0),
            Observation(D(2026, 3, 20), "weight", 4.8),
        ],
        sex="female",
        birth_date=D(2026, 1, 1),
    )
    assert [(f.level, f.index) for f in findings] == [("implausible", 1), ("impossible", 2)]
    assert "+12%" in findings[0].message or "+13%" in findings[0].message


def test_settings_change_the_bounds() -> None:
    lenient = PlausibilitySettings(
        implausible_weight_change_per_day=0.15, impossible_weight_change_per_day=0.5
    )
    findings = check_plausibility(
        [Observation(D(2026, 3, 1), "weight", 4.0), Observation(D(2026, 3, 2), "weight", 4.5)],
        sex="female",
        birth_date=D(2026, 1, 1),
        settings=lenient,
    )
    assert findings == []


def test_an_unknown_measurement_is_reported() -> None:
    (finding,) = check_plausibility(
        [Observation(D(2026, 3, 1), "shoe", 4.0)], sex="male", birth_date=D(2026, 1, 1)
    )
    assert finding.field == "measurement_method"


def test_findings_are_in_observation_order() -> None:
    findings = check_plausibility(
        [Observation(D(2026, 3, 1), "weight", 3250.0), Observation(D(2026, 3, 1), "height", 0.55)],
        sex="male",
        birth_date=D(2026, 1, 1),
    )
    assert [f.index for f in findings] == sorted(f.index for f in findings if f.index is not None)
    assert np.all([f.level == "impossible" for f in findings])
