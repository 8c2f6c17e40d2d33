"""Issue 15: the programmes for post-traumatic stress, type 1 diabetes and children in oncology. Each has
a routine of real technique steps at its dose, says who gives it, names measures the app knows, and its
rules stop or adapt the session for a client with those findings, whatever programme is picked. Every rule,
setting and number they use cites a known source."""

from __future__ import annotations

from typing import Any

import pytest

from kneadwell.library.adaptation import adapt_routine
from kneadwell.library.catalog import Library
from kneadwell.library.forms import fill_settings
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.screening import Action

PROGRAMMES = {
    "ptsd_trauma_informed": ("ptsd", 20, {"therapist"}),
    "child_diabetes_massage": ("diabetes", 15, {"parent", "therapist"}),
    "child_oncology_comfort": ("cancer", 15, {"therapist"}),
}
NEW_RULES = (
    "glucose_low",
    "glucose_high_ketones",
    "insulin_sites",
    "oncology_fever",
    "low_neutrophils",
    "central_line_site",
    "radiotherapy_skin",
    "oncology_fatigue",
    "client_excluded_areas",
    "ptsd_today_excluded_areas",
    "trauma_informed",
)
STEADY = {"glucose_unit": "mmol_l", "glucose_mmol_l": 6.5, "insulin_site_regions": []}
WELL_COUNTS = {"platelet_count": 250000, "neutrophil_count": 3000}


@pytest.mark.parametrize("protocol_id", PROGRAMMES)
def test_each_programme_has_technique_steps_at_its_dose_and_says_who_gives_it(
    library: Library, protocol_id: str
) -> None:
    _, minutes, who = PROGRAMMES[protocol_id]
    protocol = library.protocols[protocol_id]
    assert protocol.population == "child"
    assert set(protocol.delivered_by) == who
    assert protocol.dose.session_minutes == minutes
    for routine_id in protocol.routines:
        steps = library.routines[routine_id].steps
        kinds = [library.techniques[s.technique].kind for s in steps]
        massage = [s for s, k in zip(steps, kinds, strict=True) if k not in ("ritual", "assessment")]
        assert len(massage) >= 4, routine_id
        assert sum(s.minutes or 0 for s in massage) == minutes
    assert set(protocol.outcome_measures) <= set(library.measures)
    assert protocol.evidence.sources
    assert protocol.sources


@pytest.mark.parametrize("protocol_id", PROGRAMMES)
def test_each_programme_says_how_weak_its_evidence_is(library: Library, protocol_id: str) -> None:
    words = (
        library.protocols[protocol_id].evidence.summary_parent
        + library.protocols[protocol_id].evidence.summary_clinician
    ).lower()
    assert "very low certainty" in words
    assert any(w in words for w in ("small", "pilot", "not randomised", "no control"))


def test_the_ptsd_programme_takes_adults_too_and_is_shown_before_it_starts(library: Library) -> None:
    protocol = library.protocols["ptsd_trauma_informed"]
    assert protocol.other_populations == ["rehab"]
    routine = library.routines[protocol.routines[0]]
    assert routine.steps[0].technique == "routine_preview"
    assert any("clothing" in (s.note or "") for s in routine.steps)


def test_the_diabetes_routine_never_works_on_the_tummy(library: Library) -> None:
    regions = {r for s in library.routines["diabetes_gentle_massage"].steps for r in s.regions}
    assert "abdomen" not in regions


def test_the_oncology_routine_is_light_throughout(library: Library) -> None:
    pressures = {s.pressure for s in library.routines["oncology_gentle_massage"].steps if s.pressure}
    assert pressures == {"light"}


@pytest.mark.parametrize("rule_id", NEW_RULES)
def test_every_new_rule_cites_known_sources_and_says_why_where_it_is_ours(
    library: Library, rule_id: str
) -> None:
    rule = library.rules[rule_id]
    assert rule.sources
    assert set(rule.sources) <= set(library.sources)
    assert not rule.protocols  # rules key on findings and the client, never on the programme picked
    if rule.basis != "sourced":
        assert rule.evidence_note


@pytest.mark.parametrize(
    "setting_id", ["glucose_min_mmol_l", "glucose_high_mmol_l", "neutrophil_min_per_microlitre"]
)
def test_the_new_thresholds_default_to_the_most_cautious_reading_of_sources_that_disagree(
    library: Library, setting_id: str
) -> None:
    definition = library.settings[setting_id]
    assert definition.sources_disagree
    assert set(definition.sources) <= set(library.sources)
    other_end = definition.max if definition.safer == "lower" else definition.min
    # Loosening is allowed only as far as the other source's figure; the default is the cautious one.
    assert definition.default != other_end
    assert (
        (definition.default <= other_end)
        if definition.safer == "lower"
        else (definition.default >= other_end)
    )


