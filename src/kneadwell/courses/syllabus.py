"""What a class series teaches, week by week: the strokes of the course's routine, which week each is
introduced in, and what that makes of a family's home routine. Pure: no Django import; it takes the loaded
library and plain values.

A *stroke* is one technique in one section of the routine ("legs_and_feet.milking_indian"): the same
technique in another section (Indian milking on the arms) is another stroke, and a technique repeated
within a section with variations (the water wheel, A and B) is one stroke. The key is made from ids, not
from positions, so an edit to the routine's other steps does not move a course's syllabus.

The default syllabus reuses the library's own order (IAIM-2013): the course protocol's
`class_progression` says which sections each week adds (week 1: asking permission, legs and feet,
closing; then tummy; chest, arms and hands; face and back; a review week), and the library's first-week
routine (`iaim_first_week`, docs/parents.md) says which of the legs-and-feet strokes week 1 starts with;
the rest of those come in week 2. Weeks beyond the progression are review weeks; in a shorter course the
later weeks' strokes come in its last week. The opening and closing rituals always belong to week 1: a
home routine never starts without asking the baby's permission (IAIM-2013)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kneadwell.library.catalog import Library

DEFAULT_PROTOCOL = "iaim_parent_routine"
FIRST_WEEK_ROUTINE = "iaim_first_week"
RITUAL_SECTIONS = frozenset({"opening", "closing"})
MIN_WEEKS, MAX_WEEKS = 1, 12  # the library's ClassWeek allows 1-12; IAIM courses run 4-5 (IAIM-2013)
DEFAULT_WEEKS = 5


@dataclass(frozen=True)
class Stroke:
    key: str  # "<section id>.<technique id>"
    section: str
    section_label: str
    technique: str
    name: str
    regions: tuple[str, ...]
    how_parent: str
    how_clinician: str
    sources: tuple[str, ...]

    @property
    def ritual(self) -> bool:
        return self.section in RITUAL_SECTIONS


def stroke_key(section: str, technique: str) -> str:
    return f"{section}.{technique}"


def course_protocols(library: Library) -> list[str]:
    """Protocols a class series can follow: those whose class progression runs over more than one week."""
    return [p.id for p in library.protocols.values() if len(p.class_progression) > 1]


def strokes_of(library: Library, protocol_id: str) -> list[Stroke]:
    """Every stroke of the protocol's routines, once, in the routine's order."""
    out: dict[str, Stroke] = {}
    for routine_id in library.protocols[protocol_id].routines:
        routine = library.routines[routine_id]
        labels = {s.id: s.label for s in routine.sections}
        for step in routine.steps:
            section = step.section or ""
            key = stroke_key(section, step.technique)
            technique = library.techniques[step.technique]
            if key in out:
                # The same stroke again in its section: keep one, with every region it reaches.
                first = out[key]
                regions = tuple(dict.fromkeys((*first.regions, *step.regions)))
                out[key] = Stroke(**{**first.__dict__, "regions": regions})
                continue
            out[key] = Stroke(
                key=key,
                section=section,
                section_label=labels.get(section, ""),
                technique=technique.id,
                name=technique.name,
                regions=tuple(step.regions),
                how_parent=technique.description_parent,
                how_clinician=technique.description_clinician,
                sources=tuple(technique.sources),
            )
    return list(out.values())


def default_syllabus(library: Library, protocol_id: str, weeks: int) -> dict[str, int]:
    """Stroke key -> the week it is introduced in (module docstring)."""
    protocol = library.protocols[protocol_id]
    strokes = strokes_of(library, protocol_id)
    section_week: dict[str, int] = {}
    for item in sorted(protocol.class_progression, key=lambda w: w.week):
        for section in item.sections:
            section_week.setdefault(section, min(item.week, weeks))
    first_week: set[str] = set()
    if FIRST_WEEK_ROUTINE in library.routines:
        routine = library.routines[FIRST_WEEK_ROUTINE]
        first_week = {stroke_key(s.section or "", s.technique) for s in routine.steps}
    out: dict[str, int] = {}
    for stroke in strokes:
        if stroke.ritual:
            out[stroke.key] = 1
            continue
        week = section_week.get(stroke.section, weeks)
        if week == 1 and first_week and stroke.key not in first_week and weeks > 1:
            week = 2  # the rest of week 1's area comes the week after (the first-week routine's note)
        out[stroke.key] = week
    return out


def syllabus_errors(
    library: Library, protocol_id: str, syllabus: Mapping[str, Any], weeks: int
) -> dict[str, list[str]]:
    """Problems with a syllabus, in words an instructor reads."""
    known = {s.key: s for s in strokes_of(library, protocol_id)}
    errors: list[str] = []
    unknown = sorted(k for k in syllabus if k not in known)
    if unknown:
        errors.append(f"Not a stroke of this routine: {', '.join(unknown)}.")
    for key, week in syllabus.items():
        stroke = known.get(key)
        if stroke is None:
            continue
        if isinstance(week, bool) or not isinstance(week, int) or not 0 <= week <= weeks:
            errors.append(
                f"{stroke.name} ({stroke.section_label}): choose a week from 1 to {weeks}, or none."
            )
        elif stroke.ritual and week != 1:
            errors.append(
                f"{stroke.name} is part of every home routine from the first week (asking permission and "
                "closing); it cannot move."
            )
    if not any(week for key, week in syllabus.items() if key in known and not known[key].ritual):
        errors.append("Choose at least one stroke to teach.")
    return {"syllabus": errors} if errors else {}


def complete(library: Library, protocol_id: str, syllabus: Mapping[str, Any]) -> dict[str, Any]:
    """The syllabus with every stroke present: a stroke left out is not taught (0), a ritual left out is
    in week 1. Values given are kept as given, for syllabus_errors to judge (unknown keys too)."""
    out: dict[str, Any] = dict(syllabus)
    for stroke in strokes_of(library, protocol_id):
        out.setdefault(stroke.key, 1 if stroke.ritual else 0)
    return out


def refit(syllabus: Mapping[str, int], weeks: int) -> dict[str, int]:
    """The syllabus for a course whose number of weeks changed: strokes of weeks that no longer exist come
    in the last week."""
    return {key: min(week, weeks) if week else 0 for key, week in syllabus.items()}


def week_strokes(strokes: Sequence[Stroke], syllabus: Mapping[str, int], week: int) -> list[Stroke]:
    """The strokes introduced in `week`, in the routine's order."""
    return [s for s in strokes if syllabus.get(s.key) == week]


