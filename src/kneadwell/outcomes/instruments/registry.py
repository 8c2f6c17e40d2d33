"""The public entry points: look instruments up and score answers, whatever the instrument's kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from . import external
from .ashworth import score_mas
from .context_scores import score_activity_mean, score_items_with_context
from .diary_score import score_diary
from .errors import InstrumentValidationError
from .fugl_meyer import score_fugl_meyer
from .gas import score_goal_attainment
from .loader import CatalogueError, load_instruments, load_sources
from .measured_scores import score_length_of_stay, score_peak_flow
from .measurements import score_measurement
from .model import Instrument, Score, Source
from .pain import score_nrs, score_pipp
from .rom import score_rom
from .scale import score_item_scale
from .scoring import score_categories, score_item_sum, validate_items

Scorer = Callable[[Instrument, Mapping[str, Any]], Score]


def _score_plain_sum(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    return score_item_sum(instrument, validate_items(instrument, answers))


# Scoring functions by the name an instrument's `scoring:` key gives (its kind when it gives none). A new
# instrument scored like an existing one names that function in its data; only a new rule needs code here.
SCORERS: Mapping[str, Scorer] = MappingProxyType(
    {
        "item_sum": _score_plain_sum,
        "category": score_categories,
        "grade": score_mas,
        "measurement": score_measurement,
        "range_of_motion": score_rom,
        "diary": score_diary,
        "nrs": score_nrs,
        "pipp": score_pipp,
        "fugl_meyer": score_fugl_meyer,
        "goal_attainment": score_goal_attainment,
        "item_scale": score_item_scale,
        "items_and_context": score_items_with_context,
        "activity_mean": score_activity_mean,
        "peak_flow": score_peak_flow,
        "length_of_stay": score_length_of_stay,
    }
)


def scorer_for(instrument: Instrument) -> Scorer:
    """The scoring function the instrument's data names; CatalogueError for a name no function has."""
    try:
        return SCORERS[instrument.scoring]
    except KeyError:
        raise CatalogueError(
            f"{instrument.id}: scoring {instrument.scoring!r} is not one of {sorted(SCORERS)}"
        ) from None


def list_instruments() -> tuple[Instrument, ...]:
    """Every instrument in the catalogue, sorted by id, then the organisation in force's own measures
    (external.py; none outside a request)."""
    instruments = load_instruments()
    return tuple(instruments[k] for k in sorted(instruments)) + external.known()


def listed_groups() -> tuple[tuple[str, tuple[Instrument, ...]], ...]:
    """The catalogue as the "add a measurement" page lists it: groups named by the instruments' `listing`
    data, each in the order of its lowest-placed instrument, instruments by their place then id. Those
    without a listing come last, under "Other"."""
    listed = (*load_instruments().values(), *external.listed())
    ordered = sorted(listed, key=lambda i: (i.listing.order, i.id))
    groups: dict[str, list[Instrument]] = {}
    for inst in ordered:
        groups.setdefault(inst.listing.group, []).append(inst)
    return tuple((title, tuple(members)) for title, members in groups.items())


def get_instrument(instrument_id: str) -> Instrument:
    """A catalogue instrument, or the organisation in force's own measure (external.py)."""
    found = load_instruments().get(instrument_id) or external.resolve(instrument_id)
    if found is None:
        raise InstrumentValidationError("instrument", f"unknown instrument {instrument_id!r}")
    return found


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
    return scorer_for(instrument)(instrument, answers)
