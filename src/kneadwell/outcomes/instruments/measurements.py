"""Simple measurements with units (weight, length/height, head circumference, body composition): unit
conversion to the canonical unit, decimals, and the possible/usual plausibility check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .context import DETAILS_KEY, context_ids, read_context
from .errors import InstrumentValidationError, Problems
from .loader import load_instruments
from .model import Instrument, Kind, NumericSpec, Score
from .plausibility import check_number


@dataclass(frozen=True)
class UnitSpec:
    unit: str
    factor: float  # multiply by this to get the canonical unit
    decimals: int


@dataclass(frozen=True)
class MeasuredValue:
    measurement_id: str
    value: float  # in the canonical unit
    unit: str  # canonical unit
    entered_value: float
    entered_unit: str
    warnings: tuple[str, ...] = ()


def units(instrument: Instrument) -> tuple[UnitSpec, ...]:
    return tuple(
        UnitSpec(str(u["unit"]), float(u["factor"]), int(u["decimals"])) for u in instrument.extra["units"]
    )


def measurement_instrument(measurement_id: str) -> Instrument:
    inst = load_instruments().get(measurement_id)
    if inst is None or inst.kind is not Kind.MEASUREMENT:
        raise InstrumentValidationError("measurement", f"unknown measurement {measurement_id!r}")
    return inst


def _in_unit(canonical_value: float, factor: float) -> float:
    # Rounded so that 0.2 kg becomes exactly 200 g, not 200.00000000000003 (which would reject 200 g).
    return round(canonical_value / factor, 9)


def check_measurement(
    measurement_id: str, value: object, unit: str | None = None, *, confirmed: bool = False
) -> MeasuredValue:
    """Validate and convert one measurement. Errors name the field 'value' or 'unit'."""
    inst = measurement_instrument(measurement_id)
    canonical = str(inst.extra["canonical_unit"])
    unit = unit or canonical
    spec_by_unit = {u.unit: u for u in units(inst)}
    if unit not in spec_by_unit:
        raise InstrumentValidationError("unit", f"{inst.name} takes {', '.join(spec_by_unit)}; got {unit!r}")
    unit_spec = spec_by_unit[unit]
    canonical_spec = inst.items[0].numeric
    assert canonical_spec is not None
    # Limits expressed in the entered unit, so messages use the unit the person typed.
    factor = unit_spec.factor
    entered_spec = NumericSpec(
        unit=unit,
        minimum=_in_unit(canonical_spec.minimum, factor),
        maximum=_in_unit(canonical_spec.maximum, factor),
        decimals=unit_spec.decimals,
        usual_minimum=None
        if canonical_spec.usual_minimum is None
        else _in_unit(canonical_spec.usual_minimum, factor),
        usual_maximum=None
        if canonical_spec.usual_maximum is None
        else _in_unit(canonical_spec.usual_maximum, factor),
    )
    entered, warnings = check_number("value", value, entered_spec, confirmed=confirmed, label=inst.name)
    return MeasuredValue(
        measurement_id=measurement_id,
        value=round(entered * factor, 9),
        unit=canonical,
        entered_value=entered,
        entered_unit=unit,
        warnings=warnings,
    )


def score_measurement(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """Answers: value, unit (default canonical), confirmed (bool), method (length_height only), and the
    instrument's context inputs (context.py: stored in `details["context_inputs"]`, never scored)."""
    contexts = context_ids(instrument)
    allowed = {"value", "unit", "confirmed", "method"} | contexts
    problems = Problems()
    for k in answers:
        if k not in allowed:
            problems.add(k, f"unknown field for {instrument.name}")
    methods = {str(m["id"]) for m in instrument.extra.get("methods", ())}
    method = answers.get("method")
    if method is not None and method not in methods:
        problems.add("method", f"{instrument.name} takes method {', '.join(sorted(methods)) or 'none'}")
    if answers.get("value") is None:
        problems.add("value", f"{instrument.name}: missing")
    confirmed = bool(answers.get("confirmed", False))
    given: dict[str, Any] = {}
    context_warnings: tuple[str, ...] = ()
    try:
        given, context_warnings = read_context(instrument, answers, confirmed=confirmed)
    except InstrumentValidationError as exc:
        problems.absorb(exc)
    measured = None
    if answers.get("value") is not None:
        unit = answers.get("unit")
        try:
            measured = check_measurement(
                instrument.id, answers["value"], None if unit is None else str(unit), confirmed=confirmed
            )
        except InstrumentValidationError as exc:
            problems.absorb(exc)
    problems.raise_if_any()
    assert measured is not None
    return Score(
        instrument_id=instrument.id,
        total=measured.value,
        score_min=None,
        score_max=None,
        direction=instrument.direction,
        warnings=measured.warnings + context_warnings,
        details=MappingProxyType(
            {
                "unit": measured.unit,
                "entered_value": measured.entered_value,
                "entered_unit": measured.entered_unit,
            }
            | ({"method": method} if method else {})
            | ({DETAILS_KEY: given} if given else {})
        ),
    )
