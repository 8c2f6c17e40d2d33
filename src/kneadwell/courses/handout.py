"""The printable handout of a course's week, as a report document (reports/document.py), so the page and
the PDF (reports/pdf.py) say the same: the strokes new this week with their steps and a body map of where
they go, the home routine after this week, the baby's cues (the player's), how to practise, and the
sources. Pure: no Django import; the views pass the course's plain values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kneadwell.content.sources import source_get
from kneadwell.core.marking import gettext as _
from kneadwell.core.marking import gettext_noop, ngettext
from kneadwell.courses import syllabus as syl
from kneadwell.library.bodymap import render_body_map
from kneadwell.library.catalog import Library
from kneadwell.reports.document import (
    Block,
    BulletList,
    Chart,
    Document,
    Heading,
    Notice,
    Paragraph,
    Section,
    Span,
)

# Cue groups in the parent's words, as the player shows them (care/views/sessions.py).
CUE_GROUPS = (
    (gettext_noop("Enjoying it"), ("engagement",), None),
    (gettext_noop("Saying “not so much”: slow down, pause, cuddle"), ("disengagement",), "subtle"),
    (gettext_noop("Saying “stop”: stop and comfort your baby"), ("disengagement",), "potent"),
)


MAP_PT = 190  # the body map's printed size (points), small beside the strokes' steps


@dataclass(frozen=True)
class HandoutFacts:
    title: str  # the course's title
    organisation: str
    instructor: str
    week: int
    weeks: int
    class_at: dt.datetime | None  # local time
    protocol_id: str
    syllabus: dict[str, int]
    generated: dt.date


def _sized(svg: str) -> str:
    """The body map with a size (it has only a viewBox): the PDF places a picture by its width and height."""
    return svg.replace("<svg ", f'<svg width="{MAP_PT}pt" height="{MAP_PT}pt" ', 1)


def _area_groups(strokes: Sequence[syl.Stroke]) -> list[tuple[str, str, list[syl.Stroke]]]:
    groups: dict[str, tuple[str, list[syl.Stroke]]] = {}
    for stroke in strokes:
        groups.setdefault(stroke.section, (stroke.section_label, []))[1].append(stroke)
    return [(section, label, items) for section, (label, items) in groups.items()]


def handout_document(library: Library, facts: HandoutFacts) -> Document:
    strokes = syl.strokes_of(library, facts.protocol_id)
    new = syl.week_strokes(strokes, facts.syllabus, facts.week)
    teaching = [s for s in new if not s.ritual]
    so_far = [s for s in strokes if 0 < facts.syllabus.get(s.key, 0) <= facts.week]
    areas = [label for _section, label, _items in _area_groups(teaching)]
    heading = ", ".join([areas[0], *(a.lower() for a in areas[1:])]) if areas else _("Review")
    when = f"{facts.class_at:%A %d %B %Y, %H:%M}" if facts.class_at else ""
    opening: list[Block] = [
        Paragraph(
            ngettext(
                "This week's class brought in %(count)s new stroke. Practise it with the strokes from "
                "earlier weeks, always in the same order, starting by asking your baby's permission.",
                "This week's class brought in %(count)s new strokes. Practise them with the strokes from "
                "earlier weeks, always in the same order, starting by asking your baby's permission.",
                len(teaching),
            )
            % {"count": len(teaching)}
            if teaching
            else _(
                "No new strokes this week: the class went over the whole routine so far, in its order. Keep "
                "following your baby's cues; the routine adapts as your baby grows and moves more."
            )
        ),
        Notice(
            title=_("Before each massage"),
            text=_(
                "Do today's check in Kneadwell first: it says whether today is a good day and what to leave "
                "out. Stop whenever your baby says “stop”, and never massage over a rash, a wound or a "
                "tender area."
            ),
            sources=("IAIM-2013",),
        ),
    ]
    sections: list[Section] = []
    for section, label, items in _area_groups(new):
        regions = sorted({r for s in items for r in s.regions if r in library.regions})
        blocks: list[Heading | Paragraph | BulletList | Chart] = []
        if regions and section not in syl.RITUAL_SECTIONS:
            blocks.append(
                Chart(
                    key=f"map-{section}",
                    title=_("Where: %(label)s") % {"label": label},
                    svg=_sized(
                        render_body_map(
                            library,
                            highlighted=regions,
                            title=_("Where: %(label)s") % {"label": label},
                            id_prefix=section,
                        )
                    ),
                    caption=_("Where the %(label)s strokes go (highlighted).") % {"label": label.lower()},
                    description=", ".join(library.regions[r].label for r in regions) + ".",
                )
            )
        blocks.append(BulletList(tuple((Span(s.name, "strong"), Span(f": {s.how_parent}")) for s in items)))
        sections.append(
            Section(title=label or _("Strokes"), anchor=f"area-{section or 'other'}", blocks=tuple(blocks))
        )
    routine_items = [
        (Span(label, "strong"),)
        if section in syl.RITUAL_SECTIONS
        else (Span(label, "strong"), Span(": " + ", ".join(s.name for s in items)))
        for section, label, items in _area_groups(so_far)
    ]
    sections.append(
        Section(
            title=_("Your home routine after this week"),
            anchor="routine",
            blocks=(
                Paragraph(
                    _(
                        "In this order, once a day when your baby is calm and alert (not straight after a "
                        "feed). In Kneadwell the guided player holds exactly the strokes you have been "
                        "taught in class."
                    )
                ),
                BulletList(tuple(routine_items)),
            ),
        )
    )
    cue_blocks: list[Paragraph | BulletList] = []
    cue_sources: set[str] = set()
    for title, kinds, strength in CUE_GROUPS:
        cues = [
            c
            for c in library.cues.values()
            if c.context == "any" and c.kind in kinds and (strength is None or c.strength == strength)
        ]
        cue_sources.update(src for c in cues for src in c.sources)
        cue_blocks.append(Paragraph((Span(_(title), "strong"),)))
        cue_blocks.append(BulletList(tuple(c.label for c in cues), tone="small"))
    sections.append(Section(title=_("Your baby's cues"), anchor="cues", blocks=tuple(cue_blocks)))
    protocol = library.protocols[facts.protocol_id]
    prep = [p.text for p in protocol.preparation]
    prep_sources = {src for p in protocol.preparation for src in p.sources}
    sections.append(
        Section(
            title=_("Getting ready"),
            anchor="ready",
            blocks=(BulletList(tuple(prep)),) if prep else (Paragraph(protocol.dose.timing or ""),),
        )
    )
    cited = sorted({"IAIM-2013", *(src for s in new for src in s.sources), *cue_sources, *prep_sources})
    sections.append(
        Section(
            title=_("Sources"),
            anchor="sources",
            blocks=(BulletList(tuple(f"[{sid}] {source_get(sid).citation}" for sid in cited), tone="small"),),
            level=3,
        )
    )
    return Document(
        title=_("Week %(week)s of %(weeks)s: %(heading)s")
        % {"week": facts.week, "weeks": facts.weeks, "heading": heading},
        subtitle=facts.title,
        byline=" \u00b7 ".join(
            x for x in (facts.organisation, when, _("Instructor: %(name)s") % {"name": facts.instructor}) if x
        ),
        footer=_("%(title)s · week %(week)s handout · %(organisation)s · printed %(date)s")
        % {
            "title": facts.title,
            "week": facts.week,
            "organisation": facts.organisation,
            "date": f"{facts.generated:%d %b %Y}",
        },
        running_head=_("%(title)s: week %(week)s") % {"title": facts.title, "week": facts.week},
        variant="parent",
        author=facts.instructor,
        filename=f"handout-week-{facts.week}.pdf",
        opening=tuple(opening),
        sections=tuple(sections),
    )
