"""A progress report as a document: a title, a few opening blocks, then sections of blocks. It is built
once (`reports.compose`) and walked by both renderers: the printable page (`templates/reports/`) and the
PDF (`reports.pdf`). Neither renderer words or formats anything itself, so the page and the PDF cannot
say different things. Pure: no Django import.

Blocks say what a thing is (a paragraph, a list, label/value rows, a table, a chart, a boxed notice, a
list of claims with their certainty), with a `tone` for how prominent it is, never how it is drawn.
Inline text is a string or a tuple of `Span`s (a few words strong, muted, struck out or flagged)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar, Literal, TypeAlias

Tone = Literal["body", "small", "muted", "caution"]
# "original-label" and "original": the English original of an unreviewed translation and its label, on a
# line of their own, the original isolated as English (left to right inside an Arabic page).
SpanStyle = Literal["", "strong", "muted", "strike", "flag", "original-label", "original"]


@dataclass(frozen=True)
class Span:
    text: str
    style: SpanStyle = ""


Text: TypeAlias = "str | tuple[Span, ...]"


def plain(text: Text) -> str:
    """The words of inline text, without their styles."""
    return text if isinstance(text, str) else "".join(s.text for s in text)


def spans(text: Text) -> tuple[Span, ...]:
    return (Span(text),) if isinstance(text, str) else text


def split_original(text: Text) -> tuple[Text, str, str]:
    """Inline text without its English original, the original's label, and the original ("" when none)."""
    runs = spans(text)
    main = tuple(s for s in runs if s.style not in ("original-label", "original"))
    label = " ".join(s.text for s in runs if s.style == "original-label")
    original = " ".join(s.text for s in runs if s.style == "original")
    return (main if not isinstance(text, str) else text), label, original


@dataclass(frozen=True)
class Heading:
    """A heading inside a section (the section's own title is its `Section.title`)."""

    kind: ClassVar[str] = "heading"
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: Text
    tone: Tone = "body"


@dataclass(frozen=True)
class BulletList:
    kind: ClassVar[str] = "list"
    items: tuple[Text, ...]
    tone: Tone = "body"


@dataclass(frozen=True)
class KeyValues:
    """Label / value rows (rows with an empty value are left out when the document is built)."""

    kind: ClassVar[str] = "keyvalues"
    rows: tuple[tuple[str, str], ...]
    tone: Tone = "body"


@dataclass(frozen=True)
class Column:
    header: str
    weight: float = 1.0  # relative width where the medium sets widths (the PDF)
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    columns: tuple[Column, ...]
    rows: tuple[tuple[Text, ...], ...]
    caption: str = ""  # what the table holds, for a screen reader
    dense: bool = False  # many rows: smaller type where the medium allows

    def labelled_rows(self) -> Iterator[tuple[tuple[Column, Text], ...]]:
        """Each row's cells with their column (the phone layout labels every cell)."""
        for row in self.rows:
            yield tuple(zip(self.columns, row, strict=True))


@dataclass(frozen=True)
class Chart:
    """An SVG chart (the client's pages' own) with its caption and its text alternative."""

    kind: ClassVar[str] = "chart"
    key: str
    title: str
    svg: str
    caption: str
    description: str  # the chart in words


@dataclass(frozen=True)
class Notice:
    """A boxed notice: a caution, or the safety box ("stop"), with the sources it rests on."""

    kind: ClassVar[str] = "notice"
    title: str
    text: str
    tone: Literal["caution", "stop"] = "caution"
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Badge:
    code: str  # a stable code the page may style by (the evidence library's certainty code)
    text: str


@dataclass(frozen=True)
class Claim:
    """A statement with the certainty behind it: the badge either on the statement's line (`inline`) or on
    the line under it, followed by `after`; then details and caveats."""

    ref: str  # the claim's id
    statement: str
    badge: Badge
    after: str = ""
    inline: bool = False
    strong: bool = False
    details: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claims:
    kind: ClassVar[str] = "claims"
    items: tuple[Claim, ...]
    empty: str = ""  # said when there is no claim
    tone: Tone = "body"


Block: TypeAlias = "Heading | Paragraph | BulletList | KeyValues | Table | Chart | Notice | Claims"


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str  # the heading's id on the page
    blocks: tuple[Block, ...]
    level: int = 2  # 2 for the report's main parts, 3 for a short part of its own


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    byline: str  # organisation, date and who generated it
    footer: str  # on every printed page
    running_head: str  # at the top of every PDF page after the first
    variant: str  # "parent" | "clinician"
    author: str
    filename: str
    lang: str = "en-GB"
    direction: Literal["ltr", "rtl"] = "ltr"  # "rtl" for Arabic: the page's dir, the PDF's layout
    opening: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = field(default=())

    def outline(self) -> list[str]:
        """Every heading in reading order: section titles and the headings inside them."""
        out = []
        for section in self.sections:
            out.append(section.title)
            out.extend(b.text for b in section.blocks if isinstance(b, Heading))
        return out

    def blocks(self) -> Iterator[Block]:
        yield from self.opening
        for section in self.sections:
            yield from section.blocks
