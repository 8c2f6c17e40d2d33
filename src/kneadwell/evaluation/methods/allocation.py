"""Allocation sequences: stratified permuted blocks of random sizes, or a table made elsewhere.

Why this design. Simple randomisation can leave a small trial badly unbalanced; blocks keep the arms
balanced as recruitment goes on, and blocks of *random* sizes stop staff guessing the last allocation of a
block from the ones before it (Schulz and Grimes 2002 [SCHULZ-GRIMES-2002-GEN]; CONSORT 2010 items 8b-10
[CONSORT-2010]). Stratifying by a few strong prognostic factors (site, gestation band) keeps each stratum
balanced too; the analysis then adjusts for them.

The algorithm (`ALGORITHM`), so a list can be regenerated and checked from its seed alone:

1. strata are every combination of the chosen factors' levels, keyed ``factor=level|factor=level`` in the
   factors' order (``all`` when the study is not stratified);
2. for each stratum, a generator ``random.Random(f"{seed}:{stratum}")``: Python seeds from a string
   through SHA-512 (seed version 2), the same on every platform, and the Mersenne Twister's sequence for a
   given seed is part of Python's compatibility promise for ``random()``, ``choice`` and ``shuffle``;
3. repeat until the stratum has at least ``length`` slots: draw a block size with ``rng.choice(sizes)``
   (sizes in the order given), fill the block with each arm's code ``ratio × size / Σratio`` times (arms in
   their order), ``rng.shuffle`` it, append it. Each stratum is long enough for the whole trial.

The seed itself is kept from study staff (only the allocation-list right reads it: docs/evaluation.md).
"""

from __future__ import annotations

import csv
import io
import itertools
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from kneadwell.core.marking import gettext, gettext_noop

ALGORITHM: Final = "permuted-blocks-random-sizes/v1"
FACTORS: Final[tuple[str, ...]] = ("site", "gestation_band", "sex")
FACTOR_LABELS: Final[dict[str, str]] = {
    "site": gettext_noop("Site (ward or clinic)"),
    "gestation_band": gettext_noop("Gestation at birth (band)"),
    "sex": gettext_noop("Sex"),
}
NOT_STRATIFIED: Final = "all"
MAX_BLOCK = 24
MAX_SLOTS = 20_000  # every stratum long enough for the whole trial: strata × target, bounded
SEXES: Final = ("female", "male")


