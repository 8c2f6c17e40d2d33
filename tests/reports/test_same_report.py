"""The printable page and the PDF of the same report say the same thing: the same section headings in the
same order, and every figure the page shows (label/value rows, table cells, list items, claims) is in
the PDF's text too. Both come from one document (reports/compose.py), so this fails as soon as either
renderer drops or rewords a block."""

from __future__ import annotations

import html as h
import io
import re
from html.parser import HTMLParser

import pypdf
import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Session
from kwtest.people import Clinic

from .programme import Programme, version_query

pytestmark = pytest.mark.django_db


class Article(HTMLParser):
    """The report article's headings and the text of its figure-bearing elements, SVGs left out."""

    FIGURES = ("td", "dd", "li")

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.in_svg = 0
        self.open: list[tuple[str, list[str]]] = []
        self.headings: list[str] = []
        self.figures: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.inside = True
        if tag == "svg":
            self.in_svg += 1
        if self.inside and not self.in_svg and tag in ("h2", "h3", *self.FIGURES):
            self.open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.in_svg -= 1
        if tag == "article":
            self.inside = False
        if self.open and self.open[-1][0] == tag:
            _, parts = self.open.pop()
            text = " ".join("".join(parts).split())
            if self.open:  # a nested list item's words are part of its parent's too
                self.open[-1][1].append(" " + "".join(parts) + " ")
            if text:
                (self.headings if tag in ("h2", "h3") else self.figures).append(text)

    def handle_data(self, data: str) -> None:
        if self.open and not self.in_svg:
            self.open[-1][1].append(data)


def squeeze(text: str) -> str:
    """Text without white space and list bullets: a PDF line break may fall anywhere in a table cell, and
    the PDF draws the bullets the page leaves to its style sheet."""
    return re.sub(r"[\s•–]+", "", text)


def body_text(page: pypdf.PageObject) -> str:
    """A PDF page's text without its running head and footer (a paragraph may go on over the page)."""
    lines = page.extract_text().splitlines()
    return "\n".join(
        line
        for line in lines
        if not re.match(r"Generated .* Page \d+ of \d+$", line)
        and not (line.startswith("Progress report: ") and " · " in line)
    )


def page_and_pdf(client: HttpClient, programme: Programme, version: str) -> tuple[Article, str]:
    query = version_query(version)
    page = client.get(reverse("reports:page", args=[programme.client.pk]) + query)
    pdf = client.get(reverse("reports:pdf", args=[programme.client.pk]) + query)
    assert page.status_code == pdf.status_code == 200
    article = Article()
    article.feed(page.content.decode())
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    return article, "\n".join(body_text(p) for p in reader.pages)


@pytest.mark.parametrize("version", ["parent", "clinician"])
def test_the_page_and_the_pdf_have_the_same_headings_in_the_same_order(
    client: HttpClient, clinic: Clinic, programme: Programme, version: str
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    article, pdf = page_and_pdf(client, programme, version)
    assert len(article.headings) > 6
    text, at = squeeze(h.unescape(pdf)), 0
    for heading in article.headings:
        found = text.find(squeeze(heading), at)
        assert found >= 0, f"{heading!r} is on the page but not (in this order) in the PDF"
        at = found + 1


@pytest.mark.parametrize("version", ["parent", "clinician"])
def test_every_figure_on_the_page_is_in_the_pdf(
    client: HttpClient, clinic: Clinic, programme: Programme, version: str
) -> None:
    Session.objects.filter(pk=programme.stopped.pk).update(stop_reason="Oxygen low: SpO₂ 84% for ≥ 20 s")
    client.force_login(clinic.user(Role.THERAPIST))
    article, pdf = page_and_pdf(client, programme, version)
    text = squeeze(pdf)
    assert len(article.figures) > 20
    missing = [f for f in article.figures if squeeze(f) not in text]
    assert not missing, "\n".join(missing)
    # ... among them the figures people act on.
    figures = " ".join(article.figures)
    if version == "clinician":
        for shown in ("g/kg/day", "SpO₂ 84% for ≥ 20 s", "Weighed with the blanket", "% of the plan"):
            assert shown in figures, shown
    else:
        assert "centile" in figures
