"""Outcome instruments: reviewed catalogue data plus pure scoring (no Django).

Public API (see docs/instruments.md):
    list_instruments(), get_instrument(id), score(id, answers) -> Score, sources(), get_source(id)
    scorer_for(instrument), SCORERS (scoring functions by the name an instrument's `scoring:` gives)
    InstrumentValidationError (ValueError; .field, .message, .errors), ConfirmationRequired
    What code asks an instrument instead of its id (traits.py): .scoring, .chart (Chart), .short_name,
    .listing (Listing), .growth (Growth), .fhir (Fhir), .young_unit / .unit_for_age(), .total_display,
    .inline_options, .prefill, .domains, .canonical_unit
    Instrument, Item, Option, NumericSpec, Section, Band, Score, SubScore, Direction, Kind, Source
    Modified Ashworth: mas_to_ordinal, mas_from_ordinal, mas_keys
    Range of motion: movements(), percent_of_normal()
    Measurements: check_measurement()
    Plausibility: assess(), check_number()
    Diary (diary.py): DiaryEntry, DiaryDay, day_totals, split_at_midnight; colic criteria (colic.py):
           evaluate_wessel, evaluate_rome_iv, ClinicalExclusions, CriterionResult, CriterionStatus
    Fugl-Meyer: fugl_meyer_change
"""

from .ashworth import mas_from_ordinal, mas_grades, mas_keys, mas_to_ordinal
from .colic import ClinicalExclusions, CriterionResult, CriterionStatus, evaluate_rome_iv, evaluate_wessel
from .diary import DayTotals, DiaryDay, DiaryEntry, day_totals, split_at_midnight, validate_day
from .errors import ConfirmationRequired, InstrumentValidationError
from .fugl_meyer import Change, fugl_meyer_change
from .loader import CatalogueError, cited_source_ids
from .measurements import MeasuredValue, check_measurement
from .model import (
    AgeRange,
    Band,
    Direction,
    Instrument,
    Item,
    Kind,
    Mcid,
    NumericSpec,
    Option,
    Score,
    Section,
    Source,
    SubScore,
)
from .plausibility import Plausibility, PlausibilityStatus, assess, check_number
from .registry import (
    SCORERS,
    get_instrument,
    get_source,
    list_instruments,
    listed_groups,
    score,
    scorer_for,
    sources,
)
from .rom import RomMovement, RomNorm, RomResult, movements, percent_of_normal
from .traits import Chart, Coding, Fhir, FhirMethod, Growth, Listing, TotalDisplay, TraitError, YoungUnit

__all__ = [
    "SCORERS",
    "AgeRange",
    "Band",
    "CatalogueError",
    "Change",
    "Chart",
    "ClinicalExclusions",
    "Coding",
    "ConfirmationRequired",
    "CriterionResult",
    "CriterionStatus",
    "DayTotals",
    "DiaryDay",
    "DiaryEntry",
    "Direction",
    "Fhir",
    "FhirMethod",
    "Growth",
    "Instrument",
    "InstrumentValidationError",
    "Item",
    "Kind",
    "Listing",
    "Mcid",
    "MeasuredValue",
    "NumericSpec",
    "Option",
    "Plausibility",
    "PlausibilityStatus",
    "RomMovement",
    "RomNorm",
    "RomResult",
    "Score",
    "Section",
    "Source",
    "SubScore",
    "TotalDisplay",
    "TraitError",
    "YoungUnit",
    "assess",
    "check_measurement",
    "check_number",
    "cited_source_ids",
    "day_totals",
    "evaluate_rome_iv",
    "evaluate_wessel",
    "fugl_meyer_change",
    "get_instrument",
    "get_source",
    "list_instruments",
    "listed_groups",
    "mas_from_ordinal",
    "mas_grades",
    "mas_keys",
    "mas_to_ordinal",
    "movements",
    "percent_of_normal",
    "score",
    "scorer_for",
    "sources",
    "split_at_midnight",
    "validate_day",
]
