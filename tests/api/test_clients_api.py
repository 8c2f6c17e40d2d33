import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.clients.models import Client, Consent
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db
BABY = {
    "given_name": "Rosie",
    "family_name": "Whitfield",
    "birth_date": "2026-10-20",
    "sex": "female",
    "gestation_weeks": 30,
    "gestation_days": 2,
    "birth_weight_g": 1380,
}


def call(
    client: HttpClient,
    clinic: Clinic,
    method: str,
    path: str,
    body: object = None,
    role: Role = Role.THERAPIST,
):  # type: ignore[no-untyped-def]
    return getattr(client, method)(
        path, body, content_type="application/json", headers={"Authorization": f"Bearer {clinic.token(role)}"}
    )


def test_it_adds_a_preterm_baby_records_consent_and_finds_it(client: HttpClient, clinic: Clinic) -> None:
    created = call(client, clinic, "post", "/api/v1/clients", BABY)
    assert created.status_code == 201, created.content
    baby = created.json()
    assert baby["gestation_weeks"] == 30
    assert baby["has_care_consent"] is False
    guardian = call(
        client,
        clinic,
        "post",
        f"/api/v1/clients/{baby['id']}/guardians",
        {"name": "Hannah Whitfield", "relationship": "mother"},
    ).json()
    consent = call(
        client,
        clinic,
        "post",
        f"/api/v1/clients/{baby['id']}/consents",
        {
            "kind": "guardian",
            "scopes": ["care", "measurements"],
            "guardian_id": guardian["id"],
            "signed_by_name": "Hannah Whitfield",
            "signed_on": str(timezone.localdate()),
            "method": "electronic",
            "attestation": True,
        },
    )
    assert consent.status_code == 201, consent.content
    found = call(client, clinic, "get", "/api/v1/clients?q=whitf").json()
    assert found["count"] == 1
    assert found["items"][0]["has_care_consent"] is True
    assert AuditEvent.objects.filter(client_id=baby["id"], channel="api", action="create").count() == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"gestation_weeks": 50}, "gestation_weeks"),
        ({"birth_weight_g": -200}, "birth_weight_g"),
        ({"birth_date": "not a date"}, "birth_date"),
        ({"sex": "unknown"}, "sex"),
        ({"given_name": ""}, "given_name"),
    ],
)
def test_bad_input_gets_a_422_naming_the_field_and_saves_nothing(
    client: HttpClient, clinic: Clinic, change: dict[str, object], field: str
) -> None:
    before = Client.objects.count()
    response = call(client, clinic, "post", "/api/v1/clients", {**BABY, **change})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field
    assert any(e["field"] == field for e in body["errors"])
    assert Client.objects.count() == before


def test_consent_for_another_organisations_client_is_404_and_saves_nothing(
    client: HttpClient, clinic: Clinic, outsider: Clinic
) -> None:
    assert outsider.client is not None
    before = Consent.objects.count()
    response = call(
        client,
        clinic,
        "post",
        f"/api/v1/clients/{outsider.client.pk}/consents",
        {
            "kind": "assent",
            "scopes": ["care"],
            "signed_by_name": "X",
            "signed_on": str(timezone.localdate()),
            "method": "verbal",
            "attestation": True,
        },
    )
    assert response.status_code == 404
    assert Consent.objects.count() == before


def test_a_stale_patch_is_a_409_and_keeps_the_newer_value(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.client is not None
    path = f"/api/v1/clients/{clinic.client.pk}"
    assert call(client, clinic, "patch", path, {"version": 1, "notes": "first"}).status_code == 200
    stale = call(client, clinic, "patch", path, {"version": 1, "notes": "second"})
    assert stale.status_code == 409
    assert "Someone else saved a change" in stale.json()["detail"]
    assert call(client, clinic, "get", path).json()["notes"] == "first"


def test_malformed_json_is_a_400_with_a_message(client: HttpClient, clinic: Clinic) -> None:
    response = client.post(
        "/api/v1/clients",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {clinic.token(Role.THERAPIST)}"},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid JSON."


def test_the_openapi_document_is_served(client: HttpClient, db: None) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/clients" in response.json()["paths"]
