"""The clinician's report shows goal attainment across goals: the GAS T-score at the start and now, each
goal, and the formula with its sources, on the printable page and in the PDF alike."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pypdf
import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.outcomes import services as outcomes
from kneadwell.reports import services
from kwtest.people import Clinic, make_client

from .programme import version_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(clinic: Clinic) -> Any:
    """An adult after a stroke with three goals: equal weights, each at -1 at the start; now +1, 0, -1."""
    therapist = clinic.actor(Role.THERAPIST)
    adult = make_client(therapist, born_days_ago=365 * 70, weeks=None, days=None, birth_weight_g=None)
    start = timezone.now() - dt.timedelta(days=30)
    for goal, now in (("Walk to the shop", 1), ("Dress alone", 0), ("Cut up food", -1)):
        for when, level in ((start, -1), (timezone.now() - dt.timedelta(hours=2), now)):
            outcomes.measurement_record(
                actor=therapist,
                client=adult,
                instrument_id="goal_attainment",
                answers={"level": level, "goal": goal},
                taken_at=when,
                context="baseline" if when == start else "session",
            )
    return adult


# Three goals, weight 1: √(0.7·3 + 0.3·9) = √4.8 = 2.190890. Start: Σx = -3 → 50 − 30 / 2.190890 = 36.31.
# Now: Σx = 0 → 50.0; the change +13.69.
START, NOW, CHANGE = "36.3", "50.0", "+13.7"


def test_the_clinician_page_shows_the_t_score_with_its_formula_and_sources(
    client: HttpClient, clinic: Clinic, person: Any
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    html = client.get(reverse("reports:page", args=[person.pk]) + version_query("clinician")).content.decode()
    assert "GAS T-score across 3 goals" in html
    assert START in html
    assert f"{NOW} ({CHANGE})" in html
    for goal in ("Walk to the shop", "Dress alone", "Cut up food"):
        assert goal in html
    assert "ρ = 0.3" in html
    assert "GAS-KS-1968: Kiresuk &amp; Sherman 1968" in html
    assert "GAS-TS-2009" in html


def test_the_pdf_carries_the_same_t_scores(clinic: Clinic, person: Any) -> None:
    _, body = services.report_pdf(
        actor=clinic.actor(Role.THERAPIST), client_id=person.pk, version="clinician"
    )
    reader = pypdf.PdfReader(io.BytesIO(body))
    words = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "GAS T-score across 3 goals" in words
    assert START in words
    assert f"{NOW} ({CHANGE})" in words
    assert "GAS-KS-1968" in words
