import pytest
from django.test import Client as HttpClient

from kneadwell.accounts.roles import Role
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_and_works_until_revoked(client: HttpClient, clinic: Clinic) -> None:
    first = clinic.token(Role.THERAPIST)
    created = client.post(
        "/api/v1/tokens", {"name": "ward import"}, content_type="application/json", headers=auth(first)
    )
    assert created.status_code == 201
    body = created.json()
    raw = body["token"]
    assert raw.startswith("kw_")
    assert body["prefix"] == raw[:10]
    me = client.get("/api/v1/me", headers=auth(raw))
    assert me.status_code == 200
    assert me.json()["role"] == "therapist"
    listed = client.get("/api/v1/tokens", headers=auth(raw)).json()
    assert all("token" not in item for item in listed)
    revoked = client.post(
        f"/api/v1/tokens/{body['id']}/revoke", {}, content_type="application/json", headers=auth(first)
    )
    assert revoked.status_code == 200
    assert client.get("/api/v1/me", headers=auth(raw)).status_code == 401


def test_a_made_up_token_is_refused_with_json(client: HttpClient, db: None) -> None:
    response = client.get("/api/v1/me", headers=auth("kw_not-a-real-token"))
    assert response.status_code == 401
    assert "Authentication required" in response.json()["detail"]


def test_a_deactivated_membership_token_stops_working(client: HttpClient, clinic: Clinic) -> None:
    raw = clinic.token(Role.ASSESSOR)
    member = clinic.members[Role.ASSESSOR]
    member.is_active = False
    member.save()
    assert client.get("/api/v1/me", headers=auth(raw)).status_code == 401


def test_one_users_token_cannot_revoke_anothers(client: HttpClient, clinic: Clinic) -> None:
    from kneadwell.accounts.services import api_token_create

    theirs, _ = api_token_create(actor=clinic.actor(Role.ADMIN), name="admin's")
    response = client.post(
        f"/api/v1/tokens/{theirs.pk}/revoke",
        {},
        content_type="application/json",
        headers=auth(clinic.token(Role.THERAPIST)),
    )
    assert response.status_code == 404
