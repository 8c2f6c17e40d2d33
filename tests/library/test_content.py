"""The content covers what the issue and the seeds ask for, and says where it stands on evidence."""

from __future__ import annotations

import re

import pytest

from kneadwell.library.catalog import Library

SEED_TECHNIQUES = [
    "kneading",
    "circular_strokes",
    "pressure_touch",
    "long_stroking",
    "milking_indian",
    "milking_swedish",
    "swedish_massage",
    "myofascial_release",
    "trigger_point",
    "pin_and_stretch",
    "compressions",
    "rom_passive",
    "rom_assisted",
    "contract_relax",
    "stretching_assisted",
    "stretching_passive",
    "tapotement",
    "lymphatic_drainage",
    "deep_transverse_friction",
    "foot_reflexology",
    "tuina",
]

# IAIM parent routine strokes per area (research notes, section 4), as technique ids in routine order.
IAIM_AREAS = {
    "legs_and_feet": [
        "resting_hands",
        "milking_indian",
        "hug_and_glide",
        "thumb_over_thumb",
        "toe_roll",
        "under_toes",
        "thumb_press",
        "top_of_foot",
        "ankle_circles",
        "milking_swedish",
        "rolling",
        "bottom_relaxer",
        "integration_strokes",
    ],
    "tummy": [
        "resting_hands",
        "water_wheel",
        "water_wheel",
        "thumbs_to_sides",
        "sun_and_moon",
        "i_love_you",
        "tummy_walking",
    ],
    "chest": ["resting_hands", "open_book", "butterfly", "integration_strokes"],
    "arms_and_hands": [
        "resting_hands",
        "pit_stop",
        "milking_indian",
        "hug_and_glide",
        "palm_stroke_finger_roll",
        "top_of_hand",
        "wrist_circles",
        "milking_swedish",
        "rolling",
        "integration_strokes",
    ],
    "face": [
        "resting_hands",
        "open_book",
        "relax_eyes",
        "nose_and_cheekbones",
        "smile_strokes",
        "relax_jaw",
        "ears_neck_chin",
    ],
    "back": ["resting_hands", "back_and_forth", "swooping", "swooping", "back_circles", "combing"],
}

CONDITIONS = [
    "preterm",
    "down_syndrome",
    "cerebral_palsy",
    "asthma",
    "juvenile_idiopathic_arthritis",
    "autism",
    "adhd",
    "cystic_fibrosis",
    "cancer",
    "diabetes",
    "ptsd",
    "developmental_delay",
    "stroke",
    "sports_injury",
    "post_operative",
    "bleeding_disorder",
    "thrombocytopenia",
    "anticoagulant_therapy",
    "dvt_history",
    "osteopenia_of_prematurity",
    "jaundice",
    "eczema",
    "congenital_heart_disease",
    "hospitalised",
]


@pytest.mark.parametrize("technique", SEED_TECHNIQUES)
def test_every_technique_the_seeds_name_is_in_the_library(library: Library, technique: str) -> None:
    t = library.techniques[technique]
    assert t.description_parent
    assert t.description_clinician
    assert t.regions
    assert t.pressure
    assert t.sources
    assert t.suits.populations


def test_the_parent_routine_has_every_iaim_stroke_in_the_fixed_order(library: Library) -> None:
    routine = library.routines["iaim_full_body"]
    sections = [s.id for s in routine.sections]
    assert sections == [
        "opening",
        "legs_and_feet",
        "tummy",
        "chest",
        "arms_and_hands",
        "face",
        "back",
        "closing",
    ]
    by_section: dict[str, list[str]] = {}
    for step in routine.steps:
        by_section.setdefault(step.section or "", []).append(step.technique)
    assert by_section["opening"] == ["asking_permission"]
    assert by_section["closing"] == ["closing_ritual"]
    for area, strokes in IAIM_AREAS.items():
        assert by_section[area] == strokes, area
        assert by_section[area][0] == "resting_hands"  # every area starts with resting hands


def test_the_class_series_runs_four_to_five_weeks_and_introduces_every_area(library: Library) -> None:
    protocol = library.protocols["iaim_parent_routine"]
    assert 4 <= len(protocol.class_progression) <= 5
    introduced = [s for week in protocol.class_progression for s in week.sections]
    assert sorted(introduced) == sorted(s.id for s in library.routines["iaim_full_body"].sections)


