"""The evidence pages: every claim with its certainty in words, never more certain than the library."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape

from kneadwell.accounts.roles import Role
from kneadwell.core.setup import load_content
from kneadwell.evidence.library import CATEGORIES, CERTAINTY_ORDER, load_evidence
from kneadwell.evidence.models import EvidenceContentRecord
from kneadwell.evidence.selectors import CERTAINTY_WORDS
from kneadwell.evidence.sync import sync
from kwtest.evidence import certainties, claim_blocks
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db
LIB = load_evidence()


def page(client: HttpClient, clinic: Clinic, url: str, role: Role = Role.CAREGIVER) -> str:
    client.force_login(clinic.user(role))
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_index_shows_every_supported_claim_with_its_certainty_and_reason(
    client: HttpClient, clinic: Clinic
) -> None:
    html = page(client, clinic, reverse("evidence:index"))
    blocks = claim_blocks(html)
    for claim in LIB.claims.values():
        if claim.evidence == "no_evidence_found":
            continue
        mine = [b for b in blocks if f'/evidence/claims/{claim.id}/"' in b]
        assert len(mine) == 1, claim.id
        assert certainties(mine[0]) == [claim.certainty], claim.id
        assert CERTAINTY_WORDS[claim.certainty] in mine[0]
        assert "Why this certainty" in mine[0]
        for study in LIB.studies_for_claim(claim.id):
            assert f"/evidence/studies/{study.id}/" in mine[0]


def test_the_index_groups_claims_under_the_four_benefit_categories(
    client: HttpClient, clinic: Clinic
) -> None:
    html = page(client, clinic, reverse("evidence:index"))
    positions = [html.index(f'id="g-{cat}"') for cat in CATEGORIES]
    assert positions == sorted(positions)
    by_population = page(client, clinic, reverse("evidence:index") + "?group=population")
    assert 'id="g-infant-preterm"' in by_population
    assert "<h3>Asthma</h3>" in by_population


def test_the_unsupported_claims_are_listed_in_a_parents_words(client: HttpClient, clinic: Clinic) -> None:
    html = page(client, clinic, reverse("evidence:index"))
    section = html[html.index('id="unsupported"') :]
    for claim in LIB.claims.values():
        if claim.evidence == "no_evidence_found":
            assert escape(claim.parent_text) in section
    assert "no study found" in section
    assert escape(LIB.excluded[0].reason) in section


def test_filters_narrow_the_claims_and_an_unknown_code_is_ignored(client: HttpClient, clinic: Clinic) -> None:
    html = page(client, clinic, reverse("evidence:index") + "?population=child&condition=asthma")
    assert "/evidence/claims/child_asthma_lung_function/" in html
    assert "/evidence/claims/preterm_weight_gain/" not in html
    assert "/evidence/claims/child_autism_attention/" not in html
    everything = page(client, clinic, reverse("evidence:index") + "?population=martian&condition=%00")
    assert "/evidence/claims/preterm_weight_gain/" in everything


@pytest.mark.parametrize("claim_id", sorted(LIB.claims))
def test_no_claim_page_shows_more_certainty_than_the_library(
    client: HttpClient, clinic: Clinic, claim_id: str
) -> None:
    claim = LIB.claim(claim_id)
    html = page(client, clinic, reverse("evidence:claim", args=[claim_id]))
    shown = certainties(html)
    assert shown
    assert set(shown) == {claim.certainty}
    rank = CERTAINTY_ORDER.index(claim.certainty)
    for higher in CERTAINTY_ORDER[rank + 1 :]:
        # "very low certainty" contains "low certainty": only a higher level on its own counts
        assert not re.search(rf"(?<!very ){CERTAINTY_WORDS[higher]}", html, re.IGNORECASE), higher
    assert escape(claim.grade.reason) in html
    assert escape(claim.parent_text) in html
    assert escape(claim.clinician_text) in html
    for step in claim.grade.downgrades:
        assert escape(step.reason) in html
    for finding in LIB.findings_for_claim(claim_id):
        assert f"/evidence/studies/{finding.study}/" in html


def test_a_claim_page_shows_the_grade_steps_and_the_ceiling(client: HttpClient, clinic: Clinic) -> None:
    html = page(client, clinic, reverse("evidence:claim", args=["preterm_weight_gain"]), Role.THERAPIST)
    assert "Starting level: high." in html
    assert "Rated down 2 levels for risk of bias." in html
    assert "Ceiling for this outcome:" in html
    assert "may be graded above “low”" in html
    assert "MD 5.1 (95% CI 3.5 to 6.7) g/day" in html
    assert "“mean 25 versus 17 g/day (47% greater weight gain per day)”" in html


def test_a_study_page_shows_risk_of_bias_limitations_and_an_honest_unverified_note(
    client: HttpClient, clinic: Clinic
) -> None:
    unverified = next(s for s in LIB.studies.values() if not s.verified)
    html = page(client, clinic, reverse("evidence:study", args=[unverified.id]))
    assert "Not fully checked." in html
    assert escape(unverified.verification_note) in html
    assert escape(unverified.risk_of_bias.reason) in html
    for limitation in unverified.limitations:
        assert escape(limitation) in html
    verified = LIB.study("vickers_2004_cochrane")
    html = page(client, clinic, reverse("evidence:study", args=[verified.id]))
    assert "Not fully checked." not in html
    assert "https://doi.org/" in html
    assert "/evidence/claims/preterm_weight_gain/" in html


def test_unknown_claims_and_studies_are_not_found(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.RESEARCHER))
    assert client.get(reverse("evidence:claim", args=["no_such_claim"])).status_code == 404
    assert client.get(reverse("evidence:study", args=["no_such_study"])).status_code == 404


def test_the_navigation_links_to_the_evidence(client: HttpClient, clinic: Clinic) -> None:
    html = page(client, clinic, reverse("evidence:pool"), Role.ASSESSOR)
    assert f'href="{reverse("evidence:index")}" aria-current="page"' in html


# --- sections on other pages ---------------------------------------------------------------------------
def test_a_protocol_page_lists_its_claims_with_certainty_and_caveats(
    client: HttpClient, clinic: Clinic
) -> None:
    html = page(client, clinic, reverse("library:protocol", args=["preterm_tks_10d"]), Role.THERAPIST)
    section = html[html.index('id="ev-claims-h"') :]
    claim = LIB.claim("preterm_weight_gain")
    assert escape(claim.clinician_text) in section
    assert escape(claim.caveats[0]) in section
    assert "/evidence/claims/preterm_weight_gain/" in section
    for block in claim_blocks(section):
        ids = [c for c in LIB.claims if f"/evidence/claims/{c}/" in block]
        assert certainties(block) == [LIB.claim(ids[0]).certainty]


def test_a_protocol_without_supported_claims_says_so(client: HttpClient, clinic: Clinic) -> None:
    html = page(client, clinic, reverse("library:protocol", args=["constipation_relief"]))
    assert "No claims about this routine are supported by studies we hold." in html
    face = page(client, clinic, reverse("library:protocol", args=["face_relief"]))
    assert "No claims about this routine are supported by studies we hold." in face
    assert escape(LIB.claim("congestion_and_mucus").parent_text) in face


def test_a_parent_sees_what_the_evidence_says_about_their_preterm_baby_in_plain_words(
    client: HttpClient, clinic: Clinic
) -> None:
    assert clinic.client is not None  # born at 30+2 weeks, 40 days old: the preterm population
    html = page(client, clinic, reverse("clients:detail", args=[clinic.client.pk]))
    section = html[html.index('id="evidence-h"') :]
    claim = LIB.claim("preterm_weight_gain")
    assert escape(claim.parent_text) in section
    assert escape(claim.clinician_text) not in section
    for block in claim_blocks(section):
        ids = [c for c in LIB.claims if f"/evidence/claims/{c}/" in block]
        assert len(ids) == 1
        assert certainties(block) == [LIB.claim(ids[0]).certainty]
    assert "term_sleep" not in section


def test_a_therapist_sees_the_clinician_wording_for_a_child_with_asthma(
    client: HttpClient, clinic: Clinic
) -> None:
    child = make_client(
        clinic.actor(Role.THERAPIST), born_days_ago=8 * 365, weeks=None, days=None, conditions=["asthma"]
    )
    html = page(client, clinic, reverse("clients:detail", args=[child.pk]), Role.THERAPIST)
    section = html[html.index('id="evidence-h"') :]
    assert escape(LIB.claim("child_asthma_lung_function").clinician_text) in section
    assert escape(LIB.claim("child_anxiety").clinician_text) in section
    assert "preterm_weight_gain" not in section


# --- loading -------------------------------------------------------------------------------------------
def test_sync_records_the_content_version_once() -> None:
    first = sync()
    again = sync()
    assert "recorded" in first
    assert "already" not in first
    assert "already recorded" in again
    record = EvidenceContentRecord.objects.get()
    assert record.content_version == LIB.content_version
    assert (record.studies, record.findings, record.claims) == (
        len(LIB.studies),
        len(LIB.findings),
        len(LIB.claims),
    )
    assert any(line.startswith("Evidence library") for line in load_content())
    assert EvidenceContentRecord.objects.count() == 1
