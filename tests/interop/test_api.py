"""The import and export API: FHIR Bundle out and in (201, dry run 200, refused 422 saving nothing),
CSV out and in, bounded bodies, tenancy."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.care import services as care_services
from kneadwell.clients.models import Client
from kneadwell.outcomes.models import Measurement
from kwtest.people import Clinic

from . import bundles
from .conftest import Record

pytestmark = pytest.mark.django_db


def call(http: HttpClient, clinic: Clinic, method: str, path: str, body: Any = None, role: Role = Role.ADMIN):  # type: ignore[no-untyped-def]
    return getattr(http, method)(
        path, body, content_type="application/json", headers={"Authorization": f"Bearer {clinic.token(role)}"}
    )


def test_the_fhir_export_is_a_valid_bundle_and_is_audited_as_api(
    client: HttpClient, clinic: Clinic, full_record: Record
) -> None:
    response = call(
        client, clinic, "get", f"/api/v1/clients/{full_record.client.pk}/fhir", role=Role.THERAPIST
    )
    assert response.status_code == 200
    bundle = Bundle.model_validate(response.json())
    assert bundle.type == "collection"
    assert AuditEvent.objects.filter(action="export", client_id=full_record.client.pk, channel="api").exists()


def test_another_organisations_client_is_a_404(client: HttpClient, clinic: Clinic, outsider: Clinic) -> None:
    assert outsider.client is not None
    response = call(client, clinic, "get", f"/api/v1/clients/{outsider.client.pk}/fhir")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_importing_a_bundle_creates_the_client(client: HttpClient, clinic: Clinic) -> None:
    response = call(client, clinic, "post", "/api/v1/fhir/import", bundles.bundle(), role=Role.THERAPIST)
    assert response.status_code == 201, response.content
    out = response.json()
    created = Client.objects.get(pk=out["client_id"])
    assert created.organisation_id == clinic.org.pk
    assert out["measurements"] == created.measurements.count() == 4
    assert "no consent recorded" in out["consent_note"]


def test_a_dry_run_answers_200_and_saves_nothing(client: HttpClient, clinic: Clinic) -> None:
    before = (Client.objects.count(), Measurement.objects.count())
    response = call(client, clinic, "post", "/api/v1/fhir/import?dry_run=true", bundles.bundle())
    assert response.status_code == 200
    assert response.json()["client_id"] is None
    assert (Client.objects.count(), Measurement.objects.count()) == before


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"resourceType": "Patient"}, "not a Bundle"),
        ({"resourceType": "Bundle", "type": "collection", "entry": []}, "no Patient"),
        (bundles.bundle([bundles.patient(gender="other")]), "male or female"),
        (bundles.bundle([bundles.patient(), bundles.observation("8867-4", 150, "/min")]), "unknown code"),
    ],
)
def test_a_bad_bundle_answers_422_with_the_reason_and_saves_nothing(
    client: HttpClient, clinic: Clinic, body: dict[str, Any], reason: str
) -> None:
    before = (Client.objects.count(), Measurement.objects.count())
    response = call(client, clinic, "post", "/api/v1/fhir/import", body)
    assert response.status_code == 422
    out = response.json()
    assert out["field"] == "bundle"
    assert reason in " ".join(e["message"] for e in out["errors"])
    assert (Client.objects.count(), Measurement.objects.count()) == before


def test_a_body_that_is_not_json_is_a_4xx(client: HttpClient, clinic: Clinic) -> None:
    response = client.post(
        "/api/v1/fhir/import",
        "{nope",
        content_type="application/json",
        headers={"Authorization": f"Bearer {clinic.token(Role.ADMIN)}"},
    )
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


def test_a_nul_character_is_refused(client: HttpClient, clinic: Clinic) -> None:
    body = bundles.bundle([bundles.patient(name=[{"family": "A\u0000", "given": ["B"]}])])
    response = call(client, clinic, "post", "/api/v1/fhir/import", body)
    assert response.status_code == 422
    assert "control characters" in response.json()["detail"]


def test_a_body_over_the_size_limit_is_refused_cleanly(client: HttpClient, clinic: Clinic) -> None:
    body = bundles.bundle()
    body["entry"][0]["resource"]["text"] = {
        "status": "generated",
        "div": "<div>" + "x" * 3_000_000 + "</div>",
    }
    response = call(client, clinic, "post", "/api/v1/fhir/import", json.dumps(body))
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_csv_export_and_import_through_the_api(
    client: HttpClient, clinic: Clinic, outsider: Clinic, full_record: Record
) -> None:
    started = timezone.now() - dt.timedelta(days=1)
    care_services.session_import(
        actor=clinic.actor(Role.THERAPIST),
        client=full_record.client,
        protocol_id="preterm_tks_10d",
        status="completed",
        started_at=started,
        ended_at=started + dt.timedelta(minutes=15),
        steps=[care_services.PastStep("long_stroking", ("back",), "done", 840.0)],
        source="a paper record",
    )
    exported = call(client, clinic, "get", "/api/v1/csv/export")
    assert exported.status_code == 200
    out = exported.json()
    assert (out["clients"], out["measurements"], out["sessions"]) == (2, 5, 1)
    assert out["sessions_csv"].startswith("client_ref,protocol")
    imported = call(
        client,
        outsider,
        "post",
        "/api/v1/csv/import",
        {
            "clients_csv": out["clients_csv"],
            "measurements_csv": out["measurements_csv"],
            "sessions_csv": out["sessions_csv"],
        },
    )
    assert imported.status_code == 201, imported.content
    assert imported.json()["clients"] == 2
    assert imported.json()["measurements"] == 5
    assert imported.json()["sessions"] == 1


def test_a_bad_csv_row_answers_422_naming_file_line_and_column(client: HttpClient, clinic: Clinic) -> None:
    text = "client_ref,given_name,family_name,birth_date,sex\n1,Ann,Lee,not-a-date,female\n"
    before = Client.objects.count()
    response = call(client, clinic, "post", "/api/v1/csv/import", {"clients_csv": text})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "clients line 2.birth_date"
    assert Client.objects.count() == before
