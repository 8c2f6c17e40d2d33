"""The client page reads its consents and guardians with the columns it shows only, and its trail as named
rows (issue 11, docs/performance.md): the page is the same bytes as with the full rows, in every language,
with no more queries (a deferred column read by the template would cost one more)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.clients import selectors, services
from kneadwell.clients.models import Guardian
from kneadwell.clients.views import TRAIL_COLUMNS, trail_items
from kneadwell.core.tenancy import organisation_scope
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'("X-CSRFToken": ")[^"]+|(csrfmiddlewaretoken" value=")[^"]+')
TRAIL = re.compile(r'<ul class="list small">.*?</ul>', re.S)


@pytest.fixture
def child(clinic: Clinic) -> Any:
    """A child (assent expected) with two guardians (one with a login), an active consent, a withdrawn
    one, an assent and a notes field to escape."""
    actor = clinic.actor(Role.THERAPIST)
    child = make_client(
        actor, born_days_ago=9 * 365, weeks=None, days=None, identifier="<H&7>", notes="a\nb & <c>"
    )
    guardian = services.guardian_create(
        actor=actor,
        client=child,
        name="Sam <Second>",
        relationship=Guardian.Relationship.GRANDPARENT,
        email="sam@example.test",
        user=clinic.user(Role.CAREGIVER),
    )
    today = timezone.localdate()
    withdrawn = services.consent_record(
        actor=actor,
        client=child,
        kind="guardian",
        scopes=["sharing", "measurements"],
        signed_by_name="Sam & co",
        signed_on=today - dt.timedelta(days=30),
        method="verbal",
        attestation=True,
        guardian=guardian,
    )
    services.consent_withdraw(actor=actor, consent=withdrawn, reason="moved <away>")
    services.consent_record(
        actor=actor,
        client=child,
        kind="assent",
        scopes=["care"],
        signed_by_name="The child",
        signed_on=today - dt.timedelta(days=3),
        method="electronic",
        attestation=True,
    )
    return child


def _page(http: HttpClient, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200
    body = CSRF.sub(lambda m: (m.group(1) or m.group(2)) + "X", response.content.decode())
    return body, len(queries.captured_queries)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.THERAPIST, Role.CAREGIVER])
@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_the_page_is_the_one_the_full_rows_gave(
    client: HttpClient, clinic: Clinic, child: Any, role: Role, language: str, monkeypatch: Any
) -> None:
    client.force_login(clinic.user(role))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("clients:detail", args=[child.pk])
    client.get(url)
    shown, shown_queries = _page(client, url)
    # The page as it read them before: every column, with the joins.
    monkeypatch.setattr(selectors, "consent_list_shown", selectors.consent_list)
    monkeypatch.setattr(selectors, "guardian_list_shown", selectors.guardian_list)
    full, full_queries = _page(client, url)
    # Each request's own read is in the next one's trail (the admin's): the trail is compared below.
    assert TRAIL.sub("", shown) == TRAIL.sub("", full)
    assert shown_queries == full_queries
    assert "Sam &lt;Second&gt;" in shown
    assert "moved &lt;away&gt;" in shown


def test_the_trail_from_named_rows_is_the_trail_from_events(clinic: Clinic, child: Any) -> None:
    events = AuditEvent.objects.filter(client_id=child.pk).order_by("-at", "-id")
    assert events.count() >= 5
    for language, _ in settings.LANGUAGES:
        with translation.override(language):
            assert trail_items(events.values_list(*TRAIL_COLUMNS, named=True)) == trail_items(events)


def test_another_organisation_s_client_is_still_a_404_and_each_view_audited(
    client: HttpClient, clinic: Clinic, outsider: Clinic, child: Any
) -> None:
    url = reverse("clients:detail", args=[child.pk])
    client.force_login(clinic.user(Role.THERAPIST))
    before = AuditEvent.objects.filter(client_id=child.pk, action="read").count()
    client.get(url)
    assert AuditEvent.objects.filter(client_id=child.pk, action="read").count() == before + 1
    client.force_login(outsider.user(Role.ADMIN))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["consent_list_shown", "guardian_list_shown"])
def test_the_page_s_selectors_given_another_organisation_s_client_list_nothing(
    name: str, clinic: Clinic, outsider: Clinic
) -> None:
    read = getattr(selectors, name)
    assert clinic.client is not None
    assert outsider.client is not None
    with organisation_scope(clinic.org.pk):
        assert list(read(client=clinic.client))
        assert list(read(client=outsider.client)) == []
