"""The report's document (reports/document.py) as a PDF, with fpdf2 (pure Python: no system library is
needed on a fresh machine). `render_pdf` walks the same blocks the printable page walks, in the same
order; nothing here words or formats a figure, it only lays blocks out on A4.

- Text is set in DejaVu Sans, the TTF that matplotlib ships inside its own package (mpl-data/fonts/ttf),
  so every machine that runs the app has it, and it carries the letters and symbols reports need
  ("Zoë", "SpO₂", "≥", "−", "→"). No system font path is used.
- Charts are the pages' own SVGs (outcomes' growth and trend charts), placed as vectors by fpdf2 after
  `vector.svg_for_pdf` has merged matplotlib's many small elements (see there: fpdf2 otherwise needs over
  a second for a year of daily weights). fpdf2 draws every feature these charts use (paths, clips, text in
  the registered DejaVu family), so no chart falls back to a PNG.
- Text is laid out here (greedy word wrap with cached word widths) and drawn with `FPDF.text`, because
  fpdf2's `multi_cell` re-measures the line for every character: 300 wrapped paragraphs took over a second.
- Every page carries the organisation, the date, who generated it, and "Page n of N".
- A right-to-left document (Arabic) is laid out mirrored: every line, bullet, label and table column is
  placed as in a left-to-right one and then mirrored about the page's centre, each line right-aligned
  at its mirrored start. Its text is shaped (joined Arabic letters, bidirectional runs: an English
  original or a number inside Arabic keeps its own order) by HarfBuzz through fpdf2's text shaping
  (`uharfbuzz`), drawn with `cell()` because fpdf2's `text()` does not shape. DejaVu Sans carries the
  Arabic letters and their joining forms (GSUB `arab`). Left-to-right documents are drawn unshaped,
  as before (shaping costs time and Latin text does not need it).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, assert_never

import matplotlib
from fpdf import FPDF
from fpdf.enums import TextDirection

from kneadwell.reports.document import (
    Block,
    BulletList,
    Chart,
    Claims,
    Document,
    Heading,
    KeyValues,
    Notice,
    Paragraph,
    Table,
    Tone,
    plain,
    split_original,
)
from kneadwell.reports.marking import gettext as _
from kneadwell.reports.vector import svg_for_pdf, svg_size_pt

FAMILY = "DejaVu Sans"  # the family name matplotlib writes into its SVGs, so their text finds this font


# --- Arabic inside a chart ---------------------------------------------------------------------------
# fpdf2 draws an SVG's <text> glyph by glyph from the font's character map, with neither shaping nor
# bidirectional reordering (fpdf/drawing.py, Text.render). A chart's Arabic words (the parent's report
# draws the growth chart in the reader's language) are therefore written into the SVG in visual order and
# in their joined forms: the Unicode bidirectional algorithm (fpdf2's own, fpdf/bidi.py) splits the text
# into runs, right to left as a whole; each Arabic run is shaped by HarfBuzz (as the document's own text
# is) and each glyph written back as the character the font maps to it (the Arabic presentation forms,
# which DejaVu Sans carries). Numbers and Latin words keep their order; the short-vowel marks are left out.
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_HARAKAT = re.compile("[\u064b-\u065f\u0670]")
_SVG_TEXT = re.compile(r"(<text\b[^>]*>)([^<]*)(</text>)")


@cache
def _shaper() -> tuple[Any, dict[int, str]]:
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    path = str(font_dir() / "DejaVuSans.ttf")
    font = hb.Font(hb.Face(hb.Blob.from_file_path(path)))
    names = TTFont(path)
    order = names.getGlyphOrder()
    chars: dict[int, str] = {}
    # the presentation forms last, so a joined form's glyph maps back to its own character
    for code, glyph in sorted(names.getBestCmap().items(), key=lambda item: 0xFB50 <= item[0] <= 0xFEFF):
        chars[order.index(glyph)] = chr(code)
    return font, chars


def _shaped_run(text: str) -> str:
    import uharfbuzz as hb

    font, chars = _shaper()
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.direction = "rtl"
    buffer.script = "Arab"
    buffer.language = "ar"
    hb.shape(font, buffer, {})
    if any(info.codepoint not in chars for info in buffer.glyph_infos):
        return text[::-1]  # a glyph with no character of its own: the letters unjoined, still right to left
    return "".join(chars[info.codepoint] for info in buffer.glyph_infos)


def visual_arabic(text: str) -> str:
    """`text` (logical order) as fpdf2's SVG text must be given it to read right to left, joined."""
    if not _ARABIC.search(text):
        return text
    from fpdf.bidi import BidiParagraph

    # the optional short-vowel marks (ḥarakāt) left out: fpdf2 would not place them over their letters
    text = _HARAKAT.sub("", text)

    runs = BidiParagraph(text=text, base_direction=TextDirection.RTL).get_bidi_fragments()
    return "".join(
        _shaped_run(run) if direction == TextDirection.RTL else run for run, direction in reversed(runs)
    )


