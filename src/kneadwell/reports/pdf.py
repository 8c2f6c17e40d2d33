"""The report as a PDF, with fpdf2 (pure Python: no system library is needed on a fresh machine).

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
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import matplotlib
from fpdf import FPDF

from kneadwell.reports import words
from kneadwell.reports.facts import ChartPart, Report, TrendPart
from kneadwell.reports.texts import (
    INTRO_CLINICIAN,
    INTRO_PARENT,
    adherence_facts,
    call_for_help,
    centile_explained,
    client_rows,
    consent_caution,
    consent_state,
    parent_plan_facts,
    plan_rows,
    rows_note,
    sentence,
    session_groups,
    session_stop_words,
    sessions_note,
    signed_words,
)
from kneadwell.reports.vector import svg_for_pdf, svg_size_pt

FAMILY = "DejaVu Sans"  # the family name matplotlib writes into its SVGs, so their text finds this font


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

CHART_WIDTH = 128.0  # mm: a chart's text stays about the size of the body text
BODY = 9.5  # pt
SMALL = 8.0
LINE_H = 1.42  # line height as a multiple of the size (mm per pt below)
PT = 0.3528  # mm per point


class ReportPDF(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.set_margins(16, 16, 16)
        self.set_auto_page_break(auto=True, margin=18)
        self.add_font(FAMILY, "", str(font_dir() / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(font_dir() / "DejaVuSans-Bold.ttf"))
        self.alias_nb_pages()
        self.set_title(f"{report.title} ({report.version} version)")
        self.set_author(f"{report.organisation}: {report.generated_by}")
        self.set_creator("Kneadwell")
        self.set_lang("en-GB")
        self._widths: dict[tuple[str, float, str], float] = {}

    # --- page furniture ---------------------------------------------------------------------------
    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*MUTED)
        self.text(self.l_margin, 10, f"{self.report.title} · {self.report.subtitle}")
        self.set_draw_color(*LINE)
        self.line(self.l_margin, 11.5, self.w - self.r_margin, 11.5)
        self.set_y(16)

    def footer(self) -> None:
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*MUTED)
        y = self.h - 9
        self.set_draw_color(*LINE)
        self.line(self.l_margin, y - 4, self.w - self.r_margin, y - 4)
        self.text(self.l_margin, y, self.fit(self.report.footer, self.usable - 32))
        # cell(), not text(): fpdf2 fills in the page count alias ({nb}) only in text set by cell().
        self.set_xy(self.w - self.r_margin - 30, y - 2.6)
        self.cell(30, 3.5, f"Page {self.page_no()} of {{nb}}", align="R")

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
                self.text(x, y + h * 0.75, bullet)
            self.text(x + bullet_w, y + h * 0.75, line)
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
                self.text(self.l_margin, y + h * (k + 0.75), line)
            self.set_font(FAMILY, "", BODY)
            self.set_text_color(*INK)
            for k, line in enumerate(value_lines):
                self.text(self.l_margin + label_w, y + h * (k + 0.75), line)
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
                    self.text(x + pad, y + pad + h * (k + 0.75), line)
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
                    self.text(x + pad, y + pad + h * (k + 0.75), line)
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
            self.text(self.l_margin + 4, y + 3 + th * (k + 0.75), line)
        self.set_font(FAMILY, "", BODY)
        self.set_text_color(*INK)
        top = y + 3 + len(title_lines) * th
        for k, line in enumerate(lines):
            self.text(self.l_margin + 4, top + h * (k + 0.75), line)
        self.set_y(y + height + 3)

    def chart_height(self, part: ChartPart) -> float:
        w_pt, h_pt = svg_size_pt(part.svg)
        return min(CHART_WIDTH, self.usable) * h_pt / w_pt

    def chart(self, part: ChartPart) -> None:
        """The page's SVG chart as vectors, with its caption under it."""
        svg = svg_for_pdf(part.svg)
        width = min(CHART_WIDTH, self.usable)
        height = self.chart_height(part)
        self.room(height + 12)
        y = self.get_y()
        # SVG text without a fill of its own is painted with the PDF's current fill colour (a table
        # header's pale grey, say): start from the SVG default, black.
        self.set_fill_color(0, 0, 0)
        self.set_draw_color(0, 0, 0)
        self.set_text_color(0, 0, 0)
        self.image(io.BytesIO(svg.encode()), x=self.l_margin, y=y, w=width, h=height)
        self.set_y(y + height + 1.5)
        self.para(part.caption, size=SMALL - 0.5, color=MUTED, after=2.5)


