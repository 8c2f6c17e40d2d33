"""GET /api/v1/clients/{client_id}/report.pdf: a PDF for those allowed, JSON errors otherwise, and the
content type declared in the OpenAPI document."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from kneadwell.accounts.roles import Role
from kneadwell.api.api import api
from kwtest.people import Clinic

from .programme import Programme

pytestmark = pytest.mark.django_db


def get(client: HttpClient, clinic: Clinic, role: Role, path: str):  # type: ignore[no-untyped-def]
    return client.get(path, headers={"Authorization": f"Bearer {clinic.token(role)}"})


def test_a_therapist_gets_either_version_as_a_pdf(
    client: HttpClient, clinic: Clinic, programme: Programme
) -> None:
    base = f"/api/v1/clients/{programme.client.pk}/report.pdf"
    for query in (
        "",
        "?version=parent",
        "?version=clinician",
        f"?version=clinician&plan={programme.plan.pk}",
    ):
        response = get(client, clinic, Role.THERAPIST, base + query)
        assert response.status_code == 200, query
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")


def test_errors_are_json(client: HttpClient, clinic: Clinic, outsider: Clinic, programme: Programme) -> None:
    base = f"/api/v1/clients/{programme.client.pk}/report.pdf"
    refused = get(client, clinic, Role.CAREGIVER, base + "?version=clinician")
    assert refused.status_code == 403
    assert "clinical team" in refused.json()["detail"]
    assert get(client, clinic, Role.CAREGIVER, base + "?version=parent").status_code == 200
    assert get(client, clinic, Role.INSTRUCTOR, base).status_code == 403
    bad = get(client, clinic, Role.THERAPIST, base + "?version=doctor")
    assert bad.status_code == 422
    assert bad.json()["field"] == "version"
    assert get(client, clinic, Role.THERAPIST, base + "?plan=0").status_code == 422
    assert outsider.client is not None
    other = get(client, clinic, Role.THERAPIST, f"/api/v1/clients/{outsider.client.pk}/report.pdf")
    assert other.status_code == 404
    assert other.json()["detail"]
    missing_plan = get(client, clinic, Role.THERAPIST, base + "?plan=999999")
    assert missing_plan.status_code == 404
    assert missing_plan.json()["detail"] == "No such plan for this client."
    assert client.get(base).status_code == 401


def test_the_openapi_document_declares_a_pdf_answer() -> None:
    operation = api.get_openapi_schema()["paths"]["/api/v1/clients/{client_id}/report.pdf"]["get"]
    ok = operation["responses"][200]
    assert list(ok["content"]) == ["application/pdf"]
    assert ok["content"]["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    assert {403, 404, 422} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} == {"client_id", "version", "plan"}
