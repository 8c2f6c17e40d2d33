"""The audit list counts events only a few pages ahead of the one shown (a COUNT over every event of a
busy organisation made the page slow), and says "more than" when it stopped counting."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.audit import views
from kneadwell.audit.models import AuditEvent
from kneadwell.audit.services import audit_record
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def test_a_short_log_shows_its_exact_number_of_pages(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    page = client.get(reverse("audit:list")).content.decode()
    assert "Page 1 of 1<" in page


def test_a_long_log_is_counted_only_a_few_pages_ahead(
    client: HttpClient, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_AHEAD_PAGES", 1)
    client.force_login(clinic.user(Role.ADMIN))
    for n in range(10):
        audit_record(actor=clinic.actor(Role.ADMIN), action="read", entity="client", summary=f"read {n}")
    total = AuditEvent.objects.filter(organisation=clinic.org).count()
    assert total > 8  # more than four pages of two
    first = client.get(reverse("audit:list")).content.decode()
    assert "Page 1 of more than 2<" in first
    assert "page=2" in first  # "Older"
    # Asking for a later page counts further; the last page is exact again.
    last_page = (total + 1) // 2
    last = client.get(reverse("audit:list"), {"page": last_page}).content.decode()
    assert f"Page {last_page} of {last_page}<" in last
    assert f"page={last_page + 1}" not in last


def test_an_entry_about_a_client_links_to_the_client_page(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    audit_record(actor=clinic.actor(Role.ADMIN), action="read", entity="client", client_id=4242, summary="x")
    page = client.get(reverse("audit:list")).content.decode()
    assert f'href="{reverse("clients:detail", args=[4242])}">#4242</a>' in page