# --- the two versions ------------------------------------------------------------------------------
def _title(pdf: ReportPDF, report: Report) -> None:
    pdf.add_page()
    pdf.heading(report.title, level=1)
    pdf.para(report.subtitle, size=10.5, color=ACCENT, bold=True, after=0.8)
    pdf.para(
        f"{report.organisation} · {words.moment(report.generated_at)} · generated by {report.generated_by}",
        size=SMALL,
        color=MUTED,
        after=3,
    )


def _parent(pdf: ReportPDF, report: Report) -> None:
    c = report.client
    pdf.para(INTRO_PARENT.format(name=c.given_name, organisation=report.organisation))
    pdf.heading("What was done")
    if not report.plans:
        pdf.para(f"{c.given_name} has no massage plan yet.")
    for p in report.plans:
        pdf.heading(p.protocol_name, level=3)
        pdf.para(p.summary)
        pdf.facts(parent_plan_facts(p))
    pdf.heading(f"How {c.given_name} responded")
    for p in report.plans:
        a = p.adherence
        if a.completed_sessions or a.stopped_sessions:
            pdf.para(
                f"{p.protocol_name}: {words.plural(a.completed_sessions, 'session')} finished, "
                f"{a.stopped_sessions} stopped early."
            )
        for reason, count in a.stop_reasons:
            pdf.para(
                f"Stopped because of: {reason.lower()} ({words.plural(count, 'time')})", bullet="•", indent=3
            )
    if report.sessions:
        pdf.heading("Recent sessions", level=3)
        for s in report.sessions:
            pdf.para(
                f"{words.day_short(s.started_at.date())}, {s.started_at:%H:%M}: {session_stop_words(s)}",
                bullet="•",
                indent=3,
                after=0.6,
            )
        pdf.set_y(pdf.get_y() + 1.5)
    if report.responses:
        pdf.heading("In the notes", level=3)
        for r in report.responses:
            pdf.para(f"{words.day(r.date)}: “{r.text}”", bullet="•", indent=3, after=0.6)
        pdf.set_y(pdf.get_y() + 1.5)
    if report.adverse_events:
        pdf.heading("Things that did not go well", level=3)
        for e in report.adverse_events:
            pdf.para(
                f"{words.day(e.occurred_at.date())}: {sentence(e.what)} "
                f"What was done: {sentence(e.action_taken)}"
                + (f" Since then: {sentence(e.follow_up)}" if e.follow_up else ""),
                bullet="•",
                indent=3,
            )
    upcoming = [(p, slot) for p in report.plans for slot in p.upcoming]
    pdf.heading("Coming up")
    if upcoming:
        for p, slot in upcoming:
            pdf.para(
                f"{words.day_short(slot.due_at.date())}, {slot.due_at:%H:%M}"
                + (f" ({p.protocol_name})" if len(report.plans) > 1 else ""),
                bullet="•",
                indent=3,
                after=0.6,
            )
    else:
        pdf.para("No sessions are booked.")
    if report.growth is not None:
        g = report.growth
        pdf.heading("Growth")
        for line in g.latest:
            pdf.para(line.plain, bullet="•", indent=3)
        shown = next((v for v in g.velocities if v.plain), None)
        if shown is not None:
            pdf.para(shown.plain)
        for chart in g.charts:
            pdf.room(pdf.chart_height(chart) + 12)
            pdf.chart(chart)
        pdf.para(centile_explained(c.given_name), size=SMALL, color=MUTED)
    _evidence_parent(pdf, report)
    pdf.heading("When to stop, and when to call for help")
    for sign in report.stop_signs:
        pdf.para(f"{sign.text} {sign.instead}", bullet="•", indent=3)
    pdf.panel(
        "Call for help",
        call_for_help(report),
        color=SAFETY,
        fill=(251, 233, 235),
    )


