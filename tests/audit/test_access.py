"""Reads of a client's record are audited at the request's boundary (kneadwell.audit.access): selectors
only note them, one row per person and client is written after the view answers, nothing is lost when
the view fails or when there is no request, and every page that opens a client's record leaves its row."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.audit.access import access_scope
from kneadwell.audit.models import AuditEvent
from kneadwell.clients.selectors import client_get, client_search
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db

READ = AuditEvent.Action.READ


def reads(clinic: Clinic) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=READ, client_id=clinic.client.pk).order_by("id"))


def test_a_selector_only_notes_the_read_inside_a_request(clinic: Clinic) -> None:
    actor = clinic.actor(Role.THERAPIST)
    with access_scope():
        client_get(actor=actor, client_id=clinic.client.pk)
        client_get(actor=actor, client_id=clinic.client.pk, purpose="opened today's check")
        assert reads(clinic) == []  # nothing written while the request runs
    [row] = reads(clinic)  # one row for the two reads, naming both
    assert row.summary == "viewed the record; opened today's check"
    assert row.user_id == actor.user.pk


def test_a_read_without_a_request_is_written_at_once(clinic: Clinic) -> None:
    client_get(actor=clinic.actor(Role.THERAPIST), client_id=clinic.client.pk)
    assert len(reads(clinic)) == 1


def test_a_request_that_fails_after_reading_still_leaves_its_row(clinic: Clinic) -> None:
    def view() -> None:
        with access_scope():
            client_get(actor=clinic.actor(Role.THERAPIST), client_id=clinic.client.pk)
            raise RuntimeError("the view broke after the read")

    with pytest.raises(RuntimeError):
        view()
    assert len(reads(clinic)) == 1


def test_a_search_is_one_list_row(clinic: Clinic) -> None:
    actor = clinic.actor(Role.THERAPIST)
    with access_scope():
        list(client_search(actor=actor, query="Okafor"))
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.LIST).exists()
    row = AuditEvent.objects.get(action=AuditEvent.Action.LIST)
    assert row.client_id is None
    assert "Okafor" in row.summary


@pytest.mark.parametrize(
    "name",
    [
        "clients:detail",
        "clients:edit",
        "library:intake",
        "library:check",
        "care:plan_create",
        "outcomes:list",
        "outcomes:growth",
        "outcomes:growth_chart",
        "interop:fhir_export",
    ],
)
def test_every_page_that_opens_a_record_leaves_one_row(client: HttpClient, clinic: Clinic, name: str) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    response = client.get(reverse(name, args=[clinic.client.pk]))
    assert response.status_code == 200
    rows = reads(clinic)
    assert len(rows) == 1, [r.summary for r in rows]
    assert rows[0].user_id == clinic.user(Role.ADMIN).pk


def test_an_api_read_leaves_one_row(client: HttpClient, clinic: Clinic) -> None:
    token = clinic.token(Role.ADMIN)
    response = client.get(
        f"/api/v1/clients/{clinic.client.pk}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    [row] = reads(clinic)
    assert row.channel == "api"


def test_a_record_out_of_reach_is_a_404_and_no_read(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.other_client is not None
    client.force_login(clinic.user(Role.CAREGIVER))  # not this child's guardian
    assert client.get(reverse("clients:detail", args=[clinic.other_client.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=READ, client_id=clinic.other_client.pk).exists()
