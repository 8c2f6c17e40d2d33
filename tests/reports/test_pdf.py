"""The PDF itself: it parses, carries the key figures in text (velocity method, adherence, certainty,
names with letters outside ASCII, symbols such as SpO₂ and ≥), embeds DejaVu rather than a core font,
numbers its pages, and the parent version holds none of the clinician-only sections."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pytest

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Session
from kneadwell.reports import services
from kneadwell.reports.content import Version
from kwtest.people import Clinic

from .programme import Programme

pytestmark = pytest.mark.django_db


def pdf_text(body: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def flat(text: str) -> str:
    """Extracted text with line breaks as spaces (wrapped lines join again)."""
    return " ".join(text.split())


def test_the_clinician_pdf_carries_the_key_figures_in_text(clinic: Clinic, programme: Programme) -> None:
    Session.objects.filter(pk=programme.stopped.pk).update(
        stop_check="desaturation", stop_reason="Oxygen low: SpO₂ 84% for ≥ 20 s"
    )
    report, body = services.report_pdf(
        actor=clinic.actor(Role.THERAPIST), client_id=programme.client.pk, version="clinician"
    )
    assert body.startswith(b"%PDF-")
    text, reader = pdf_text(body)
    words = flat(text)
    assert "Zoë Ødegård" in words
    assert "SpO₂ 84% for ≥ 20 s" in words
    assert "Exponential model (Patel)" in words
    plan = report.plans[0].adherence
    assert plan.percent_of_plan is not None
    assert f"{plan.done} of {plan.planned_total} scheduled ({plan.percent_of_plan:.0f}% of the plan)" in words
    assert "low certainty (GRADE)" in words
    assert "Weighed with the blanket" in words  # the entry in error, listed as left out
    assert "Weight (UK-WHO, girls)" in words  # the chart's own title, drawn as text from the SVG
    pages = len(reader.pages)
    assert pages > 2
    assert f"Page 1 of {pages}" in words
    assert f"Page {pages} of {pages}" in words
    assert report.organisation in words
    fonts = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        fonts |= {str(font.get_object()["/BaseFont"]) for font in resources["/Font"].values()}
    assert fonts
    assert all("DejaVuSans" in name for name in fonts), fonts


def test_the_parent_pdf_is_in_plain_words_without_the_clinician_sections(
    clinic: Clinic, programme: Programme
) -> None:
    report, body = services.report_pdf(
        actor=clinic.actor(Role.CAREGIVER), client_id=programme.client.pk, version="parent"
    )
    words = flat(pdf_text(body)[0])
    for shown in (
        "What was done",
        "How Zoë responded",
        "Coming up",
        "Growth",
        "What the studies say",
        "When to stop, and when to call for help",
        "low certainty",
        "Zoë gained about",
    ):
        assert shown in words, shown
    for hidden in (
        "SDS",
        "GRADE",
        "Consent",
        "Sources",
        "entered in error",
        "Exponential",
        "Adherence",
        "bradycardia:",
        "Content version",
        "Weighed with the blanket",
    ):
        assert hidden not in words, hidden
    assert "centile" in words  # the growth in words
    for claim in report.evidence.supported:
        assert claim.certainty_words.capitalize() in words


def test_a_report_with_no_plan_and_no_measurement_still_renders(clinic: Clinic) -> None:
    assert clinic.other_client is not None
    versions: tuple[Version, ...] = ("parent", "clinician")
    for version in versions:
        _, body = services.report_pdf(
            actor=clinic.actor(Role.ADMIN),
            client_id=clinic.other_client.pk,
            version=version,
        )
        words = flat(pdf_text(body)[0])
        assert "Leo" in words
        assert "Page 1 of" in words


def test_a_long_organisation_name_is_cut_before_the_page_number(clinic: Clinic, programme: Programme) -> None:
    clinic.org.name = "The Very Long Named Regional Neonatal Intensive Care and Family Integrated Care Unit"
    clinic.org.save()
    _, body = services.report_pdf(
        actor=clinic.actor(Role.THERAPIST), client_id=programme.client.pk, version="parent"
    )
    first = pdf_text(body)[1].pages[0].extract_text()
    footer = next(line for line in first.splitlines() if line.startswith("Generated"))
    assert re.search(r"for The Very Long Named .*… Page 1 of \d+$", footer), footer
