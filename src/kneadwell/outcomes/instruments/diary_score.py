"""The registry's scorer for the infant day diary: answers to days (:mod:`.diary`), daily totals and the
colic criteria (:mod:`.colic`)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .colic import ClinicalExclusions, evaluate_rome_iv, evaluate_wessel
from .diary import DAY_MINUTES, _as_date, _series, parse_days
from .errors import InstrumentValidationError
from .model import Instrument, Score


def _exclusions(raw: object) -> ClinicalExclusions:
    if raw is None:
        return ClinicalExclusions()
    if isinstance(raw, ClinicalExclusions):
        return raw
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"faltering_growth", "fever", "illness"}
        if unknown:
            raise InstrumentValidationError(f"exclusions.{sorted(unknown)[0]}", "unknown clinical exclusion")
        for key, value in raw.items():
            if value is not None and not isinstance(value, bool):
                raise InstrumentValidationError(
                    f"exclusions.{key}", "needs true, false or null (not yet known)"
                )
        return ClinicalExclusions(**raw)
    raise InstrumentValidationError(
        "exclusions", "needs faltering_growth, fever and illness (true/false/null)"
    )


def score_diary(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """Answers: days (or entries), birth_date, exclusions, complete_tolerance_minutes (default 0).
    Total: mean daily crying plus fussing over complete days, in minutes (None when no day is complete)."""
    allowed = {"days", "entries", "birth_date", "exclusions", "complete_tolerance_minutes"}
    unknown = [k for k in answers if k not in allowed]
    if unknown:
        raise InstrumentValidationError(unknown[0], "unknown field for the infant diary")
    days = parse_days(answers)
    tolerance = float(answers.get("complete_tolerance_minutes") or 0.0)
    totals, problems = _series(days, tolerance)
    if problems:
        raise InstrumentValidationError.from_problems(problems)
    complete = [t for t in totals.values() if t.complete]
    mean = sum(t.cry_fuss_minutes for t in complete) / len(complete) if complete else None
    warnings = [
        f"{d.isoformat()}: {t.unrecorded_minutes:g} min not recorded"
        for d, t in totals.items()
        if not t.complete
    ]
    details: dict[str, Any] = {"days": [totals[d] for d in sorted(totals)]}
    if answers.get("birth_date") is not None:
        birth = _as_date("birth_date", answers["birth_date"])
        exclusions = _exclusions(answers.get("exclusions"))
        details["wessel"] = evaluate_wessel(days, birth, exclusions, complete_tolerance_minutes=tolerance)
        details["rome_iv"] = evaluate_rome_iv(days, birth, exclusions, complete_tolerance_minutes=tolerance)
    else:
        warnings.append("no birth date: colic criteria not evaluated")
    return Score(
        instrument_id=instrument.id,
        total=mean,
        score_min=0.0,
        score_max=float(DAY_MINUTES),
        direction=instrument.direction,
        warnings=tuple(warnings),
        details=MappingProxyType(details),
    )
