"""The client page (clients.views.client_detail) reads what two of its sections both need once per request
(clients.selectors.client_reads_shared / shared_read: the intake, read by the safety and the evidence
sections); never across requests, never outside a page that asked for it; every view still audited and
another organisation's client still a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.clients import selectors
from kneadwell.library import services
from kneadwell.library.selectors import intake_for
from kwtest.people import Clinic, make_client
from kwtest.screening import clear_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def baby(clinic: Clinic) -> Any:
    client = make_client(clinic.actor(Role.THERAPIST), born_days_ago=70, weeks=39, days=3)
    services.intake_save(
        actor=clinic.actor(Role.THERAPIST),
        client=client,
        population="infant",
        answers=clear_answers("infant", "intake"),
        expected_version=None,
    )
    return client


def page_queries(http: HttpClient, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def test_the_intake_is_read_once_and_both_sections_use_it(
    client: HttpClient, clinic: Clinic, baby: Any
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    url = reverse("clients:detail", args=[baby.pk])
    client.get(url)  # the login's first page pushes the session forward
    page, sql = page_queries(client, url)
    assert sum('FROM "library_intake"' in q for q in sql) == 1
    assert "What the evidence says" in page  # the evidence section (it read the intake's group too)
    assert reverse("library:intake", args=[baby.pk]) in page  # the safety section shows the intake


def test_the_client_page_query_count(client: HttpClient, clinic: Clinic, baby: Any) -> None:
    """An administrator's view of a client with an intake reads 22 times (23 before the intake was
    shared): the person (session, user, membership), the client, its consents, each section's reads, the
    guardians and the trail; then the request's one audit row (its chain head and insert, in a
    transaction whose statements differ between SQLite and PostgreSQL). No more, whatever the data."""
    client.force_login(clinic.user(Role.ADMIN))
    url = reverse("clients:detail", args=[baby.pk])
    client.get(url)
    _, sql = page_queries(client, url)
    audit_write = ('"row_hash"', "pg_advisory")
    page_reads = [q for q in sql if q.startswith("SELECT") and not any(w in q for w in audit_write)]
    assert len(page_reads) <= 22, "\n".join(page_reads)
    assert sum(q.startswith('INSERT INTO "audit_auditevent"') for q in sql) == 1


def test_nothing_is_shared_across_requests(client: HttpClient, clinic: Clinic, baby: Any) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    url = reverse("clients:detail", args=[baby.pk])
    _, sql = page_queries(client, url)
    assert sum('FROM "library_intake"' in q for q in sql) == 1
    intake = intake_for(client=baby)
    assert intake is not None
    services.intake_save(
        actor=clinic.actor(Role.THERAPIST),
        client=baby,
        population=intake.population,
        answers=clear_answers("infant", "intake"),
        expected_version=intake.version,
    )
    _, sql = page_queries(client, url)
    assert sum('FROM "library_intake"' in q for q in sql) == 1  # read again: a new request, a new read


def test_only_a_client_marked_by_the_page_shares_reads(clinic: Clinic, baby: Any) -> None:
    actor = clinic.actor(Role.THERAPIST)
    loaded = selectors.client_get(actor=actor, client_id=baby.pk)
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return len(reads)

    assert selectors.shared_read(loaded, "x", read) == 1
    assert selectors.shared_read(loaded, "x", read) == 2  # not marked: read each time
    marked = selectors.client_reads_shared(selectors.client_get(actor=actor, client_id=baby.pk))
    assert selectors.shared_read(marked, "x", read) == 3
    assert selectors.shared_read(marked, "x", read) == 3  # marked: read once
    assert selectors.shared_read(loaded, "x", read) == 4  # another instance (another request) reads


def test_each_view_is_still_audited_and_other_clients_stay_hidden(
    client: HttpClient, clinic: Clinic, outsider: Clinic, baby: Any
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    url = reverse("clients:detail", args=[baby.pk])
    before = AuditEvent.objects.filter(client_id=baby.pk, action="read").count()
    client.get(url)
    client.get(url)
    assert AuditEvent.objects.filter(client_id=baby.pk, action="read").count() == before + 2
    client.force_login(outsider.user(Role.ADMIN))
    assert client.get(url).status_code == 404
