"""Range of motion by joint, movement and side, as % of a normal value whose source is kept.

Norms differ by source [S58, S59, S60], so each movement stores several with their sources and names a
default (the largest normal end value stored: the conservative choice, because % of normal is then never
flattering). Values outside physically possible limits are rejected; unusual ones need confirmation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from .errors import InstrumentValidationError, Problems
from .loader import load_instruments
from .model import Instrument, NumericSpec, Score, SubScore
from .plausibility import check_number

INSTRUMENT_ID = "range_of_motion"


@dataclass(frozen=True)
class RomNorm:
    norm_set: str
    label: str
    end_degrees: float
    source_ids: tuple[str, ...]
    sd: float | None = None
    note: str = ""


@dataclass(frozen=True)
class RomMovement:
    id: str
    joint: str
    label: str
    possible_min: float
    possible_max: float
    default_norm: str
    norms: tuple[RomNorm, ...]
    possible_source_ids: tuple[str, ...]

    def norm(self, norm_set: str | None = None) -> RomNorm:
        wanted = norm_set or self.default_norm
        for n in self.norms:
            if n.norm_set == wanted:
                return n
        raise InstrumentValidationError(
            "norm",
            f"{self.label}: no normal value from {wanted!r}; "
            f"available: {', '.join(n.norm_set for n in self.norms)}",
        )


@dataclass(frozen=True)
class RomResult:
    movement: str
    side: str
    degrees: float
    norm: RomNorm
    percent_of_normal: float
    other_norms: Mapping[str, float]  # norm set -> % of normal against that norm
    warnings: tuple[str, ...] = ()


@cache
def movements() -> Mapping[str, RomMovement]:
    inst = load_instruments()[INSTRUMENT_ID]
    sets = inst.extra["norm_sets"]
    out: dict[str, RomMovement] = {}
    for m in inst.extra["movements"]:
        norms = tuple(
            RomNorm(
                norm_set=str(n["set"]),
                label=str(sets[n["set"]]["label"]),
                end_degrees=float(n["end"]),
                source_ids=tuple(sets[n["set"]]["sources"]),
                sd=None if n.get("sd") is None else float(n["sd"]),
                note=str(n.get("note") or ""),
            )
            for n in m["norms"]
        )
        out[str(m["id"])] = RomMovement(
            id=str(m["id"]),
            joint=str(m["joint"]),
            label=str(m["label"]),
            possible_min=float(m["possible"]["min"]),
            possible_max=float(m["possible"]["max"]),
            default_norm=str(m["default_norm"]),
            norms=norms,
            possible_source_ids=tuple(m["possible"]["sources"]),
        )
    return MappingProxyType(out)


def movement_spec(instrument: Instrument, movement: RomMovement) -> NumericSpec:
    """Possible range from the catalogue; the usual window from the catalogue's rule [KW-BOUNDS]."""
    largest = max(n.end_degrees for n in movement.norms)
    return NumericSpec(
        unit="degrees",
        minimum=movement.possible_min,
        maximum=movement.possible_max,
        decimals=1,
        usual_minimum=float(instrument.extra["unusual_below_degrees"]),
        usual_maximum=min(movement.possible_max, largest * float(instrument.extra["unusual_above_factor"])),
    )


def percent_of_normal(
    movement_id: str,
    degrees: object,
    *,
    side: str = "",
    norm: str | None = None,
    confirmed: bool = False,
) -> RomResult:
    """% of normal for one measurement, against the chosen norm (default: the movement's default)."""
    inst = load_instruments()[INSTRUMENT_ID]
    field = f"{movement_id}.{side}" if side else movement_id
    movement = movements().get(movement_id)
    if movement is None:
        raise InstrumentValidationError(field, f"unknown movement {movement_id!r}")
    value, warnings = check_number(
        field, degrees, movement_spec(inst, movement), confirmed=confirmed, label=movement.label
    )
    chosen = movement.norm(norm)
    return RomResult(
        movement=movement_id,
        side=side,
        degrees=value,
        norm=chosen,
        percent_of_normal=100.0 * value / chosen.end_degrees,
        other_norms=MappingProxyType({n.norm_set: 100.0 * value / n.end_degrees for n in movement.norms}),
        warnings=warnings,
    )


def score_rom(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """Answers: '<movement>.<side>' -> degrees; optional 'norm' (a norm set id) and 'confirmed'
    (True, or a list of the keys the person confirmed)."""
    sides = {str(s["id"]) for s in instrument.extra["sides"]}
    norm = answers.get("norm")
    confirmed_raw = answers.get("confirmed", False)
    problems = Problems()
    results: dict[str, RomResult] = {}
    warnings: list[str] = []
    for key, value in answers.items():
        if key in ("norm", "confirmed"):
            continue
        movement_id, _, side = key.partition(".")
        if side not in sides:
            problems.add(
                key, "expected '<movement>.<side>' with side left or right, e.g. 'knee_flexion.left'"
            )
            continue
        if value is None:
            continue
        confirmed = confirmed_raw is True or (
            isinstance(confirmed_raw, list | tuple | set | frozenset) and key in confirmed_raw
        )
        try:
            result = percent_of_normal(
                movement_id, value, side=side, norm=None if norm is None else str(norm), confirmed=confirmed
            )
        except InstrumentValidationError as exc:
            problems.absorb(exc)
            continue
        results[key] = result
        warnings.extend(result.warnings)
    if not problems.errors and not problems.confirmations and not results:
        problems.add("answers", "no range-of-motion measurement given")
    problems.raise_if_any()
    subs = {
        key: SubScore(key, f"{movements()[r.movement].label}, {r.side}", r.degrees, r.norm.end_degrees, 1, 1)
        for key, r in results.items()
    }
    return Score(
        instrument_id=instrument.id,
        total=None,
        score_min=None,
        score_max=None,
        direction=instrument.direction,
        subscores=MappingProxyType(subs),
        warnings=tuple(warnings),
        details=MappingProxyType(
            {
                "percent_of_normal": {k: r.percent_of_normal for k, r in results.items()},
                "norm": {
                    k: {
                        "set": r.norm.norm_set,
                        "end_degrees": r.norm.end_degrees,
                        "sources": r.norm.source_ids,
                    }
                    for k, r in results.items()
                },
                "other_norms": {k: dict(r.other_norms) for k, r in results.items()},
            }
        ),
    )
