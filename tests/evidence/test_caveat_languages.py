"""Evidence claims' caveats in the page's language (docs/languages.md, "Clinical content"): the claim's
page, the evidence index and the protocol page's evidence section show a parent each caveat in Spanish or
Arabic, translated as data beside the English; the claim itself (its grading, its studies, the English
caveats the API and the clinician read) is left as the content has it.

Some caveats are safety advice ("Never stop or reduce asthma medication"), so while the caveats file is not
reviewed each translated caveat is shown with its English original beside it, as a rule's unreviewed
safety texts are ("Unreviewed safety texts"): the same organisation setting, on by default, switches it
off; an English page is unchanged."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.evidence.library import load_evidence
from kneadwell.library import localise, services
from kneadwell.library.localise import catalogue
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db
SHIPPED = ("es", "ar")
# The claim page's caveats card, an evidence index entry's and the protocol section's caveat lists.
_CARD = re.compile(r'<section class="card" aria-labelledby="caveats-h">(.*?)</section>')
_LISTS = re.compile(r'<ul class="caveats small"[^>]*>(.*?)</ul>')
# One caveat with its original: the translation in the page's language, then the English, isolated.
_BILINGUAL = re.compile(
    r'<li><span lang="(?P<lang>[a-z]+)">(?P<text>[^<]*)</span><br><small class="original-text">'
    r'(?P<label>[^<]*): <bdi lang="en" dir="ltr">(?P<original>[^<]*)</bdi></small></li>'
)


def _html(client: HttpClient, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", response.content.decode())


def _text(client: HttpClient, url: str, language: str) -> str:
    return html.unescape(_html(client, url, language))


def _caveats(language: str, claim_id: str) -> list[str]:
    claim = load_evidence().claims[claim_id]
    found = catalogue(language)
    out = []
    for n in range(1, len(claim.caveats) + 1):
        entry = found.entry("evidence", "claims", claim_id, f"caveats.{n}")
        assert entry is not None, (language, claim_id, n)
        out.append(entry.text)
    return out


def _beside(language: str) -> str:
    info = catalogue(language).info
    return f"{info.original_label} ({info.unreviewed_note})"


def _pairs(block: str) -> list[tuple[str, str, str, str]]:
    """Each caveat of a list as (its language, translation, label, English original), unescaped; fails on
    a caveat shown otherwise."""
    items = re.findall(r"<li>.*?</li>", block)
    assert items
    out = []
    for li in items:
        found = _BILINGUAL.fullmatch(li)
        assert found, li
        out.append(
            (found["lang"], *(html.unescape(found[k]) for k in ("text", "label", "original")))  # type: ignore[misc]
        )
    return out


def _switch_off(clinic: Clinic) -> None:
    services.translation_policy_save(actor=clinic.actor(Role.ADMIN), english_beside_unreviewed=False)


@pytest.mark.parametrize("language", SHIPPED)
def test_a_claims_caveats_read_in_the_parents_language_with_the_english_beside(
    client: HttpClient, clinic: Clinic, language: str
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    claim = load_evidence().claims["term_crying"]
    url = reverse("evidence:claim", args=[claim.id])
    page = _html(client, url, language)
    card = _CARD.search(page)
    assert card
    # every caveat, in order: the draft translation, then the English original introduced in the page's
    # language and isolated as English (<bdi>), so that in Arabic neither reorders the other
    expected = [
        (language, translated, _beside(language), original)
        for translated, original in zip(_caveats(language, claim.id), claim.caveats, strict=True)
    ]
    assert _pairs(card.group(1)) == expected
    # the safety advice too ("Never stop or reduce asthma medication")
    asthma = load_evidence().claims["child_asthma_lung_function"]
    assert asthma.caveats[0].startswith("Never stop or reduce asthma medication")
    card = _CARD.search(_html(client, reverse("evidence:claim", args=[asthma.id]), language))
    assert card
    assert _pairs(card.group(1))[0][1:] == (
        _caveats(language, asthma.id)[0],
        _beside(language),
        asthma.caveats[0],
    )
    # the content is left in English
    assert load_evidence().claims["term_crying"].caveats == claim.caveats
    assert claim.caveats[0].startswith("Excessive crying can have medical causes")


@pytest.mark.parametrize("language", SHIPPED)
def test_the_evidence_index_shows_each_caveat_with_its_english(
    client: HttpClient, clinic: Clinic, language: str
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    claims = load_evidence().claims
    page = _html(client, reverse("evidence:index"), language)
    shown = [pair for block in _LISTS.findall(page) for pair in _pairs(block)]
    english = {c.id: c.caveats for c in claims.values()}
    pairs = {
        (t, o)
        for cid, originals in english.items()
        for t, o in zip(_caveats(language, cid), originals, strict=True)
    }
    assert len(shown) >= len(claims["term_sleep"].caveats)
    for lang, translated, label, original in shown:
        assert (lang, label) == (language, _beside(language))
        assert (translated, original) in pairs, translated
    assert (_caveats(language, "term_sleep")[0], claims["term_sleep"].caveats[0]) in {
        (t, o) for _l, t, _b, o in shown
    }


@pytest.mark.parametrize("language", SHIPPED)
def test_the_protocol_pages_evidence_section_shows_each_caveat_with_its_english(
    client: HttpClient, clinic: Clinic, language: str
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    page = _html(client, reverse("library:protocol", args=["iaim_first_week"]), language)
    section = page[page.index('id="ev-claims-h"') :]
    shown = [pair for block in _LISTS.findall(section) for pair in _pairs(block)]
    assert shown, "the section lists caveats"
    claims = load_evidence().claims.values()
    pairs = {(t, o) for c in claims for t, o in zip(_caveats(language, c.id), c.caveats, strict=True)}
    for lang, translated, label, original in shown:
        assert (lang, label) == (language, _beside(language))
        assert (translated, original) in pairs, translated


@pytest.mark.parametrize("language", SHIPPED)
def test_the_organisation_can_switch_the_english_off(
    client: HttpClient, clinic: Clinic, language: str
) -> None:
    _switch_off(clinic)
    client.force_login(clinic.user(Role.CAREGIVER))
    claims = load_evidence().claims
    english = {cv for c in claims.values() for cv in c.caveats}
    translated = {cv for c in claims.values() for cv in _caveats(language, c.id)}
    claim = claims["term_crying"]
    page = _text(client, reverse("evidence:claim", args=[claim.id]), language)
    for original, shown in zip(claim.caveats, _caveats(language, claim.id), strict=True):
        assert original not in page
        assert f"<li>{shown}</li>" in page
    assert "original-text" not in page
    for url in (reverse("evidence:index"), reverse("library:protocol", args=["iaim_first_week"])):
        page = _html(client, url, language)
        assert "original-text" not in page, url
        items = [
            html.unescape(li) for block in _LISTS.findall(page) for li in re.findall(r"<li>(.*?)</li>", block)
        ]
        assert items, url
        for item in items:
            assert item in translated, item
            assert item not in english, item


def test_english_pages_are_unchanged(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    claim = load_evidence().claims["term_crying"]
    urls = [
        reverse("evidence:claim", args=[claim.id]),
        reverse("evidence:index"),
        reverse("library:protocol", args=["iaim_first_week"]),
    ]
    on = {url: _html(client, url, "en-GB") for url in urls}
    card = _CARD.search(on[urls[0]])
    assert card
    assert [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", card.group(1))] == list(claim.caveats)
    for url, page in on.items():
        assert "original-text" not in page, url
        assert _caveats("es", claim.id)[0] not in html.unescape(page)
    _switch_off(clinic)
    for url in urls:
        # the setting changes nothing in English (the CSRF tokens, 64 characters, aside)
        strip = re.compile(r"\b[A-Za-z0-9]{64}\b")
        assert strip.sub("", _html(client, url, "en-GB")) == strip.sub("", on[url]), url


def test_a_reviewed_caveats_file_is_shown_without_the_english(
    client: HttpClient, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = catalogue("es")
    reviewed = {
        key: dataclasses.replace(entry, file=dataclasses.replace(entry.file, review="reviewed"))
        if key[:2] == ("evidence", "claims")
        else entry
        for key, entry in found.entries.items()
    }
    monkeypatch.setattr(localise, "catalogue", lambda language: dataclasses.replace(found, entries=reviewed))
    client.force_login(clinic.user(Role.CAREGIVER))
    claim = load_evidence().claims["term_crying"]
    page = _text(client, reverse("evidence:claim", args=[claim.id]), "es")
    for original, shown in zip(claim.caveats, _caveats("es", claim.id), strict=True):
        assert f"<li>{shown}</li>" in page
        assert original not in page
    assert "original-text" not in page
