"""Outcome instruments: reviewed catalogue data plus pure scoring (no Django).

Public API (see docs/instruments.md):
    list_instruments(), get_instrument(id), score(id, answers) -> Score, sources(), get_source(id)
    InstrumentValidationError (ValueError; .field, .message, .errors), ConfirmationRequired
    Instrument, Item, Option, NumericSpec, Section, Band, Score, SubScore, Direction, Kind, Source
    Modified Ashworth: mas_to_ordinal, mas_from_ordinal, mas_keys
    Range of motion: movements(), percent_of_normal()
    Measurements: check_measurement()
    Plausibility: assess(), check_number()
    Diary: DiaryEntry, DiaryDay, day_totals, split_at_midnight, evaluate_wessel, evaluate_rome_iv,
           ClinicalExclusions, CriterionResult, CriterionStatus
    Fugl-Meyer: fugl_meyer_change
"""

from .ashworth import mas_from_ordinal, mas_grades, mas_keys, mas_to_ordinal
from .diary import (
    ClinicalExclusions,
    CriterionResult,
    CriterionStatus,
    DayTotals,
    DiaryDay,
    DiaryEntry,
    day_totals,
    evaluate_rome_iv,
    evaluate_wessel,
    split_at_midnight,
    validate_day,
)
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
from .registry import get_instrument, get_source, list_instruments, score, sources
from .rom import RomMovement, RomNorm, RomResult, movements, percent_of_normal

__all__ = [
    "AgeRange",
    "Band",
    "CatalogueError",
    "Change",
    "ClinicalExclusions",
    "ConfirmationRequired",
    "CriterionResult",
    "CriterionStatus",
    "DayTotals",
    "DiaryDay",
    "DiaryEntry",
    "Direction",
    "Instrument",
    "InstrumentValidationError",
    "Item",
    "Kind",
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
    "mas_from_ordinal",
    "mas_grades",
    "mas_keys",
    "mas_to_ordinal",
    "movements",
    "percent_of_normal",
    "score",
    "sources",
    "split_at_midnight",
    "validate_day",
]
