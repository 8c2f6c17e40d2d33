"""The `item_scale` scoring rule: a total that is the sum or the mean of the items, with some items
reversed, over items that are answer options or numbers with a unit and range. Pure: no Django.

Organisations' own measures are scored by it (docs/custom-measures.md); any catalogue instrument could
name it too. What it reads from the instrument's `extra["scale"]`:

* `method`: "sum" (every item must be answered) or "mean" (the mean of the answered items);
* `min_answered`: for a mean, how many items must be answered for a score (default: all of them). Below
  that, nothing is scored: a mean over too few items says little, and guessing the rest would invent data;
* `reversed`: item ids scored the other way round, as (lowest + highest - answer) of that item, so that
  every item points the same way before they are added up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .errors import InstrumentValidationError
from .model import Instrument, Item, Score
from .scoring import coerce_choice

SUM = "sum"
MEAN = "mean"
METHODS = (SUM, MEAN)
MEAN_DECIMALS = 2


def item_bounds(item: Item) -> tuple[float, float]:
    """The lowest and highest value an item can take (its options' values, or its numeric range)."""
    if item.numeric is not None:
        return item.numeric.minimum, item.numeric.maximum
    values = [float(v) for v in item.values if isinstance(v, int)]
    return min(values), max(values)


def _number(item: Item, value: object) -> tuple[float | None, str | None]:
    spec = item.numeric
    assert spec is not None
    if isinstance(value, bool):
        return None, f"{item.label}: {value!r} is not a number"
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None, f"{item.label}: {value!r} is not a number"
    if not math.isfinite(number):
        return None, f"{item.label}: {value!r} is not a number"
    if not spec.minimum <= number <= spec.maximum:
        return None, f"{item.label}: {number:g} is outside {spec.minimum:g}-{spec.maximum:g} {spec.unit}"
    if round(number, spec.decimals) != number:
        return None, f"{item.label}: give at most {spec.decimals} decimal(s)"
    return number, None


def _validate(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, float]:
    known = {it.id: it for it in instrument.items}
    problems: list[tuple[str, str]] = []
    values: dict[str, float] = {}
    for key, value in answers.items():
        if key == "confirmed":
            continue  # the service's flag; nothing here asks for confirmation
        item = known.get(str(key))
        if item is None:
            problems.append((str(key), f"unknown item for {instrument.name}"))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # not answered
        if item.numeric is not None:
            number, problem = _number(item, value)
        else:
            choice, problem = coerce_choice(item, value)
            number = None if choice is None or isinstance(choice, str) else float(choice)
        if problem is not None or number is None:
            problems.append((item.id, problem or f"{item.label}: not an allowed value"))
        else:
            values[item.id] = number
    scale = instrument.extra.get("scale") or {}
    method = str(scale.get("method", SUM))
    count = len(instrument.items)
    needed = count if method == SUM else int(scale.get("min_answered") or count)
    if len(values) + len(problems) < needed:
        for item in instrument.items:
            if item.id not in values and not any(p[0] == item.id for p in problems):
                what = (
                    "every item is needed for a total"
                    if method == SUM
                    else (f"at least {needed} of the {len(instrument.items)} items are needed for a score")
                )
                problems.append((item.id, f"{item.label}: missing; {what}"))
    if problems:
        raise InstrumentValidationError.from_problems(problems)
    return values


def score_item_scale(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """Validate the answers, reverse the reversed items, and add them up (or take their mean)."""
    values = _validate(instrument, answers)
    scale = instrument.extra.get("scale") or {}
    method = str(scale.get("method", SUM))
    reverse = {str(i) for i in scale.get("reversed", ())}
    items = {it.id: it for it in instrument.items}
    scored: dict[str, float] = {}
    for item_id, value in values.items():
        low, high = item_bounds(items[item_id])
        scored[item_id] = low + high - value if item_id in reverse else value
    if method == MEAN:
        total = round(sum(scored.values()) / len(scored), MEAN_DECIMALS)
    else:
        total = sum(scored.values())
    expected = len(instrument.items)
    warnings = []
    if len(scored) < expected:
        warnings.append(
            f"{expected - len(scored)} of {expected} items not answered: the score is the mean of the "
            f"{len(scored)} answered."
        )
    return Score(
        instrument_id=instrument.id,
        total=total,
        score_min=instrument.score_min,
        score_max=instrument.score_max,
        direction=instrument.direction,
        band=instrument.band_for(total),
        warnings=tuple(warnings),
        details=MappingProxyType(
            {
                "method": method,
                "item_scores": scored,
                "reversed": sorted(reverse & set(scored)),
                "answered": len(scored),
                "expected": expected,
            }
        ),
    )
