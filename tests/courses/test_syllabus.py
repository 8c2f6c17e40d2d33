"""The syllabus (pure): strokes of the routine, the library's default week by week, and today's steps kept
to the strokes taught."""

from __future__ import annotations

import pytest

from kneadwell.courses import syllabus as syl
from kneadwell.library.loader import default_library
from kneadwell.library.screening import Action, Modifications, Verdict

LIB = default_library()
PROTOCOL = syl.DEFAULT_PROTOCOL


def test_each_stroke_is_a_technique_in_a_section_once() -> None:
    strokes = syl.strokes_of(LIB, PROTOCOL)
    keys = [s.key for s in strokes]
    assert len(keys) == len(set(keys))
    assert keys[0] == "opening.asking_permission"
    assert keys[-1] == "closing.closing_ritual"
    # Indian milking on the legs and on the arms are two strokes; the water wheel's A and B are one.
    assert "legs_and_feet.milking_indian" in keys
    assert "arms_and_hands.milking_indian" in keys
    assert keys.count("tummy.water_wheel") == 1


def test_the_default_follows_the_library_class_progression() -> None:
    plan = syl.default_syllabus(LIB, PROTOCOL, 5)
    strokes = syl.strokes_of(LIB, PROTOCOL)
    week1 = [s.key for s in syl.week_strokes(strokes, plan, 1)]
    first_week_routine = LIB.routines[syl.FIRST_WEEK_ROUTINE]
    assert week1 == [f"{s.section}.{s.technique}" for s in first_week_routine.steps]
    week2_sections = {s.section for s in syl.week_strokes(strokes, plan, 2)}
    assert week2_sections == {"legs_and_feet", "tummy"}  # the rest of the legs and feet, then the tummy
    assert {s.section for s in syl.week_strokes(strokes, plan, 3)} == {"chest", "arms_and_hands"}
    assert {s.section for s in syl.week_strokes(strokes, plan, 4)} == {"face", "back"}
    assert syl.is_review_week(strokes, plan, 5)
    assert all(week >= 1 for week in plan.values())  # every stroke is taught


def test_a_shorter_course_brings_the_later_strokes_into_its_last_week() -> None:
    plan = syl.default_syllabus(LIB, PROTOCOL, 3)
    strokes = syl.strokes_of(LIB, PROTOCOL)
    assert max(plan.values()) == 3
    assert {"chest", "face", "back"} <= {s.section for s in syl.week_strokes(strokes, plan, 3)}


def test_a_longer_course_ends_with_review_weeks() -> None:
    plan = syl.default_syllabus(LIB, PROTOCOL, 6)
    strokes = syl.strokes_of(LIB, PROTOCOL)
    assert syl.is_review_week(strokes, plan, 5)
    assert syl.is_review_week(strokes, plan, 6)
    assert not syl.is_review_week(strokes, plan, 4)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nowhere.stroke": 1}, "Not a stroke of this routine"),
        ({"tummy.sun_and_moon": 9}, "choose a week from 1 to 5"),
        ({"opening.asking_permission": 2}, "cannot move"),
    ],
)
def test_a_wrong_syllabus_is_refused_with_why(change: dict[str, int], message: str) -> None:
    plan = {**syl.default_syllabus(LIB, PROTOCOL, 5), **change}
    errors = syl.syllabus_errors(LIB, PROTOCOL, plan, 5)
    assert any(message in m for m in errors["syllabus"]), errors


def test_a_syllabus_teaching_nothing_is_refused() -> None:
    plan = dict.fromkeys(syl.default_syllabus(LIB, PROTOCOL, 5), 0)
    assert "Choose at least one stroke to teach." in syl.syllabus_errors(LIB, PROTOCOL, plan, 5)["syllabus"]


def _steps(verdict: Verdict) -> tuple[list[dict], list[dict]]:
    from kneadwell.care.routine import todays_steps

    return todays_steps(LIB, PROTOCOL, verdict, trained=False)


GO = Verdict(action=Action.GO, protocol_id=PROTOCOL, population="infant", content_version="t")


def test_limited_steps_are_exactly_the_taught_strokes_in_order_numbered_again() -> None:
    steps, dropped = _steps(GO)
    taught = ["opening.asking_permission", "legs_and_feet.milking_indian", "closing.closing_ritual"]
    kept, _ = syl.limit_steps(LIB, steps, dropped, taught)
    assert [s["technique"] for s in kept] == ["asking_permission", "milking_indian", "closing_ritual"]
    assert [s["index"] for s in kept] == [0, 1, 2]
    assert {tuple(s["regions"]) for s in kept if s["technique"] == "milking_indian"} == {
        ("left_leg", "right_leg")
    }  # the legs' milking, not the arms'


def test_a_limit_never_brings_back_a_step_the_verdict_left_out() -> None:
    avoid = Verdict(
        action=Action.AVOID_AREAS,
        protocol_id=PROTOCOL,
        population="infant",
        content_version="t",
        avoided_regions=("abdomen",),
        modifications=Modifications(),
    )
    steps, dropped = _steps(avoid)
    taught = [s.key for s in syl.strokes_of(LIB, PROTOCOL)]  # everything taught
    kept, gone = syl.limit_steps(LIB, steps, dropped, taught)
    assert not [s for s in kept if "abdomen" in s["regions"]]
    assert {d["technique"] for d in gone} >= {"sun_and_moon", "i_love_you"}