def visual_svg_text(svg: str) -> str:
    """Every <text> of a chart with Arabic in it, in visual order and joined forms (see above)."""

    def one(match: re.Match[str]) -> str:
        words = html.unescape(match.group(2))
        if not _ARABIC.search(words):
            return match.group(0)
        return match.group(1) + html.escape(visual_arabic(words), quote=False) + match.group(3)

    return _SVG_TEXT.sub(one, svg)


@cache
def font_dir() -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


INK = (31, 36, 40)
MUTED = (90, 99, 107)
ACCENT = (15, 107, 99)
SAFETY = (161, 18, 31)
CAUTION = (122, 75, 0)
LINE = (220, 217, 210)
SOFT = (243, 241, 236)
CAUTION_SOFT = (255, 244, 220)
SAFETY_SOFT = (251, 233, 235)

CHART_WIDTH = 128.0  # mm: a chart's text stays about the size of the body text
BODY = 9.5  # pt
SMALL = 8.0
LINE_H = 1.42  # line height as a multiple of the size (mm per pt below)
PT = 0.3528  # mm per point


# Each tone's type size and colour (the page's "small", "small muted" and "small caution").
TONES: dict[Tone, tuple[float, tuple[int, int, int]]] = {
    "body": (BODY, INK),
    "small": (SMALL, INK),
    "muted": (SMALL, MUTED),
    "caution": (SMALL, CAUTION),
}


