"""Starting a session from the page (care/views/sessions.session_start): a routine left with no massage
step is not started; the check's page says why and what to do."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care import services
from kneadwell.care.models import Session
from kwtest.people import Clinic
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db


def test_a_session_whose_every_area_todays_check_leaves_out_is_not_started_and_says_why(
    client: HttpClient, clinic: Clinic, adult: Any
) -> None:
    person = adult("rehab", focus_regions=["left_ankle"])
    therapist = clinic.actor(Role.THERAPIST)
    enrolment = passing_check(therapist, person, "rehab_injury_postop", "rehab")
    services.plan_create(
        actor=therapist,
        client=person,
        check=enrolment,
        starts_at=timezone.now(),
        focus_regions=["left_ankle"],
    )
    check = passing_check(therapist, person, "rehab_injury_postop", "rehab", inflamed_regions=["left_ankle"])
    client.force_login(clinic.user(Role.THERAPIST))
    response = client.post(reverse("care:session_start", args=[person.pk]), {"check": check.pk}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("library:check_result", args=[person.pk, check.pk])
    assert "would have no massage step, only “Check-in and agreement”" in page
    assert "every area its massage steps work on is left out (" in page
    assert "Do today&#x27;s check again once they have cleared" in page
    assert not Session.objects.filter(client=person).exists()


def test_the_checks_page_says_why_instead_of_offering_a_start_that_would_be_refused(
    client: HttpClient, clinic: Clinic, adult: Any
) -> None:
    person = adult("rehab")  # no focus area in the intake, and no plan
    check = passing_check(clinic.actor(Role.THERAPIST), person, "rehab_injury_postop", "rehab")
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("library:check_result", args=[person.pk, check.pk])).content.decode()
    assert 'id="check-no-massage"' in page
    assert "would have no massage step, only “Check-in and agreement”" in page
    assert "Answer the intake&#x27;s focus question" in page
    assert "Start the session" not in page
    assert "Enrol on this protocol" in page


def test_the_checks_page_offers_the_start_when_the_intake_names_a_focus_area(
    client: HttpClient, clinic: Clinic, adult: Any
) -> None:
    person = adult("rehab", focus_regions=["left_ankle"])
    check = passing_check(clinic.actor(Role.THERAPIST), person, "rehab_injury_postop", "rehab")
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("library:check_result", args=[person.pk, check.pk])).content.decode()
    assert "Start the session" in page
    assert 'id="check-no-massage"' not in page
