"""Today's steps for a session: the protocol's routines after today's verdict and the plan's
personalisation. Pure (the stored verdict comes in as the dict the readiness check saved)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kneadwell.library.adaptation import adapt_routine
from kneadwell.library.catalog import Library
from kneadwell.library.screening import Action, Modifications, Verdict


def verdict_for_today(
    stored: Mapping[str, Any],
    *,
    avoid_regions: Iterable[str] = (),
    max_pressure: str = "",
    minutes_factor: float | None = None,
    also: Mapping[str, Any] | None = None,
) -> Verdict:
    """The readiness verdict as saved, tightened by the plan's own limits (regions the plan always
    leaves out, a pressure cap, shorter sessions). Reasons are not rebuilt: only the limits matter here."""
    mods = _modifications(stored.get("modifications") or {}).merge(
        Modifications(max_pressure=max_pressure or None, minutes_factor=minutes_factor)
    )
    if also:  # another saved verdict's limits (the check the person saw), merged to the strictest
        mods = mods.merge(_modifications(also))
    return Verdict(
        action=Action(stored["action"]),
        protocol_id=str(stored.get("protocol_id", "")),
        population=str(stored.get("population", "")),
        content_version=str(stored.get("content_version", "")),
        avoided_regions=tuple(sorted({*stored.get("avoided_regions", ()), *avoid_regions})),
        modifications=mods,
    )


def _modifications(saved: Mapping[str, Any]) -> Modifications:
    return Modifications(
        max_pressure=saved.get("max_pressure"),
        minutes_factor=saved.get("minutes_factor"),
        exclude_techniques=tuple(saved.get("exclude_techniques") or ()),
        no_joint_movement_at=tuple(saved.get("no_joint_movement_at") or ()),
        no_oil=bool(saved.get("no_oil")),
    )


def todays_steps(
    library: Library,
    protocol_id: str,
    verdict: Verdict,
    *,
    focus_regions: Iterable[str] = (),
    trained: bool = True,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(steps, dropped) as JSON-ready dicts, numbered across all the protocol's routines. `trained` is
    False when a parent or caregiver gives the session (trained-only steps are left out)."""
    protocol = library.protocols[protocol_id]
    steps: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    focus = tuple(focus_regions)
    for routine_id in protocol.routines:
        routine = library.routines[routine_id]
        sections = {s.id: s.label for s in routine.sections}
        adapted = adapt_routine(library, routine_id, verdict, focus_regions=focus, trained=trained)
        for planned in adapted.steps:
            step, technique = planned.step, planned.technique
            steps.append(
                {
                    "index": len(steps),
                    "routine": routine_id,
                    "technique": technique.id,
                    "name": technique.name,
                    "kind": technique.kind,
                    "regions": list(planned.regions),
                    "left_out_regions": list(planned.left_out_regions),
                    "pressure": planned.pressure,
                    "minutes": planned.minutes,
                    "repetitions": step.repetitions,
                    "phase": step.phase or sections.get(step.section or "", ""),
                    "section": sections.get(step.section or "", ""),
                    "position": step.position or "",
                    "optional": step.optional,
                    "note": step.note or "",
                    "how_parent": technique.description_parent,
                    "how_clinician": technique.description_clinician,
                    "sources": list(technique.sources),
                }
            )
        for gone in adapted.dropped:
            dropped.append(
                {
                    "routine": routine_id,
                    "technique": gone.step.technique,
                    "name": library.techniques[gone.step.technique].name,
                    "why": gone.why,
                    "rules": list(gone.rule_ids),
                }
            )
    return steps, dropped


def planned_phase_minutes(library: Library, protocol_id: str) -> dict[str, float]:
    """Minutes the protocol gives each timed phase of one session (TKS: 5 tactile, 5 kinesthetic, 5
    tactile). A step's phase is its `phase`, or else its routine section's label."""
    out: dict[str, float] = {}
    for routine_id in library.protocols[protocol_id].routines:
        routine = library.routines[routine_id]
        sections = {s.id: s.label for s in routine.sections}
        for step in routine.steps:
            phase = step.phase or sections.get(step.section or "", "")
            if step.minutes and phase:
                out[phase] = out.get(phase, 0.0) + step.minutes
    return out
