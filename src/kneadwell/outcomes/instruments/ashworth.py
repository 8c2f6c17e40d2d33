"""Modified Ashworth Scale: grades stored as the clinician's string (0, 1, 1+, 2, 3, 4) per muscle group
and side, with the 0-5 ordinal coding used for analysis [S37]."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from .errors import InstrumentValidationError
from .grades import score_grades
from .loader import load_instruments
from .model import Instrument, Score

INSTRUMENT_ID = "modified_ashworth"


@dataclass(frozen=True)
class MasGrade:
    grade: str
    ordinal: int
    label: str


@cache
def mas_grades() -> tuple[MasGrade, ...]:
    inst = load_instruments()[INSTRUMENT_ID]
    return tuple(MasGrade(str(g["grade"]), int(g["ordinal"]), str(g["label"])) for g in inst.extra["grades"])


def _normalise(grade: object) -> str | None:
    if isinstance(grade, bool):
        return None
    if isinstance(grade, int):
        return str(grade)
    if isinstance(grade, str):
        return grade.replace(" ", "")
    return None


def mas_to_ordinal(grade: object, field: str = "grade") -> int:
    """'1+' -> 2, '2' -> 3 ... (the 0-5 coding [S37]). Rejects anything that is not a MAS grade."""
    text = _normalise(grade)
    for g in mas_grades():
        if g.grade == text:
            return g.ordinal
    allowed = ", ".join(g.grade for g in mas_grades())
    raise InstrumentValidationError(field, f"{grade!r} is not a Modified Ashworth grade (allowed: {allowed})")


def mas_from_ordinal(code: int, field: str = "ordinal") -> str:
    """2 -> '1+' (inverse of mas_to_ordinal)."""
    if not isinstance(code, bool) and isinstance(code, int):
        for g in mas_grades():
            if g.ordinal == code:
                return g.grade
    raise InstrumentValidationError(field, f"{code!r} is not a MAS ordinal code (0-5)")


def mas_keys(instrument: Instrument) -> tuple[str, ...]:
    """Every valid answer key, '<muscle_group>.<side>'."""
    return tuple(
        f"{m['id']}.{s['id']}" for m in instrument.extra["muscle_groups"] for s in instrument.extra["sides"]
    )


def score_mas(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """One ordinal sub-score per muscle group and side; no total (MAS grades are not summed). The rule is
    the shared grade rule (grades.py), reading this instrument's own grades."""
    return score_grades(instrument, answers)
