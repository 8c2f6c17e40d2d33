"""The languages page (library.views.language_settings) and translation_policy_save: each language's
files with their review, and whether an unreviewed safety text is shown with its English original."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import PermissionDenied
from kneadwell.library import selectors, services
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db
URL = reverse("library:language_settings")


def test_the_page_shows_each_language_and_its_review(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    page = client.get(URL).content.decode()
    assert "Español" in page
    assert "العربية" in page
    assert "draft — drafted by the team, awaiting clinical and native-speaker review" in page
    assert "library/safety.yaml" in page
    assert "still in English" not in page  # every text a parent sees is translated
    assert 'id="id_english_beside_unreviewed" checked' in page  # on by default


def test_switching_it_off_is_saved_and_audited(client: HttpClient, clinic: Clinic) -> None:
    assert selectors.english_beside_unreviewed(clinic.org) is True  # the conservative default
    client.force_login(clinic.user(Role.ADMIN))
    response = client.post(URL, {})
    assert response.status_code == 302
    clinic.org.refresh_from_db()
    assert selectors.english_beside_unreviewed(clinic.org) is False
    event = AuditEvent.objects.filter(entity="organisation_settings").latest("id")
    assert event.summary == "changed how translated safety texts are shown"
    client.post(URL, {"english_beside_unreviewed": "on"})
    clinic.org.refresh_from_db()
    assert selectors.english_beside_unreviewed(clinic.org) is True


def test_only_those_who_manage_settings_may_change_it(clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        services.translation_policy_save(actor=clinic.actor(Role.CAREGIVER), english_beside_unreviewed=False)
    clinic.org.refresh_from_db()
    assert selectors.english_beside_unreviewed(clinic.org) is True