def _evidence_parent(pdf: ReportPDF, report: Report) -> None:
    ev = report.evidence
    pdf.heading("What the studies say")
    pdf.para(
        f"About massage for {ev.about or 'children like ' + report.client.given_name}. Next to each: how "
        "sure the studies let us be.",
        size=SMALL,
        color=MUTED,
    )
    if not ev.supported:
        pdf.para("We hold no studies about massage for this group.")
    for claim in ev.supported:
        pdf.para(claim.text, bullet="•", indent=3, after=0.4)
        pdf.para(
            f"{claim.certainty_words.capitalize()} ({claim.evidence}). {claim.certainty_meaning}",
            size=SMALL,
            color=MUTED,
            indent=6,
        )
    if ev.unsupported:
        pdf.heading("Things you may have heard that no study shows", level=3)
        for claim in ev.unsupported:
            pdf.para(f"{claim.text} ({claim.certainty_words}: no study found)", bullet="•", indent=3)


def _clinician(pdf: ReportPDF, report: Report) -> None:
    c = report.client
    caution = consent_caution(report)
    if caution:
        pdf.panel("Consent to share", caution, color=CAUTION, fill=CAUTION_SOFT)
    pdf.para(INTRO_CLINICIAN, size=SMALL, color=MUTED)
    pdf.heading("Client")
    pdf.facts(client_rows(c))
    pdf.heading("Consent", level=3)
    if c.consents:
        pdf.rows_table(
            ["Consent", "Covers", "Signed", "Method", "Status"],
            [30, 55, 30, 28, 25],
            [[k.kind, "; ".join(k.scopes), signed_words(k), k.method, consent_state(k)] for k in c.consents],
        )
    else:
        pdf.para("No consent recorded.")
    for p in report.plans:
        pdf.heading(f"Plan: {p.protocol_name}")
        pdf.facts(plan_rows(p))
        pdf.heading("Adherence and fidelity", level=3)
        pdf.facts(adherence_facts(p))
        if p.adherence.phases:
            pdf.rows_table(
                ["Phase", "Protocol minutes", "Average done (completed sessions)", "Of protocol"],
                [50, 30, 50, 25],
                [
                    [
                        ph.phase,
                        words.minutes(ph.planned_minutes),
                        words.minutes(ph.actual_minutes),
                        words.percent(ph.percent),
                    ]
                    for ph in p.adherence.phases
                ],
            )
        if p.adherence.stop_reasons:
            pdf.rows_table(
                ["Why sessions stopped", "Sessions"],
                [120, 25],
                [[r, str(n)] for r, n in p.adherence.stop_reasons],
            )
        if p.upcoming:
            pdf.facts([("Next sessions", "; ".join(f"{words.moment(s.due_at)}" for s in p.upcoming))])
    pdf.heading("Sessions")
    pdf.para(sessions_note(report), size=SMALL, color=MUTED)
    for title, sessions in session_groups(report):
        if title:
            pdf.heading(title, level=3)
        pdf.rows_table(
            ["Started", "Status", "Min", "Steps", "Pauses", "Stop: check and reason", "Note"],
            [24, 17, 10, 14, 12, 62, 20],
            [
                [
                    words.moment(s.started_at),
                    s.status_label,
                    f"{s.minutes:.1f}",
                    f"{s.steps_done}/{s.steps_skipped} of {s.steps_planned}",
                    str(s.pauses) + "".join(f" ({n} {d})" for d, n in s.decisions if d != "stop" and n),
                    f"{s.stop_check}: {s.stop_reason}" if s.stop_reason else "",
                    s.note,
                ]
                for s in sessions
            ],
            size=7.0,
        )
    if report.responses:
        pdf.heading("Responses recorded in notes", level=3)
        for r in report.responses:
            pdf.para(f"{words.day(r.date)} ({r.kind.lower()}): {r.text}", bullet="•", indent=3, after=0.6)
    pdf.heading("Adverse events")
    if report.adverse_events:
        pdf.rows_table(
            ["When", "Severity", "What happened", "Action taken", "Follow-up", "Reported by"],
            [24, 26, 45, 40, 35, 22],
            [
                [
                    words.moment(e.occurred_at),
                    e.severity_label,
                    e.what + (f" (session {e.session_id})" if e.session_id else ""),
                    e.action_taken,
                    e.follow_up,
                    e.reported_by,
                ]
                for e in report.adverse_events
            ],
            size=7.5,
        )
    else:
        pdf.para("None recorded.")
    if report.growth is not None:
        _growth_clinician(pdf, report)
    if report.in_error:
        pdf.heading("Measurements entered in error (left out of every figure)", level=3)
        pdf.rows_table(
            ["Taken", "Measure", "Value", "Why marked", "Marked by"],
            [22, 32, 30, 60, 35],
            [
                [
                    words.day(m.date),
                    m.instrument,
                    m.value,
                    m.reason,
                    f"{m.marked_by}, {words.day(m.marked_on)}" if m.marked_on else m.marked_by,
                ]
                for m in report.in_error
            ],
        )
        if report.in_error_total > len(report.in_error):
            pdf.para(
                f"{report.in_error_total - len(report.in_error)} more on the client's pages.", size=SMALL
            )
    if report.trends:
        pdf.heading("Outcome measures")
        for t in report.trends:
            _trend(pdf, t)
    _evidence_clinician(pdf, report)
    if report.stop_signs:
        pdf.heading("In-session stop rules in force", level=3)
        for sign in report.stop_signs:
            pdf.para(
                f"{sign.label}: {sign.text} [{', '.join(sign.sources)}]", bullet="•", indent=3, size=SMALL
            )
    pdf.heading("Content versions", level=3)
    pdf.facts(list(report.content_versions))
    pdf.heading("Sources")
    group = ""
    for s in report.sources:
        if s.group != group:
            group = s.group
            pdf.heading(group, level=3, keep=8)
        pdf.para(f"[{s.source_id}] {s.text}", size=7.5, indent=3, after=0.5)


