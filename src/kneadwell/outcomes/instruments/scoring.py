"""Generic scoring of instruments whose items are summed (NIPS, FLACC, NRS, PIPP, Fugl-Meyer) and of
category instruments (Bristol, Amsterdam): answer validation, section sub-scores and band lookup."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from .errors import InstrumentValidationError
from .loader import section_items
from .model import Instrument, Item, Score, SubScore


def coerce_choice(item: Item, value: object) -> tuple[int | str | None, str | None]:
    """Turn a form or API value into one of the item's option values. Returns (value, problem)."""
    allowed = item.values
    candidate: object = value
    if isinstance(value, bool):
        candidate = None  # True/False are not scores, even though Python counts them as 1/0
    elif isinstance(value, float) and value.is_integer():
        candidate = int(value)
    elif isinstance(value, str) and all(isinstance(a, int) for a in allowed):
        text = value.strip()
        candidate = int(text) if text.lstrip("-").isdigit() else None
    if isinstance(candidate, int | str) and not isinstance(candidate, bool) and candidate in allowed:
        return candidate, None
    shown = ", ".join(str(a) for a in allowed)
    return None, f"{item.label}: {value!r} is not an allowed value (allowed: {shown})"


def validate_items(
    instrument: Instrument,
    answers: Mapping[str, Any],
    *,
    extra_keys: Iterable[str] = (),
    require_all: bool | None = None,
) -> dict[str, int | str]:
    """Check answers against the items: every key known, every value allowed, nothing required missing.

    All problems are collected and raised together, each naming its field. Keys in `extra_keys` (raw inputs,
    flags such as `confirmed`) are left for the caller. Missing items are errors unless the instrument allows
    partial answers (Fugl-Meyer), in which case sections report themselves incomplete.
    """
    known = {it.id: it for it in instrument.items}
    extras = set(extra_keys)
    problems: list[tuple[str, str]] = []
    values: dict[str, int | str] = {}
    for key, value in answers.items():
        if key in extras:
            continue
        item = known.get(key)
        if item is None:
            problems.append((key, f"unknown item for {instrument.name}"))
            continue
        if value is None:
            continue  # treated as not answered
        choice, problem = coerce_choice(item, value)
        if problem is not None or choice is None:
            problems.append((key, problem or "not an allowed value"))
        else:
            values[key] = choice
    must_be_complete = (not instrument.allow_partial) if require_all is None else require_all
    if must_be_complete:
        for item in instrument.items:
            if item.required and item.id not in values and not any(p[0] == item.id for p in problems):
                problems.append((item.id, f"{item.label}: missing; every item is needed for a total"))
    if problems:
        raise InstrumentValidationError.from_problems(problems)
    return values


def subscore(instrument: Instrument, section_id: str, values: Mapping[str, int | str]) -> SubScore:
    """A section's sum, or None when any of its items is missing (never a partial sum)."""
    section = instrument.section(section_id)
    items = section_items(instrument, section_id)
    answered = [it for it in items if it.id in values]
    missing = tuple(it.id for it in items if it.id not in values)
    complete = not missing
    total = sum(int(values[it.id]) for it in answered) if complete else None
    return SubScore(
        section_id=section_id,
        label=section.label,
        score=total,
        max_score=section.max_score,
        answered=len(answered),
        expected=len(items),
        missing=missing,
    )


def score_item_sum(
    instrument: Instrument,
    values: Mapping[str, int | str],
    *,
    warnings: Iterable[str] = (),
    details: Mapping[str, Any] | None = None,
    with_band: bool = True,
) -> Score:
    """Sum validated item values; the total and band only when every item is answered."""
    subs = {sec.id: subscore(instrument, sec.id, values) for sec in instrument.sections}
    complete = all(it.id in values for it in instrument.items)
    total = float(sum(int(v) for v in values.values())) if complete else None
    band = instrument.band_for(total) if (with_band and total is not None) else None
    return Score(
        instrument_id=instrument.id,
        total=total,
        score_min=instrument.score_min,
        score_max=instrument.score_max,
        direction=instrument.direction,
        subscores=MappingProxyType(subs),
        band=band,
        warnings=tuple(warnings),
        details=MappingProxyType(dict(details or {})),
    )


def score_categories(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """Category instruments: every item answered; one-item ordinal scales (Bristol) also get a band."""
    values = validate_items(instrument, answers)
    total: float | None = None
    band = None
    if len(instrument.items) == 1 and isinstance(values[instrument.items[0].id], int):
        total = float(values[instrument.items[0].id])
        band = instrument.band_for(total)
    warnings: list[str] = []
    if instrument.extra.get("provisional"):
        warnings.append(
            f"{instrument.name}: category wording is provisional and not yet checked against the source"
        )
    labels = {it.id: it.label_for(values[it.id]) for it in instrument.items}
    return Score(
        instrument_id=instrument.id,
        total=total,
        score_min=instrument.score_min,
        score_max=instrument.score_max,
        direction=instrument.direction,
        band=band,
        warnings=tuple(warnings),
        details=MappingProxyType({"values": dict(values), "labels": labels}),
    )
