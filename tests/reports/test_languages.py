"""The parent's report in the reader's language (issue 14): the page and the PDF in Spanish and Arabic
(Arabic shaped and right to left), the clinical content through the translated library, the clinician's
report in English whoever reads it, and nothing stored that depends on the language (docs/reports.md,
"Languages")."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.care.models import Session
from kneadwell.library import localise
from kneadwell.reports import services
from kneadwell.reports.document import BulletList, Document, plain, split_original
from kwtest.people import Clinic

from .programme import Programme

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# English words of the parent's report that its Spanish and Arabic versions must not show.
ENGLISH = (
    "What was done",
    "Coming up",
    "What the studies say",
    "When to stop, and when to call for help",
    "Call for help",
    "Progress report",
    "for parents and carers",
    "Sessions done",
    "Massage time",
    "gained about",
    "centile",
    "Page",
)
WORDS = {
    "es": (
        "Lo que dicen los estudios",
        "Cuándo parar y cuándo pedir ayuda",
        "Informe de progreso",
        "Página 1 de",
    ),
    "ar": ("ما تقوله الدراسات", "متى تتوقف، ومتى تطلب المساعدة", "تقرير التقدّم", "الصفحة"),
}


def flat(text: str) -> str:
    return " ".join(text.split())


def says(english: str, text: str) -> bool:
    """`english` as words of `text` ("centile" is not in "percentiles")."""
    return re.search(rf"\b{re.escape(english)}\b", text) is not None


def pdf_words(body: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(body))
    # The Arabic is stored as shaped glyphs (presentation forms); NFKC gives the letters back.
    return unicodedata.normalize("NFKC", flat("\n".join(page.extract_text() for page in reader.pages)))


def parent_pdf(clinic: Clinic, programme: Programme, language: str) -> bytes:
    with translation.override(language):
        _report, body = services.report_pdf(
            actor=clinic.actor(Role.CAREGIVER), client_id=programme.client.pk, version="parent"
        )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"report-parent-{language}.pdf").write_bytes(body)
    return body


def document_in(clinic: Clinic, programme: Programme, language: str, version: str = "parent") -> Document:
    with translation.override(language):
        report = services.report_build(
            actor=clinic.actor(Role.THERAPIST),
            client_id=programme.client.pk,
            version=version,  # type: ignore[arg-type]
        )
        return services.report_document(report)


def document_text(document: Document) -> str:
    parts = [document.title, document.subtitle, document.byline, document.footer]
    for section in document.sections:
        parts.append(section.title)
    for block in document.blocks():
        for value in vars(block).values():
            if isinstance(value, (str, tuple)):
                parts.append(plain(value) if isinstance(value, str) else repr(value))
    return " ".join(parts)


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_parent_pdf_is_in_the_readers_language(
    clinic: Clinic, programme: Programme, language: str
) -> None:
    words = pdf_words(parent_pdf(clinic, programme, language))
    for said in WORDS[language]:
        assert unicodedata.normalize("NFKC", said) in words, said
    for english in ENGLISH:
        assert not says(english, words), english
    # The evidence library's words too (certainty, what it means), translated where collected.
    assert not says("certainty", words)
    assert not says("the studies found", words)
    assert "Zoë" in words


def test_the_arabic_pdf_is_shaped_and_right_to_left(clinic: Clinic, programme: Programme) -> None:
    from fontTools.ttLib import TTFont

    body = parent_pdf(clinic, programme, "ar")
    reader = pypdf.PdfReader(io.BytesIO(body))
    # Joined letters: HarfBuzz chose each letter's contextual form (initial, medial, final), so the
    # embedded subset of DejaVu Sans holds those glyphs (named by their presentation-form code points).
    glyphs: set[str] = set()
    resources: Any = reader.pages[0]["/Resources"]
    fonts: Any = resources["/Font"]
    for font in fonts.values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        data = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
        glyphs |= set(TTFont(io.BytesIO(data)).getGlyphOrder())
    contextual = {g for g in glyphs if re.fullmatch(r"uniFE[89A-F][0-9A-F]", g)}
    assert len(contextual) > 20, sorted(glyphs)
    # Right to left: the title's line ends at the right margin (16 mm = 45.4 pt from the right edge).
    page = reader.pages[0]
    width = float(page.mediabox.width)
    ends: list[float] = []

    def visit(text: str, _cm: object, tm: list[float], _font: object, _size: float) -> None:
        if "التقد" in unicodedata.normalize("NFKC", text):  # the title's "التقدّم" (progress)
            ends.append(tm[4])

    page.extract_text(visitor_text=visit)
    assert ends
    assert min(ends) > width / 2, ends  # drawn from the right half of the page
    assert reader.metadata is not None


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_parent_page_is_in_the_readers_language(
    client: HttpClient, clinic: Clinic, programme: Programme, language: str
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    response = client.get(reverse("reports:page", args=[programme.client.pk]), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    article = html[html.index("<article") :]
    assert f'lang="{language}"' in article[:200]
    assert f'dir="{"rtl" if language == "ar" else "ltr"}"' in article[:200]
    # The chart's own words (its axes, and its text alternative under "The chart in words") are drawn by
    # the outcomes area's chart code, the same chart as the growth page's: not the report's words.
    text = re.sub(r"<svg.*?</svg>|<details class=\"text-alt\">.*?</details>", "", article, flags=re.S)
    for said in WORDS[language][:3]:
        assert said in text, said
    for english in ENGLISH[:-1]:
        assert not says(english, text), english


def test_the_clinical_content_comes_translated_from_the_library(clinic: Clinic, programme: Programme) -> None:
    english = document_in(clinic, programme, "en-gb")
    spanish = document_in(clinic, programme, "es")
    lib = localise.library_in("es")
    plan = programme.plan
    name_es = str(lib.protocols[plan.protocol_id].name)
    assert name_es in document_text(spanish)
    assert name_es != str(localise.library_in(None).protocols[plan.protocol_id].name)
    # The stop signs: each in-session stop check's Spanish words, with the English original beside an
    # unreviewed translation.
    help_section = next(s for s in spanish.sections if s.anchor == "help-h")
    signs = help_section.blocks[0]
    assert isinstance(signs, BulletList)
    main, label, original = split_original(signs.items[0])
    english_lib = localise.library_in(None)
    stops = [c for c in english_lib.session_checks.values() if c.action == "stop"]
    assert any(str(lib.session_checks[c.id].text_parent) in plain(main) for c in stops)
    assert any(original == f"{c.text_parent} {c.instead}" for c in stops), original
    assert label.startswith("Original en inglés")
    # The stop reasons' labels (the bradycardia check's label, as the session stored it) too.
    slow = str(lib.session_checks["bradycardia"].label).lower()
    assert "Detenida por: " + slow in document_text(spanish)
    assert document_text(english) != document_text(spanish)


def test_a_stopped_sessions_reason_is_shown_in_the_readers_language(
    clinic: Clinic, programme: Programme
) -> None:
    english_lib = localise.library_in(None)
    check = next(c for c in english_lib.session_checks.values() if c.action == "stop")
    Session.objects.filter(pk=programme.stopped.pk).update(
        stop_check=check.id, stop_reason=f"{check.label}: 85 bpm"
    )
    spanish = document_text(document_in(clinic, programme, "es"))
    assert str(localise.library_in("es", with_original=False).session_checks[check.id].text_parent) in spanish


def test_the_clinician_report_stays_english_whoever_reads_it(clinic: Clinic, programme: Programme) -> None:
    english = document_in(clinic, programme, "en-gb", "clinician")
    for language in ("es", "ar"):
        shown = document_in(clinic, programme, language, "clinician")
        assert shown.lang == "en-GB"
        assert shown.direction == "ltr"
        # The same words, but for the moment it was generated.
        assert [s.title for s in shown.sections] == [s.title for s in english.sections]
        assert shown.title == english.title


def test_nothing_stored_depends_on_the_language(clinic: Clinic, programme: Programme) -> None:
    """A report is not stored: each generation writes one audit row, the same in every language."""
    before = AuditEvent.objects.filter(entity="report").count()
    for language in ("en-gb", "es", "ar"):
        document_in(clinic, programme, language)
        with translation.override(language):
            services.report_pdf(
                actor=clinic.actor(Role.CAREGIVER), client_id=programme.client.pk, version="parent"
            )
    rows = list(
        AuditEvent.objects.filter(entity="report").order_by("pk").values_list("summary", "changes")[before:]
    )
    assert len(rows) == 6
    assert {summary for summary, _ in rows} == {
        "generated the parent progress report (HTML, all plans)",
        "generated the parent progress report (PDF, all plans)",
    }
    assert [changes for _, changes in rows] == [
        {"version": "parent", "plan": None, "format": fmt} for fmt in ("html", "pdf") * 3
    ]
    # The facts collected are English and by id in every language except the words shown: the record's
    # figures are the same.
    with translation.override("es"):
        es = services.report_build(
            actor=clinic.actor(Role.THERAPIST), client_id=programme.client.pk, version="parent"
        )
    en = services.report_build(
        actor=clinic.actor(Role.THERAPIST), client_id=programme.client.pk, version="parent"
    )
    assert [p.adherence.done for p in es.plans] == [p.adherence.done for p in en.plans]
    assert [s.session_id for s in es.sessions] == [s.session_id for s in en.sessions]
    assert es.plans[0].protocol_id == en.plans[0].protocol_id