def _growth_clinician(pdf: ReportPDF, report: Report) -> None:
    g = report.growth
    assert g is not None
    pdf.heading("Growth")
    pdf.para(f"Reference: {g.reference_source}", size=SMALL, color=MUTED)
    pdf.para(g.age_source, size=SMALL, color=MUTED)
    for note in g.notes:
        pdf.para(note, size=SMALL, color=CAUTION)
    pdf.rows_table(
        [
            "Measure",
            "Date",
            "Value",
            "Age",
            "SDS (chron.)",
            "SDS (corr.)",
            "Centile (chron.)",
            "Centile (corr.)",
        ],
        [24, 20, 18, 34, 16, 16, 18, 18],
        [
            [
                line.label,
                words.day(line.date),
                line.display,
                line.age_text,
                _sds(line.chronological_sds),
                _sds(line.corrected_sds),
                words.centile(line.chronological_centile),
                words.centile(line.corrected_centile),
            ]
            for line in g.latest
        ],
    )
    pdf.heading("Weight velocity", level=3)
    pdf.rows_table(
        ["Window", "Method", "Velocity", "Gain", "Span"],
        [26, 34, 24, 16, 64],
        [[v.window, v.method, v.value or "—", v.gain or "—", v.span or v.error] for v in g.velocities],
    )
    seen: set[str] = set()
    for v in g.velocities:
        if v.method_id in seen:
            continue
        seen.add(v.method_id)
        pdf.para(f"{v.method}: {v.formula}. Source: {v.source}", size=SMALL)
    goal = next((v.goal_note for v in g.velocities if v.goal_note), "")
    if goal:
        pdf.para(goal, size=SMALL)
    for chart in g.charts:
        pdf.heading(chart.title, level=3, keep=pdf.chart_height(chart) + 12)
        pdf.chart(chart)
        table = next((t for t in g.tables if t.label == chart.title), None)
        if table is not None:
            pdf.para(rows_note(len(table.rows), table.total), size=SMALL, color=MUTED)
            pdf.rows_table(
                ["Date", "Value", "Age", "SDS (corr.)", "Centile (corr.)", "Note"],
                [22, 20, 46, 18, 20, 40],
                [
                    [
                        words.day(pt.date),
                        pt.display,
                        pt.age_text,
                        _sds(pt.corrected_sds),
                        words.centile(pt.corrected_centile),
                        ("unusual, confirmed. " if pt.confirmed_unusual else "") + pt.note,
                    ]
                    for pt in table.rows
                ],
                size=7.5,
            )


