"""Apply a screening verdict to a routine: the steps to do today, and the ones left out and why.

    today = adapt_routine(library, "iaim_full_body", verdict, focus_regions=("left_ankle",))
    today.blocked     # True when the verdict blocks the session (stop or release outstanding): no steps
    today.steps       # PlannedStep: the step, the regions kept, the pressure cap, the scaled minutes
    today.dropped     # DroppedStep: the step, why, and the rule ids responsible

Rules of thumb, all conservative: a step is left out on a region that overlaps an avoided area (a
group such as left_leg overlaps its thigh); a step keeps its other regions. A technique the verdict
excludes is left out everywhere; one that moves joints is left out where joint movement is barred;
a technique that cannot be given at or below the pressure cap is left out. `focus_area` steps take the
plan's focus regions; without them they are left out.

Each left-out step carries a `cause` code (the `Cause` values), so a caller can say what would bring it
back (choose focus areas, wait until the check clears, a trained therapist) without reading the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from kneadwell.library.schema import Pressure, Step, Technique
from kneadwell.library.screening import Action, Modifications, Verdict

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from kneadwell.library.catalog import Library


@dataclass(frozen=True)
class PlannedStep:
    index: int
    step: Step
    technique: Technique
    regions: tuple[str, ...]
    pressure: str | None
    minutes: float | None
    left_out_regions: tuple[str, ...] = ()


class Cause(StrEnum):
    """Why a step is left out today."""

    BLOCKED = "blocked"  # the verdict blocks the whole session
    TRAINED_ONLY = "trained_only"  # a trained therapist's technique, and a parent gives the session
    TECHNIQUE_EXCLUDED = "technique_excluded"  # the verdict leaves the technique out
    PRESSURE = "pressure"  # the technique needs more pressure than today's cap
    NO_FOCUS = "no_focus"  # a focus-area step and the plan has no focus area
    AREAS_LEFT_OUT = "areas_left_out"  # every area of the step is avoided (or barred from joint movement)


@dataclass(frozen=True)
class DroppedStep:
    index: int
    step: Step
    why: str
    rule_ids: tuple[str, ...]
    cause: Cause


@dataclass(frozen=True)
class AdaptedRoutine:
    routine_id: str
    blocked: bool
    steps: tuple[PlannedStep, ...]
    dropped: tuple[DroppedStep, ...]
    no_oil: bool


def _avoid_rules(verdict: Verdict, areas: set[str]) -> tuple[str, ...]:
    return tuple(
        r.rule_id for r in verdict.active_reasons if r.action is Action.AVOID_AREAS and areas & set(r.regions)
    )


def _modify_rules(verdict: Verdict, applies: Callable[[Modifications], bool]) -> tuple[str, ...]:
    return tuple(
        r.rule_id
        for r in verdict.active_reasons
        if r.action is Action.MODIFY and r.modifications is not None and applies(r.modifications)
    )


def _excludes(technique_id: str) -> Callable[[Modifications], bool]:
    return lambda m: technique_id in m.exclude_techniques


def _bars_movement(library: Library, areas: set[str]) -> Callable[[Modifications], bool]:
    return lambda m: bool(library.areas_of(m.no_joint_movement_at) & areas)


def adapt_routine(
    library: Library,
    routine_id: str,
    verdict: Verdict,
    *,
    focus_regions: Iterable[str] = (),
    trained: bool = True,
) -> AdaptedRoutine:
    """Today's steps of a routine. `trained` is False for a parent or caregiver: steps whose technique is
    `trained_only` are then left out, whatever the verdict."""
    routine = library.routines[routine_id]
    focus = tuple(focus_regions)
    for rid in focus:
        if rid not in library.regions or library.regions[rid].kind not in ("area", "group"):
            raise ValueError(f"focus_regions: '{rid}' is not a body region")
    mods = verdict.modifications
    if verdict.blocks:
        dropped = tuple(
            DroppedStep(
                i,
                s,
                "today's check does not allow a session",
                tuple(r.rule_id for r in verdict.active_reasons),
                Cause.BLOCKED,
            )
            for i, s in enumerate(routine.steps)
        )
        return AdaptedRoutine(routine_id, True, (), dropped, mods.no_oil)

    # Expanded: a plan's own "always leave out" may name a group (left_leg), which the screening's verdict
    # already gives as its areas; unexpanded, a group would match no step's areas and be ignored.
    avoided = library.areas_of(verdict.avoided_regions)
    no_move = library.areas_of(mods.no_joint_movement_at)
    cap = Pressure[mods.max_pressure] if mods.max_pressure else Pressure.firm
    planned: list[PlannedStep] = []
    dropped_steps: list[DroppedStep] = []
    for i, step in enumerate(routine.steps):
        technique = library.techniques[step.technique]
        if technique.trained_only and not trained:
            dropped_steps.append(
                DroppedStep(
                    i, step, f"{technique.name} is given by a trained therapist only", (), Cause.TRAINED_ONLY
                )
            )
            continue
        if technique.id in mods.exclude_techniques:
            dropped_steps.append(
                DroppedStep(
                    i,
                    step,
                    f"{technique.name} is left out today",
                    _modify_rules(verdict, _excludes(technique.id)),
                    Cause.TECHNIQUE_EXCLUDED,
                )
            )
            continue
        allowed = [p for p in technique.pressure if Pressure[p] <= cap]
        if not allowed:
            dropped_steps.append(
                DroppedStep(
                    i,
                    step,
                    f"{technique.name} needs more than {cap.name} pressure",
                    _modify_rules(verdict, lambda m: m.max_pressure is not None),
                    Cause.PRESSURE,
                )
            )
            continue
        regions: list[str] = []
        for rid in step.regions:
            regions.extend(focus if rid == "focus_area" else (rid,))
        if not regions:
            dropped_steps.append(DroppedStep(i, step, "the plan has no focus area", (), Cause.NO_FOCUS))
            continue
        kept: list[str] = []
        out: list[str] = []
        blamed: set[str] = set()
        for rid in regions:
            areas = library.areas_of([rid])
            hit = areas & avoided
            if hit:
                out.append(rid)
                blamed.update(_avoid_rules(verdict, hit))
            elif technique.moves_joints and areas & no_move:
                out.append(rid)
                blamed.update(_modify_rules(verdict, _bars_movement(library, areas)))
            else:
                kept.append(rid)
        if not kept:
            dropped_steps.append(
                DroppedStep(
                    i,
                    step,
                    "every area of this step is left out today",
                    tuple(sorted(blamed)),
                    Cause.AREAS_LEFT_OUT,
                )
            )
            continue
        wanted = Pressure[step.pressure] if step.pressure else max(Pressure[p] for p in technique.pressure)
        pressure = min(wanted, cap).name if (step.pressure or mods.max_pressure) else None
        minutes = (
            step.minutes * mods.minutes_factor if (step.minutes and mods.minutes_factor) else step.minutes
        )
        planned.append(PlannedStep(i, step, technique, tuple(kept), pressure, minutes, tuple(out)))
    return AdaptedRoutine(routine_id, False, tuple(planned), tuple(dropped_steps), mods.no_oil)
