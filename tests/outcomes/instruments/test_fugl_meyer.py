"""Fugl-Meyer: totals, section sub-scores, incomplete sections, item rules and the MCID."""

from __future__ import annotations

from typing import Any

import pytest

from kneadwell.outcomes.instruments import InstrumentValidationError, fugl_meyer_change, get_instrument, score
from kneadwell.outcomes.instruments.loader import section_items

FM = get_instrument("fugl_meyer")


def full(section: str) -> dict[str, int]:
    return {it.id: int(it.max_value or 0) for it in section_items(FM, section)}


def zeros(section: str) -> dict[str, int]:
    return {it.id: 0 for it in section_items(FM, section)}


def everything(value: str = "max") -> dict[str, int]:
    answers: dict[str, int] = {}
    for domain in ("ue_motor", "le_motor", "sensory", "balance", "joint_range", "joint_pain"):
        answers.update(full(domain) if value == "max" else zeros(domain))
    return answers


def test_full_marks_everywhere_give_226() -> None:
    result = score("fugl_meyer", everything("max"))
    assert result.total == 226
    assert result.details["motor_total"] == 100
    assert result.subscores["ue_motor"].score == 66
    assert result.subscores["le_motor"].score == 34
    assert result.subscores["a"].score == 36
    assert result.subscores["b"].score == 10
    assert result.subscores["c"].score == 14
    assert result.subscores["d"].score == 6
    assert result.subscores["e"].score == 28
    assert result.subscores["f"].score == 6
    assert result.subscores["sensory"].score == 24
    assert result.subscores["balance"].score == 14
    assert result.subscores["joint_range"].score == 44
    assert result.subscores["joint_pain"].score == 44
    assert result.warnings == ()


def test_all_zero_gives_a_total_of_zero_not_missing() -> None:
    result = score("fugl_meyer", everything("zero"))
    assert result.total == 0
    assert result.details["motor_total"] == 0


def test_the_upper_extremity_alone_gives_66_and_no_grand_total() -> None:
    result = score("fugl_meyer", full("ue_motor"))
    assert result.subscores["ue_motor"].score == 66
    assert result.total is None
    assert result.details["motor_total"] is None
    assert "Lower extremity motor (E-F)" in result.details["not_assessed"]
    assert any("no 226-point total" in w for w in result.warnings)


def test_a_mixed_upper_extremity_score_adds_its_sections() -> None:
    answers = full("a") | zeros("b") | full("c") | zeros("d")
    answers["a5_normal_reflex_activity"] = 1
    answers["c_grasp_pincer"] = 1
    result = score("fugl_meyer", answers)
    assert result.subscores["a"].score == 35
    assert result.subscores["c"].score == 13
    assert result.subscores["ue_motor"].score == 48


def test_an_incomplete_section_is_reported_not_summed() -> None:
    answers = full("ue_motor")
    del answers["c_grasp_spherical"]
    result = score("fugl_meyer", answers)
    assert result.subscores["c"].score is None
    assert result.subscores["c"].missing == ("c_grasp_spherical",)
    assert result.subscores["ue_motor"].score is None
    assert result.subscores["a"].score == 36  # complete sections still report
    assert any("c_grasp_spherical" in w and "incomplete" in w for w in result.warnings)
    assert result.complete is False


@pytest.mark.parametrize("bad", [3, -1, "2+", 1.5])
def test_an_item_outside_0_to_2_is_rejected_by_name(bad: Any) -> None:
    answers: dict[str, Any] = full("b")
    answers["b_circumduction"] = bad
    with pytest.raises(InstrumentValidationError) as exc:
        score("fugl_meyer", answers)
    assert exc.value.field == "b_circumduction"


def test_a_reflex_item_takes_only_0_or_2() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("fugl_meyer", {**full("a1"), "a1_extensor_reflex": 1})
    assert exc.value.field == "a1_extensor_reflex"


def test_normal_reflex_activity_must_be_zero_unless_part_iv_has_full_marks() -> None:
    answers = full("a")
    answers["a4_shoulder_abduction_0_90"] = 1
    with pytest.raises(InstrumentValidationError) as exc:
        score("fugl_meyer", answers)
    assert exc.value.field == "a5_normal_reflex_activity"
    answers["a5_normal_reflex_activity"] = 0
    assert score("fugl_meyer", answers).subscores["a"].score == 33


def test_the_lower_extremity_gate_works_the_same_way() -> None:
    answers = full("le_motor")
    answers["e4_ankle_dorsiflexion"] = 0
    with pytest.raises(InstrumentValidationError) as exc:
        score("fugl_meyer", answers)
    assert exc.value.field == "e5_normal_reflex_activity"


def test_change_against_the_mcid() -> None:
    before = score("fugl_meyer", zeros("ue_motor") | {"a2_elbow_flexion": 2})
    after_small = score("fugl_meyer", zeros("ue_motor") | {"a2_elbow_flexion": 2, "b_circumduction": 2})
    after_big = score("fugl_meyer", full("a") | zeros("b") | zeros("c") | zeros("d"))
    small = fugl_meyer_change(FM, before, after_small, "ue_motor")
    big = fugl_meyer_change(FM, before, after_big, "ue_motor")
    assert small.difference == 2
    assert "smaller than the MCID" in small.reading
    assert big.difference == 34
    assert "at least the upper MCID" in big.reading
    assert (big.mcid_low, big.mcid_high) == (4.25, 7.25)  # Page 2012, not the notes' 4.5-7.0 (issue 15)


def test_a_change_in_a_scale_without_a_published_mcid_gets_no_mcid_reading() -> None:
    # The MCID was derived for the upper-extremity motor score; the leg score is compared without one.
    before = score("fugl_meyer", zeros("le_motor"))
    after = score(
        "fugl_meyer",
        zeros("le_motor")
        | {"e2_hip_flexion": 2, "e2_knee_flexion": 2, "e2_hip_extension": 2, "e2_knee_extension": 2},
    )
    change = fugl_meyer_change(FM, before, after, "le_motor")
    assert change.difference == 8
    assert "no published MCID for this scale" in change.reading
    assert "at least the upper MCID" not in change.reading


def test_change_refuses_an_incomplete_scale() -> None:
    complete = score("fugl_meyer", full("ue_motor"))
    partial = score("fugl_meyer", {"a1_flexor_reflexes": 2})
    with pytest.raises(InstrumentValidationError):
        fugl_meyer_change(FM, partial, complete, "ue_motor")
