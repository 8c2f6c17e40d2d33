"""The screening as a whole: precedence, releases, missing answers, settings, input errors, output."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from kneadwell.library.answers import AnswerError
from kneadwell.library.catalog import Library
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.screening import Action, ClientFacts, ScreeningInputError, screen

PROTOCOLS = [
    "iaim_first_week",
    "iaim_parent_routine",
    "colic_relief",
    "constipation_relief",
    "face_relief",
    "preterm_tks_10d",
    "preterm_tks_5d",
    "neonatal_practice",
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
    "ptsd_trauma_informed",
    "child_diabetes_massage",
    "child_oncology_comfort",
]


@pytest.mark.parametrize("protocol_id", PROTOCOLS)
def test_all_clear_answers_give_go_for_every_protocol(
    protocol_id: str, library: Library, run_screen: Any
) -> None:
    # The fixture's preterm baby is 36 weeks postmenstrual age: old enough for any programme without a
    # release (young_pma); every client's record fits the population it is screened as.
    population = library.protocols[protocol_id].population
    verdict = run_screen(population, protocol=protocol_id)
    assert verdict.action is Action.GO, [(r.rule_id, r.note) for r in verdict.reasons]
    assert verdict.reasons == ()
    assert not verdict.blocks


def test_every_protocol_is_listed_in_the_go_test(library: Library) -> None:
    assert set(PROTOCOLS) == set(library.protocols)


def test_stop_outranks_every_other_action(run_screen: Any) -> None:
    verdict = run_screen(
        "child",
        conditions=["anticoagulant_therapy", "bleeding_disorder"],  # modify + needs-release
        today={"inflamed_regions": ["left_knee"], "fever_today": True},  # avoid-areas + stop
    )
    actions = {r.action for r in verdict.reasons}
    assert actions == {Action.STOP, Action.NEEDS_RELEASE, Action.AVOID_AREAS, Action.MODIFY}
    assert verdict.action is Action.STOP
    assert [r.action.rank for r in verdict.reasons] == sorted(
        (r.action.rank for r in verdict.reasons), reverse=True
    )


@pytest.mark.parametrize(
    ("conditions", "today", "expected"),
    [
        (
            ["bleeding_disorder", "anticoagulant_therapy"],
            {"inflamed_regions": ["left_knee"]},
            Action.NEEDS_RELEASE,
        ),
        (["anticoagulant_therapy"], {"inflamed_regions": ["left_knee"]}, Action.AVOID_AREAS),
        (["anticoagulant_therapy"], {}, Action.MODIFY),
        ([], {}, Action.GO),
    ],
)
def test_the_overall_action_follows_the_precedence(
    run_screen: Any, conditions: list[str], today: dict[str, Any], expected: Action
) -> None:
    assert run_screen("child", conditions=conditions, today=today).action is expected


def test_a_release_lifts_a_needs_release_reason_but_keeps_it_listed(run_screen: Any) -> None:
    held = run_screen("infant", today={"jaundice_today": True})
    assert held.action is Action.NEEDS_RELEASE
    assert held.blocks
    released = run_screen("infant", today={"jaundice_today": True}, released=["jaundice"])
    assert released.action is Action.GO
    assert not released.blocks
    (reason,) = released.reasons
    assert reason.rule_id == "jaundice"
    assert reason.released
    assert released.active_reasons == ()


def test_a_release_never_lifts_a_stop(run_screen: Any, library: Library) -> None:
    everything = list(library.rules)
    verdict = run_screen("infant", today={"fever_today": True}, released=everything)
    assert verdict.action is Action.STOP
    assert verdict.blocks
    assert not any(r.released for r in verdict.reasons if r.action is Action.STOP)


def test_an_unanswered_today_check_blocks_the_session(
    library: Library, settings: ScreeningSettings, now: datetime
) -> None:
    for population in library.populations:
        protocol = next(p.id for p in library.protocols.values() if p.population == population)
        verdict = screen(
            library=library,
            protocol_id=protocol,
            client=ClientFacts(population=population, age_days=100),
            intake={},
            today={},
            settings=settings,
            now=now,
        )
        assert verdict.blocks, population
        assert verdict.unanswered


def test_a_missing_answer_is_named_in_plain_words(run_screen: Any) -> None:
    verdict = run_screen("infant", today={"fever_today": None})
    (reason,) = verdict.reasons
    assert reason.unanswered == ("fever_today",)
    assert reason.note is not None
    assert "Not answered" in reason.note
    assert "fever" in reason.note
    assert verdict.unanswered == ("fever_today",)


def test_an_avoid_areas_rule_without_regions_becomes_needs_release(run_screen: Any) -> None:
    verdict = run_screen(
        "child", conditions=["cancer"], intake={"tumour_regions": None}, released=["cancer_release"]
    )
    reason = next(r for r in verdict.reasons if r.rule_id == "tumour_site")
    assert reason.escalated
    assert reason.action is Action.NEEDS_RELEASE
    assert reason.unanswered == ("tumour_regions",)
    assert verdict.action is Action.NEEDS_RELEASE


def test_avoided_regions_are_expanded_and_merged(run_screen: Any) -> None:
    verdict = run_screen(
        "child",
        today={"inflamed_regions": ["right_leg"], "skin_problem_regions": ["umbilical_area", "right_knee"]},
    )
    assert verdict.action is Action.AVOID_AREAS
    assert verdict.avoided_regions == (
        "right_ankle",
        "right_hip",
        "right_knee",
        "right_lower_leg",
        "right_thigh",
        "umbilical_area",
    )


def test_modifications_merge_to_the_strictest(run_screen: Any) -> None:
    verdict = run_screen(
        "stroke", conditions=["anticoagulant_therapy", "down_syndrome"], today={"fatigue_today": True}
    )
    mods = verdict.modifications
    assert mods.max_pressure == "light"
    assert mods.minutes_factor == 0.5
    assert "deep_transverse_friction" in mods.exclude_techniques
    assert mods.no_joint_movement_at == ("head", "neck")


def test_a_wait_says_when_it_will_be_over(run_screen: Any, now: datetime) -> None:
    fed = now - timedelta(minutes=10)
    verdict = run_screen("infant", today={"last_feed_at": fed})
    assert verdict.action is Action.STOP
    assert verdict.retry_after == fed + timedelta(minutes=30)
    (reason,) = verdict.reasons
    assert reason.retry_after == fed + timedelta(minutes=30)


def test_a_stop_without_an_end_has_no_retry_time(run_screen: Any, now: datetime) -> None:
    verdict = run_screen("infant", today={"last_feed_at": now - timedelta(minutes=10), "fever_today": True})
    assert verdict.action is Action.STOP
    assert verdict.retry_after is None


def test_an_organisation_setting_changes_the_outcome_and_is_reported(
    run_screen: Any, library: Library, now: datetime
) -> None:
    today = {
        "vaccinated_recently": True,
        "vaccination_at": now - timedelta(hours=50),
        "vaccination_site_regions": ["left_thigh"],
    }
    default = run_screen("infant", today=today)
    wait = next(r for r in default.reasons if r.rule_id == "vaccination_wait")
    (use,) = wait.settings
    assert use.id == "vaccination_wait_hours"
    assert use.value == 72
    assert use.is_default
    assert use.sources_disagree
    shorter = run_screen(
        "infant", today=today, org=ScreeningSettings.for_library(library, {"vaccination_wait_hours": 48})
    )
    assert not any(r.rule_id == "vaccination_wait" for r in shorter.reasons)
    assert shorter.action is Action.AVOID_AREAS  # the injection site stays out whatever the wait


def test_a_setting_in_force_is_reported_as_not_default(
    run_screen: Any, library: Library, now: datetime
) -> None:
    org = ScreeningSettings.for_library(library, {"feeding_wait_minutes": 45})
    verdict = run_screen("infant", today={"last_feed_at": now - timedelta(minutes=40)}, org=org)
    (reason,) = verdict.reasons
    (use,) = reason.settings
    assert (use.value, use.is_default, use.default) == (45, False, 30)


def test_verdict_serialises_to_json_with_the_content_version(run_screen: Any, library: Library) -> None:
    verdict = run_screen(
        "child", conditions=["anticoagulant_therapy"], today={"inflamed_regions": ["left_knee"]}
    )
    data = json.loads(json.dumps(verdict.to_dict()))
    assert data["action"] == "avoid-areas"
    assert data["content_version"] == str(library.version)
    assert data["blocks"] is False
    assert {r["rule_id"] for r in data["reasons"]} == {"anticoagulants", "acute_inflammation"}
    assert data["modifications"]["max_pressure"] == "light"


def test_answers_of_the_wrong_kind_are_refused_with_every_field_named(run_screen: Any) -> None:
    with pytest.raises(AnswerError) as caught:
        run_screen(
            "infant",
            today={
                "fever_today": "yes",
                "baby_state": "sleepy",
                "skin_problem_regions": ["tail"],
                "no_such_question": True,
            },
        )
    assert set(caught.value.errors) == {
        "fever_today",
        "baby_state",
        "skin_problem_regions",
        "no_such_question",
    }
    assert "yes or no" in caught.value.errors["fever_today"]


@pytest.mark.parametrize(
    ("scope", "answers", "field", "words"),
    [
        ("intake", {"platelet_count": -5}, "platelet_count", "expected 0 to"),
        ("intake", {"platelet_count": True}, "platelet_count", "number"),
        ("intake", {"surgery_date": "01/02/2024"}, "surgery_date", "date such as"),
        ("intake", {"surgery_date": "2099-01-01"}, "surgery_date", "future"),
        ("today", {"last_feed_at": "2025-03-01T09:00"}, "last_feed_at", "time zone"),
        ("today", {"last_feed_at": "2025-03-02T09:00+00:00"}, "last_feed_at", "future"),
        ("today", {"fever_today": True}, "fever_today", "not a question of the intake"),
        ("intake", {"under_medical_care": False}, "under_medical_care", "not a question of the today"),
    ],
)
def test_bad_answers_name_the_field(
    run_screen: Any, scope: str, answers: dict[str, Any], field: str, words: str
) -> None:
    other = "today" if scope == "intake" else "intake"
    if field in ("fever_today", "under_medical_care"):  # answered in the wrong scope on purpose
        scope, other = other, scope
    with pytest.raises(AnswerError) as caught:
        run_screen("infant", **{scope: answers})
    assert caught.value.field == field
    assert words in caught.value.message


def test_iso_strings_are_accepted_for_dates_and_times(run_screen: Any) -> None:
    verdict = run_screen("infant", today={"last_feed_at": "2025-03-01T11:50:00+00:00"})
    assert [r.rule_id for r in verdict.reasons] == ["feeding_wait"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"protocol_id": "nope"}, "protocol_id"),
        ({"client": ClientFacts(population="martian")}, "population"),
        ({"client": ClientFacts(population="child", conditions=frozenset({"flu"}))}, "conditions"),
        ({"now": datetime(2025, 3, 1, 12)}, "now"),
    ],
)
def test_bad_screening_inputs_name_the_field(
    library: Library, settings: ScreeningSettings, now: datetime, kwargs: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {
        "library": library,
        "protocol_id": "child_asthma",
        "client": ClientFacts(population="child"),
        "intake": {},
        "today": {},
        "settings": settings,
        "now": now,
        **kwargs,
    }
    with pytest.raises(ScreeningInputError) as caught:
        screen(**args)
    assert caught.value.field == field


def test_client_facts_compute_corrected_and_postmenstrual_age() -> None:
    facts = ClientFacts.from_birth(
        population="preterm_infant",
        birth_date=date(2025, 1, 1),
        on=date(2025, 3, 1),
        gestation_weeks=28,
        gestation_days=3,
        conditions=["preterm"],
    )
    assert facts.age_days == 59
    assert facts.postmenstrual_age_days == 28 * 7 + 3 + 59
    assert facts.corrected_age_days == 59 - (280 - (28 * 7 + 3))
    assert facts.fact("postmenstrual_age_weeks") == pytest.approx((28 * 7 + 3 + 59) / 7)
    assert facts.conditions == frozenset({"preterm"})


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"gestation_weeks": 21}, "gestation_weeks"),
        ({"gestation_weeks": 30, "gestation_days": 7}, "gestation_days"),
        ({"birth_date": date(2025, 4, 1)}, "birth_date"),
    ],
)
def test_client_facts_refuse_impossible_values(kwargs: dict[str, Any], field: str) -> None:
    args = {"population": "infant", "birth_date": date(2025, 1, 1), "on": date(2025, 3, 1), **kwargs}
    with pytest.raises(ScreeningInputError) as caught:
        ClientFacts.from_birth(**args)
    assert caught.value.field == field


def test_screening_is_deterministic(run_screen: Any) -> None:
    a = run_screen(
        "child", conditions=["cancer"], intake={"tumour_regions": ["chest"], "platelet_count": 40000}
    )
    b = run_screen(
        "child", conditions=["cancer"], intake={"tumour_regions": ["chest"], "platelet_count": 40000}
    )
    assert a == b


def test_a_timezone_other_than_utc_is_compared_correctly(run_screen: Any) -> None:
    fed_here = datetime(2025, 3, 1, 12, 50, tzinfo=timezone(timedelta(hours=1)))  # 11:50 UTC, 10 min ago
    verdict = run_screen("infant", today={"last_feed_at": fed_here})
    assert [r.rule_id for r in verdict.reasons] == ["feeding_wait"]
