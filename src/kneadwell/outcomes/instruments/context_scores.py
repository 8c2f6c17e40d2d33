"""Scoring rules that keep context inputs (context.py) beside the score: a plain item sum with them, and
the mean of activities the client names and rates (the Patient-Specific Functional Scale). Pure: no
Django."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .context import DETAILS_KEY, context_ids, read_context
from .errors import InstrumentValidationError, Problems
from .model import Instrument, Score, SubScore
from .scoring import score_item_sum, validate_items

MEAN_DECIMALS = 2


def _items_and_context(
    instrument: Instrument, answers: Mapping[str, Any], *, require_all: bool | None = None
) -> tuple[dict[str, int | str], dict[str, Any], tuple[str, ...]]:
    """Validated item values and context values; every problem of both raised together."""
    extra_keys = context_ids(instrument) | {"confirmed"}
    problems = Problems()
    values: dict[str, int | str] = {}
    given: dict[str, Any] = {}
    warnings: tuple[str, ...] = ()
    try:
        values = validate_items(instrument, answers, extra_keys=extra_keys, require_all=require_all)
    except InstrumentValidationError as exc:
        problems.absorb(exc)
    try:
        given, warnings = read_context(instrument, answers, confirmed=bool(answers.get("confirmed", False)))
    except InstrumentValidationError as exc:
        problems.absorb(exc)
    problems.raise_if_any()
    return values, given, warnings


def score_items_with_context(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """The plain item sum (every item needed), with the context inputs stored beside it (who rated, how
    long the observation lasted...)."""
    values, given, warnings = _items_and_context(instrument, answers)
    return score_item_sum(
        instrument, values, warnings=warnings, details={DETAILS_KEY: given} if given else {}
    )


def score_activity_mean(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """Activities the client names and rates: each rating item sits in a section whose id is also the id
    of the text input naming the activity. The score is the mean of the ratings given (at least one);
    a rating needs its activity named and a named activity needs its rating, so each stays comparable
    with the same activity later. Each activity is a sub-score labelled with its name."""
    values, given, warnings = _items_and_context(instrument, answers, require_all=False)
    problems = Problems()
    subs: dict[str, SubScore] = {}
    for section in instrument.sections:
        items = [it for it in instrument.items if it.section == section.id]
        rated = [it for it in items if it.id in values]
        name = given.get(section.id)
        if rated and not name:
            problems.add(section.id, f"{section.label}: name the activity that was rated")
        elif name and not rated:
            for it in items:
                problems.add(it.id, f"{section.label} ({name}): rate it, or clear its name")
        elif rated and name:
            subs[section.id] = SubScore(
                section.id, str(name), float(sum(int(values[it.id]) for it in rated)), section.max_score, 1, 1
            )
    if not subs and not problems.errors:
        problems.add("answers", "name and rate at least one activity")
    problems.raise_if_any()
    total = round(sum(s.score or 0.0 for s in subs.values()) / len(subs), MEAN_DECIMALS)
    return Score(
        instrument_id=instrument.id,
        total=total,
        score_min=instrument.score_min,
        score_max=instrument.score_max,
        direction=instrument.direction,
        subscores=MappingProxyType(subs),
        band=instrument.band_for(total),
        warnings=warnings,
        details=MappingProxyType({DETAILS_KEY: given, "activities_rated": len(subs)}),
    )
