"""The chart-data views (outcomes.views.growth_chart and trend_chart): the JSON the pages' script draws,
with the values, corrected ages and centile curves; deny by default (another organisation's client is a
404, a role without client.view a 403); entries in error left out; and no drawing on the server."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.outcomes import services
from kneadwell.outcomes.growth.chart import COLE_NINE_CENTILES, centile_lines
from kneadwell.outcomes.models import Measurement
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def as_role(client: HttpClient, clinic: Clinic, role: Role = Role.THERAPIST) -> HttpClient:
    client.force_login(clinic.user(role))
    return client


def record_weights(clinic: Clinic, baby: Client, grams: list[int]) -> list[Measurement]:
    days = [TODAY() - dt.timedelta(days=len(grams) - 1 - i) for i in range(len(grams))]
    return services.weights_record_series(
        actor=clinic.actor(Role.THERAPIST), client=baby, weights=list(zip(days, grams, strict=True))
    )


def growth_url(baby: Client, **query: str) -> str:
    url = reverse("outcomes:growth_chart", args=[baby.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_growth_data_has_the_weights_at_corrected_age(client: HttpClient, clinic: Clinic) -> None:
    # Born at 30+2 weeks 120 days ago: 68 days early, so corrected age is chronological age - 68 days.
    baby = make_client(clinic.actor(Role.THERAPIST), born_days_ago=120, weeks=30, days=2)
    record_weights(clinic, baby, [3100, 3150, 3210])
    response = as_role(client, clinic).get(growth_url(baby))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["kind"] == "growth"
    assert [p["y"] for p in data["points"]] == [3.1, 3.15, 3.21]
    assert [p["date"] for p in data["points"]] == [
        (TODAY() - dt.timedelta(days=k)).isoformat() for k in (2, 1, 0)
    ]
    latest = data["points"][-1]
    assert latest["chronological_age_days"] == 120
    assert latest["corrected_age_days"] == 120 - 68
    assert 0 < latest["centile"] < 100
    # The axis is in weeks at this age; a point's x is its corrected age in that unit.
    assert data["x_label"] == "Age (weeks), corrected for gestation"
    assert latest["x"] == pytest.approx(52 / 7, abs=1e-3)
    # A baby born early, past two weeks corrected: the latest also at chronological age, joined to it.
    (chrono,) = data["chronological"]
    assert chrono["x"] == pytest.approx(120 / 7, abs=1e-3)
    assert chrono["x_corrected"] == latest["x"]
    assert chrono["y"] == 3.21


def test_growth_data_has_the_nine_centile_curves_of_the_reference(client: HttpClient, clinic: Clinic) -> None:
    baby = make_client(clinic.actor(Role.THERAPIST), born_days_ago=120, weeks=30, days=2)
    record_weights(clinic, baby, [3100, 3210])
    data = as_role(client, clinic).get(growth_url(baby)).json()
    assert [line["centile"] for line in data["centiles"]] == list(COLE_NINE_CENTILES)
    assert [line["median"] for line in data["centiles"]] == [c == 50.0 for c in COLE_NINE_CENTILES]
    # The curves are the reference's own: the median at the chart's first age is the UK-WHO girls' value.
    weeks = 365.25 / 7  # the axis unit at this age
    lo, hi = data["x_range"][0] / weeks, data["x_range"][1] / weeks
    expected = centile_lines("uk-who", "weight", "female", lo, hi, (50.0,))[0]
    median = next(line for line in data["centiles"] if line["median"])
    first = median["segments"][0]
    assert first["x"][0] == pytest.approx(float(expected.segments[0].ages[0]) * weeks, abs=1e-3)
    assert first["y"][0] == pytest.approx(float(expected.segments[0].values[0]), abs=1e-3)
    # Ascending ages, and every value a weight (kg), never NaN.
    assert first["x"] == sorted(first["x"])
    assert all(v is None or 1.0 < v < 10.0 for v in first["y"])
    assert data["y_range"][0] < 3.1 < 3.21 < data["y_range"][1]
    assert "centile lines 0.4, 2, 9, 25, 50, 75, 91, 98, 99.6" in data["description"]


def test_growth_data_follows_the_chosen_measure_and_reference(client: HttpClient, clinic: Clinic) -> None:
    baby = make_client(clinic.actor(Role.THERAPIST), born_days_ago=400, weeks=None, days=None)
    services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=baby,
        instrument_id="head_circumference",
        answers={"value": 45.0},
        taken_at=TODAY(),
    )
    data = as_role(client, clinic).get(growth_url(baby, measure="head_circumference", reference="who")).json()
    assert data["title"] == "Head circumference (WHO, girls)"
    assert [p["y"] for p in data["points"]] == [45.0]
    assert data["chronological"] == []  # born at term: nothing to correct


def test_a_weight_marked_in_error_leaves_the_chart_data(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.client is not None
    first, _second = record_weights(clinic, clinic.client, [1450, 1470])
    services.measurement_mark_in_error(
        actor=clinic.actor(Role.THERAPIST), measurement=first, reason="wrong baby", expected_version=1
    )
    data = as_role(client, clinic).get(growth_url(clinic.client)).json()
    assert [p["y"] for p in data["points"]] == [1.47]


def test_trend_data_has_each_series_with_its_own_marker(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.client is not None
    for days_ago, left, right in ((14, "2", "1+"), (1, "1", "1")):
        services.measurement_record(
            actor=clinic.actor(Role.THERAPIST),
            client=clinic.client,
            instrument_id="modified_ashworth",
            answers={"elbow_flexors.left": left, "elbow_flexors.right": right},
            taken_at=TODAY() - dt.timedelta(days=days_ago),
        )
    response = as_role(client, clinic).get(
        reverse("outcomes:trend_chart", args=[clinic.client.pk, "modified_ashworth"])
    )
    assert response.status_code == 200
    data = response.json()
    assert data["kind"] == "trend"
    assert len(data["series"]) == 2
    assert len({s["marker"] for s in data["series"]}) == 2  # never told apart by colour alone
    assert data["legend"] is True
    # Grades on the 0-5 code, the axis labelled with the grades themselves (1+ is 2, never 1.5).
    assert [t["label"] for t in data["y_ticks"]] == ["0", "1", "1+", "2", "3", "4"]
    left = next(s for s in data["series"] if "eft" in s["label"])
    assert [p["y"] for p in left["points"]] == [3.0, 1.0]
    assert [p["date"] for p in left["points"]][-1] == (TODAY() - dt.timedelta(days=1)).isoformat()
    assert "higher is worse" in data["y_label"]


def test_another_organisations_client_is_404(client: HttpClient, clinic: Clinic, outsider: Clinic) -> None:
    assert outsider.client is not None
    record_weights(outsider, outsider.client, [1500])
    http = as_role(client, clinic, Role.ADMIN)
    assert http.get(growth_url(outsider.client)).status_code == 404
    trend = reverse("outcomes:trend_chart", args=[outsider.client.pk, "nips"])
    assert http.get(trend).status_code == 404


def test_a_role_without_client_view_is_refused(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.client is not None
    record_weights(clinic, clinic.client, [1500])
    http = as_role(client, clinic, Role.RESEARCHER)
    assert http.get(growth_url(clinic.client)).status_code == 403
    assert http.get(reverse("outcomes:trend_chart", args=[clinic.client.pk, "nips"])).status_code == 403


def test_the_chart_data_is_built_without_drawing(
    client: HttpClient, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither the pages nor their chart data draw on the server (the PDF report alone does)."""

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("a page drew a chart on the server")

    monkeypatch.setattr("kneadwell.outcomes.growth.chart_svg.growth_chart_svg", refuse)
    monkeypatch.setattr("kneadwell.outcomes.selectors.charts.growth_chart_svg", refuse)
    monkeypatch.setattr("kneadwell.outcomes.selectors.trends.trend_chart_svg", refuse)
    assert clinic.client is not None
    record_weights(clinic, clinic.client, [1450, 1470])
    services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=clinic.client,
        instrument_id="nips",
        answers={"face": 1, "cry": 1, "breathing": 0, "arms": 1, "legs": 0, "arousal": 1},
        taken_at=TODAY(),
    )
    http = as_role(client, clinic)
    pk = clinic.client.pk
    for url in (
        reverse("outcomes:growth", args=[pk]),
        growth_url(clinic.client),
        reverse("outcomes:trend", args=[pk, "nips"]),
        reverse("outcomes:trend_chart", args=[pk, "nips"]),
    ):
        assert http.get(url).status_code == 200, url
