"""Goal attainment scaling across several goals. Pure: no Django.

Each goal attainment entry rates one goal on the five levels -2..+2 (0 = the level expected by the review
date) and names the goal it rates (`goal`, a short label written the same way each time) and, optionally,
the goal's weight. Entries with the same label (ignoring case and spacing) are one goal. The summary score
across goals is Kiresuk and Sherman's T-score [GAS-KS-1968], in the form Turner-Stokes' practical guide
gives after its erratum [GAS-TS-2009]:

    T = 50 + 10·Σ(wᵢxᵢ) / √((1−ρ)·Σwᵢ² + ρ·(Σwᵢ)²)

with xᵢ each goal's level, wᵢ its weight (1 when none is given) and ρ the assumed correlation between the
goals' levels. It is 50 when every goal is at its expected level, and moves about 10 per standard
deviation above or below.

    t_score([(1, 1), (0, 1), (-1, 1)])     # 50.0
    summarise(entries)                       # goals with their first and latest levels, both T-scores
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .errors import InstrumentValidationError, Problems
from .model import Instrument, Score
from .plausibility import check_number
from .scoring import validate_items

# The correlation assumed between goals' levels. Kiresuk and Sherman took 0.3 [GAS-KS-1968]; the practical
# guide keeps it as the convention, giving the denominator √(0.7·Σw² + 0.3·(Σw)²) [GAS-TS-2009].
RHO = 0.3
FORMULA = "T = 50 + 10·Σ(wᵢxᵢ) / √((1 − ρ)·Σwᵢ² + ρ·(Σwᵢ)²), ρ = 0.3"
FORMULA_SOURCES = ("GAS-KS-1968", "GAS-TS-2009")
LEVELS = (-2, -1, 0, 1, 2)
# A goal's label is stored with its entry and read back as its identity; the width of a measurement's
# `site` column, our choice, long enough for "walk to the corner shop without a stick".
GOAL_MAX_CHARS = 64
UNNAMED = "Goal without a name"
GOAL_INPUT, WEIGHT_INPUT = "goal", "weight"


def t_score(goals: Sequence[tuple[float, float]], *, rho: float = RHO) -> float:
    """The GAS T-score of (level, weight) pairs, one per goal. Levels are -2..+2, weights positive."""
    if not goals:
        raise ValueError("a T-score needs at least one goal")
    if not 0 <= rho < 1:
        raise ValueError("rho is a correlation from 0 up to (not including) 1")
    for level, weight in goals:
        if level not in LEVELS:
            raise ValueError(f"a goal's level is one of {LEVELS}; got {level!r}")
        if not (math.isfinite(weight) and weight > 0):
            raise ValueError(f"a goal's weight is a positive number; got {weight!r}")
    weighted = sum(weight * level for level, weight in goals)
    squares = sum(weight * weight for _, weight in goals)
    total = sum(weight for _, weight in goals)
    return 50 + 10 * weighted / math.sqrt((1 - rho) * squares + rho * total * total)


def goal_label(raw: object) -> str:
    """A goal's label as shown: spacing collapsed ("" when none was given)."""
    return re.sub(r"\s+", " ", str(raw or "")).strip()


def goal_key(label: str) -> str:
    """What makes two entries the same goal: the label ignoring case and spacing."""
    return goal_label(label).casefold()


# --- scoring one entry ------------------------------------------------------------------------------