def test_preterm_tactile_kinesthetic_protocols_follow_the_trials(library: Library) -> None:
    for pid, days in (("preterm_tks_10d", 10), ("preterm_tks_5d", 5)):
        p = library.protocols[pid]
        assert (p.dose.sessions_per_day, p.dose.session_minutes, p.dose.days) == (3, 15, days)
        assert p.population == "preterm_infant"
        steps = library.routines[p.routines[0]].steps
        assert [(s.section, s.minutes) for s in steps] == [
            ("tactile_1", 5),
            ("kinesthetic", 5),
            ("tactile_2", 5),
        ]
        assert {s.pressure for s in steps} == {"moderate"}
        assert {"bradycardia", "desaturation", "tachycardia", "temperature_low"} <= set(p.session_checks)
    rules = {r.id for r in library.rules_for("preterm_tks_10d", "preterm_infant")}
    assert {"preterm_not_stable", "preterm_exclusions", "young_pma", "respiratory_support"} <= rules


def test_the_neonatal_visit_follows_the_seed(library: Library) -> None:
    steps = [s.technique for s in library.routines["neonatal_practice"].steps]
    assert steps[:5] == [
        "visual_assessment",
        "infant_physical_assessment",
        "oil_skin_test",
        "asking_permission",
        "foot_reflexology",
    ]
    assert steps[-1] == "closing_ritual"
    prep = " ".join(p.text for p in library.protocols["neonatal_practice"].preparation)
    assert "78–80 °F" in prep
    assert "warmed surface" in prep


def test_the_rehabilitation_session_follows_the_seed_sequence(library: Library) -> None:
    steps = [s.technique for s in library.routines["rehab_focus_session"].steps]
    order = [
        "compressions",
        "palpation",
        "function_assessment",
        "myofascial_release",
        "swedish_massage",
        "pin_and_stretch",
        "trigger_point",
        "rom_assisted",
        "contract_relax",
        "stretching_assisted",
        "stretching_passive",
        "tapotement",
        "lymphatic_drainage",
    ]
    assert [s for s in steps if s in order] == order
    dose = library.protocols["rehab_injury_postop"].dose
    assert dose.phases[0].weeks == 2
    assert dose.phases[0].sessions == 4
    assert [p.sessions / p.weeks for p in dose.phases] == sorted(
        (p.sessions / p.weeks for p in dose.phases), reverse=True
    )  # tapering
    assert dose.basis == "design-choice"
    assert dose.evidence_note


def test_the_stroke_protocol_is_gentle_and_client_led(library: Library) -> None:
    steps = [s.technique for s in library.routines["stroke_gentle_session"].steps]
    assert steps[0] == "client_check_in"
    assert "walking_ankle_motion" in steps
    assert "swedish_massage" in steps
    assert "stretching_assisted" not in steps
    assert "contract_relax" not in steps
    assert "modified_ashworth" in library.protocols["stroke_rehab"].outcome_measures


@pytest.mark.parametrize(
    "protocol",
    [
        "colic_relief",
        "constipation_relief",
        "face_relief",
        "child_asthma",
        "child_jia",
        "child_autism_adhd",
        "child_cystic_fibrosis",
        "child_cerebral_palsy",
        "child_down_syndrome",
        "child_hospital_comfort",
        "sports_recovery",
        "rehab_injury_postop",
        "stroke_rehab",
        "neonatal_practice",
    ],
)
def test_the_required_protocols_exist_with_evidence_and_measures(library: Library, protocol: str) -> None:
    p = library.protocols[protocol]
    assert p.routines
    assert p.outcome_measures
    assert p.sources
    assert p.dose.sources
    assert p.evidence.summary_parent
    assert p.evidence.summary_clinician
    assert p.evidence.sources


def test_children_protocol_doses_match_their_trials(library: Library) -> None:
    dose = {pid: library.protocols[pid].dose for pid in library.protocols}
    assert (dose["child_asthma"].session_minutes, dose["child_asthma"].days, dose["child_asthma"].timing) == (
        20,
        30,
        "Before bedtime.",
    )
    assert (dose["child_jia"].session_minutes, dose["child_jia"].days) == (15, 30)
    assert (dose["child_autism_adhd"].sessions_per_week, dose["child_autism_adhd"].weeks) == (2, 4)
    assert (dose["child_cerebral_palsy"].session_minutes, dose["child_cerebral_palsy"].weeks) == (30, 12)
    assert (dose["child_down_syndrome"].session_minutes, dose["child_down_syndrome"].weeks) == (30, 8)


@pytest.mark.parametrize("condition", CONDITIONS)
def test_the_conditions_vocabulary_has_what_client_records_need(library: Library, condition: str) -> None:
    assert library.conditions[condition].label
    assert library.conditions[condition].sources


def test_the_stroke_intake_asks_the_seed_questions(library: Library) -> None:
    asked = {q.id for q in library.questions_for("stroke", "intake")}
    assert {"last_stroke_date", "stroke_count", "comorbidities", "client_goals", "home_commitment"} <= asked


