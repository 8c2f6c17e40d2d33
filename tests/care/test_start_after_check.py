""""Check, then start" (care/views/sessions.start_after_check, offered to parents on today's check): a
check that finds nothing opens the first step at once; anything found shows the check's result page
first."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Session
from kneadwell.library.models import ReadinessCheck
from kwtest.people import Clinic, make_client
from kwtest.screening import clear_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def baby(clinic: Clinic) -> Any:
    child = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=70,
        weeks=39,
        days=3,
    )
    return child


def history(http: HttpClient, child: Any) -> None:
    response = http.post(
        reverse("library:intake", args=[child.pk]), {"population": "infant", **clear_form("infant", "intake")}
    )
    assert response.status_code == 302


def check_then_start(http: HttpClient, child: Any, **changes: Any) -> Any:
    data = {"protocol": "iaim_first_week", "then": "start", **clear_form("infant", "today", **changes)}
    return http.post(reverse("library:check", args=[child.pk]), data)


def test_a_parent_sees_check_then_start_and_staff_see_check(
    client: HttpClient, clinic: Clinic, baby: Any
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    history(client, baby)
    url = reverse("library:check", args=[baby.pk]) + "?protocol=iaim_first_week"
    assert "Check, then start" in client.get(url).content.decode()
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(url).content.decode()
    assert "Check, then start" not in page
    assert ">Check</button>" in page


def test_nothing_found_opens_the_first_step(client: HttpClient, clinic: Clinic, baby: Any) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    history(client, baby)
    response = check_then_start(client, baby)
    check = ReadinessCheck.objects.get(client=baby)
    session = Session.objects.get(readiness_check=check)
    assert check.action == "go"
    assert not check.verdict["reasons"]
    assert response.status_code == 302
    assert response["Location"] == reverse("care:player", args=[session.pk])
    assert session.protocol_id == "iaim_first_week"


@pytest.mark.parametrize(
    ("changes", "action"),
    [
        ({"skin_problem_regions": ["left_foot"]}, "avoid-areas"),  # a change to read before starting
        ({"fever_today": "yes"}, "stop"),
        ({"baby_state": "crying"}, "stop"),
    ],
)
def test_anything_found_shows_the_result_first(
    client: HttpClient, clinic: Clinic, baby: Any, changes: dict[str, Any], action: str
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    history(client, baby)
    response = check_then_start(client, baby, **changes)
    check = ReadinessCheck.objects.get(client=baby)
    assert check.action == action
    assert response["Location"] == reverse("library:check_result", args=[baby.pk, check.pk])
    assert not Session.objects.filter(client=baby).exists()


def test_a_check_without_then_start_never_starts(client: HttpClient, clinic: Clinic, baby: Any) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    history(client, baby)
    data = {"protocol": "iaim_first_week", **clear_form("infant", "today")}
    response = client.post(reverse("library:check", args=[baby.pk]), data)
    check = ReadinessCheck.objects.get(client=baby)
    assert response["Location"] == reverse("library:check_result", args=[baby.pk, check.pk])
    assert not Session.objects.filter(client=baby).exists()
