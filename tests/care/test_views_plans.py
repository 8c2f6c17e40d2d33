"""The enrolment page (care/views/plans.plan_create): focus areas filled in from the intake, said where
they came from and changeable; a plan whose routine would hold no massage step refused on the field,
keeping what was typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Plan
from kwtest.people import Clinic
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db


def enrol_url(person: Any, check: Any) -> str:
    return reverse("care:plan_create", args=[person.pk]) + f"?check={check.pk}"


def form_data(check: Any, **extra: Any) -> dict[str, Any]:
    start = timezone.localtime() + dt.timedelta(hours=1)
    return {"check": check.pk, "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "open_weeks": 4, **extra}


def test_the_form_fills_in_the_stroke_intakes_stiff_areas_and_says_so(
    client: HttpClient, clinic: Clinic, adult: Any
) -> None:
    person = adult("stroke", spasticity_regions=["left_arm", "left_leg"])
    check = passing_check(clinic.actor(Role.THERAPIST), person, "stroke_rehab", "stroke")
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(enrol_url(person, check)).content.decode()
    assert 'value="left_arm" id="id_focus_regions_' in page
    checked = [line for line in page.splitlines() if 'name="focus_regions"' in line and "checked" in line]
    assert len(checked) == 2
    assert "Filled in from the intake (Stroke intake" in page
    assert "“Where are the muscles stiff or tight (spasticity)?”" in page
    assert "Left arm, Left leg" in page
    assert '<details class="question" open id="focus-areas">' in page


def test_the_therapist_changes_the_focus_areas_the_intake_gave(
    client: HttpClient, clinic: Clinic, adult: Any
) -> None:
    person = adult("rehab", focus_regions=["left_ankle"])
    check = passing_check(clinic.actor(Role.THERAPIST), person, "rehab_injury_postop", "rehab")
    client.force_login(clinic.user(Role.THERAPIST))
    assert "Left ankle and Achilles" in client.get(enrol_url(person, check)).content.decode()
    response = client.post(enrol_url(person, check), form_data(check, focus_regions=["right_knee"]))
    assert response.status_code == 302
    assert Plan.objects.get(client=person).focus_regions == ["right_knee"]


def test_a_plan_without_a_massage_step_is_refused_on_the_focus_field_keeping_what_was_typed(
    client: HttpClient, clinic: Clinic, adult: Any
) -> None:
    person = adult("rehab")
    check = passing_check(clinic.actor(Role.THERAPIST), person, "rehab_injury_postop", "rehab")
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(enrol_url(person, check)).content.decode()
    assert "The intake names no focus area" in page
    response = client.post(
        enrol_url(person, check), form_data(check, goals="Climb stairs again", max_pressure="light")
    )
    assert response.status_code == 200
    text = response.content.decode()
    focus_part = text[text.index('id="focus-areas"') :]
    focus_part = focus_part[: focus_part.index("</details>")]
    assert "would have no massage step, only “Check-in and agreement”" in focus_part
    assert "Choose the focus areas" in focus_part
    assert "Climb stairs again</textarea>" in text
    assert '<option value="light" selected>' in text
    assert not Plan.objects.filter(client=person).exists()
