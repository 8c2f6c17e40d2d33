"""Measurements with units and the generic plausibility helper."""

from __future__ import annotations

import pytest

from kneadwell.outcomes.instruments import (
    ConfirmationRequired,
    InstrumentValidationError,
    NumericSpec,
    PlausibilityStatus,
    assess,
    check_measurement,
    check_number,
    score,
)

SPEC = NumericSpec(unit="bpm", minimum=20, maximum=300, decimals=0, usual_minimum=80, usual_maximum=220)


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (19, PlausibilityStatus.IMPOSSIBLE),
        (20, PlausibilityStatus.UNUSUAL),
        (79, PlausibilityStatus.UNUSUAL),
        (80, PlausibilityStatus.OK),
        (220, PlausibilityStatus.OK),
        (221, PlausibilityStatus.UNUSUAL),
        (300, PlausibilityStatus.UNUSUAL),
        (301, PlausibilityStatus.IMPOSSIBLE),
        (float("nan"), PlausibilityStatus.IMPOSSIBLE),
    ],
)
def test_plausibility_levels_at_their_edges(value: float, status: PlausibilityStatus) -> None:
    assert assess(value, SPEC, "Heart rate").status is status


def test_check_number_raises_for_impossible_asks_for_unusual_and_keeps_confirmed() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        check_number("hr", 400, SPEC)
    assert exc.value.field == "hr"
    assert not isinstance(exc.value, ConfirmationRequired)
    with pytest.raises(ConfirmationRequired):
        check_number("hr", 250, SPEC)
    value, warnings = check_number("hr", 250, SPEC, confirmed=True)
    assert value == 250
    assert warnings


def test_check_number_rejects_text_booleans_and_extra_decimals() -> None:
    for bad in ("fast", True, None, 120.5):
        with pytest.raises(InstrumentValidationError):
            check_number("hr", bad, SPEC)
    assert check_number("hr", "120", SPEC)[0] == 120


def test_weight_in_grams_is_stored_in_kilograms() -> None:
    value = check_measurement("weight", 3250, "g")
    assert value.value == pytest.approx(3.25)
    assert value.unit == "kg"
    assert score("weight", {"value": "3.25", "unit": "kg"}).total == pytest.approx(3.25)


def test_weight_limits_hold_in_either_unit() -> None:
    # The lowest possible weight is accepted (once confirmed, being unusual); one gram less is not.
    assert check_measurement("weight", 200, "g", confirmed=True).value == pytest.approx(0.2)
    with pytest.raises(InstrumentValidationError) as exc:
        check_measurement("weight", 199, "g")
    assert exc.value.field == "value"
    assert "200" in exc.value.message
    with pytest.raises(ConfirmationRequired):
        check_measurement("weight", 0.35, "kg")  # possible (an extremely preterm infant) but unusual


def test_a_unit_mix_up_is_caught() -> None:
    # 3250 typed with kg selected: beyond any possible body weight.
    with pytest.raises(InstrumentValidationError) as exc:
        check_measurement("weight", 3250, "kg")
    assert exc.value.field == "value"


def test_an_unknown_unit_is_rejected() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        check_measurement("length_height", 50, "in")
    assert exc.value.field == "unit"


def test_decimals_follow_the_unit() -> None:
    assert check_measurement("head_circumference", 34.5, "cm").value == pytest.approx(34.5)
    with pytest.raises(InstrumentValidationError):
        check_measurement("head_circumference", 34.55, "cm")
    with pytest.raises(InstrumentValidationError):
        check_measurement("weight", 3250.5, "g")


def test_body_composition_measurements_have_units() -> None:
    assert score("fat_mass", {"value": 450, "unit": "g"}).total == pytest.approx(0.45)
    assert score("lean_mass", {"value": 2.8}).details["unit"] == "kg"
    assert score("bone_mineral_density", {"value": 0.25, "unit": "g/cm2"}).total == pytest.approx(0.25)
    with pytest.raises(InstrumentValidationError):
        score("bone_mineral_density", {"value": 5.0})


def test_length_records_its_method() -> None:
    result = score("length_height", {"value": 50.2, "method": "length"})
    assert result.details["method"] == "length"
    with pytest.raises(InstrumentValidationError) as exc:
        score("length_height", {"value": 50.2, "method": "sitting"})
    assert exc.value.field == "method"
