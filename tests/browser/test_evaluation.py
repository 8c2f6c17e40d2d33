"""Programme evaluation in the browser: a therapist screens and randomises a baby (1280 px), and the
outcome assessor enters a weight on a phone (390 px) seeing nothing of the arm. Screenshots of the study,
CONSORT and analysis pages at 1280 px and of the assessor's entry page at 390 px go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.evaluation.models import Participant, StudyMeasurement
from kwtest.browser import log_in, shot
from kwtest.evaluation import (
    CONTROL_ARM,
    MASSAGE_ARM,
    backdate,
    enrol,
    enter_weight,
    make_study,
    study_consent,
)
from kwtest.people import PASSWORD, Clinic, make_client

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _study_with_data(clinic: Clinic):  # type: ignore[no-untyped-def]
    study = make_study(
        clinic,
        target_size=16,
        strata=["gestation_band"],
        gestation_cuts=[28],
        screener_checks=["Clinically stable"],
    )
    for i, (grams, gain) in enumerate(
        ((1500, 95), (1620, 40), (1480, 105), (1700, 55), (1550, 88), (1590, 35))
    ):
        p = backdate(enrol(clinic, study, weeks=26 + i), 7)
        enter_weight(clinic, p, 0, grams)
        enter_weight(clinic, p, 5, grams + gain)
    return study


def test_a_therapist_screens_and_randomises_a_baby(desktop, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    page = desktop
    _study_with_data(clinic)
    baby = make_client(clinic.actor(Role.THERAPIST), given_name="Iris", family_name="Browser")
    study_consent(clinic, baby)
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    page.get_by_role("link", name="Studies", exact=True).click()
    page.get_by_role("link", name=re.compile("TKS")).click()
    expect(page.get_by_role("heading", name=re.compile("TKS · Tactile"))).to_be_visible()
    assert fits_the_screen(page)
    shot(page, "evaluation-study-1280")
    page.get_by_role("link", name="Screen a client").click()
    page.get_by_label("Client").select_option(str(baby.pk))
    page.get_by_label("Clinically stable").check()
    page.get_by_role("button", name="Save the screening").click()
    expect(page.get_by_text("Eligible, not yet randomised").first).to_be_visible()
    participant = Participant.objects.get(client=baby)
    assert participant.arm_id is None
    page.get_by_label(re.compile("randomise .* now")).check()
    page.get_by_role("button", name="Randomise").click()
    expect(page.get_by_role("heading", name=re.compile("^Allocated to "))).to_be_visible()
    participant.refresh_from_db()
    assert participant.arm is not None
    expect(page.get_by_role("heading", name=f"Allocated to {participant.arm.name}")).to_be_visible()
    assert page.get_by_role("button", name="Randomise").count() == 0  # no second randomisation offered

    page.get_by_role("link", name="CONSORT", exact=True).click()
    expect(page.locator(".consort svg")).to_be_visible()
    expect(page.get_by_text("Randomised (n=7)").first).to_be_visible()
    assert fits_the_screen(page)
    shot(page, "evaluation-consort-1280")
    page.get_by_role("link", name="Analysis", exact=True).click()
    expect(page.get_by_text("Adjusted difference (ANCOVA)").first).to_be_visible()
    assert fits_the_screen(page)
    shot(page, "evaluation-analysis-1280")


def test_the_assessor_enters_a_weight_on_a_phone_blind_to_the_arm(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    page = phone
    study = make_study(clinic)
    participant = enrol(clinic, study)
    log_in(page, clinic.user(Role.ASSESSOR).email, PASSWORD)
    page.get_by_role("link", name="Open the assessments").click()
    assert fits_the_screen(page)
    shot(page, "evaluation-assess-due-390")
    page.get_by_role("link", name=re.compile(participant.client.family_name)).click()
    expect(page.get_by_role("heading", name="Weight")).to_be_visible()
    body = page.locator("body").inner_text()
    for secret in (MASSAGE_ARM, CONTROL_ARM, "Allocated"):
        assert secret not in body
    assert fits_the_screen(page)
    shot(page, "evaluation-assess-entry-390")
    page.get_by_label("Weight").fill("1430")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile(r"Day 0 body weight saved"))).to_be_visible()
    entry = StudyMeasurement.objects.get(participant=participant)
    assert entry.blinded is True
    assert entry.measurement.value == pytest.approx(1.43)
    assert fits_the_screen(page)
    shot(page, "evaluation-assess-list-390")
