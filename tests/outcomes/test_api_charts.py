"""The chart operations of the outcomes API (growth chart and trend chart data): the same data the pages
draw, under the API's permissions (client.view; another organisation's client is a 404) and its schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.outcomes import services
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def get(http: HttpClient, clinic: Clinic, path: str, role: Role = Role.THERAPIST):  # type: ignore[no-untyped-def]
    return http.get(path, headers={"Authorization": f"Bearer {clinic.token(role)}"})


def record_weights(clinic: Clinic, baby: Client, grams: list[int]) -> None:
    days = [TODAY() - dt.timedelta(days=len(grams) - 1 - i) for i in range(len(grams))]
    services.weights_record_series(
        actor=clinic.actor(Role.THERAPIST), client=baby, weights=list(zip(days, grams, strict=True))
    )


def test_growth_chart_data_has_values_ages_and_centile_curves(client: HttpClient, clinic: Clinic) -> None:
    baby = make_client(clinic.actor(Role.THERAPIST), born_days_ago=120, weeks=30, days=2)
    record_weights(clinic, baby, [3100, 3210])
    response = get(client, clinic, f"/api/v1/clients/{baby.pk}/growth/chart")
    assert response.status_code == 200
    data = response.json()
    assert [p["y"] for p in data["points"]] == [3.1, 3.21]
    assert [p["corrected_age_days"] for p in data["points"]] == [51, 52]  # 68 days early
    assert [p["chronological_age_days"] for p in data["points"]] == [119, 120]
    assert len(data["centiles"]) == 9
    segments = [seg for line in data["centiles"] for seg in line["segments"]]
    assert all(seg["x"] and len(seg["x"]) == len(seg["y"]) for seg in segments)
    assert data["chronological"][0]["y"] == 3.21
    assert data["description"].startswith("Weight-for-age chart for a girl")


def test_growth_chart_data_takes_measure_and_reference(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.client is not None
    record_weights(clinic, clinic.client, [1500])
    path = f"/api/v1/clients/{clinic.client.pk}/growth/chart?measure=length_height&reference=who"
    data = get(client, clinic, path).json()
    assert data["title"] == "Length/height (WHO, girls)"
    assert data["points"] == []
    bad = get(client, clinic, f"/api/v1/clients/{clinic.client.pk}/growth/chart?reference=fenton")
    assert bad.status_code == 422


def test_trend_chart_data_lists_the_series(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.client is not None
    for days_ago, cry in ((2, 2), (1, 0)):
        services.measurement_record(
            actor=clinic.actor(Role.THERAPIST),
            client=clinic.client,
            instrument_id="nips",
            answers={"face": 1, "cry": cry, "breathing": 0, "arms": 1, "legs": 0, "arousal": 1},
            taken_at=TODAY() - dt.timedelta(days=days_ago),
        )
    response = get(client, clinic, f"/api/v1/clients/{clinic.client.pk}/trends/nips/chart")
    assert response.status_code == 200
    data = response.json()
    (total,) = data["series"]
    assert [p["y"] for p in total["points"]] == [5.0, 3.0]
    assert data["integer"] is True
    assert data["y_range"][0] < 0 < 7 < data["y_range"][1]  # the whole NIPS scale, 0 to 7


def test_another_organisations_client_is_404(client: HttpClient, clinic: Clinic, outsider: Clinic) -> None:
    assert outsider.client is not None
    growth = f"/api/v1/clients/{outsider.client.pk}/growth/chart"
    assert get(client, clinic, growth, Role.ADMIN).status_code == 404
    trend = f"/api/v1/clients/{outsider.client.pk}/trends/nips/chart"
    assert get(client, clinic, trend, Role.ADMIN).status_code == 404


def test_it_needs_client_view(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.client is not None
    path = f"/api/v1/clients/{clinic.client.pk}/growth/chart"
    assert get(client, clinic, path, Role.RESEARCHER).status_code == 403
    assert client.get(path).status_code == 401
    unknown = get(client, clinic, f"/api/v1/clients/{clinic.client.pk}/trends/no_such_thing/chart")
    assert unknown.status_code == 404