def test_the_glucose_help_quotes_the_organisations_floor_in_both_units(library: Library) -> None:
    values = {s: d.default for s, d in library.settings.items()}
    assert "Below 4 mmol/L" in fill_settings(library.questions["glucose_mmol_l"].help, values)
    mg = fill_settings(library.questions["glucose_mg_dl"].help, values)
    assert "Below 72 mg/dL" in mg  # 4.0 x 18, as the rule compares it
    assert "From 250 mg/dL" in mg  # 13.9 x 18 = 250.2, rounded as a meter shows it
    stricter = {**values, "glucose_min_mmol_l": 4.5}
    assert "Below 81 mg/dL" in fill_settings(library.questions["glucose_mg_dl"].help, stricter)


def test_a_diabetic_child_with_a_low_is_stopped_under_any_programme(run_screen: Any) -> None:
    for protocol in ("child_diabetes_massage", "child_asthma", "child_hospital_comfort"):
        verdict = run_screen(
            "child", protocol=protocol, conditions=["diabetes"], today={**STEADY, "glucose_mmol_l": 3.5}
        )
        assert verdict.action is Action.STOP
        assert [r.rule_id for r in verdict.active_reasons] == ["glucose_low"]


def test_a_steady_diabetic_child_goes_ahead_without_todays_sites(run_screen: Any, library: Library) -> None:
    verdict = run_screen(
        "child",
        protocol="child_diabetes_massage",
        conditions=["diabetes"],
        today={**STEADY, "insulin_site_regions": ["right_upper_arm", "abdomen"]},
    )
    assert verdict.action is Action.AVOID_AREAS
    adapted = adapt_routine(library, "diabetes_gentle_massage", verdict)
    arms = next(s for s in adapted.steps if s.technique.id == "swedish_massage" and "left_arm" in s.regions)
    assert arms.regions == ("left_arm",)
    assert arms.left_out_regions == ("right_arm",)


def test_a_high_glucose_needs_normal_ketones(run_screen: Any) -> None:
    high = {**STEADY, "glucose_unit": "mg_dl", "glucose_mmol_l": None, "glucose_mg_dl": 290}
    assert run_screen("child", conditions=["diabetes"], today=high).action is Action.STOP
    normal = run_screen("child", conditions=["diabetes"], today={**high, "ketones_today": "normal"})
    assert normal.action is Action.GO


def test_a_child_with_cancer_and_a_fever_is_told_to_phone_the_unit(run_screen: Any) -> None:
    verdict = run_screen(
        "child",
        protocol="child_oncology_comfort",
        conditions=["cancer"],
        intake=WELL_COUNTS,
        today={"temperature_c": 38.1},
        released=["cancer_release"],
    )
    assert verdict.action is Action.STOP
    reason = next(r for r in verdict.active_reasons if r.rule_id == "oncology_fever")
    assert "Phone the treating unit" in reason.instead
    assert "CCLG-FEBRILE-NEUTROPENIA" in reason.sources


def test_counts_lines_and_radiotherapy_skin_shape_a_childs_oncology_session(
    run_screen: Any, library: Library
) -> None:
    low = run_screen(
        "child",
        conditions=["cancer"],
        intake={**WELL_COUNTS, "neutrophil_count": 600},
        released=["cancer_release"],
    )
    assert low.action is Action.NEEDS_RELEASE
    assert [r.rule_id for r in low.active_reasons] == ["low_neutrophils"]
    verdict = run_screen(
        "child",
        protocol="child_oncology_comfort",
        conditions=["leukaemia"],
        intake={
            **WELL_COUNTS,
            "central_line": True,
            "central_line_regions": ["chest"],
            "radiotherapy_skin": True,
            "radiotherapy_regions": ["back"],
        },
        today={"treatment_fatigue_today": True},
        released=["cancer_release"],
    )
    assert verdict.action is Action.AVOID_AREAS
    assert {"chest", "upper_back", "lower_back"} <= set(verdict.avoided_regions)
    adapted = adapt_routine(library, "oncology_gentle_massage", verdict)
    assert "back" not in {r for s in adapted.steps for r in s.regions}
    assert all(s.minutes is None or s.minutes <= 2.0 for s in adapted.steps)  # half length on a tired day


def test_a_ptsd_client_is_asked_before_every_step_and_chooses_todays_areas(run_screen: Any) -> None:
    verdict = run_screen(
        "rehab",
        protocol="ptsd_trauma_informed",
        conditions=["ptsd"],
        today={"no_touch_today": True, "no_touch_today_regions": ["left_leg", "right_leg"]},
    )
    assert verdict.modifications.ask_permission
    assert {"left_thigh", "right_lower_leg"} <= set(verdict.avoided_regions)
    unknown = run_screen("rehab", conditions=["ptsd"], today={"no_touch_today_regions": None})
    assert unknown.action is Action.NEEDS_RELEASE  # areas not said: a clinician confirms first


def test_none_of_this_touches_a_client_without_the_condition(
    run_screen: Any, settings: ScreeningSettings
) -> None:
    for protocol in PROGRAMMES:
        verdict = run_screen("child", protocol=protocol)
        assert verdict.action is Action.GO
        assert not verdict.modifications.ask_permission
