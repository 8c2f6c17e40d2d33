"""The document model and its two renderers: every block type comes out in the page's block template and
in the PDF with its words, inline text is escaped on the page, and the document's modules import no
Django (they are pure, like the growth maths)."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pypdf
import pytest
from django.template.loader import render_to_string

from kneadwell.reports import document as d
from kneadwell.reports.pdf import render_pdf

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="144pt" height="72pt" viewBox="0 0 144 72">'
    "<desc>A line rising from 1 to 3</desc>"
    '<path d="M 10 60 L 130 10" style="fill: none; stroke: #000000; stroke-width: 1"/>'
    '<text x="20" y="40" style="font-family: DejaVu Sans; font-size: 8px">chartlabel</text></svg>'
)

# One block of each type, each carrying words found nowhere else.
BLOCKS: dict[str, d.Block] = {
    "heading": d.Heading("Headingword", anchor="hw-h"),
    "paragraph": d.Paragraph((d.Span("Paraword "), d.Span("strongword", "strong")), tone="muted"),
    "list": d.BulletList(("Listone", (d.Span("Listtwo"), d.Span(" flagword", "flag")))),
    "keyvalues": d.KeyValues((("Labelword", "Valueword 42.5 g/kg/day"),)),
    "table": d.Table(
        (d.Column("Colone", 2), d.Column("Coltwo", 1, numeric=True)),
        (("Cellone", "−1.23"), ((d.Span("Struckword", "strike"),), "97th")),
        caption="Captionword",
    ),
    "chart": d.Chart("chart-key", "Charttitle", SVG, "Captionunder the chart", "A line rising from 1 to 3"),
    "notice": d.Notice("Noticetitle", "Noticetext", tone="stop", sources=("S23",)),
    "claims": d.Claims(
        (
            d.Claim("c1", "Claimone helps", d.Badge("low", "low certainty (GRADE)"), "· studies: X 2020"),
            d.Claim("c2", "Claimtwo cures", d.Badge("very_low", "Very low certainty"), "(none)", inline=True),
        )
    ),
}
WORDS: dict[str, tuple[str, ...]] = {
    "heading": ("Headingword",),
    "paragraph": ("Paraword strongword",),
    "list": ("Listone", "Listtwo flagword"),
    "keyvalues": ("Labelword", "Valueword 42.5 g/kg/day"),
    "table": ("Colone", "Coltwo", "Cellone", "−1.23", "Struckword", "97th"),
    "chart": ("chartlabel", "Captionunder the chart"),
    "notice": ("Noticetitle", "Noticetext", "S23"),
    "claims": ("Claimone helps", "low certainty (GRADE)", "studies: X 2020", "Claimtwo cures", "Very low"),
}


def flat(text: str) -> str:
    return " ".join(text.split())


def page_text(html: str) -> str:
    """The words of an HTML fragment (tags dropped, entities read)."""
    import html as h

    return flat(h.unescape(re.sub(r"<[^>]+>", " ", html)))


def one_block_document(block: d.Block) -> d.Document:
    return d.Document(
        title="Doc title",
        subtitle="Sub",
        byline="By",
        footer="Foot",
        running_head="Head",
        variant="clinician",
        author="A",
        filename="x.pdf",
        sections=(d.Section("Sectionword", "s-h", (block,)),),
    )


def test_every_block_type_is_in_the_test() -> None:
    named = {n.strip() for n in str(d.Block).split("|")}  # the Block alias is written as a string
    types = [getattr(d, n) for n in named]
    assert {t.kind for t in types} == set(BLOCKS) == set(WORDS)
    assert {type(b) for b in BLOCKS.values()} == set(types)


@pytest.mark.parametrize("kind", sorted(BLOCKS))
def test_each_block_type_renders_on_the_page_and_in_the_pdf(kind: str) -> None:
    block = BLOCKS[kind]
    html = render_to_string("reports/_block.html", {"block": block})
    body = render_pdf(one_block_document(block))
    pdf = flat("\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(body)).pages))
    on_page = page_text(html)
    for word in WORDS[kind]:
        assert word in on_page, (kind, word, on_page)
        assert word in pdf, (kind, word, pdf)
    assert "Sectionword" in pdf


def test_the_page_marks_up_what_the_blocks_say() -> None:
    html = "".join(render_to_string("reports/_block.html", {"block": b}) for b in BLOCKS.values())
    assert '<h3 id="hw-h">Headingword</h3>' in html
    assert '<p class="small muted">Paraword <strong>strongword</strong></p>' in html
    assert '<span class="badge stop"> flagword</span>' in html
    assert '<td data-label="Coltwo" class="num">−1.23</td>' in html
    assert "<s>Struckword</s>" in html
    assert '<caption class="sr-only">Captionword</caption>' in html
    assert 'id="chart-key"' in html
    assert "<svg" in html
    assert 'class="panel-stop"' in html
    assert 'data-claim="c1"' in html
    assert 'data-certainty="very_low"' in html


def test_inline_text_is_escaped_on_the_page() -> None:
    block = d.Paragraph((d.Span("<script>alert(1)</script>", "strong"), d.Span(" & <b>")))
    html = render_to_string("reports/_block.html", {"block": block})
    assert "<script>" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp; &lt;b&gt;" in html


def test_the_outline_lists_section_titles_and_headings_in_order() -> None:
    doc = d.Document(
        title="T",
        subtitle="S",
        byline="B",
        footer="F",
        running_head="H",
        variant="parent",
        author="A",
        filename="f.pdf",
        sections=(
            d.Section("One", "one-h", (d.Paragraph("x"), d.Heading("One a"))),
            d.Section("Two", "two-h", (d.Heading("Two a"),), level=3),
        ),
    )
    assert doc.outline() == ["One", "One a", "Two", "Two a"]
    assert d.plain((d.Span("a"), d.Span("b", "strong"))) == "ab"


PURE = ("document.py", "facts.py", "compose.py", "compose_clinician.py", "texts.py", "words.py")


@pytest.mark.parametrize("name", PURE)
def test_the_document_modules_import_no_django(name: str) -> None:
    import kneadwell.reports

    source = (Path(kneadwell.reports.__file__).parent / name).read_text()
    tree = ast.parse(source)
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.append(node.module)
    type_only = {
        n.module
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
        if isinstance(n, ast.ImportFrom)
    }
    at_run_time = [m for m in imported if m not in type_only]
    assert not [m for m in at_run_time if m.startswith("django") or m.endswith((".models", ".selectors"))]
