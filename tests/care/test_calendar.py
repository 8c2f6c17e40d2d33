import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kneadwell.accounts.roles import Role
from kneadwell.care import services
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def test_the_calendar_feed_lists_every_session_with_first_name_only(
    client: HttpClient, clinic: Clinic, preterm: Any, tks_check: Any
) -> None:
    plan = services.plan_create(
        actor=clinic.actor(Role.THERAPIST),
        client=preterm,
        check=tks_check,
        starts_at=timezone.now() + dt.timedelta(hours=1),
    )
    response = client.get(reverse("care:calendar", args=[plan.calendar_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]
    assert len(events) == 30
    assert preterm.family_name not in response.content.decode()
    assert "Maya" in str(events[0]["summary"])


def test_a_wrong_token_is_not_found(client: HttpClient, db: None) -> None:
    assert client.get(reverse("care:calendar", args=["x" * 43])).status_code == 404
