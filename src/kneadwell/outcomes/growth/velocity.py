"""Growth velocity from a series of weights.

Three methods; the result always says which one was used:

* ``exponential`` (Patel et al.): 1000 · ln(Wn / W1) / (Dn − D1) g/kg/day. Patel AL, Engstrom JL, Meier
  PP, Kimura RE, Pediatrics 2005;116:1466-1473 (extremely low birth weight infants), and Patel AL et al.,
  J Perinatol 2009;29:618-622 (PMC2767524): within 1% of the true velocity in every infant of 1000-1499 g,
  against 38-44% for the 2-point method.
* ``average-2-point``: 1000 · (Wn − W1) / {[(Wn + W1) / 2] · (Dn − D1)} g/kg/day (same sources).
* ``linear``: (Wn − W1) / (Dn − D1) g/day, no per-kilogram figure.

W1, Wn are the first and last weights of the window (grams), D1, Dn their dates. All three use only those
two points; the weights in between matter for finding the window (below) and for plausibility checks. The
plain gain in g/day is reported for every method.

Excluding the postnatal weight-loss phase. Velocities that start at birth are pulled down by the normal
early weight loss. Fenton et al. (Pediatr Res 2019) compare the methods; the project's research notes
(clinical-facts section 6, sources S70/S71) report that once the loss phase is excluded the estimates
converge on about 15.5-15.8 g/kg/day, and that 15-20 g/kg/day is a reasonable goal only from 23 to 36
weeks. With ``start_after_regain`` the window starts at the regain point, found from the series and the
birth weight like this (our rule):

1. the weight-loss phase starts at the first weight after birth that is below the birth weight;
2. birth weight is regained at the first later weight that is at or above the birth weight; the window
   starts at that weight's date;
3. if no weight after birth is below the birth weight there is no loss phase, and the window starts at
   birth;
4. if weight is lost and not yet regained, there is no velocity (``VelocityError``).

Several weights on one date are averaged (a re-weigh is a second look at the same quantity).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

VelocityMethod = Literal["exponential", "average-2-point", "linear"]
VELOCITY_METHODS: Final[tuple[VelocityMethod, ...]] = ("exponential", "average-2-point", "linear")


class VelocityError(ValueError):
    """The series cannot give a velocity; the message says why in words (English: the CLI writes it). A
    page words it in its own language from `code` and `params` (outcomes/growth_words.py)."""

    def __init__(self, message: str, *, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class WeightPoint:
    date: dt.date
    weight_g: float


@dataclass(frozen=True)
class VelocityResult:
    method: VelocityMethod
    start_date: dt.date
    end_date: dt.date
    days: int
    start_weight_g: float
    end_weight_g: float
    gain_g_per_day: float
    velocity_g_kg_day: float | None  # None for the linear method
    points_used: int  # dated weights inside the window (after same-day averaging)
    regain_date: dt.date | None = None  # set when the window was started at regain of birth weight


def exponential_velocity(w1_g: float, wn_g: float, days: float) -> float:
    """Patel exponential model: 1000 · ln(Wn/W1) / (Dn − D1), g/kg/day."""
    return 1000 * math.log(wn_g / w1_g) / days


def average_two_point_velocity(w1_g: float, wn_g: float, days: float) -> float:
    """Average 2-point model: 1000 · (Wn − W1) / {[(Wn + W1)/2] · (Dn − D1)}, g/kg/day."""
    return 1000 * (wn_g - w1_g) / (((wn_g + w1_g) / 2) * days)


def linear_gain(w1_g: float, wn_g: float, days: float) -> float:
    """(Wn − W1) / (Dn − D1), g/day."""
    return (wn_g - w1_g) / days


def daily_weights(points: Iterable[WeightPoint]) -> list[WeightPoint]:
    """One weight per date (the mean of same-day weights), sorted by date; weights must be positive."""
    by_date: dict[dt.date, list[float]] = {}
    for p in points:
        if not math.isfinite(p.weight_g) or p.weight_g <= 0:
            raise VelocityError(
                f"weight on {p.date.isoformat()} must be a positive number of grams",
                code="weight_not_positive",
                date=p.date,
            )
        by_date.setdefault(p.date, []).append(p.weight_g)
    return [WeightPoint(d, sum(ws) / len(ws)) for d, ws in sorted(by_date.items())]


def regain_index(series: Sequence[WeightPoint], birth_weight_g: float) -> int | None:
    """Index in ``series`` (sorted, one per date, first entry = birth) where the window starts: 0 when
    there was no weight loss, the first weight ≥ birth weight after a loss, or None if not yet regained."""
    loss = next((i for i in range(1, len(series)) if series[i].weight_g < birth_weight_g), None)
    if loss is None:
        return 0
    return next((j for j in range(loss + 1, len(series)) if series[j].weight_g >= birth_weight_g), None)


def velocity(
    points: Iterable[WeightPoint],
    method: VelocityMethod = "exponential",
    *,
    start_after_regain: bool = False,
    birth_weight_g: float | None = None,
    birth_date: dt.date | None = None,
) -> VelocityResult:
    """Growth velocity over the series (or from regain of birth weight to its end).

    With ``start_after_regain``, give ``birth_weight_g`` (and ``birth_date`` if the birth weight is not
    the first point of ``points``); without them the earliest weight is taken as the birth weight."""
    if method not in VELOCITY_METHODS:
        raise VelocityError(f"method must be one of {', '.join(VELOCITY_METHODS)}", code="unknown_method")
    series = daily_weights(points)
    regain_date: dt.date | None = None
    if start_after_regain:
        if birth_weight_g is not None:
            bdate = birth_date or (series[0].date if series else None)
            if bdate is None:
                raise VelocityError("no weights given", code="no_weights")
            if birth_weight_g <= 0 or not math.isfinite(birth_weight_g):
                raise VelocityError(
                    "birth weight must be a positive number of grams", code="birth_weight_not_positive"
                )
            series = [WeightPoint(bdate, birth_weight_g)] + [p for p in series if p.date > bdate]
        if not series:
            raise VelocityError("no weights given", code="no_weights")
        start = regain_index(series, series[0].weight_g)
        if start is None:
            raise VelocityError(
                f"birth weight ({series[0].weight_g:g} g) has not been regained "
                f"by {series[-1].date.isoformat()}",
                code="not_regained",
                birth_weight_g=series[0].weight_g,
                last_date=series[-1].date,
            )
        if start > 0:
            regain_date = series[start].date
        series = series[start:]
    if len(series) < 2:
        raise VelocityError("needs weights on at least two different dates", code="too_few")
    first, last = series[0], series[-1]
    days = (last.date - first.date).days
    gain = linear_gain(first.weight_g, last.weight_g, days)
    rate: float | None
    if method == "exponential":
        rate = exponential_velocity(first.weight_g, last.weight_g, days)
    elif method == "average-2-point":
        rate = average_two_point_velocity(first.weight_g, last.weight_g, days)
    else:
        rate = None
    return VelocityResult(
        method=method,
        start_date=first.date,
        end_date=last.date,
        days=days,
        start_weight_g=first.weight_g,
        end_weight_g=last.weight_g,
        gain_g_per_day=gain,
        velocity_g_kg_day=rate,
        points_used=len(series),
        regain_date=regain_date,
    )
