"""The printable page and the PDF download: what each version shows, who may have which, tenancy, bad
query values, and the client page's Reports card."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.evidence import selectors as evidence
from kwtest.people import Clinic, make_client

from .programme import Programme, make_programme, version_query

pytestmark = pytest.mark.django_db

CLINICIAN_ONLY_IDS = ("client-h", "consent-h", "sessions-h", "ae-h", "in-error-h", "outcomes-h", "sources-h")
PARENT_ONLY_IDS = ("done-h", "responded-h", "next-h", "help-h")


def page_url(client_id: int) -> str:
    return reverse("reports:page", args=[client_id])


def pdf_url(client_id: int) -> str:
    return reverse("reports:pdf", args=[client_id])


def test_the_clinician_page_shows_the_whole_record_with_charts(
    client: HttpClient, clinic: Clinic, programme: Programme
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    response = client.get(page_url(programme.client.pk) + version_query("clinician"))
    assert response.status_code == 200
    html = response.content.decode()
    for section in CLINICIAN_ONLY_IDS:
        assert f'id="{section}"' in html, section
    for section in PARENT_ONLY_IDS:
        assert f'id="{section}"' not in html, section
    assert html.count("<svg") >= 4  # weight, length, head circumference, NIPS: the pages' own SVGs
    assert "Exponential model (Patel)" in html
    assert "Weighed with the blanket" in html
    assert "bradycardia: Slow heart rate" in html
    assert 'href="' + pdf_url(programme.client.pk) + "?version=clinician" in html
    assert "Parent version" in html  # the switch to the other version


def test_the_parent_page_has_no_clinician_sections_and_honest_certainty(
    client: HttpClient, clinic: Clinic, programme: Programme
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    response = client.get(page_url(programme.client.pk))  # the parent version is the default
    assert response.status_code == 200
    html = response.content.decode()
    for section in PARENT_ONLY_IDS:
        assert f'id="{section}"' in html, section
    for section in CLINICIAN_ONLY_IDS:
        assert f'id="{section}"' not in html, section
    for word in ("SDS", "GRADE", "Exponential", "Weighed with the blanket", "Clinician version"):
        assert word not in html, word
    shown = re.findall(r'data-claim="([a-z0-9_]+)".*?data-certainty="([a-z_]+)"', html, flags=re.S)
    library = evidence.library()
    assert shown
    for claim_id, certainty in shown:
        assert certainty == library.claims[claim_id].certainty  # never more certain than the library says


def test_the_pdf_downloads_as_an_attachment_that_is_not_cached(
    client: HttpClient, clinic: Clinic, programme: Programme
) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    response = client.get(pdf_url(programme.client.pk) + version_query("clinician", programme.plan))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"-plan-{programme.plan.pk}-clinician-" in disposition
    assert response.content.startswith(b"%PDF-")
    event = AuditEvent.objects.filter(entity="report").latest("id")
    assert event.changes == {"version": "clinician", "plan": programme.plan.pk, "format": "pdf"}


def test_a_caregiver_gets_the_parent_version_of_their_own_child_only(
    client: HttpClient, clinic: Clinic, programme: Programme
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    own = programme.client.pk
    assert client.get(page_url(own) + version_query("parent")).status_code == 200
    assert client.get(pdf_url(own) + version_query("parent")).status_code == 200
    refused = client.get(page_url(own) + version_query("clinician"))
    assert refused.status_code == 403
    assert "clinical team" in refused.content.decode()
    assert client.get(pdf_url(own) + version_query("clinician")).status_code == 403
    assert clinic.other_client is not None
    assert client.get(page_url(clinic.other_client.pk)).status_code == 404
    assert client.get(pdf_url(clinic.other_client.pk)).status_code == 404
    assert not AuditEvent.objects.filter(entity="report", changes__version="clinician").exists()


def test_another_organisations_client_and_plan_are_not_found(
    client: HttpClient, clinic: Clinic, outsider: Clinic, programme: Programme
) -> None:
    assert outsider.client is not None
    theirs = make_programme(outsider, outsider.client, sessions=2, weights=3)
    client.force_login(clinic.user(Role.THERAPIST))
    assert client.get(page_url(outsider.client.pk)).status_code == 404
    assert client.get(pdf_url(outsider.client.pk) + version_query("clinician")).status_code == 404
    # Their plan under our client's URL is no plan of this client.
    assert client.get(page_url(programme.client.pk) + f"?plan={theirs.plan.pk}").status_code == 404
    assert client.get(pdf_url(programme.client.pk) + f"?plan={theirs.plan.pk}").status_code == 404


@pytest.mark.parametrize(
    ("query", "status"),
    [("?version=doctor", 400), ("?plan=abc", 404), ("?plan=0", 404), ("?plan=99999999999999999999", 404)],
)
def test_bad_query_values_get_a_plain_answer(
    client: HttpClient, clinic: Clinic, programme: Programme, query: str, status: int
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    for url in (page_url(programme.client.pk), pdf_url(programme.client.pk)):
        response = client.get(url + query)
        assert response.status_code == status, url
    if status == 400:
        assert "Choose the parent or the clinician version" in response.content.decode()


def test_the_client_page_has_a_reports_card_for_those_who_may_have_reports(
    client: HttpClient, clinic: Clinic, programme: Programme
) -> None:
    detail = reverse("clients:detail", args=[programme.client.pk])
    client.force_login(clinic.user(Role.THERAPIST))
    html = client.get(detail).content.decode()
    assert 'id="reports-h"' in html
    assert 'value="clinician"' in html
    assert f'<option value="{programme.plan.pk}">' in html
    client.force_login(clinic.user(Role.CAREGIVER))
    html = client.get(detail).content.decode()
    assert 'id="reports-h"' in html
    assert 'value="clinician"' not in html
    client.force_login(clinic.user(Role.INSTRUCTOR))  # sees the client, holds no report.view
    html = client.get(detail).content.decode()
    assert 'id="reports-h"' not in html


def test_an_adult_without_growth_data_gets_a_page_without_a_growth_section(
    client: HttpClient, clinic: Clinic
) -> None:
    adult = make_client(clinic.actor(Role.THERAPIST), born_days_ago=30 * 365, weeks=None, days=None)
    client.force_login(clinic.user(Role.THERAPIST))
    html = client.get(page_url(adult.pk) + version_query("clinician")).content.decode()
    assert 'id="growth-h"' not in html
    assert "None recorded." in html  # adverse events


def test_names_in_the_printed_footer_cannot_break_out_of_the_style_element(
    client: HttpClient, clinic: Clinic, programme: Programme
) -> None:
    clinic.org.name = 'Clinic "A" \\ </style><script>alert(1)</script>\nnext'
    clinic.org.save()
    client.force_login(clinic.user(Role.THERAPIST))
    html = client.get(page_url(programme.client.pk)).content.decode()
    style = re.search(r"<style>(.*?)</style>", html, flags=re.S)
    assert style is not None
    assert "<script>" not in style.group(1)
    assert '\\"A\\" \\\\ \\3c /style>' in style.group(1)
    assert "\n" not in style.group(1)
    assert "<script>alert(1)" not in html
