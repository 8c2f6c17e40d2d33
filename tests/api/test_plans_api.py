"""POST /clients/{id}/plans (api/plans.py): focus areas left out of the request come from the intake, as
the enrolment page fills them in; a plan whose routine would hold no massage step is a 422 in the API's
error shape, naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Plan
from kneadwell.library.services import intake_save
from kwtest.people import Clinic, make_client
from kwtest.screening import clear_answers, passing_check

pytestmark = pytest.mark.django_db


def person(clinic: Clinic, population: str, **intake: Any) -> Any:
    therapist = clinic.actor(Role.THERAPIST)
    adult = make_client(
        therapist,
        born_days_ago=365 * 47,
        weeks=None,
        days=None,
        birth_weight_g=None,
        conditions=["stroke"] if population == "stroke" else ["sports_injury"],
    )
    intake_save(
        actor=therapist,
        client=adult,
        population=population,
        answers=clear_answers(population, "intake", **intake),
        expected_version=None,
    )
    return adult


def enrol(http: HttpClient, clinic: Clinic, adult: Any, check: Any, **body: Any) -> Any:
    return http.post(
        f"/api/v1/clients/{adult.pk}/plans",
        {"check_id": check.pk, "starts_at": timezone.now().isoformat(), **body},
        content_type="application/json",
        headers={"Authorization": f"Bearer {clinic.token(Role.THERAPIST)}"},
    )


def test_focus_areas_left_out_of_the_request_come_from_the_intake(client: HttpClient, clinic: Clinic) -> None:
    adult = person(clinic, "rehab", focus_regions=["left_ankle", "left_foot"])
    check = passing_check(clinic.actor(Role.THERAPIST), adult, "rehab_injury_postop", "rehab")
    response = enrol(client, clinic, adult, check)
    assert response.status_code == 201, response.content
    assert response.json()["focus_regions"] == ["left_ankle", "left_foot"]


def test_a_stroke_intakes_stiff_areas_become_the_focus_areas(client: HttpClient, clinic: Clinic) -> None:
    adult = person(clinic, "stroke", spasticity_regions=["left_arm"])
    check = passing_check(clinic.actor(Role.THERAPIST), adult, "stroke_rehab", "stroke")
    response = enrol(client, clinic, adult, check)
    assert response.status_code == 201, response.content
    assert response.json()["focus_regions"] == ["left_arm"]


def test_focus_areas_in_the_request_replace_the_intakes(client: HttpClient, clinic: Clinic) -> None:
    adult = person(clinic, "rehab", focus_regions=["left_ankle"])
    check = passing_check(clinic.actor(Role.THERAPIST), adult, "rehab_injury_postop", "rehab")
    response = enrol(client, clinic, adult, check, focus_regions=["right_knee"])
    assert response.status_code == 201, response.content
    assert response.json()["focus_regions"] == ["right_knee"]


@pytest.mark.parametrize("focus", [None, []], ids=["left-out-and-none-in-intake", "empty-list"])
def test_a_plan_without_a_massage_step_is_a_422_naming_the_focus_field(
    client: HttpClient, clinic: Clinic, focus: list[str] | None
) -> None:
    adult = person(clinic, "rehab", **({} if focus is None else {"focus_regions": ["left_ankle"]}))
    check = passing_check(clinic.actor(Role.THERAPIST), adult, "rehab_injury_postop", "rehab")
    response = enrol(client, clinic, adult, check, **({} if focus is None else {"focus_regions": focus}))
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "focus_regions"
    assert "would have no massage step" in body["detail"]
    assert body["errors"] == [{"field": "focus_regions", "message": body["detail"]}]
    assert not Plan.objects.filter(client=adult).exists()
