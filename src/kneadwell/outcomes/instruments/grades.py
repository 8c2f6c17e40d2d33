"""Ordinal grades per muscle group and side (the `grade` rule): the Modified Ashworth Scale's tone grades,
the MRC scale's strength grades. Each instrument gives its own `grades` (the string recorded, the ordinal
code used for analysis, the meaning), `muscle_groups` and `sides`; a grade is kept as the string the
clinician recorded, with its code beside it. Grades are never summed or averaged. Pure: no Django."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .errors import InstrumentValidationError
from .model import Instrument, Score, SubScore


@dataclass(frozen=True)
class Grade:
    grade: str
    ordinal: int
    label: str


def instrument_grades(instrument: Instrument) -> tuple[Grade, ...]:
    """The instrument's grades in order of their code."""
    grades = (Grade(str(g["grade"]), int(g["ordinal"]), str(g["label"])) for g in instrument.extra["grades"])
    return tuple(sorted(grades, key=lambda g: g.ordinal))


def grade_name(instrument: Instrument) -> str:
    """What one grade is called in messages and on a chart's axis ("Modified Ashworth grade")."""
    return str(instrument.extra.get("grade_name") or f"{instrument.short_name} grade")


def _normalise(grade: object) -> str | None:
    if isinstance(grade, bool):
        return None
    if isinstance(grade, int):
        return str(grade)
    if isinstance(grade, str):
        return grade.replace(" ", "")
    return None


def grade_code(instrument: Instrument, grade: object, field: str = "grade") -> Grade:
    """The grade a recorded value names ("1+" -> the MAS grade coded 2); rejects anything else."""
    text = _normalise(grade)
    for g in instrument_grades(instrument):
        if g.grade == text:
            return g
    allowed = ", ".join(g.grade for g in instrument_grades(instrument))
    message = f"{grade!r} is not a {grade_name(instrument)} (allowed: {allowed})"
    raise InstrumentValidationError(field, message)


def grade_keys(instrument: Instrument) -> tuple[str, ...]:
    """Every valid answer key, '<muscle_group>.<side>'."""
    return tuple(
        f"{m['id']}.{s['id']}" for m in instrument.extra["muscle_groups"] for s in instrument.extra["sides"]
    )


def score_grades(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """One ordinal sub-score per muscle group and side; no total (grades are not summed)."""
    groups = {str(m["id"]): str(m["label"]) for m in instrument.extra["muscle_groups"]}
    sides = {str(s["id"]): str(s["label"]) for s in instrument.extra["sides"]}
    top = float(max(g.ordinal for g in instrument_grades(instrument)))
    problems: list[tuple[str, str]] = []
    subs: dict[str, SubScore] = {}
    grades: dict[str, str] = {}
    meanings: dict[str, str] = {}
    for key, value in answers.items():
        group, _, side = key.partition(".")
        if group not in groups or side not in sides:
            problems.append((key, "expected '<muscle_group>.<side>', e.g. 'elbow_flexors.left'"))
            continue
        if value is None:
            continue
        try:
            found = grade_code(instrument, value, key)
        except InstrumentValidationError as exc:
            problems.extend(exc.errors)
            continue
        grades[key] = found.grade
        meanings[key] = found.label
        subs[key] = SubScore(key, f"{groups[group]}, {sides[side].lower()}", float(found.ordinal), top, 1, 1)
    if not problems and not grades:
        problems.append(("answers", f"no {grade_name(instrument)} given"))
    if problems:
        raise InstrumentValidationError.from_problems(problems)
    return Score(
        instrument_id=instrument.id,
        total=None,
        score_min=float(min(g.ordinal for g in instrument_grades(instrument))),
        score_max=top,
        direction=instrument.direction,
        subscores=MappingProxyType(subs),
        details=MappingProxyType(
            {
                "grades": grades,
                "ordinal": {k: int(s.score or 0) for k, s in subs.items()},
                "meanings": meanings,
            }
        ),
    )
