"""The one content version is what the pages and the report show as "the content in force", and what
`kneadwell serve` records."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.content.loader import current_version
from kneadwell.library.loader import default_library
from kneadwell.library.models import ContentVersionRecord
from kneadwell.library.sync import sync
from kneadwell.reports.content_evidence import content_versions
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["library:index", "evidence:index"])
def test_the_index_pages_show_the_one_content_version(client: HttpClient, clinic: Clinic, url: str) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    response = client.get(reverse(url))
    assert response.status_code == 200
    assert f"Content version {current_version()}" in response.content.decode()


def test_the_report_shows_the_version_in_force_and_each_plans_own() -> None:
    plans: list[Any] = [SimpleNamespace(pk=7, content_version="2025.1+0123456789ab")]
    assert content_versions(plans, lib=default_library()) == (
        ("Content in force now", str(current_version())),
        ("Plan 7 was made with", "2025.1+0123456789ab"),
    )


def test_serve_records_the_one_version_once() -> None:
    first, again = sync(), sync()
    assert f"Content {current_version()} recorded" in first
    assert "already recorded" in again
    record = ContentVersionRecord.objects.get()
    assert (record.label, record.sha256) == (current_version().label, current_version().sha256)
