"""Issue 15: the programmes for post-traumatic stress, type 1 diabetes and children with cancer in a real
session: permission asked and recorded before every step, the signs of a low blood sugar that stop any
session, and a therapist-only programme a parent cannot start."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.care import services
from kneadwell.care.models import Observation, Session, StepLog
from kneadwell.core.errors import DomainError, ValidationFailed
from kneadwell.library import services as library_services
from kwtest.people import Clinic, make_client
from kwtest.screening import clear_answers, passing_check

pytestmark = pytest.mark.django_db


def teenager(clinic: Clinic, *conditions: str) -> Any:
    return make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=365 * 14,
        weeks=None,
        days=None,
        birth_weight_g=None,
        given_name="Sam",
        conditions=list(conditions),
    )


def act(http: HttpClient, session: Session, **data: str):  # type: ignore[no-untyped-def]
    return http.post(reverse("care:player_act", args=[session.pk]), data, headers={"X-Player": "1"})


@pytest.fixture
def ptsd_session(clinic: Clinic) -> Session:
    sam = teenager(clinic, "ptsd")
    therapist = clinic.actor(Role.THERAPIST)
    check = passing_check(therapist, sam, "ptsd_trauma_informed", "child")
    return services.session_start(actor=therapist, client=sam, check=check)


def test_a_ptsd_clients_check_asks_permission_at_every_step(ptsd_session: Session) -> None:
    verdict = ptsd_session.readiness_check.verdict
    assert "trauma_informed" in [r["rule_id"] for r in verdict["reasons"]]
    asks = {s["technique"]: s["ask_permission"] for s in ptsd_session.steps}
    # The preview and the closing are where the client agrees; every massage step asks first.
    assert asks.pop("routine_preview") is False
    assert asks.pop("closing_ritual") is False
    assert asks
    assert all(asks.values())


def test_a_step_is_not_done_before_the_clients_yes_is_recorded(clinic: Clinic, ptsd_session: Session) -> None:
    therapist = clinic.actor(Role.THERAPIST)
    services.session_step(actor=therapist, session=ptsd_session, index=0, outcome="done")  # the preview
    with pytest.raises(DomainError, match="Ask first"):
        services.session_step(actor=therapist, session=ptsd_session, index=1, outcome="done")
    services.session_permission(actor=therapist, session=ptsd_session, index=1, given=True, key="p1")
    after = services.session_step(actor=therapist, session=ptsd_session, index=1, outcome="done")
    assert after.current_step == 2
    yes = Observation.objects.get(session=ptsd_session, code="permission_given")
    assert yes.step_index == 1
    assert yes.decision == "continue"


def test_a_no_skips_that_step_only_and_says_why(clinic: Clinic, ptsd_session: Session) -> None:
    therapist = clinic.actor(Role.THERAPIST)
    services.session_step(actor=therapist, session=ptsd_session, index=0, outcome="done")
    after = services.session_permission(actor=therapist, session=ptsd_session, index=1, given=False, key="p1")
    assert after.status == Session.Status.IN_PROGRESS
    assert after.current_step == 2
    log = StepLog.objects.get(session=ptsd_session, index=1)
    assert log.outcome == StepLog.Outcome.SKIPPED
    assert log.skip_reason == "The client said no to this step."
    assert Observation.objects.filter(session=ptsd_session, code="permission_declined", step_index=1).exists()


def test_permission_is_only_asked_on_the_current_step_that_asks_it(
    clinic: Clinic, ptsd_session: Session
) -> None:
    therapist = clinic.actor(Role.THERAPIST)
    with pytest.raises(ValidationFailed):  # the preview is a ritual: nothing to ask
        services.session_permission(actor=therapist, session=ptsd_session, index=0, given=True, key="p0")


def test_the_player_shows_the_routine_first_and_asks_before_the_step(
    client: HttpClient, clinic: Clinic, ptsd_session: Session
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("care:player", args=[ptsd_session.pk])).content.decode()
    assert "Today&#x27;s steps, in this order" in page or "Today's steps, in this order" in page
    assert "Show today&#x27;s plan" in page or "Show today's plan" in page
    act(client, ptsd_session, action="done", index="0")
    page = client.get(reverse("care:player", args=[ptsd_session.pk])).content.decode()
    assert "Ask first" in page
    assert "Yes — go ahead" in page
    assert "Done — next step" not in page
    response = act(client, ptsd_session, action="permission", answer="yes", index="1", key="k-1")
    assert "Done — next step" in response.content.decode()


@pytest.fixture
def diabetic_session(clinic: Clinic) -> Session:
    sam = teenager(clinic, "diabetes")
    parent = clinic.actor(Role.CAREGIVER)
    therapist = clinic.actor(Role.THERAPIST)
    check = passing_check(
        therapist, sam, "child_diabetes_massage", "child", insulin_site_regions=["left_thigh"]
    )
    return services.session_start(actor=parent, client=sam, check=check)


def test_a_diabetic_childs_session_leaves_out_todays_insulin_site(diabetic_session: Session) -> None:
    legs = next(
        s for s in diabetic_session.steps if s["technique"] == "swedish_massage" and s["left_out_regions"]
    )
    # The left leg overlaps the injected thigh, so only the right leg is massaged on that step.
    assert legs["left_out_regions"] == ["left_leg"]
    assert legs["regions"] == ["right_leg"]


def test_a_sign_of_a_low_stops_the_session_with_what_to_do(
    client: HttpClient, clinic: Clinic, diabetic_session: Session
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    page = client.get(reverse("care:player", args=[diabetic_session.pk])).content.decode()
    assert "Signs of a low blood sugar" in page
    assert "Shaky or trembling" in page
    response = act(client, diabetic_session, action="cue", code="hypo_shaky", key="h1")
    diabetic_session.refresh_from_db()
    assert diabetic_session.status == Session.Status.STOPPED
    assert diabetic_session.stop_check == "hypo_signs"
    assert "Check the glucose now" in response.content.decode()


def test_clients_without_diabetes_are_not_offered_the_hypo_signs(
    client: HttpClient, clinic: Clinic, ptsd_session: Session
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("care:player", args=[ptsd_session.pk])).content.decode()
    assert "Signs of a low blood sugar" not in page


def test_a_low_glucose_blocks_the_check(clinic: Clinic) -> None:
    sam = teenager(clinic, "diabetes")
    therapist = clinic.actor(Role.THERAPIST)
    check = passing_check(therapist, sam, "child_diabetes_massage", "child", glucose_mmol_l="3.4")
    assert check.verdict["action"] == "stop"
    assert "glucose_low" in [r["rule_id"] for r in check.verdict["reasons"]]
    with pytest.raises(ValidationFailed):
        services.session_start(actor=therapist, client=sam, check=check)


def test_a_parent_cannot_start_a_therapist_only_programme(clinic: Clinic) -> None:
    sam = teenager(clinic, "cancer")
    therapist = clinic.actor(Role.THERAPIST)
    library_services.intake_save(
        actor=therapist,
        client=sam,
        population="child",
        answers=clear_answers("child", "intake", platelet_count="200000", neutrophil_count="2500"),
        expected_version=None,
    )
    check = passing_check(therapist, sam, "child_oncology_comfort", "child")
    release_needed = {r["rule_id"] for r in check.verdict["reasons"] if r["action"] == "needs-release"}
    assert release_needed == {"cancer_release"}
    library_services.release_give(
        actor=clinic.actor(Role.ADMIN),
        client=sam,
        check=check,
        rule_id="cancer_release",
        note="Oncology team agrees: light touch, counts checked weekly.",
    )
    released = passing_check(therapist, sam, "child_oncology_comfort", "child")
    assert released.verdict["blocks"] is False
    with pytest.raises(ValidationFailed) as caught:
        services.session_start(actor=clinic.actor(Role.CAREGIVER), client=sam, check=released)
    assert "given by a trained therapist" in str(caught.value.errors)
    session = services.session_start(actor=therapist, client=sam, check=released)
    assert session.steps
    assert all(s["pressure"] in (None, "light") for s in session.steps)
