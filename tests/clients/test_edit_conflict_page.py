"""Issue 10 on the page: a save based on an older version (someone saved in between) shows the conflict
and keeps what the person typed; nothing of theirs overwrites the other save."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.clients import services
from kneadwell.clients.models import Client
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def test_a_stale_edit_shows_the_conflict_and_keeps_the_text(client: HttpClient, clinic: Clinic) -> None:
    baby = clinic.client
    assert baby is not None
    loaded = baby.version
    services.client_update(  # the other person's save, after this page was opened
        actor=clinic.actor(Role.THERAPIST), client=baby, expected_version=loaded, notes="Theirs"
    )
    client.force_login(clinic.user(Role.THERAPIST))
    form = {
        "given_name": baby.given_name,
        "family_name": baby.family_name,
        "birth_date": baby.birth_date.isoformat(),
        "sex": baby.sex,
        "notes": "My careful note about feeding",
        "version": loaded,
    }
    response = client.post(reverse("clients:edit", args=[baby.pk]), form)
    assert response.status_code == 200
    assert b"Someone else saved a change" in response.content
    assert b"My careful note about feeding" in response.content
    assert Client.objects.get(pk=baby.pk).notes == "Theirs"
