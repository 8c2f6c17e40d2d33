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
