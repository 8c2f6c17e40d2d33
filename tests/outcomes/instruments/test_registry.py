"""The registry: lookup, listing and the single score() entry point."""

from __future__ import annotations

from typing import Any

import pytest

from kneadwell.outcomes.instruments import (
    Direction,
    InstrumentValidationError,
    get_instrument,
    get_source,
    list_instruments,
    score,
)


def test_list_instruments_is_sorted_and_complete() -> None:
    ids = [i.id for i in list_instruments()]
    assert ids == sorted(ids)
    for expected in (
        "nips", "pipp", "flacc", "nrs", "modified_ashworth", "fugl_meyer", "range_of_motion",
        "infant_day_diary", "bristol_stool", "amsterdam_stool", "weight", "length_height",
        "head_circumference", "fat_mass", "lean_mass", "bone_mineral_density",
    ):  # fmt: skip
        assert expected in ids


def test_get_instrument_describes_itself_for_forms_and_charts() -> None:
    flacc = get_instrument("flacc")
    assert flacc.direction is Direction.HIGHER_WORSE
    assert flacc.age_range.max_days == 2557
    assert get_instrument("fugl_meyer").direction is Direction.HIGHER_BETTER
    assert get_source("S45").citation.startswith("Merkel SI")


def test_unknown_instrument_is_a_validation_error() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("pedsql", {})
    assert exc.value.field == "instrument"
    assert isinstance(exc.value, ValueError)


def test_answers_must_be_a_mapping() -> None:
    with pytest.raises(InstrumentValidationError):
        score("nips", [0, 1])  # type: ignore[arg-type]


def test_every_instrument_can_be_scored_through_the_registry() -> None:
    examples: dict[str, dict[str, Any]] = {
        "nips": {"face": 0, "cry": 0, "breathing": 0, "arms": 0, "legs": 0, "arousal": 0},
        "flacc": {"face": 0, "legs": 0, "activity": 0, "cry": 0, "consolability": 0},
        "nrs": {"pain": 0, "age_years": 9},
        "pipp": {k: 0 for k in ("gestational_age", "behavioural_state", "heart_rate", "oxygen_saturation",
                                "brow_bulge", "eye_squeeze", "nasolabial_furrow")},
        "modified_ashworth": {"knee_extensors.right": "1"},
        "fugl_meyer": {"balance_sitting_unsupported": 2},
        "range_of_motion": {"elbow_flexion.left": 120},
        "infant_day_diary": {
            "entries": [{"category": "sleep", "start": "2024-01-01T00:00", "end": "2024-01-02T00:00"}]
        },
        "bristol_stool": {"type": 4},
        "goal_attainment": {"level": 0},
        "amsterdam_stool": {"consistency": "hard", "amount": "stain", "colour": "brown"},
        "weight": {"value": 70},
        "length_height": {"value": 170},
        "head_circumference": {"value": 35},
        "fat_mass": {"value": 20},
        "lean_mass": {"value": 50},
        "bone_mineral_density": {"value": 1.0},
        "bilirubin": {"value": 180, "age_hours": 60},
        "nasal_congestion": {"congestion": 1},
        "peak_flow": {"value": 300},
        "childrens_fear_scale": {"fear": 1, "rated_by": "child"},
        "touch_aversion_observation": {"touch_aversion": 1, "off_task": 0, "sound_orienting": 0,
                                       "stereotyped": 2},
        "muscle_strength_mrc": {"knee_extensors.left": "4"},
        "patient_specific_function": {"activity_1": "climbing stairs", "rating_1": 4},
        "length_of_stay": {"admitted": "2024-03-01", "discharged": "2024-03-20"},
        "parent_infant_observation": {k: 1 for k in ("looking", "talking", "baby_engages", "parent_follows",
                                                     "parent_pauses", "gentle_touch")},
        "running_economy": {"value": 44.5, "speed_kmh": 14},
    }  # fmt: skip
    assert set(examples) == {i.id for i in list_instruments()}
    for instrument_id, answers in examples.items():
        result = score(instrument_id, answers)
        assert result.instrument_id == instrument_id
        assert result.direction is get_instrument(instrument_id).direction
