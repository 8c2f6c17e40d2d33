from typing import Any

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.care import services
from kneadwell.care.models import Observation, ScheduledSession, Session, StepLog
from kneadwell.core.errors import Conflict, ValidationFailed
from kwtest.people import Clinic
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(clinic: Clinic, preterm: Any, tks_check: Any) -> Session:
    return services.session_start(actor=clinic.actor(Role.THERAPIST), client=preterm, check=tks_check)


def observe(clinic: Clinic, session: Session, key: str, **kwargs: Any) -> Observation:
    return services.session_observe(actor=clinic.actor(Role.THERAPIST), session=session, key=key, **kwargs)


def test_a_tks_session_has_the_three_five_minute_phases(session: Session) -> None:
    assert [s["minutes"] for s in session.steps] == [5, 5, 5]
    assert [s["phase"] for s in session.steps][1].startswith("Kinesthetic")
    assert session.content_version
    assert session.status == Session.Status.IN_PROGRESS


def test_a_check_is_used_once(clinic: Clinic, preterm: Any, tks_check: Any, session: Session) -> None:
    with pytest.raises(ValidationFailed):
        services.session_start(actor=clinic.actor(Role.THERAPIST), client=preterm, check=tks_check)


def test_a_blocking_check_cannot_start_a_session(clinic: Clinic, preterm: Any) -> None:
    check = passing_check(
        clinic.actor(Role.THERAPIST), preterm, "preterm_tks_10d", "preterm_infant", fever_today="yes"
    )
    with pytest.raises(ValidationFailed):
        services.session_start(actor=clinic.actor(Role.THERAPIST), client=preterm, check=check)
    assert not Session.objects.exists()


def test_a_low_heart_rate_stops_the_session_with_the_reason(clinic: Clinic, session: Session) -> None:
    observe(clinic, session, "v1", kind="vitals", vitals={"heart_rate": 150, "spo2": 97}, moment="before")
    obs = observe(clinic, session, "v2", kind="vitals", vitals={"heart_rate": 85})
    session.refresh_from_db()
    assert obs.decision == "stop"
    assert session.status == Session.Status.STOPPED
    assert session.stop_check == "bradycardia"
    assert "85" in session.stop_reason
    assert obs.reasons[0]["sources"]
    with pytest.raises(Conflict):
        services.session_step(actor=clinic.actor(Role.THERAPIST), session=session, index=0, outcome="done")


def test_a_potent_disengagement_cue_pauses_and_a_second_one_stops(clinic: Clinic, session: Session) -> None:
    first = observe(clinic, session, "c1", kind="cue", code="pushing_away")
    session.refresh_from_db()
    assert first.decision == "pause"
    assert session.status == Session.Status.PAUSED
    services.session_resume(actor=clinic.actor(Role.THERAPIST), session=session)
    second = observe(clinic, session, "c2", kind="cue", code="pushing_away")
    session.refresh_from_db()
    assert second.decision == "stop"
    assert session.status == Session.Status.STOPPED


def test_the_same_tap_sent_twice_is_stored_once(clinic: Clinic, session: Session) -> None:
    observe(clinic, session, "same", kind="cue", code="smiling")
    observe(clinic, session, "same", kind="cue", code="smiling")
    assert session.observations.count() == 1


