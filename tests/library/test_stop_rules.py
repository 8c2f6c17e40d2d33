"""In-session stop rules: cues, crying, states and vital signs against the configurable limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kneadwell.library.catalog import Library
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.stop_rules import (
    CHECK_IDS,
    ImplausibleVitalSign,
    SessionDecision,
    SessionObservations,
    UnknownObservation,
    VitalReading,
    evaluate_in_session,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def decide(library: Library, settings: ScreeningSettings) -> Any:
    def run(org: ScreeningSettings | None = None, **kwargs: Any) -> SessionDecision:
        kwargs.setdefault("population", "preterm_infant")
        return evaluate_in_session(
            library=library, observations=SessionObservations(**kwargs), settings=org or settings
        )

    return run


def ids(decision: SessionDecision) -> list[str]:
    return [r.check_id for r in decision.reasons]


def test_nothing_observed_means_continue(decide: Any) -> None:
    decision = decide()
    assert decision.action == "continue"
    assert decision.reasons == ()
    assert decision.reason is None


def test_engagement_cues_mean_continue(decide: Any) -> None:
    decision = decide(
        cues=["smiling", "mutual_gaze", "open_hands"],
        state="quiet_alert",
        vitals=[VitalReading(heart_rate=150, spo2=97, respiratory_rate=45, temperature_c=36.8)],
    )
    assert decision.action == "continue"
    assert decision.reasons == ()


def test_crying_stops(decide: Any) -> None:
    decision = decide(crying=True)
    assert decision.action == "stop"
    assert ids(decision) == ["crying"]
    assert decision.reason is not None
    assert decision.reason.parent_text
    assert decision.reason.sources


def test_the_crying_state_stops_once(decide: Any) -> None:
    assert ids(decide(state="crying", crying=True)) == ["crying"]


@pytest.mark.parametrize(
    "cue", ["choking_gagging", "vomiting", "colour_change", "apnoea_seen", "falling_asleep", "crying_cue"]
)
def test_stop_cues_stop(decide: Any, cue: str) -> None:
    decision = decide(cues=[cue])
    assert decision.action == "stop"
    assert ids(decision) == ["cue_stop"]


@pytest.mark.parametrize("cue", ["turning_away", "arching", "finger_splaying", "pushing_away", "hiccups"])
def test_potent_disengagement_pauses_the_first_time(decide: Any, cue: str) -> None:
    decision = decide(cues=[cue], pauses_so_far=0)
    assert decision.action == "pause"
    assert ids(decision) == ["cue_pause"]


def test_potent_disengagement_after_the_allowed_pauses_stops(decide: Any) -> None:
    decision = decide(cues=["arching"], pauses_so_far=1)
    assert decision.action == "stop"
    assert ids(decision) == ["repeated_disengagement"]
    assert decision.reason is not None
    (use,) = decision.reason.settings
    assert use.id == "pauses_before_stop"
    assert use.value == 1


def test_an_organisation_may_end_at_the_first_strong_no(decide: Any, library: Library) -> None:
    org = ScreeningSettings.for_library(library, {"pauses_before_stop": 0})
    assert decide(org, cues=["arching"], pauses_so_far=0).action == "stop"
    assert decide(cues=["arching"], pauses_so_far=0).action == "pause"


def test_subtle_disengagement_is_advice_to_slow_down_at_home(decide: Any) -> None:
    decision = decide(population="infant", cues=["yawning", "looking_away"])
    assert decision.action == "continue"
    assert [r.check_id for r in decision.advice] == ["cue_slow"]
    assert "yawning" in decision.advice[0].detail


def test_the_same_subtle_cue_pauses_a_preterm_baby(decide: Any) -> None:
    decision = decide(population="preterm_infant", cues=["yawning"])
    assert decision.action == "pause"
    assert ids(decision) == ["cue_pause"]


@pytest.mark.parametrize(
    ("state", "action", "check"),
    [
        ("deep_sleep", "stop", "state_stop"),
        ("light_sleep", "stop", "state_stop"),
        ("active_alert", "pause", "state_pause"),
        ("drowsy", "continue", "state_slow"),
        ("quiet_alert", "continue", None),
    ],
)
def test_behavioural_states(decide: Any, state: str, action: str, check: str | None) -> None:
    decision = decide(state=state)
    assert decision.action == action
    assert ids(decision) == ([check] if check else [])


def test_stop_outranks_pause_and_advice_in_the_reasons(decide: Any) -> None:
    decision = decide(population="infant", cues=["yawning", "arching"], crying=True)
    assert decision.action == "stop"
    assert ids(decision) == ["crying", "cue_pause", "cue_slow"]


# --- vital signs: (reading, expected action, expected checks) at, below and above each limit ---

VITALS: list[tuple[str, dict[str, Any], str, list[str]]] = [
    (
        "heart rate 99 for 4 s is bradycardia",
        {"heart_rate": 99, "heart_rate_seconds": 4},
        "stop",
        ["bradycardia"],
    ),
    (
        "heart rate 99 for 3 s is a brief dip",
        {"heart_rate": 99, "heart_rate_seconds": 3},
        "pause",
        ["bradycardia_brief"],
    ),
    ("heart rate 99, duration unknown, counts as lasting", {"heart_rate": 99}, "stop", ["bradycardia"]),
    ("heart rate exactly 100 is not bradycardia", {"heart_rate": 100}, "continue", []),
    ("SpO2 79 for 10 s is desaturation", {"spo2": 79, "spo2_seconds": 10}, "stop", ["desaturation"]),
    ("SpO2 79 for 9 s is a brief dip", {"spo2": 79, "spo2_seconds": 9}, "pause", ["desaturation_brief"]),
    ("SpO2 79, duration unknown, counts as lasting", {"spo2": 79}, "stop", ["desaturation"]),
    ("SpO2 exactly 80 is not desaturation", {"spo2": 80}, "continue", []),
    ("heart rate 181 is tachycardia", {"heart_rate": 181}, "pause", ["tachycardia"]),
    ("heart rate exactly 180 is not tachycardia", {"heart_rate": 180}, "continue", []),
    ("temperature 36.4 is too cold", {"temperature_c": 36.4}, "stop", ["temperature_low"]),
    ("temperature exactly 36.5 is fine", {"temperature_c": 36.5}, "continue", []),
    ("respiratory rate 0 is apnoea", {"respiratory_rate": 0}, "stop", ["apnoea"]),
    ("respiratory rate 1 is not apnoea", {"respiratory_rate": 1}, "continue", []),
]


@pytest.mark.parametrize(("reading", "action", "checks"), [v[1:] for v in VITALS], ids=[v[0] for v in VITALS])
def test_vital_sign_limits(decide: Any, reading: dict[str, Any], action: str, checks: list[str]) -> None:
    decision = decide(vitals=[VitalReading(**reading)])
    assert decision.action == action
    assert ids(decision) == checks


def test_consecutive_timed_readings_measure_how_long_a_low_value_lasts(decide: Any) -> None:
    low = [VitalReading(at=T0 + timedelta(seconds=s), heart_rate=95) for s in (0, 2)]
    assert ids(decide(vitals=low)) == ["bradycardia_brief"]  # 2 s so far
    longer = [*low, VitalReading(at=T0 + timedelta(seconds=5), heart_rate=92)]
    assert ids(decide(vitals=longer)) == ["bradycardia"]  # 5 s
    recovered_between = [
        VitalReading(at=T0, heart_rate=95),
        VitalReading(at=T0 + timedelta(seconds=3), heart_rate=130),
        VitalReading(at=T0 + timedelta(seconds=5), heart_rate=95, heart_rate_seconds=1),
    ]
    assert ids(decide(vitals=recovered_between)) == ["bradycardia_brief"]  # the run restarted


def test_a_second_high_heart_rate_in_a_row_stops(decide: Any) -> None:
    decision = decide(vitals=[VitalReading(heart_rate=185), VitalReading(heart_rate=190)])
    assert decision.action == "stop"
    assert ids(decision) == ["tachycardia_persisting"]
    settled = decide(
        vitals=[VitalReading(heart_rate=185), VitalReading(heart_rate=170), VitalReading(heart_rate=182)]
    )
    assert ids(settled) == ["tachycardia"]


@pytest.mark.parametrize(
    ("baseline", "now", "checks"),
    [
        ({"heart_rate": 140}, {"heart_rate": 165}, ["heart_rate_rise"]),  # +25: the PIPP top band
        ({"heart_rate": 140}, {"heart_rate": 164}, []),
        ({"spo2": 97}, {"spo2": 89.5}, ["spo2_fall"]),  # -7.5
        ({"spo2": 97}, {"spo2": 89.6}, []),
    ],
)
def test_changes_from_the_baseline(
    decide: Any, baseline: dict[str, Any], now: dict[str, Any], checks: list[str]
) -> None:
    decision = decide(baseline=VitalReading(**baseline), vitals=[VitalReading(**now)])
    assert ids(decision) == checks


def test_stricter_organisation_limits_apply(decide: Any, library: Library) -> None:
    org = ScreeningSettings.for_library(library, {"bradycardia_hr_bpm": 110, "desaturation_spo2_percent": 88})
    decision = decide(org, vitals=[VitalReading(heart_rate=105, spo2=85)])
    assert ids(decision) == ["bradycardia", "desaturation"]
    reason = decision.reasons[0]
    assert {u.id: (u.value, u.is_default) for u in reason.settings}["bradycardia_hr_bpm"] == (110, False)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("heart_rate", 0),
        ("heart_rate", 400),
        ("spo2", 101),
        ("spo2", 0),
        ("temperature_c", 50),
        ("temperature_c", 20),
        ("respiratory_rate", -1),
        ("respiratory_rate", 200),
        ("heart_rate", float("nan")),
        ("heart_rate", True),
        ("spo2_seconds", -3),
    ],
)
def test_impossible_vital_signs_are_refused_with_the_field(field: str, value: Any) -> None:
    with pytest.raises(ImplausibleVitalSign) as caught:
        VitalReading(**{field: value})
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cues": ["smiling", "wiggling"]}, "cues[1]"),
        ({"state": "hyperalert"}, "state"),
        ({"population": "martian"}, "population"),
        ({"pauses_so_far": -1}, "pauses_so_far"),
    ],
)
def test_unknown_observations_are_refused_with_the_field(
    decide: Any, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(UnknownObservation) as caught:
        decide(**kwargs)
    assert caught.value.field == field


def test_every_check_has_words_and_sources_in_the_content(library: Library) -> None:
    assert set(CHECK_IDS) == set(library.session_checks)
    for check in library.session_checks.values():
        assert check.text_parent
        assert check.text_clinician
        assert check.instead
        assert check.sources


def test_every_reason_carries_its_sources(decide: Any) -> None:
    decision = decide(
        crying=True,
        cues=["arching", "yawning"],
        state="light_sleep",
        vitals=[VitalReading(heart_rate=90, spo2=70, temperature_c=36, respiratory_rate=0)],
    )
    assert decision.action == "stop"
    assert all(r.sources and r.parent_text and r.clinician_text and r.instead for r in decision.reasons)


@pytest.mark.parametrize("cue", ["hypo_shaky", "hypo_sweaty", "hypo_pale", "hypo_confused", "hypo_sleepy"])
@pytest.mark.parametrize("population", ["child", "rehab", "infant"])
def test_a_sign_of_a_low_blood_sugar_stops_any_session_with_its_own_words(
    decide: Any, cue: str, population: str
) -> None:
    decision = decide(population=population, cues=[cue])
    assert decision.action == "stop"
    assert ids(decision) == ["hypo_signs"]
    reason = decision.reason
    assert reason is not None
    assert "glucose" in reason.instead
    assert "ISPAD-2022-HYPO" in reason.sources


def test_a_hypo_sign_outranks_a_pause_cue_seen_with_it(decide: Any) -> None:
    decision = decide(population="child", cues=["turning_away", "hypo_pale"])
    assert decision.action == "stop"
    assert ids(decision)[0] == "hypo_signs"


@pytest.mark.parametrize("cue", ["permission_given", "permission_declined"])
def test_the_answer_to_may_i_is_recorded_without_pausing_or_stopping(decide: Any, cue: str) -> None:
    decision = decide(population="rehab", cues=[cue])
    assert decision.action == "continue"
    assert decision.reasons == ()
