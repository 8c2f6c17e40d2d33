"""Evidence claims' caveats in the page's language (docs/languages.md, "Clinical content"): the claim's
page, the evidence index and the protocol page's evidence section show a parent each caveat in Spanish or
Arabic, translated as data beside the English; the claim itself (its grading, its studies, the English
caveats the API and the clinician read) is left as the content has it."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.evidence.library import load_evidence
from kneadwell.library.localise import catalogue
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db
SHIPPED = ("es", "ar")


def _text(client: HttpClient, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def _caveats(language: str, claim_id: str) -> list[str]:
    claim = load_evidence().claims[claim_id]
    found = catalogue(language)
    out = []
    for n in range(1, len(claim.caveats) + 1):
        entry = found.entry("evidence", "claims", claim_id, f"caveats.{n}")
        assert entry is not None, (language, claim_id, n)
        out.append(entry.text)
    return out


@pytest.mark.parametrize("language", SHIPPED)
def test_a_claims_caveats_read_in_the_parents_language(
    client: HttpClient, clinic: Clinic, language: str
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    claim = load_evidence().claims["term_crying"]
    url = reverse("evidence:claim", args=[claim.id])
    english = _text(client, url, "en-GB")
    page = _text(client, url, language)
    for original, translated in zip(claim.caveats, _caveats(language, claim.id), strict=True):
        assert original in english
        assert original not in page
        assert translated in page
    # the evidence index lists the claims with their caveats too
    index = _text(client, reverse("evidence:index"), language)
    assert _caveats(language, "term_sleep")[0] in index
    assert load_evidence().claims["term_sleep"].caveats[0] not in index
    # the content is left in English
    assert load_evidence().claims["term_crying"].caveats == claim.caveats
    assert claim.caveats[0].startswith("Excessive crying can have medical causes")


@pytest.mark.parametrize("language", SHIPPED)
def test_the_protocol_pages_evidence_section_shows_translated_caveats(
    client: HttpClient, clinic: Clinic, language: str
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    page = _text(client, reverse("library:protocol", args=["iaim_first_week"]), language)
    section = page[page.index('id="ev-claims-h"') :]
    shown = re.findall(r'<ul class="caveats small"[^>]*>(.*?)</ul>', section)
    assert shown, "the section lists caveats"
    claims = load_evidence().claims.values()
    english = {cv for c in claims for cv in c.caveats}
    translated = {cv for c in claims for cv in _caveats(language, c.id)}
    items = [
        re.sub(r"<[^>]+>", "", li).strip() for block in shown for li in re.findall(r"<li>(.*?)</li>", block)
    ]
    assert items
    for item in items:
        assert item not in english, item
        assert item in translated, item
