"""The library's protocol page (library.views.protocol): its own content is rendered once per protocol,
language and content version and kept in Django's cache (protocol_body); the other areas' sections (the
evidence, worded for the reader's role) are rendered on every request. A cached body is the same, byte
for byte, as one rendered afresh, and a change of language, content version, translations or the
organisation's English-beside-unreviewed setting gives another key and the right body."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from kneadwell.accounts.roles import Role
from kneadwell.evidence.library import load_evidence
from kneadwell.library import services, views
from kneadwell.library.display import display_library
from kneadwell.library.loader import default_library
from kneadwell.library.localise import catalogue
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db

PROTOCOL = "preterm_tks_10d"
URL = reverse("library:protocol", args=[PROTOCOL])


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The protocol-body templates rendered (a cache miss renders both parts)."""
    rendered: list[str] = []
    original = views.render_to_string

    def counting(name: str, *args: Any, **kwargs: Any) -> str:
        rendered.append(name)
        return original(name, *args, **kwargs)

    monkeypatch.setattr(views, "render_to_string", counting)
    return rendered


def get(http: HttpClient, language: str = "en-gb") -> str:
    response = http.get(URL, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def without_tokens(page: str) -> str:
    """The page without its per-request CSRF tokens."""
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", page)


def test_the_body_is_rendered_once_and_the_cached_page_is_the_same(
    client: HttpClient, clinic: Clinic, renders: list[str]
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    first = get(client)
    assert renders == ["library/protocol_body.html", "library/protocol_body_end.html"]
    second = get(client)
    assert renders == ["library/protocol_body.html", "library/protocol_body_end.html"]  # from the cache
    assert without_tokens(second) == without_tokens(first)
    protocol = default_library().protocols[PROTOCOL]
    assert f"<h1>{protocol.name}</h1>" in second
    assert "Who it is for, and when not" in second
    assert 'id="ev-claims-h"' in second  # the evidence section is there, between the two parts
    assert second.index("Who it is for, and when not") < second.index('id="ev-claims-h"')


def test_the_evidence_section_is_still_worded_for_each_reader(client: HttpClient, clinic: Clinic) -> None:
    """The body is shared; the sections are not: a parent gets the parent wording of the claims."""
    claim = load_evidence().claims["preterm_weight_gain"]
    client.force_login(clinic.user(Role.THERAPIST))
    staff = get(client)
    client.force_login(clinic.user(Role.CAREGIVER))
    parent = get(client)

    def body(page: str) -> str:
        return page[page.index("<h1>") : page.index('id="ev-claims-h"')]

    def section(page: str) -> str:
        return page[page.index('id="ev-claims-h"') :]

    assert body(staff) == body(parent)
    assert escape(claim.clinician_text) in section(staff)
    assert escape(claim.parent_text) in section(parent)
    assert escape(claim.clinician_text) not in section(parent)


def test_another_organisation_gets_the_same_body_from_the_cache(
    client: HttpClient, clinic: Clinic, outsider: Clinic, renders: list[str]
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    mine = get(client)
    client.force_login(outsider.user(Role.THERAPIST))
    theirs = get(client)
    assert len(renders) == 2  # content, not the organisation's data: one body for both
    assert "Sunrise clinic" in mine
    assert "Sunrise clinic" not in theirs  # the frame (the organisation's name) is each person's own
    assert "Other clinic" in theirs


@pytest.mark.parametrize("language", ["es", "ar"])
def test_each_language_has_its_own_body(
    client: HttpClient, clinic: Clinic, renders: list[str], language: str
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    english = get(client, "en-gb")
    shown = get(client, language)
    assert len(renders) == 4  # a body per language
    name = catalogue(language).entry("library", "protocols", PROTOCOL, "name")
    assert name is not None
    assert name.text in shown.replace("&#x27;", "'")
    assert name.text not in english.replace("&#x27;", "'")
    with translation.override(language):
        areas = translation.gettext("Areas worked")
    assert areas != "Areas worked"
    assert f"<h2>{areas}</h2>" in shown  # the template's own words are in the language too
    assert "<h2>Areas worked</h2>" in english
    assert "<h2>Areas worked</h2>" not in shown
    assert without_tokens(get(client, "en-gb")) == without_tokens(english)  # English again from the cache
    assert len(renders) == 4


def test_a_cached_body_equals_a_fresh_one_in_each_language(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    for language in ("en-gb", "es", "ar"):
        cached = [get(client, language), get(client, language)][1]
        cache.clear()
        fresh = get(client, language)
        assert without_tokens(cached) == without_tokens(fresh), language


def body_key(language: str, organisation: Any = None) -> str:
    with translation.override(language):
        lib = display_library(organisation)
        version = f"{lib.version.label}+{lib.version.sha256}"
        return views.protocol_body_key(
            PROTOCOL, version, with_original=views.english_beside_unreviewed(organisation)
        )


def test_the_key_names_everything_the_body_depends_on(clinic: Clinic) -> None:
    lib = default_library()
    version = f"{lib.version.label}+{lib.version.sha256}"
    assert version in body_key("en-gb")
    assert body_key("en-gb") != body_key("es") != body_key("ar")
    assert catalogue("es").sha256[:16] in body_key("es")
    with translation.override("es"):
        on = views.protocol_body_key(PROTOCOL, version, with_original=True)
        off = views.protocol_body_key(PROTOCOL, version, with_original=False)
        assert on != off
        assert views.protocol_body_key(PROTOCOL, "2099.1+" + "0" * 64, with_original=True) != on
        assert views.protocol_body_key("iaim_first_week", version, with_original=True) != on
    with translation.override("en-gb"):
        # English has no translated safety text to put an original beside: one body for both settings.
        on = views.protocol_body_key(PROTOCOL, version, with_original=True)
        assert on == views.protocol_body_key(PROTOCOL, version, with_original=False)


def test_the_organisations_setting_changes_the_key_in_a_translated_language(clinic: Clinic) -> None:
    before = body_key("es", clinic.org)
    services.translation_policy_save(actor=clinic.actor(Role.ADMIN), english_beside_unreviewed=False)
    clinic.org.refresh_from_db()
    after = body_key("es", clinic.org)
    assert before != after
    assert before.replace("with-original", "plain") == after


def test_a_new_content_version_renders_the_new_content(renders: list[str]) -> None:
    """A changed library (another version) never gets the old version's body."""
    lib = default_library()
    item = lib.protocols[PROTOCOL]
    with translation.override("en-gb"):
        old_body, _ = views.protocol_body(lib, item, with_original=True)
        changed_item = item.model_copy(update={"name": "A renamed programme"})
        changed = dataclasses.replace(
            lib,
            version=dataclasses.replace(lib.version, sha256="f" * 64),
            protocols={**lib.protocols, PROTOCOL: changed_item},
        )
        new_body, _ = views.protocol_body(changed, changed_item, with_original=True)
        again, _ = views.protocol_body(lib, item, with_original=True)
    assert "<h1>A renamed programme</h1>" in new_body
    assert "<h1>A renamed programme</h1>" not in old_body
    assert again == old_body  # the old version's body is still its own
    assert len(renders) == 4  # two renders for each version, none for the third call


def test_the_body_reads_nothing_from_the_database(client: HttpClient, clinic: Clinic) -> None:
    """The page's queries are the person's (session, user, membership), the evidence section's and none for
    the body, cached or not: the body holds content only."""
    client.force_login(clinic.user(Role.THERAPIST))
    get(client)  # the session's first request (it is pushed forward once)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        get(client)
    with CaptureQueriesContext(connection) as warm:
        get(client)
    assert len(cold) == len(warm)
    assert len(warm) == 3  # session, user and membership
