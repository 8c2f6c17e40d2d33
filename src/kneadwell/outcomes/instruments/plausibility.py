"""Plausibility of numeric entries that are not growth measurements.

Two levels: a value outside what the instrument can possibly record is an error (a slip, a unit mix-up);
a value that is possible but unusual needs the person entering it to confirm. Growth measurements are checked
against references for age and sex in `outcomes.growth`; this helper only knows each input's own limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from .errors import ConfirmationRequired, InstrumentValidationError
from .model import NumericSpec


class PlausibilityStatus(StrEnum):
    OK = "ok"
    UNUSUAL = "unusual"  # possible, but ask the person to confirm
    IMPOSSIBLE = "impossible"  # reject


@dataclass(frozen=True)
class Plausibility:
    status: PlausibilityStatus
    message: str = ""


def _fmt(value: float) -> str:
    return f"{value:g}"


def assess(value: float, spec: NumericSpec, label: str = "value") -> Plausibility:
    """Classify a value against the spec's possible and usual ranges (never raises)."""
    unit = f" {spec.unit}" if spec.unit else ""
    if not math.isfinite(value) or value < spec.minimum or value > spec.maximum:
        return Plausibility(
            PlausibilityStatus.IMPOSSIBLE,
            f"{label} must be between {_fmt(spec.minimum)} and {_fmt(spec.maximum)}{unit}; got {_fmt(value)}",
        )
    low, high = spec.usual_minimum, spec.usual_maximum
    if (low is not None and value < low) or (high is not None and value > high):
        low_shown = low if low is not None else spec.minimum
        high_shown = high if high is not None else spec.maximum
        window = f"{_fmt(low_shown)}-{_fmt(high_shown)}"
        return Plausibility(
            PlausibilityStatus.UNUSUAL,
            f"{label} of {_fmt(value)}{unit} is possible but unusual (usual {window}{unit}); please confirm",
        )
    return Plausibility(PlausibilityStatus.OK)


def to_number(field: str, value: object, label: str | None = None) -> float:
    """Accept ints, floats, Decimals and numeric strings (form input); reject booleans and text."""
    name = label or field
    if isinstance(value, bool) or value is None:
        raise InstrumentValidationError(field, f"{name} needs a number")
    if isinstance(value, int | float | Decimal):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(Decimal(value.strip()))
        except (InvalidOperation, ValueError):
            raise InstrumentValidationError(field, f"{name} needs a number; got {value!r}") from None
    else:
        raise InstrumentValidationError(field, f"{name} needs a number; got {type(value).__name__}")
    if not math.isfinite(number):
        raise InstrumentValidationError(field, f"{name} needs a finite number")
    return number


def decimals_of(value: object) -> int:
    """Decimal places as typed (floats via their shortest repr, so 3.25 has 2)."""
    text = value if isinstance(value, str) else repr(float(value)) if isinstance(value, float) else str(value)
    try:
        exponent = Decimal(text.strip()).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    return max(0, -exponent) if isinstance(exponent, int) else 0


def check_number(
    field: str,
    value: object,
    spec: NumericSpec,
    *,
    confirmed: bool = False,
    label: str | None = None,
) -> tuple[float, tuple[str, ...]]:
    """Validate one numeric entry. Returns (value, warnings).

    Raises InstrumentValidationError for a non-number, too many decimals or an impossible value, and
    ConfirmationRequired for an unusual value that was not confirmed. A confirmed unusual value is kept and
    its message comes back as a warning, so the record shows it was confirmed.
    """
    name = label or field
    number = to_number(field, value, name)
    if decimals_of(value) > spec.decimals:
        raise InstrumentValidationError(
            field, f"{name} takes at most {spec.decimals} decimal place(s) in {spec.unit}; got {value}"
        )
    verdict = assess(number, spec, name)
    if verdict.status is PlausibilityStatus.IMPOSSIBLE:
        raise InstrumentValidationError(field, verdict.message)
    if verdict.status is PlausibilityStatus.UNUSUAL:
        if not confirmed:
            raise ConfirmationRequired(field, verdict.message)
        return number, (f"confirmed: {verdict.message}",)
    return number, ()