class ReportPDF(FPDF):
    def __init__(self, document: Document) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document
        self.set_margins(16, 16, 16)
        self.set_auto_page_break(auto=True, margin=18)
        self.add_font(FAMILY, "", str(font_dir() / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(font_dir() / "DejaVuSans-Bold.ttf"))
        self.alias_nb_pages()
        self.set_title(f"{document.title} ({document.variant} version)")
        self.set_author(document.author)
        self.set_creator("Kneadwell")
        self.set_lang(document.lang)
        self._widths: dict[tuple[str, float, str], float] = {}
        self.rtl = document.direction == "rtl"
        if self.rtl:
            self.set_text_shaping(use_shaping_engine=True, direction="rtl", language=document.lang)
            self.c_margin = 0.0  # put() places each line itself

    def put(self, x: float, y: float, text: str, *, ltr: bool = False) -> None:
        """`text` with its baseline at `y`, starting at `x` (left to right), or right-aligned at the mirror
        of `x` (right to left, shaped). `ltr`: a line of English in a right-to-left document (an original
        beside its translation), ordered left to right."""
        if not self.rtl:
            self.text(x, y, text)
            return
        if not text:
            return
        assert self.text_shaping is not None
        self.text_shaping["direction"] = TextDirection.LTR if ltr else TextDirection.RTL
        width = self._width(text)
        size = self.font_size  # mm
        was_x, was_y, breaks = self.x, self.y, self.auto_page_break
        self.auto_page_break = False  # the layout has made room already; a line never breaks a page
        # cell() sets the baseline at its top + half its height + 0.3 of the font size.
        self.set_xy(self.w - x - width, y - 0.8 * size)
        self.cell(width, size, text, align="R")
        self.auto_page_break = breaks
        self.set_xy(was_x, was_y)

    # --- page furniture ---------------------------------------------------------------------------
    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*MUTED)
        self.put(self.l_margin, 10, self.fit(self.document.running_head, self.usable))
        self.set_draw_color(*LINE)
        self.line(self.l_margin, 11.5, self.w - self.r_margin, 11.5)
        self.set_y(16)

    def footer(self) -> None:
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*MUTED)
        y = self.h - 9
        self.set_draw_color(*LINE)
        self.line(self.l_margin, y - 4, self.w - self.r_margin, y - 4)
        self.put(self.l_margin, y, self.fit(self.document.footer, self.usable - 32))
        # cell(), not text(): fpdf2 fills in the page count alias ({nb}) only in text set by cell().
        # Right to left, the page number sits at the left edge, where the line ends.
        self.set_xy(self.l_margin if self.rtl else self.w - self.r_margin - 30, y - 2.6)
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(30, 3.5, page, align="L" if self.rtl else "R")

    # --- text -------------------------------------------------------------------------------------
    @property
    def usable(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def _width(self, text: str) -> float:
        key = (self.font_style, self.font_size_pt, text)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = self.get_string_width(text)
        return found

    def fit(self, text: str, width: float) -> str:
        """`text` cut with an ellipsis to fit `width` in the current font (long names in the footer)."""
        if self._width(text) <= width:
            return text
        while text and self._width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap in the current font; words longer than a line are cut."""
        lines: list[str] = []
        space = self._width(" ")
        for paragraph in str(text).split("\n"):
            line, line_w = "", 0.0
            for word in paragraph.split():
                w = self._width(word)
                if line and line_w + space + w > width:
                    lines.append(line)
                    line, line_w = "", 0.0
                while w > width:  # a word wider than the column: cut it
                    cut = len(word)
                    while cut > 1 and self._width(word[:cut]) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    w = self._width(word)
                line = f"{line} {word}" if line else word
                line_w = line_w + space + w if line_w else w
            lines.append(line)
        return lines

    def line_height(self, size: float | None = None) -> float:
        return (size or self.font_size_pt) * PT * LINE_H

    def room(self, height: float) -> None:
        """Start a new page unless `height` mm still fit on this one."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def para(
        self,
        text: str,
        *,
        size: float = BODY,
        bold: bool = False,
        color: tuple[int, int, int] = INK,
        indent: float = 0.0,
        after: float = 1.6,
        bullet: str = "",
        ltr: bool = False,
    ) -> None:
        if not text:
            return
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_text_color(*color)
        h = self.line_height(size)
        x = self.l_margin + indent
        bullet_w = self._width(bullet + " ") if bullet else 0.0
        lines = self.wrap(text, self.usable - indent - bullet_w)
        for k, line in enumerate(lines):
            self.room(h)
            y = self.get_y()
            if bullet and k == 0:
                self.put(x, y + h * 0.75, bullet)
            self.put(x + bullet_w, y + h * 0.75, line, ltr=ltr)
            self.set_y(y + h)
        self.set_y(self.get_y() + after)

    def heading(self, text: str, level: int = 2, *, keep: float = 18.0) -> None:
        """A heading kept with the first `keep` mm of what follows (never alone at the foot of a page)."""
        size = {1: 17.0, 2: 12.5, 3: 10.5}[level]
        before = {1: 0.0, 2: 4.0, 3: 2.0}[level]
        self.room(before + self.line_height(size) + keep)
        self.set_y(self.get_y() + before)
        self.para(text, size=size, bold=True, color=ACCENT if level > 1 else INK, after=1.2)

    def facts(self, rows: Sequence[tuple[str, str]], *, label_w: float = 46.0) -> None:
        """Label / value pairs, the label muted, the value wrapped beside it."""
        h = self.line_height(BODY)
        for label, value in rows:
            if not value:
                continue
            self.set_font(FAMILY, "", BODY)
            value_lines = self.wrap(value, self.usable - label_w)
            self.set_font(FAMILY, "", SMALL + 0.5)
            label_lines = self.wrap(label, label_w - 3)
            height = max(len(value_lines), len(label_lines)) * h + 0.8
            self.room(height)
            y = self.get_y()
            self.set_text_color(*MUTED)
            for k, line in enumerate(label_lines):
                self.put(self.l_margin, y + h * (k + 0.75), line)
            self.set_font(FAMILY, "", BODY)
            self.set_text_color(*INK)
            for k, line in enumerate(value_lines):
                self.put(self.l_margin + label_w, y + h * (k + 0.75), line)
            self.set_y(y + height)
        self.set_y(self.get_y() + 1.2)

    def rows_table(
        self,
        headers: Sequence[str],
        widths: Sequence[float],
        rows: Sequence[Sequence[str]],
        *,
        size: float = SMALL,
    ) -> None:
        """A table whose cells wrap; the header row repeats on every page the table reaches."""
        scale = self.usable / sum(widths)
        widths = [w * scale for w in widths]
        h = self.line_height(size)
        pad = 1.0
        # A short table that would be split but fits on a page of its own starts on the next page.
        if len(rows) <= 8:
            self.set_font(FAMILY, "B", size)
            whole = max(len(self.wrap(t, w - 2 * pad)) for t, w in zip(headers, widths, strict=True)) * h
            self.set_font(FAMILY, "", size)
            whole += sum(
                max(len(self.wrap(t, w - 2 * pad)) for t, w in zip(row, widths, strict=True)) * h + 2 * pad
                for row in rows
            )
            whole += 2 * pad
            if (
                self.get_y() + whole > self.page_break_trigger
                and whole < self.page_break_trigger - self.t_margin
            ):
                self.add_page()

        def draw_header() -> None:
            self.set_font(FAMILY, "B", size)
            cells = [self.wrap(t, w - 2 * pad) for t, w in zip(headers, widths, strict=True)]
            height = max(len(c) for c in cells) * h + 2 * pad
            self.room(height + h + 2 * pad)
            y = self.get_y()
            self.set_fill_color(*SOFT)
            self.rect(self.l_margin, y, self.usable, height, style="F")
            self.set_text_color(*MUTED)
            x = self.l_margin
            for cell, w in zip(cells, widths, strict=True):
                for k, line in enumerate(cell):
                    self.put(x + pad, y + pad + h * (k + 0.75), line)
                x += w
            self.set_y(y + height)

        draw_header()
        self.set_draw_color(*LINE)
        for row in rows:
            self.set_font(FAMILY, "", size)
            cells = [self.wrap(t, w - 2 * pad) for t, w in zip(row, widths, strict=True)]
            height = max(len(c) for c in cells) * h + 2 * pad
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
                draw_header()
                self.set_font(FAMILY, "", size)
            y = self.get_y()
            self.set_text_color(*INK)
            x = self.l_margin
            for cell, w in zip(cells, widths, strict=True):
                for k, line in enumerate(cell):
                    self.put(x + pad, y + pad + h * (k + 0.75), line)
                x += w
            self.line(self.l_margin, y + height, self.l_margin + self.usable, y + height)
            self.set_y(y + height)
        self.set_y(self.get_y() + 2.5)

    def panel(
        self, title: str, text: str, *, color: tuple[int, int, int], fill: tuple[int, int, int]
    ) -> None:
        """A boxed notice (a caution, or the safety box of the parent's version)."""
        self.set_font(FAMILY, "", BODY)
        width = self.usable - 8
        lines = self.wrap(text, width)
        self.set_font(FAMILY, "B", BODY + 0.5)
        title_lines = self.wrap(title, width)
        h, th = self.line_height(BODY), self.line_height(BODY + 0.5)
        height = len(title_lines) * th + len(lines) * h + 6
        self.room(height + 2)
        y = self.get_y()
        self.set_fill_color(*fill)
        self.set_draw_color(*color)
        self.set_line_width(0.5)
        self.rect(self.l_margin, y, self.usable, height, style="DF")
        self.set_line_width(0.2)
        self.set_text_color(*color)
        for k, line in enumerate(title_lines):
            self.put(self.l_margin + 4, y + 3 + th * (k + 0.75), line)
        self.set_font(FAMILY, "", BODY)
        self.set_text_color(*INK)
        top = y + 3 + len(title_lines) * th
        for k, line in enumerate(lines):
            self.put(self.l_margin + 4, top + h * (k + 0.75), line)
        self.set_y(y + height + 3)

    def chart_height(self, part: Chart) -> float:
        w_pt, h_pt = svg_size_pt(part.svg)
        return min(CHART_WIDTH, self.usable) * h_pt / w_pt

    def chart(self, part: Chart) -> None:
        """The page's SVG chart as vectors, with its caption under it. In a right-to-left document the
        chart's Arabic words (title, axes) are given to fpdf2 already shaped (`visual_svg_text`)."""
        svg = svg_for_pdf(visual_svg_text(part.svg) if self.rtl else part.svg)
        width = min(CHART_WIDTH, self.usable)
        height = self.chart_height(part)
        self.room(height + 12)
        y = self.get_y()
        # SVG text without a fill of its own is painted with the PDF's current fill colour (a table
        # header's pale grey, say): start from the SVG default, black.
        self.set_fill_color(0, 0, 0)
        self.set_draw_color(0, 0, 0)
        self.set_text_color(0, 0, 0)
        x = self.w - self.r_margin - width if self.rtl else self.l_margin
        self.image(io.BytesIO(svg.encode()), x=x, y=y, w=width, h=height)
        self.set_y(y + height + 1.5)
        self.para(part.caption, size=SMALL - 0.5, color=MUTED, after=2.5)

    # --- the document's blocks --------------------------------------------------------------------
    def keep_for(self, block: Block | None) -> float:
        """How much of `block` a heading above it keeps on its page."""
        if isinstance(block, Chart):
            return self.chart_height(block) + 12
        return 18.0

    def blocks(self, blocks: Sequence[Block]) -> None:
        for k, block in enumerate(blocks):
            following = blocks[k + 1] if k + 1 < len(blocks) else None
            self.block(block, following)

    def block(self, block: Block, following: Block | None = None) -> None:
        if isinstance(block, Heading):
            self.heading(block.text, level=3, keep=self.keep_for(following))
        elif isinstance(block, Paragraph):
            size, color = TONES[block.tone]
            self.para(plain(block.text), size=size, color=color)
        elif isinstance(block, BulletList):
            size, color = TONES[block.tone]
            for item in block.items:
                main, label, original = split_original(item)
                self.para(plain(main), size=size, color=color, bullet="•", indent=3, after=0.6)
                if original:  # on lines of its own, as English, under the translation
                    self.para(label, size=SMALL, color=MUTED, indent=6, after=0.2)
                    self.para(original, size=SMALL, color=MUTED, indent=6, after=0.8, ltr=True)
            self.set_y(self.get_y() + 1.5)
        elif isinstance(block, KeyValues):
            self.facts(block.rows)
        elif isinstance(block, Table):
            self.rows_table(
                [c.header for c in block.columns],
                [c.weight for c in block.columns],
                [[plain(cell) for cell in row] for row in block.rows],
                size=7.0 if block.dense else SMALL,
            )
        elif isinstance(block, Chart):
            self.chart(block)
        elif isinstance(block, Notice):
            color, fill = (SAFETY, SAFETY_SOFT) if block.tone == "stop" else (CAUTION, CAUTION_SOFT)
            sources = f" [{', '.join(block.sources)}]" if block.sources else ""
            self.panel(block.title, block.text + sources, color=color, fill=fill)
        elif isinstance(block, Claims):
            self.claims(block)
        else:
            assert_never(block)

    def claims(self, block: Claims) -> None:
        """Each claim with its certainty written out next to it (the page shows the same words in a badge)."""
        if not block.items and block.empty:
            self.para(block.empty)
        size, color = TONES[block.tone]
        for c in block.items:
            if c.inline:
                self.para(f"{c.statement} {c.badge.text} {c.after}", size=size, bullet="•", indent=3)
                continue
            if c.strong:
                self.para(c.statement, bold=True, size=BODY - 0.5, after=0.5)
                self.para(f"{c.badge.text} {c.after}", size=SMALL, color=ACCENT, after=0.5)
            else:
                self.para(c.statement, size=size, color=color, bullet="•", indent=3, after=0.4)
                self.para(f"{c.badge.text} {c.after}", size=SMALL, color=MUTED, indent=6)
            for detail in c.details:
                self.para(detail, size=SMALL, after=0.5)
            for caveat in c.caveats:
                self.para(caveat, size=SMALL, bullet="–", indent=3, color=MUTED, after=0.3)
            self.set_y(self.get_y() + 1.5)


def render_pdf(document: Document) -> bytes:
    pdf = ReportPDF(document)
    pdf.add_page()
    pdf.heading(document.title, level=1)
    pdf.para(document.subtitle, size=10.5, color=ACCENT, bold=True, after=0.8)
    pdf.para(document.byline, size=SMALL, color=MUTED, after=3)
    pdf.blocks(document.opening)
    for section in document.sections:
        first = section.blocks[0] if section.blocks else None
        pdf.heading(section.title, level=section.level, keep=pdf.keep_for(first))
        pdf.blocks(section.blocks)
    return bytes(pdf.output())
