"""The outcomes API: instruments with sources, recording (bad input is a 422 naming the field and saves
nothing), the confirm-unusual round trip, entered-in-error with versions, growth summary, CSV import."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.content.loader import current_version
from kneadwell.outcomes.models import Measurement
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def call(
    http: HttpClient, clinic: Clinic, method: str, path: str, body: object = None, role: Role = Role.THERAPIST
):  # type: ignore[no-untyped-def]
    return getattr(http, method)(
        path, body, content_type="application/json", headers={"Authorization": f"Bearer {clinic.token(role)}"}
    )


def baby(clinic: Clinic) -> Client:
    assert clinic.client is not None
    return clinic.client


def day(n: int) -> str:
    return (TODAY() - dt.timedelta(days=n)).isoformat()


def test_instruments_come_with_items_ranges_and_sources(client: HttpClient, clinic: Clinic) -> None:
    response = call(client, clinic, "get", "/api/v1/instruments")
    assert response.status_code == 200
    by_id = {i["id"]: i for i in response.json()}
    nips = by_id["nips"]
    assert nips["score_max"] == 7
    assert nips["direction"] == "higher_worse"
    assert {s["id"] for s in nips["sources"]} >= {"S40", "S41"}
    assert nips["items"][0]["options"]
    weight = by_id["weight"]
    assert weight["items"][0]["numeric"]["unit"] == "kg"
    assert {u["unit"] for u in weight["extra"]["units"]} == {"kg", "g"}


def test_it_records_lists_and_reads_a_measurement(client: HttpClient, clinic: Clinic) -> None:
    path = f"/api/v1/clients/{baby(clinic).pk}/measurements"
    body = {
        "instrument_id": "weight",
        "taken_at": f"{day(1)}T08:00+00:00",
        "answers": {"value": 1530, "unit": "g"},
    }
    created = call(client, clinic, "post", path, body)
    assert created.status_code == 201, created.content
    out = created.json()
    assert out["value"] == pytest.approx(1.53)
    assert out["unit"] == "kg"
    assert out["display"] == "1530 g"
    listed = call(client, clinic, "get", path).json()
    assert listed["count"] == 1
    assert listed["items"][0]["id"] == out["id"]
    one = call(client, clinic, "get", f"{path}/{out['id']}")
    assert one.status_code == 200
    assert one.json()["recorded_by"] == clinic.user(Role.THERAPIST).email
    # The score came from the instrument catalogue of the content in force, which the entry names.
    assert out["content_version"] == str(current_version())
    assert Measurement.objects.get(pk=out["id"]).content_version == str(current_version())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instrument_id": "weight", "taken_at": "2026-13-40", "answers": {"value": 1}}, "taken_at"),
        # issue 10: a time without an offset is ambiguous, so it is refused rather than guessed
        (
            {
                "instrument_id": "weight",
                "taken_at": "2026-11-01T08:00",
                "answers": {"value": 1530, "unit": "g"},
            },
            "taken_at",
        ),
        (
            {"instrument_id": "weight", "taken_at": 1761984000, "answers": {"value": 1530, "unit": "g"}},
            "taken_at",
        ),
        ({"instrument_id": "Weight!", "taken_at": "2026-11-01T08:00+00:00", "answers": {}}, "instrument_id"),
        (
            {"instrument_id": "no_such_scale", "taken_at": "2026-11-01T08:00+00:00", "answers": {}},
            "instrument_id",
        ),
        (
            {"instrument_id": "weight", "taken_at": "2026-11-01T08:00+00:00", "answers": {"value": "heavy"}},
            "answers.value",
        ),
        (
            {
                "instrument_id": "weight",
                "taken_at": "2026-11-01T08:00+00:00",
                "answers": {"value": 50, "unit": "kg"},
            },
            "answers.value",
        ),
        (
            {
                "instrument_id": "weight",
                "taken_at": "2026-11-01T08:00+00:00",
                "answers": {"value": 1500, "unit": "lb"},
            },
            "answers.unit",
        ),
        (
            {"instrument_id": "nips", "taken_at": "2026-11-01T08:00+00:00", "answers": {"face": 1}},
            "answers.cry",
        ),
        (
            {"instrument_id": "nips", "taken_at": "2026-11-01T08:00+00:00", "answers": {"face": [1]}},
            "answers",
        ),
        (
            {
                "instrument_id": "weight",
                "taken_at": "2999-01-01T08:00+00:00",
                "answers": {"value": 1500, "unit": "g"},
            },
            "taken_at",
        ),
        (
            {
                "instrument_id": "weight",
                "taken_at": "2026-11-01T08:00+00:00",
                "context": "whenever",
                "answers": {},
            },
            "context",
        ),
        ({"instrument_id": "weight", "taken_at": "2026-11-01T08:00+00:00"}, "answers"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_saves_nothing(
    client: HttpClient, clinic: Clinic, body: dict[str, object], field: str
) -> None:
    response = call(client, clinic, "post", f"/api/v1/clients/{baby(clinic).pk}/measurements", body)
    assert response.status_code == 422, response.content
    fields = {e["field"] for e in response.json()["errors"]}
    assert any(f == field or f.startswith(field + ".") or f.startswith(field) for f in fields), fields
    assert response.json()["detail"]
    assert not Measurement.objects.exists()


def test_an_unusual_value_needs_confirm_unusual_then_is_flagged(client: HttpClient, clinic: Clinic) -> None:
    path = f"/api/v1/clients/{baby(clinic).pk}/measurements"
    first = {
        "instrument_id": "head_circumference",
        "taken_at": f"{day(8)}T08:00+00:00",
        "answers": {"value": 30.0},
    }
    assert call(client, clinic, "post", path, first).status_code == 201
    shrunk = {
        "instrument_id": "head_circumference",
        "taken_at": f"{day(1)}T08:00+00:00",
        "answers": {"value": 27.0},
    }
    refused = call(client, clinic, "post", path, shrunk)
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert {"answers.value", "confirm_unusual"} <= fields
    kept = call(client, clinic, "post", path, {**shrunk, "confirm_unusual": True})
    assert kept.status_code == 201
    assert kept.json()["confirmed_unusual"] is True
    assert any("went down by 3.0 cm" in w for w in kept.json()["confirmed_warnings"])


def test_no_consent_for_measurements_is_a_409(client: HttpClient, clinic: Clinic) -> None:
    other = make_client(clinic.actor(Role.THERAPIST), consent=False)
    body = {
        "instrument_id": "weight",
        "taken_at": f"{day(1)}T08:00+00:00",
        "answers": {"value": 1530, "unit": "g"},
    }
    response = call(client, clinic, "post", f"/api/v1/clients/{other.pk}/measurements", body)
    assert response.status_code == 409
    assert response.json()["field"] == "consent"


def test_a_researcher_sees_no_measurements(client: HttpClient, clinic: Clinic) -> None:
    response = call(
        client, clinic, "get", f"/api/v1/clients/{baby(clinic).pk}/measurements", role=Role.RESEARCHER
    )
    assert response.status_code == 403


def test_marking_in_error_needs_the_current_version(client: HttpClient, clinic: Clinic) -> None:
    path = f"/api/v1/clients/{baby(clinic).pk}/measurements"
    body = {
        "instrument_id": "weight",
        "taken_at": f"{day(1)}T08:00+00:00",
        "answers": {"value": 1530, "unit": "g"},
    }
    m = call(client, clinic, "post", path, body).json()
    stale = call(client, clinic, "post", f"{path}/{m['id']}/in-error", {"version": 3, "reason": "typo"})
    assert stale.status_code == 409
    marked = call(client, clinic, "post", f"{path}/{m['id']}/in-error", {"version": 1, "reason": "typo"})
    assert marked.status_code == 200
    assert marked.json()["entered_in_error"] is True
    assert marked.json()["version"] == 2
    assert call(client, clinic, "get", path).json()["count"] == 0
    assert call(client, clinic, "get", f"{path}?include_in_error=true").json()["count"] == 1
    again = call(client, clinic, "post", f"{path}/{m['id']}/in-error", {"version": 2, "reason": "typo"})
    assert again.status_code == 400


def test_a_measurement_of_another_client_is_404(client: HttpClient, clinic: Clinic) -> None:
    path = f"/api/v1/clients/{baby(clinic).pk}/measurements"
    body = {
        "instrument_id": "weight",
        "taken_at": f"{day(1)}T08:00+00:00",
        "answers": {"value": 1530, "unit": "g"},
    }
    m = call(client, clinic, "post", path, body).json()
    other = f"/api/v1/clients/{clinic.other_client.pk}/measurements/{m['id']}"  # type: ignore[union-attr]
    assert call(client, clinic, "get", other).status_code == 404
    assert call(client, clinic, "post", other + "/in-error", {"version": 1, "reason": "x"}).status_code == 404


def test_daily_weights_and_the_growth_summary(client: HttpClient, clinic: Clinic) -> None:
    grams = [1450, 1470, 1492, 1510, 1531, 1553, 1575]
    # Midnight, so that today's row is never in the future whenever the test runs.
    rows = [{"taken_at": f"{day(6 - i)}T00:00+00:00", "value": g} for i, g in enumerate(grams)]
    saved = call(
        client, clinic, "post", f"/api/v1/clients/{baby(clinic).pk}/measurements/weights", {"rows": rows}
    )
    assert saved.status_code == 201, saved.content
    assert len(saved.json()) == 7
    growth = call(client, clinic, "get", f"/api/v1/clients/{baby(clinic).pk}/growth")
    assert growth.status_code == 200
    body = growth.json()
    v = body["velocity"]
    assert v["method"] == "exponential"
    assert "Patel" in v["method_label"]
    assert "PMC2767524" in v["source"]
    assert v["velocity_g_kg_day"] == pytest.approx(1000 * math.log(1575 / 1450) / 6)
    assert v["gain_g_per_day"] == pytest.approx((1575 - 1450) / 6)
    (latest,) = body["latest"]
    assert latest["measure"] == "weight"
    assert latest["corrected_sds"] is not None
    assert latest["corrected_age_days"] < 0  # still before the due date: born at 30+2, 40 days ago
    assert body["reference"] == "uk-who"
    assert "rcpchgrowth" in body["reference_source"]
    linear = call(client, clinic, "get", f"/api/v1/clients/{baby(clinic).pk}/growth?method=linear").json()
    assert linear["velocity"]["velocity_g_kg_day"] is None
    assert linear["velocity"]["gain_g_per_day"] == pytest.approx((1575 - 1450) / 6)


def test_a_bad_row_in_daily_weights_is_named_and_nothing_is_saved(client: HttpClient, clinic: Clinic) -> None:
    rows = [
        {"taken_at": f"{day(1)}T08:00+00:00", "value": 1450},
        {"taken_at": f"{day(0)}T00:00+00:00", "value": 14500},
    ]
    response = call(
        client, clinic, "post", f"/api/v1/clients/{baby(clinic).pk}/measurements/weights", {"rows": rows}
    )
    assert response.status_code == 422
    assert "rows.1.value" in {e["field"] for e in response.json()["errors"]}
    assert not Measurement.objects.exists()


def test_growth_rejects_an_unknown_reference(client: HttpClient, clinic: Clinic) -> None:
    response = call(client, clinic, "get", f"/api/v1/clients/{baby(clinic).pk}/growth?reference=fenton")
    assert response.status_code == 422
    assert response.json()["field"] == "reference"


def test_csv_import_all_or_nothing_lists_every_bad_line(client: HttpClient, clinic: Clinic) -> None:
    pk = baby(clinic).pk
    text = "\n".join(
        [
            "client_id,instrument,taken_at,value,unit",
            f"{pk},weight,{day(2)},1450,g",
            f"{pk},weight,{day(1)},heavy,g",
            f"{pk},weight,not-a-date,1470,g",
        ]
    )
    response = call(client, clinic, "post", "/api/v1/measurements/import", {"csv": text})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"line 3.value", "line 4.taken_at"} <= fields
    assert not Measurement.objects.exists()
    good = call(client, clinic, "post", "/api/v1/measurements/import", {"csv": text, "mode": "good_rows"})
    assert good.status_code == 200
    assert good.json()["saved"] == 1
    assert {p["line"] for p in good.json()["problems"]} == {3, 4}


def test_a_daily_weight_row_takes_a_date_or_an_aware_time_but_not_a_naive_one(
    client: HttpClient, clinic: Clinic
) -> None:
    path = f"/api/v1/clients/{baby(clinic).pk}/measurements/weights"
    naive = [{"taken_at": day(2), "value": 1450}, {"taken_at": f"{day(1)}T00:00", "value": 1460}]
    response = call(client, clinic, "post", path, {"rows": naive})
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "rows.1.taken_at"
    assert not Measurement.objects.exists()
    aware = [{"taken_at": day(2), "value": 1450}, {"taken_at": f"{day(1)}T00:00+00:00", "value": 1460}]
    assert call(client, clinic, "post", path, {"rows": aware}).status_code == 201
