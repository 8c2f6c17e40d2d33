import csv
import io

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AppendOnlyError, AuditEvent
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def test_audit_rows_cannot_be_changed_or_deleted(clinic: Clinic) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(summary="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_postgresql_itself_refuses_to_rewrite_the_log(clinic: Clinic) -> None:
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = 'rewritten'")


def test_admins_export_the_log_as_csv_and_the_export_is_itself_audited(
    client: HttpClient, clinic: Clinic
) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    response = client.get(reverse("audit:export"))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows
    assert set(rows[0]) >= {"at", "actor_label", "channel", "action", "entity", "client_id"}
    assert any(r["action"] == "create" and r["entity"] == "consent" for r in rows)
    assert AuditEvent.objects.filter(action="export", entity="audit").exists()


def test_the_log_shows_only_the_own_organisation(
    client: HttpClient, clinic: Clinic, outsider: Clinic
) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    response = client.get(reverse("audit:list"))
    assert outsider.client is not None
    assert outsider.client.family_name.encode() not in response.content
    assert clinic.client is not None
    assert clinic.client.given_name.encode() in response.content