def test_every_population_has_an_intake_and_a_today_check(library: Library) -> None:
    for population in library.populations:
        assert library.questions_for(population, "intake")
        assert library.questions_for(population, "today")


def test_questions_are_in_plain_words_with_help(library: Library) -> None:
    for q in library.questions.values():
        assert q.label[0].isupper(), q.id
        assert q.help, q.id
        assert not re.search(r"\b(contraindicat|thrombocytop|atlanto)", q.label, re.I), q.id


def test_rules_cover_the_contraindications_in_the_research_notes(library: Library) -> None:
    assert {
        "fever",
        "acute_infection",
        "skin_problems",
        "vaccination_wait",
        "vaccination_site",
        "feeding_wait",
        "jaundice",
        "preterm_not_stable",
        "osteopenia",
        "bleeding_disorder",
        "low_platelets",
        "anticoagulants",
        "recent_clot",
        "clot_suspected",
        "cancer_release",
        "tumour_site",
        "down_syndrome_neck",
        "umbilical_stump",
        "recent_surgery",
        "acute_inflammation",
    } <= set(library.rules)


def test_anything_not_plainly_sourced_says_why(library: Library) -> None:
    items = [
        *library.rules.values(),
        *library.techniques.values(),
        *library.protocols.values(),
        *library.session_checks.values(),
    ]
    items += [p.dose for p in library.protocols.values()]
    for item in items:
        if item.basis != "sourced":
            assert item.evidence_note, item
    assert library.rules["umbilical_stump"].basis == "design-choice"
    assert library.rules["jaundice"].basis == "conflicting"


def test_the_cue_vocabulary_has_the_four_barnard_groups_and_six_states(library: Library) -> None:
    groups = {
        (c.kind, c.strength)
        for c in library.cues.values()
        if c.kind in ("engagement", "disengagement") and c.context != "consent"  # a yes/no, not a cue
    }
    assert groups == {
        ("engagement", "potent"),
        ("engagement", "subtle"),
        ("disengagement", "potent"),
        ("disengagement", "subtle"),
    }
    assert [s.number for s in sorted(library.states.values(), key=lambda s: s.number)] == [1, 2, 3, 4, 5, 6]
    assert library.states["quiet_alert"].good_to_start
    good = {s.id for s in library.states.values() if s.good_to_start}
    not_ready = set(library.rules["not_ready_state"].when.in_ or [])  # type: ignore[union-attr]
    assert not_ready == set(library.states) - good


def test_every_body_area_has_a_label_and_sides_where_they_matter(library: Library) -> None:
    for region in library.regions.values():
        assert region.label
        if region.id.startswith(("left_", "right_")):
            assert region.side == region.id.split("_")[0]
    assert library.distal_of("left_thigh") == ["left_knee", "left_lower_leg", "left_ankle", "left_foot"]


def test_every_measure_points_at_real_outcome_instruments(library: Library) -> None:
    from kneadwell.outcomes.instruments import list_instruments

    known = {i.id for i in list_instruments()}
    for measure in library.measures.values():
        assert set(measure.instruments) <= known, measure.id
        assert not (measure.instruments and measure.in_session), measure.id
    recorded = {m.id for m in library.measures.values() if m.instruments or m.in_session}
    # The instruments the outcomes issue asks for are all reachable from some protocol measure.
    assert {
        "weight",
        "length_height",
        "head_circumference",
        "modified_ashworth",
        "fugl_meyer",
        "range_of_motion",
        "flacc",
        "nrs",
        "infant_day_diary",
    } <= {i for m in library.measures.values() for i in m.instruments}
    assert {"weight_gain_g_per_day", "growth_z_scores", "modified_ashworth", "behavioural_state"} <= recorded


def test_the_preterm_trials_weigh_daily_and_the_timings_say_why(library: Library) -> None:
    tks = library.protocols["preterm_tks_10d"]
    weights = next(t for t in tks.measurement_timing if "weight_gain_g_per_day" in t.measures)
    assert weights.when == ["baseline", "daily", "end"]
    assert "S34" in weights.sources
    assert weights.basis == "sourced"
    for protocol in library.protocols.values():
        for timing in protocol.measurement_timing:
            assert timing.evidence_note, (protocol.id, timing.measures)


def test_every_step_of_every_routine_has_a_time(library: Library) -> None:
    """The player times each step (issue 17); a step without minutes would have no countdown. Where no
    source gives the times, the routine's clinician description says they are our guide."""
    for routine in library.routines.values():
        untimed = [s.technique for s in routine.steps if not s.minutes]
        assert not untimed, (routine.id, untimed)
    for rid in ("sports_recovery_session", "rehab_focus_session", "stroke_gentle_session"):
        assert "our guide" in library.routines[rid].description_clinician, rid
