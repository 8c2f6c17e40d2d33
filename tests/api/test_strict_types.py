"""Request bodies are read strictly (issue 10): a JSON boolean is not a number, a numeric string is not a
number, null or a list is not text; ordinary JSON (an integer where a decimal is asked) still passes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
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


def call(http: HttpClient, clinic: Clinic, method: str, path: str, body: object = None) -> Any:
    return getattr(http, method)(
        f"/api/v1{path}",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {clinic.token(Role.THERAPIST)}"},
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gestation_days", False),
        ("gestation_weeks", True),
        ("gestation_days", "2"),
        ("birth_weight_g", 1380.5),
        ("given_name", None),
        ("given_name", ["Rosie"]),
        ("birth_date", 20261020),
        ("birth_date", True),
    ],
)
def test_a_client_with_a_value_of_the_wrong_json_type_is_a_422(
    client: HttpClient, clinic: Clinic, field: str, value: object
) -> None:
    before = Client.objects.count()
    response = call(client, clinic, "post", "/clients", {**BABY, field: value})
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert Client.objects.count() == before


def test_a_well_typed_client_still_passes(client: HttpClient, clinic: Clinic) -> None:
    assert call(client, clinic, "post", "/clients", BABY).status_code == 201


def test_a_patch_with_a_boolean_for_a_number_is_a_422(client: HttpClient, clinic: Clinic) -> None:
    created = call(client, clinic, "post", "/clients", BABY).json()
    response = call(
        client,
        clinic,
        "patch",
        f"/clients/{created['id']}",
        {"version": created["version"], "gestation_days": False},
    )
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "gestation_days"
    assert Client.objects.get(pk=created["id"]).gestation_days == 2


@pytest.mark.parametrize(
    "body",
    [
        [None, None],
        {"subjective": None},
        {"subjective": [None, None]},
        {"minutes": True},
        {"minutes": "5"},
        {"techniques": "long_stroking"},
    ],
)
def test_a_note_of_the_wrong_shape_is_a_422(client: HttpClient, clinic: Clinic, body: object) -> None:
    # The session need not exist: the body is read before anything is looked up, so the 422 comes first.
    response = call(client, clinic, "put", "/sessions/999999/note", body)
    assert response.status_code == 422, response.content


def test_a_whole_number_is_accepted_where_a_decimal_is_asked(client: HttpClient, clinic: Clinic) -> None:
    # minutes is a decimal; JSON 6 (no ".0") must still be read, and it reaches the 404 for the session.
    response = call(client, clinic, "put", "/sessions/999999/note", {"minutes": 6})
    assert response.status_code == 404, response.content
