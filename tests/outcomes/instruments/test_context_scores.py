"""Item sums with context kept beside them (the Children's Fear Scale, the observation records) and the
Patient-Specific Functional Scale's mean of named activities."""

from __future__ import annotations

import pytest

from kneadwell.outcomes.instruments import Chart, InstrumentValidationError, get_instrument, score

PARENT_BABY = ("looking", "talking", "baby_engages", "parent_follows", "parent_pauses", "gentle_touch")


def test_the_fear_scale_scores_one_face_and_keeps_who_chose_it() -> None:
    result = score("childrens_fear_scale", {"fear": "3", "rated_by": "parent"})
    assert (result.total, result.score_min, result.score_max) == (3, 0, 4)
    assert result.band is None  # no published bands
    assert result.details["context_inputs"] == {"rated_by": "parent"}
    with pytest.raises(InstrumentValidationError) as exc:
        score("childrens_fear_scale", {"fear": 5, "rated_by": "child"})
    assert exc.value.field == "fear"
    with pytest.raises(InstrumentValidationError) as exc:
        score("childrens_fear_scale", {"fear": 2})
    assert exc.value.field == "rated_by"


def test_the_fear_scale_is_the_free_one_and_says_so() -> None:
    cfs = get_instrument("childrens_fear_scale")
    assert "no permission is required" in cfs.licence
    assert {"MCMURTRY-2011-CFS", "CFS-GUELPH"} <= set(cfs.source_ids)
    assert (cfs.age_range.min_days, cfs.age_range.max_days) == (1826, 4017)  # validated at 5-10 years


def test_the_touch_aversion_record_charts_each_behaviour_and_keeps_the_observation_length() -> None:
    answers = {
        "touch_aversion": 3,
        "off_task": 2,
        "sound_orienting": 0,
        "stereotyped": 1,
        "minutes_observed": 10,
    }
    result = score("touch_aversion_observation", answers)
    assert result.total == 6
    assert {k: s.score for k, s in result.subscores.items()} == {
        "touch_aversion": 3,
        "off_task": 2,
        "sound_orienting": 0,
        "stereotyped": 1,
    }
    assert result.details["context_inputs"] == {"minutes_observed": 10}
    inst = get_instrument("touch_aversion_observation")
    assert inst.chart is Chart.DOMAINS
    assert "not a validated instrument" in inst.licence
    with pytest.raises(InstrumentValidationError) as exc:
        score("touch_aversion_observation", {"touch_aversion": 3})
    assert {f for f, _ in exc.value.errors} == {"off_task", "sound_orienting", "stereotyped"}


def test_the_parent_and_baby_record_sums_six_behaviours_and_is_labelled_honestly() -> None:
    result = score("parent_infant_observation", dict.fromkeys(PARENT_BABY, 2))
    assert (result.total, result.score_max) == (12, 12)
    inst = get_instrument("parent_infant_observation")
    assert "Not a validated instrument" in inst.licence
    assert any("licence" in n for n in inst.notes)  # a clinic holding one can define its own measure
    assert set(inst.source_ids) == {"S76", "S78"}


def test_the_blocked_nose_rating_is_a_parents_0_to_3_without_bands() -> None:
    assert score("nasal_congestion", {"congestion": 2}).total == 2
    inst = get_instrument("nasal_congestion")
    assert (inst.score_min, inst.score_max, inst.bands) == (0, 3, ())
    assert inst.source_ids == ("SEED-REHAB-2023",)
    with pytest.raises(InstrumentValidationError):
        score("nasal_congestion", {"congestion": 4})


def test_the_psfs_is_the_mean_of_the_named_activities_rated() -> None:
    answers = {"activity_1": "stairs", "rating_1": 3, "activity_2": "walk to the shop", "rating_2": 6,
               "activity_3": "kneel to garden", "rating_3": 4}  # fmt: skip
    result = score("patient_specific_function", answers)
    assert result.total == pytest.approx(13 / 3, abs=0.005)
    assert {k: (s.label, s.score) for k, s in result.subscores.items()} == {
        "activity_1": ("stairs", 3),
        "activity_2": ("walk to the shop", 6),
        "activity_3": ("kneel to garden", 4),
    }
    assert result.details["activities_rated"] == 3


def test_the_psfs_needs_each_rating_named_and_each_name_rated() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("patient_specific_function", {"rating_1": 3})
    assert exc.value.field == "activity_1"
    with pytest.raises(InstrumentValidationError) as exc:
        score("patient_specific_function", {"activity_2": "stairs"})
    assert exc.value.field == "rating_2"
    with pytest.raises(InstrumentValidationError) as exc:
        score("patient_specific_function", {})
    assert exc.value.field == "answers"
    with pytest.raises(InstrumentValidationError):
        score("patient_specific_function", {"activity_1": "stairs", "rating_1": 11})


def test_the_psfs_stores_no_mcid_it_could_not_confirm() -> None:
    assert get_instrument("patient_specific_function").mcid is None
