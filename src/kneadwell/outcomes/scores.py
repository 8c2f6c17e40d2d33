"""Turn an instrument `Score` into the plain, JSON-safe columns a `Measurement` row stores. Pure: no Django.

Scores carry frozen dataclasses, mapping proxies, enums, dates and tuples (diary days, criterion results);
the database and the API want dicts, lists, strings and numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kneadwell.outcomes.instruments import Instrument, Kind, Score


def to_json(value: Any) -> Any:
    """A JSON-safe copy: dataclasses and mappings become dicts, tuples and sets lists, dates ISO strings,
    enums their value, and non-finite floats None (JSON has no NaN)."""
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_json(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


@dataclass(frozen=True)
class ScoreColumns:
    value: float | None = None
    unit: str = ""
    total: float | None = None
    subscores: dict[str, Any] = field(default_factory=dict)
    band: str = ""
    band_label: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    site: str = ""
    side: str = ""


def score_columns(instrument: Instrument, score: Score) -> ScoreColumns:
    """What a measurement row stores from a score. Confirmed-unusual messages ("confirmed: ...") are left
    out of `warnings`: the row keeps them in `confirmed_warnings`."""
    subscores = {
        key: {
            "label": sub.label,
            "score": sub.score,
            "max": sub.max_score,
            "answered": sub.answered,
            "expected": sub.expected,
            "missing": list(sub.missing),
        }
        for key, sub in score.subscores.items()
    }
    site = side = ""
    if instrument.kind in (Kind.GRADE, Kind.RANGE_OF_MOTION) and len(score.subscores) == 1:
        site, _, side = next(iter(score.subscores)).partition(".")
    is_measurement = instrument.kind is Kind.MEASUREMENT
    return ScoreColumns(
        value=score.total if is_measurement else None,
        unit=str(score.details.get("unit", "")) if is_measurement else "",
        total=score.total,
        subscores=to_json(subscores),
        band=score.band.id if score.band else "",
        band_label=score.band.label if score.band else "",
        details=to_json(score.details),
        warnings=[w for w in score.warnings if not w.startswith("confirmed: ")],
        site=site,
        side=side,
    )
