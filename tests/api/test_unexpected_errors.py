"""A fault inside an API operation answers with the API's JSON error shape, not Django's HTML page."""

from __future__ import annotations

import logging

import pytest
from django.test import Client as HttpClient

from kneadwell.accounts.roles import Role
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def test_an_unexpected_fault_is_a_json_500_with_a_reference(
    client: HttpClient, clinic: Clinic, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    token = clinic.token(Role.THERAPIST)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("kneadwell.api.me.selectors.api_token_list", broken)
    with caplog.at_level(logging.ERROR, logger="kneadwell.api"):
        response = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert "went wrong on our side" in body["detail"]
    assert "secret internals" not in response.content.decode()
    reference = body["detail"].split("reference ")[1].split(")")[0]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