def score_goal_attainment(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """One goal's level (the total, with its band) and the goal it rates: `goal` (optional text, at most
    GOAL_MAX_CHARS) and `weight` (optional, within the catalogue's range), kept in `details`."""
    confirmed = bool(answers.get("confirmed", False))
    problems = Problems()
    values: dict[str, int | str] = {}
    try:
        values = validate_items(instrument, answers, extra_keys=(GOAL_INPUT, WEIGHT_INPUT, "confirmed"))
    except InstrumentValidationError as exc:
        problems.absorb(exc)
    goal_raw = answers.get(GOAL_INPUT)
    label = ""
    if goal_raw is not None and not isinstance(goal_raw, str):
        problems.add(GOAL_INPUT, "The goal is a short text, such as “walk to the shop without a stick”.")
    else:
        label = goal_label(goal_raw)
        if len(label) > GOAL_MAX_CHARS:
            problems.add(
                GOAL_INPUT, f"Name the goal in at most {GOAL_MAX_CHARS} characters; it is its label."
            )
    weight: float | None = None
    raw_weight = answers.get(WEIGHT_INPUT)
    if raw_weight not in (None, ""):
        spec = next(r.numeric for r in instrument.raw_inputs if r.id == WEIGHT_INPUT)
        assert spec is not None  # the catalogue gives the weight a numeric range
        try:
            weight, _ = check_number(WEIGHT_INPUT, raw_weight, spec, confirmed=confirmed, label="Weight")
        except InstrumentValidationError as exc:
            problems.absorb(exc)
    problems.raise_if_any()
    level_item = instrument.items[0]
    level = values[level_item.id]
    total = float(level)
    labels = {level_item.id: level_item.label_for(level)}
    return Score(
        instrument_id=instrument.id,
        total=total,
        score_min=instrument.score_min,
        score_max=instrument.score_max,
        direction=instrument.direction,
        band=instrument.band_for(total),
        details=MappingProxyType(
            {"values": dict(values), "labels": labels, GOAL_INPUT: label, WEIGHT_INPUT: weight}
        ),
    )


# --- across goals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalEntry:
    """One rating of one goal, as the summary reads it from a stored measurement."""

    goal: str
    level: int
    weight: float | None
    taken_at: dt.datetime


@dataclass(frozen=True)
class GoalRow:
    """One goal: its label, weight, first and latest levels, and how many ratings it has."""

    goal: str
    weight: float
    first_level: int
    first_at: dt.datetime
    latest_level: int
    latest_at: dt.datetime
    ratings: int
    weight_changed: bool = False  # a later entry gave another weight (not used: see `summarise`)


@dataclass(frozen=True)
class GasSummary:
    goals: tuple[GoalRow, ...]
    first_t: float  # every goal at its first rating
    latest_t: float  # every goal at its latest rating
    notes: tuple[str, ...] = ()

    @property
    def change(self) -> float:
        return self.latest_t - self.first_t


def summarise(entries: Iterable[GoalEntry], *, rho: float = RHO) -> GasSummary | None:
    """Each goal's first and latest level, and the T-score at both time points (None without entries).

    A goal's weight is the first one given for it (1 when none is): weights belong to the goal as it was
    set, and one goal weighted differently at the start and now would make the two T-scores incomparable.
    Entries without a goal's name count as one goal, labelled UNNAMED."""
    by_goal: dict[str, list[GoalEntry]] = {}
    for entry in sorted(entries, key=lambda e: e.taken_at):
        by_goal.setdefault(goal_key(entry.goal), []).append(entry)
    if not by_goal:
        return None
    rows: list[GoalRow] = []
    for ratings in by_goal.values():
        given = [e.weight for e in ratings if e.weight is not None]
        weight = given[0] if given else 1.0
        first, latest = ratings[0], ratings[-1]
        rows.append(
            GoalRow(
                goal=goal_label(first.goal) or UNNAMED,
                weight=weight,
                first_level=first.level,
                first_at=first.taken_at,
                latest_level=latest.level,
                latest_at=latest.taken_at,
                ratings=len(ratings),
                weight_changed=any(w != weight for w in given),
            )
        )
    notes: list[str] = []
    changed = [r.goal for r in rows if r.weight_changed]
    if changed:
        notes.append(
            "A later entry gave another weight for " + ", ".join(changed) + "; the first weight is used, "
            "so the two T-scores weigh each goal alike."
        )
    if len(rows) > 1 and any(r.goal == UNNAMED for r in rows):
        notes.append("Entries without a goal's name are counted together as one goal.")
    return GasSummary(
        goals=tuple(rows),
        first_t=t_score([(r.first_level, r.weight) for r in rows], rho=rho),
        latest_t=t_score([(r.latest_level, r.weight) for r in rows], rho=rho),
        notes=tuple(notes),
    )