@pytest.mark.parametrize(
    ("vitals", "field"),
    [
        ({"heart_rate": 400}, "heart_rate"),
        ({"spo2": 120}, "spo2"),
        ({"temperature_c": 50}, "temperature_c"),
        ({"heart_rate": 0}, "heart_rate"),
        ({"pulse": 100}, "vitals"),
        ({}, "vitals"),
    ],
)
def test_impossible_vital_signs_are_refused_with_the_field_and_nothing_is_saved(
    clinic: Clinic, session: Session, vitals: dict[str, float], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        observe(clinic, session, "bad", kind="vitals", vitals=vitals)
    assert field in caught.value.errors
    assert not session.observations.exists()
    session.refresh_from_db()
    assert session.status == Session.Status.IN_PROGRESS


def test_skipping_a_step_needs_a_reason(clinic: Clinic, session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.session_step(actor=clinic.actor(Role.THERAPIST), session=session, index=0, outcome="skipped")
    assert "skip_reason" in caught.value.errors
    assert not StepLog.objects.exists()


def test_steps_then_completion_mark_the_scheduled_dose_done(clinic: Clinic, preterm: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    actor = clinic.actor(Role.THERAPIST)
    check = passing_check(actor, preterm, "preterm_tks_10d", "preterm_infant")
    plan = services.plan_create(actor=actor, client=preterm, check=check, starts_at=timezone.now())
    slot = plan.slots.first()
    check2 = passing_check(actor, preterm, "preterm_tks_10d", "preterm_infant")
    session = services.session_start(actor=actor, client=preterm, check=check2, slot=slot)
    with pytest.raises(ValidationFailed):
        services.session_complete(actor=actor, session=session)
    services.session_step(actor=actor, session=session, index=0, outcome="done")
    services.session_step(actor=actor, session=session, index=0, outcome="done")  # a resend: no effect
    services.session_step(actor=actor, session=session, index=1, outcome="skipped", skip_reason="asleep")
    services.session_step(actor=actor, session=session, index=2, outcome="done")
    done = services.session_complete(actor=actor, session=session)
    assert done.status == Session.Status.COMPLETED
    assert StepLog.objects.filter(session=session).count() == 3
    slot.refresh_from_db()
    assert slot.status == ScheduledSession.Status.DONE
    assert done.ended_at is not None
    assert done.ended_at - done.started_at < dt.timedelta(minutes=1)


def test_pausing_stops_the_step_clock(clinic: Clinic, session: Session) -> None:
    import datetime as dt

    actor = clinic.actor(Role.THERAPIST)
    paused = services.session_pause(actor=actor, session=session)
    Session.objects.filter(pk=session.pk).update(paused_at=paused.paused_at - dt.timedelta(seconds=90))
    resumed = services.session_resume(actor=actor, session=session)
    assert resumed.step_paused_seconds >= 90
    assert resumed.pauses == 1


# --- a session with no massage step is not started ---------------------------------------------------


def _rehab_plan(clinic: Clinic, person: Any, focus: list[str]) -> Any:
    from django.utils import timezone

    therapist = clinic.actor(Role.THERAPIST)
    check = passing_check(therapist, person, "rehab_injury_postop", "rehab")
    return services.plan_create(
        actor=therapist, client=person, check=check, starts_at=timezone.now(), focus_regions=focus
    )


def test_a_session_without_a_plan_works_on_the_intakes_focus_areas(clinic: Clinic, adult: Any) -> None:
    person = adult("rehab", focus_regions=["left_ankle"])
    check = passing_check(clinic.actor(Role.THERAPIST), person, "rehab_injury_postop", "rehab")
    session = services.session_start(actor=clinic.actor(Role.THERAPIST), client=person, check=check)
    compressions = next(s for s in session.steps if s["technique"] == "compressions")
    assert compressions["regions"] == ["left_ankle"]


def test_a_session_without_plan_or_focus_area_is_not_started_and_says_what_to_do(
    clinic: Clinic, adult: Any
) -> None:
    person = adult("rehab")
    check = passing_check(clinic.actor(Role.THERAPIST), person, "rehab_injury_postop", "rehab")
    with pytest.raises(ValidationFailed) as caught:
        services.session_start(actor=clinic.actor(Role.THERAPIST), client=person, check=check)
    message = caught.value.errors["check"][0]
    assert message.startswith("Today, “Injury or post-operative rehabilitation plan” would have no massage")
    assert "Answer the intake's focus question" in message
    assert not Session.objects.filter(client=person).exists()


def test_a_plan_without_focus_areas_does_not_start_a_check_in_only_session(
    clinic: Clinic, adult: Any
) -> None:
    person = adult("rehab", focus_regions=["left_ankle"])
    plan = _rehab_plan(clinic, person, ["left_ankle"])
    plan.__class__.objects.filter(pk=plan.pk).update(focus_regions=[])  # as a plan made before the check
    check = passing_check(clinic.actor(Role.THERAPIST), person, "rehab_injury_postop", "rehab")
    with pytest.raises(ValidationFailed) as caught:
        services.session_start(actor=clinic.actor(Role.THERAPIST), client=person, check=check)
    assert "The plan has no focus areas: end it and enrol Ravi again" in caught.value.errors["check"][0]
    assert not Session.objects.filter(client=person).exists()


def test_a_session_whose_focus_area_todays_check_leaves_out_is_not_started(
    clinic: Clinic, adult: Any
) -> None:
    person = adult("rehab", focus_regions=["left_ankle"])
    _rehab_plan(clinic, person, ["left_ankle"])
    therapist = clinic.actor(Role.THERAPIST)
    check = passing_check(therapist, person, "rehab_injury_postop", "rehab", inflamed_regions=["left_ankle"])
    assert check.action == "avoid-areas"
    with pytest.raises(ValidationFailed) as caught:
        services.session_start(actor=therapist, client=person, check=check)
    message = caught.value.errors["check"][0]
    assert "only “Check-in and agreement”: every area its massage steps work on is left out (" in message
    assert "Do today's check again once they have cleared" in message
    assert not Session.objects.filter(client=person).exists()
