"""Range of motion: % of normal against norms from different sources, defaults, and impossible values."""

from __future__ import annotations

import pytest

from kneadwell.outcomes.instruments import (
    ConfirmationRequired,
    InstrumentValidationError,
    movements,
    percent_of_normal,
    score,
)


def test_knee_flexion_percent_of_normal_differs_by_source() -> None:
    merck = percent_of_normal("knee_flexion", 104, norm="merck")
    table = percent_of_normal("knee_flexion", 104, norm="s59_table")
    assert merck.percent_of_normal == pytest.approx(80.0)  # 104 / 130 [S58]
    assert table.percent_of_normal == pytest.approx(104 / 140 * 100)  # [S59]
    assert merck.norm.source_ids == ("S58",)
    assert table.norm.source_ids == ("S59",)


def test_ankle_dorsiflexion_offers_all_three_published_norms() -> None:
    result = percent_of_normal("ankle_dorsiflexion", 10)
    assert result.other_norms["aaos_via_s60"] == pytest.approx(10 / 13 * 100)
    assert result.other_norms["ama_via_s60"] == pytest.approx(50.0)
    assert result.other_norms["boone_azen"] == pytest.approx(10 / 12.6 * 100)
    boone = movements()["ankle_dorsiflexion"].norm("boone_azen")
    assert boone.sd == 4.4
    assert "BOONE1979" in boone.source_ids


def test_the_default_norm_is_the_largest_stored_normal_value() -> None:
    for movement in movements().values():
        default = movement.norm()
        assert default.end_degrees == max(n.end_degrees for n in movement.norms), movement.id


def test_shoulder_flexion_defaults_to_full_elevation_not_merck_to_90() -> None:
    result = percent_of_normal("shoulder_flexion", 90)
    assert result.norm.norm_set == "s59_table"
    assert result.percent_of_normal == pytest.approx(50.0)
    assert result.other_norms["merck"] == pytest.approx(100.0)


def test_an_impossible_angle_is_rejected() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        percent_of_normal("knee_flexion", 200, side="left")
    assert exc.value.field == "knee_flexion.left"
    assert "between" in exc.value.message


def test_an_unusual_but_possible_angle_needs_confirmation() -> None:
    with pytest.raises(ConfirmationRequired):
        percent_of_normal("knee_flexion", 175)
    confirmed = percent_of_normal("knee_flexion", 175, confirmed=True)
    assert confirmed.percent_of_normal > 100
    assert confirmed.warnings


def test_a_knee_that_does_not_straighten_can_be_recorded_as_a_negative_angle() -> None:
    assert percent_of_normal("knee_flexion", -10).percent_of_normal == pytest.approx(-10 / 140 * 100)


def test_an_unknown_norm_is_rejected() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        percent_of_normal("foot_inversion", 20, norm="s59_table")
    assert exc.value.field == "norm"


def test_scoring_reports_each_movement_and_side_with_its_norm_source() -> None:
    result = score("range_of_motion", {"knee_flexion.left": 70, "knee_flexion.right": 140, "norm": "merck"})
    assert result.details["percent_of_normal"]["knee_flexion.left"] == pytest.approx(70 / 130 * 100)
    assert result.details["percent_of_normal"]["knee_flexion.right"] == pytest.approx(140 / 130 * 100)
    assert result.details["norm"]["knee_flexion.left"]["sources"] == ("S58",)


def test_scoring_rejects_a_missing_side_and_an_unknown_movement() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("range_of_motion", {"knee_flexion": 90, "elbow_twist.left": 10})
    fields = {f for f, _ in exc.value.errors}
    assert fields == {"knee_flexion", "elbow_twist.left"}


def test_confirmation_can_name_just_the_measurements_confirmed() -> None:
    answers = {"knee_flexion.left": 175, "knee_flexion.right": 120, "confirmed": ["knee_flexion.left"]}
    assert score("range_of_motion", answers).details["percent_of_normal"][
        "knee_flexion.right"
    ] == pytest.approx(120 / 140 * 100)
