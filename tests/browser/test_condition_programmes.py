"""Issue 15 on a phone: a parent does today's check for a child with type 1 diabetes (a glucose reading in
the unit the meter shows, today's insulin sites), is stopped by a low with what to do, and sees the plan."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.care import services
from kneadwell.library.models import ReadinessCheck
from kwtest.browser import answer_all, log_in, shots_at_360_and_390
from kwtest.people import PASSWORD, Clinic, make_client
from kwtest.screening import clear_form, passing_check

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_parent_checks_a_diabetic_childs_glucose_and_a_low_stops_the_massage(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    therapist = clinic.actor(Role.THERAPIST)
    child = make_client(
        therapist,
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=365 * 9,
        weeks=None,
        days=None,
        birth_weight_g=None,
        given_name="Lila",
        conditions=["diabetes"],
    )
    check = passing_check(therapist, child, "child_diabetes_massage", "child")
    plan = services.plan_create(actor=therapist, client=child, check=check, starts_at=timezone.now())
    page = phone
    log_in(page, clinic.user(Role.CAREGIVER).email, PASSWORD)

    page.goto(f"/clients/{child.pk}/plans/{plan.pk}/")
    expect(page.get_by_role("heading", name="Massage for a child with type 1 diabetes")).to_be_visible()
    shots_at_360_and_390(page, "plan-diabetic-child-phone")

    page.goto(f"/clients/{child.pk}/check/?protocol=child_diabetes_massage")
    glucose = page.get_by_label("Blood glucose just before the massage (finger-prick or sensor) (mg/dL)")
    expect(glucose).to_be_hidden()  # asked in the unit the meter shows, once it is chosen
    page.get_by_role("radio", name="mg/dL", exact=True).check()
    expect(glucose).to_be_visible()
    expect(page.get_by_text("Below 72 mg/dL there is no massage")).to_be_visible()
    # The check half an hour ago said "nowhere"; today there is a fresh injection site in the right arm.
    page.locator('input[name="insulin_site_regions"][value="none"]').uncheck()
    answer_all(
        page,
        clear_form(
            "child",
            "today",
            glucose_unit="mg_dl",
            glucose_mg_dl="64",
            insulin_site_regions=["right_upper_arm"],
        ),
    )
    shots_at_360_and_390(page, "todays-check-diabetic-child-phone")
    page.get_by_role("button", name="Check").click()

    panel = page.get_by_role("alert")
    expect(panel).to_contain_text("No massage now; treat the low first")
    expect(panel).to_contain_text("check again after 15 minutes")
    expect(page.get_by_text("Lowest blood glucose to start a massage (diabetes): 4 mmol/L")).to_be_visible()
    expect(page.get_by_role("link", name="Start the session")).to_have_count(0)
    shots_at_360_and_390(page, "todays-check-diabetic-child-low-phone")
    latest = ReadinessCheck.objects.filter(client=child).latest("pk")
    assert latest.action == "stop"
    assert latest.answers["glucose_mg_dl"] == 64


def test_a_therapist_asks_before_each_step_of_a_trauma_informed_session(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    therapist = clinic.actor(Role.THERAPIST)
    teen = make_client(
        therapist,
        born_days_ago=365 * 15,
        weeks=None,
        days=None,
        birth_weight_g=None,
        given_name="Jo",
        conditions=["ptsd"],
    )
    check = passing_check(therapist, teen, "ptsd_trauma_informed", "child")
    session = services.session_start(actor=therapist, client=teen, check=check)
    page = phone
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    page.goto(f"/sessions/{session.pk}/")
    expect(page.get_by_text("Today's steps, in this order")).to_be_visible()
    expect(page.get_by_role("heading", name="Show today's plan")).to_be_visible()
    shots_at_360_and_390(page, "player-trauma-informed-preview-phone")
    page.get_by_role("button", name="Done — next step").click()

    expect(page.get_by_role("heading", name="Ask first")).to_be_visible()
    expect(page.get_by_role("button", name="Done — next step")).to_have_count(0)
    shots_at_360_and_390(page, "player-trauma-informed-ask-phone")
    page.get_by_role("button", name="No — skip this step").click()
    expect(page.get_by_text("Step 3 of")).to_be_visible()
    page.get_by_role("button", name="Yes — go ahead").click()
    expect(page.get_by_role("button", name="Done — next step")).to_be_visible()
    session.refresh_from_db()
    assert session.step_logs.get(index=1).skip_reason == "The client said no to this step."
    assert session.observations.filter(code="permission_given", step_index=2).exists()
