"""Data classes describing instruments and their scores.

These are what entry forms and charts are built from: an `Instrument` lists its items with the allowed
values and their meanings (in our own words), its sections, interpretation bands with sources, the direction
of "worse" for charts, and the sources. A `Score` is what scoring returns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, cast

from .traits import Chart, Fhir, Growth, Listing, MethodByAge, TotalDisplay, Traits, YoungUnit, read_traits


class Direction(StrEnum):
    """Which way is worse, for charts and for reading change."""

    HIGHER_WORSE = "higher_worse"
    HIGHER_BETTER = "higher_better"
    # Two-sided scales (stool form) or plain measurements whose meaning depends on references.
    NEITHER = "neither"


class Kind(StrEnum):
    ITEM_SUM = "item_sum"  # items summed to a total (NIPS, FLACC, PIPP, NRS, Fugl-Meyer)
    GRADE = "grade"  # one ordinal grade per muscle group and side (Modified Ashworth)
    CATEGORY = "category"  # categories, no total (Bristol, Amsterdam)
    MEASUREMENT = "measurement"  # one value with a unit (weight, length, body composition)
    RANGE_OF_MOTION = "range_of_motion"
    DIARY = "diary"  # 24-hour behaviour diary


@dataclass(frozen=True)
class Source:
    id: str
    short: str
    citation: str
    url: str
    kind: str
    note: str = ""


@dataclass(frozen=True)
class Option:
    """One allowed answer of an item: the stored value and what it means."""

    value: int | str
    label: str


@dataclass(frozen=True)
class NumericSpec:
    """A numeric input: allowed (possible) range, a usual range that asks for confirmation outside it,
    and how many decimals are accepted."""

    unit: str
    minimum: float
    maximum: float
    decimals: int = 0
    usual_minimum: float | None = None
    usual_maximum: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.minimum) and math.isfinite(self.maximum)) or self.minimum > self.maximum:
            raise ValueError(f"bad numeric range {self.minimum}..{self.maximum}")


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    section: str | None = None
    options: tuple[Option, ...] = ()
    numeric: NumericSpec | None = None
    required: bool = True
    help: str = ""
    source_ids: tuple[str, ...] = ()

    @property
    def values(self) -> tuple[int | str, ...]:
        return tuple(o.value for o in self.options)

    @property
    def max_value(self) -> int | None:
        ints = [o.value for o in self.options if isinstance(o.value, int)]
        return max(ints) if ints else None

    def choices(self) -> list[tuple[int | str, str]]:
        """(value, label) pairs in the shape Django's `choices` expects."""
        return [(o.value, o.label) for o in self.options]

    def label_for(self, value: int | str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        raise KeyError(value)


@dataclass(frozen=True)
class Section:
    """A group of items with its own sub-score; `parent` nests parts inside sections inside domains."""

    id: str
    label: str
    max_score: int | None = None
    parent: str | None = None
    source_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Band:
    """An interpretation band over the total, inclusive at both ends, with its source."""

    id: str
    label: str
    minimum: float
    maximum: float
    source_ids: tuple[str, ...]

    def contains(self, value: float) -> bool:
        return self.minimum <= value <= self.maximum


@dataclass(frozen=True)
class AgeRange:
    """Ages the instrument is meant for, in days (None: no bound); `note` says what the sources say."""

    min_days: int | None
    max_days: int | None
    note: str = ""

    def includes(self, days: int) -> bool:
        """Whether an age in days is within the range."""
        return (self.min_days is None or days >= self.min_days) and (
            self.max_days is None or days <= self.max_days
        )


@dataclass(frozen=True)
class Mcid:
    low: float
    high: float
    applies_to: str
    source_ids: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    kind: Kind
    measures: str
    population: str
    age_range: AgeRange
    direction: Direction
    source_ids: tuple[str, ...]
    licence: str
    items: tuple[Item, ...] = ()
    raw_inputs: tuple[Item, ...] = ()
    sections: tuple[Section, ...] = ()
    bands: tuple[Band, ...] = ()
    score_min: float | None = None
    score_max: float | None = None
    allow_partial: bool = False
    mcid: Mcid | None = None
    notes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # Read from `extra` when the instrument is built (see traits.py): what code asks the instrument instead
    # of testing its id. Always derived: a value passed in (a copy made with `**other.__dict__`) is replaced,
    # so it can never disagree with `extra`.
    traits: Traits = field(default=cast(Traits, None), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "traits", read_traits(self.id, self.name, self.kind.value, self.extra))

    @property
    def scoring(self) -> str:
        """The name of its scoring function (registry.SCORERS); by default its kind."""
        return self.traits.scoring

    @property
    def version(self) -> str:
        """The instrument's own version ("1" unless its data says otherwise; an organisation's measure: the
        number of its published version). Every measurement stores the one it was scored with."""
        return self.traits.version

    @property
    def chart(self) -> Chart:
        return self.traits.chart

    @property
    def short_name(self) -> str:
        """A short name for headings and lists ("Weight"); the full name when none is given."""
        return self.traits.short_name

    @property
    def listing(self) -> Listing:
        return self.traits.listing

    @property
    def growth(self) -> Growth | None:
        """Set for a growth measure (compared with growth references); None otherwise."""
        return self.traits.growth

    @property
    def fhir(self) -> Fhir | None:
        return self.traits.fhir

    @property
    def total_display(self) -> TotalDisplay | None:
        return self.traits.total_display

    @property
    def inline_options(self) -> bool:
        """Short answers (0/1/2) shown side by side on the entry form."""
        return self.traits.inline_options

    @property
    def prefill(self) -> Mapping[str, str]:
        """Item id -> the client fact an entry form fills in for it (e.g. age_years)."""
        return self.traits.prefill

    @property
    def domains(self) -> tuple[str, ...]:
        """Section ids scored as domains on their own (charted and shown when there is no total)."""
        return tuple(str(d) for d in self.extra.get("domains", ()))

    @property
    def canonical_unit(self) -> str:
        """A measurement's stored unit ("" for a scored instrument)."""
        return str(self.extra.get("canonical_unit", ""))

    @property
    def young_unit(self) -> YoungUnit | None:
        return self.traits.young_unit

    @property
    def method_by_age(self) -> MethodByAge | None:
        return self.traits.method_by_age

    def method_for_age(self, age_days: int) -> str:
        """The usual way of measuring at this age among the instrument's `methods` ("" when it has none)."""
        by_age = self.traits.method_by_age
        return by_age.at(age_days) if by_age is not None else ""

    def unit_for_age(self, age_days: int) -> str:
        """The unit a measurement is entered and shown in at this age (grams for a baby's weight)."""
        young = self.traits.young_unit
        if young is not None and age_days < young.under_days:
            return young.unit
        return self.canonical_unit

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def section(self, section_id: str) -> Section:
        for sec in self.sections:
            if sec.id == section_id:
                return sec
        raise KeyError(section_id)

    def band_for(self, total: float) -> Band | None:
        for band in self.bands:
            if band.contains(total):
                return band
        return None

    def all_source_ids(self) -> set[str]:
        ids = set(self.source_ids)
        for it in (*self.items, *self.raw_inputs):
            ids.update(it.source_ids)
        for sec in self.sections:
            ids.update(sec.source_ids)
        for band in self.bands:
            ids.update(band.source_ids)
        if self.mcid:
            ids.update(self.mcid.source_ids)
        return ids


@dataclass(frozen=True)
class SubScore:
    """A section's score. `score` is None when the section is incomplete: we never sum part of a section."""

    section_id: str
    label: str
    score: float | None
    max_score: float | None
    answered: int
    expected: int
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.answered == self.expected

    @property
    def assessed(self) -> bool:
        return self.answered > 0


@dataclass(frozen=True)
class Score:
    """The result of scoring one set of answers.

    total: the instrument's total (None when there is none or it is incomplete).
    subscores: per section (or per muscle group and side, per movement...), keyed by id.
    band: interpretation band with its sources, when the instrument has one and it applies.
    warnings: things a clinician should read (incomplete sections, age outside validation...).
    details: instrument-specific extras (derived item scores, ordinal codes, % of normal...).
    """

    instrument_id: str
    total: float | None
    score_min: float | None
    score_max: float | None
    direction: Direction
    subscores: Mapping[str, SubScore] = field(default_factory=lambda: MappingProxyType({}))
    band: Band | None = None
    warnings: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.subscores.values() if s.assessed)