def is_review_week(strokes: Sequence[Stroke], syllabus: Mapping[str, int], week: int) -> bool:
    """A week that introduces no stroke of its own (rituals aside): the class reviews what was taught."""
    return not [s for s in week_strokes(strokes, syllabus, week) if not s.ritual]


def in_routine_order(strokes: Sequence[Stroke], keys: Iterable[str]) -> list[Stroke]:
    wanted = set(keys)
    return [s for s in strokes if s.key in wanted]


def limit_steps(
    library: Library,
    steps: Sequence[Mapping[str, Any]],
    dropped: Sequence[Mapping[str, Any]],
    taught: Iterable[str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Today's steps (after the readiness verdict, care.routine.todays_steps) kept to the strokes taught:
    an intersection, so a step the verdict left out stays out, and nothing is added. Steps are numbered
    again from 0. A step's section is read from its routine (the step carries the section's label)."""
    allowed = set(taught)

    def key(step: Mapping[str, Any]) -> str:
        routine = library.routines.get(str(step.get("routine", "")))
        sections = {s.label: s.id for s in routine.sections} if routine else {}
        return stroke_key(sections.get(str(step.get("section", "")), ""), str(step.get("technique", "")))

    kept = [dict(s) for s in steps if key(s) in allowed]
    for index, step in enumerate(kept):
        step["index"] = index
    # A left-out step carries no section: it is kept (its reason is worth showing) when its technique is
    # taught in some section.
    techniques = {k.split(".", 1)[-1] for k in allowed}
    gone = [dict(d) for d in dropped if str(d.get("technique", "")) in techniques]
    return kept, gone
