"""Turning a verdict into today's routine: left-out areas, techniques, pressure and time."""

from __future__ import annotations

from typing import Any

import pytest

from kneadwell.library.adaptation import Cause, adapt_routine
from kneadwell.library.catalog import Library
from kneadwell.library.screening import Action, Verdict

from .conftest import newborn


def test_all_clear_keeps_every_step(run_screen: Any, library: Library) -> None:
    today = adapt_routine(library, "iaim_full_body", run_screen("infant"))
    assert not today.blocked
    assert not today.dropped
    assert [p.step for p in today.steps] == list(library.routines["iaim_full_body"].steps)


def test_a_blocked_verdict_leaves_nothing_to_do(run_screen: Any, library: Library) -> None:
    today = adapt_routine(library, "iaim_full_body", run_screen("infant", today={"fever_today": True}))
    assert today.blocked
    assert today.steps == ()
    assert all(d.rule_ids == ("fever",) for d in today.dropped)


def test_an_unhealed_cord_takes_out_the_tummy_strokes_only(run_screen: Any, library: Library) -> None:
    verdict = run_screen("infant", today={"umbilical_healed": False}, client=newborn("infant"))
    today = adapt_routine(library, "iaim_full_body", verdict)
    dropped = {library.routines["iaim_full_body"].steps[d.index].section for d in today.dropped}
    assert dropped == {"tummy"}
    assert all(d.rule_ids == ("umbilical_stump",) for d in today.dropped)
    assert any(p.step.section == "chest" for p in today.steps)


def test_a_sore_thigh_keeps_the_other_leg(run_screen: Any, library: Library) -> None:
    verdict = run_screen(
        "infant",
        today={
            "vaccinated_recently": True,
            "vaccination_at": "2025-02-25T09:00:00+00:00",
            "vaccination_site_regions": ["left_thigh"],
        },
    )
    today = adapt_routine(library, "iaim_full_body", verdict)
    milking = next(p for p in today.steps if p.technique.id == "milking_indian" and "right_leg" in p.regions)
    assert milking.regions == ("right_leg",)
    assert milking.left_out_regions == ("left_leg",)
    assert not any("left_leg" in p.regions for p in today.steps)


def test_blood_thinners_cap_pressure_and_drop_deep_work(run_screen: Any, library: Library) -> None:
    verdict = run_screen("rehab", conditions=["anticoagulant_therapy"])
    today = adapt_routine(library, "rehab_focus_session", verdict, focus_regions=["left_ankle"])
    kept = {p.technique.id for p in today.steps}
    assert {"trigger_point", "deep_transverse_friction", "compressions", "forearm_elbow_work"}.isdisjoint(
        kept
    )
    assert "pin_and_stretch" not in kept  # given only with moderate or firm pressure
    assert all(p.pressure in (None, "light") for p in today.steps)
    dtf = next(d for d in today.dropped if d.step.technique == "deep_transverse_friction")
    assert dtf.rule_ids == ("anticoagulants",)


def test_down_syndrome_keeps_neck_strokes_but_not_neck_movements(run_screen: Any, library: Library) -> None:
    verdict = run_screen("child", protocol="child_down_syndrome", conditions=["down_syndrome"])
    assert verdict.modifications.no_joint_movement_at == ("head", "neck")
    tone = adapt_routine(library, "child_tone_and_movement", verdict)
    assert tone.steps  # limb movements are still allowed


def test_focus_steps_use_the_plans_regions(run_screen: Any, library: Library) -> None:
    today = adapt_routine(library, "rehab_focus_session", run_screen("rehab"), focus_regions=["left_ankle"])
    assert all("focus_area" not in p.regions for p in today.steps)
    assert next(p for p in today.steps if p.technique.id == "palpation").regions == ("left_ankle",)


def test_without_a_focus_the_focus_steps_are_left_out(run_screen: Any, library: Library) -> None:
    today = adapt_routine(library, "rehab_focus_session", run_screen("rehab"))
    assert {p.technique.id for p in today.steps} == {"client_check_in"}
    assert all(d.why == "the plan has no focus area" for d in today.dropped)


def test_a_tired_day_halves_the_timed_steps(run_screen: Any, library: Library) -> None:
    verdict = run_screen("child", conditions=[], protocol="child_asthma")
    full = adapt_routine(library, "child_bedtime_massage", verdict)
    # The massage itself is the trials' 20 minutes; since b768d75 the opening and closing rituals carry
    # half a minute each on top.
    rituals = [p for p in full.steps if p.technique.kind == "ritual"]
    assert sum(p.minutes or 0 for p in full.steps if p not in rituals) == 20
    assert sum(p.minutes or 0 for p in rituals) == 1
    stroke = run_screen("stroke", today={"fatigue_today": True})
    assert stroke.modifications.minutes_factor == 0.5


def test_a_focus_region_must_exist(run_screen: Any, library: Library) -> None:
    with pytest.raises(ValueError, match="focus_regions"):
        adapt_routine(library, "rehab_focus_session", run_screen("rehab"), focus_regions=["tail"])


def test_a_group_left_out_always_takes_out_each_of_its_areas(library: Library) -> None:
    # A plan's "always leave out" may name a group; the screening's own verdicts give areas.
    verdict = Verdict(Action.GO, "sports_recovery", "rehab", "", avoided_regions=("left_leg",))
    today = adapt_routine(library, "sports_recovery_session", verdict)
    legs = [p for p in today.steps if p.step.technique == "kneading"]
    assert legs[0].regions == ("right_leg",)
    assert legs[0].left_out_regions == ("left_leg",)


def test_every_step_left_out_says_why_as_a_code(library: Library) -> None:
    verdict = Verdict(Action.GO, "rehab_injury_postop", "rehab", "")
    today = adapt_routine(library, "rehab_focus_session", verdict, trained=False)
    causes = {d.step.technique: d.cause for d in today.dropped}
    assert causes["compressions"] is Cause.NO_FOCUS
    assert {c for t, c in causes.items() if library.techniques[t].trained_only} == {Cause.TRAINED_ONLY}
