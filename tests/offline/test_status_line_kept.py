"""The status line's settings keep their per-language parts for the process (issue 11: the page frame's
cost); what they hold is still what is worked out afresh, in each language, and the person's own parts
(their id, a parent's children) are never kept."""

import base64
import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from kneadwell.accounts.roles import Role
from kneadwell.offline.templatetags import offline_tags
from kneadwell.offline.words import offline_words
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def _config(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="kw-offline-config" type="application/json">(.*?)</script>', page, re.S)
    assert found
    config = dict(json.loads(found.group(1)))
    config["words"] = json.loads(base64.b64decode(config["words"]))
    return config


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_kept_settings_are_the_fresh_ones_in_each_language(
    client: HttpClient, clinic: Clinic, language: str
) -> None:
    offline_tags._FIXED.clear()
    client.force_login(clinic.user(Role.THERAPIST))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    first = _config(client.get(reverse("accounts:tokens")).content.decode())
    kept = _config(client.get(reverse("accounts:tokens")).content.decode())
    assert first == kept
    with translation.override(language):
        assert kept["words"] == offline_words()
        assert kept["sync_url"] == reverse("api:sync")
    assert kept["language"] == ("en" if language.startswith("en") else language)


def test_each_person_gets_their_own_id_from_the_kept_settings(client: HttpClient, clinic: Clinic) -> None:
    seen = []
    for role in (Role.THERAPIST, Role.ADMIN):
        client.force_login(clinic.user(role))
        seen.append(_config(client.get(reverse("accounts:tokens")).content.decode())["user"])
    assert seen == [clinic.user(Role.THERAPIST).pk, clinic.user(Role.ADMIN).pk]
