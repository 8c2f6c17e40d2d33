"""Goal attainment on the measurement pages: the entry form names the goal (and its weight), and the
goal's trend page shows one line per goal and the GAS T-score across goals at the start and now, with
Kiresuk and Sherman's formula and its sources."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.outcomes import services
from kneadwell.outcomes.models import Measurement
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db


def adult(clinic: Clinic) -> Any:
    return make_client(
        clinic.actor(Role.THERAPIST), born_days_ago=365 * 61, weeks=None, days=None, birth_weight_g=None
    )


def rate(
    clinic: Clinic, person: Any, days_ago: int, level: int, goal: str, weight: int | None = None
) -> None:
    answers: dict[str, Any] = {"level": level, "goal": goal}
    if weight is not None:
        answers["weight"] = weight
    services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=person,
        instrument_id="goal_attainment",
        answers=answers,
        taken_at=timezone.now() - dt.timedelta(days=days_ago),
        context="baseline" if days_ago > 20 else "session",
    )


def two_goals(clinic: Clinic, person: Any) -> None:
    rate(clinic, person, 28, -1, "Walk to the shop", weight=2)
    rate(clinic, person, 28, -2, "Dress alone")
    rate(clinic, person, 14, 0, "walk to the shop")
    rate(clinic, person, 1, 1, "Walk to the shop")
    rate(clinic, person, 1, 0, "Dress alone")


def test_the_entry_form_asks_which_goal_first_and_keeps_its_name_and_weight(
    client: HttpClient, clinic: Clinic
) -> None:
    person = adult(clinic)
    client.force_login(clinic.user(Role.THERAPIST))
    url = reverse("outcomes:create", args=[person.pk, "goal_attainment"])
    page = client.get(url).content.decode()
    assert page.index("The goal, in a few words") < page.index("Where the client is now, against the goal")
    assert "Which goal" in page
    response = client.post(
        url,
        {
            "taken_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "context": "baseline",
            "level": "-1",
            "goal": "Walk to the shop",
            "weight": "2",
        },
    )
    assert response.status_code == 302
    saved = Measurement.objects.get(client=person)
    assert (saved.total, saved.details["goal"], saved.details["weight"]) == (-1, "Walk to the shop", 2)


def test_a_weight_out_of_range_is_refused_on_its_field(client: HttpClient, clinic: Clinic) -> None:
    person = adult(clinic)
    client.force_login(clinic.user(Role.THERAPIST))
    url = reverse("outcomes:create", args=[person.pk, "goal_attainment"])
    data = {"taken_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "context": "session", "level": "0"}
    response = client.post(url, {**data, "goal": "Walk to the shop", "weight": "40"})
    assert response.status_code == 200
    assert "Weight must be between 1 and 10" in response.content.decode()
    assert 'value="Walk to the shop"' in response.content.decode()
    assert not Measurement.objects.filter(client=person).exists()


def test_the_trend_shows_each_goal_and_the_t_score_at_the_start_and_now(
    client: HttpClient, clinic: Clinic
) -> None:
    person = adult(clinic)
    two_goals(clinic, person)
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("outcomes:trend", args=[person.pk, "goal_attainment"])).content.decode()
    # Weights 2 and 1: √(0.7·5 + 0.3·9) = √6.2 = 2.489980.
    # Start: levels -1 and -2, Σwx = -4 → 50 − 40 / 2.489980 = 33.94. Now: +1 and 0, Σwx = 2 → 58.03.
    assert "GAS T-score across 2 goals" in page
    assert "<strong>33.9</strong>" in page
    assert "<strong>58.0</strong>" in page
    assert "+24.1" in page
    assert "T = 50 + 10·Σ(wᵢxᵢ) / √((1 − ρ)·Σwᵢ² + ρ·(Σwᵢ)²), ρ = 0.3" in page
    assert "GAS-KS-1968: Kiresuk &amp; Sherman 1968" in page
    assert "GAS-TS-2009: Turner-Stokes 2009" in page
    goals_table = page[page.index('id="gas"') : page.index("</section>", page.index('id="gas"'))]
    assert goals_table.count("<tr>") == 3  # the header and two goals: "walk to the shop" is the same goal
    assert "3 ratings" in goals_table
    chart = client.get(reverse("outcomes:trend_chart", args=[person.pk, "goal_attainment"])).json()
    assert "Walk to the shop" in str(chart)
    assert "Dress alone" in str(chart)


def test_a_single_unnamed_goal_scores_ten_points_a_level(client: HttpClient, clinic: Clinic) -> None:
    person = adult(clinic)
    services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=person,
        instrument_id="goal_attainment",
        answers={"level": 2},
        taken_at=timezone.now(),
    )
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("outcomes:trend", args=[person.pk, "goal_attainment"])).content.decode()
    assert "GAS T-score across 1 goal<" in page
    assert "<strong>70.0</strong>" in page
    assert "Goal without a name" in page
