"""A study outcome: which instrument, at which time points, and the figure analysed, read from the values
the assessors entered. Also the follow-up schedule those time points make for each participant.

Measures (`MEASURES`):

* ``value``: the instrument's number at the analysed time point (a score's total, or a measurement in the
  instrument's canonical unit);
* ``change``: that number minus the one at the baseline time point;
* ``gain_per_day``: weight gain in g/day between the baseline and the analysed time point, (W2 − W1) / days,
  on the dates actually measured (growth/velocity.py ``linear_gain``);
* ``velocity``: growth velocity in g/kg/day by Patel's exponential model, 1000 · ln(W2/W1) / days
  (growth/velocity.py ``exponential_velocity`` [S70]);
* ``event``: 1 when the number at the analysed time point is at or above (``ge``) or at or below (``le``)
  a threshold, else 0: a binary outcome, analysed as risks.

Weight measures need an instrument stored in kilograms (the growth measures' canonical unit), converted to
grams here. No Django import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from kneadwell.core.marking import gettext_noop
from kneadwell.outcomes.growth.velocity import exponential_velocity, linear_gain

MEASURES: Final[dict[str, str]] = {
    "value": gettext_noop("the value at the time point"),
    "change": gettext_noop("change from baseline"),
    "gain_per_day": gettext_noop("weight gain (g/day)"),
    "velocity": gettext_noop("growth velocity (g/kg/day, exponential)"),
    "event": gettext_noop("an event (yes/no) by a threshold"),
}
NEEDS_BASELINE: Final = frozenset({"change", "gain_per_day", "velocity"})
WEIGHT_MEASURES: Final = frozenset({"gain_per_day", "velocity"})
GRAMS_PER_KG: Final = 1000
MAX_DAY = 3650
STATUS_WORDS: Final[dict[str, str]] = {
    "done": gettext_noop("entered"),
    "due": gettext_noop("due now"),
    "upcoming": gettext_noop("not yet due"),
    "missed": gettext_noop("missed (window closed)"),
    "withdrawn": gettext_noop("not expected (withdrawn)"),
}


@dataclass(frozen=True)
class OutcomeSpec:
    code: str
    instrument_id: str
    measure: str
    days: tuple[int, ...]
    analysis_day: int
    baseline_day: int | None = None
    window_days: int = 1
    threshold: float | None = None
    direction: str = "ge"

    @property
    def is_binary(self) -> bool:
        return self.measure == "event"

    @property
    def has_baseline(self) -> bool:
        return self.baseline_day is not None

    def problems(self, *, stored_in_kg: bool) -> list[str]:
        problems = []
        if self.measure not in MEASURES:
            problems.append(f"Unknown measure {self.measure!r}.")
        if not self.days or any(not 0 <= d <= MAX_DAY for d in self.days):
            problems.append(f"Time points are days after randomisation, 0 to {MAX_DAY}.")
        if self.analysis_day not in self.days:
            problems.append("The analysed time point must be one of the time points.")
        if self.baseline_day is not None:
            if self.baseline_day not in self.days:
                problems.append("The baseline time point must be one of the time points.")
            elif self.baseline_day >= self.analysis_day:
                problems.append("The baseline must come before the analysed time point.")
        if self.measure in NEEDS_BASELINE and self.baseline_day is None:
            problems.append(f"{MEASURES[self.measure].capitalize()} needs a baseline time point.")
        if self.measure in WEIGHT_MEASURES and not stored_in_kg:
            problems.append(f"{MEASURES[self.measure].capitalize()} needs a weight (an instrument in kg).")
        if self.measure == "event" and (self.threshold is None or self.direction not in ("ge", "le")):
            problems.append("An event needs a threshold and a direction (at or above, at or below).")
        if not 0 <= self.window_days <= 30:
            problems.append("The window is 0 to 30 days either side.")
        return problems


@dataclass(frozen=True)
class Point:
    taken_on: dt.date
    number: float


@dataclass(frozen=True)
class Derived:
    value: float | None
    baseline: float | None
    why_missing: str = ""


def derive(spec: OutcomeSpec, points: Mapping[int, Point]) -> Derived:
    """The analysed figure and its baseline covariate from the points entered (day -> point)."""
    final = points.get(spec.analysis_day)
    base = points.get(spec.baseline_day) if spec.baseline_day is not None else None
    scale = GRAMS_PER_KG if spec.measure in WEIGHT_MEASURES else 1
    baseline = base.number * scale if base is not None else None
    if final is None:
        return Derived(None, baseline, f"no entry at day {spec.analysis_day}")
    if spec.measure == "value":
        return Derived(final.number, baseline)
    if spec.measure == "event":
        assert spec.threshold is not None
        hit = final.number >= spec.threshold if spec.direction == "ge" else final.number <= spec.threshold
        return Derived(1.0 if hit else 0.0, baseline)
    if base is None:
        return Derived(None, None, f"no baseline entry at day {spec.baseline_day}")
    if spec.measure == "change":
        return Derived(final.number - base.number, baseline)
    days = (final.taken_on - base.taken_on).days
    if days <= 0:
        return Derived(None, baseline, "the two weights are not on different days")
    w1, w2 = base.number * GRAMS_PER_KG, final.number * GRAMS_PER_KG
    if spec.measure == "gain_per_day":
        return Derived(linear_gain(w1, w2, days), baseline)
    return Derived(exponential_velocity(w1, w2, days), baseline)


# --- follow-up ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimePoint:
    instrument_id: str
    day: int
    window_days: int


def time_points(specs: Sequence[OutcomeSpec]) -> list[TimePoint]:
    """Each (instrument, day) the outcomes need once, with the narrowest window any of them asks for."""
    found: dict[tuple[str, int], int] = {}
    for spec in specs:
        for day in spec.days:
            key = (spec.instrument_id, day)
            found[key] = min(found.get(key, spec.window_days), spec.window_days)
    return [TimePoint(i, d, w) for (i, d), w in sorted(found.items(), key=lambda kv: (kv[0][1], kv[0][0]))]


def window(randomised_on: dt.date, point: TimePoint) -> tuple[dt.date, dt.date, dt.date]:
    """(opens, due, closes). Day 0 is the baseline: it may be taken up to the window before randomisation
    but not after that day, when the allocated programme starts."""
    due = randomised_on + dt.timedelta(days=point.day)
    opens = due - dt.timedelta(days=point.window_days)
    closes = due if point.day == 0 else due + dt.timedelta(days=point.window_days)
    return opens, due, closes


def status(*, randomised_on: dt.date, point: TimePoint, today: dt.date, done: bool, followed: bool) -> str:
    """`followed` is false once the participant left follow-up (withdrew consent, was lost, moved away):
    what they did not give by then is no longer expected. A participant who only stopped the programme
    is still followed (intention to treat needs their outcomes)."""
    if done:
        return "done"
    opens, _due, closes = window(randomised_on, point)
    if not followed:
        return "withdrawn"
    if today < opens:
        return "upcoming"
    if today <= closes:
        return "due"
    return "missed"
