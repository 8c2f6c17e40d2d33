"""The library's sources page and its source links read the one registry, instruments' sources included."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.content.sources import source_get, source_registry
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def test_the_sources_page_lists_every_registry_entry(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    html = client.get(reverse("library:sources")).content.decode()
    for sid in source_registry():
        assert f'id="{sid}"' in html, sid
    # Cited only by an instrument (Fugl-Meyer's own protocol), and shown with its note where it has one.
    assert "University of Gothenburg" in html
    assert "The 1996 paper itself was not retrieved" in html  # S32's note
    # A source that is also an evidence study links to the study's page.
    assert reverse("evidence:study", args=[source_get("S81").study]) in html


def test_a_source_link_carries_the_registry_citation() -> None:
    html = Template("{% load library_tags %}{{ ids|source_links }}").render(Context({"ids": ["S45"]}))
    assert 'title="Merkel SI, Voepel-Lewis T' in html
    assert source_get("S45").citation.startswith("Merkel SI, Voepel-Lewis T")
