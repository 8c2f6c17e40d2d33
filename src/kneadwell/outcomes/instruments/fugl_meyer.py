"""Fugl-Meyer Assessment: section, domain and total scores that never sum incomplete sections.

Domains (UE motor 66, LE motor 34, sensory 24, balance 14, joint range 44, joint pain 44; total 226 [S38])
may be assessed on their own. A domain with no answers is "not assessed"; one with some items missing is
"incomplete" and gets no score, with a warning that names the missing items. The grand total needs all six
domains complete; the motor total (100) needs both motor domains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .errors import InstrumentValidationError
from .model import Instrument, Score, SubScore
from .scoring import subscore, validate_items


@dataclass(frozen=True)
class Change:
    """Change between two complete scores of the same (sub)scale, read against the MCID."""

    scale: str
    before: float
    after: float
    difference: float
    mcid_low: float
    mcid_high: float
    reading: str


def _check_gates(instrument: Instrument, values: Mapping[str, int | str]) -> list[tuple[str, str]]:
    """Normal reflex activity is scored only when the part before it has full marks [GU-FMA-UE/LE]."""
    problems: list[tuple[str, str]] = []
    for gate in instrument.extra.get("gated_items", ()):
        item_id, section_id = str(gate["item"]), str(gate["requires_full_section"])
        if int(values.get(item_id, 0)) == 0:
            continue
        sub = subscore(instrument, section_id, values)
        if sub.score is None:
            problems.append(
                (item_id, f"can be scored above 0 only after part {section_id.upper()} is complete")
            )
        elif sub.score != sub.max_score:
            problems.append(
                (
                    item_id,
                    f"must be 0 unless part {section_id.upper()} has full marks "
                    f"({sub.max_score}); it has {sub.score:g}",
                )
            )
    return problems


def score_fugl_meyer(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    values = validate_items(instrument, answers)
    problems = _check_gates(instrument, values)
    if problems:
        raise InstrumentValidationError.from_problems(problems)

    subs: dict[str, SubScore] = {sec.id: subscore(instrument, sec.id, values) for sec in instrument.sections}
    domains = [str(d) for d in instrument.extra["domains"]]
    warnings: list[str] = []
    for domain in domains:
        sub = subs[domain]
        if sub.assessed and not sub.complete:
            incomplete = [
                s.label
                for s in subs.values()
                if s.assessed and not s.complete and instrument.section(s.section_id).parent == domain
            ] or [sub.label]
            warnings.append(
                f"{sub.label}: incomplete ({sub.answered} of {sub.expected} items; "
                f"incomplete parts: {'; '.join(incomplete)}); missing: {', '.join(sub.missing)}"
            )
    not_assessed = [subs[d].label for d in domains if not subs[d].assessed]

    motor = [subs[d] for d in instrument.extra["motor_domains"]]
    motor_total = (
        sum(float(s.score) for s in motor if s.score is not None) if all(s.complete for s in motor) else None
    )
    all_complete = all(subs[d].complete for d in domains)
    total = float(sum(float(subs[d].score or 0) for d in domains)) if all_complete else None
    if total is None and not_assessed and not warnings:
        # Not an error: the FMA's domains are often given alone; say why there is no grand total.
        warnings.append(f"no 226-point total: not assessed - {', '.join(not_assessed)}")
    details = {
        "motor_total": motor_total,
        "motor_max": float(sum(s.max_score or 0 for s in motor)),
        "domains": {d: subs[d].score for d in domains},
        "not_assessed": not_assessed,
    }
    return Score(
        instrument_id=instrument.id,
        total=total,
        score_min=instrument.score_min,
        score_max=instrument.score_max,
        direction=instrument.direction,
        subscores=MappingProxyType(subs),
        warnings=tuple(warnings),
        details=MappingProxyType(details),
    )


def fugl_meyer_change(instrument: Instrument, before: Score, after: Score, scale: str) -> Change:
    """Compare one complete scale (a domain or section id, or 'total' / 'motor_total') against the MCID."""
    if instrument.mcid is None:
        raise ValueError(f"{instrument.id} has no MCID in the catalogue")

    def value(score: Score) -> float:
        if scale == "total":
            got = score.total
        elif scale == "motor_total":
            got = score.details.get("motor_total")
        else:
            sub = score.subscores.get(scale)
            if sub is None:
                raise InstrumentValidationError(scale, "unknown Fugl-Meyer scale")
            got = sub.score
        if got is None:
            raise InstrumentValidationError(
                scale, "is incomplete in one of the two assessments; cannot compare"
            )
        return float(got)

    b, a = value(before), value(after)
    diff = a - b
    low, high = instrument.mcid.low, instrument.mcid.high
    # The published MCID is for the upper-extremity motor score only; reading the total or another domain
    # against it would borrow a number no study gives for that scale.
    scales = tuple(str(s) for s in instrument.extra.get("mcid_scales", ()))
    if scales and scale not in scales:
        reading = (
            f"changed by {diff:g} points; no published MCID for this scale (ours is for {', '.join(scales)})"
        )
    elif diff >= high:
        reading = f"improved by at least the upper MCID ({high:g})"
    elif diff >= low:
        reading = f"improved within the MCID range ({low:g}-{high:g}): possibly meaningful"
    elif diff <= -low:
        reading = f"worse by at least {low:g} points"
    else:
        reading = f"change smaller than the MCID ({low:g}-{high:g})"
    return Change(scale, b, a, diff, low, high, reading)
