"""care/routine.py's pure helpers: which steps are massage, the intake's focus answers, and why a routine
has no massage step left."""

from __future__ import annotations

from kneadwell.care.routine import (
    FOCUS_QUESTIONS,
    TREATMENT_KINDS,
    intake_focus_regions,
    no_treatment,
    todays_steps,
    treatment_steps,
    verdict_for_today,
)
from kneadwell.library.loader import default_library

GO = {"action": "go"}


def test_the_check_in_and_the_assessments_are_not_massage_steps() -> None:
    lib = default_library()
    assert {t.kind for t in lib.techniques.values()} - TREATMENT_KINDS == {"ritual", "assessment"}
    steps = [{"kind": "ritual"}, {"kind": "assessment"}, {"kind": "stroke"}, {"kind": "movement"}]
    assert treatment_steps(steps) == [{"kind": "stroke"}, {"kind": "movement"}]


def test_the_intake_questions_that_say_they_become_focus_areas_are_the_ones_read() -> None:
    lib = default_library()
    for qid in FOCUS_QUESTIONS:
        question = lib.questions[qid]
        assert question.type == "region_multi_choice"
        assert "plan's focus areas" in question.help


def test_focus_answers_give_each_known_region_once_in_question_order() -> None:
    answers = {
        "focus_regions": ["left_ankle", "left_leg"],
        "spasticity_regions": ["left_arm", "left_ankle", "gone_region"],
        "surgery_regions": ["right_knee"],
    }
    regions, asked = intake_focus_regions(answers, {"left_ankle", "left_leg", "left_arm", "right_knee"})
    assert regions == ("left_ankle", "left_leg", "left_arm")
    assert asked == ("focus_regions", "spasticity_regions")


def test_an_unanswered_or_nowhere_focus_question_gives_no_focus_area() -> None:
    assert intake_focus_regions({"focus_regions": [], "spasticity_regions": None}, {"left_arm"}) == ((), ())
    assert intake_focus_regions({}, {"left_arm"}) == ((), ())


def test_a_rehabilitation_routine_without_focus_areas_has_only_its_check_in() -> None:
    lib = default_library()
    steps, dropped = todays_steps(lib, "rehab_injury_postop", verdict_for_today(GO))
    assert [s["technique"] for s in steps] == ["client_check_in"]
    found = no_treatment(steps, dropped)
    assert found is not None
    assert found.cause == "no_focus"
    assert "focus areas" in found.why


def test_a_rehabilitation_routine_with_a_focus_area_has_massage_steps() -> None:
    lib = default_library()
    steps, dropped = todays_steps(
        lib, "rehab_injury_postop", verdict_for_today(GO), focus_regions=["left_ankle"]
    )
    assert len(treatment_steps(steps)) > 5
    assert no_treatment(steps, dropped) is None


def test_a_focus_area_left_out_today_leaves_no_massage_step_and_says_so() -> None:
    lib = default_library()
    verdict = verdict_for_today({"action": "avoid-areas", "avoided_regions": ["left_leg"]})
    steps, dropped = todays_steps(lib, "rehab_injury_postop", verdict, focus_regions=["left_ankle"])
    found = no_treatment(steps, dropped)
    assert found is not None
    assert found.cause == "areas_left_out"
    assert all(d["cause"] == "areas_left_out" for d in dropped if d["kind"] in TREATMENT_KINDS)


def test_a_stroke_routine_without_focus_areas_keeps_its_other_massage_steps() -> None:
    lib = default_library()
    steps, dropped = todays_steps(lib, "stroke_rehab", verdict_for_today(GO))
    assert no_treatment(steps, dropped) is None
    assert {d["cause"] for d in dropped} == {"no_focus"}


def test_a_parents_session_of_trained_only_techniques_says_a_therapist_gives_it() -> None:
    steps = [{"kind": "ritual", "name": "Check-in"}]
    dropped = [
        {"kind": "manoeuvre", "cause": "trained_only", "rules": []},
        {"kind": "assessment", "cause": "no_focus", "rules": []},  # not a massage step: not the reason
    ]
    found = no_treatment(steps, dropped)
    assert found is not None
    assert found.cause == "trained_only"