def _trend(pdf: ReportPDF, t: TrendPart) -> None:
    pdf.heading(t.name, level=3, keep=pdf.chart_height(t.chart) + 20 if t.chart else 18)
    pdf.para(t.direction, size=SMALL, color=MUTED)
    if t.chart is not None:
        pdf.chart(t.chart)
    for note in t.notes:
        pdf.para(note, size=SMALL, color=MUTED)
    if t.rows:
        columns = list(t.columns)[:5]  # a table a page can hold; the client's pages list every series
        pdf.rows_table(
            ["Date", *columns],
            [22, *([150 / max(1, len(columns))] * len(columns))],
            [[words.day(d), *[v for _, v in cells][: len(columns)]] for d, cells in t.rows],
            size=7.5,
        )
        pdf.para(rows_note(len(t.rows), t.total), size=SMALL, color=MUTED)


def _evidence_clinician(pdf: ReportPDF, report: Report) -> None:
    ev = report.evidence
    pdf.heading("Evidence")
    pdf.para(
        f"Claims for {ev.about or 'this client'} from the evidence library, most certain first, with their "
        "GRADE certainty.",
        size=SMALL,
        color=MUTED,
    )
    for claim in ev.supported:
        pdf.para(claim.text, bold=True, size=BODY - 0.5, after=0.5)
        pdf.para(
            f"Certainty: {claim.certainty_words} (GRADE) · {claim.evidence} · "
            f"studies: {', '.join(claim.studies)}",
            size=SMALL,
            color=ACCENT,
            after=0.5,
        )
        pdf.para(f"Why this certainty: {claim.grade_reason}", size=SMALL, after=0.5)
        for caveat in claim.caveats:
            pdf.para(caveat, size=SMALL, bullet="–", indent=3, color=MUTED, after=0.3)
        pdf.set_y(pdf.get_y() + 1.5)
    if ev.unsupported:
        pdf.heading("Claims with no study behind them", level=3)
        for claim in ev.unsupported:
            pdf.para(
                f"{claim.text} ({claim.certainty_words}; no study found)", size=SMALL, bullet="•", indent=3
            )


def _sds(value: float | None) -> str:
    return "—" if value is None else words.signed(value)


def render_pdf(report: Report) -> bytes:
    pdf = ReportPDF(report)
    _title(pdf, report)
    if report.is_parent:
        _parent(pdf, report)
    else:
        _clinician(pdf, report)
    return bytes(pdf.output())