class AllocationError(ValueError):
    """A design or a table that cannot give an allocation list. `problems` are (line, message); line 0
    when the problem is not on one line of a table."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"line {n}: {m}" if n else m for n, m in problems))
        self.problems = problems


@dataclass(frozen=True)
class ArmSpec:
    code: str
    ratio: int = 1


@dataclass(frozen=True)
class Slot:
    stratum: str
    position: int  # 1, 2, ... within the stratum
    block: int  # 1, 2, ... within the stratum
    block_size: int
    arm: str


# --- strata -------------------------------------------------------------------------------------------
def gestation_levels(cuts: Sequence[int]) -> list[str]:
    """Bands from ascending cut points in completed weeks: [28, 32] -> "<28", "28-31", ">=32"."""
    if not cuts:
        return []
    levels = [f"<{cuts[0]}"]
    levels += [f"{a}-{b - 1}" for a, b in itertools.pairwise(cuts)]
    levels.append(f">={cuts[-1]}")
    return levels


def gestation_band(weeks: int | None, cuts: Sequence[int]) -> str | None:
    if weeks is None or not cuts:
        return None
    levels = gestation_levels(cuts)
    for index, cut in enumerate(cuts):
        if weeks < cut:
            return levels[index]
    return levels[-1]


def factor_levels(factor: str, *, sites: Sequence[str], gestation_cuts: Sequence[int]) -> list[str]:
    if factor == "site":
        return list(sites)
    if factor == "gestation_band":
        return gestation_levels(gestation_cuts)
    if factor == "sex":
        return list(SEXES)
    raise AllocationError(
        [
            (
                0,
                gettext("Unknown stratification factor '%(factor)s'; use %(factors)s.")
                % {"factor": factor, "factors": ", ".join(FACTORS)},
            )
        ]
    )


def stratum_key(factors: Sequence[str], values: Mapping[str, str]) -> str:
    if not factors:
        return NOT_STRATIFIED
    return "|".join(f"{f}={values[f]}" for f in factors)


def strata(factors: Sequence[str], levels: Mapping[str, Sequence[str]]) -> list[str]:
    if not factors:
        return [NOT_STRATIFIED]
    combos = itertools.product(*(levels[f] for f in factors))
    return [stratum_key(factors, dict(zip(factors, combo, strict=True))) for combo in combos]


def design_problems(
    arms: Sequence[ArmSpec],
    block_sizes: Sequence[int],
    factors: Sequence[str],
    levels: Mapping[str, Sequence[str]],
) -> list[str]:
    """What stops a list being generated, in words; empty when the design is complete."""
    problems = []
    if len(arms) < 2:
        problems.append("A study needs at least two arms before it can be allocated.")
    unit = sum(a.ratio for a in arms)
    if not block_sizes:
        problems.append("Give at least one block size.")
    for size in block_sizes:
        if unit and (size % unit or size <= 0 or size > MAX_BLOCK):
            problems.append(
                f"Block size {size} must be a multiple of {unit} (the arms' ratios added up), at most "
                f"{MAX_BLOCK}."
            )
    if len(set(block_sizes)) != len(block_sizes):
        problems.append("Each block size once, please.")
    for factor in factors:
        if factor not in FACTORS:
            problems.append(f"Unknown stratification factor {factor!r}.")
        elif len(levels.get(factor, ())) < 2:
            problems.append(f"{FACTOR_LABELS[factor]} needs at least two levels to stratify by.")
    return problems


# --- generation ---------------------------------------------------------------------------------------
def generate(
    *,
    seed: str,
    arms: Sequence[ArmSpec],
    block_sizes: Sequence[int],
    stratum_keys: Sequence[str],
    length: int,
) -> list[Slot]:
    """The list `ALGORITHM` gives for this seed: each stratum at least `length` slots, whole blocks."""
    if not seed:
        raise AllocationError([(0, gettext("A generated list needs a seed."))])
    if length < 1:
        raise AllocationError([(0, gettext("The target size must be at least 1."))])
    if len(stratum_keys) * (length + MAX_BLOCK) > MAX_SLOTS:
        raise AllocationError(
            [
                (
                    0,
                    gettext("Too many strata for this target size (at most %(limit)s slots).")
                    % {"limit": MAX_SLOTS},
                )
            ]
        )
    unit = [a.code for a in arms for _ in range(a.ratio)]
    slots: list[Slot] = []
    for stratum in stratum_keys:
        rng = random.Random(f"{seed}:{stratum}")  # noqa: S311 - reproducible by design; the seed is secret
        position, block = 0, 0
        while position < length:
            size = rng.choice(list(block_sizes))
            content = unit * (size // len(unit))
            rng.shuffle(content)
            block += 1
            for arm in content:
                position += 1
                slots.append(Slot(stratum, position, block, size, arm))
    return slots


def block_balance(slots: Sequence[Slot], arms: Sequence[ArmSpec]) -> list[str]:
    """Blocks whose arms are not in the design's ratio: empty for a well-made list (a check an uploaded
    table is also put through, and the tests)."""
    total = sum(a.ratio for a in arms)
    problems = []
    by_block: dict[tuple[str, int], list[Slot]] = {}
    for slot in slots:
        by_block.setdefault((slot.stratum, slot.block), []).append(slot)
    for (stratum, block), members in sorted(by_block.items()):
        counts = Counter(s.arm for s in members)
        size = len(members)
        wanted = {a.code: a.ratio * size / total for a in arms}
        if any(counts.get(code, 0) != want for code, want in wanted.items()):
            problems.append(f"stratum {stratum}, block {block}: {dict(counts)} is not in the arms' ratio")
    return problems


# --- an uploaded table (as REDCap takes one) ------------------------------------------------------------
def parse_table(
    text: str,
    *,
    arms: Sequence[ArmSpec],
    factors: Sequence[str],
    levels: Mapping[str, Sequence[str]],
) -> list[Slot]:
    """A CSV with a column `arm` (the arm's code), one column per stratification factor (its level) and
    optionally `block`; rows in the order they are to be used within each stratum. Every problem is
    reported with its line; nothing is returned unless the whole table is usable."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    problems: list[tuple[int, str]] = []
    missing = [c for c in ("arm", *factors) if c not in columns]
    if missing:
        raise AllocationError(
            [(1, gettext("The header needs the column(s) %(columns)s.") % {"columns": ", ".join(missing)})]
        )
    codes = {a.code for a in arms}
    positions: Counter[str] = Counter()
    slots = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        arm = row.get("arm", "")
        if arm not in codes:
            problems.append(
                (
                    line,
                    gettext("arm '%(arm)s' is not one of the study's arms (%(arms)s)")
                    % {"arm": arm, "arms": ", ".join(sorted(codes))},
                )
            )
        values = {}
        for factor in factors:
            value = row.get(factor, "")
            if value not in levels[factor]:
                allowed = ", ".join(levels[factor])
                problems.append(
                    (
                        line,
                        gettext("%(factor)s '%(value)s' is not one of the study's levels (%(allowed)s)")
                        % {"factor": factor, "value": value, "allowed": allowed},
                    )
                )
            values[factor] = value
        block_text = row.get("block", "")
        if block_text and not block_text.isdigit():
            problems.append(
                (line, gettext("block '%(block)s' is not a whole number") % {"block": block_text})
            )
        if problems and problems[-1][0] == line:
            continue
        key = stratum_key(factors, values)
        positions[key] += 1
        block = int(block_text) if block_text else 0
        slots.append(Slot(key, positions[key], block, 0, arm))
    if not slots and not problems:
        problems.append((0, gettext("The table has no rows.")))
    if problems:
        raise AllocationError(problems[:50])
    return _with_block_sizes(slots)


def _with_block_sizes(slots: list[Slot]) -> list[Slot]:
    sizes = Counter((s.stratum, s.block) for s in slots if s.block)
    return [Slot(s.stratum, s.position, s.block, sizes.get((s.stratum, s.block), 0), s.arm) for s in slots]
