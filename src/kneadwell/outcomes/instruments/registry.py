"""The public entry points: look instruments up and score answers, whatever the instrument's kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .ashworth import score_mas
from .diary import score_diary
from .errors import InstrumentValidationError
from .fugl_meyer import score_fugl_meyer
from .loader import load_instruments, load_sources
from .measurements import score_measurement
from .model import Instrument, Kind, Score, Source
from .pain import score_nrs, score_pipp
from .rom import score_rom
from .scoring import score_categories, score_item_sum, validate_items

Scorer = Callable[[Instrument, Mapping[str, Any]], Score]


def _score_plain_sum(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    return score_item_sum(instrument, validate_items(instrument, answers))


# Instruments with their own rules; the rest are scored by kind.
_BY_ID: dict[str, Scorer] = {
    "nrs": score_nrs,
    "pipp": score_pipp,
    "fugl_meyer": score_fugl_meyer,
}
_BY_KIND: dict[Kind, Scorer] = {
    Kind.ITEM_SUM: _score_plain_sum,
    Kind.CATEGORY: score_categories,
    Kind.GRADE: score_mas,
    Kind.MEASUREMENT: score_measurement,
    Kind.RANGE_OF_MOTION: score_rom,
    Kind.DIARY: score_diary,
}


def list_instruments() -> tuple[Instrument, ...]:
    """Every instrument in the catalogue, sorted by id."""
    instruments = load_instruments()
    return tuple(instruments[k] for k in sorted(instruments))


def get_instrument(instrument_id: str) -> Instrument:
    try:
        return load_instruments()[instrument_id]
    except KeyError:
        raise InstrumentValidationError("instrument", f"unknown instrument {instrument_id!r}") from None


def get_source(source_id: str) -> Source:
    try:
        return load_sources()[source_id]
    except KeyError:
        raise KeyError(f"unknown source {source_id!r}") from None


def sources() -> Mapping[str, Source]:
    return load_sources()


def score(instrument_id: str, answers: Mapping[str, Any]) -> Score:
    """Validate and score answers. Raises InstrumentValidationError (a ValueError) naming the field, or
    ConfirmationRequired when a possible but unusual value has not been confirmed."""
    instrument = get_instrument(instrument_id)
    if not isinstance(answers, Mapping):
        raise InstrumentValidationError("answers", "needs a mapping of item id to answer")
    scorer = _BY_ID.get(instrument.id) or _BY_KIND[instrument.kind]
    return scorer(instrument, answers)
